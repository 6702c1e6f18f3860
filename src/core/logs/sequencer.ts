// Puts entries from several deliveries (history pages, live tail responses, gap backfills, polls) into one
// sequence: every entry once, in timestamp order. No I/O (a timer for the window, setImmediate for slices);
// used by stream.ts.
//
// API:
//   new EntrySequencer({ windowMs, dedupCapacity, dedupRetentionMs, emit, maxBatch = 2000 })
//   offer(batch)        entries not seen before join the pending set; returns how many were new
//   flush()             emits everything pending now, sorted (ignores the window; respects holds); batches larger
//                       than maxBatch go out in slices, one per macrotask, so a burst never blocks the event loop
//                       for long (20,000 entries released at once would otherwise be one long task downstream)
//   afterEmitted(action) runs `action` once every slice already flushed has been emitted (at once when none
//                       wait), so a status event cannot overtake the entries released before it
//   hold() / release()  while held, nothing is emitted: the stream holds across a gap (tail lost, backfill not
//                       done) so entries found by the backfill interleave with the tail's instead of trailing them
//   lastSeen            the newest instant offered so far (the backfill's starting point)
//   forgottenUpTo       the newest instant whose insertIds were dropped from memory for space; a backfill must not
//                       reach back before it, or it could re-deliver an entry nobody remembers
//   protect(from)       while a backfill listing from `from` is in flight, ids at or after `from` are not forgotten
//                       (neither by age nor for space: the memory grows for the duration instead), since the
//                       listing may still return them; returns the function that ends the protection
//   stats               duplicates dropped, late entries (emitted after a newer one), entries emitted
//   drain()             emits everything now, holds and slicing notwithstanding (the stream is ending)
//   dispose()           cancels the timers
//
// Ordering: a tumbling window. The first entry to arrive while nothing is pending opens a window of `windowMs`;
// when it closes, everything pending is sorted (timestamp, then insertId, the API's order) and emitted. An entry
// that arrives after a newer one was emitted cannot be put back in place; it is emitted anyway (completeness beats
// order) and counted as late. The stream makes that rare by holding across gaps.
//
// De-duplication: by insertId together with the timestamp (the API deduplicates on both, and the same insertId
// with another timestamp is another entry). Memory is bounded: a FIFO of at most `dedupCapacity` ids, and ids of
// entries older than `dedupRetentionMs` before the newest entry are dropped. A backfill only ever reaches back a
// few seconds (its overlap) from `lastSeen`, so ids older than that are never needed again — except by a backfill
// already in flight when much newer entries arrive, which is what protect() is for.
import { compareInstants, compareTimed, type Instant, type LogEntry, type TimedEntry } from './entry';

export interface SequencerOptions {
  windowMs: number;
  /** Largest batch handed to `emit` in one task (default 2000). */
  maxBatch?: number;
  dedupCapacity: number;
  dedupRetentionMs: number;
  emit: (entries: LogEntry[]) => void;
}

export interface SequencerStats {
  emitted: number;
  duplicates: number;
  late: number;
  pending: number;
}

export class EntrySequencer {
  private pending: TimedEntry[] = [];
  /** Sorted slices (and actions queued behind them) waiting for their turn: one slice per macrotask, in order. */
  private outbox: (LogEntry[] | (() => void))[] = [];
  private outboxScheduled: NodeJS.Immediate | null = null;
  private readonly maxBatch: number;
  private holds = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastEmitted: Instant | null = null;
  /** The newest instant offered, as two numbers (updated per entry: no allocation on the hot path). */
  private newestSeconds = Number.NEGATIVE_INFINITY;
  private newestNanos = 0;
  private forgotten: Instant | null = null;

  /** insertId → timestamp as seconds + nanos/1e9 (a double resolves ~250 ns at today's epoch: enough to tell entries apart). */
  private readonly remembered = new Map<string, number>();
  /** FIFO of remembered ids in arrival order (≈ timestamp order), as a ring of parallel arrays (grown if protected). */
  private fifoIds: string[];
  private fifoSeconds: Float64Array;
  private fifoNanos: Float64Array;
  private fifoHead = 0;
  private fifoSize = 0;
  private readonly dedupCapacity: number;
  /** Lower bounds of the backfills in flight (see protect()). */
  private readonly protections = new Set<{ floor: number }>();

