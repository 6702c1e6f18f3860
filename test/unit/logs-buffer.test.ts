// The log view's model: ring buffer with a cap, pause/resume, search, clear, export, rate and counters, and
// the CLI's line formats.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LogBuffer } from '../../src/core/logs/buffer';
import type { LogEntry } from '../../src/core/logs/entry';
import { cliJson, formatLogLine, terminalLogLine } from '../../src/core/logs/format';
import { renderTerminal } from '../../src/core/text/terminalText';

function entry(n: number, extra: Partial<LogEntry> = {}): LogEntry {
  return {
    insertId: `id-${n}`,
    timestamp: `2026-01-30T22:59:${String(n % 60).padStart(2, '0')}.000Z`,
    severity: 'INFO',
    service: 'api',
    revision: 'api-00001-aaa',
    log: 'run.googleapis.com/stdout',
    text: `line ${n}`,
    ...extra,
  };
}

/** An entry with a JSON payload instead of text. */
function jsonEntry(n: number, json: LogEntry['json'], extra: Partial<LogEntry> = {}): LogEntry {
  const { text: _text, ...rest } = entry(n, extra);
  return { ...rest, json };
}

function entries(from: number, count: number): LogEntry[] {
  return Array.from({ length: count }, (_, i) => entry(from + i));
}

class FakeClock {
  ms = 1_000_000;
  now = (): number => this.ms;
}

