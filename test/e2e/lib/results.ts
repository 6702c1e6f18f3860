// Test outcomes of the whole e2e run (UI checks and extension-host tests alike), printed as they come
// in node's test runner style, closed by the plain `N passed, N failed` line CI reads.
import type { RunOutcome } from '../shared';

export interface Outcome {
  name: string;
  state: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  error?: string;
  /** Why it was skipped (printed beside `# SKIP`). */
  reason?: string;
}

export class Results {
  readonly outcomes: Outcome[] = [];
  private frozen = false;

  /** `runner` names the run in the closing lines (`e2e finished in …`). */
  constructor(private readonly runner = 'e2e') {}

  /** After an abort: what fails while things are torn down is not news. */
  freeze(): void {
    this.frozen = true;
  }

  record(outcome: Outcome): void {
    if (this.frozen) return;
    this.outcomes.push(outcome);
    const ms = `(${outcome.durationMs.toFixed(0)}ms)`;
    if (outcome.state === 'passed') process.stdout.write(`✔ ${outcome.name} ${ms}\n`);
    else if (outcome.state === 'skipped') process.stdout.write(`﹣ ${outcome.name} # SKIP${outcome.reason ? ` ${outcome.reason}` : ''}\n`);
    else {
      process.stdout.write(`✖ ${outcome.name} ${ms}\n`);
      if (outcome.error) process.stdout.write(`${indent(outcome.error, '    ')}\n`);
    }
  }

  /**
   * One suite run's tests as `<run> › <title>`, and the run itself as failed when it ended badly
   * with no failing test to show for it (did not load, crashed, timed out, a non-zero exit code).
   * `detail` (e.g. where the editor's logs are) follows such a failure's message.
   */
  recordSuiteRun(run: string, result: { exitCode: number | undefined; outcome: RunOutcome | undefined; problem?: string }, durationMs: number, detail: string): void {
    for (const t of result.outcome?.tests ?? []) {
      const state = t.state === 'pending' ? 'skipped' : t.state;
      this.record({ name: `${run} › ${t.title}`, state, durationMs: t.durationMs, ...(t.error ? { error: t.error } : {}), ...(t.reason ? { reason: t.reason } : {}) });
    }
    const failedInside = result.outcome?.tests.some((t) => t.state === 'failed') ?? false;
    const problem =
      result.problem ??
      (result.outcome?.crash ? `the suite crashed: ${result.outcome.crash}` : undefined) ??
      (result.exitCode !== 0 && !failedInside ? `VS Code reported exit code ${result.exitCode} though no test failed` : undefined);
    if (problem) this.record({ name: `${run} › (suite run)`, state: 'failed', durationMs, error: `${problem}\n${detail}` });
  }

  count(state: Outcome['state']): number {
    return this.outcomes.filter((o) => o.state === state).length;
  }

  /** The closing line; a run that executed no test counts as failed. */
  printSummary(totalMs: number): boolean {
    const passed = this.count('passed');
    const failed = this.count('failed');
    const skipped = this.count('skipped');
    const failures = this.outcomes.filter((o) => o.state === 'failed');
    if (failures.length > 0) {
      process.stdout.write('\nfailing tests:\n');
      for (const f of failures) process.stdout.write(`  ✖ ${f.name}\n`);
    }
    process.stdout.write(`\n${this.runner} finished in ${(totalMs / 1000).toFixed(1)}s\n`);
    if (passed + failed === 0) process.stdout.write(`${this.runner}: no test ran\n`);
    process.stdout.write(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
    return failed === 0 && passed > 0;
  }
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .slice(0, 40)
    .map((l) => prefix + l)
    .join('\n');
}
