// What a log stream is to its consumers (stream.ts implements it): the recent history, then live entries, every entry exactly once and in timestamp order, across
// dropped connections, refused tails and transports that cannot tail. No vscode import; the extension's log
// view and the CLI consume the same events.
//
// API:
//   openLogStream(source: LogSource, options: LogStreamOptions): LogStream
//     options.filter       the composed query (filter.ts composeFilter), without a time window
//     options.since        history window start (the view's 15m/1h/6h/1d/custom; the CLI's --since)
//     options.follow       default true: after the history, go live; false: history only, then 'end'
//     options.historyLimit only the newest N entries of the window (a view capped at N need not load more);
//                          default: the whole window, page by page, oldest first
//     options.historyTimeoutMs  the whole history (every page, retries and waits included) must arrive within
//                          this, else a fatal error says so and the stream ends; default: no limit
//     tuning (defaults): bufferWindowMs 1000 (server-side tail window), reorderWindowMs 250 (client-side),
//       pollIntervalMs 5000 (entries.list has a quota of 60 reads/min per project), backfillOverlapMs 2000,
//       settleMs 1000, backoffInitialMs 500, backoffMaxMs 30000, exhaustedRetryMs 60000, dedupCapacity 50000,
//       pageSize 1000, highWaterEntries 50000
//
//   interface LogStream
//     start(): this                 begins (events before any listener/iterator exists are not lost: it starts
//                                   on the next tick)
//     on(listener): () => void      synchronous listener for every event; returns an unsubscribe function
//     [Symbol.asyncIterator]()      the same events as an async iterator (one iterator per stream). When the
//                                   iterator falls more than highWaterEntries behind, the stream stops reading
//                                   (pauses the gRPC tail, waits before the next page): bounded memory.
//     stop(): Promise<void>         cancels the tail, ends the iterator; resolves once the stream is idle
//     done: Promise<'completed' | 'stopped' | 'failed'>
//     stats(): LogStreamStats       counters for a status line (entries, duplicates, late, reconnects, suppressed)
//
//   LogStreamEvent (discriminated by `type`):
//     entries           { entries: LogEntry[] }  a batch in timestamp order, at most 2000 per event, one event per
//                       macrotask (batches, not single entries: one postMessage per batch keeps a webview cheap at
//                       20,000 entries/s; the cap keeps each event's work short)
//     history-complete  { count }                the window's history has been delivered; live follows
//     connected         { transport, description }  a live tail is open and the gap before it is backfilled
//     reconnecting      { attempt, delayMs, reason, code }  the tail ended/failed; retrying after delayMs
//     polling           { reason, intervalMs }   tailing is impossible or refused: listing every intervalMs,
//                       with the same once-and-in-order guarantee (reason says why, for the status line)
//     suppressed        { rateLimit, notConsumed, totalRateLimit, totalNotConsumed }  the server matched
//                       entries it did not send (rate limit, or we read too slowly)
//     error             { message, code, fatal }  the API's message (a bad filter: "Unparseable filter: ...");
//                       fatal ends the stream, non-fatal is followed by a retry
//     end               { reason: 'completed' | 'stopped' | 'failed' }  always last
import type { LogEntry } from './entry';

export type LogStreamEndReason = 'completed' | 'stopped' | 'failed';

export type LogStreamEvent =
  | { type: 'entries'; entries: LogEntry[] }
  | { type: 'history-complete'; count: number }
  | { type: 'connected'; transport: 'grpc'; description: string }
  | { type: 'reconnecting'; attempt: number; delayMs: number; reason: string; code: number | null }
  | { type: 'polling'; reason: string; intervalMs: number }
  | { type: 'suppressed'; rateLimit: number; notConsumed: number; totalRateLimit: number; totalNotConsumed: number }
  | { type: 'error'; message: string; code: number | null; fatal: boolean }
  | { type: 'end'; reason: LogStreamEndReason };

export interface LogStreamOptions {
  filter: string;
  since: Date;
  follow?: boolean;
  historyLimit?: number;
  historyTimeoutMs?: number;
  bufferWindowMs?: number;
  reorderWindowMs?: number;
  pollIntervalMs?: number;
  backfillOverlapMs?: number;
  settleMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  exhaustedRetryMs?: number;
  dedupCapacity?: number;
  pageSize?: number;
  highWaterEntries?: number;
}

export interface LogStreamStats {
  mode: 'idle' | 'history' | 'tail' | 'poll' | 'reconnecting' | 'ended';
  /** Entries emitted. */
  entries: number;
  /** Deliveries dropped because the entry had been seen (tail/backfill overlap). */
  duplicates: number;
  /** Entries emitted after a newer one (arrived too late to be put in place). */
  late: number;
  reconnects: number;
  suppressedRateLimit: number;
  suppressedNotConsumed: number;
}

export interface LogStream {
  start(): this;
  on(listener: (event: LogStreamEvent) => void): () => void;
  [Symbol.asyncIterator](): AsyncIterator<LogStreamEvent>;
  stop(): Promise<void>;
  readonly done: Promise<LogStreamEndReason>;
  stats(): LogStreamStats;
}
