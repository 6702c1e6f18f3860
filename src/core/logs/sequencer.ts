// Puts entries from several deliveries (history pages, live tail responses, gap backfills, polls) into one
// sequence: every entry once, in timestamp order. No I/O (a timer for the window, setImmediate for slices);
// used by stream.ts.
//
// API:
//   new EntrySequencer({ windowMs, quietMs = min(20, windowMs), dedupCapacity, dedupRetentionMs, emit, maxBatch = 2000 })
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
//   IdMemory, hashId    the de-duplication memory (below), exported for its tests
//
// Ordering: a window. The first entry to arrive while nothing is pending opens it; it closes once no delivery has
// come for `quietMs`, and at the latest `windowMs` after it opened. Then everything pending is sorted (timestamp,
// then insertId, the API's order) and emitted. The responses of one server flush (a tail's buffer window, split into
// responses and into slices by source.ts) arrive back to back, so they are ordered together; waiting out the whole
// window after a burst has ended would only add latency, since nothing else is on its way. Under a steady stream of
// deliveries the window closes at `windowMs`, as a tumbling window would. An entry
// that arrives after a newer one was emitted cannot be put back in place; it is emitted anyway (completeness beats
// order) and counted as late. The stream makes that rare by holding across gaps.
//
// De-duplication: by insertId together with the timestamp (the API deduplicates on both, and the same insertId
// with another timestamp is another entry). Memory is bounded: a FIFO of at most `dedupCapacity` ids, and ids of
// entries older than `dedupRetentionMs` before the newest entry are dropped. A backfill only ever reaches back a
// few seconds (its overlap) from `lastSeen`, so ids older than that are never needed again — except by a backfill
// already in flight when much newer entries arrive, which is what protect() is for.
// The memory is an IdMemory (below), not a Map: under a steady churn of 20,000 ids/s a Map of 50,000 ids rehashes
// all of them every few seconds, in one go (10–30 ms on a busy extension host), and boxes every timestamp.
import { compareInstants, compareTimed, type Instant, type LogEntry, type TimedEntry } from './entry';

export interface SequencerOptions {
  /** The longest an entry waits for others to be ordered with. */
  windowMs: number;
  /** The window closes early once deliveries pause this long (default min(20, windowMs)). */
  quietMs?: number;
  /** Largest batch handed to `emit` in one task (default 2000). */
  maxBatch?: number;
  dedupCapacity: number;
  dedupRetentionMs: number;
  emit: (entries: LogEntry[]) => void;
}

/** Deliveries of one server flush come a macrotask apart; a pause this long means the burst is over. */
const DEFAULT_QUIET_MS = 20;

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
  private readonly quietMs: number;
  /** When the open window opened (performance.now()); null: no window open. */
  private windowOpenedAt: number | null = null;
  private lastEmitted: Instant | null = null;
  /** The newest instant offered, as two numbers (updated per entry: no allocation on the hot path). */
  private newestSeconds = Number.NEGATIVE_INFINITY;
  private newestNanos = 0;
  private forgotten: Instant | null = null;

  /** Remembered ids in arrival order (≈ timestamp order); grows beyond dedupCapacity only while protected. */
  private readonly memory: IdMemory;
  private readonly dedupCapacity: number;
  /** Lower bounds of the backfills in flight (see protect()). */
  private readonly protections = new Set<{ floor: number }>();

  private emittedCount = 0;
  private duplicateCount = 0;
  private lateCount = 0;

  constructor(private readonly options: SequencerOptions) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 2000);
    this.quietMs = Math.max(0, Math.min(options.windowMs, options.quietMs ?? DEFAULT_QUIET_MS));
    this.dedupCapacity = Math.max(1, options.dedupCapacity);
    this.memory = new IdMemory(this.dedupCapacity);
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
      const id = timed.entry.insertId;
      if (this.memory.has(id, timed.seconds, timed.nanos)) {
        this.duplicateCount += 1;
        continue;
      }
      this.remember(id, timed);
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

  /** After a delivery: close the window once deliveries pause for quietMs, or windowMs after it opened. */
  private schedule(): void {
    if (this.holds > 0) return;
    const now = performance.now();
    this.windowOpenedAt ??= now;
    const delay = Math.max(0, Math.min(this.quietMs, this.windowOpenedAt + this.options.windowMs - now));
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, delay);
  }

  private cancelTimer(): void {
    this.windowOpenedAt = null;
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
    return this.memory.headSeconds + this.memory.headNanos / 1e9;
  }

  private remember(id: string, timed: TimedEntry): void {
    if (this.memory.size >= this.dedupCapacity && this.headKey() < this.protectedFloor()) this.forgetOldest(true);
    this.memory.push(id, timed.seconds, timed.nanos);
  }

  private forgetOldest(forSpace: boolean): void {
    const seconds = this.memory.headSeconds;
    const nanos = this.memory.headNanos;
    this.memory.shift();
    if (forSpace && (!this.forgotten || this.forgotten.seconds < seconds || (this.forgotten.seconds === seconds && this.forgotten.nanos < nanos))) {
      this.forgotten = { seconds, nanos };
    }
  }

  private pruneByAge(): void {
    if (this.newestSeconds === Number.NEGATIVE_INFINITY) return;
    const horizon = this.newestSeconds + this.newestNanos / 1e9 - this.options.dedupRetentionMs / 1000;
    const floor = this.protectedFloor();
    while (this.memory.size > 0 && this.headKey() < horizon && this.headKey() < floor) this.forgetOldest(false);
    // Back within capacity once a protection that made the memory grow has ended.
    while (this.memory.size > this.dedupCapacity && this.headKey() < floor) this.forgetOldest(true);
  }
}

