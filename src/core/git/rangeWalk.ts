// The ranges deployed..HEAD of several deployed commits, taken from one walk of HEAD's history
// down to their common base (which git may print in several walks at once), kept compact: a walk
// of 100,000 commits keeps a few numbers per commit and the bytes of those that touch the paths,
// and makes objects only of the commits asked for.
import { dateOrderSteps } from './dateOrder';
import { FloatList, IntList, RecordBytes } from './growable';
import { headerDateMs, headerField, LogTokenizer, type HeaderField, type LogTokens } from './logRecords';
import type { CommitInfo } from '../model';
import { PathBits } from './pathBits';
import { ShaIndex } from './shaIndex';
import { nextTurn, type Pause } from '../platform/slices';
import type { WalkData } from './walkData';
import { WalkedCommit, type CommitSource } from './walkedCommit';

export interface RangeFacts {
  /** Whether the deployed commit is an ancestor of (or equal to) HEAD. */
  isAncestor: boolean;
  /**
   * Non-merge commits in deployed..HEAD that touch the paths the range was read for (every one
   * when read for the whole repository), newest first, each with its files under those paths.
   */
  commits: { commit: CommitInfo; files: string[] }[];
}

/**
 * The --format of the logs a RangeWalk reads (with `-z --name-only`): LogTokenizer's records, the
 * committer time (seconds) after the parents.
 */
export const WALK_FORMAT = '%x1e%H%x1f%P%x1f%ct%x1f%aI%x1f%an%x1f%s';

/**
 * How many commits are put in date order, or hand their marks to their parents, between turns of
 * the event loop: 5-12 ms of a loaded core each (20,000 took up to 23 ms).
 */
const ORDER_SLICE = 10_000;

/** How many kept commits prepareCommitsTouching looks at between two questions to its pause. */
const TOUCHING_SLICE = 1024;

const FIELD = 0x1f;
const SPACE = 0x20;
const NUL = 0x00;

/** For the ranges a walk made: their commits touching some paths, without making every commit of the range an object. */
const walked = new WeakMap<RangeFacts, { touching(paths: readonly string[]): CommitInfo[]; prepare(paths: readonly string[], pause: Pause): Promise<void> }>();

/**
 * The commits of `range` touching `paths` (each is there or under it: touchesPaths's rule), newest
 * first, when the range comes from a RangeWalk; undefined for any other.
 */
export function walkedCommitsTouching(range: RangeFacts, paths: readonly string[]): CommitInfo[] | undefined {
  return walked.get(range)?.touching(paths);
}

/**
 * Finds the commits of `range` touching `paths` ahead of walkedCommitsTouching, asking `pause`
 * between slices: a range of 90,000 commits is a pass over all of them that makes an object of
 * each of thousands. Nothing to do for a range a walk did not make.
 */
export async function prepareCommitsTouching(range: RangeFacts, paths: readonly string[], pause: Pause): Promise<void> {
  await walked.get(range)?.prepare(paths, pause);
}

/** For the ranges a walk made: one commit of the range, found by its SHA without making the range's commit list. */
const lookups = new WeakMap<RangeFacts, (sha: string) => RangeFacts['commits'][number] | null>();

/**
 * The entry of `sha` in `range` (null when the range does not hold it), when the range comes from a
 * RangeWalk; undefined for any other. A range of 100,000 commits answers without making an object
 * of each.
 */
export function walkedCommitInRange(range: RangeFacts, sha: string): RangeFacts['commits'][number] | null | undefined {
  return lookups.get(range)?.(sha);
}

/** What reads one git log into a RangeWalk. */
export interface WalkReader {
  /** Reads the next bytes of the log. */
  push(chunk: Buffer): void;
  /** Call once the log has ended. */
  end(): void;
}

/**
 * Reads `git log -z --name-only --format=WALK_FORMAT` output, as it arrives, into flat buffers:
 * per commit printed, its number (ShaIndex), its parents' numbers and its committer time; per
 * commit that is not a merge and touches the paths (every non-merge commit when read for the whole
 * repository), which of the paths it touches (a bit each) and, in one byte buffer, its date, author
 * and subject and its files under the paths. Nothing else of the output is kept.
 *
 * One history may be read as several logs at once (walkSegments), each with a reader of its own.
 * ranges() then puts their commits in the order of one `--date-order` walk (dateOrder; a single
 * log is in it already), and marks each commit with the deployed commits it is reachable from, one
 * bit each, handed from child to parent in that order: a commit touching the paths belongs to the
 * range of every deployed commit whose bit it lacks.
 */
