// Exactly one way out of a driver run prints the summary: the normal end, or an abort (the whole
// run's deadline, SIGINT or SIGTERM). Shared by the code-server driver (run.ts) and the desktop
// driver (desktop.ts).
import type { Cleanup } from './process';
import type { Results } from './results';

export class RunExit {
  private ending = false;
  private readonly deadline: NodeJS.Timeout;

  constructor(
    private readonly harness: string,
    private readonly results: Results,
    private readonly cleanup: Cleanup,
    private readonly started: number,
    deadlineMs: number,
  ) {
    this.deadline = setTimeout(() => void this.abort(`the whole run exceeded ${deadlineMs / 1000}s (CRD_E2E_TIMEOUT_S)`), deadlineMs);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void this.abort(`interrupted by ${signal}`));
  }

  /** Records the harness as failed, cleans up, prints the summary and exits 1, unless the normal end is under way. */
  async abort(why: string): Promise<never> {
    if (!this.ending) {
      this.ending = true;
      this.results.record({ name: this.harness, state: 'failed', durationMs: Date.now() - this.started, error: why });
      this.results.freeze();
      await this.cleanup.run();
      this.results.printSummary(Date.now() - this.started);
      process.exit(1);
    }
    // The normal end is already under way; it prints and exits, bounded by the cleanup's own limits.
    return new Promise<never>(() => undefined);
  }

  /** Stops the deadline, for a run that ends without a summary. */
  cancelDeadline(): void {
    clearTimeout(this.deadline);
  }

  /** Claims the normal end; false when an abort already owns the exit. */
  claimNormalEnd(): boolean {
    if (this.ending) return false;
    this.ending = true;
    clearTimeout(this.deadline);
    return true;
  }
}
