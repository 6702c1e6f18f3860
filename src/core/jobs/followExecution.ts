// Following a Cloud Run job execution until it ends: its status (read every pollMs) and its log
// entries (the log tail of ../logs, scoped to the execution's label, as `logs --execution` reads
// them), reported as events; the result is how it ended. The CLI's `job` and the editor's terminal
// both consume it. No vscode import; time comes from an injected clock.
//
// API:
//
//   followExecution(deps, ref, options)  → Promise<ExecutionResult> (never rejects for an API failure:
//                                          repeated failures end it as 'unknown')
//     deps.getExecution(ref, {signal})   the reader's getExecution
//     deps.logs                          a LogSource (or null: status only)
//     options.onEvent(event)             'status' (the execution changed), 'entries', 'notice', 'end'
//     options.signal                     stops following (the execution goes on): outcome 'detached'
//   executionExitCode(outcome)           0 succeeded; 1 failed or cancelled; 3 unknown or detached
//
// How the log entries are made complete: entries stream live while the execution runs; once it has
// ended, the loop waits drainMs (Cloud Logging ingests with a delay), stops the tail and reads the
// execution's entries once more as history, reporting those the tail had not delivered.
import { composeFilter, jobLogScope, openLogStream, type LogEntry, type LogSource, type LogStream } from '../logs';
import type { ExecutionFacts } from '../model';
import type { ExecutionRef } from '../google/runJobs';
import { errorText } from '../text/messageText';

export interface ExecutionClock {
  now(): number;
  /** Resolves after `ms` (or at once when `signal` is aborted). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const REAL_CLOCK: ExecutionClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export type ExecutionOutcome = 'succeeded' | 'failed' | 'cancelled' | 'unknown' | 'detached';

export interface ExecutionResult {
  outcome: ExecutionOutcome;
  /** The execution as last read (null when it could never be read). */
  execution: ExecutionFacts | null;
  /** Why the outcome is 'unknown', or the failure's message. */
  message: string | null;
}

export type FollowEvent =
  | { type: 'status'; execution: ExecutionFacts }
  | { type: 'entries'; entries: LogEntry[] }
  /** Something the reader should know that is not the execution's own: the log tail reconnecting, a read failing. */
  | { type: 'notice'; message: string }
  | { type: 'end'; result: ExecutionResult };

export interface FollowDeps {
  getExecution(ref: ExecutionRef, options: { signal?: AbortSignal }): Promise<ExecutionFacts>;
  /** Where the execution's log entries are read; null: status only. */
  logs: LogSource | null;
  clock?: ExecutionClock;
}

export interface FollowOptions {
  onEvent(event: FollowEvent): void;
  signal?: AbortSignal;
  /** The execution as RunJob answered: reported first, and where the log window starts. */
  started?: ExecutionFacts;
  /** How often the status is read (default 2 s). */
  pollMs?: number;
  /** How long after the end the log tail still runs before the last history read (default 3 s). */
  drainMs?: number;
  /** Status reads that may fail in a row before the outcome is 'unknown' (default 5). */
  maxReadFailures?: number;
}

const DEFAULT_POLL_MS = 2_000;
const DEFAULT_DRAIN_MS = 3_000;
const DEFAULT_MAX_READ_FAILURES = 5;
/** The log window starts this long before the execution was created (clocks differ a little). */
const LOG_WINDOW_SLACK_MS = 60_000;

const ENDED = new Set<ExecutionFacts['status']>(['succeeded', 'failed', 'cancelled']);

/** The exit status of a followed execution, the same as the CLI's for a command job (0, 1, 3). */
export function executionExitCode(outcome: ExecutionOutcome): number {
  switch (outcome) {
    case 'succeeded':
      return 0;
    case 'failed':
    case 'cancelled':
      return 1;
    default:
      return 3;
  }
}

/** A one-line summary of the tasks: `2 running, 1 succeeded, 0 failed of 3`. */
export function taskSummary(execution: Pick<ExecutionFacts, 'tasks'>): string {
  const { running, succeeded, failed, cancelled, total } = execution.tasks;
  return `${running} running, ${succeeded} succeeded, ${failed} failed${cancelled > 0 ? `, ${cancelled} cancelled` : ''} of ${total}`;
}

