// The ranges deployed..HEAD of several deployed commits, taken from one walk of HEAD's history
// down to their common base, kept compact: a walk of 100,000 commits keeps a few numbers per commit
// and the bytes of those that touch the paths, and makes objects only of the commits asked for.
import { ByteList, IntList } from './growable';
import { commitOf, LogTokenizer } from './logRecords';
import type { CommitInfo } from './model';
import { PathBits } from './pathBits';
import { ShaIndex } from './shaIndex';

export interface RangeFacts {
  /** Whether the deployed commit is an ancestor of (or equal to) HEAD. */
  isAncestor: boolean;
  /**
   * Non-merge commits in deployed..HEAD that touch the paths the range was read for (every one
   * when read for the whole repository), newest first, each with its files under those paths.
   */
  commits: { commit: CommitInfo; files: string[] }[];
}

const FIELD = 0x1f;
const SPACE = 0x20;
const NUL = 0x00;

/** For the ranges a walk made: their commits touching some paths, without making every commit of the range an object. */
const walked = new WeakMap<RangeFacts, (paths: readonly string[]) => CommitInfo[]>();

/**
 * The commits of `range` touching `paths` (each is there or under it: touchesPaths's rule), newest
 * first, when the range comes from a RangeWalk; undefined for any other.
 */
export function walkedCommitsTouching(range: RangeFacts, paths: readonly string[]): CommitInfo[] | undefined {
  return walked.get(range)?.(paths);
}

/**
 * Reads `git log -z --name-only --format=LOG_RECORD_FORMAT` output, as it arrives, into flat
 * buffers: per commit printed, its number and its parents' numbers (ShaIndex); per commit that is
 * not a merge and touches the paths (every non-merge commit when read for the whole repository),
 * which of the paths it touches (a bit each) and, in one byte buffer, its date, author and subject
 * and its files under the paths. Nothing else of the output is kept.
 *
 * Fed a walk in which no commit comes before all of its children (`--date-order`), ranges() then
 * marks each commit with the deployed commits it is reachable from, one bit each, handed from child
 * to parent in one pass: a commit touching the paths belongs to the range of every deployed commit
 * whose bit it lacks.
 */
export class RangeWalk {
  private readonly ids = new ShaIndex();
  private readonly paths: PathBits | null;
  private readonly tokenizer: LogTokenizer;
  // Per commit printed, in the walk's order.
  private readonly recordIds = new IntList();
  private readonly parentsEnd = new IntList();
  private readonly parentIds = new IntList();
  /** Per commit number: whether the walk printed it (1) or only named it as a parent (0). */
  private readonly printed = new IntList();
  // Per commit kept, in the walk's order.
  private readonly keptRecords = new IntList();
  /** Where each kept commit's bytes end in `bytes` (they start where the previous one's end): its header, then each file after a NUL. */
  private readonly keptEnds = new IntList();
  private readonly keptHeaderEnds = new IntList();
  /** The bits of the paths each kept commit touches, `words` per commit. */
  private readonly masks = new IntList();
  private readonly words: number;
  private readonly bytes = new ByteList();
  private readonly mask: Uint32Array;
  /** The commit being read (its record), or -1. */
  private current = -1;
  private currentStart = 0;
  private currentHeaderEnd = 0;
  private currentTouches = false;
  private readonly infos: (CommitInfo | undefined)[] = [];
  private readonly entries: (RangeFacts['commits'][number] | undefined)[] = [];

  /** `paths`: those the ranges are read for; none: the whole repository. */
  constructor(paths: readonly string[]) {
    this.paths = paths.length > 0 ? new PathBits(paths) : null;
    this.words = this.paths?.words ?? 1;
    this.mask = new Uint32Array(this.words);
    this.tokenizer = new LogTokenizer({ header: (bytes, start, end) => this.header(bytes, start, end), file: (bytes, start, end) => this.file(bytes, start, end) });
  }

  /** Reads the next bytes of the log. */
  push(chunk: Buffer): void {
    this.tokenizer.push(chunk);
  }

  /** Call once the log has ended. */
  end(): void {
    this.tokenizer.end();
    this.flush();
  }

  /**
   * The range of each of `deployed` that is an ancestor of HEAD: one the walk reached, or one of
   * the bases it was walked down to (every base is an ancestor of each deployed commit, so a
   * deployed commit that is a base is the only base, and its range is the whole walk). The others
   * are left out.
   */
  ranges(deployed: readonly string[], bases: readonly string[]): Map<string, RangeFacts> {
    const words = Math.max(1, Math.ceil(deployed.length / 32));
    const bits = new Uint32Array(this.ids.count * words);
    const ids = deployed.map((sha) => this.ids.find(sha));
    ids.forEach((id, bit) => {
      if (id >= 0) bits[id * words + (bit >>> 5)]! |= 1 << (bit & 31);
    });
    let parent = 0;
    for (let record = 0; record < this.recordIds.length; record++) {
      const from = this.recordIds.at(record) * words;
      for (const end = this.parentsEnd.at(record); parent < end; parent++) {
        const to = this.parentIds.at(parent) * words;
        for (let w = 0; w < words; w++) bits[to + w]! |= bits[from + w]!;
      }
    }
    const out = new Map<string, RangeFacts>();
    deployed.forEach((sha, bit) => {
      const id = ids[bit]!;
      if (!(id >= 0 && this.printed.at(id) === 1) && !bases.includes(sha)) return;
      const word = bit >>> 5;
      const flag = 1 << (bit & 31);
      out.set(sha, this.range(true, (kept) => (bits[this.recordIds.at(this.keptRecords.at(kept)) * words + word]! & flag) === 0));
    });
    return out;
  }