export class RangeWalk {
  private readonly ids: ShaIndex;
  private readonly paths: PathBits | null;
  private readonly logs: LogReader[] = [];
  /**
   * The CommitInfos (WalkedCommits) made, each once, and per commit number where its own is among
   * them (-1: none yet). A walk read again (continued by a commit since) hands the verdicts the
   * objects it made before, instead of making each of thousands again. Kept as long as the walk is
   * (the editor lets go of a walk continued MAX_HELD_LOGS times, see repository.ts): a few dozen
   * bytes per commit a verdict listed, most of them held by the verdicts anyway. Numbers index a
   * typed array, not a Map: no hashing, and no table of entries on the heap beside the objects.
   */
  private readonly infos: CommitInfo[] = [];
  private infoOf = new Int32Array(0);
  /** Whether ranges() keeps the logs for data() (see retainLogs). */
  private retaining = false;
  /** Whether a log was restored from data, in no known order with the others. */
  private restored = false;
  /** Per commit number: 1 when HEAD reaches it (set by ranges() when retaining the logs). */
  private headReached: Uint8Array | undefined;

  /** `paths`: those the ranges are read for; none: the whole repository. `commits`: how many it is expected to hold. */
  constructor(paths: readonly string[], commits?: number) {
    this.paths = paths.length > 0 ? new PathBits(paths) : null;
    this.ids = new ShaIndex(commits);
  }

  /**
   * A walk holding, as one log, what data() gave of an earlier one for the same paths (more logs
   * may follow). Throws when the data was read for another number of paths.
   */
  static fromData(paths: readonly string[], data: WalkData): RangeWalk {
    const size = data.digits / 2;
    const walk = new RangeWalk(paths, data.shas.length / size);
    if (data.pathWords !== (walk.paths?.words ?? 1)) throw new Error('a stored walk of other paths');
    for (let id = 0, at = 0; at < data.shas.length; id++, at += size) {
      if (walk.ids.internBytes(data.shas, at, size) !== id) throw new Error('a stored walk naming a commit twice');
    }
    const log = new LogReader(walk.ids, walk.paths);
    log.restore(data);
    walk.logs.push(log);
    walk.restored = true;
    return walk;
  }

  /** Makes ranges() keep the logs (and which commits HEAD reaches) for data(), until forgetLogs(). */
  retainLogs(): void {
    this.retaining = true;
  }

  /** Those of `shas` that a log printed (they are in the walk, not only named as parents). */
  holding(shas: readonly string[]): Set<string> {
    const printed = new Uint8Array(this.ids.count);
    for (const log of this.logs) for (let r = 0; r < log.recordIds.length; r++) printed[log.recordIds.at(r)] = 1;
    return new Set(shas.filter((sha) => printed[this.ids.find(sha)] === 1));
  }

