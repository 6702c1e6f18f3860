// A log stream's implementation: how the history, the live tail, backfills and polling are combined. Its
// interface and events are in streamApi.ts.
//
// How "every entry exactly once, in order" is kept:
//   1. History: entries.list with orderBy "timestamp asc" (or desc + reversed, with historyLimit) and an explicit
//      `timestamp>="since"` in the filter. (We call the generated client, so the Logging class's hidden
//      "last 24 hours" clause and desc default never apply; the explicit clause would defeat them anyway.)
//      A page that fails transiently (after the client's own retry) is asked for again with backoff, reported as
//      a non-fatal error, up to 4 tries.
//   2. Live: TailLogEntries. It only delivers entries that arrive after the server registered the session, which
//      is after the history's snapshot, so there is a gap. Once the session proves itself (its first response),
//      or after settleMs without one, we backfill with entries.list from the newest timestamp seen minus
//      backfillOverlapMs up to the newest timestamp the tail has delivered (or our clock plus the overlap when it
//      has delivered nothing): entries stored before the session registered are older than its first window, and
//      an open-ended listing would chase a busy service forever. While that backfill runs, emission is held, so its
//      entries interleave in order with the tail's rather than trailing them.
//   3. When the tail ends or fails, emission is held (the gap is open) until the next session's backfill is done.
//      UNAVAILABLE, OUT_OF_RANGE (maximum tail duration), DEADLINE_EXCEEDED, INTERNAL, a clean end: reconnect with
//      exponential backoff (reset after a session that delivered). RESOURCE_EXHAUSTED (too many tail sessions):
//      poll for exhaustedRetryMs, then try to tail again. UNIMPLEMENTED or a REST source: poll for good.
//      INVALID_ARGUMENT (bad filter), PERMISSION_DENIED, NOT_FOUND, UNAUTHENTICATED: error event, end.
//   4. Everything passes through the EntrySequencer (sequencer.ts): de-duplication by insertId+timestamp with
//      bounded memory, and a reorder window (reorderWindowMs) so entries of neighboring responses are ordered.
//
// Limits (said, not hidden): entries the server reports as suppressed are counted, not fetched (a later backfill
// may happen to cover some); an entry ingested during a gap with a timestamp older than the backfill's reach
// (newest seen minus backfillOverlapMs) is not found; an entry arriving after newer ones were emitted is emitted
// anyway and counted in stats().late.
//
// Unhandled rejections: every promise the stream creates is awaited or has a catch; list calls raced against
// stop() keep a catch on the abandoned promise; tail errors arrive as handler calls (source.ts).
import { formatSeconds, raceAbort, startDeadline, type Deadline } from '../platform/deadline';
import { compareInstants, formatInstant, instantFromDate, shiftInstant, type Instant, type TimedEntry } from './entry';
import { quoteFilterString } from './filter';
import { eventIterator } from './eventIterator';
import { EntrySequencer } from './sequencer';
import { GrpcStatus, LogApiError, describeLogError, type ListPage, type ListRequest, type LogSource, type TailHandle, type TailResponse } from './source';
import type { LogStream, LogStreamEndReason, LogStreamEvent, LogStreamOptions, LogStreamStats } from './streamApi';
import { classify, reconnectReason } from './tailErrors';

export function openLogStream(source: LogSource, options: LogStreamOptions): LogStream {
  return new SourceLogStream(source, options);
}

const DEFAULTS = {
  follow: true,
  bufferWindowMs: 1000,
  reorderWindowMs: 250,
  pollIntervalMs: 5000,
  backfillOverlapMs: 2000,
  settleMs: 1000,
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
  exhaustedRetryMs: 60_000,
  dedupCapacity: 50_000,
  pageSize: 1000,
  highWaterEntries: 50_000,
};

/** Tries per history page before a transient failure becomes fatal. */
const HISTORY_ATTEMPTS = 4;

