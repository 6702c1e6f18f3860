// The emulator's Cloud Logging v2 API, exercised only through the real @google-cloud/logging client (gRPC)
// and plain fetch for the REST entries:list, plus the control API that feeds and steers it.
import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { Logging, type Entry, type LoggingOptions } from '@google-cloud/logging';
import { PassThroughClient } from 'google-auth-library';
import { ScenarioError } from '../../src/emulator/api';
import { buildDemoLogEntries } from '../../src/emulator/demo/logging-seed';
import type { LogEntryInput } from '../../src/emulator/logging/entry';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';

// log.write() would otherwise probe the GCE metadata server to describe the "current" resource.
process.env['METADATA_SERVER_DETECTION'] = 'none';

const PROJECT = 'nba-props-platform';
const COORDINATOR = 'prediction-coordinator';
const WORKER = 'prediction-worker';
const SCRAPERS = 'nba-phase1-scrapers';
const HOUR = 3_600_000;
const MERGE_ERROR = 'MERGE failed: UPDATE/MERGE must match at most one source row for each target row; updated_at assigned more than once';

function iso(msAgo: number): string {
  return new Date(Date.now() - msAgo).toISOString();
}

/** Entries relative to the real clock: the client's getEntries only asks for the last 24 hours. */
function baseEntries(): LogEntryInput[] {
  return [
    { insertId: 'merge-error', service: COORDINATOR, revision: `${COORDINATOR}-00117-m5r`, timestamp: iso(3 * HOUR), severity: 'ERROR', textPayload: MERGE_ERROR },
    { insertId: 'merge-start', service: COORDINATOR, revision: `${COORDINATOR}-00118-fd9`, timestamp: iso(2 * HOUR), severity: 'INFO', textPayload: 'Executing consolidation MERGE for batch with 73 staging tables' },
    { insertId: 'merge-done', service: COORDINATOR, revision: `${COORDINATOR}-00118-fd9`, timestamp: iso(2 * HOUR - 4000), severity: 'INFO', textPayload: 'MERGE complete: 438 rows affected in 4646.0ms' },
    {
      insertId: 'worker-json',
      service: WORKER,
      revision: `${WORKER}-00042-abc`,
      timestamp: iso(HOUR),
      severity: 'WARNING',
      jsonPayload: { message: 'Slow model load', event_type: 'model_load', details: { seconds: 12.5 } },
      labels: { instanceId: 'i-1' },
    },
    { insertId: 'scrape', service: SCRAPERS, revision: `${SCRAPERS}-00024-rb5`, log: 'run.googleapis.com/requests', timestamp: iso(30 * 60_000), severity: 'INFO', textPayload: 'Scraped 12 box scores' },
    { insertId: 'ancient', service: COORDINATOR, revision: `${COORDINATOR}-00110-aaa`, timestamp: iso(30 * HOUR), severity: 'ERROR', textPayload: 'MERGE failed long ago' },
  ];
}

function loggingClient(emulator: RunningEmulator): Logging {
  const port = Number(emulator.grpcAddress.split(':')[1]);
  // LoggingOptions lacks sslCreds although the gRPC layer honors it: hence the cast.
  return new Logging({
    projectId: PROJECT,
    apiEndpoint: '127.0.0.1',
    port,
    sslCreds: grpc.credentials.createInsecure(),
    authClient: new PassThroughClient(),
  } as LoggingOptions);
}

async function closeClient(logging: Logging): Promise<void> {
  // The declared type of loggingService is the constructor, but the property holds the client instance.
  const service = logging.loggingService as unknown as { close(): Promise<void> } | undefined;
  await service?.close();
}

function insertIds(entries: Entry[]): string[] {
  return entries.map((entry) => String(entry.metadata.insertId));
}

async function rejection(call: Promise<unknown>): Promise<{ code: unknown; message: string }> {
  try {
    await call;
  } catch (error) {
    return { code: (error as { code?: unknown }).code, message: (error as Error).message };
  }
  assert.fail('expected the call to be rejected');
}

async function tailSessionCount(emulator: RunningEmulator): Promise<number> {
  const state = (await emulator.control('state')) as { logging: { tail: { sessions: unknown[] } } };
  return state.logging.tail.sessions.length;
}