  /**
   * The commits of the logs that HEAD reaches, as plain arrays, for a later walk to start from
   * (fromData). Only after ranges() of a walk that retains its logs.
   */
  data(): WalkData {
    const reached = this.headReached;
    if (!reached) throw new Error('data() needs ranges() of a walk that retains its logs');
    const sum = (of: (log: LogReader) => number): number => this.logs.reduce((total, log) => total + of(log), 0);
    // Sized for every record: those HEAD does not reach are left out, and the arrays cut to fit.
    const recordIds = new Int32Array(sum((log) => log.recordIds.length));
    const parentsEnd = new Int32Array(recordIds.length);
    const times = new Float64Array(recordIds.length);
    const parentIds = new Int32Array(sum((log) => log.parentIds.length));
    const keptCount = sum((log) => log.keptRecords.length);
    const keptRecords = new Int32Array(keptCount);
    const keptHeaderEnds = new Int32Array(keptCount);
    const keptEnds = new Int32Array(keptCount);
    const pathWords = this.paths?.words ?? 1;
    const masks = new Int32Array(keptCount * pathWords);
    const keptBytes = Buffer.allocUnsafe(sum((log) => log.keptBytesLength()));
    // Numbered afresh: only the commits HEAD reaches, and their parents.
    const renumbered = new Int32Array(this.ids.count).fill(-1);
    const order = new Int32Array(this.ids.count);
    let numbered = 0;
    let records = 0;
    let parents = 0;
    let kept = 0;
    let bytes = 0;
    for (const log of this.logs) {
      for (let r = 0, k = 0; r < log.recordIds.length; r++) {
        while (k < log.keptRecords.length && log.keptRecords.at(k) < r) k++;
        const id = log.recordIds.at(r);
        if (reached[id] !== 1) continue;
        if (renumbered[id] === -1) order[(renumbered[id] = numbered++)] = id;
        recordIds[records] = renumbered[id]!;
        for (let p = r === 0 ? 0 : log.parentsEnd.at(r - 1); p < log.parentsEnd.at(r); p++) {
          const parent = log.parentIds.at(p);
          if (renumbered[parent] === -1) order[(renumbered[parent] = numbered++)] = parent;
          parentIds[parents++] = renumbered[parent]!;
        }
        parentsEnd[records] = parents;
        times[records] = log.times.at(r);
        if (k < log.keptRecords.length && log.keptRecords.at(k) === r) {
          keptRecords[kept] = records;
          keptHeaderEnds[kept] = bytes + log.copyKept(k, keptBytes, bytes);
          bytes += log.keptLength(k);
          keptEnds[kept] = bytes;
          log.masksInto(k, masks, kept * pathWords);
          kept++;
        }
        records++;
      }
    }
    const size = this.ids.digits / 2;
    const shas = new Uint8Array(numbered * size);
    for (let i = 0; i < numbered; i++) this.ids.copyBytes(order[i]!, shas, i * size);
    return {
      digits: this.ids.digits || 40,
      pathWords,
      shas,
      recordIds: recordIds.subarray(0, records),
      parentsEnd: parentsEnd.subarray(0, records),
      parentIds: parentIds.subarray(0, parents),
      times: times.subarray(0, records),
      keptRecords: keptRecords.subarray(0, kept),
      keptHeaderEnds: keptHeaderEnds.subarray(0, kept),
      keptEnds: keptEnds.subarray(0, kept),
      masks: masks.subarray(0, kept * pathWords),
      keptBytes: keptBytes.subarray(0, bytes),
    };
  }


  /** A reader for one more log of the history (logs are read as if one followed another, in this order). */
  reader(): WalkReader {
    const log = new LogReader(this.ids, this.paths);
    this.logs.push(log);
    return log;
  }

