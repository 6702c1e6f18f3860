// The log view's vscode-free parts: the view's query (presets, checks, the remembered one) → core query, batching of
// webview posts, stack-trace links, webview message validation and command options.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeFilter, LogBuffer, type LogEntry, type LogScope } from '../../src/core/logs';
import { FlushBatcher, planAppend, type TimerApi } from '../../src/extension/logs/batcher';
import {
  checkViewQuery,
  DEFAULT_VIEW_QUERY,
  describeQuery,
  describeWindow,
  filterPresets,
  logQueryFor,
  nextRemembered,
  normalizeQuery,
  QUERY_LIMITS,
  rememberedQuery,
  restoreViewQuery,
  type LogViewQuery,
} from '../../src/extension/logs/logQuery';
import { parseFromWebview, rowFor, statusLine } from '../../src/extension/logs/messages';
import { openingQuery, parseOpenLogsOptions, revisionTarget } from '../../src/extension/logs/openRequest';
import { cachedExists, resolveRepoPath, stackTraceLinks } from '../../src/extension/logs/stackLinks';

const scope: LogScope = { kind: 'services', services: [{ name: 'api', region: 'europe-west1' }] };

describe('log view query', () => {
  const logFilters = { Errors: 'severity >= ERROR', MERGE: 'textPayload=~"MERGE"' };
  const presets = filterPresets(logFilters);
  const query = (overrides: Partial<LogViewQuery>): LogViewQuery => ({ ...DEFAULT_VIEW_QUERY, ...overrides });

  it('offers the saved filters, then built-ins; one query offered twice appears once, under its first name', () => {
    assert.deepEqual(
      presets.map((p) => p.label),
      ['Errors', 'MERGE'],
      'the saved "Errors" and the built-in "Errors only" are the same query',
    );
    assert.deepEqual(
      filterPresets({ MERGE: 'textPayload=~"MERGE"' }).map((p) => p.label),
      ['MERGE', 'Errors only'],
    );
    assert.deepEqual(
      filterPresets({ Errors: 'severity>=ERROR', 'Also errors': ' severity>= ERROR ', Blank: '  ' }).map((p) => p.id),
      ['saved:Errors'],
    );
  });

  it('compares queries by meaning: whitespace outside literals and around operators does not count', () => {
    assert.equal(normalizeQuery('  severity >= ERROR  AND  textPayload : "a  b"'), 'severity>=ERROR AND textPayload:"a  b"');
    assert.equal(normalizeQuery('a "x \\" y"  b'), 'a "x \\" y" b');
    assert.notEqual(normalizeQuery('textPayload:"a b"'), normalizeQuery('textPayload:"a  b"'));
  });

  it('maps the controls to the LogQuery core composes; text is quoted by core, never spliced', () => {
    assert.deepEqual(logQueryFor(scope, DEFAULT_VIEW_QUERY, presets), { scope });
    assert.deepEqual(logQueryFor(scope, query({ preset: 'saved:MERGE', severity: 'WARNING', text: 'x', raw: 'jsonPayload.a="b"' }), presets), {
      scope,
      savedFilter: 'textPayload=~"MERGE"',
      minSeverity: 'WARNING',
      text: 'x',
      raw: 'jsonPayload.a="b"',
    });
    const filter = composeFilter(logQueryFor(scope, query({ text: '") OR (resource.type="gce_instance"' }), presets));
    assert.ok(filter.includes('\\") OR (resource.type=\\"gce_instance\\"'), filter);
    assert.ok(filter.includes('resource.type="cloud_run_revision"'), filter);
  });

  it('describes the query and window for the status line', () => {
    assert.equal(describeQuery(DEFAULT_VIEW_QUERY, presets), 'all entries');
    assert.equal(describeQuery(query({ preset: 'saved:Errors', severity: 'WARNING', text: 'timeout' }), presets), 'Errors · WARNING and above · “timeout”');
    assert.equal(describeWindow('1h'), 'since 1h ago');
    assert.equal(describeWindow('2026-01-30T22:59:00Z'), 'since 2026-01-30T22:59:00Z');
  });

  it('checks fields from the view: a known preset, a severity, a balanced raw query, a window, within limits', () => {
    const fields = (overrides: Partial<Record<keyof LogViewQuery, string>>) => ({ ...DEFAULT_VIEW_QUERY, ...overrides });
    assert.deepEqual(checkViewQuery(fields({ preset: 'saved:MERGE', severity: 'warning', text: ' x ', window: '2026-01-30T22:59:00Z' }), presets), {
      query: { preset: 'saved:MERGE', severity: 'WARNING', text: 'x', raw: '', window: '2026-01-30T22:59:00Z' },
    });
    const errorOf = (f: Partial<Record<keyof LogViewQuery, string>>): string => {
      const result = checkViewQuery(fields(f), presets);
      assert.ok('error' in result, `accepted ${JSON.stringify(f)}`);
      return result.error;
    };
    assert.match(errorOf({ preset: 'saved:Nope' }), /^Filter: "saved:Nope" is not one of the saved filters/);
    assert.match(errorOf({ severity: 'LOUD' }), /^Severity: "LOUD" is not one of DEFAULT, DEBUG/);
    assert.match(errorOf({ raw: 'a) OR (b' }), /^Logging query: the query has a "\)" without a matching "\("/);
    assert.match(errorOf({ window: 'yesterday' }), /^Window: "yesterday" is neither a duration/);
    assert.match(errorOf({ text: 'x'.repeat(QUERY_LIMITS.text + 1) }), /^Text: at most 500 characters/);
  });

  it('restores the remembered query; what no longer checks falls back to the default, field by field', () => {
    assert.deepEqual(restoreViewQuery(undefined, presets), DEFAULT_VIEW_QUERY);
    assert.deepEqual(restoreViewQuery('1h', presets), DEFAULT_VIEW_QUERY);
    assert.deepEqual(restoreViewQuery({ preset: 'saved:MERGE', severity: 'ERROR', text: 't', raw: '', window: '15m' }, presets), query({ preset: 'saved:MERGE', severity: 'ERROR', text: 't', window: '15m' }));
    // The saved filter left the config, the window is nonsense: the text is still the user's.
    assert.deepEqual(restoreViewQuery({ preset: 'saved:Gone', severity: '', text: 'keep me', raw: '', window: 'soon' }, presets), query({ text: 'keep me' }));
    // A field missing or not a string: nothing from it is trusted.
    assert.deepEqual(restoreViewQuery({ preset: '', severity: '', text: 'x', raw: '', window: 15 }, presets), DEFAULT_VIEW_QUERY);
  });

  it('remembers the fields the controls changed, over what it remembered: a deploy view\'s start is not the next window', () => {
    const last = query({ severity: 'WARNING', window: '6h' });
    // The deploy's logs open from the deploy's start, with no filter; there the user asks for errors only.
    const deployView = query({ window: '2026-01-30T22:59:00Z' });
    assert.deepEqual(nextRemembered(last, deployView, { ...deployView, severity: 'ERROR' }), query({ severity: 'ERROR', window: '6h' }));
    assert.deepEqual(nextRemembered(last, deployView, { ...deployView, window: '15m' }), query({ severity: 'WARNING', window: '15m' }));
    // Cleared is a change too.
    assert.deepEqual(nextRemembered(last, last, { ...last, severity: '' }), query({ window: '6h' }));
    // A view opened with the remembered query: what it applies is what is remembered.
    const applied = query({ preset: 'saved:MERGE', text: 'timeout', window: '15m' });
    assert.deepEqual(nextRemembered(last, last, applied), applied);
  });

  it('restores a remembered filter under the name that offers its query now (merged with a built-in, or renamed)', () => {
    const fields = { preset: '', severity: '', text: '', raw: '', window: '1h' };
    // "Errors only" was chosen before the config saved the same query as "Errors", which now offers it.
    assert.deepEqual(restoreViewQuery({ ...fields, preset: 'builtin:errors' }, presets), query({ preset: 'saved:Errors' }));
    // The saved "Errors" left the config: the built-in "Errors only" offers its query again.
    assert.deepEqual(restoreViewQuery({ ...fields, preset: 'saved:Errors', presetQuery: 'severity >= ERROR' }, filterPresets({})), query({ preset: 'builtin:errors' }));
    // Renamed, the query respaced.
    assert.deepEqual(restoreViewQuery({ ...fields, preset: 'saved:MERGE', presetQuery: 'textPayload=~"MERGE"' }, filterPresets({ Merges: 'textPayload =~ "MERGE"' })), query({ preset: 'saved:Merges' }));
    // No preset offers the query any more: all entries, as before.
    assert.deepEqual(restoreViewQuery({ ...fields, preset: 'saved:MERGE', presetQuery: 'textPayload=~"MERGE"' }, filterPresets({})), query({}));
    // What the workspace stores: the query and its preset's query.
    assert.deepEqual(rememberedQuery(query({ preset: 'saved:Errors', text: 't' }), presets), { ...query({ preset: 'saved:Errors', text: 't' }), presetQuery: 'severity >= ERROR' });
    assert.deepEqual(rememberedQuery(query({ text: 't' }), presets), { ...query({ text: 't' }), presetQuery: '' });
  });
});

