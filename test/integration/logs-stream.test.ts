// The log stream core (src/core/logs) against the emulator, through the real @google-cloud/logging client over
// real gRPC (and REST for the polling fallback): composed filters, history then tail without loss or doubles at
// the seam, tails cut every few hundred entries, suppression, polling, API errors, too many tail sessions.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import {
  composeFilter,
  createLogSource,
  LogApiError,
  openLogStream,
  type LogEntry,
  type LogQuery,
  type LogSource,
  type LogStream,
  type LogStreamEvent,
  type LogStreamOptions,
} from '../../src/core/logs';
import type { LogEntryInput } from '../../src/emulator/logging/entry';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { startSilentServer } from '../helpers/net';

const PROJECT = 'drift-logs';
const REGION = 'us-west2';
const API = 'api';
const WORKER = 'worker';
const HOUR = 3_600_000;

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

function iso(msAgo: number): string {
  return new Date(Date.now() - msAgo).toISOString();
}

function historyEntries(): LogEntryInput[] {
  return [
    { insertId: 'too-old', service: API, revision: 'api-00001-aaa', timestamp: iso(3 * HOUR), severity: 'ERROR', textPayload: 'outside the window' },
    { insertId: 'h-error', service: API, revision: 'api-00001-aaa', timestamp: iso(50 * 60_000), severity: 'ERROR', textPayload: 'MERGE failed: updated_at assigned more than once' },
    { insertId: 'h-json', service: API, revision: 'api-00002-bbb', timestamp: iso(40 * 60_000), severity: 'WARNING', jsonPayload: { message: 'slow model load', seconds: 12.5 }, trace: `projects/${PROJECT}/traces/abc`, spanId: '00f1' },
    { insertId: 'h-quote', service: API, revision: 'api-00002-bbb', timestamp: iso(30 * 60_000), severity: 'INFO', textPayload: 'user typed ") OR (" and a back\\slash' },
    { insertId: 'h-http', service: API, revision: 'api-00002-bbb', timestamp: iso(20 * 60_000), severity: 'INFO', log: 'run.googleapis.com/requests', httpRequest: { requestMethod: 'GET', requestUrl: '/predict', status: 503, latency: '0.250s' }, sourceLocation: { file: 'app/main.py', line: 42, function: 'predict' } },
    { insertId: 'w-1', service: WORKER, revision: 'worker-00001-ccc', timestamp: iso(10 * 60_000), severity: 'ERROR', textPayload: 'worker failed' },
    { insertId: 'other-region', service: API, revision: 'api-00009-zzz', location: 'europe-west1', timestamp: iso(5 * 60_000), severity: 'ERROR', textPayload: 'same name, other region' },
  ];
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Collected {
  stream: LogStream;
  entries: LogEntry[];
  events: LogStreamEvent[];
  ofType<T extends LogStreamEvent['type']>(type: T): Extract<LogStreamEvent, { type: T }>[];
}

const openStreams: LogStream[] = [];

function collect(source: LogSource, options: LogStreamOptions): Collected {
  // Short windows keep the tests quick; the defaults are for people.
  const stream = openLogStream(source, { bufferWindowMs: 50, reorderWindowMs: 50, settleMs: 150, backoffInitialMs: 50, pollIntervalMs: 200, ...options });
  openStreams.push(stream);
  const collected: Collected = {
    stream,
    entries: [],
    events: [],
    ofType: <T extends LogStreamEvent['type']>(type: T) => collected.events.filter((e): e is Extract<LogStreamEvent, { type: T }> => e.type === type),
  };
  stream.on((event) => {
    collected.events.push(event);
    if (event.type === 'entries') collected.entries.push(...event.entries);
  });
  stream.start();
  return collected;
}

function ids(entries: readonly LogEntry[]): string[] {
  return entries.map((e) => e.insertId);
}

/** A sortable key for an RFC 3339 timestamp of any precision. */
function timeKey(timestamp: string): string {
  const match = /^(.*?)(?:\.(\d+))?Z$/.exec(timestamp)!;
  return `${String(Date.parse(`${match[1]}Z`)).padStart(15, '0')}.${(match[2] ?? '').padEnd(9, '0')}`;
}

/** Every entry once, and timestamps never going backwards (ties broken by insertId, as the API orders). */
function assertOnceInOrder(entries: readonly LogEntry[]): void {
  const seen = new Set<string>();
  for (const entry of entries) {
    assert.ok(!seen.has(entry.insertId), `${entry.insertId} delivered twice`);
    seen.add(entry.insertId);
  }
  for (let i = 1; i < entries.length; i++) {
    const previous = entries[i - 1]!;
    const current = entries[i]!;
    assert.ok(
      timeKey(previous.timestamp) < timeKey(current.timestamp) || (previous.timestamp === current.timestamp && previous.insertId < current.insertId),
      `out of order at ${i}: ${previous.timestamp} ${previous.insertId} then ${current.timestamp} ${current.insertId}`,
    );
  }
}

async function tailSessionCount(emulator: RunningEmulator): Promise<number> {
  const state = (await emulator.control('state')) as { logging: { tail: { sessions: unknown[] } } };
  return state.logging.tail.sessions.length;
}

function apiFilter(extra: Partial<LogQuery> = {}): string {
  return composeFilter({ scope: { kind: 'services', services: [{ name: API, region: REGION }] }, ...extra });
}

let sequence = 0;
/** Entries stamped now, with insertIds that sort like their timestamps (the emulator breaks ties by insertId). */
function liveEntries(count: number, service = API, text = 'live'): LogEntryInput[] {
  return Array.from({ length: count }, () => {
    sequence += 1;
    return { insertId: `live-${String(sequence).padStart(8, '0')}`, service, revision: `${service}-00003-ccc`, location: REGION, severity: 'INFO', textPayload: `${text} ${sequence}` };
  });
}

describe('log stream against the emulator', () => {
  let emulator: RunningEmulator;
  let source: LogSource;

  before(async () => {
    emulator = await startEmulator({
      port: 0,
      scenario: { logging: { project: PROJECT, location: REGION, entries: historyEntries() } },
      modules: { bigquery: false },
    });
    source = await createLogSource({ projects: [PROJECT], endpoint: emulator.grpcAddress });
  });

  after(async () => {
    await source.close();
    await emulator.close();
    assert.deepEqual(unhandled, [], 'no unhandled rejections');
  });

  beforeEach(async () => {
    await emulator.control('reset');
  });

  afterEach(async () => {
    await Promise.all(openStreams.splice(0).map((s) => s.stop()));
    await waitFor(async () => (await tailSessionCount(emulator)) === 0, 'tail sessions to close', 5000);
  });

  test('history: the window oldest first, scoped to the service and region, normalized', async () => {
    const run = collect(source, { filter: apiFilter(), since: new Date(Date.now() - HOUR), follow: false });
    assert.equal(await run.stream.done, 'completed');
    assert.deepEqual(ids(run.entries), ['h-error', 'h-json', 'h-quote', 'h-http']);
    assert.deepEqual(run.ofType('history-complete'), [{ type: 'history-complete', count: 4 }]);
    const json = run.entries[1]!;
    assert.deepEqual(json.json, { message: 'slow model load', seconds: 12.5 });
    assert.equal(json.severity, 'WARNING');
    assert.equal(json.revision, 'api-00002-bbb');
    assert.equal(json.service, API);
    assert.equal(json.trace, `projects/${PROJECT}/traces/abc`);
    assert.equal(json.spanId, '00f1');
    const http = run.entries[3]!;
    assert.equal(http.log, 'run.googleapis.com/requests');
    assert.deepEqual(http.httpRequest, { requestMethod: 'GET', requestUrl: '/predict', status: 503, latency: '0.250s' });
    assert.deepEqual(http.sourceLocation, { file: 'app/main.py', line: 42, function: 'predict' });
    assert.match(run.entries[0]!.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3,9})?Z$/);
    assert.deepEqual(run.events.at(-1), { type: 'end', reason: 'completed' });
  });

  test('history survives a transient failure: reported as a non-fatal error, the page asked for again', async () => {
    // Each of our attempts is two calls (the client retries UNAVAILABLE once with maxRetries 2): four failures
    // fail two attempts, the third gets the page. gax reports exhausted retries as DEADLINE_EXCEEDED (4).
    await emulator.control('faults', { rules: [{ api: 'logging', operation: 'listLogEntries', grpcCode: 14, message: 'backend restarting', times: 4 }] });
    const run = collect(source, { filter: apiFilter(), since: new Date(Date.now() - HOUR), follow: false });
    assert.equal(await run.stream.done, 'completed');
    assert.deepEqual(ids(run.entries), ['h-error', 'h-json', 'h-quote', 'h-http']);
    assert.deepEqual(run.ofType('error').map((e) => [e.fatal, e.code, e.message]), [[false, 4, 'backend restarting'], [false, 4, 'backend restarting']]);
  });

  test('a history deadline ends a history whose listing stops answering, naming the deadline and the last error', { timeout: 10_000 }, async () => {
    // The first attempt (two calls: the client retries once) fails at once; the second gets no answer in time.
    await emulator.control('faults', {
      rules: [
        { api: 'logging', operation: 'listLogEntries', grpcCode: 14, message: 'backend restarting', times: 2 },
        { api: 'logging', operation: 'listLogEntries', latencyMs: 3_000 },
      ],
    });
    const started = Date.now();
    const run = collect(source, { filter: apiFilter(), since: new Date(Date.now() - HOUR), follow: false, historyTimeoutMs: 1_000 });
    assert.equal(await run.stream.done, 'failed');
    assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
    const errors = run.ofType('error');
    assert.deepEqual(errors.at(-1), {
      type: 'error',
      message: 'Cloud Logging did not deliver the log history within 1 s (last error: backend restarting)',
      code: 4,
      fatal: true,
    });
    assert.deepEqual(errors.slice(0, -1).map((e) => [e.fatal, e.message]), [[false, 'backend restarting']]);
  });

  test('historyLimit keeps the newest N of the window, still oldest first', async () => {
    const run = collect(source, { filter: apiFilter(), since: new Date(Date.now() - HOUR), follow: false, historyLimit: 2, pageSize: 1 });
    await run.stream.done;
    assert.deepEqual(ids(run.entries), ['h-quote', 'h-http']);
  });

  test('a large history arrives in slices, in order, and history-complete comes after the last of them', async () => {
    const base = Date.now() - 10 * 60_000;
    const many = Array.from({ length: 5000 }, (_, i) => ({
      insertId: `bulk-${String(i).padStart(5, '0')}`,
      service: API,
      revision: 'api-00002-bbb',
      timestamp: new Date(base + i * 10).toISOString(),
      textPayload: `bulk ${i}`,
    }));
    await emulator.control('logs', { entries: many });
    const run = collect(source, { filter: apiFilter({ text: 'bulk' }), since: new Date(Date.now() - HOUR), follow: false, historyLimit: 4500 });
    await run.stream.done;
    assert.deepEqual(ids(run.entries), many.slice(500).map((e) => e.insertId));
    const batches = run.ofType('entries');
    assert.ok(batches.every((b) => b.entries.length <= 2000), 'no event carries more than 2000 entries');
    assert.deepEqual(run.events.slice(-2).map((e) => e.type), ['history-complete', 'end']);
    assert.deepEqual(run.ofType('history-complete'), [{ type: 'history-complete', count: 4500 }]);
  });

  test('composed filters: several services, one revision, severity, saved filter, hostile free text', async () => {
    const since = new Date(Date.now() - HOUR);
    const list = async (query: LogQuery): Promise<string[]> => {
      const run = collect(source, { filter: composeFilter(query), since, follow: false });
      await run.stream.done;
      return ids(run.entries);
    };
    const both = { kind: 'services' as const, services: [{ name: API, region: REGION }, { name: WORKER, region: REGION }] };
    assert.deepEqual(await list({ scope: both, minSeverity: 'ERROR' }), ['h-error', 'w-1']);
    assert.deepEqual(await list({ scope: { kind: 'services', services: [{ name: API }] }, minSeverity: 'ERROR' }), ['h-error', 'other-region']);
    assert.deepEqual(await list({ scope: { kind: 'revision', service: { name: API, region: REGION }, revision: 'api-00001-aaa' } }), ['h-error']);
    assert.deepEqual(await list({ scope: both, savedFilter: 'textPayload=~"MERGE"' }), ['h-error']);
    // Free text matches text payloads and structured messages alike, case-insensitively.
    assert.deepEqual(await list({ scope: both, text: 'SLOW MODEL' }), ['h-json']);
    // Text that would break out of a spliced query is only text: it finds the entry that contains it, nothing else.
    assert.deepEqual(await list({ scope: both, text: '") OR ("' }), ['h-quote']);
    assert.deepEqual(await list({ scope: both, text: 'back\\slash' }), ['h-quote']);
    assert.deepEqual(await list({ scope: both, text: ') OR resource.type:(' }), []);
  });

  test('history then tail: entries appended while switching are neither lost nor doubled', async () => {
    let appending = true;
    const appended: string[] = [];
    const appender = (async () => {
      while (appending) {
        const batch = liveEntries(25);
        appended.push(...batch.map((e) => e.insertId!));
        await emulator.control('logs', { entries: batch });
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();
    // The stream starts while entries keep arriving: some land in the history, some in the gap before the tail
    // registers, some only in the tail.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const run = collect(source, { filter: apiFilter(), since: new Date(Date.now() - HOUR) });
    await waitFor(() => run.ofType('connected').length > 0, 'the live tail');
    await new Promise((resolve) => setTimeout(resolve, 400));
    appending = false;
    await appender;
    const expected = ['h-error', 'h-json', 'h-quote', 'h-http', ...appended];
    await waitFor(() => run.entries.length >= expected.length, `${expected.length} entries`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assertOnceInOrder(run.entries);
    assert.deepEqual(ids(run.entries), expected);
    assert.equal(run.stream.stats().late, 0);
  });

  test('a backfill still in flight when much newer entries arrive does not re-deliver what it finds', async () => {
    // The settle backfill reaches back to the last history entry (20 minutes old) and is slowed down; a live entry
    // arrives meanwhile. Without protection, the old ids would be forgotten by age and come back doubled.
    const run = collect(source, { filter: apiFilter(), since: new Date(Date.now() - HOUR), settleMs: 100 });
    await waitFor(() => run.ofType('history-complete').length > 0, 'the history');
    await emulator.control('faults', { rules: [{ api: 'logging', operation: 'listLogEntries', latencyMs: 800, times: 1 }] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const live = liveEntries(3);
    await emulator.control('logs', { entries: live });
    await waitFor(() => run.entries.length >= 7, 'the live entries');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assertOnceInOrder(run.entries);
    assert.deepEqual(ids(run.entries), ['h-error', 'h-json', 'h-quote', 'h-http', ...live.map((e) => e.insertId)]);
  });

  test('tail streams cut every 300 entries: every entry exactly once, in order, through reconnects', async () => {
    await emulator.control('faults', { rules: [{ api: 'logging', operation: 'tailLogEntries', dropTailAfterEntries: 300 }] });
    const run = collect(source, { filter: apiFilter(), since: new Date(Date.now() - 60_000) });
    await waitFor(() => run.ofType('connected').length > 0, 'the live tail');
    const appended: string[] = [];
    for (let i = 0; i < 40; i++) {
      const batch = liveEntries(100);
      appended.push(...batch.map((e) => e.insertId!));
      await emulator.control('logs', { entries: batch });
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await waitFor(() => run.entries.length >= appended.length, `${appended.length} entries (have ${run.entries.length})`, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assertOnceInOrder(run.entries);
    assert.deepEqual(ids(run.entries), appended);
    const reconnects = run.ofType('reconnecting');
    assert.ok(reconnects.length >= 3, `expected several reconnects, got ${reconnects.length}`);
    assert.match(reconnects[0]!.reason, /connection was lost \(Injected fault: the tail stream was dropped\)/);
    assert.equal(reconnects[0]!.code, 14);
    assert.ok(run.stream.stats().duplicates > 0, 'the backfills overlapped the tail, and the overlap was dropped');
  });

  test('maximum tail duration (OUT_OF_RANGE): reconnects and keeps every entry', async () => {
    await emulator.control('max-tail-duration', { ms: 400 });
    const run = collect(source, { filter: apiFilter(), since: new Date(Date.now() - 60_000) });
    const appended: string[] = [];
    for (let i = 0; i < 20; i++) {
      const batch = liveEntries(10);
      appended.push(...batch.map((e) => e.insertId!));
      await emulator.control('logs', { entries: batch });
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    await waitFor(() => run.entries.length >= appended.length, 'all entries');
    await waitFor(() => run.ofType('reconnecting').some((e) => e.code === 11), 'an OUT_OF_RANGE reconnect');
    assertOnceInOrder(run.entries);
    assert.deepEqual(ids(run.entries), appended);
    assert.match(run.ofType('reconnecting').find((e) => e.code === 11)!.reason, /maximum session length \(maximum tail duration reached/);
  });

  test('suppression info from the server is counted and reported', async () => {
    const run = collect(source, { filter: apiFilter(), since: new Date(Date.now() - 60_000) });
    await waitFor(() => run.ofType('connected').length > 0, 'the live tail');
    await emulator.control('suppress', { count: 7, reason: 'NOT_CONSUMED' });
    await waitFor(() => run.ofType('suppressed').length > 0, 'a suppression report');
    assert.deepEqual(run.ofType('suppressed')[0], { type: 'suppressed', rateLimit: 0, notConsumed: 7, totalRateLimit: 0, totalNotConsumed: 7 });
    await emulator.control('tail-settings', { rateLimitPerSecond: 3 });
    await run.stream.stop();
    const limited = collect(source, { filter: apiFilter(), since: new Date(Date.now() - 60_000) });
    await waitFor(() => limited.ofType('connected').length > 0, 'the live tail');
    await emulator.control('logs', { entries: liveEntries(10) });
    await waitFor(() => limited.ofType('suppressed').length > 0, 'a rate-limit report');
    assert.equal(limited.stream.stats().suppressedRateLimit, 7);
    assert.equal(limited.ofType('suppressed')[0]!.totalRateLimit, 7);
  });

  test('a bad filter ends the stream with the API\'s own message', async () => {
    const run = collect(source, { filter: apiFilter({ raw: 'severity>=' }), since: new Date(Date.now() - HOUR) });
    assert.equal(await run.stream.done, 'failed');
    const [error] = run.ofType('error');
    assert.equal(error!.fatal, true);
    assert.equal(error!.code, 3);
    // The raw query sits in parentheses, so the API trips over our ")" — its message, verbatim.
    assert.match(error!.message, /^Unparseable filter: syntax error at line 1, column \d+, token '\)' \(expected a value after '>='\)$/);
    assert.deepEqual(run.events.at(-1), { type: 'end', reason: 'failed' });
  });

  test('a bad filter on the tail only (history listing passed) also ends with the message', async () => {
    // A fault makes the tail refuse with INVALID_ARGUMENT after the history succeeded.
    await emulator.control('faults', { rules: [{ api: 'logging', operation: 'tailLogEntries', grpcCode: 3, message: 'Unparseable filter: tail says no' }] });
    const run = collect(source, { filter: apiFilter(), since: new Date(Date.now() - HOUR) });
    assert.equal(await run.stream.done, 'failed');
    assert.equal(run.entries.length, 4);
    assert.equal(run.ofType('error')[0]!.message, 'Unparseable filter: tail says no');
  });

  test('too many tail sessions: a clear message, polling meanwhile, then tailing again', async () => {
    await emulator.control('tail-sessions', { max: 1 });
    const first = collect(source, { filter: apiFilter(), since: new Date(Date.now() - 60_000) });
    await waitFor(() => first.ofType('connected').length > 0, 'the first tail');
    const second = collect(source, { filter: apiFilter(), since: new Date(Date.now() - 60_000), exhaustedRetryMs: 1500 });
    await waitFor(() => second.ofType('polling').length > 0, 'the second stream to poll');
    const [polling] = second.ofType('polling');
    assert.match(polling!.reason, /^Cloud Logging refused the live tail: too many tail sessions are open for drift-logs \(at most 10 per project; close other log streams or `gcloud` tails\)\. Server said: too many tail sessions: at most 1 may be open at once/);
    assert.match(polling!.reason, /Listing new entries every 0\.2 s meanwhile; trying to tail again in 1\.5 s\./);
    // Polling still delivers.
    const batch = liveEntries(5);
    await emulator.control('logs', { entries: batch });
    await waitFor(() => second.entries.length === 5 && first.entries.length === 5, 'the entries in both streams');
    assert.deepEqual(ids(second.entries), ids(first.entries));
    // With the first stream gone, the second gets its tail.
    await first.stream.stop();
    await waitFor(() => second.ofType('connected').length > 0, 'the second stream to tail', 10_000);
    const more = liveEntries(5);
    await emulator.control('logs', { entries: more });
    await waitFor(() => second.entries.length === 10, 'entries through the new tail');
    assertOnceInOrder(second.entries);
  });

  test('polling fallback where the endpoint cannot tail (UNIMPLEMENTED): says so, same guarantees', async () => {
    await emulator.control('faults', { rules: [{ api: 'logging', operation: 'tailLogEntries', grpcCode: 12, message: 'TailLogEntries is not available here' }] });
    const run = collect(source, { filter: apiFilter(), since: new Date(Date.now() - HOUR) });
    await waitFor(() => run.ofType('polling').length > 0, 'polling');
    assert.match(run.ofType('polling')[0]!.reason, /cannot tail \(TailLogEntries is not available here\); listing new entries every 0\.2 s instead/);
    const appended: string[] = [];
    for (let i = 0; i < 10; i++) {
      const batch = liveEntries(20);
      appended.push(...batch.map((e) => e.insertId!));
      await emulator.control('logs', { entries: batch });
      await new Promise((resolve) => setTimeout(resolve, 70));
    }
    await waitFor(() => run.entries.length >= 4 + appended.length, 'all polled entries');
    await new Promise((resolve) => setTimeout(resolve, 400));
    assertOnceInOrder(run.entries);
    assert.deepEqual(ids(run.entries), ['h-error', 'h-json', 'h-quote', 'h-http', ...appended]);
  });

  test('polling fallback over the REST transport (which cannot tail at all)', async () => {
    const rest = await createLogSource({ projects: [PROJECT], transport: 'rest', restEndpoint: emulator.httpUrl });
    try {
      assert.equal(rest.canTail, false);
      const run = collect(rest, { filter: apiFilter(), since: new Date(Date.now() - HOUR) });
      await waitFor(() => run.ofType('polling').length > 0, 'polling');
      assert.match(run.ofType('polling')[0]!.reason, /\(REST\) cannot tail \(TailLogEntries needs gRPC\)/);
      const batch = liveEntries(30);
      await emulator.control('logs', { entries: batch });
      await waitFor(() => run.entries.length === 4 + 30, 'the polled entries');
      assertOnceInOrder(run.entries);
      assert.deepEqual(ids(run.entries).slice(4), batch.map((e) => e.insertId));
      assert.deepEqual(run.entries[1]!.json, { message: 'slow model load', seconds: 12.5 }, 'REST decodes the same entry shape');
      await run.stream.stop();
    } finally {
      await rest.close();
    }
  });

  test('a list that keeps failing transiently is retried while polling, reported as non-fatal errors', async () => {
    const rest = await createLogSource({ projects: [PROJECT], transport: 'rest', restEndpoint: emulator.httpUrl, callTimeoutMs: 2000 });
    try {
      const run = collect(rest, { filter: apiFilter(), since: new Date(Date.now() - HOUR) });
      await waitFor(() => run.ofType('polling').length > 0, 'polling');
      // More failures than the client's own two retries absorb: the poll fails, says so, and tries again.
      await emulator.control('faults', { rules: [{ api: 'logging', operation: 'listLogEntries', httpStatus: 500, message: 'backend hiccup', times: 6 }] });
      await emulator.control('logs', { entries: liveEntries(3) });
      await waitFor(() => run.entries.length === 7, 'the entries after the failures', 30_000);
      assertOnceInOrder(run.entries);
      const errors = run.ofType('error');
      assert.ok(errors.length >= 1, 'the failed polls were reported');
      assert.deepEqual(errors.map((e) => [e.fatal, e.message]), errors.map(() => [false, 'backend hiccup']));
      assert.equal(run.stream.stats().mode, 'poll');
      await run.stream.stop();
    } finally {
      await rest.close();
    }
  });

  test('the async iterator applies back-pressure and still delivers everything once', async () => {
    const stream = openLogStream(source, { filter: apiFilter(), since: new Date(Date.now() - 60_000), bufferWindowMs: 50, reorderWindowMs: 20, settleMs: 100, highWaterEntries: 200 });
    openStreams.push(stream);
    const received: LogEntry[] = [];
    const appended: string[] = [];
    const consumer = (async () => {
      for await (const event of stream.start()) {
        if (event.type === 'connected' && appended.length === 0) {
          for (let i = 0; i < 10; i++) {
            const batch = liveEntries(200);
            appended.push(...batch.map((e) => e.insertId!));
            await emulator.control('logs', { entries: batch });
          }
        }
        if (event.type === 'entries') {
          received.push(...event.entries);
          // A slow reader.
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (received.length >= 2000) break;
        }
      }
    })();
    await consumer;
    assert.equal(await stream.done, 'stopped');
    assertOnceInOrder(received);
    assert.deepEqual(ids(received), appended);
  });

  test('stop() ends the tail session promptly and ends with "stopped"', async () => {
    const run = collect(source, { filter: apiFilter(), since: new Date(Date.now() - 60_000) });
    await waitFor(() => run.ofType('connected').length > 0, 'the live tail');
    assert.equal(await tailSessionCount(emulator), 1);
    const started = Date.now();
    await run.stream.stop();
    assert.ok(Date.now() - started < 1000, `stop took ${Date.now() - started} ms`);
    assert.equal(await run.stream.done, 'stopped');
    await waitFor(async () => (await tailSessionCount(emulator)) === 0, 'the session to close', 3000);
    assert.deepEqual(run.events.at(-1), { type: 'end', reason: 'stopped' });
  });
});

describe('log stream against an endpoint that never answers', () => {
  test('the history deadline ends the wait, and the stream with it', { timeout: 10_000 }, async () => {
    const silent = await startSilentServer();
    const source = await createLogSource({ projects: [PROJECT], endpoint: silent.hostPort });
    try {
      const started = Date.now();
      const run = collect(source, { filter: 'resource.type="cloud_run_revision"', since: new Date(Date.now() - HOUR), historyTimeoutMs: 500 });
      assert.equal(await run.stream.done, 'failed');
      assert.ok(Date.now() - started < 1_500, `took ${Date.now() - started} ms`);
      assert.deepEqual(run.ofType('error'), [{ type: 'error', message: 'Cloud Logging did not deliver the log history within 0.5 s', code: 4, fatal: true }]);
      assert.equal(run.ofType('history-complete').length, 0);
    } finally {
      await source.close();
      await silent.close();
    }
  });
});

describe('log source setup', () => {
  test('no credentials and no emulator endpoint: the exact fix, no unhandled rejection', async () => {
    const keys = ['HOME', 'METADATA_SERVER_DETECTION', 'GOOGLE_APPLICATION_CREDENTIALS', 'CLOUDSDK_CONFIG'] as const;
    const saved = keys.map((key) => [key, process.env[key]] as const);
    process.env['HOME'] = '/nonexistent-home-for-adc';
    process.env['METADATA_SERVER_DETECTION'] = 'none';
    delete process.env['GOOGLE_APPLICATION_CREDENTIALS'];
    delete process.env['CLOUDSDK_CONFIG'];
    try {
      await assert.rejects(createLogSource({ projects: [PROJECT] }), (error: unknown) => {
        assert.ok(error instanceof LogApiError);
        assert.equal(error.message, 'No Google Cloud credentials found. Run: gcloud auth application-default login');
        return true;
      });
    } finally {
      for (const [key, value] of saved) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(unhandled, []);
  });

  test('a malformed endpoint is refused with what is expected', async () => {
    await assert.rejects(createLogSource({ projects: [PROJECT], endpoint: 'http://127.0.0.1:1' }), /expected host:port such as "127\.0\.0\.1:8124"/);
    await assert.rejects(createLogSource({ projects: [PROJECT], transport: 'rest', restEndpoint: 'http://example.com:80' }), /plain http is only allowed to a loopback emulator/);
  });

  test('IPv6 loopback counts as this machine, as it does for the Run client', async () => {
    // Creating the source checks the endpoint and builds the client; nothing is sent yet.
    const source = await createLogSource({ projects: [PROJECT], transport: 'rest', restEndpoint: 'http://[::1]:1' });
    await source.close();
  });
});