async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface TailResponse {
  entries: Entry[];
  suppressionInfo: { reason: string; suppressedCount: number }[];
}

interface OpenTail {
  responses: TailResponse[];
  entries(): Entry[];
  /** Resolves with the stream's error (code and message) when it ends with one. */
  ended: Promise<{ code: unknown; message: string }>;
  abort(): void;
}

const openTails: OpenTail[] = [];

function openTail(logging: Logging, filter?: string): OpenTail {
  const stream = logging.tailEntries(filter !== undefined ? { filter } : {}) as Duplex & { abort?: () => void };
  const responses: TailResponse[] = [];
  stream.on('data', (response: TailResponse) => responses.push(response));
  const ended = new Promise<{ code: unknown; message: string }>((resolve) => {
    stream.on('error', (error: Error & { code?: unknown }) => resolve({ code: error.code, message: error.message }));
  });
  const tail: OpenTail = {
    responses,
    entries: () => responses.flatMap((response) => response.entries),
    ended,
    abort: () => stream.abort?.(),
  };
  openTails.push(tail);
  return tail;
}

async function closeOpenTails(emulator: RunningEmulator): Promise<void> {
  for (const tail of openTails.splice(0)) tail.abort();
  await waitFor(async () => (await tailSessionCount(emulator)) === 0, 'tail sessions to close');
}

async function appendLogs(emulator: RunningEmulator, entries: LogEntryInput[]): Promise<void> {
  await emulator.control('logs', { entries });
}

async function addFault(emulator: RunningEmulator, rule: Record<string, unknown>): Promise<void> {
  await emulator.control('faults', { rules: [{ api: 'logging', ...rule }] });
}