describe('webview batching', () => {
  function fakeTimers(): TimerApi & { advance(ms: number): void; pending: number } {
    let now = 0;
    let timers: { at: number; cb: () => void; id: number }[] = [];
    let ids = 0;
    return {
      set: (cb, ms) => {
        timers.push({ at: now + ms, cb, id: ++ids });
        return ids;
      },
      clear: (id) => {
        timers = timers.filter((t) => t.id !== id);
      },
      now: () => now,
      advance(ms) {
        const until = now + ms;
        for (;;) {
          const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
          if (!due) break;
          timers = timers.filter((t) => t !== due);
          now = due.at;
          due.cb();
        }
        now = until;
      },
      get pending() {
        return timers.length;
      },
    };
  }

  it('flushes once per interval however many changes arrive', () => {
    const timers = fakeTimers();
    let flushes = 0;
    const batcher = new FlushBatcher(() => flushes++, 100, timers);
    for (let i = 0; i < 20_000; i++) batcher.notify();
    assert.equal(timers.pending, 1);
    timers.advance(0);
    assert.equal(flushes, 1);
    for (let i = 0; i < 20_000; i++) batcher.notify();
    timers.advance(99);
    assert.equal(flushes, 1, 'the second flush waits for the interval');
    timers.advance(1);
    assert.equal(flushes, 2);
  });

  it('flushes the first change after a quiet interval at once, not an interval later', () => {
    const timers = fakeTimers();
    const flushedAt: number[] = [];
    const batcher = new FlushBatcher(() => flushedAt.push(timers.now()), 100, timers);
    batcher.notify();
    timers.advance(500);
    batcher.notify();
    timers.advance(500);
    assert.deepEqual(flushedAt, [0, 500]);
  });

  it('soon() flushes again on the next turn for the next slice, whatever the interval', () => {
    const timers = fakeTimers();
    let flushes = 0;
    const batcher = new FlushBatcher(() => flushes++, 100, timers);
    batcher.notify();
    timers.advance(0);
    batcher.notify();
    batcher.soon();
    assert.equal(timers.pending, 1, 'one flush scheduled, not two');
    timers.advance(0);
    assert.equal(flushes, 2);
  });

  it('does not flush after dispose', () => {
    const timers = fakeTimers();
    let flushes = 0;
    const batcher = new FlushBatcher(() => flushes++, 100, timers);
    batcher.notify();
    batcher.dispose();
    timers.advance(1000);
    batcher.notify();
    batcher.soon();
    assert.equal(flushes, 0);
    assert.equal(timers.pending, 0);
  });

  it('sends what is new, capped to what the webview keeps, in slices oldest first', () => {
    assert.equal(planAppend(10, 0, 10, 3000), null);
    assert.deepEqual(planAppend(10, 0, 15, 3000), { fromSeq: 10, toSeq: 15, skipped: 0 });
    assert.deepEqual(planAppend(0, 0, 20_000, 3000), { fromSeq: 17_000, toSeq: 20_000, skipped: 17_000 });
    // Evicted by the ring before they were sent: counted as skipped.
    assert.deepEqual(planAppend(5, 50, 60, 3000), { fromSeq: 50, toSeq: 60, skipped: 45 });
    assert.deepEqual(planAppend(0, 0, 20_000, 3000, 250), { fromSeq: 17_000, toSeq: 17_250, skipped: 17_000 });
    assert.deepEqual(planAppend(17_250, 0, 20_000, 3000, 250), { fromSeq: 17_250, toSeq: 17_500, skipped: 0 });
  });
});

