// Entries over time, per severity band, as the Logs Explorer draws above its list. Pure: no I/O, no vscode.
//
// API:
//   histogramLayout(fromMs, toMs, maxBuckets = 60) → HistogramLayout   buckets of a round size (1 s … 1 d) covering
//                                                   [fromMs, toMs], at most maxBuckets of them, aligned to the size
//   emptyHistogram(layout) → Histogram
//   countEntry(histogram, timeMs, severityRank)     adds one entry (outside the layout: counted in `outside`)
//   severityBand(rank) → 0..3                       DEFAULT/DEBUG, INFO/NOTICE, WARNING, ERROR and above
//   severityRank(severity) → index in SEVERITIES     (DEFAULT for an unknown name)
//   bucketAt(layout, timeMs) → index or -1
//
// The view computes it over the entries it holds (LogBuffer.histogram), so it always matches the list: a view capped
// at N entries draws the newest N, and a cleared view draws nothing.
import { SEVERITIES } from './filter';

export const SEVERITY_BANDS = ['debug', 'info', 'warning', 'error'] as const;

export interface HistogramLayout {
  /** Start of the first bucket (a multiple of bucketMs). */
  startMs: number;
  bucketMs: number;
  count: number;
}

export interface Histogram extends HistogramLayout {
  /** counts[bucket][band], band as in SEVERITY_BANDS. */
  counts: number[][];
  /** Entries outside the layout's range (a clock skew, or an entry timestamped in the future). */
  outside: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Bucket sizes a person reads at a glance. */
const STEPS = [SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY];

export function histogramLayout(fromMs: number, toMs: number, maxBuckets = 60): HistogramLayout {
  const max = Math.max(1, Math.floor(maxBuckets));
  const from = Math.min(fromMs, toMs);
  const to = Math.max(fromMs, toMs);
  const fits = (step: number): boolean => Math.floor(to / step) - Math.floor(from / step) + 1 <= max;
  // The smallest round size whose aligned buckets cover [from, to] in at most `max` buckets; beyond a day, whole days.
  let bucketMs = STEPS.find(fits);
  if (bucketMs === undefined) {
    let days = Math.max(1, Math.floor((to - from) / DAY / max));
    while (!fits(days * DAY)) days += 1;
    bucketMs = days * DAY;
  }
  const startMs = Math.floor(from / bucketMs) * bucketMs;
  return { startMs, bucketMs, count: Math.floor(to / bucketMs) - Math.floor(from / bucketMs) + 1 };
}

export function emptyHistogram(layout: HistogramLayout): Histogram {
  return { ...layout, counts: Array.from({ length: layout.count }, () => [0, 0, 0, 0]), outside: 0 };
}

const RANK: Readonly<Record<string, number>> = Object.fromEntries(SEVERITIES.map((s, i) => [s, i]));
const BAND_OF_RANK: readonly number[] = SEVERITIES.map((s) => (s === 'DEFAULT' || s === 'DEBUG' ? 0 : s === 'INFO' || s === 'NOTICE' ? 1 : s === 'WARNING' ? 2 : 3));

export function severityRank(severity: string): number {
  return RANK[severity] ?? 0;
}

export function severityBand(rank: number): number {
  return BAND_OF_RANK[rank] ?? 0;
}

export function bucketAt(layout: HistogramLayout, timeMs: number): number {
  if (!Number.isFinite(timeMs)) return -1;
  const index = Math.floor((timeMs - layout.startMs) / layout.bucketMs);
  return index >= 0 && index < layout.count ? index : -1;
}

export function countEntry(histogram: Histogram, timeMs: number, rank: number): void {
  const index = bucketAt(histogram, timeMs);
  if (index < 0) histogram.outside += 1;
  else histogram.counts[index]![severityBand(rank)]! += 1;
}
