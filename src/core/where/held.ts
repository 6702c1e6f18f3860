// What the ranges a check has read (each deployed commit to HEAD, with every non-merge commit
// between and its files) tell about a commit without asking git again. A commit inside a range is on
// HEAD's line, its files are there, and exactly the deployed commits whose ranges hold it lack it.
// A non-merge commit on HEAD's line that a range does not hold lies at or below that deployed commit.
// A commit HEAD lacks is in no deployed commit that HEAD contains. What is left (whether a deployment
// that diverged from HEAD holds a commit its range does not, a merge commit, a commit not known to be
// on HEAD's line) is git's to answer.
import type { RangeFacts } from '../git/repository';
import { walkedCommitInRange } from '../git/rangeWalk';
import type { CommitInfo } from '../model';

export interface RangedCommit {
  commit: CommitInfo;
  files: string[];
}

/** For ranges not made by a walk: their commits by SHA. */
const indexes = new WeakMap<RangeFacts, Map<string, RangedCommit>>();

/** The range's entry for `sha`, or null: from the walk that made it when there is one (no list of its commits made), else from an index of its commits. */
function inRange(range: RangeFacts, sha: string): RangedCommit | null {
  const walked = walkedCommitInRange(range, sha);
  if (walked !== undefined) return walked;
  let index = indexes.get(range);
  if (!index) {
    index = new Map(range.commits.map((entry) => [entry.commit.sha, entry]));
    indexes.set(range, index);
  }
  return index.get(sha) ?? null;
}

/** The commit with its files as a held range has it (so a non-merge commit HEAD contains), or null when no range holds it. */
export function findInRanges(sha: string, ranges: ReadonlyMap<string, RangeFacts>): RangedCommit | null {
  for (const range of ranges.values()) {
    const found = inRange(range, sha);
    if (found) return found;
  }
  return null;
}

/** Whether HEAD contains the commit, when the ranges alone tell (null when they do not). */
export function inHeadFromRanges(sha: string, head: string, ranges: ReadonlyMap<string, RangeFacts>): true | null {
  if (sha === head || ranges.get(sha)?.isAncestor === true || findInRanges(sha, ranges) !== null) return true;
  return null;
}

export interface Containment {
  /** For each tip decided: whether it contains the commit. */
  contains: Map<string, boolean>;
  /** Tips the ranges cannot decide for: git must be asked. */
  undecided: string[];
}

/**
 * Which of `tips` (deployed commits) contain `sha`, from their ranges to HEAD. `inHead` and `merge`:
 * what is known of the commit (null: not known).
 */
export function containmentFromRanges(
  sha: string,
  tips: readonly string[],
  ranges: ReadonlyMap<string, RangeFacts>,
  place: { inHead: boolean | null; merge: boolean | null },
): Containment {
  const contains = new Map<string, boolean>();
  const undecided: string[] = [];
  for (const tip of new Set(tips)) {
    const range = ranges.get(tip);
    if (tip === sha) contains.set(tip, true);
    // Between the tip and HEAD: the tip lacks it, whether or not the tip is on HEAD's line.
    else if (range && inRange(range, sha) !== null) contains.set(tip, false);
    else if (!range || !range.isAncestor) undecided.push(tip);
    // The tip is on HEAD's line: a commit HEAD lacks is not below it.
    else if (place.inHead === false) contains.set(tip, false);
    // A non-merge commit HEAD contains that is not between the tip and HEAD is below the tip.
    else if (place.inHead === true && place.merge === false) contains.set(tip, true);
    else undecided.push(tip);
  }
  return { contains, undecided };
}