  /**
   * The range of each of `deployed` that the walk holds whole: one in HEAD's history (the walk
   * reached it, or it is one of the bases the walk went down to) that reaches every one of the
   * bases (every other one, for a base), so that nothing of its range lies below them. The
   * others are `unsure`: not in HEAD's history, or (when the bases were a guess) not above them.
   * Read after every log has ended, the event loop turning between its steps. Once nothing is
   * unsure the walk lets go of all but what the ranges need (unless it retains its logs); until then
   * it can take more logs and be read again (with other bases, or to another HEAD), and the ranges
   * read before stay as they were.
   */
  async ranges(deployed: readonly string[], bases: readonly string[], head: string): Promise<{ ranges: Map<string, RangeFacts>; unsure: string[] }> {
    const joined = this.join();
    await nextTurn();
    const order = this.logs.length === 1 && !this.restored ? inOrder(joined.count) : await this.dateOrdered(joined);
    await nextTurn();
    // One bit per deployed commit, and HEAD's after them: a commit HEAD does not reach (brought by
    // a log from a commit outside HEAD's history) is in no range.
    const headBit = deployed.length;
    const words = Math.ceil((headBit + 1) / 32);
    const bits = new Uint32Array(this.ids.count * words);
    const has = (bitsOf: Uint32Array, at: number, bit: number): boolean => (bitsOf[at + (bit >>> 5)]! & (1 << (bit & 31))) !== 0;
    const ids = deployed.map((sha) => this.ids.find(sha));
    [...ids, this.ids.find(head)].forEach((id, bit) => {
      if (id >= 0) bits[id * words + (bit >>> 5)]! |= 1 << (bit & 31);
    });
    // A record's work grows with the words of its marks: hundreds of deployed commits take several.
    const marksSlice = Math.max(1, Math.floor(ORDER_SLICE / words));
    for (let i = 0; i < order.length; i++) {
      const record = order[i]!;
      const from = joined.ids[record]! * words;
      for (let p = joined.parentStart[record]!; p < joined.parentStart[record + 1]!; p++) {
        const to = joined.parentIds[p]! * words;
        for (let w = 0; w < words; w++) bits[to + w]! |= bits[from + w]!;
      }
      if ((i + 1) % marksSlice === 0) await nextTurn();
    }
    const baseIds = bases.map((sha) => this.ids.find(sha));
    const whole = deployed.map((sha, bit) => {
      const id = ids[bit]!;
      const base = bases.includes(sha);
      if (id < 0 || !(joined.printed[id] === 1 || base) || !has(bits, id * words, headBit)) return false;
      return baseIds.every((b, i) => bases[i] === sha || (b >= 0 && has(bits, b * words, bit)));
    });
    const unsure = deployed.filter((_, bit) => !whole[bit]);
    if (this.retaining) {
      this.headReached = new Uint8Array(this.ids.count);
      for (let id = 0; id < this.ids.count; id++) if (has(bits, id * words, headBit)) this.headReached[id] = 1;
    }
    await nextTurn();
    const kept = this.keep(joined, order, unsure.length === 0 && !this.retaining);
    await nextTurn();
    // What the ranges need of the bits: those of the kept commits.
    const keptBits = new Uint32Array(kept.ids.length * words);
    for (let k = 0; k < kept.ids.length; k++) for (let w = 0, from = kept.ids[k]! * words; w < words; w++) keptBits[k * words + w] = bits[from + w]!;
    const ranges = new Map<string, RangeFacts>();
    deployed.forEach((sha, bit) => {
      if (whole[bit]) ranges.set(sha, this.range(kept, true, (k) => !has(keptBits, k * words, bit) && has(keptBits, k * words, headBit)));
    });
    return { ranges, unsure };
  }

  /**
   * How large the walk is: its logs, their records, and how many of those the last ranges() found
   * HEAD does not reach (a HEAD moved back, or history rewritten). Only after ranges() of a walk
   * that retains its logs.
   */
  extent(): { logs: number; records: number; unreached: number } {
    const reached = this.headReached;
    if (!reached) throw new Error('extent() needs ranges() of a walk that retains its logs');
    let records = 0;
    let unreached = 0;
    for (const log of this.logs) {
      records += log.recordIds.length;
      for (let r = 0; r < log.recordIds.length; r++) if (reached[log.recordIds.at(r)] !== 1) unreached++;
    }
    return { logs: this.logs.length, records, unreached };
  }

  /** Lets go of what only reading the ranges needs (ranges() does once nothing is unsure). */
  forgetLogs(): void {
    for (const log of this.logs) log.forgetRecords();
    this.retaining = false;
    this.headReached = undefined;
  }

  /** A range holding every commit kept: the log was of deployed..HEAD alone. */
  whole(isAncestor: boolean): RangeFacts {
    const joined = this.join();
    return this.range(this.keep(joined, inOrder(joined.count), true), isAncestor, () => true);
  }

  /** The joined logs' records in git's date order (see dateOrder.ts), the event loop turning between its steps. */
  private async dateOrdered(joined: Joined): Promise<Int32Array> {
    const parents = joined.parentRecords();
    await nextTurn();
    return inTurns(dateOrderSteps(joined.count, joined.parentStart, parents, joined.times(), ORDER_SLICE));
  }

  /** The logs' commits as one list, one log after another. */
  private join(): Joined {
    const logs = this.logs;
    const count = logs.reduce((sum, log) => sum + log.recordIds.length, 0);
    const ids = new Int32Array(count);
    const parentStart = new Int32Array(count + 1);
    const parentIds = new Int32Array(logs.reduce((sum, log) => sum + log.parentIds.length, 0));
    const firstRecords: number[] = [];
    let record = 0;
    let parent = 0;
    for (const log of logs) {
      firstRecords.push(record);
      log.recordIds.copyInto(ids, record);
      log.parentIds.copyInto(parentIds, parent);
      for (let r = 0; r < log.parentsEnd.length; r++) parentStart[record + r + 1] = parent + log.parentsEnd.at(r);
      record += log.recordIds.length;
      parent += log.parentIds.length;
    }
    const printed = new Uint8Array(this.ids.count);
    for (let r = 0; r < count; r++) printed[ids[r]!] = 1;
    return {
      count,
      ids,
      parentStart,
      parentIds,
      printed,
      firstRecords,
      times: () => {
        const times = new Float64Array(count);
        logs.forEach((log, l) => log.times.copyInto(times, firstRecords[l]!));
        return times;
      },
      parentRecords: () => {
        const recordOf = new Int32Array(this.ids.count).fill(-1);
        for (let r = 0; r < count; r++) recordOf[ids[r]!] = r;
        return parentIds.map((id) => recordOf[id]!);
      },
    };
  }