describe('stack-trace links', () => {
  const repo = new Set(['predictions/coordinator/coordinator.py', 'src/server.js']);
  const exists = (p: string) => repo.has(p);

  it('maps /app/ (or any prefix) to the repository file that exists', () => {
    assert.equal(resolveRepoPath('/app/predictions/coordinator/coordinator.py', exists), 'predictions/coordinator/coordinator.py');
    assert.equal(resolveRepoPath('/workspace/src/server.js', exists), 'src/server.js');
    assert.equal(resolveRepoPath('/app/nothing.py', exists), null);
  });

  it('links Python frames naming repository files, with span and line', () => {
    const text = 'Traceback (most recent call last):\n  File "/app/predictions/coordinator/coordinator.py", line 212, in consolidate\n  File "/usr/local/lib/python3.11/site-packages/x.py", line 3, in y\n';
    const links = stackTraceLinks(text, exists);
    assert.equal(links.length, 1);
    const link = links[0]!;
    assert.equal(link.file, 'predictions/coordinator/coordinator.py');
    assert.equal(link.line, 212);
    assert.equal(text.slice(link.index, link.index + link.length), '/app/predictions/coordinator/coordinator.py", line 212');
  });

  it('never returns a path with .. segments (the result stays inside the repository)', () => {
    assert.equal(resolveRepoPath('/app/../etc/passwd', () => true), 'etc/passwd');
    assert.deepEqual(stackTraceLinks('plain text', exists), []);
  });

  it('caches existence checks', () => {
    let calls = 0;
    const cached = cachedExists((p) => {
      calls++;
      return p === 'a';
    });
    assert.equal(cached('a'), true);
    assert.equal(cached('a'), true);
    assert.equal(cached('b'), false);
    assert.equal(calls, 2);
  });
});

