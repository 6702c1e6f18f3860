// The log view's vscode-free parts: filter picker → core query, batching of webview posts, stack-trace links,
// webview message validation and command options.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeFilter, type LogEntry, type LogScope } from '../../src/core/logs';
import { FlushBatcher, planAppend, type TimerApi } from '../../src/extension/logs/batcher';
import { describeChoice, describeWindow, filterPickItems, logQueryFor } from '../../src/extension/logs/logQuery';
import { parseFromWebview, rowFor } from '../../src/extension/logs/messages';
import { parseOpenLogsOptions, revisionTarget } from '../../src/extension/logs/openRequest';
import { cachedExists, resolveRepoPath, stackTraceLinks } from '../../src/extension/logs/stackLinks';

const scope: LogScope = { kind: 'services', services: [{ name: 'api', region: 'europe-west1' }] };

describe('log filter picker', () => {
  it('offers all entries, saved filters, errors only, severity, text and raw query', () => {
    const items = filterPickItems({ Errors: 'severity>=ERROR', MERGE: 'textPayload=~"MERGE"' });
    assert.deepEqual(
      items.map((i) => i.label),
      ['All entries', 'Errors', 'MERGE', 'Errors only', 'Minimum severity…', 'Text…', 'Logging query…'],
    );
    assert.deepEqual(items[2]!.choice, { kind: 'saved', name: 'MERGE', query: 'textPayload=~"MERGE"' });
  });

  it('maps each choice to the matching LogQuery field', () => {
    assert.deepEqual(logQueryFor(scope, { kind: 'all' }), { scope });
    assert.deepEqual(logQueryFor(scope, { kind: 'saved', name: 'E', query: 'severity>=ERROR' }), { scope, savedFilter: 'severity>=ERROR' });
    assert.deepEqual(logQueryFor(scope, { kind: 'severity', severity: 'ERROR' }), { scope, minSeverity: 'ERROR' });
    assert.deepEqual(logQueryFor(scope, { kind: 'text', text: 'x' }), { scope, text: 'x' });
    assert.deepEqual(logQueryFor(scope, { kind: 'raw', query: 'jsonPayload.a="b"' }), { scope, raw: 'jsonPayload.a="b"' });
  });

  it('free text is quoted by core, never spliced', () => {
    const filter = composeFilter(logQueryFor(scope, { kind: 'text', text: '") OR (resource.type="gce_instance"' }));
    assert.ok(filter.includes('\\") OR (resource.type=\\"gce_instance\\"'), filter);
    assert.ok(filter.includes('resource.type="cloud_run_revision"'), filter);
  });

  it('describes choices for the status line', () => {
    assert.equal(describeChoice({ kind: 'severity', severity: 'ERROR' }), 'ERROR and above');
    assert.equal(describeChoice({ kind: 'saved', name: 'MERGE', query: 'q' }), 'MERGE');
    assert.equal(describeWindow('1h'), 'since 1h ago');
    assert.equal(describeWindow('2026-01-30T22:59:00Z'), 'since 2026-01-30T22:59:00Z');
  });
});

describe('webview batching', () => {
  function fakeTimers(): TimerApi & { fire(): void; pending: number } {
    let callbacks: (() => void)[] = [];
    return {
      set: (cb) => {
        callbacks.push(cb);
        return callbacks.length;
      },
      clear: () => {
        callbacks = [];
      },
      fire() {
        const due = callbacks;
        callbacks = [];
        for (const cb of due) cb();
      },
      get pending() {
        return callbacks.length;
      },
    };
  }

  it('flushes once per interval however many changes arrive', () => {
    const timers = fakeTimers();
    let flushes = 0;
    const batcher = new FlushBatcher(() => flushes++, 100, timers);
    for (let i = 0; i < 20_000; i++) batcher.notify();
    assert.equal(timers.pending, 1);
    timers.fire();
    assert.equal(flushes, 1);
    batcher.notify();
    timers.fire();
    assert.equal(flushes, 2);
  });

  it('does not flush after dispose', () => {
    const timers = fakeTimers();
    let flushes = 0;
    const batcher = new FlushBatcher(() => flushes++, 100, timers);
    batcher.notify();
    batcher.dispose();
    timers.fire();
    batcher.notify();
    assert.equal(flushes, 0);
    assert.equal(timers.pending, 0);
  });

  it('sends what is new, capped to what the webview keeps', () => {
    assert.equal(planAppend(10, 0, 10, 3000), null);
    assert.deepEqual(planAppend(10, 0, 15, 3000), { fromSeq: 10, toSeq: 15, skipped: 0 });
    assert.deepEqual(planAppend(0, 0, 20_000, 3000), { fromSeq: 17_000, toSeq: 20_000, skipped: 17_000 });
    // Evicted by the ring before they were sent: counted as skipped.
    assert.deepEqual(planAppend(5, 50, 60, 3000), { fromSeq: 50, toSeq: 60, skipped: 45 });
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
    assert.equal(parseFromWebview({ type: 'export', format: 'exe' }), null);
    assert.equal(parseFromWebview({ type: 'openFile', file: 'a', line: 1.5 }), null);
    assert.equal(parseFromWebview('pause'), null);
  });

  it('parses command options and revision targets', () => {
    assert.deepEqual(parseOpenLogsOptions({ severity: 'error', window: '6h' }, {}), { choice: { kind: 'severity', severity: 'ERROR' }, window: '6h' });
    assert.deepEqual(parseOpenLogsOptions({ filterName: 'E' }, { E: 'severity>=ERROR' }), { choice: { kind: 'saved', name: 'E', query: 'severity>=ERROR' } });
    assert.deepEqual(parseOpenLogsOptions({ window: 'yesterday' }, {}), {});
    assert.deepEqual(parseOpenLogsOptions({ window: '2026-01-30T22:59:00Z', all: true }, {}), { window: '2026-01-30T22:59:00Z', choice: { kind: 'all' } });
  });

  it('takes a filterName only from the saved filters themselves, never from names every object inherits', () => {
    assert.deepEqual(parseOpenLogsOptions({ filterName: 'constructor' }, { E: 'severity>=ERROR' }), {});
    assert.deepEqual(parseOpenLogsOptions({ filterName: 'toString', text: 'boom' }, {}), { choice: { kind: 'text', text: 'boom' } });
  });

  it('parses revision targets', () => {
    assert.deepEqual(revisionTarget({ serviceName: 'api', serving: { revision: 'api-1' } }), { service: 'api', revision: 'api-1' });
    assert.equal(revisionTarget('api'), null);
  });
});
