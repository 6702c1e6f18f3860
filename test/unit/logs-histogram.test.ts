// Entries over time for the log view's histogram: round bucket sizes over the window, severity bands, and the counts
// over the entries a LogBuffer holds (evicted and cleared ones gone).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bucketAt, countEntry, emptyHistogram, histogramLayout, LogBuffer, severityBand, severityRank, SEVERITY_BANDS, type LogEntry } from '../../src/core/logs';

const T0 = Date.parse('2026-01-30T22:00:00Z');
const MINUTE = 60_000;

function entry(n: number, atMs: number, severity: LogEntry['severity'] = 'INFO'): LogEntry {
  return { insertId: `e${n}`, timestamp: new Date(atMs).toISOString(), severity, service: 'api', revision: 'api-1', log: 'run.googleapis.com/stdout', text: `entry ${n}` };
}

describe('histogram layout', () => {
  test('picks the smallest round bucket size that covers the window in at most maxBuckets, aligned to it', () => {
    // 15 s buckets would take 61 (both ends count: an entry logged right now is in the last one).
    assert.deepEqual(histogramLayout(T0, T0 + 15 * MINUTE), { startMs: T0, bucketMs: 30_000, count: 31 });
    assert.deepEqual(histogramLayout(T0 + 1_000, T0 + 14 * MINUTE), { startMs: T0, bucketMs: 15_000, count: 57 });
  });

  test('a window of an hour, six hours, a day: one, ten and thirty minute buckets', () => {
    assert.deepEqual(histogramLayout(T0 + 5_000, T0 + 60 * MINUTE), { startMs: T0, bucketMs: 2 * MINUTE, count: 31 });
    assert.equal(histogramLayout(T0, T0 + 6 * 60 * MINUTE).bucketMs, 10 * MINUTE);
    assert.equal(histogramLayout(T0, T0 + 24 * 60 * MINUTE).bucketMs, 30 * MINUTE);
    for (const [from, to] of [[T0, T0 + 1], [T0 - 7 * 86_400_000, T0], [0, T0], [T0 + 3_333, T0 + 3_333_333]] as const) {
      const layout = histogramLayout(from, to, 60);
      assert.ok(layout.count >= 1 && layout.count <= 60, `${layout.count} buckets for [${from}, ${to}]`);
      assert.ok(layout.startMs <= from && layout.startMs + layout.count * layout.bucketMs > to, `[${from}, ${to}] not covered by ${JSON.stringify(layout)}`);
      assert.equal(layout.startMs % layout.bucketMs, 0);
    }
  });

  test('bucketAt: half-open buckets; outside (or not a time) is -1', () => {
    const layout = histogramLayout(T0, T0 + 15 * MINUTE);
    assert.equal(bucketAt(layout, T0), 0);
    assert.equal(bucketAt(layout, T0 + layout.bucketMs - 1), 0);
    assert.equal(bucketAt(layout, T0 + layout.bucketMs), 1);
    assert.equal(bucketAt(layout, T0 - 1), -1);
    assert.equal(bucketAt(layout, layout.startMs + layout.count * layout.bucketMs), -1);
    assert.equal(bucketAt(layout, Number.NaN), -1);
  });
});

describe('severity bands', () => {
  test('DEFAULT/DEBUG, INFO/NOTICE, WARNING, ERROR and above, as the Logs Explorer colors them', () => {
    const band = (s: string) => SEVERITY_BANDS[severityBand(severityRank(s))];
    assert.deepEqual(
      ['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY', 'bogus'].map(band),
      ['debug', 'debug', 'info', 'info', 'warning', 'error', 'error', 'error', 'error', 'debug'],
    );
  });

  test('countEntry adds to its bucket and band, or to outside', () => {
    const histogram = emptyHistogram(histogramLayout(T0, T0 + 15 * MINUTE));
    countEntry(histogram, T0 + 1, severityRank('ERROR'));
    countEntry(histogram, T0 + 2, severityRank('INFO'));
    countEntry(histogram, T0 + 40_000, severityRank('WARNING'));
    countEntry(histogram, T0 + 99 * MINUTE, severityRank('INFO'));
    assert.deepEqual(histogram.counts.slice(0, 3), [[0, 1, 0, 1], [0, 0, 1, 0], [0, 0, 0, 0]]);
    assert.equal(histogram.outside, 1);
  });
});

describe('LogBuffer histogram and times', () => {
  test('counts the entries held: evicted ones leave it, cleared ones too', () => {
    const buffer = new LogBuffer({ capacity: 3 });
    const layout = histogramLayout(T0, T0 + 15 * MINUTE);
    assert.equal(layout.bucketMs, 30_000);
    buffer.append([entry(1, T0, 'ERROR'), entry(2, T0 + 31_000), entry(3, T0 + 32_000, 'WARNING')]);
    assert.deepEqual(buffer.histogram(layout).counts.slice(0, 3), [[0, 0, 0, 1], [0, 1, 1, 0], [0, 0, 0, 0]]);
    buffer.append([entry(4, T0 + 61_000, 'DEBUG')]);
    assert.deepEqual(buffer.histogram(layout).counts.slice(0, 3), [[0, 0, 0, 0], [0, 1, 1, 0], [1, 0, 0, 0]], 'the evicted ERROR is gone');
    buffer.clear();
    assert.ok(buffer.histogram(layout).counts.every((c) => c.every((n) => n === 0)));
  });

  test('timeAt and firstAtOrAfter read the entries’ own timestamps (nanoseconds and all)', () => {
    const buffer = new LogBuffer({ capacity: 10 });
    buffer.append([entry(1, T0), { ...entry(2, 0), timestamp: '2026-01-30T22:00:05.123456789Z' }, entry(3, T0 + 9_000)]);
    assert.equal(buffer.timeAt(1), T0 + 5_123);
    assert.equal(buffer.timeAt(3), undefined);
    assert.equal(buffer.firstAtOrAfter(T0 + 1), 1);
    assert.equal(buffer.firstAtOrAfter(T0 + 5_124), 2);
    assert.equal(buffer.firstAtOrAfter(T0 + 10_000), 3, 'none that late: nextSeq');
  });
});