  /** A range holding every commit kept: the walk was of deployed..HEAD alone. */
  whole(isAncestor: boolean): RangeFacts {
    return this.range(isAncestor, () => true);
  }

  private range(isAncestor: boolean, holds: (kept: number) => boolean): RangeFacts {
    let commits: RangeFacts['commits'] | undefined;
    const facts = { isAncestor } as RangeFacts;
    // Made on first use: a check asks only for the commits touching each unit's paths.
    Object.defineProperty(facts, 'commits', {
      enumerable: true,
      get: () => (commits ??= this.keptWhere(holds).map((kept) => this.entry(kept))),
    });
    walked.set(facts, (paths) => this.touching(holds, paths));
    return facts;
  }

  private touching(holds: (kept: number) => boolean, paths: readonly string[]): CommitInfo[] {
    let touches: (kept: number) => boolean = () => true;
    if (paths.length > 0) {
      const numbers = this.paths ? paths.map((p) => this.paths!.numberOf(p)) : [];
      if (numbers.length > 0 && numbers.every((n) => n !== undefined)) {
        const query = new Uint32Array(this.words);
        for (const n of numbers) query[n! >>> 5]! |= 1 << (n! & 31);
        touches = (kept) => {
          for (let w = 0; w < this.words; w++) if ((this.masks.at(kept * this.words + w) & query[w]!) !== 0) return true;
          return false;
        };
      } else {
        // Paths the walk has no bit for: its files (those under the walk's paths) are matched.
        const wanted = new PathBits(paths);
        touches = (kept) => this.filesMatch(kept, wanted);
      }
    }
    return this.keptWhere((kept) => holds(kept) && touches(kept)).map((kept) => this.info(kept));
  }

  private keptWhere(holds: (kept: number) => boolean): number[] {
    const out: number[] = [];
    for (let kept = 0; kept < this.keptRecords.length; kept++) if (holds(kept)) out.push(kept);
    return out;
  }

  private header(bytes: Buffer, start: number, end: number): void {
    this.flush();
    const shaEnd = bytes.indexOf(FIELD, start);
    const id = this.ids.intern(bytes, start, shaEnd - start);
    this.current = this.recordIds.length;
    this.recordIds.push(id);
    this.printed.resize(this.ids.count, 0);
    this.printed.set(id, 1);
    let parentsEnd = bytes.indexOf(FIELD, shaEnd + 1);
    if (parentsEnd === -1 || parentsEnd > end) parentsEnd = end;
    for (let from = shaEnd + 1; from < parentsEnd; ) {
      let stop = bytes.indexOf(SPACE, from);
      if (stop === -1 || stop > parentsEnd) stop = parentsEnd;
      if (stop > from) this.parentIds.push(this.ids.intern(bytes, from, stop - from));
      from = stop + 1;
    }
    this.parentsEnd.push(this.parentIds.length);
    this.printed.resize(this.ids.count, 0);
    this.currentStart = this.bytes.length;
    this.bytes.append(bytes, Math.min(parentsEnd + 1, end), end);
    this.currentHeaderEnd = this.bytes.length;
    this.mask.fill(0);
    this.currentTouches = this.paths === null;
  }

  private file(bytes: Buffer, start: number, end: number): void {
    if (this.current === -1) return;
    if (this.paths) {
      if (!this.paths.match(bytes, start, end, this.mask, 0)) return;
      this.currentTouches = true;
    }
    this.bytes.appendByte(NUL);
    this.bytes.append(bytes, start, end);
  }

  /** Keeps the commit just read if it is not a merge and touches the paths; forgets its bytes otherwise. */
  private flush(): void {
    const record = this.current;
    if (record === -1) return;
    this.current = -1;
    const parents = this.parentsEnd.at(record) - (record === 0 ? 0 : this.parentsEnd.at(record - 1));
    if (parents > 1 || !this.currentTouches) {
      this.bytes.truncate(this.currentStart);
      return;
    }
    this.keptRecords.push(record);
    this.keptEnds.push(this.bytes.length);
    this.keptHeaderEnds.push(this.currentHeaderEnd);
    for (let w = 0; w < this.words; w++) this.masks.push(this.mask[w]!);
  }

  private span(kept: number): [start: number, headerEnd: number, end: number] {
    return [kept === 0 ? 0 : this.keptEnds.at(kept - 1), this.keptHeaderEnds.at(kept), this.keptEnds.at(kept)];
  }

  private info(kept: number): CommitInfo {
    let info = this.infos[kept];
    if (!info) {
      const [start, headerEnd] = this.span(kept);
      info = commitOf(this.ids.sha(this.recordIds.at(this.keptRecords.at(kept))), this.bytes.bytes, start, headerEnd);
      this.infos[kept] = info;
    }
    return info;
  }

  private entry(kept: number): RangeFacts['commits'][number] {
    let entry = this.entries[kept];
    if (!entry) {
      const [, headerEnd, end] = this.span(kept);
      const files: string[] = [];
      for (let from = headerEnd + 1; from < end; ) {
        let stop = this.bytes.bytes.indexOf(NUL, from);
        if (stop === -1 || stop > end) stop = end;
        files.push(this.bytes.bytes.toString('utf8', from, stop));
        from = stop + 1;
      }
      entry = { commit: this.info(kept), files };
      this.entries[kept] = entry;
    }
    return entry;
  }

  private filesMatch(kept: number, wanted: PathBits): boolean {
    const [, headerEnd, end] = this.span(kept);
    const bytes = this.bytes.bytes;
    for (let from = headerEnd + 1; from < end; ) {
      let stop = bytes.indexOf(NUL, from);
      if (stop === -1 || stop > end) stop = end;
      if (wanted.matchesAny(bytes, from, stop)) return true;
      from = stop + 1;
    }
    return false;
  }
}
