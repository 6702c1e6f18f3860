// The log view's model: a bounded ring of entries with pause/resume, search, clear, export and a status line.
// Pure and synchronous (no vscode, no timers, no I/O), so the extension host can feed it from a LogStream and a
// webview can render from it.
//
// API:
//   new LogBuffer({ capacity = 10_000, rateWindowMs = 5000, now = Date.now })
//   Feeding
//     applyEvent(event: LogStreamEvent)   the one call a view needs: entries are appended (or queued while
//                                         paused), status events update the status line's state and counters
//     append(entries)                     entries only (O(1) per entry; the oldest are evicted beyond capacity)
//   Reading (every appended entry gets a sequence number, seq, counting from 0; the buffer holds
//   [firstSeq, nextSeq) — render incrementally by remembering the last seq you drew)
//     size, capacity, firstSeq, nextSeq
//     at(seq) → LogEntry | undefined      arrivedAt(seq) → ms timestamp it was appended
//     since(seq) → { fromSeq, entries }   what was appended after `seq` (fromSeq > seq when some were evicted)
//     slice(fromSeq, toSeq) → LogEntry[]
//     timeAt(seq) → the entry's timestamp in ms   firstAtOrAfter(ms) → the first seq held whose entry is that late
//     histogram(layout) → entries held per time bucket and severity band (histogram.ts), O(size)
//   Control
//     pause() / resume()                  while paused new entries wait in a side queue (bounded by capacity; the
//                                         excess is counted as droppedWhilePaused) and appear on resume
//     clear()                             empties the ring (seq numbers keep counting)
//   Search and export
//     search(text, { regex?, caseSensitive?, limit? }) → seq[]   over timestamp, severity, revision, text/JSON;
//                                                                 throws SyntaxError for a bad regex
//     export('log' | 'jsonl') → string    .log: one formatLogLine per entry; .jsonl: the full LogEntry as JSON
//   Status
//     status() → LogBufferStatus          size, totals, entries/s over rateWindowMs, reconnects, suppressed,
//                                         connection state and its message, pause state
//     onDidChange(listener) → unsubscribe called synchronously after every change (append, clear, pause, status);
//                                         throttle rendering on your side (e.g. every 100 ms read since(lastSeq))
//
// Cost: append is O(1) per entry (a slot write in preallocated arrays and one rate-bucket update); no per-append
// work grows with the buffer. Search and export are O(size) and run only when asked; search text per entry is
// built on first search and cached in the slot until the slot is overwritten.
import { entryText, type LogEntry } from './entry';
import { formatLogLine } from './format';
import { countEntry, emptyHistogram, severityRank, type Histogram, type HistogramLayout } from './histogram';
import type { LogStreamEvent } from './streamApi';

export interface LogBufferOptions {
  capacity?: number;
  rateWindowMs?: number;
  now?: () => number;
}

/** idle → (history loaded) connecting → live ⇄ reconnecting / polling → ended; error after a fatal error. */
export type ConnectionState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'polling' | 'error' | 'ended';

export interface LogBufferStatus {
  size: number;
  capacity: number;
  /** Entries ever appended (evicted ones included; cleared ones too). */
  totalAppended: number;
  /** Entries pushed out by newer ones. */
  evicted: number;
  /** Entries appended per second over the rate window. */
  entriesPerSecond: number;
  reconnects: number;
  suppressedRateLimit: number;
  suppressedNotConsumed: number;
  connection: ConnectionState;
  /** What the last status event said (reconnect reason, polling reason, error message), for the status line. */
  message: string | null;
  paused: boolean;
  /** Entries waiting to be shown on resume. */
  pendingWhilePaused: number;
  /** Entries that arrived while paused beyond what the side queue holds. */
  droppedWhilePaused: number;
}

export interface SearchOptions {
  regex?: boolean;
  caseSensitive?: boolean;
  /** Stop after this many matches (newest-last order is kept). */
  limit?: number;
}

const RATE_BUCKET_MS = 250;

export class LogBuffer {
  readonly capacity: number;
  private readonly slots: (LogEntry | undefined)[];
  private readonly arrivals: Float64Array;
  /** Each entry's own timestamp (ms) and severity rank, for the histogram: typed arrays, no object per entry. */
  private readonly times: Float64Array;
  private readonly ranks: Uint8Array;
  private readonly searchCache: (string | undefined)[];
  /** seq of the oldest entry held; entries [start, end) are in the ring at index seq % capacity. */
  private start = 0;
  private end = 0;
  private totalAppended = 0;
  private evictedCount = 0;

  private pausedQueue: LogEntry[] = [];
  private isPaused = false;
  private droppedWhilePaused = 0;

  private readonly rateBuckets: Float64Array;
  private rateBucketIndex = -1;
  private readonly rateWindowMs: number;

