// Coalescing and debouncing of refresh requests. Pure (no `vscode`): RefreshManager wires the
// editor's refresh sources to it and supplies the work.
//
// Rules: at most one refresh runs at a time; requests that arrive while one runs are batched into
// exactly one more run afterwards; a debounced request waits for quiet but never longer than
// `maxWaitMs` after the first request of its batch (a build that keeps writing files must not
// starve refreshes); disposing aborts the running refresh.

export type RefreshReason =
  | 'startup'
  | 'manual'
  | 'api'
  | 'config'
  | 'git'
  | 'working-tree'
  | 'focus'
  | 'interval'
  | 'trust'
  | 'credentials'
  | 'workspace-folders'
  | 'deploy';

export type RefreshWork = (reasons: ReadonlySet<RefreshReason>, signal: AbortSignal) => Promise<void>;

export interface SchedulerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface Batch {
  reasons: Set<RefreshReason>;
  waiters: (() => void)[];
  firstRequestAt: number;
}

export class RefreshScheduler {
  private pending: Batch | undefined;
  /** The pending batch's debounce has elapsed; it runs as soon as nothing else does. */
  private pendingIsDue = false;
  private timer: unknown;
  private timerDueAt = 0;
  private running: AbortController | undefined;
  private disposed = false;

  constructor(
    private readonly work: RefreshWork,
    private readonly onError: (err: unknown) => void,
    private readonly maxWaitMs = 10_000,
    private readonly clock: SchedulerClock = systemClock,
  ) {}

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /**
   * Asks for a refresh `delayMs` from now (debounced with other delayed requests). Resolves once a
   * refresh that started after this call has finished, whether it succeeded or not.
   */
  request(reason: RefreshReason, delayMs = 0): Promise<void> {
    if (this.disposed) return Promise.resolve();
    const now = this.clock.now();
    const batch = (this.pending ??= { reasons: new Set(), waiters: [], firstRequestAt: now });
    batch.reasons.add(reason);
    const finished = new Promise<void>((resolve) => batch.waiters.push(resolve));
    if (this.pendingIsDue) return finished;

    const latest = batch.firstRequestAt + this.maxWaitMs;
    const dueAt = Math.min(Math.max(now + delayMs, this.timer !== undefined ? this.timerDueAt : 0), latest);
    if (delayMs <= 0 || dueAt <= now) this.markDue();
    else this.armTimer(dueAt, now);
    return finished;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearTimer();
    this.running?.abort();
    const waiters = this.pending?.waiters ?? [];
    this.pending = undefined;
    for (const resolve of waiters) resolve();
  }

  private armTimer(dueAt: number, now: number): void {
    this.clearTimer();
    this.timerDueAt = dueAt;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.markDue();
    }, dueAt - now);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private markDue(): void {
    this.clearTimer();
    this.pendingIsDue = true;
    this.startIfIdle();
  }

  private startIfIdle(): void {
    if (this.disposed || this.running || !this.pendingIsDue || !this.pending) return;
    const batch = this.pending;
    this.pending = undefined;
    this.pendingIsDue = false;
    const controller = new AbortController();
    this.running = controller;
    void (async () => {
      try {
        await this.work(batch.reasons, controller.signal);
      } catch (err) {
        if (!controller.signal.aborted) this.onError(err);
      } finally {
        this.running = undefined;
        for (const resolve of batch.waiters) resolve();
        this.startIfIdle();
      }
    })();
  }
}

/** Focusing the window refreshes unless a refresh ended this recently (alt-tabbing must not hammer the API). */
export const FOCUS_REFRESH_MIN_AGE_MS = 30_000;

export function isDueOnFocus(lastFinishedAt: number | undefined, now: number, minAgeMs = FOCUS_REFRESH_MIN_AGE_MS): boolean {
  return lastFinishedAt === undefined || now - lastFinishedAt >= minAgeMs;
}