describe('LogBuffer', () => {
  test('keeps at most `capacity` entries, evicting the oldest; sequence numbers keep counting', () => {
    const buffer = new LogBuffer({ capacity: 5 });
    buffer.append(entries(0, 3));
    buffer.append(entries(3, 4));
    assert.equal(buffer.size, 5);
    assert.equal(buffer.firstSeq, 2);
    assert.equal(buffer.nextSeq, 7);
    assert.deepEqual(buffer.slice(0).map((e) => e.insertId), ['id-2', 'id-3', 'id-4', 'id-5', 'id-6']);
    assert.equal(buffer.at(1), undefined);
    assert.equal(buffer.at(6)?.insertId, 'id-6');
    assert.equal(buffer.status().evicted, 2);
    assert.equal(buffer.status().totalAppended, 7);
    // A batch larger than the ring keeps its newest `capacity`.
    buffer.append(entries(100, 12));
    assert.deepEqual(buffer.slice(0).map((e) => e.insertId), ['id-107', 'id-108', 'id-109', 'id-110', 'id-111']);
    assert.equal(buffer.firstSeq, 14);
    assert.equal(buffer.status().evicted, 14);
  });

  test('since(seq) gives what a view has not drawn yet', () => {
    const buffer = new LogBuffer({ capacity: 4 });
    buffer.append(entries(0, 2));
    const drawn = buffer.nextSeq;
    buffer.append(entries(2, 1));
    assert.deepEqual(buffer.since(drawn), { fromSeq: 2, entries: [entry(2)] });
    buffer.append(entries(3, 5));
    const delta = buffer.since(drawn);
    assert.equal(delta.fromSeq, 4, 'entries 2 and 3 were evicted before being drawn');
    assert.equal(delta.entries.length, 4);
  });

  test('pause buffers new entries aside; resume shows them; the side queue is bounded too', () => {
    const buffer = new LogBuffer({ capacity: 3 });
    buffer.append(entries(0, 2));
    buffer.pause();
    buffer.append(entries(2, 4));
    assert.deepEqual(buffer.slice(0).map((e) => e.insertId), ['id-0', 'id-1']);
    assert.equal(buffer.status().pendingWhilePaused, 4);
    buffer.append(entries(6, 10));
    assert.ok(buffer.status().pendingWhilePaused <= 6, 'at most twice the capacity waits');
    buffer.resume();
    assert.deepEqual(buffer.slice(0).map((e) => e.insertId), ['id-13', 'id-14', 'id-15']);
    assert.equal(buffer.status().droppedWhilePaused, 11);
    assert.equal(buffer.status().pendingWhilePaused, 0);
    assert.equal(buffer.paused, false);
  });

  test('clear empties the view; sequence numbers continue', () => {
    const buffer = new LogBuffer({ capacity: 3 });
    buffer.append(entries(0, 3));
    buffer.clear();
    assert.equal(buffer.size, 0);
    assert.equal(buffer.firstSeq, 3);
    buffer.append(entries(3, 1));
    assert.equal(buffer.at(3)?.insertId, 'id-3');
  });

  test('search: case-insensitive substring by default, case-sensitive, regex, JSON payloads, limit', () => {
    const buffer = new LogBuffer({ capacity: 10 });
    buffer.append([
      entry(0, { text: 'MERGE failed: updated_at assigned more than once', severity: 'ERROR' }),
      entry(1, { text: 'merge complete' }),
      jsonEntry(2, { message: 'slow model load', seconds: 12.5 }),
      entry(3, { text: 'nothing', revision: 'api-00002-bbb' }),
    ]);
    assert.deepEqual(buffer.search('merge'), [0, 1]);
    assert.deepEqual(buffer.search('MERGE', { caseSensitive: true }), [0]);
    assert.deepEqual(buffer.search('^merge (complete|failed)', { regex: true }), []);
    assert.deepEqual(buffer.search('merge (complete|failed)', { regex: true }), [0, 1]);
    assert.deepEqual(buffer.search('"seconds":12.5'), [2]);
    assert.deepEqual(buffer.search('api-00002'), [3]);
    assert.deepEqual(buffer.search('error'), [0], 'severity is searchable');
    assert.deepEqual(buffer.search('line', { limit: 1 }), []);
    assert.deepEqual(buffer.search('i', { limit: 2 }), [0, 1]);
    assert.deepEqual(buffer.search(''), []);
    assert.throws(() => buffer.search('(', { regex: true }), SyntaxError);
  });

  test('export as .log lines and as .jsonl of full entries', () => {
    const buffer = new LogBuffer({ capacity: 10 });
    buffer.append([entry(1, { severity: 'ERROR', text: 'boom' }), jsonEntry(2, { message: 'hi', n: 1 }, { trace: 'projects/p/traces/t' })]);
    assert.equal(
      buffer.export('log'),
      '2026-01-30T22:59:01.000Z ERROR     api-00001-aaa boom\n2026-01-30T22:59:02.000Z INFO      api-00001-aaa hi {"n":1}\n',
    );
    const lines = buffer.export('jsonl').trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.deepEqual(JSON.parse(lines[1]!), jsonEntry(2, { message: 'hi', n: 1 }, { trace: 'projects/p/traces/t' }));
    assert.equal(new LogBuffer().export('log'), '');
  });

  test('entries per second over the rate window', () => {
    const clock = new FakeClock();
    const buffer = new LogBuffer({ capacity: 100, rateWindowMs: 2000, now: clock.now });
    buffer.append(entries(0, 10));
    clock.ms += 1000;
    buffer.append(entries(10, 30));
    assert.equal(buffer.status().entriesPerSecond, 20);
    clock.ms += 1500;
    assert.equal(buffer.status().entriesPerSecond, 15, 'the first ten left the window');
    clock.ms += 60_000;
    assert.equal(buffer.status().entriesPerSecond, 0);
  });

  test('stream events drive the status line: connection state, reconnects, suppressed, errors', () => {
    const buffer = new LogBuffer();
    let changes = 0;
    const unsubscribe = buffer.onDidChange(() => (changes += 1));
    buffer.applyEvent({ type: 'entries', entries: entries(0, 2) });
    buffer.applyEvent({ type: 'history-complete', count: 2 });
    assert.equal(buffer.status().connection, 'connecting');
    buffer.applyEvent({ type: 'connected', transport: 'grpc', description: 'emulator' });
    assert.equal(buffer.status().connection, 'live');
    buffer.applyEvent({ type: 'reconnecting', attempt: 2, delayMs: 1500, reason: 'the live tail connection was lost (x)', code: 14 });
    assert.deepEqual([buffer.status().connection, buffer.status().reconnects, buffer.status().message], ['reconnecting', 1, 'the live tail connection was lost (x); retrying in 1.5 s (attempt 2)']);
    buffer.applyEvent({ type: 'suppressed', rateLimit: 3, notConsumed: 0, totalRateLimit: 3, totalNotConsumed: 4 });
    assert.deepEqual([buffer.status().suppressedRateLimit, buffer.status().suppressedNotConsumed], [3, 4]);
    buffer.applyEvent({ type: 'polling', reason: 'cannot tail', intervalMs: 5000 });
    assert.deepEqual([buffer.status().connection, buffer.status().message], ['polling', 'cannot tail']);
    buffer.applyEvent({ type: 'error', message: 'Unparseable filter: x', code: 3, fatal: true });
    buffer.applyEvent({ type: 'end', reason: 'failed' });
    assert.deepEqual([buffer.status().connection, buffer.status().message], ['error', 'Unparseable filter: x']);
    assert.equal(buffer.size, 2);
    assert.equal(changes, 7, 'one change per event that changed something');
    unsubscribe();
  });

  test('appending 200,000 entries in batches costs O(1) per entry (no growth with the buffer)', () => {
    const buffer = new LogBuffer({ capacity: 10_000 });
    const batch = entries(0, 1000);
    const started = process.hrtime.bigint();
    for (let i = 0; i < 200; i++) buffer.append(batch);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(buffer.size, 10_000);
    // Generous for a loaded machine: 200k appends are a few ms of work.
    assert.ok(ms < 500, `took ${ms.toFixed(1)} ms`);
  });
});

describe('line formats', () => {
  test('human: timestamp severity revision text, severity colored on request', () => {
    const e = entry(5, { severity: 'ERROR', text: 'boom' });
    assert.equal(formatLogLine(e), '2026-01-30T22:59:05.000Z ERROR     api-00001-aaa boom');
    assert.equal(renderTerminal(terminalLogLine(e), { color: true }), '2026-01-30T22:59:05.000Z \x1b[31mERROR    \x1b[0m api-00001-aaa boom');
    assert.equal(renderTerminal(terminalLogLine(e), { color: false }), formatLogLine(e));
    assert.equal(formatLogLine(entry(6, { revision: null, service: null })), '2026-01-30T22:59:06.000Z INFO      - line 6');
  });

  test('--json: exactly insertId, timestamp, severity, revision and text or json', () => {
    assert.deepEqual(Object.keys(cliJson(entry(1, { trace: 't' }))), ['insertId', 'timestamp', 'severity', 'revision', 'text']);
    assert.deepEqual(cliJson(jsonEntry(2, { a: 1 })), { insertId: 'id-2', timestamp: '2026-01-30T22:59:02.000Z', severity: 'INFO', revision: 'api-00001-aaa', json: { a: 1 } });
  });
});