  /** Puts the kept commits in `order`, each named by its log and its place there; `last`: and lets go of the rest of the logs. */
  private keep(joined: Joined, order: Int32Array, last: boolean): Kept {
    const keptOfRecord = new Int32Array(joined.count).fill(-1);
    const logOfRecord = new Uint16Array(joined.count);
    let count = 0;
    this.logs.forEach((log, l) => {
      const first = joined.firstRecords[l]!;
      for (let k = 0; k < log.keptRecords.length; k++) keptOfRecord[first + log.keptRecords.at(k)] = k;
      logOfRecord.fill(l, first, first + log.recordIds.length);
      count += log.keptRecords.length;
    });
    if (last) this.forgetLogs();
    const kept: Kept = { logs: new Uint16Array(count), places: new Int32Array(count), ids: new Int32Array(count), entries: [] };
    let k = 0;
    for (let i = 0; i < order.length; i++) {
      const r = order[i]!;
      if (keptOfRecord[r] === -1) continue;
      kept.logs[k] = logOfRecord[r]!;
      kept.places[k] = keptOfRecord[r]!;
      kept.ids[k++] = joined.ids[r]!;
    }
    return kept;
  }

  /**
   * A range of the commits of `kept` that `holds`. It reads `kept` alone, and the logs' bytes (which
   * a later read of the walk, with more logs, leaves as they are): it survives that read.
   */
  private range(kept: Kept, isAncestor: boolean, holds: (kept: number) => boolean): RangeFacts {
    let commits: RangeFacts['commits'] | undefined;
    const facts = { isAncestor } as RangeFacts;
    // Made on first use: a check asks only for the commits touching each unit's paths.
    // Configurable: a test replaces it, to prove that lookups by SHA (walkedCommitInRange) never make it.
    Object.defineProperty(facts, 'commits', {
      enumerable: true,
      configurable: true,
      get: () => (commits ??= this.keptWhere(kept, holds).map((k) => this.entry(kept, k))),
    });
    // Each set of paths' commits, found once (prepared, or on first use): a copy goes to each caller.
    const found = new Map<string, CommitInfo[]>();
    walked.set(facts, {
      touching: (paths) => {
        const key = paths.join('\0');
        let commits = found.get(key);
        if (!commits) found.set(key, (commits = this.touching(kept, holds, paths)));
        return commits.slice();
      },
      prepare: async (paths, pause) => {
        const key = paths.join('\0');
        if (!found.has(key)) {
          const commits = await this.touchingInSlices(kept, holds, paths, pause);
          found.set(key, commits);
        }
      },
    });
    lookups.set(facts, (sha) => {
      const k = this.keptOf(kept, sha);
      return k >= 0 && holds(k) ? this.entry(kept, k) : null;
    });
    return facts;
  }

  /** Where `sha` is among the kept commits (-1: not kept). */
  private keptOf(keptCommits: Kept, sha: string): number {
    const id = this.ids.find(sha);
    if (id < 0) return -1;
    if (!keptCommits.byId) {
      const byId = new Int32Array(this.ids.count).fill(-1);
      for (let k = 0; k < keptCommits.ids.length; k++) byId[keptCommits.ids[k]!] = k;
      keptCommits.byId = byId;
    }
    // A commit numbered after these were kept (a later read of the walk) is not among them.
    return id < keptCommits.byId.length ? keptCommits.byId[id]! : -1;
  }

