// The entry sequencer and entry normalization: once-only delivery, ordering within the window, holds across
// gaps, bounded de-duplication memory; and the LogEntry built from API messages.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { entryText, formatInstant, normalizeApiEntry, parseInstant, shiftInstant, type LogEntry, type TimedEntry } from '../../src/core/logs/entry';
import { EntrySequencer, IdMemory, hashId } from '../../src/core/logs/sequencer';

function timed(insertId: string, seconds: number, nanos = 0): TimedEntry {
  return { entry: { insertId, timestamp: formatInstant({ seconds, nanos }), severity: 'INFO', service: 'api', revision: 'api-1', log: 'run.googleapis.com/stdout', text: insertId }, seconds, nanos };
}

function sequencer(options: { windowMs?: number; dedupCapacity?: number; dedupRetentionMs?: number } = {}): { seq: EntrySequencer; batches: string[][] } {
  const batches: string[][] = [];
  const seq = new EntrySequencer({
    windowMs: options.windowMs ?? 20,
    dedupCapacity: options.dedupCapacity ?? 1000,
    dedupRetentionMs: options.dedupRetentionMs ?? 60_000,
    emit: (entries: LogEntry[]) => batches.push(entries.map((e) => e.insertId)),
  });
  return { seq, batches };
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('EntrySequencer', () => {
  test('entries arriving within the window come out together, sorted by timestamp then insertId', async () => {
    const { seq, batches } = sequencer();
    seq.offer([timed('c', 100), timed('a', 90)]);
    seq.offer([timed('b2', 95, 5), timed('b1', 95, 5), timed('z', 95, 1)]);
    assert.deepEqual(batches, []);
    await tick(40);
    assert.deepEqual(batches, [['a', 'z', 'b1', 'b2', 'c']]);
    assert.equal(seq.stats.emitted, 5);
  });

  test('a burst of deliveries goes out once they pause (quietMs), together and sorted, without waiting out the window', async () => {
    const { seq, batches } = sequencer({ windowMs: 2000 });
    seq.offer([timed('b', 20), timed('c', 30)]);
    await new Promise((resolve) => setImmediate(resolve));
    seq.offer([timed('a', 10)]);
    await tick(5);
    assert.deepEqual(batches, [], 'still within the quiet period');
    await tick(100);
    assert.deepEqual(batches, [['a', 'b', 'c']]);
  });

  test('deliveries that never pause still go out windowMs after the first', async () => {
    const batches: string[][] = [];
    const seq = new EntrySequencer({ windowMs: 120, quietMs: 50, dedupCapacity: 1000, dedupRetentionMs: 60_000, emit: (entries) => batches.push(entries.map((e) => e.insertId)) });
    const started = Date.now();
    let n = 0;
    while (batches.length === 0 && Date.now() - started < 1000) {
      seq.offer([timed(`e${n}`, n)]);
      n += 1;
      await tick(10);
    }
    const waited = Date.now() - started;
    assert.ok(waited >= 110 && waited < 400, `the first batch came after ${waited} ms`);
    assert.deepEqual(batches[0], Array.from({ length: batches[0]!.length }, (_, i) => `e${i}`));
    seq.dispose();
  });

  test('an entry delivered twice (same insertId and timestamp) is emitted once; another timestamp is another entry', async () => {
    const { seq, batches } = sequencer();
    assert.equal(seq.offer([timed('a', 1), timed('b', 2)]), 2);
    seq.flush();
    assert.equal(seq.offer([timed('a', 1), timed('b', 2), timed('c', 3)]), 1);
    assert.equal(seq.offer([timed('a', 1, 500)]), 1);
    seq.flush();
    assert.deepEqual(batches, [['a', 'b'], ['a', 'c']]);
    assert.equal(seq.stats.duplicates, 2);
  });

  test('holds stop emission until the last one is released, then everything goes out at once', async () => {
    const { seq, batches } = sequencer({ windowMs: 5 });
    seq.hold();
    seq.offer([timed('tail-2', 20)]);
    seq.hold();
    await tick(20);
    seq.offer([timed('backfill-1', 10), timed('tail-2', 20)]);
    seq.release();
    assert.deepEqual(batches, []);
    seq.release();
    assert.deepEqual(batches, [['backfill-1', 'tail-2']]);
    seq.release(); // extra releases are harmless
  });

  test('an entry older than what was already emitted is still emitted, and counted as late', () => {
    const { seq, batches } = sequencer();
    seq.offer([timed('new', 50)]);
    seq.flush();
    seq.offer([timed('old', 10)]);
    seq.flush();
    assert.deepEqual(batches, [['new'], ['old']]);
    assert.equal(seq.stats.late, 1);
  });

  test('lastSeen is the newest instant offered', () => {
    const { seq } = sequencer();
    assert.equal(seq.lastSeen, null);
    seq.offer([timed('a', 10, 7), timed('b', 5)]);
    assert.deepEqual(seq.lastSeen, { seconds: 10, nanos: 7 });
  });

  test('de-duplication memory is bounded: capacity forgets the oldest and reports how far it forgot', () => {
    const { seq } = sequencer({ dedupCapacity: 3 });
    seq.offer([timed('a', 1), timed('b', 2), timed('c', 3)]);
    assert.equal(seq.forgottenUpTo, null);
    seq.offer([timed('d', 4)]);
    assert.deepEqual(seq.forgottenUpTo, { seconds: 1, nanos: 0 });
    // 'a' is forgotten (the stream never backfills from before forgottenUpTo); 'b' is still known.
    assert.equal(seq.offer([timed('b', 2)]), 0);
    seq.dispose();
  });

  test('ids older than the retention before the newest entry are dropped without raising forgottenUpTo', () => {
    const { seq } = sequencer({ dedupRetentionMs: 10_000 });
    seq.offer([timed('old', 100), timed('new', 200)]);
    assert.equal(seq.offer([timed('old', 100)]), 1, 'forgotten by age, so accepted again');
    assert.equal(seq.forgottenUpTo, null);
    seq.dispose();
  });

  test('drain emits even while held', () => {
    const { seq, batches } = sequencer();
    seq.hold();
    seq.offer([timed('a', 1)]);
    seq.drain();
    assert.deepEqual(batches, [['a']]);
  });
});

describe('normalizeApiEntry', () => {
  test('a gRPC-decoded text entry with the zero-valued fields the API fills in', () => {
    const { entry, seconds, nanos } = normalizeApiEntry({
      labels: {},
      insertId: 'abc',
      httpRequest: { requestMethod: 'GET', requestUrl: '', requestSize: '0', status: 500, responseSize: '0', latency: { seconds: '1', nanos: 500_000_000 }, protocol: '' },
      resource: { labels: { project_id: 'p', service_name: 'api', revision_name: 'api-00001-aaa' }, type: 'cloud_run_revision' },
      timestamp: { seconds: '1769813940', nanos: 123456789 },
      severity: 'ERROR',
      logName: 'projects/p/logs/run.googleapis.com%2Fstderr',
      operation: null,
      trace: '',
      sourceLocation: { file: 'main.py', line: '12', function: '' },
      spanId: '',
      split: null,
      textPayload: 'boom',
      payload: 'textPayload',
    });
    assert.deepEqual(entry, {
      insertId: 'abc',
      timestamp: '2026-01-30T22:59:00.123456789Z',
      severity: 'ERROR',
      service: 'api',
      revision: 'api-00001-aaa',
      log: 'run.googleapis.com/stderr',
      text: 'boom',
      httpRequest: { requestMethod: 'GET', status: 500, latency: '1.500s' },
      sourceLocation: { file: 'main.py', line: 12 },
    });
    assert.equal(seconds, 1769813940);
    assert.equal(nanos, 123456789);
  });

  test('a Struct payload becomes plain JSON; numeric severities and RFC 3339 strings are understood', () => {
    const { entry } = normalizeApiEntry({
      insertId: 'j',
      timestamp: '2026-01-30T22:59:00.5Z',
      severity: 400,
      resource: { type: 'global', labels: {} },
      jsonPayload: {
        fields: {
          message: { stringValue: 'hello', kind: 'stringValue' },
          n: { numberValue: 2, kind: 'numberValue' },
          ok: { boolValue: true, kind: 'boolValue' },
          nested: { structValue: { fields: { list: { listValue: { values: [{ nullValue: 'NULL_VALUE', kind: 'nullValue' }, { stringValue: 'x', kind: 'stringValue' }] }, kind: 'listValue' } } }, kind: 'structValue' },
        },
      },
      payload: 'jsonPayload',
      labels: { instanceId: 'i-1' },
    });
    assert.deepEqual(entry.json, { message: 'hello', n: 2, ok: true, nested: { list: [null, 'x'] } });
    assert.equal(entry.severity, 'WARNING');
    assert.equal(entry.timestamp, '2026-01-30T22:59:00.500Z');
    assert.equal(entry.service, null);
    assert.deepEqual(entry.labels, { instanceId: 'i-1' });
    assert.equal(entryText(entry), 'hello {"n":2,"ok":true,"nested":{"list":[null,"x"]}}');
  });

  test('a "__proto__" key in a payload or labels stays a field, never the object\'s prototype', () => {
    const { entry } = normalizeApiEntry({
      insertId: 'p',
      timestamp: '2026-01-30T22:59:00Z',
      resource: { type: 'global', labels: {} },
      jsonPayload: { fields: { ['__proto__']: { structValue: { fields: { message: { stringValue: 'forged' } } }, kind: 'structValue' } } },
      payload: 'jsonPayload',
      labels: JSON.parse('{"__proto__": "x", "instanceId": "i-1"}') as unknown,
    });
    assert.equal(Object.getPrototypeOf(entry.json), Object.prototype);
    assert.deepEqual(Object.keys(entry.json!), ['__proto__']);
    assert.equal(entryText(entry), '{"__proto__":{"message":"forged"}}');
    assert.deepEqual(Object.keys(entry.labels!), ['__proto__', 'instanceId']);
  });

  test('timestamps print as the API does and round-trip with nanoseconds', () => {
    assert.equal(formatInstant({ seconds: 1769813940, nanos: 0 }), '2026-01-30T22:59:00Z');
    assert.equal(formatInstant({ seconds: 1769813940, nanos: 120_000_000 }), '2026-01-30T22:59:00.120Z');
    assert.equal(formatInstant({ seconds: 1769813940, nanos: 120_500_000 }), '2026-01-30T22:59:00.120500Z');
    assert.equal(formatInstant({ seconds: 1769813940, nanos: 1 }), '2026-01-30T22:59:00.000000001Z');
    assert.deepEqual(parseInstant('2026-01-30T22:59:00.000000001Z'), { seconds: 1769813940, nanos: 1 });
    assert.deepEqual(parseInstant('2026-01-31T00:59:00+02:00'), { seconds: 1769813940, nanos: 0 });
    assert.deepEqual(shiftInstant({ seconds: 10, nanos: 100 }, -2000.5), { seconds: 7, nanos: 999_500_100 });
  });
});

describe('EntrySequencer slicing', () => {
  test('a large release goes out in order, in slices of maxBatch, one per macrotask', async () => {
    const slices: string[][] = [];
    const seq = new EntrySequencer({ windowMs: 10, dedupCapacity: 100, dedupRetentionMs: 60_000, maxBatch: 3, emit: (entries) => slices.push(entries.map((e) => e.insertId)) });
    seq.hold();
    seq.offer(['g', 'f', 'e', 'd', 'c', 'b', 'a'].map((id, i) => timed(id, 10 - i)));
    seq.release();
    assert.deepEqual(slices, [['a', 'b', 'c']], 'the first slice at once, the rest on later ticks');
    seq.offer([timed('h', 20)]);
    seq.flush();
    assert.equal(slices.length, 1, 'a later flush queues behind the earlier slices');
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(slices, [['a', 'b', 'c'], ['d', 'e', 'f'], ['g'], ['h']]);
  });

  test('drain empties the outbox at once', () => {
    const slices: string[][] = [];
    const seq = new EntrySequencer({ windowMs: 10, dedupCapacity: 100, dedupRetentionMs: 60_000, maxBatch: 2, emit: (entries) => slices.push(entries.map((e) => e.insertId)) });
    seq.offer([timed('a', 1), timed('b', 2), timed('c', 3), timed('d', 4), timed('e', 5)]);
    seq.drain();
    assert.deepEqual(slices, [['a', 'b'], ['c', 'd'], ['e']]);
    seq.dispose();
  });
});

describe('EntrySequencer ordering of status behind entries', () => {
  test('afterEmitted runs at once when nothing waits, else right after the slices released before it', async () => {
    const log: string[] = [];
    const seq = new EntrySequencer({ windowMs: 10, dedupCapacity: 100, dedupRetentionMs: 60_000, maxBatch: 2, emit: (entries) => log.push(entries.map((e) => e.insertId).join('')) });
    seq.afterEmitted(() => log.push('status-0'));
    seq.offer([timed('a', 1), timed('b', 2), timed('c', 3), timed('d', 4), timed('e', 5)]);
    seq.flush();
    seq.afterEmitted(() => log.push('history-complete'));
    assert.deepEqual(log, ['status-0', 'ab']);
    for (let i = 0; i < 4; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(log, ['status-0', 'ab', 'cd', 'e', 'history-complete']);
    seq.dispose();
  });
});

describe('EntrySequencer protection during a backfill', () => {
  test('ids a backfill may still return are not forgotten by age while it runs', () => {
    const { seq } = sequencer({ dedupRetentionMs: 10_000 });
    seq.offer([timed('history', 100)]);
    const unprotect = seq.protect({ seconds: 98, nanos: 0 });
    // A live entry far newer arrives while the backfill (from 98 s) is in flight.
    seq.offer([timed('live', 1000)]);
    assert.equal(seq.offer([timed('history', 100)]), 0, 'the backfill returns it again: still a duplicate');
    unprotect();
    assert.equal(seq.offer([timed('history', 100)]), 1, 'afterwards it is old enough to be forgotten');
    seq.dispose();
  });

  test('nor for space: the memory grows while protected and shrinks back after', () => {
    const { seq } = sequencer({ dedupCapacity: 2 });
    const unprotect = seq.protect({ seconds: 0, nanos: 0 });
    seq.offer([timed('a', 1), timed('b', 2), timed('c', 3), timed('d', 4), timed('e', 5)]);
    assert.equal(seq.offer([timed('a', 1)]), 0);
    assert.equal(seq.forgottenUpTo, null);
    unprotect();
    assert.deepEqual(seq.forgottenUpTo, { seconds: 3, nanos: 0 });
    assert.equal(seq.offer([timed('e', 5), timed('d', 4)]), 0, 'the newest two are still known');
    seq.dispose();
  });
});

describe('IdMemory (the de-duplication memory)', () => {
  /** The reference: a plain FIFO of records, where only the newest record of an id counts (as with a Map). */
  class Reference {
    records: { id: string; seconds: number; nanos: number }[] = [];
    has(id: string, seconds: number, nanos: number): boolean {
      for (let i = this.records.length - 1; i >= 0; i--) {
        const record = this.records[i]!;
        if (record.id === id) return record.seconds === seconds && record.nanos === nanos;
      }
      return false;
    }
  }

  /** A small deterministic generator, so a failure reproduces. */
  function random(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
  }

  // Weak hashes force long probe runs, runs that wrap around the end of the index, and deletions inside them.
  const hashes: [string, (id: string) => number][] = [
    ['FNV-1a', hashId],
    ['everything collides at the last position', () => -1],
    ['four buckets', (id) => id.length % 4 + (id.charCodeAt(id.length - 1) % 2) * 7],
  ];
  for (const [name, hash] of hashes) {
    test(`matches a plain FIFO under churn, repeats and growth (${name})`, () => {
      const next = random(name.length);
      const memory = new IdMemory(8, hash);
      const reference = new Reference();
      const pool = Array.from({ length: 40 }, (_, i) => `id-${i}`);
      for (let step = 0; step < 20_000; step++) {
        const id = pool[Math.floor(next() * pool.length)]!;
        const seconds = Math.floor(next() * 3);
        const nanos = Math.floor(next() * 2);
        const action = next();
        // Mostly steady churn at about 24 records, sometimes a surge that makes the ring grow.
        const target = step % 5000 < 4000 ? 24 : 60;
        if (action < 0.5 || reference.records.length < target) {
          if (!memory.has(id, seconds, nanos)) {
            memory.push(id, seconds, nanos);
            reference.records.push({ id, seconds, nanos });
          }
        } else {
          memory.shift();
          reference.records.shift();
        }
        assert.equal(memory.size, reference.records.length);
        if (reference.records.length > 0) {
          assert.equal(memory.headSeconds, reference.records[0]!.seconds);
          assert.equal(memory.headNanos, reference.records[0]!.nanos);
        }
        const probe = pool[Math.floor(next() * pool.length)]!;
        for (let s = 0; s < 3; s++) for (let n = 0; n < 2; n++) assert.equal(memory.has(probe, s, n), reference.has(probe, s, n), `step ${step}: ${probe} @ ${s}.${n}`);
      }
    });
  }

  test('removing a record from the middle of a probe run keeps the ids after it reachable', () => {
    const memory = new IdMemory(4, () => 5);
    memory.push('a', 1, 0);
    memory.push('b', 2, 0);
    memory.push('c', 3, 0);
    memory.shift();
    assert.equal(memory.has('a', 1, 0), false);
    assert.equal(memory.has('b', 2, 0), true);
    assert.equal(memory.has('c', 3, 0), true);
  });

  test('an id recorded again with another timestamp: only the newest record counts, and it outlives the older one', () => {
    const memory = new IdMemory(4);
    memory.push('a', 1, 0);
    memory.push('a', 2, 0);
    assert.equal(memory.has('a', 1, 0), false);
    assert.equal(memory.has('a', 2, 0), true);
    memory.shift();
    assert.equal(memory.has('a', 2, 0), true, 'dropping the older record leaves the newer one findable');
    memory.shift();
    assert.equal(memory.has('a', 2, 0), false);
    assert.equal(memory.size, 0);
  });

  test('pushing beyond the capacity grows the ring, oldest first', () => {
    const memory = new IdMemory(2);
    for (let i = 0; i < 5; i++) memory.push(`id-${i}`, i, 0);
    assert.equal(memory.size, 5);
    for (let i = 0; i < 5; i++) {
      assert.equal(memory.headSeconds, i);
      assert.equal(memory.has(`id-${i}`, i, 0), true);
      memory.shift();
      assert.equal(memory.has(`id-${i}`, i, 0), false);
    }
  });

  test('timestamps are compared exactly, nanoseconds included', () => {
    const { seq } = sequencer();
    const seconds = 1_769_900_000;
    assert.equal(seq.offer([timed('a', seconds, 100), timed('a', seconds, 100)]), 1);
    assert.equal(seq.offer([timed('a', seconds, 101)]), 1, 'one nanosecond later is another entry');
    seq.dispose();
  });
});
