// The ranges deployed..HEAD of several deployed commits, taken from one walk of HEAD's history
// down to their common base as the walk's commits arrive, each keeping only what its paths need.
import type { LogRecord } from './logRecords';
import type { CommitInfo } from './model';

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
 * Fed the walk `git log --date-order HEAD --not <bases>` (every commit, in an order that shows no
 * parent before all its children), marks each commit with the deployed commits it is reachable
 * from, one bit each: a commit's own bits are complete when it arrives, since every child came
 * before it and handed its bits down. A non-merge commit that touches the paths belongs to the
 * range of every deployed commit whose bit it lacks. Nothing but the bits (a few bytes a commit)
 * is kept of a commit that touches none of the paths.
 */
/**
 * A commit's files under `paths` (every file when there are none: the whole repository), or null
 * when it touches none of them and so belongs to no range read for them. A file is under a path
 * when it is the path or lies in its folder (touchesPaths's rule), looked up one folder at a time.
 */
export function filesUnder(paths: readonly string[]): (files: string[]) => string[] | null {
  if (paths.length === 0) return (files) => files;
  const wanted = new Set(paths);
  const under = (file: string): boolean => {
    if (wanted.has(file)) return true;
    for (let slash = file.indexOf('/'); slash !== -1; slash = file.indexOf('/', slash + 1)) if (wanted.has(file.slice(0, slash))) return true;
    return false;
  };
  return (files) => {
    const kept = files.filter(under);
    return kept.length > 0 ? kept : null;
  };
}

export class RangeWalk {
  private readonly bitOf = new Map<string, number>();
  private readonly words: number;
  private readonly index = new Map<string, number>();
  private bits: Uint32Array;
  private readonly found: boolean[];
  private readonly commits: RangeFacts['commits'][];

  private readonly filesUnder: (files: string[]) => string[] | null;

  constructor(
    private readonly deployed: readonly string[],
    /** The paths the ranges are read for; none: the whole repository. */
    paths: readonly string[],
  ) {
    this.filesUnder = filesUnder(paths);
    deployed.forEach((sha, bit) => this.bitOf.set(sha, bit));
    this.words = Math.max(1, Math.ceil(deployed.length / 32));
    this.bits = new Uint32Array(1024 * this.words);
    this.found = deployed.map(() => false);
    this.commits = deployed.map(() => []);
  }

  add(record: LogRecord): void {
    const at = this.slotOf(record.commit.sha) * this.words;
    const bit = this.bitOf.get(record.commit.sha);
    if (bit !== undefined) {
      this.found[bit] = true;
      this.bits[at + (bit >>> 5)]! |= 1 << (bit & 31);
    }
    for (const parent of record.parents) {
      const to = this.slotOf(parent) * this.words;
      for (let w = 0; w < this.words; w++) this.bits[to + w]! |= this.bits[at + w]!;
    }
    if (record.parents.length > 1) return;
    const files = this.filesUnder(record.files);
    if (!files) return;
    const entry = { commit: record.commit, files };
    for (let b = 0; b < this.deployed.length; b++) {
      if ((this.bits[at + (b >>> 5)]! & (1 << (b & 31))) === 0) this.commits[b]!.push(entry);
    }
  }

  /**
   * The range of each deployed commit that is an ancestor of HEAD: one the walk reached, or one of
   * the bases (every base is an ancestor of each deployed commit, so a deployed commit that is a
   * base is the only base, and its range is the whole walk). The others are left out.
   */
  ranges(bases: readonly string[]): Map<string, RangeFacts> {
    const out = new Map<string, RangeFacts>();
    this.deployed.forEach((sha, bit) => {
      if (this.found[bit] || bases.includes(sha)) out.set(sha, { isAncestor: true, commits: this.commits[bit]! });
    });
    return out;
  }

  private slotOf(sha: string): number {
    let slot = this.index.get(sha);
    if (slot === undefined) {
      slot = this.index.size;
      this.index.set(sha, slot);
      if ((slot + 1) * this.words > this.bits.length) {
        const grown = new Uint32Array(this.bits.length * 2);
        grown.set(this.bits);
        this.bits = grown;
      }
    }
    return slot;
  }
}