  /** The kept commits touching `paths`, in one piece. */
  private touching(keptCommits: Kept, holds: (kept: number) => boolean, paths: readonly string[]): CommitInfo[] {
    const touches = this.touchTest(keptCommits, paths);
    const out: CommitInfo[] = [];
    for (let kept = 0; kept < keptCommits.logs.length; kept++) if (holds(kept) && touches(kept)) out.push(this.info(keptCommits, kept));
    return out;
  }

  /** The kept commits touching `paths`, in slices of TOUCHING_SLICE, asking `pause` before each. */
  private async touchingInSlices(keptCommits: Kept, holds: (kept: number) => boolean, paths: readonly string[], pause: Pause): Promise<CommitInfo[]> {
    const touches = this.touchTest(keptCommits, paths);
    const out: CommitInfo[] = [];
    const count = keptCommits.logs.length;
    for (let from = 0; from < count; from += TOUCHING_SLICE) {
      const wait = pause();
      if (wait) await wait;
      const to = Math.min(count, from + TOUCHING_SLICE);
      for (let kept = from; kept < to; kept++) if (holds(kept) && touches(kept)) out.push(this.info(keptCommits, kept));
    }
    return out;
  }

  /** Whether a kept commit touches `paths` (each is there or under it: touchesPaths's rule). */
  private touchTest(keptCommits: Kept, paths: readonly string[]): (kept: number) => boolean {
    if (paths.length === 0) return () => true;
    const { logs: keptLogs, places } = keptCommits;
    const numbers = this.paths ? paths.map((p) => this.paths!.numberOf(p)) : [];
    if (numbers.length > 0 && numbers.every((n) => n !== undefined)) {
      const query = new Uint32Array(this.paths!.words);
      for (const n of numbers) query[n! >>> 5]! |= 1 << (n! & 31);
      return (kept) => this.logs[keptLogs[kept]!]!.touches(places[kept]!, query);
    }
    // Paths the walk has no bit for: its files (those under the walk's paths) are matched.
    const wanted = new PathBits(paths);
    return (kept) => this.logs[keptLogs[kept]!]!.filesMatch(places[kept]!, wanted);
  }

  private keptWhere(keptCommits: Kept, holds: (kept: number) => boolean): number[] {
    const out: number[] = [];
    for (let kept = 0; kept < keptCommits.ids.length; kept++) if (holds(kept)) out.push(kept);
    return out;
  }

  private info(keptCommits: Kept, kept: number): CommitInfo {
    const id = keptCommits.ids[kept]!;
    if (id >= this.infoOf.length) {
      // Room for every commit numbered so far, and for some more (a walk continued grows by a few).
      const grown = new Int32Array(Math.max(this.ids.count, id + 1) + 1024).fill(-1);
      grown.set(this.infoOf);
      this.infoOf = grown;
    }
    const at = this.infoOf[id]!;
    if (at >= 0) return this.infos[at]!;
    const info = new WalkedCommit(this.logs[keptCommits.logs[kept]!]!, keptCommits.places[kept]!, id);
    this.infoOf[id] = this.infos.length;
    this.infos.push(info);
    return info;
  }

  private entry(keptCommits: Kept, kept: number): RangeFacts['commits'][number] {
    const { logs, places } = keptCommits;
    return (keptCommits.entries[kept] ??= { commit: this.info(keptCommits, kept), files: this.logs[logs[kept]!]!.files(places[kept]!) });
  }
}

/** The logs' commits as one list (RangeWalk.join). */
interface Joined {
  count: number;
  /** Per record (the logs' commits, one log after another): its commit number. */
  ids: Int32Array;
  /** Record `r`'s parents are the commits `parentIds[parentStart[r] … parentStart[r + 1])`. */
  parentStart: Int32Array;
  parentIds: Int32Array;
  /** Per commit number: 1 if a log printed it (0: only named as a parent). */
  printed: Uint8Array;
  /** Where each log's records start. */
  firstRecords: number[];
  /** Per record: its committer time. */
  times(): Float64Array;
  /** `parentIds` as records (-1: a parent no log printed). */
  parentRecords(): Int32Array;
}

/**
 * The commits kept, in the order of one walk: the log holding each, its place there, and its commit
 * number; and the range entries made of them (each once, on first use).
 */
interface Kept {
  logs: Uint16Array;
  places: Int32Array;
  ids: Int32Array;
  /** Per commit number: its place among the kept (-1: not kept); made on first lookup. */
  byId?: Int32Array;
  entries: (RangeFacts['commits'][number] | undefined)[];
}