/** FNV-1a over UTF-16 code units: cheap for insertIds (tens of characters) and well spread for the index. */
export function hashId(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash | 0;
}

/**
 * A FIFO of (insertId, timestamp) records with a lookup by id, for the sequencer's de-duplication.
 *
 * The records live in a ring of parallel arrays; an open-addressing index (linear probing) maps each id to the ring
 * slot of its newest record. Removing from the index shifts the following run back instead of leaving a tombstone,
 * so the index never fills up with deleted keys and is never rebuilt while the FIFO keeps its size: every operation
 * costs O(1) however long the churn. Only push() beyond the ring's capacity doubles both (and rebuilds the index once).
 * Timestamps stay in Float64Arrays: no object or boxed number per record.
 *
 * Only the newest record of an id is findable: has() of an older record of the same id (another timestamp) is false,
 * as it was with the Map this replaces.
 */
export class IdMemory {
  private ids: string[];
  private hashes: Int32Array;
  private seconds: Float64Array;
  private nanos: Float64Array;
  private head = 0;
  private count = 0;
  /** Ring slot + 1 of the id's newest record; 0 is empty. At most half full, so probe runs stay short. */
  private index: Int32Array;
  private mask: number;

  constructor(
    capacity: number,
    private readonly hash: (id: string) => number = hashId,
  ) {
    const ring = Math.max(1, Math.floor(capacity));
    this.ids = new Array<string>(ring).fill('');
    this.hashes = new Int32Array(ring);
    this.seconds = new Float64Array(ring);
    this.nanos = new Float64Array(ring);
    this.index = new Int32Array(indexSizeFor(ring));
    this.mask = this.index.length - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Instant of the oldest record (meaningless when empty). */
  get headSeconds(): number {
    return this.seconds[this.head]!;
  }

  get headNanos(): number {
    return this.nanos[this.head]!;
  }

  /** Whether the newest record of `id` has exactly this timestamp. */
  has(id: string, seconds: number, nanos: number): boolean {
    const slot = this.find(id, this.hash(id));
    return slot >= 0 && this.seconds[slot] === seconds && this.nanos[slot] === nanos;
  }

  /** Appends a record (the id's newest from now on); doubles the ring when it is full. */
  push(id: string, seconds: number, nanos: number): void {
    if (this.count === this.ids.length) this.grow();
    const capacity = this.ids.length;
    const slot = (this.head + this.count) % capacity;
    const hash = this.hash(id);
    this.ids[slot] = id;
    this.hashes[slot] = hash;
    this.seconds[slot] = seconds;
    this.nanos[slot] = nanos;
    this.count += 1;
    this.link(slot, hash);
  }

  /** Drops the oldest record (from the index too, unless a newer record of its id took its place there). */
  shift(): void {
    if (this.count === 0) return;
    const slot = this.head;
    this.unlink(slot);
    this.ids[slot] = '';
    this.head = (slot + 1) % this.ids.length;
    this.count -= 1;
  }

  private find(id: string, hash: number): number {
    const index = this.index;
    const mask = this.mask;
    for (let position = hash & mask; ; position = (position + 1) & mask) {
      const entry = index[position]!;
      if (entry === 0) return -1;
      const slot = entry - 1;
      if (this.hashes[slot] === hash && this.ids[slot] === id) return slot;
    }
  }

  /** Points the id's index entry at `slot`, replacing an older record's entry for the same id. */
  private link(slot: number, hash: number): void {
    const index = this.index;
    const mask = this.mask;
    const id = this.ids[slot];
    for (let position = hash & mask; ; position = (position + 1) & mask) {
      const entry = index[position]!;
      if (entry === 0 || (this.hashes[entry - 1] === hash && this.ids[entry - 1] === id)) {
        index[position] = slot + 1;
        return;
      }
    }
  }

  private unlink(slot: number): void {
    const index = this.index;
    const mask = this.mask;
    let hole = this.hashes[slot]! & mask;
    for (; ; hole = (hole + 1) & mask) {
      const entry = index[hole]!;
      if (entry === 0) return;
      if (entry === slot + 1) break;
    }
    // Backward-shift deletion: move later entries of the probe run into the hole when their home position does
    // not lie (cyclically) between the hole and where they sit, so every remaining id stays reachable.
    index[hole] = 0;
    for (let position = (hole + 1) & mask; ; position = (position + 1) & mask) {
      const entry = index[position]!;
      if (entry === 0) return;
      const home = this.hashes[entry - 1]! & mask;
      const reachable = hole <= position ? home > hole && home <= position : home > hole || home <= position;
      if (!reachable) {
        index[hole] = entry;
        index[position] = 0;
        hole = position;
      }
    }
  }

  private grow(): void {
    const old = this.ids.length;
    const ids = new Array<string>(old * 2).fill('');
    const hashes = new Int32Array(old * 2);
    const seconds = new Float64Array(old * 2);
    const nanos = new Float64Array(old * 2);
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) % old;
      ids[i] = this.ids[slot]!;
      hashes[i] = this.hashes[slot]!;
      seconds[i] = this.seconds[slot]!;
      nanos[i] = this.nanos[slot]!;
    }
    this.ids = ids;
    this.hashes = hashes;
    this.seconds = seconds;
    this.nanos = nanos;
    this.head = 0;
    this.index = new Int32Array(indexSizeFor(old * 2));
    this.mask = this.index.length - 1;
    // Oldest first, so an id recorded twice ends up pointing at its newest record.
    for (let slot = 0; slot < this.count; slot++) this.link(slot, hashes[slot]!);
  }
}

/** A power of two at least twice the ring's capacity (load factor at most 1/2). */
function indexSizeFor(capacity: number): number {
  let size = 2;
  while (size < capacity * 2) size *= 2;
  return size;
}
