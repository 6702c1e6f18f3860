// The log view's controller (everything the view does but the editor's webview) against the emulator's Cloud Logging,
// through the real client over gRPC: it opens with a query, restarts in place when the controls change it (old tail
// session closed, rows and histogram start over), refuses a bad query without restarting, posts rows in slices, draws
// the histogram over the entries it holds, and jumps to a time.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { createLogSource, type LogSource } from '../../src/core/logs';
import type { LogEntryInput } from '../../src/emulator/logging/entry';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { LogController, MAX_DOM_ROWS, ROWS_PER_POST } from '../../src/extension/logs/logController';
import { DEFAULT_VIEW_QUERY, filterPresets, type LogViewQuery } from '../../src/extension/logs/logQuery';
import type { ToWebview, WebviewRow } from '../../src/extension/logs/messages';

const PROJECT = 'drift-view';
const REGION = 'us-west2';
const API = 'api';
const PRESETS = filterPresets({ Errors: 'severity>=ERROR' });

async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What the webview would have received, replayed into rows as logs.js keeps them (the newest MAX_DOM_ROWS). */
class FakeWebview {
  readonly messages: ToWebview[] = [];
  rows: WebviewRow[] = [];
  post = (message: ToWebview): void => {
    this.messages.push(message);
    if (message.type === 'reset') this.rows = [...message.rows];
    if (message.type === 'append') this.rows = [...this.rows, ...message.rows].slice(-MAX_DOM_ROWS);
  };
  texts(): string[] {
    return this.rows.map((r) => r.text);
  }
  last<T extends ToWebview['type']>(type: T): Extract<ToWebview, { type: T }> | undefined {
    return this.messages.filter((m): m is Extract<ToWebview, { type: T }> => m.type === type).at(-1);
  }
}