function inOrder(count: number): Int32Array {
  const order = new Int32Array(count);
  for (let r = 0; r < count; r++) order[r] = r;
  return order;
}

/** Runs `steps` to its end, letting the event loop turn at each of its pauses; resolves to its value. */
async function inTurns<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await nextTurn();
  }
}

/** One log of a RangeWalk, read into buffers of its own (the logs' chunks come interleaved). */
class LogReader implements LogTokens, WalkReader, CommitSource {
  private readonly tokenizer = new LogTokenizer(this);
  private readonly words: number;
  // Per commit printed, in the log's order (let go of once the ranges are read).
  recordIds = new IntList();
  /** Where each record's parents end in `parentIds` (they start where the previous record's end). */
  parentsEnd = new IntList();
  parentIds = new IntList();
  times = new FloatList();
  // Per commit kept, in the log's order.
  keptRecords = new IntList();
  /** Where each kept commit's bytes are in `bytes`: its block, and there its header, then each file after a NUL. */
  private keptBlocks = new IntList();
  private keptStarts = new IntList();
  private keptHeaderEnds = new IntList();
  private keptEnds = new IntList();
  /** The bits of the paths each kept commit touches, `words` per commit. */
  private masks = new IntList();
  private readonly bytes = new RecordBytes();
  private readonly mask: Uint32Array;
  /** The commit being read (its record), or -1. */
  private current = -1;
  private currentHeaderLength = 0;
  private currentTouches = false;

  constructor(
    private readonly ids: ShaIndex,
    private readonly paths: PathBits | null,
  ) {
    this.words = paths?.words ?? 1;
    this.mask = new Uint32Array(this.words);
  }

  push(chunk: Buffer): void {
    this.tokenizer.push(chunk);
  }

  end(): void {
    this.tokenizer.end();
    this.flush();
  }

  header(bytes: Buffer, start: number, end: number): void {
    this.flush();
    const shaEnd = bytes.indexOf(FIELD, start);
    this.current = this.recordIds.length;
    this.recordIds.push(this.ids.intern(bytes, start, shaEnd - start));
    let parentsEnd = bytes.indexOf(FIELD, shaEnd + 1);
    if (parentsEnd === -1 || parentsEnd > end) parentsEnd = end;
    for (let from = shaEnd + 1; from < parentsEnd; ) {
      let stop = bytes.indexOf(SPACE, from);
      if (stop === -1 || stop > parentsEnd) stop = parentsEnd;
      if (stop > from) this.parentIds.push(this.ids.intern(bytes, from, stop - from));
      from = stop + 1;
    }
    this.parentsEnd.push(this.parentIds.length);
    let timeEnd = parentsEnd < end ? bytes.indexOf(FIELD, parentsEnd + 1) : end;
    if (timeEnd === -1 || timeEnd > end) timeEnd = end;
    let time = 0;
    for (let i = parentsEnd + 1; i < timeEnd; i++) time = time * 10 + (bytes[i]! - 0x30);
    this.times.push(time);
    this.bytes.begin();
    this.bytes.append(bytes, Math.min(timeEnd + 1, end), end);
    this.currentHeaderLength = this.bytes.end - this.bytes.start;
    this.mask.fill(0);
    this.currentTouches = this.paths === null;
  }

  file(bytes: Buffer, start: number, end: number): void {
    if (this.current === -1) return;
    if (this.paths) {
      if (!this.paths.match(bytes, start, end, this.mask, 0)) return;
      this.currentTouches = true;
    }
    this.bytes.appendByte(NUL);
    this.bytes.append(bytes, start, end);
  }

  /** Lets go of what only the reading of the ranges needs: the commits printed and their parents. */
  forgetRecords(): void {
    this.recordIds = new IntList(0);
    this.parentsEnd = new IntList(0);
    this.parentIds = new IntList(0);
    this.times = new FloatList(0);
    this.keptRecords = new IntList(0);
  }

  /** How many bytes kept commit `kept` has (its header, then a NUL and each file). */
  keptLength(kept: number): number {
    return this.keptEnds.at(kept) - this.keptStarts.at(kept);
  }