  private emittedCount = 0;
  private duplicateCount = 0;
  private lateCount = 0;

  constructor(private readonly options: SequencerOptions) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 2000);
    const capacity = Math.max(1, options.dedupCapacity);
    this.dedupCapacity = capacity;
    this.fifoIds = new Array<string>(capacity);
    this.fifoSeconds = new Float64Array(capacity);
    this.fifoNanos = new Float64Array(capacity);
  }

  get lastSeen(): Instant | null {
    return this.newestSeconds === Number.NEGATIVE_INFINITY ? null : { seconds: this.newestSeconds, nanos: this.newestNanos };
  }

  get forgottenUpTo(): Instant | null {
    return this.forgotten;
  }

  get stats(): SequencerStats {
    return { emitted: this.emittedCount, duplicates: this.duplicateCount, late: this.lateCount, pending: this.pending.length };
  }

  get held(): boolean {
    return this.holds > 0;
  }

  offer(batch: readonly TimedEntry[]): number {
    let accepted = 0;
    for (const timed of batch) {
      const key = timed.seconds + timed.nanos / 1e9;
      const id = timed.entry.insertId;
      const known = this.remembered.get(id);
      if (known === key) {
        this.duplicateCount += 1;
        continue;
      }
      this.remember(id, key, timed);
      this.pending.push(timed);
      if (timed.seconds > this.newestSeconds || (timed.seconds === this.newestSeconds && timed.nanos > this.newestNanos)) {
        this.newestSeconds = timed.seconds;
        this.newestNanos = timed.nanos;
      }
      accepted += 1;
    }
    if (accepted > 0) {
      this.pruneByAge();
      this.schedule();
    }
    return accepted;
  }

  hold(): void {
    this.holds += 1;
    this.cancelTimer();
  }

  /** Ends one hold; when the last one ends, whatever is pending goes out at once (a backfill just completed). */
  release(): void {
    if (this.holds === 0) return;
    this.holds -= 1;
    if (this.holds === 0) this.flush();
  }

  /** Emits everything pending, sorted, unless held. */
  flush(): void {
    this.cancelTimer();
    if (this.holds > 0 || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    // Deliveries are mostly in order already; V8's sort is near-linear on such runs.
    batch.sort(compareTimed);
    const entries = new Array<LogEntry>(batch.length);
    const boundary = this.lastEmitted;
    for (let i = 0; i < batch.length; i++) {
      const timed = batch[i]!;
      if (boundary && compareInstants(timed, boundary) < 0) this.lateCount += 1;
      entries[i] = timed.entry;
    }
    const last = batch[batch.length - 1]!;
    if (!this.lastEmitted || compareInstants(last, this.lastEmitted) > 0) this.lastEmitted = { seconds: last.seconds, nanos: last.nanos };
    this.emittedCount += entries.length;
    if (entries.length <= this.maxBatch && this.outbox.length === 0) {
      this.options.emit(entries);
      return;
    }
    for (let start = 0; start < entries.length; start += this.maxBatch) this.outbox.push(entries.slice(start, start + this.maxBatch));
    if (this.outboxScheduled === null) this.sendNextSlice();
  }

  afterEmitted(action: () => void): void {
    if (this.outbox.length === 0) action();
    else this.outbox.push(action);
  }

  private sendNextSlice(): void {
    this.outboxScheduled = null;
    // Actions queued right behind a slice run with it; the next slice waits for the next macrotask.
    while (typeof this.outbox[0] === 'function') (this.outbox.shift() as () => void)();
    const slice = this.outbox.shift();
    if (!slice || typeof slice === 'function') return;
    this.options.emit(slice);
    while (typeof this.outbox[0] === 'function') (this.outbox.shift() as () => void)();
    // A listener may have flushed re-entrantly and scheduled the rest already.
    if (this.outbox.length > 0 && this.outboxScheduled === null) this.outboxScheduled = setImmediate(() => this.sendNextSlice());
  }

  /** Emits what is pending even if held, all of it now (the stream is stopping). */
  drain(): void {
    this.holds = 0;
    this.flush();
    if (this.outboxScheduled) clearImmediate(this.outboxScheduled);
    this.outboxScheduled = null;
    for (const item of this.outbox.splice(0)) {
      if (typeof item === 'function') item();
      else this.options.emit(item);
    }
  }

  dispose(): void {
    this.cancelTimer();
    if (this.outboxScheduled) clearImmediate(this.outboxScheduled);
    this.outboxScheduled = null;
    this.outbox = [];
    this.pending = [];
  }

  private schedule(): void {
    if (this.timer !== null || this.holds > 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.options.windowMs);
  }

  private cancelTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  protect(from: Instant): () => void {
    const protection = { floor: from.seconds + from.nanos / 1e9 };
    this.protections.add(protection);
    return () => {
      this.protections.delete(protection);
      this.pruneByAge();
    };
  }

  /** The lowest protected instant (seconds + nanos/1e9), or +∞ when no backfill is in flight. */
  private protectedFloor(): number {
    let floor = Number.POSITIVE_INFINITY;
    for (const protection of this.protections) if (protection.floor < floor) floor = protection.floor;
    return floor;
  }

  private headKey(): number {
    return this.fifoSeconds[this.fifoHead]! + this.fifoNanos[this.fifoHead]! / 1e9;
  }

  private remember(id: string, key: number, timed: TimedEntry): void {
    if (this.fifoSize >= this.dedupCapacity && this.headKey() < this.protectedFloor()) this.forgetOldest(true);
    if (this.fifoSize === this.fifoIds.length) this.grow();
    const capacity = this.fifoIds.length;
    const slot = (this.fifoHead + this.fifoSize) % capacity;
    this.fifoIds[slot] = id;
    this.fifoSeconds[slot] = timed.seconds;
    this.fifoNanos[slot] = timed.nanos;
    this.fifoSize += 1;
    this.remembered.set(id, key);
  }

  private forgetOldest(forSpace: boolean): void {
    const slot = this.fifoHead;
    const id = this.fifoIds[slot]!;
    const seconds = this.fifoSeconds[slot]!;
    const nanos = this.fifoNanos[slot]!;
    // The same insertId may have been remembered again later (another timestamp): only forget our own record.
    if (this.remembered.get(id) === seconds + nanos / 1e9) this.remembered.delete(id);
    this.fifoIds[slot] = '';
    this.fifoHead = (slot + 1) % this.fifoIds.length;
    this.fifoSize -= 1;
    if (forSpace && (!this.forgotten || this.forgotten.seconds < seconds || (this.forgotten.seconds === seconds && this.forgotten.nanos < nanos))) {
      this.forgotten = { seconds, nanos };
    }
  }

  /** Doubles the ring (only while a protection keeps the oldest ids): they are copied out in FIFO order. */
  private grow(): void {
    const old = this.fifoIds.length;
    const ids = new Array<string>(old * 2);
    const seconds = new Float64Array(old * 2);
    const nanos = new Float64Array(old * 2);
    for (let i = 0; i < this.fifoSize; i++) {
      const slot = (this.fifoHead + i) % old;
      ids[i] = this.fifoIds[slot]!;
      seconds[i] = this.fifoSeconds[slot]!;
      nanos[i] = this.fifoNanos[slot]!;
    }
    this.fifoIds = ids;
    this.fifoSeconds = seconds;
    this.fifoNanos = nanos;
    this.fifoHead = 0;
  }

  private pruneByAge(): void {
    if (this.newestSeconds === Number.NEGATIVE_INFINITY) return;
    const horizon = this.newestSeconds + this.newestNanos / 1e9 - this.options.dedupRetentionMs / 1000;
    const floor = this.protectedFloor();
    while (this.fifoSize > 0 && this.headKey() < horizon && this.headKey() < floor) this.forgetOldest(false);
    // Back within capacity once a protection that made the memory grow has ended.
    while (this.fifoSize > this.dedupCapacity && this.headKey() < floor) this.forgetOldest(true);
  }
}