describe('webview rows and messages', () => {
  const entry: LogEntry = {
    insertId: '1',
    timestamp: '2026-01-01T00:00:00.123Z',
    severity: 'ERROR',
    service: 'api',
    revision: 'api-00001-abc',
    log: 'run.googleapis.com/stdout',
    json: { message: 'File "/app/predictions/coordinator/coordinator.py", line 212', n: 1 },
  };

  it('keeps the entry timestamp, the message as text and pretty JSON', () => {
    const row = rowFor(7, entry, (p) => p === 'predictions/coordinator/coordinator.py');
    assert.equal(row.seq, 7);
    assert.equal(row.timestamp, entry.timestamp);
    assert.equal(row.text, entry.json!['message']);
    assert.equal(row.json, JSON.stringify(entry.json, null, 2));
    assert.equal(row.links.length, 1);
  });

  it('accepts only well-formed webview messages', () => {
    assert.deepEqual(parseFromWebview({ type: 'search', text: 'x' }), { type: 'search', text: 'x' });
    assert.equal(parseFromWebview({ type: 'search' }), null);
    assert.equal(parseFromWebview({ type: 'search', text: 'x'.repeat(1001) }), null);
    assert.equal(parseFromWebview({ type: 'export', format: 'exe' }), null);
    assert.equal(parseFromWebview({ type: 'openFile', file: 'a', line: 1.5 }), null);
    assert.equal(parseFromWebview({ type: 'openFile', file: 'a', line: 0 }), null);
    assert.equal(parseFromWebview({ type: 'openFile', file: 'a'.repeat(1025), line: 1 }), null);
    assert.equal(parseFromWebview('pause'), null);
    assert.equal(parseFromWebview({ type: 'eval', code: '1' }), null);
    assert.deepEqual(parseFromWebview({ type: 'live', extra: 1 }), { type: 'live' });
  });

  it('accepts a query message only with every field a string within its limit (its values are checked later)', () => {
    const fields = { preset: 'saved:Errors', severity: 'ERROR', text: 't', raw: '', window: '15m' };
    assert.deepEqual(parseFromWebview({ type: 'query', query: fields }), { type: 'query', fields });
    assert.equal(parseFromWebview({ type: 'query', query: { ...fields, window: 15 } }), null);
    assert.equal(parseFromWebview({ type: 'query', query: { ...fields, text: 'x'.repeat(501) } }), null);
    assert.equal(parseFromWebview({ type: 'query', query: { ...fields, raw: 'x'.repeat(4001) } }), null);
    assert.equal(parseFromWebview({ type: 'query', query: { ...fields, severity: 'E'.repeat(21) } }), null);
    assert.equal(parseFromWebview({ type: 'query' }), null);
    const { severity: _dropped, ...withoutSeverity } = fields;
    assert.equal(parseFromWebview({ type: 'query', query: withoutSeverity }), null);
  });

  it('accepts a jump only to a finite time within the years 0–9999', () => {
    assert.deepEqual(parseFromWebview({ type: 'jump', at: 1_767_225_600_000 }), { type: 'jump', at: 1_767_225_600_000 });
    assert.equal(parseFromWebview({ type: 'jump', at: Number.POSITIVE_INFINITY }), null);
    assert.equal(parseFromWebview({ type: 'jump', at: Number.NaN }), null);
    assert.equal(parseFromWebview({ type: 'jump', at: '1767225600000' }), null);
    assert.equal(parseFromWebview({ type: 'jump', at: 1e17 }), null);
  });

  it('says in the status line that a restarted stream is loading its history', () => {
    const status = new LogBuffer().status();
    assert.match(statusLine(status, 'all entries · since 1h ago'), /· loading history · 0 reconnects · all entries · since 1h ago$/);
    assert.match(statusLine(status, 'Errors · since 1h ago', true), /· restarted, loading history · /);
  });

  it('parses command options: the filter fields given replace the remembered ones, the window separately', () => {
    const logFilters = { E: 'severity>=ERROR', Again: 'severity >= ERROR' };
    const presets = filterPresets(logFilters);
    const none: Omit<LogViewQuery, 'window'> = { preset: '', severity: '', text: '', raw: '' };
    assert.deepEqual(parseOpenLogsOptions({ severity: 'error', window: '6h' }, logFilters, presets), { filter: { ...none, severity: 'ERROR' }, window: '6h' });
    // A name whose query was merged into another preset opens that preset.
    assert.deepEqual(parseOpenLogsOptions({ filterName: 'Again' }, logFilters, presets), { filter: { ...none, preset: 'saved:E' } });
    assert.deepEqual(parseOpenLogsOptions({ filterName: 'toString' }, logFilters, presets), {});
    assert.deepEqual(parseOpenLogsOptions({ window: 'yesterday' }, logFilters, presets), {});
    assert.deepEqual(parseOpenLogsOptions({ window: '2026-01-30T22:59:00Z', all: true }, logFilters, presets), { window: '2026-01-30T22:59:00Z', filter: none });
    const last: LogViewQuery = { preset: 'saved:E', severity: 'WARNING', text: 'remembered', raw: '', window: '15m' };
    assert.deepEqual(openingQuery({}, last), last);
    assert.deepEqual(openingQuery({ window: '6h' }, last), { ...last, window: '6h' });
    assert.deepEqual(openingQuery({ filter: { ...none, text: 'given' } }, last), { ...none, text: 'given', window: '15m' });
    assert.deepEqual(openingQuery({}), DEFAULT_VIEW_QUERY);
  });

  it('takes a filterName only from the saved filters themselves, never from names every object inherits', () => {
    const presets = filterPresets({ E: 'severity>=ERROR' });
    const none: Omit<LogViewQuery, 'window'> = { preset: '', severity: '', text: '', raw: '' };
    assert.deepEqual(parseOpenLogsOptions({ filterName: 'constructor' }, { E: 'severity>=ERROR' }, presets), {});
    assert.deepEqual(parseOpenLogsOptions({ filterName: 'toString', text: 'boom' }, {}, filterPresets({})), { filter: { ...none, text: 'boom' } });
  });

  it('parses revision targets', () => {
    assert.deepEqual(revisionTarget({ serviceName: 'api', serving: { revision: 'api-1' } }), { service: 'api', revision: 'api-1' });
    assert.equal(revisionTarget('api'), null);
  });
});