  /** Copies kept commit `kept`'s bytes into `target` at `at`; returns the length of its header. */
  copyKept(kept: number, target: Buffer, at: number): number {
    const start = this.keptStarts.at(kept);
    this.bytes.bytesOf(this.keptBlocks.at(kept)).copy(target, at, start, this.keptEnds.at(kept));
    return this.keptHeaderEnds.at(kept) - start;
  }

  /** Puts kept commit `kept`'s path bits into `masks` at `at`. */
  masksInto(kept: number, masks: Int32Array, at: number): void {
    for (let w = 0; w < this.words; w++) masks[at + w] = this.masks.at(kept * this.words + w);
  }

  /** How many bytes the kept commits have. */
  keptBytesLength(): number {
    let length = 0;
    for (let k = 0; k < this.keptRecords.length; k++) length += this.keptLength(k);
    return length;
  }

  /** Fills this (new) log with the records of `data` (see RangeWalk.fromData), numbered as its ids were interned. */
  restore(data: WalkData): void {
    this.recordIds = IntList.holding(data.recordIds);
    this.parentsEnd = IntList.holding(data.parentsEnd);
    this.parentIds = IntList.holding(data.parentIds);
    this.times = FloatList.holding(data.times);
    this.keptRecords = IntList.holding(data.keptRecords);
    const kept = data.keptRecords.length;
    this.keptBlocks = IntList.holding(new Int32Array(kept).fill(this.bytes.adopt(data.keptBytes)));
    const starts = new Int32Array(kept);
    if (kept > 1) starts.set(data.keptEnds.subarray(0, kept - 1), 1);
    this.keptStarts = IntList.holding(starts);
    this.keptHeaderEnds = IntList.holding(data.keptHeaderEnds);
    this.keptEnds = IntList.holding(data.keptEnds);
    this.masks = IntList.holding(data.masks);
  }

  /** Whether kept commit `kept` touches one of the paths whose bits `query` holds. */
  touches(kept: number, query: Uint32Array): boolean {
    for (let w = 0; w < this.words; w++) if ((this.masks.at(kept * this.words + w) & query[w]!) !== 0) return true;
    return false;
  }

  filesMatch(kept: number, wanted: PathBits): boolean {
    let found = false;
    this.eachFile(kept, (bytes, from, stop) => (found ||= wanted.matchesAny(bytes, from, stop)));
    return found;
  }

  files(kept: number): string[] {
    const files: string[] = [];
    this.eachFile(kept, (bytes, from, stop) => files.push(bytes.toString('utf8', from, stop)));
    return files;
  }

  shaOf(id: number): string {
    return this.ids.sha(id);
  }

  fieldOf(kept: number, field: HeaderField): string {
    return headerField(this.bytes.bytesOf(this.keptBlocks.at(kept)), this.keptStarts.at(kept), this.keptHeaderEnds.at(kept), field);
  }

  dateMsOf(kept: number): number {
    return headerDateMs(this.bytes.bytesOf(this.keptBlocks.at(kept)), this.keptStarts.at(kept), this.keptHeaderEnds.at(kept));
  }

  private eachFile(kept: number, each: (bytes: Buffer, start: number, end: number) => void): void {
    const end = this.keptEnds.at(kept);
    const bytes = this.bytes.bytesOf(this.keptBlocks.at(kept));
    for (let from = this.keptHeaderEnds.at(kept) + 1; from < end; ) {
      let stop = bytes.indexOf(NUL, from);
      if (stop === -1 || stop > end) stop = end;
      each(bytes, from, stop);
      from = stop + 1;
    }
  }

  /** Keeps the commit just read if it is not a merge and touches the paths; forgets its bytes otherwise. */
  private flush(): void {
    const record = this.current;
    if (record === -1) return;
    this.current = -1;
    const parents = this.parentsEnd.at(record) - (record === 0 ? 0 : this.parentsEnd.at(record - 1));
    if (parents > 1 || !this.currentTouches) {
      this.bytes.discard();
      return;
    }
    this.keptRecords.push(record);
    // The record may have moved to a new block as it grew: where it is now.
    this.keptBlocks.push(this.bytes.block);
    this.keptStarts.push(this.bytes.start);
    this.keptHeaderEnds.push(this.bytes.start + this.currentHeaderLength);
    this.keptEnds.push(this.bytes.end);
    for (let w = 0; w < this.words; w++) this.masks.push(this.mask[w]!);
  }
}
