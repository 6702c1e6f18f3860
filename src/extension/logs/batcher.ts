// Throttled posting to a webview. The stream can deliver 20,000 entries/s; one postMessage per change would
// flood the webview's message queue, so changes only mark the batcher dirty and one flush runs per interval.
// No vscode import: timers are injected so tests drive time.

export interface TimerApi {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const REAL_TIMERS: TimerApi = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class FlushBatcher {
  private handle: unknown;
  private pending = false;
  private disposed = false;

  constructor(
    private readonly flush: () => void,
    private readonly intervalMs = 100,
    private readonly timers: TimerApi = REAL_TIMERS,
  ) {}

  /** Something changed: flush within intervalMs (at most one flush per interval however often this is called). */
  notify(): void {
    if (this.disposed || this.pending) return;
    this.pending = true;
    this.handle = this.timers.set(() => {
      this.pending = false;
      this.handle = undefined;
      if (!this.disposed) this.flush();
    }, this.intervalMs);
  }

  dispose(): void {
    this.disposed = true;
    if (this.handle !== undefined) this.timers.clear(this.handle);
    this.handle = undefined;
    this.pending = false;
  }
}

export interface AppendPlan {
  /** First seq to send (inclusive) and the end (exclusive). */
  fromSeq: number;
  toSeq: number;
  /** Entries the webview will never see because newer ones outnumber its row cap (or the ring evicted them). */
  skipped: number;
}

/**
 * Which entries a flush sends: what was appended since the last flush, but never more than the webview keeps
 * (maxRows) — sending entries it would drop at once is wasted serialisation.
 */
export function planAppend(lastSentSeq: number, firstSeq: number, nextSeq: number, maxRows: number): AppendPlan | null {
  const start = Math.max(lastSentSeq, firstSeq);
  if (start >= nextSeq) return null;
  const fromSeq = Math.max(start, nextSeq - maxRows);
  return { fromSeq, toSeq: nextSeq, skipped: fromSeq - lastSentSeq };
}