  private connection: ConnectionState = 'idle';
  private message: string | null = null;
  private reconnects = 0;
  private suppressedRateLimit = 0;
  private suppressedNotConsumed = 0;

  private readonly listeners = new Set<() => void>();
  private readonly now: () => number;

  constructor(options: LogBufferOptions = {}) {
    this.capacity = Math.max(1, Math.floor(options.capacity ?? 10_000));
    this.slots = new Array<LogEntry | undefined>(this.capacity);
    this.arrivals = new Float64Array(this.capacity);
    this.times = new Float64Array(this.capacity);
    this.ranks = new Uint8Array(this.capacity);
    this.searchCache = new Array<string | undefined>(this.capacity);
    this.rateWindowMs = options.rateWindowMs ?? 5000;
    this.rateBuckets = new Float64Array(Math.max(1, Math.ceil(this.rateWindowMs / RATE_BUCKET_MS)));
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.end - this.start;
  }

  get firstSeq(): number {
    return this.start;
  }

  get nextSeq(): number {
    return this.end;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  applyEvent(event: LogStreamEvent): void {
    switch (event.type) {
      case 'entries':
        this.append(event.entries);
        return;
      case 'history-complete':
        this.setConnection('connecting', null);
        return;
      case 'connected':
        this.setConnection('live', null);
        return;
      case 'reconnecting':
        this.reconnects += 1;
        this.setConnection('reconnecting', `${event.reason}; retrying in ${(event.delayMs / 1000).toFixed(1)} s (attempt ${event.attempt})`);
        return;
      case 'polling':
        this.setConnection('polling', event.reason);
        return;
      case 'suppressed':
        this.suppressedRateLimit = event.totalRateLimit;
        this.suppressedNotConsumed = event.totalNotConsumed;
        this.changed();
        return;
      case 'error':
        this.setConnection(event.fatal ? 'error' : this.connection, event.message);
        return;
      case 'end':
        if (this.connection !== 'error') this.setConnection('ended', event.reason === 'failed' ? this.message : null);
        return;
    }
  }

  append(entries: readonly LogEntry[]): void {
    if (entries.length === 0) return;
    if (this.isPaused) {
      for (const entry of entries) this.pausedQueue.push(entry);
      // Keep at most `capacity` waiting: more could never all be visible. Trim in chunks (amortized O(1)).
      if (this.pausedQueue.length > this.capacity * 2) {
        const excess = this.pausedQueue.length - this.capacity;
        this.pausedQueue = this.pausedQueue.slice(excess);
        this.droppedWhilePaused += excess;
      }
      this.countRate(entries.length);
      this.changed();
      return;
    }
    this.write(entries);
    this.countRate(entries.length);
    this.changed();
  }

  private write(entries: readonly LogEntry[]): void {
    const now = this.now();
    const capacity = this.capacity;
    // Only the last `capacity` of a huge batch can survive: skip the rest without touching the ring.
    const skip = Math.max(0, entries.length - capacity);
    if (skip > 0) {
      this.evictedCount += Math.min(this.size, capacity) + skip;
      this.end += skip;
      this.start = this.end;
      this.totalAppended += skip;
    }
    for (let i = skip; i < entries.length; i++) {
      const slot = this.end % capacity;
      if (this.end - this.start === capacity) {
        this.start += 1;
        this.evictedCount += 1;
      }
      const entry = entries[i]!;
      this.slots[slot] = entry;
      this.arrivals[slot] = now;
      this.times[slot] = Date.parse(entry.timestamp);
      this.ranks[slot] = severityRank(entry.severity);
      this.searchCache[slot] = undefined;
      this.end += 1;
    }
    this.totalAppended += entries.length - skip;
  }

  at(seq: number): LogEntry | undefined {
    if (seq < this.start || seq >= this.end) return undefined;
    return this.slots[seq % this.capacity];
  }

  arrivedAt(seq: number): number | undefined {
    if (seq < this.start || seq >= this.end) return undefined;
    return this.arrivals[seq % this.capacity];
  }

  /** The entry's own timestamp in ms (NaN when it has none that parses). */
  timeAt(seq: number): number | undefined {
    if (seq < this.start || seq >= this.end) return undefined;
    return this.times[seq % this.capacity];
  }

  /** The first entry held (in the list's order) whose timestamp is at or after `timeMs`; nextSeq when none is. */
  firstAtOrAfter(timeMs: number): number {
    for (let seq = this.start; seq < this.end; seq++) if (this.times[seq % this.capacity]! >= timeMs) return seq;
    return this.end;
  }

  histogram(layout: HistogramLayout): Histogram {
    const histogram = emptyHistogram(layout);
    for (let seq = this.start; seq < this.end; seq++) {
      const slot = seq % this.capacity;
      countEntry(histogram, this.times[slot]!, this.ranks[slot]!);
    }
    return histogram;
  }

  slice(fromSeq: number, toSeq: number = this.end): LogEntry[] {
    const from = Math.max(fromSeq, this.start);
    const to = Math.min(toSeq, this.end);
    const out: LogEntry[] = [];
    for (let seq = from; seq < to; seq++) out.push(this.slots[seq % this.capacity]!);
    return out;
  }

  since(seq: number): { fromSeq: number; entries: LogEntry[] } {
    const fromSeq = Math.max(seq, this.start);
    return { fromSeq, entries: this.slice(fromSeq) };
  }

  pause(): void {
    if (this.isPaused) return;
    this.isPaused = true;
    this.changed();
  }

  resume(): void {
    if (!this.isPaused) return;
    this.isPaused = false;
    const waiting = this.pausedQueue;
    this.pausedQueue = [];
    if (waiting.length > this.capacity) {
      this.droppedWhilePaused += waiting.length - this.capacity;
      this.write(waiting.slice(waiting.length - this.capacity));
    } else if (waiting.length > 0) {
      this.write(waiting);
    }
    this.changed();
  }

  clear(): void {
    for (let seq = this.start; seq < this.end; seq++) {
      const slot = seq % this.capacity;
      this.slots[slot] = undefined;
      this.searchCache[slot] = undefined;
    }
    this.start = this.end;
    this.pausedQueue = [];
    this.changed();
  }

  search(text: string, options: SearchOptions = {}): number[] {
    const matches: number[] = [];
    if (text === '') return matches;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    let test: (haystack: string) => boolean;
    if (options.regex) {
      const pattern = new RegExp(text, options.caseSensitive ? '' : 'i');
      test = (haystack) => pattern.test(haystack);
    } else if (options.caseSensitive) {
      test = (haystack) => haystack.includes(text);
    } else {
      const needle = text.toLowerCase();
      test = (haystack) => haystack.toLowerCase().includes(needle);
    }
    for (let seq = this.start; seq < this.end && matches.length < limit; seq++) {
      if (test(this.searchText(seq))) matches.push(seq);
    }
    return matches;
  }

  private searchText(seq: number): string {
    const slot = seq % this.capacity;
    let text = this.searchCache[slot];
    if (text === undefined) {
      const entry = this.slots[slot]!;
      const payload = entry.json !== undefined ? JSON.stringify(entry.json) : entryText(entry);
      text = `${entry.timestamp} ${entry.severity} ${entry.revision ?? ''} ${payload}`;
      this.searchCache[slot] = text;
    }
    return text;
  }

  export(format: 'log' | 'jsonl'): string {
    const lines: string[] = [];
    for (let seq = this.start; seq < this.end; seq++) {
      const entry = this.slots[seq % this.capacity]!;
      lines.push(format === 'log' ? formatLogLine(entry) : JSON.stringify(entry));
    }
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }

  status(): LogBufferStatus {
    return {
      size: this.size,
      capacity: this.capacity,
      totalAppended: this.totalAppended,
      evicted: this.evictedCount,
      entriesPerSecond: this.rate(),
      reconnects: this.reconnects,
      suppressedRateLimit: this.suppressedRateLimit,
      suppressedNotConsumed: this.suppressedNotConsumed,
      connection: this.connection,
      message: this.message,
      paused: this.isPaused,
      pendingWhilePaused: this.pausedQueue.length,
      droppedWhilePaused: this.droppedWhilePaused,
    };
  }

  private setConnection(connection: ConnectionState, message: string | null): void {
    this.connection = connection;
    this.message = message;
    this.changed();
  }

  /** Buckets of RATE_BUCKET_MS; advancing zeroes the buckets skipped, at most one full turn. */
  private advanceRate(): number {
    const index = Math.floor(this.now() / RATE_BUCKET_MS);
    if (this.rateBucketIndex < 0) this.rateBucketIndex = index;
    const steps = Math.min(index - this.rateBucketIndex, this.rateBuckets.length);
    for (let i = 1; i <= steps; i++) this.rateBuckets[(this.rateBucketIndex + i) % this.rateBuckets.length] = 0;
    if (index > this.rateBucketIndex) this.rateBucketIndex = index;
    return index;
  }

  private countRate(count: number): void {
    const index = this.advanceRate();
    this.rateBuckets[index % this.rateBuckets.length]! += count;
  }

  private rate(): number {
    this.advanceRate();
    let sum = 0;
    for (const count of this.rateBuckets) sum += count;
    return sum / (this.rateBuckets.length * RATE_BUCKET_MS / 1000);
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A view's bug must not stop the model.
      }
    }
  }
}