type Settings = typeof DEFAULTS & { filter: string; since: Date; historyLimit: number | undefined; historyTimeoutMs: number | undefined };

/** Why a session (or poll) ended; drives the run loop. */
interface SessionOutcome {
  error: LogApiError | null;
  /** It delivered entries or lived long: the backoff starts over. */
  healthy: boolean;
}

/** Thrown inside the run loop when stop() interrupts a wait; never escapes. */
class Stopped extends Error {}

/** Thrown by historyPage when the history's deadline ends it; loadHistory turns it into the fatal error. */
class HistoryDeadline extends Error {
  constructor(readonly lastError: LogApiError | null) {
    super('the history deadline passed');
  }
}

class SourceLogStream implements LogStream {
  private readonly settings: Settings;
  private readonly listeners = new Set<(event: LogStreamEvent) => void>();
  private readonly sequencer: EntrySequencer;
  private started = false;
  private stopped = false;
  private ended = false;
  private mode: LogStreamStats['mode'] = 'idle';
  private reconnects = 0;
  private suppressedRateLimit = 0;
  private suppressedNotConsumed = 0;
  private gapOpen = false;
  private activeTail: TailHandle | null = null;
  /** Ends the open tail session's promise when stop() is called. */
  private endSessionOnStop: (() => void) | null = null;
  private readonly sinceInstant: Instant;

  private readonly stopSignal: Promise<void>;
  private signalStop: () => void = () => {};
  private resolveDone: (reason: LogStreamEndReason) => void = () => {};
  readonly done: Promise<LogStreamEndReason>;
  private runPromise: Promise<void> = Promise.resolve();

  // Back-pressure from the iterator (eventIterator.ts): whether intake is paused, and who waits for it to open.
  private iteratorAttached = false;
  private intakePaused = false;
  private intakeWaiters: (() => void)[] = [];

  constructor(
    private readonly source: LogSource,
    options: LogStreamOptions,
  ) {
    this.settings = {
      ...DEFAULTS,
      ...definedOnly(options),
      filter: options.filter,
      since: options.since,
      historyLimit: options.historyLimit,
      historyTimeoutMs: options.historyTimeoutMs,
    };
    this.sinceInstant = instantFromDate(options.since);
    this.sequencer = new EntrySequencer({
      windowMs: this.settings.reorderWindowMs,
      dedupCapacity: this.settings.dedupCapacity,
      // Ids must outlive any backfill's reach back (overlap), with a wide margin for slow reconnects.
      dedupRetentionMs: this.settings.backfillOverlapMs + 60_000,
      emit: (entries) => this.emit({ type: 'entries', entries }),
    });
    this.stopSignal = new Promise<void>((resolve) => (this.signalStop = resolve));
    this.done = new Promise<LogStreamEndReason>((resolve) => (this.resolveDone = resolve));
  }