describe('log view controller against the emulator', () => {
  let emulator: RunningEmulator;
  const controllers: LogController[] = [];
  let sequence = 0;

  before(async () => {
    emulator = await startEmulator({ port: 0, scenario: { logging: { project: PROJECT, location: REGION } }, modules: { bigquery: false } });
  });

  afterEach(async () => {
    for (const controller of controllers.splice(0)) await controller.dispose();
    await emulator.control('reset');
  });

  after(async () => {
    await emulator.close();
  });

  function entries(specs: { severity?: string; text: string; msAgo?: number }[]): LogEntryInput[] {
    return specs.map((spec) => {
      sequence += 1;
      return {
        insertId: `v-${String(sequence).padStart(8, '0')}`,
        service: API,
        revision: 'api-00001-aaa',
        location: REGION,
        severity: spec.severity ?? 'INFO',
        textPayload: spec.text,
        ...(spec.msAgo !== undefined ? { timestamp: new Date(Date.now() - spec.msAgo).toISOString() } : {}),
      };
    });
  }

  async function tailSessions(): Promise<number> {
    const state = (await emulator.control('state')) as { logging: { tail: { sessions: unknown[] } } };
    return state.logging.tail.sessions.length;
  }

  function open(query: Partial<LogViewQuery> = {}, remembered: LogViewQuery[] = [], before: LogViewQuery[] = []): { controller: LogController; view: FakeWebview; sources: LogSource[] } {
    const view = new FakeWebview();
    const sources: LogSource[] = [];
    const controller = new LogController({
      label: API,
      scope: { kind: 'services', services: [{ name: API, region: REGION }] },
      presets: PRESETS,
      capacity: 10_000,
      query: { ...DEFAULT_VIEW_QUERY, window: '15m', ...query },
      openSource: async () => {
        const source = await createLogSource({ projects: [PROJECT], endpoint: emulator.grpcAddress });
        sources.push(source);
        return source;
      },
      exists: () => false,
      post: view.post,
      onQueryApplied: (q, previous) => {
        remembered.push(q);
        before.push(previous);
      },
      tuning: { bufferWindowMs: 20, reorderWindowMs: 20, settleMs: 100 },
    });
    controllers.push(controller);
    return { controller, view, sources };
  }

  const live = (view: FakeWebview) => () => / · live · /.test(view.last('status')?.line ?? '');

  test('changing the severity restarts the stream in place: the old tail closes, only matching rows show, the query is remembered', async () => {
    await emulator.control('logs', { entries: entries([{ text: 'old info', msAgo: 3000 }, { severity: 'ERROR', text: 'old error', msAgo: 2000 }]) });
    const remembered: LogViewQuery[] = [];
    const before: LogViewQuery[] = [];
    const { controller, view, sources } = open({}, remembered, before);
    await controller.handle({ type: 'ready' });
    assert.deepEqual(view.messages[0], { type: 'controls', controls: { presets: [{ id: 'saved:Errors', label: 'Errors', query: 'severity>=ERROR' }], severities: ['DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'], windows: [{ value: '15m', label: 'Last 15 minutes' }, { value: '1h', label: 'Last hour' }, { value: '6h', label: 'Last 6 hours' }, { value: '1d', label: 'Last day' }] } });
    await waitFor('the history, live', () => live(view)() && view.rows.length === 2);
    assert.deepEqual(view.texts(), ['old info', 'old error']);
    assert.equal(await tailSessions(), 1);

    await controller.handle({ type: 'query', fields: { ...DEFAULT_VIEW_QUERY, severity: 'ERROR', window: '15m' } });
    assert.deepEqual(view.last('reset'), { type: 'reset', rows: [], note: null }, 'the rows start over at once');
    await waitFor('the restarted stream live', () => live(view)() && view.rows.length === 1);
    assert.deepEqual(view.texts(), ['old error']);
    assert.match(view.last('status')!.line, /^1 entries · .* · live · 0 reconnects · ERROR and above · since 15m ago · /);
    assert.deepEqual(view.last('query'), { type: 'query', query: { ...DEFAULT_VIEW_QUERY, severity: 'ERROR', window: '15m' } });
    assert.deepEqual(remembered, [{ ...DEFAULT_VIEW_QUERY, severity: 'ERROR', window: '15m' }]);
    assert.deepEqual(before, [{ ...DEFAULT_VIEW_QUERY, window: '15m' }], 'with the query it replaced');
    // The replaced stream closes its session (asynchronously): one stays, the new stream's.
    await waitFor('one tail session', async () => (await tailSessions()) === 1);
    assert.equal(sources.length, 1, 'the client is reused, not created again');

    await emulator.control('logs', { entries: entries([{ text: 'new info' }, { severity: 'CRITICAL', text: 'new critical' }]) });
    await waitFor('the live matching entry', () => view.rows.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(view.texts(), ['old error', 'new critical']);
    assert.equal(controller.buffer.size, 2);
  });

  test('a query that does not check is refused in the view; the stream runs on unchanged', async () => {
    const remembered: LogViewQuery[] = [];
    const { controller, view } = open({}, remembered);
    await controller.handle({ type: 'ready' });
    await waitFor('live', live(view));
    const before = view.messages.length;
    await controller.handle({ type: 'query', fields: { ...DEFAULT_VIEW_QUERY, raw: 'a) OR (resource.type="gce_instance"', window: '15m' } });
    await controller.handle({ type: 'query', fields: { ...DEFAULT_VIEW_QUERY, preset: 'saved:Unknown', window: '15m' } });
    await controller.handle({ type: 'query', fields: { ...DEFAULT_VIEW_QUERY, window: 'last tuesday' } });
    const errors = view.messages.slice(before).filter((m) => m.type === 'queryError');
    assert.deepEqual(
      errors.map((m) => (m.type === 'queryError' ? m.message.split(':')[0] : '')),
      ['Logging query', 'Filter', 'Window'],
    );
    assert.equal(view.messages.slice(before).filter((m) => m.type === 'reset').length, 0, 'no restart');
    assert.deepEqual(remembered, []);
    assert.deepEqual(controller.query, { ...DEFAULT_VIEW_QUERY, window: '15m' });
  });

  test('the preset filter restarts the stream with the saved query; the histogram counts the rows held by band', async () => {
    await emulator.control('logs', {
      entries: entries([{ text: 'i1', msAgo: 4000 }, { severity: 'WARNING', text: 'w1', msAgo: 3000 }, { severity: 'ERROR', text: 'e1', msAgo: 2000 }, { severity: 'ERROR', text: 'e2', msAgo: 1000 }]),
    });
    const { controller, view } = open();
    await controller.handle({ type: 'ready' });
    await waitFor('the history', () => view.rows.length === 4 && view.last('histogram'));
    const histogram = await waitFor('a histogram of all four', () => {
      const h = view.last('histogram')?.histogram;
      return h && h.counts.flat().reduce((a, b) => a + b, 0) === 4 ? h : undefined;
    });
    assert.deepEqual(
      histogram.counts.reduce((sum, c) => sum.map((n, band) => n + c[band]!), [0, 0, 0, 0]),
      [0, 1, 1, 2],
    );
    assert.ok(histogram.counts.length <= 60 && histogram.bucketMs === 30_000, `15 minutes in ${histogram.counts.length} buckets of ${histogram.bucketMs} ms`);

    await controller.handle({ type: 'query', fields: { ...DEFAULT_VIEW_QUERY, preset: 'saved:Errors', window: '15m' } });
    await waitFor('only the errors', () => view.rows.length === 2 && live(view)());
    assert.deepEqual(view.texts(), ['e1', 'e2']);
    await waitFor('the histogram of the restarted stream', () => view.last('histogram')!.histogram.counts.flat().reduce((a, b) => a + b, 0) === 2);
    assert.match(view.last('status')!.line, / · Errors · since 15m ago · /);
  });

  test('a burst goes to the webview in slices of at most ROWS_PER_POST rows, oldest first, each row once', async () => {
    const { controller, view } = open();
    await controller.handle({ type: 'ready' });
    await waitFor('live', live(view));
    const burst = entries(Array.from({ length: 1200 }, (_, i) => ({ text: `b${i}` })));
    await emulator.control('logs', { entries: burst });
    await waitFor('every row', () => view.rows.length === 1200);
    const appends = view.messages.filter((m): m is Extract<ToWebview, { type: 'append' }> => m.type === 'append');
    assert.ok(appends.length >= Math.ceil(1200 / ROWS_PER_POST), `${appends.length} posts`);
    assert.ok(appends.every((m) => m.rows.length <= ROWS_PER_POST));
    assert.deepEqual(view.texts(), burst.map((e) => e.textPayload));
  });

  test('a histogram bar older than the rows shown: the view shows rows from there, holds new ones back, and returns to live', async () => {
    const old = entries(Array.from({ length: MAX_DOM_ROWS + 500 }, (_, i) => ({ text: `h${i}`, msAgo: 600_000 - i * 100 })));
    await emulator.control('logs', { entries: old });
    const { controller, view } = open();
    await controller.handle({ type: 'ready' });
    await waitFor('the history', () => live(view)() && controller.buffer.size === old.length && view.rows.length === MAX_DOM_ROWS);
    assert.equal(view.rows[0]!.text, 'h500', 'the DOM holds the newest rows');

    const target = Date.parse(old[100]!.timestamp!) - 50;
    await controller.handle({ type: 'jump', at: target });
    const reset = view.last('reset')!;
    assert.equal(reset.rows[0]!.text, 'h100', 'from the first entry at or after the time');
    assert.equal(reset.focusSeq, reset.rows[0]!.seq);
    assert.equal(reset.rows.length, MAX_DOM_ROWS);
    assert.match(reset.note ?? '', /^Showing 3000 entries from .*; newer entries wait until you go back to live\.$/);
    await waitFor('the status to say browsing', () => view.last('status')?.browsing === true);

    await emulator.control('logs', { entries: entries([{ text: 'arrived while browsing' }]) });
    await waitFor('the entry in the buffer', () => controller.buffer.size === old.length + 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.ok(!view.texts().includes('arrived while browsing'), 'held back while browsing');

    await controller.handle({ type: 'live' });
    assert.equal(view.rows.at(-1)!.text, 'arrived while browsing');
    assert.equal(view.rows.length, MAX_DOM_ROWS);
    await waitFor('the status to say live again', () => view.last('status')?.browsing === false);

    // Within the rows shown, a jump keeps them and only marks the row.
    await controller.handle({ type: 'jump', at: Date.now() - 60_000 });
    assert.equal(view.last('reset')!.rows.at(-1)!.text, 'arrived while browsing');
    assert.equal(view.last('reset')!.note, null);
  });
});