function statusKey(execution: ExecutionFacts): string {
  const { running, succeeded, failed, cancelled, total } = execution.tasks;
  return [execution.status, running, succeeded, failed, cancelled, total].join('/');
}

function entryKey(entry: LogEntry): string {
  return `${entry.insertId}\u0000${entry.timestamp}`;
}

export async function followExecution(deps: FollowDeps, ref: ExecutionRef, options: FollowOptions): Promise<ExecutionResult> {
  const clock = deps.clock ?? REAL_CLOCK;
  const emit = options.onEvent;
  const seen = new Set<string>();
  const report = (entries: readonly LogEntry[]): void => {
    const fresh = entries.filter((entry) => !seen.has(entryKey(entry)));
    for (const entry of fresh) seen.add(entryKey(entry));
    if (fresh.length > 0) emit({ type: 'entries', entries: fresh });
  };
  const created = Date.parse(options.started?.createTime ?? '');
  const since = new Date((Number.isFinite(created) ? created : clock.now()) - LOG_WINDOW_SLACK_MS);
  const filter = composeFilter({ scope: jobLogScope({ name: ref.name, region: ref.region }, ref.execution) });

  const live = deps.logs ? openLogStream(deps.logs, { filter, since }) : null;
  const liveDone = live ? consume(live, report, emit) : Promise.resolve();
  live?.start();

  let last: ExecutionFacts | null = options.started ?? null;
  let shown = '';
  const show = (execution: ExecutionFacts): void => {
    last = execution;
    const key = statusKey(execution);
    if (key !== shown) emit({ type: 'status', execution });
    shown = key;
  };
  if (last) show(last);

  let result: ExecutionResult | undefined;
  let failures = 0;
  const maxFailures = options.maxReadFailures ?? DEFAULT_MAX_READ_FAILURES;
  try {
    while (!result) {
      if (options.signal?.aborted) {
        result = { outcome: 'detached', execution: last, message: null };
        break;
      }
      try {
        const execution = await deps.getExecution(ref, { signal: options.signal });
        failures = 0;
        show(execution);
        if (ENDED.has(execution.status)) {
          result = { outcome: execution.status as ExecutionOutcome, execution, message: execution.message };
          break;
        }
      } catch (err) {
        if (options.signal?.aborted) continue;
        failures++;
        const message = errorText(err);
        if (failures >= maxFailures) {
          result = { outcome: 'unknown', execution: last, message: `its status could not be read ${failures} times in a row: ${message}` };
          break;
        }
        emit({ type: 'notice', message: `reading ${ref.execution} failed (${message}); trying again` });
      }
      await clock.sleep(options.pollMs ?? DEFAULT_POLL_MS, options.signal);
    }
    if (live && result.outcome !== 'detached') {
      // Entries of the last moments arrive after the end: give the tail a while, then read them as history.
      await clock.sleep(options.drainMs ?? DEFAULT_DRAIN_MS, options.signal);
      await live.stop();
      await liveDone;
      if (!options.signal?.aborted) await catchUp(deps.logs!, filter, since, report, emit);
    }
  } finally {
    await live?.stop();
    await liveDone;
  }
  emit({ type: 'end', result });
  return result;
}

async function consume(stream: LogStream, report: (entries: readonly LogEntry[]) => void, emit: (event: FollowEvent) => void): Promise<void> {
  for await (const event of stream) {
    switch (event.type) {
      case 'entries':
        report(event.entries);
        break;
      case 'reconnecting':
        emit({ type: 'notice', message: `log tail: ${event.reason}; reconnecting` });
        break;
      case 'polling':
        emit({ type: 'notice', message: `log tail: ${event.reason}` });
        break;
      case 'error':
        emit({ type: 'notice', message: `logs: ${event.message}` });
        break;
      case 'suppressed':
        emit({ type: 'notice', message: `Cloud Logging did not send ${event.rateLimit + event.notConsumed} entries` });
        break;
      default:
        break;
    }
  }
}

/** The execution's whole log window once more, as history: what the tail missed is reported now. */
async function catchUp(source: LogSource, filter: string, since: Date, report: (entries: readonly LogEntry[]) => void, emit: (event: FollowEvent) => void): Promise<void> {
  const history = openLogStream(source, { filter, since, follow: false });
  const done = consume(history, report, emit);
  history.start();
  await done;
}