  start(): this {
    if (this.started || this.stopped) return this;
    this.started = true;
    // Next tick: listeners and the iterator attached right after start() see every event.
    this.runPromise = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.run());
    return this;
  }

  on(listener: (event: LogStreamEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): LogStreamStats {
    const s = this.sequencer.stats;
    return {
      mode: this.mode,
      entries: s.emitted,
      duplicates: s.duplicates,
      late: s.late,
      reconnects: this.reconnects,
      suppressedRateLimit: this.suppressedRateLimit,
      suppressedNotConsumed: this.suppressedNotConsumed,
    };
  }

  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.signalStop();
      this.activeTail?.cancel();
      this.activeTail = null;
      this.endSessionOnStop?.();
      this.openIntake();
    }
    await this.runPromise;
    this.finish('stopped');
  }

  [Symbol.asyncIterator](): AsyncIterator<LogStreamEvent> {
    if (this.iteratorAttached) throw new Error('a LogStream supports one async iterator; use on() for more consumers');
    this.iteratorAttached = true;
    return eventIterator({
      subscribe: (listener) => this.on(listener),
      highWaterEntries: this.settings.highWaterEntries,
      pause: () => this.pauseIntake(),
      resume: () => this.openIntake(),
      stop: () => this.stop(),
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // The run loop

  private async run(): Promise<void> {
    let reason: LogStreamEndReason = 'completed';
    try {
      this.mode = 'history';
      const count = await this.loadHistory();
      this.emit({ type: 'history-complete', count });
      if (this.settings.follow) await this.follow();
    } catch (error) {
      if (!(error instanceof Stopped)) {
        const described = describeLogError(error);
        this.emit({ type: 'error', message: described.message, code: described.code, fatal: true });
        reason = 'failed';
      }
    }
    this.activeTail?.cancel();
    this.activeTail = null;
    if (this.stopped) reason = 'stopped';
    this.sequencer.drain();
    this.sequencer.dispose();
    this.finish(reason);
  }

  private finish(reason: LogStreamEndReason): void {
    if (this.ended) return;
    this.ended = true;
    this.mode = 'ended';
    this.emit({ type: 'end', reason });
    this.resolveDone(reason);
  }

  private async follow(): Promise<void> {
    // From here until a backfill completes after a live session opens, entries wait (see the header, step 2).
    this.openGap();
    if (!this.source.canTail) {
      await this.poll(Number.POSITIVE_INFINITY, `${this.source.description} cannot tail (TailLogEntries needs gRPC); listing new entries every ${seconds(this.settings.pollIntervalMs)} instead`);
      return;
    }
    let attempt = 0;
    for (;;) {
      this.checkStopped();
      const outcome = await this.tailSession();
      this.checkStopped();
      const error = outcome.error ?? new LogApiError('the server ended the live tail', null, 'tail');
      switch (classify(error)) {
        case 'fatal':
          throw error;
        case 'unsupported':
          await this.poll(Number.POSITIVE_INFINITY, `${this.source.description} cannot tail (${error.message}); listing new entries every ${seconds(this.settings.pollIntervalMs)} instead`);
          return;
        case 'exhausted':
          this.reconnects += 1;
          await this.poll(
            this.settings.exhaustedRetryMs,
            `Cloud Logging refused the live tail: too many tail sessions are open for ${this.source.projects.join(', ')} ` +
              `(at most 10 per project; close other log streams or \`gcloud\` tails). Server said: ${error.message}. ` +
              `Listing new entries every ${seconds(this.settings.pollIntervalMs)} meanwhile; trying to tail again in ${seconds(this.settings.exhaustedRetryMs)}.`,
          );
          break;
        case 'transient': {
          attempt = outcome.healthy ? 1 : attempt + 1;
          this.reconnects += 1;
          const delayMs = this.backoff(attempt);
          this.mode = 'reconnecting';
          this.emit({ type: 'reconnecting', attempt, delayMs, reason: reconnectReason(error), code: error.code });
          await this.sleep(delayMs);
          break;
        }
      }
    }
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.settings.backoffMaxMs, this.settings.backoffInitialMs * 2 ** Math.max(0, attempt - 1));
    // ±20 % jitter, so several views reconnecting after one outage do not retry in lockstep.
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  // -------------------------------------------------------------------------------------------------------------
  // History, backfill, polling

  private windowFilter(from: Instant, inclusive = true): string {
    return `(${this.settings.filter}) AND timestamp${inclusive ? '>=' : '>'}${quoteFilterString(formatInstant(from))}`;
  }

  private async loadHistory(): Promise<number> {
    const timeoutMs = this.settings.historyTimeoutMs;
    const deadline = timeoutMs === undefined ? null : startDeadline(timeoutMs);
    try {
      return await this.loadHistoryWithin(deadline);
    } catch (error) {
      if (!(error instanceof HistoryDeadline)) throw error;
      const last = error.lastError ? ` (last error: ${error.lastError.message})` : '';
      throw new LogApiError(`Cloud Logging did not deliver the log history within ${formatSeconds(timeoutMs!)}${last}`, GrpcStatus.DEADLINE_EXCEEDED, 'list');
    } finally {
      deadline?.dispose();
    }
  }

  private async loadHistoryWithin(deadline: Deadline | null): Promise<number> {
    const filter = this.windowFilter(this.sinceInstant);
    const limit = this.settings.historyLimit;
    let count = 0;
    let pageToken = '';
    if (limit !== undefined) {
      // Newest first until the limit, then delivered oldest first: a capped view wants the latest N.
      const collected: TimedEntry[] = [];
      do {
        await this.intakeOpenOrStopped();
        const page = await this.historyPage({ filter, orderBy: 'timestamp desc', pageSize: this.settings.pageSize, pageToken }, deadline);
        collected.push(...page.entries);
        pageToken = page.nextPageToken;
      } while (pageToken && collected.length < limit);
      const newest = collected.slice(0, limit).reverse();
      count = this.sequencer.offer(newest);
      this.sequencer.flush();
      return count;
    }
    do {
      await this.intakeOpenOrStopped();
      const page = await this.historyPage({ filter, orderBy: 'timestamp asc', pageSize: this.settings.pageSize, pageToken }, deadline);
      count += this.sequencer.offer(page.entries);
      // Pages of an ascending listing are in order and nothing else is arriving yet: show each at once.
      this.sequencer.flush();
      pageToken = page.nextPageToken;
    } while (pageToken);
    return count;
  }

  /**
   * One page of the history. A transient failure (after the client's own retries) is reported as a non-fatal error
   * and the same page is asked for again with backoff, a few times; then it is fatal (the CLI must not hang). The
   * history's deadline, when it has one, cancels the call in flight or the wait and ends it with HistoryDeadline.
   */
  private async historyPage(request: ListRequest, deadline: Deadline | null): Promise<ListPage> {
    let lastError: LogApiError | null = null;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.listRacingStop(request, deadline);
      } catch (error) {
        if (error instanceof Stopped) throw error;
        if (deadline?.expired) throw new HistoryDeadline(lastError);
        const described = describeLogError(error, 'list');
        if (classify(described) === 'fatal' || attempt >= HISTORY_ATTEMPTS) throw described;
        lastError = described;
        this.emit({ type: 'error', message: described.message, code: described.code, fatal: false });
        await this.sleep(deadline ? Math.min(this.backoff(attempt), deadline.left()) : this.backoff(attempt));
      }
    }
  }

  /** The earliest instant a backfill may start from: a little before the newest entry seen, never before `since`. */
  private backfillStart(): { from: Instant; inclusive: boolean } {
    const lastSeen = this.sequencer.lastSeen;
    let from = lastSeen ? shiftInstant(lastSeen, -this.settings.backfillOverlapMs) : this.sinceInstant;
    if (compareInstants(from, this.sinceInstant) < 0) from = this.sinceInstant;
    // Never reach back past what the de-duplication still remembers (see sequencer.ts).
    const forgotten = this.sequencer.forgottenUpTo;
    if (forgotten && compareInstants(forgotten, from) >= 0) return { from: forgotten, inclusive: false };
    return { from, inclusive: true };
  }

  /**
   * Lists from backfillStart() up to `upTo` (inclusive), holding emission meanwhile. Throws LogApiError.
   * The upper bound matters at high rates: an open-ended listing chases entries appended while it pages and, with
   * emission held, would never let go. Entries past the bound are the tail's (or the next poll's) to deliver.
   */
  private async backfill(upTo: Instant): Promise<number> {
    const { from, inclusive } = this.backfillStart();
    const filter = `${this.windowFilter(from, inclusive)} AND timestamp<=${quoteFilterString(formatInstant(upTo))}`;
    let added = 0;
    let pageToken = '';
    this.sequencer.hold();
    // Entries seen meanwhile must not push ids this listing may still return out of the dedup memory.
    const unprotect = this.sequencer.protect(from);
    try {
      do {
        await this.intakeOpenOrStopped();
        const page = await this.listRacingStop({ filter, orderBy: 'timestamp asc', pageSize: this.settings.pageSize, pageToken });
        added += this.sequencer.offer(page.entries);
        pageToken = page.nextPageToken;
      } while (pageToken);
    } finally {
      unprotect();
      this.sequencer.release();
    }
    return added;
  }

  /** Polls for `durationMs` (or until stopped), each poll a backfill. Fatal list errors are thrown. */
  private async poll(durationMs: number, reason: string): Promise<void> {
    this.mode = 'poll';
    this.emit({ type: 'polling', reason, intervalMs: this.settings.pollIntervalMs });
    const until = Date.now() + durationMs;
    let failures = 0;
    while (Date.now() < until) {
      this.checkStopped();
      try {
        // Up to a little past our clock: later entries (or a server clock ahead of ours) are the next poll's.
        await this.backfill(shiftInstant(instantFromDate(new Date()), this.settings.backfillOverlapMs));
        this.closeGap();
        failures = 0;
        await this.sleep(Math.min(this.settings.pollIntervalMs, Math.max(0, until - Date.now())));
      } catch (error) {
        if (error instanceof Stopped) throw error;
        const described = describeLogError(error, 'list');
        if (classify(described) === 'fatal') throw described;
        failures += 1;
        const delayMs = Math.max(this.settings.pollIntervalMs, this.backoff(failures));
        this.emit({ type: 'error', message: described.message, code: described.code, fatal: false });
        await this.sleep(delayMs);
      }
    }
    this.openGap();
  }

  // -------------------------------------------------------------------------------------------------------------
  // One live tail session

  private tailSession(): Promise<SessionOutcome> {
    const openedAt = Date.now();
    let delivered = 0;
    /** The newest entry this session's tail delivered: what the tail covers from here on. */
    let tailNewest: Instant | null = null;
    let confirmed = false;
    let respondedBackfillQueued = false;
    let finished = false;
    let backfills: Promise<void> = Promise.resolve();
    let settleTimer: NodeJS.Timeout | null = null;

    return new Promise<SessionOutcome>((resolve) => {
      const finish = (error: LogApiError | null): void => {
        if (finished) return;
        finished = true;
        if (settleTimer) clearTimeout(settleTimer);
        if (this.activeTail === handle) this.activeTail = null;
        this.endSessionOnStop = null;
        this.openGap();
        // Let a running backfill complete: its entries are valid whatever happened to the tail.
        void backfills.then(() => resolve({ error, healthy: delivered > 0 || Date.now() - openedAt > 10_000 }));
      };

      const queueBackfill = (): void => {
        backfills = backfills.then(async () => {
          if (finished || this.stopped) return;
          try {
            // Entries stored before the session registered are older than what its first window delivered; with
            // no delivery yet (a quiet service), up to a little past our clock.
            await this.backfill(tailNewest ?? shiftInstant(instantFromDate(new Date()), this.settings.backfillOverlapMs));
          } catch (error) {
            if (error instanceof Stopped) return;
            handle?.cancel();
            finish(describeLogError(error, 'list'));
            return;
          }
          if (!confirmed && !finished) {
            confirmed = true;
            this.mode = 'tail';
            this.closeGap();
            this.emit({ type: 'connected', transport: 'grpc', description: this.source.description });
          }
        });
      };

      const onResponse = (response: TailResponse): void => {
        if (finished) return;
        if (response.suppressed.rateLimit > 0 || response.suppressed.notConsumed > 0) {
          this.suppressedRateLimit += response.suppressed.rateLimit;
          this.suppressedNotConsumed += response.suppressed.notConsumed;
          this.emit({
            type: 'suppressed',
            rateLimit: response.suppressed.rateLimit,
            notConsumed: response.suppressed.notConsumed,
            totalRateLimit: this.suppressedRateLimit,
            totalNotConsumed: this.suppressedNotConsumed,
          });
        }
        delivered += this.sequencer.offer(response.entries);
        let newestIndex = -1;
        for (let i = 0; i < response.entries.length; i++) {
          const candidate = response.entries[i]!;
          const best = newestIndex < 0 ? tailNewest : response.entries[newestIndex]!;
          if (!best || compareInstants(candidate, best) > 0) newestIndex = i;
        }
        if (newestIndex >= 0) tailNewest = { seconds: response.entries[newestIndex]!.seconds, nanos: response.entries[newestIndex]!.nanos };
        // The first response proves the server registered the session: a backfill started now closes the gap.
        if (!respondedBackfillQueued) {
          respondedBackfillQueued = true;
          if (settleTimer) clearTimeout(settleTimer);
          settleTimer = null;
          queueBackfill();
        }
      };

      let handle: TailHandle | null = null;
      try {
        handle = this.source.tail(
          { filter: this.windowFilter(this.sinceInstant), bufferWindowMs: this.settings.bufferWindowMs },
          { response: onResponse, end: (error) => finish(error) },
        );
      } catch (error) {
        finish(describeLogError(error, 'tail'));
        return;
      }
      if (this.stopped) {
        handle.cancel();
        finish(null);
        return;
      }
      this.activeTail = handle;
      if (this.intakePaused) handle.pause();
      // No response yet (nothing new matched): backfill anyway, so entries from the gap are not held back.
      settleTimer = setTimeout(() => {
        settleTimer = null;
        queueBackfill();
      }, this.settings.settleMs);
      this.endSessionOnStop = () => finish(null);
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Helpers

  /** Status events wait behind entry slices already released, so listeners see them in the order they happened. */
  private emit(event: LogStreamEvent): void {
    if (event.type === 'entries' || event.type === 'end') this.deliver(event);
    else this.sequencer.afterEmitted(() => this.deliver(event));
  }

  private deliver(event: LogStreamEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A consumer's bug must not break the stream for the others.
      }
    }
  }

  private openGap(): void {
    if (this.gapOpen) return;
    this.gapOpen = true;
    this.sequencer.hold();
  }

  private closeGap(): void {
    if (!this.gapOpen) return;
    this.gapOpen = false;
    this.sequencer.release();
  }

  private checkStopped(): void {
    if (this.stopped) throw new Stopped();
  }

  /** One list call, abandoned when stop() is called; a deadline cancels it (the call rejects at once). */
  private async listRacingStop(request: ListRequest, deadline: Deadline | null = null): Promise<ListPage> {
    this.checkStopped();
    const listed = this.source.list(deadline ? { ...request, signal: deadline.signal } : request);
    // If stop() wins, the call is abandoned: keep a catch on it so its failure cannot go unhandled.
    listed.catch(() => undefined);
    const call = deadline ? raceAbort(listed, deadline.signal) : listed;
    const result = await Promise.race([call, this.stopSignal.then(() => null)]);
    if (result === null) throw new Stopped();
    return result;
  }

  private async sleep(ms: number): Promise<void> {
    this.checkStopped();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), this.stopSignal]);
    clearTimeout(timer);
    this.checkStopped();
  }

  private pauseIntake(): void {
    if (this.intakePaused) return;
    this.intakePaused = true;
    this.activeTail?.pause();
  }

  private openIntake(): void {
    if (!this.intakePaused && this.intakeWaiters.length === 0) return;
    this.intakePaused = false;
    this.activeTail?.resume();
    for (const wake of this.intakeWaiters.splice(0)) wake();
  }

  private async intakeOpenOrStopped(): Promise<void> {
    this.checkStopped();
    if (!this.intakePaused) return;
    await new Promise<void>((resolve) => this.intakeWaiters.push(resolve));
    this.checkStopped();
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function definedOnly(options: LogStreamOptions): Partial<typeof DEFAULTS> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (value !== undefined && key in DEFAULTS) out[key] = value;
  return out as Partial<typeof DEFAULTS>;
}
