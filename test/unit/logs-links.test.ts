// Links from log entries: stack-trace file:line references (Python, Node.js, Go, Java), repository path
// candidates, and Cloud Console links.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogEntry } from '../../src/core/logs/entry';
import { logEntryUrl, MAX_MATCHED_LINE, repoPathCandidates, stackFrames, traceUrl } from '../../src/core/logs/links';

describe('stackFrames', () => {
  test('a Python traceback: own files and library files, with the exact span to link', () => {
    const text = [
      'Traceback (most recent call last):',
      '  File "/app/predictions/coordinator/coordinator.py", line 212, in consolidate',
      '    self._merge(batch)',
      '  File "/usr/local/lib/python3.11/site-packages/google/cloud/bigquery/job/query.py", line 1681, in result',
      'google.api_core.exceptions.BadRequest: 400 UPDATE/MERGE must match at most one source row',
    ].join('\n');
    const frames = stackFrames(text);
    assert.deepEqual(
      frames.map((f) => [f.path, f.line, f.library]),
      [
        ['/app/predictions/coordinator/coordinator.py', 212, false],
        ['/usr/local/lib/python3.11/site-packages/google/cloud/bigquery/job/query.py', 1681, true],
      ],
    );
    assert.equal(text.slice(frames[0]!.index, frames[0]!.index + frames[0]!.length), '/app/predictions/coordinator/coordinator.py", line 212');
  });

  test('Node.js, Go and Java frames', () => {
    const node = stackFrames('Error: boom\n    at handler (/app/src/server.js:42:13)\n    at /app/node_modules/express/lib/router/layer.js:95:5\n    at node:internal/process/task_queues:95:5');
    assert.deepEqual(node.map((f) => [f.path, f.line, f.column, f.library]), [
      ['/app/src/server.js', 42, 13, false],
      ['/app/node_modules/express/lib/router/layer.js', 95, 5, true],
    ]);
    const go = stackFrames('goroutine 1 [running]:\nmain.handler(...)\n\t/app/main.go:42 +0x1d\nnet/http.HandlerFunc.ServeHTTP(...)\n\t/usr/local/go/src/net/http/server.go:2136 +0x29');
    assert.deepEqual(go.map((f) => [f.path, f.line, f.library]), [
      ['/app/main.go', 42, false],
      ['/usr/local/go/src/net/http/server.go', 2136, true],
    ]);
    const java = stackFrames('java.lang.IllegalStateException: x\n\tat com.example.Foo.bar(Foo.java:42)');
    assert.deepEqual(java.map((f) => [f.path, f.line]), [['Foo.java', 42]]);
  });

  test('text without frames has none', () => {
    assert.deepEqual(stackFrames('MERGE complete: 438 rows affected in 4646.0ms'), []);
  });

  test('Node.js frames in every form, and only after an "at "', () => {
    const text = [
      '    at async handler (/app/src/a.js:1:2)',
      '    at new Foo (file:///app/src/b.mjs:3:4)',
      '    at Router.fn [as handle] (/app/src/c.js:5:6)',
      '    at file:///app/src/d.mjs:7:8',
      'GET /health (/app/src/e.js:9:10)',
      '    at(/app/src/f.js:11:12)',
    ].join('\n');
    assert.deepEqual(stackFrames(text).map((f) => [f.path, f.line, f.column]), [
      ['/app/src/a.js', 1, 2],
      ['/app/src/b.mjs', 3, 4],
      ['/app/src/c.js', 5, 6],
      ['/app/src/d.mjs', 7, 8],
    ]);
    const frame = stackFrames(text)[1]!;
    assert.equal(text.slice(frame.index, frame.index + frame.length), '/app/src/b.mjs:3');
  });

  test(`a line is matched in its first ${MAX_MATCHED_LINE} characters only, so its cost is bounded whatever its length`, () => {
    const frame = '    at handler (/app/src/server.js:42:13)';
    const filler = 'at '.repeat(Math.ceil(MAX_MATCHED_LINE / 3));
    // A frame beyond the bound on a long line is not looked for; one within it, and the next line, are.
    const beyond = `${filler}${frame}`;
    const within = `${frame} ${filler}${filler}`;
    const text = [beyond, within, frame].join('\n');
    const frames = stackFrames(text);
    assert.deepEqual(frames.map((f) => f.index), [beyond.length + 1 + frame.indexOf('/app'), beyond.length + 1 + within.length + 1 + frame.indexOf('/app')]);
    for (const f of frames) assert.equal(text.slice(f.index, f.index + f.length), '/app/src/server.js:42');
    assert.equal(stackFrames(`${'x'.repeat(MAX_MATCHED_LINE - frame.length)}${frame}`).length, 1, 'a frame ending exactly at the bound is found');
    assert.equal(stackFrames(`${'x'.repeat(MAX_MATCHED_LINE - frame.length + '42:13)'.length)}${frame}`).length, 0, 'cut at the bound, it is no frame');
  });
});

describe('links', () => {
  test('repository path candidates, longest first', () => {
    assert.deepEqual(repoPathCandidates('/app/predictions/x.py'), ['app/predictions/x.py', 'predictions/x.py', 'x.py']);
  });

  test('trace and Logs Explorer links', () => {
    assert.equal(traceUrl('projects/p-1/traces/0123abcd'), 'https://console.cloud.google.com/traces/list?project=p-1&tid=0123abcd');
    assert.equal(traceUrl(undefined), null);
    assert.equal(traceUrl('0123abcd'), null);
    const entry: LogEntry = { insertId: 'abc"1', timestamp: '2026-01-30T22:59:00.123Z', severity: 'ERROR', service: 'api', revision: 'api-1', log: 'run.googleapis.com/stdout', text: 'x' };
    const url = logEntryUrl(entry, 'p-1');
    assert.ok(url.startsWith('https://console.cloud.google.com/logs/query;query='));
    assert.ok(url.endsWith('?project=p-1'));
    assert.equal(decodeURIComponent(url.slice(url.indexOf('query=') + 6, url.indexOf(';cursorTimestamp'))), 'insertId="abc\\"1"\ntimestamp="2026-01-30T22:59:00.123Z"');
  });
});