describe('Cloud Logging emulator', () => {
  let emulator: RunningEmulator;
  let logging: Logging;

  before(async () => {
    emulator = await startEmulator({
      port: 0,
      scenario: { logging: { project: PROJECT, location: 'us-west2', entries: baseEntries(), tail: { defaultBufferWindowMs: 0 } } },
      modules: { bigquery: false },
    });
    logging = loggingClient(emulator);
  });

  after(async () => {
    await closeClient(logging);
    await emulator.close();
  });

  beforeEach(async () => {
    await emulator.control('reset');
  });

  afterEach(async () => {
    await closeOpenTails(emulator);
  });

  describe('ListLogEntries through @google-cloud/logging (gRPC)', () => {
    test('getEntries answers the last 24 hours, newest first, with resource, severity and payloads', async () => {
      const [entries] = await logging.getEntries();
      assert.deepEqual(insertIds(entries), ['scrape', 'worker-json', 'merge-done', 'merge-start', 'merge-error']);
      const error = entries.find((entry) => entry.metadata.insertId === 'merge-error')!;
      assert.equal(error.metadata.severity, 'ERROR');
      assert.equal(error.data, MERGE_ERROR);
      assert.equal(error.metadata.logName, `projects/${PROJECT}/logs/run.googleapis.com%2Fstdout`);
      assert.deepEqual(error.metadata.resource, {
        type: 'cloud_run_revision',
        labels: {
          project_id: PROJECT,
          location: 'us-west2',
          service_name: COORDINATOR,
          configuration_name: COORDINATOR,
          revision_name: `${COORDINATOR}-00117-m5r`,
        },
      });
      assert.ok(error.metadata.timestamp instanceof Date);
      const json = entries.find((entry) => entry.metadata.insertId === 'worker-json')!;
      assert.deepEqual(json.data, { message: 'Slow model load', event_type: 'model_load', details: { seconds: 12.5 } });
      assert.deepEqual(json.metadata.labels, { instanceId: 'i-1' });
    });

    test('filters on service and severity; the client appends its own timestamp restriction', async () => {
      const [errors] = await logging.getEntries({ filter: `resource.labels.service_name="${COORDINATOR}" AND severity>=ERROR` });
      assert.deepEqual(insertIds(errors), ['merge-error']);
      // Naming timestamp stops the client adding "last 24 hours", so the old error shows up too.
      const [allTime] = await logging.getEntries({
        filter: `resource.labels.service_name="${COORDINATOR}" severity>=ERROR timestamp>="${iso(48 * HOUR)}"`,
      });
      assert.deepEqual(insertIds(allTime), ['merge-error', 'ancient']);
    });

    test('orderBy "timestamp asc" lists oldest first', async () => {
      const [entries] = await logging.getEntries({ orderBy: 'timestamp asc' });
      assert.deepEqual(insertIds(entries), ['merge-error', 'merge-start', 'merge-done', 'worker-json', 'scrape']);
    });

    test('textPayload regex and has, jsonPayload paths, NOT, OR, parentheses and bare words', async () => {
      const ids = async (filter: string): Promise<string[]> => insertIds((await logging.getEntries({ filter }))[0]).sort();
      assert.deepEqual(await ids('textPayload=~"updated_at assigned more than once"'), ['merge-error']);
      assert.deepEqual(await ids('textPayload=~"^MERGE (complete|failed)"'), ['merge-done', 'merge-error']);
      assert.deepEqual(await ids('textPayload:"merge complete"'), ['merge-done']);
      assert.deepEqual(await ids('jsonPayload.event_type="model_load"'), ['worker-json']);
      assert.deepEqual(await ids('jsonPayload.details.seconds>10'), ['worker-json']);
      assert.deepEqual(await ids(`NOT resource.labels.service_name="${COORDINATOR}"`), ['scrape', 'worker-json']);
      assert.deepEqual(await ids(`-resource.labels.service_name="${COORDINATOR}" -severity=WARNING`), ['scrape']);
      assert.deepEqual(await ids(`(severity=WARNING OR severity=ERROR) resource.labels.service_name="${WORKER}"`), ['worker-json']);
      assert.deepEqual(await ids('logName:"run.googleapis.com%2Frequests"'), ['scrape']);
      assert.deepEqual(await ids('staging tables'), ['merge-start']);
      assert.deepEqual(await ids(`labels.instanceId="i-1" AND resource.labels.revision_name="${WORKER}-00042-abc"`), ['worker-json']);
    });

    test('pages like the real API: pageSize, nextQuery, and the same entries as auto-pagination', async () => {
      const [everything] = await logging.getEntries({ filter: `timestamp>="${iso(48 * HOUR)}"` });
      assert.equal(everything.length, 6);

      const collected: string[] = [];
      let query: Record<string, unknown> | null = { filter: `timestamp>="${iso(48 * HOUR)}"`, pageSize: 2, autoPaginate: false };
      let pages = 0;
      while (query) {
        const [page, nextQuery] = (await logging.getEntries(query)) as unknown as [Entry[], Record<string, unknown> | null];
        assert.ok(page.length <= 2);
        collected.push(...insertIds(page));
        pages += 1;
        query = nextQuery ? { ...nextQuery, autoPaginate: false } : null;
      }
      assert.equal(pages, 3);
      assert.deepEqual(collected, insertIds(everything));

      // maxResults stops auto-pagination early.
      const [firstThree] = await logging.getEntries({ filter: `timestamp>="${iso(48 * HOUR)}"`, pageSize: 2, maxResults: 3 });
      assert.deepEqual(insertIds(firstThree), insertIds(everything).slice(0, 3));
    });

    test('a malformed filter is INVALID_ARGUMENT with an "Unparseable filter" message', async () => {
      const { code, message } = await rejection(logging.getEntries({ filter: `resource.labels.service_name="${COORDINATOR}" AND (severity>=ERROR` }));
      assert.equal(code, 3);
      assert.match(message, /Unparseable filter: .*expected "\)"/);
      const unknownField = await rejection(logging.getEntries({ filter: 'sevrity>=ERROR' }));
      assert.equal(unknownField.code, 3);
      assert.match(unknownField.message, /'sevrity' at line 1, column 1 is not a LogEntry field/);
    });

    test('faults: an error for one service only, a retried UNAVAILABLE, and latency', async () => {
      await addFault(emulator, { operation: 'listLogEntries', service: COORDINATOR, grpcCode: 7, message: 'caller lacks logging.logEntries.list' });
      const failed = await rejection(logging.getEntries({ filter: `resource.labels.service_name="${COORDINATOR}"` }));
      assert.equal(failed.code, 7, failed.message);
      assert.match(failed.message, /caller lacks logging\.logEntries\.list/);
      const [workerEntries] = await logging.getEntries({ filter: `resource.labels.service_name="${WORKER}"` });
      assert.deepEqual(insertIds(workerEntries), ['worker-json']);

      // The client retries UNAVAILABLE on ListLogEntries by itself, so one injected failure goes unnoticed.
      await emulator.control('clear-faults');
      await addFault(emulator, { operation: 'listLogEntries', grpcCode: 14, times: 1 });
      const [afterRetry] = await logging.getEntries({ filter: 'severity>=ERROR' });
      assert.deepEqual(insertIds(afterRetry), ['merge-error']);
      const state = (await emulator.control('state')) as { faults: { rules: unknown[] } };
      assert.deepEqual(state.faults.rules, [], 'the one-shot fault was consumed');

      await addFault(emulator, { operation: 'listLogEntries', latencyMs: 300, times: 1 });
      const started = Date.now();
      await logging.getEntries({ filter: 'severity>=ERROR' });
      assert.ok(Date.now() - started >= 290, 'latency applied');
    });

    test('WriteLogEntries from the client is stored and listed', async () => {
      const log = logging.log('drift-check');
      await log.write(
        log.entry(
          { resource: { type: 'cloud_run_revision', labels: { service_name: WORKER, revision_name: `${WORKER}-00043-xyz` } }, severity: 'NOTICE', labels: { source: 'test' } },
          { message: 'written through the client', event_type: 'test_write' },
        ),
      );
      const [entries] = await logging.getEntries({ filter: 'jsonPayload.event_type="test_write" AND severity=NOTICE' });
      assert.equal(entries.length, 1);
      assert.deepEqual(entries[0]!.data, { message: 'written through the client', event_type: 'test_write' });
      assert.equal(entries[0]!.metadata.logName, `projects/${PROJECT}/logs/drift-check`);
    });

    test('methods the emulator does not serve answer UNIMPLEMENTED', async () => {
      const { code, message } = await rejection(logging.getLogs());
      assert.equal(code, 12);
      assert.match(message, /ListLogs is not implemented by the Cloud Run Drift emulator/);
    });
  });

  describe('REST entries:list', () => {
    async function list(body: unknown, query = ''): Promise<{ status: number; json: Record<string, unknown> }> {
      const response = await fetch(`${emulator.httpUrl}/v2/entries:list${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    }
    const ids = (json: Record<string, unknown>): string[] => ((json['entries'] as { insertId: string }[] | undefined) ?? []).map((entry) => entry.insertId);

    test('filter, orderBy desc, pageSize and pageToken', async () => {
      const request = { resourceNames: [`projects/${PROJECT}`], filter: `resource.labels.service_name="${COORDINATOR}"`, orderBy: 'timestamp desc', pageSize: 2 };
      const first = await list(request);
      assert.equal(first.status, 200);
      assert.deepEqual(ids(first.json), ['merge-done', 'merge-start']);
      assert.equal(typeof first.json['nextPageToken'], 'string');
      const second = await list({ ...request, pageToken: first.json['nextPageToken'] });
      assert.deepEqual(ids(second.json), ['merge-error', 'ancient']);
      assert.equal(second.json['nextPageToken'], undefined, 'no token on the last page');

      const [entry] = second.json['entries'] as Record<string, unknown>[];
      assert.equal(entry!['severity'], 'ERROR');
      assert.equal(entry!['textPayload'], MERGE_ERROR);
      assert.match(String(entry!['timestamp']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    });

    test('ascending is the default order; a default page is 50 entries', async () => {
      const { json } = await list({ resourceNames: [`projects/${PROJECT}`] });
      assert.deepEqual(ids(json), ['ancient', 'merge-error', 'merge-start', 'merge-done', 'worker-json', 'scrape']);
      await emulator.control('logs', { entries: Array.from({ length: 60 }, (_, i) => ({ service: SCRAPERS, textPayload: `bulk ${i}` })) });
      const page = await list({ resourceNames: [`projects/${PROJECT}`], filter: 'textPayload:bulk' });
      assert.equal(ids(page.json).length, 50);
      assert.equal(typeof page.json['nextPageToken'], 'string');
    });

    test('other projects and unknown parents see nothing', async () => {
      assert.deepEqual(ids((await list({ resourceNames: ['projects/someone-else'] })).json), []);
      assert.deepEqual(ids((await list({ resourceNames: ['organizations/123'] })).json), []);
    });

    test('errors: bad filter, pageSize, foreign pageToken, missing resourceNames, wrong method', async () => {
      const badFilter = await list({ resourceNames: [`projects/${PROJECT}`], filter: 'severity>=' });
      assert.equal(badFilter.status, 400);
      const error = badFilter.json['error'] as { code: number; status: string; message: string };
      assert.equal(error.status, 'INVALID_ARGUMENT');
      assert.match(error.message, /^Unparseable filter: unexpected end of filter/);

      const negative = await list({ resourceNames: [`projects/${PROJECT}`], pageSize: -1 });
      assert.equal(negative.status, 400);
      const tooBig = await list({ resourceNames: [`projects/${PROJECT}`], pageSize: 1001 });
      assert.equal(tooBig.status, 400);

      const first = await list({ resourceNames: [`projects/${PROJECT}`], pageSize: 1 });
      const foreign = await list({ resourceNames: [`projects/${PROJECT}`], pageSize: 1, filter: 'severity>=ERROR', pageToken: first.json['nextPageToken'] });
      assert.equal(foreign.status, 400);
      assert.match((foreign.json['error'] as { message: string }).message, /page_token doesn't match arguments from the request/);

      const noParent = await list({ filter: '' });
      assert.equal(noParent.status, 400);
      const badOrder = await list({ resourceNames: [`projects/${PROJECT}`], orderBy: 'severity' });
      assert.equal(badOrder.status, 400);

      const get = await fetch(`${emulator.httpUrl}/v2/entries:list`);
      assert.equal(get.status, 404);
      const tail = await fetch(`${emulator.httpUrl}/v2/entries:tail`, { method: 'POST', body: '{}' });
      assert.equal(tail.status, 501);
    });

    test('integer enums on request ($alt=json;enum-encoding=int), as the gax REST transport asks', async () => {
      const { json } = await list({ resourceNames: [`projects/${PROJECT}`], filter: 'severity=WARNING' }, '?$alt=json%3Benum-encoding=int');
      assert.equal((json['entries'] as { severity: unknown }[])[0]!.severity, 400);
    });

    test('the real client in REST mode (fallback: true) lists, pages and writes', async () => {
      const restClient = new Logging({
        projectId: PROJECT,
        apiEndpoint: '127.0.0.1',
        port: emulator.httpPort,
        protocol: 'http',
        fallback: true,
        authClient: new PassThroughClient(),
      } as LoggingOptions);
      try {
        // getEntries passes `autoPaginate: undefined`, which gax reads as "off", unless maxResults is given:
        // then it follows nextPageToken across pages (three requests of one entry here).
        const [firstPageOnly] = await restClient.getEntries({ filter: `resource.labels.service_name="${COORDINATOR}"`, pageSize: 1 });
        assert.deepEqual(insertIds(firstPageOnly), ['merge-done']);
        const [entries] = await restClient.getEntries({ filter: `resource.labels.service_name="${COORDINATOR}"`, pageSize: 1, maxResults: 10 });
        assert.deepEqual(insertIds(entries), ['merge-done', 'merge-start', 'merge-error']);
        assert.equal(entries[2]!.metadata.severity, 'ERROR');
        assert.ok(entries[2]!.metadata.timestamp instanceof Date);
        const bad = await rejection(restClient.getEntries({ filter: 'severity>=' }));
        assert.equal(bad.code, 3);
        assert.match(bad.message, /Unparseable filter/);
        const log = restClient.log('rest-check');
        await log.write(log.entry({ resource: { type: 'global' }, severity: 'WARNING' }, { via: 'rest' }));
        const [written] = await restClient.getEntries({ filter: 'jsonPayload.via="rest"' });
        assert.deepEqual(written.map((entry) => [entry.data, entry.metadata.severity]), [[{ via: 'rest' }, 'WARNING']]);
      } finally {
        await closeClient(restClient);
      }
    });

    test('a REST fault answers its HTTP status', async () => {
      await addFault(emulator, { operation: 'listLogEntries', httpStatus: 503, times: 1 });
      const failed = await list({ resourceNames: [`projects/${PROJECT}`] });
      assert.equal(failed.status, 503);
      assert.equal((failed.json['error'] as { status: string }).status, 'UNAVAILABLE');
    });
  });

  describe('TailLogEntries through @google-cloud/logging', () => {
    test('streams matching entries appended after the session started, ordered within the buffer window', async () => {
      await emulator.control('tail-settings', { defaultBufferWindowMs: 300 });
      const tail = openTail(logging, `resource.labels.service_name="${COORDINATOR}"`);
      await waitFor(async () => (await tailSessionCount(emulator)) === 1, 'the tail session');
      // Two appends inside one window, the second older than the first: one response, in timestamp order.
      await appendLogs(emulator, [
        { insertId: 'tail-2', service: COORDINATOR, timestamp: iso(1000), severity: 'ERROR', textPayload: MERGE_ERROR },
        { insertId: 'other-service', service: WORKER, textPayload: 'not for this tail' },
      ]);
      await appendLogs(emulator, [{ insertId: 'tail-1', service: COORDINATOR, timestamp: iso(2000), textPayload: 'Executing consolidation MERGE' }]);
      await waitFor(() => tail.entries().length >= 2, 'two tailed entries');
      assert.deepEqual(insertIds(tail.entries()), ['tail-1', 'tail-2']);
      assert.equal(tail.responses.length, 1);
      assert.equal(tail.entries()[1]!.data, MERGE_ERROR);
      assert.equal(tail.entries()[1]!.metadata.severity, 'ERROR');
    });

    test('entries written with WriteLogEntries reach open tails too', async () => {
      const tail = openTail(logging, 'jsonPayload.event_type="tail_write"');
      await waitFor(async () => (await tailSessionCount(emulator)) === 1, 'the tail session');
      const log = logging.log('drift-check');
      await log.write(log.entry({ resource: { type: 'global' } }, { message: 'hello tail', event_type: 'tail_write' }));
      await waitFor(() => tail.entries().length === 1, 'the written entry');
      assert.deepEqual(tail.entries()[0]!.data, { message: 'hello tail', event_type: 'tail_write' });
    });

    test('fault dropTailAfterEntries ends the stream with UNAVAILABLE after that many entries', async () => {
      await addFault(emulator, { operation: 'tailLogEntries', dropTailAfterEntries: 2 });
      const tail = openTail(logging);
      await waitFor(async () => (await tailSessionCount(emulator)) === 1, 'the tail session');
      await appendLogs(emulator, Array.from({ length: 5 }, (_, i) => ({ service: WORKER, textPayload: `line ${i}`, timestamp: iso(5000 - i) })));
      const { code, message } = await tail.ended;
      assert.equal(code, 14);
      assert.match(message, /tail stream was dropped/);
      assert.deepEqual(tail.entries().map((entry) => entry.data), ['line 0', 'line 1']);
    });

    test('fault dropTailAfterMs ends the stream with dropTailCode', async () => {
      await addFault(emulator, { operation: 'tailLogEntries', service: COORDINATOR, dropTailAfterMs: 150, dropTailCode: 13, message: 'backend restarted' });
      const started = Date.now();
      const tail = openTail(logging, `resource.labels.service_name="${COORDINATOR}" AND severity>=ERROR`);
      const { code, message } = await tail.ended;
      assert.equal(code, 13);
      assert.match(message, /backend restarted/);
      assert.ok(Date.now() - started >= 150);
    });

    test('an error fault refuses the session', async () => {
      await addFault(emulator, { operation: 'tailLogEntries', grpcCode: 7, message: 'caller lacks logging.logEntries.list' });
      const { code, message } = await openTail(logging).ended;
      assert.equal(code, 7);
      assert.match(message, /logging\.logEntries\.list/);
    });

    test('control action suppress reports suppressionInfo in the next response', async () => {
      const tail = openTail(logging);
      await waitFor(async () => (await tailSessionCount(emulator)) === 1, 'the tail session');
      const result = (await emulator.control('suppress', { count: 7, reason: 'NOT_CONSUMED' })) as { sessions: number };
      assert.equal(result.sessions, 1);
      await waitFor(() => tail.responses.length === 1, 'a suppression-only response');
      assert.deepEqual(tail.responses[0]!.entries, []);
      assert.deepEqual(tail.responses[0]!.suppressionInfo, [{ reason: 'NOT_CONSUMED', suppressedCount: 7 }]);
    });

    test('a per-session rate limit sends what fits and counts the rest as RATE_LIMIT', async () => {
      await emulator.control('tail-settings', { rateLimitPerSecond: 3 });
      const tail = openTail(logging);
      await waitFor(async () => (await tailSessionCount(emulator)) === 1, 'the tail session');
      // Appended in one go, all within one wall-clock second for the session.
      await appendLogs(emulator, Array.from({ length: 10 }, (_, i) => ({ service: WORKER, textPayload: `burst ${i}` })));
      await waitFor(() => tail.responses.some((response) => response.suppressionInfo.length > 0), 'the suppression report');
      assert.equal(tail.entries().length, 3);
      const reported = tail.responses.flatMap((response) => response.suppressionInfo);
      assert.deepEqual(reported, [{ reason: 'RATE_LIMIT', suppressedCount: 7 }]);
    });

    test('more sessions than allowed: RESOURCE_EXHAUSTED "too many tail sessions"', async () => {
      await emulator.control('tail-sessions', { max: 1 });
      openTail(logging);
      await waitFor(async () => (await tailSessionCount(emulator)) === 1, 'the first session');
      const { code, message } = await openTail(logging).ended;
      assert.equal(code, 8);
      assert.match(message, /too many tail sessions/);
    });

    test('maximum tail duration ends the session with OUT_OF_RANGE', async () => {
      await emulator.control('max-tail-duration', { ms: 200 });
      const { code, message } = await openTail(logging).ended;
      assert.equal(code, 11);
      assert.match(message, /maximum tail duration reached/);
    });

    test('a malformed filter refuses the tail with INVALID_ARGUMENT', async () => {
      const { code, message } = await openTail(logging, 'severity>=ERROR AND (').ended;
      assert.equal(code, 3);
      assert.match(message, /Unparseable filter/);
    });

    test('twenty thousand entries in one burst arrive complete, in batches of at most 1000', async () => {
      const tail = openTail(logging, `resource.labels.service_name="${SCRAPERS}"`);
      await waitFor(async () => (await tailSessionCount(emulator)) === 1, 'the tail session');
      const burst = Array.from({ length: 20_000 }, (_, i) => ({ service: SCRAPERS, severity: 'INFO', textPayload: `scraped game ${i}` }));
      const started = Date.now();
      await appendLogs(emulator, burst);
      await waitFor(() => tail.entries().length === 20_000, 'all 20000 entries', 15_000);
      assert.ok(tail.responses.every((response) => response.entries.length <= 1000));
      assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    });

    test('closing the emulator ends open tails promptly', async () => {
      // A separate emulator, so this suite's own keeps running.
      const own = await startEmulator({ port: 0, scenario: { logging: { project: PROJECT } }, modules: { bigquery: false } });
      const client = loggingClient(own);
      try {
        const tail = openTail(client);
        openTails.pop(); // not this suite's emulator's; aborted below
        await waitFor(async () => (await tailSessionCount(own)) === 1, 'the tail session');
        const started = Date.now();
        await own.close();
        assert.ok(Date.now() - started < 1000, `close took ${Date.now() - started} ms`);
        const { code } = await tail.ended;
        assert.equal(code, 14);
      } finally {
        await closeClient(client);
      }
    });
  });

  describe('scenario and control validation', () => {
    test('a malformed scenario section names the JSON path', async () => {
      const loadFails = async (logging: unknown): Promise<ScenarioError> => {
        try {
          await startEmulator({ port: 0, scenario: { logging }, modules: { bigquery: false } });
        } catch (error) {
          assert.ok(error instanceof ScenarioError, String(error));
          return error;
        }
        assert.fail('expected the scenario to be refused');
      };
      assert.equal((await loadFails({ project: PROJECT, entries: [{ textPayload: 'ok' }, { timestamp: 'yesterday' }] })).jsonPath, '$.logging.entries[1].timestamp');
      assert.equal((await loadFails({ project: PROJECT, entries: [{ severity: 'LOUD' }] })).jsonPath, '$.logging.entries[0].severity');
      assert.equal((await loadFails({ project: PROJECT, entries: [{ textPayload: 'a', jsonPayload: {} }] })).jsonPath, '$.logging.entries[0]');
      assert.equal((await loadFails({ entries: [{ textPayload: 'no project anywhere' }] })).jsonPath, '$.logging.entries[0]');
      assert.equal((await loadFails({ project: PROJECT, entries: [{ txtPayload: 'typo' }] })).jsonPath, '$.logging.entries[0].txtPayload');
      assert.equal((await loadFails({ project: PROJECT, tail: { maxSessions: -1 } })).jsonPath, '$.logging.tail.maxSessions');
      assert.equal((await loadFails({ project: PROJECT, extra: true })).jsonPath, '$.logging.extra');
      assert.equal((await loadFails([])).jsonPath, '$.logging');
    });

    test('control logs is all-or-nothing, and reset forgets appended entries', async () => {
      await assert.rejects(
        emulator.control('logs', { entries: [{ service: WORKER, textPayload: 'fine' }, { service: WORKER, severity: 'LOUD' }] }),
        (error: unknown) => error instanceof ScenarioError && error.jsonPath === '$.entries[1].severity',
      );
      const before = (await logging.getEntries({ filter: `resource.labels.service_name="${WORKER}"` }))[0].length;
      assert.equal(before, 1);
      await appendLogs(emulator, [{ service: WORKER, textPayload: 'appended' }]);
      assert.equal((await logging.getEntries({ filter: `resource.labels.service_name="${WORKER}"` }))[0].length, 2);
      await emulator.control('reset');
      assert.equal((await logging.getEntries({ filter: `resource.labels.service_name="${WORKER}"` }))[0].length, 1);
      await assert.rejects(emulator.control('suppress', { count: 1, reason: 'BORED' }), (error: unknown) => error instanceof ScenarioError && error.jsonPath === '$.reason');
    });
  });
});

describe('demo log seed', () => {
  test('prediction-coordinator has recent MERGE errors and tracebacks; the real client finds them', async () => {
    const now = new Date();
    const services = [
      { name: COORDINATOR, revision: `${COORDINATOR}-00117-m5r` },
      { name: WORKER, revision: `${WORKER}-00042-abc` },
      { name: SCRAPERS, revision: `${SCRAPERS}-00024-rb5` },
    ];
    const seed = buildDemoLogEntries(now, services, { project: PROJECT, location: 'us-west2' });
    assert.deepEqual(buildDemoLogEntries(now, services, { project: PROJECT, location: 'us-west2' }), seed, 'deterministic');
    assert.ok(seed.every((entry) => Date.parse(entry.timestamp!) < now.getTime()));

    const emulator = await startEmulator({ port: 0, scenario: { logging: { project: PROJECT, entries: seed } }, modules: { bigquery: false } });
    const logging = loggingClient(emulator);
    try {
      const [errors] = await logging.getEntries({ filter: 'textPayload=~"updated_at assigned more than once" AND severity=ERROR' });
      assert.ok(errors.length >= 2, `expected several MERGE errors, got ${errors.length}`);
      assert.ok(errors.every((entry) => (entry.metadata.resource?.labels as Record<string, string>)['service_name'] === COORDINATOR));
      assert.ok(errors.some((entry) => /MERGE failed: UPDATE\/MERGE must match at most one source row/.test(String(entry.data))));
      assert.ok(errors.some((entry) => String(entry.data).includes('File "/app/predictions/coordinator/coordinator.py", line 212, in consolidate')));

      const [merges] = await logging.getEntries({ filter: `resource.labels.service_name="${COORDINATOR}" textPayload:"consolidation MERGE for batch with"` });
      assert.ok(merges.length >= 5);
      const [completes] = await logging.getEntries({ filter: 'textPayload=~"^MERGE complete: \\d+ rows affected in [\\d.]+ms$"' });
      assert.ok(completes.length >= 1);

      const [events] = await logging.getEntries({ filter: 'jsonPayload.event_type:*' });
      assert.ok(events.length > 0);
      assert.ok(events.every((entry) => typeof (entry.data as { message?: unknown }).message === 'string'));

      const [otherServices] = await logging.getEntries({ filter: `resource.labels.service_name!="${COORDINATOR}" AND severity>=INFO`, maxResults: 500 });
      assert.ok(otherServices.some((entry) => entry.metadata.severity === 'WARNING'));
      assert.ok(otherServices.some((entry) => entry.metadata.severity === 'INFO'));
    } finally {
      await closeClient(logging);
      await emulator.close();
    }
  });
});
