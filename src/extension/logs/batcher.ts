// Throttled posting to a webview. The stream can deliver 20,000 entries/s; one postMessage per change would
// flood the webview's message queue, so changes only mark the batcher dirty and at most one flush runs per interval.
// The first change after a quiet interval flushes at once (on the next macrotask): waiting out the interval then
// would only delay the rows. No vscode import: timers and the clock are injected so tests drive time.

export interface TimerApi {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  now(): number;
}

export const REAL_TIMERS: TimerApi = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
};

export class FlushBatcher {
  private handle: unknown;
  private pending = false;
  private disposed = false;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly flush: () => void,
    private readonly intervalMs = 100,
    private readonly timers: TimerApi = REAL_TIMERS,
  ) {}

  /** Something changed: flush at once if the last flush was an interval ago, else when the interval is up. */
  notify(): void {
    if (this.disposed || this.pending) return;
    this.schedule(Math.max(0, this.lastFlushAt + this.intervalMs - this.timers.now()));
  }

  /** The flush left work for another turn (the next slice of rows): flush again on the next macrotask. */
  soon(): void {
    if (this.disposed) return;
    if (this.pending) this.timers.clear(this.handle);
    this.schedule(0);
  }

  dispose(): void {
    this.disposed = true;
    if (this.handle !== undefined) this.timers.clear(this.handle);
    this.handle = undefined;
    this.pending = false;
  }

  private schedule(ms: number): void {
    this.pending = true;
    this.handle = this.timers.set(() => {
      this.pending = false;
      this.handle = undefined;
      if (this.disposed) return;
      this.lastFlushAt = this.timers.now();
      this.flush();
    }, ms);
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
 * (maxRows) — sending entries it would drop at once is wasted serialization — and at most `perPost` of them, oldest
 * first: the rest go in the next flush, a macrotask later, so neither side works through a burst in one long task
 * and the oldest rows (those that waited longest) show first.
 */
export function planAppend(lastSentSeq: number, firstSeq: number, nextSeq: number, maxRows: number, perPost = Number.POSITIVE_INFINITY): AppendPlan | null {
  const start = Math.max(lastSentSeq, firstSeq);
  if (start >= nextSeq) return null;
  const fromSeq = Math.max(start, nextSeq - maxRows);
  return { fromSeq, toSeq: Math.min(nextSeq, fromSeq + Math.max(1, perPost)), skipped: fromSeq - lastSentSeq };
}
