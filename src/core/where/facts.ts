// The git facts live.ts decides on, read with as few git processes as the question allows: the
// commit a commit-ish or a blamed line names; then what the ranges the check read already tell
// (held.ts), and from git, at once, only the rest: the files the commit changed, whether the
// deployed commits no range decides for (and HEAD) contain it (one `rev-list` for all of them); the
// deployed commits' dates are cached by the repository from the check that produced the verdicts.
import * as path from 'node:path';
import { GitError, type CommitWithFiles, type GitReadOptions, type GitRepository } from '../git/repository';
import type { ServiceVerdict } from '../model';
import { containmentFromRanges, findInRanges, inHeadFromRanges } from './held';
import { deployedCommitsOf, type PastRevision, type WhereFacts } from './live';

/** What to ask about: a commit-ish, or one line of a file (1-based) whose last change is the commit. */
export type WhereQuestion = { kind: 'commit'; commitish: string } | { kind: 'line'; file: string; line: number };

/** The commit the question names, or a line that is not committed (so is live nowhere). */
export type WhereTarget =
  | { kind: 'commit'; sha: string; line?: { file: string; line: number }; changes?: CommitWithFiles }
  | { kind: 'not-committed'; file: string; line: number; reason: 'changed' | 'untracked' };

/** The question names nothing to look up (a commit-ish that is no commit, a file outside the repository). */
export class WhereQuestionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WhereQuestionError';
  }
}

/** The repository-relative path (with `/`) of a file given absolute or relative to `cwd`; an error when it lies outside the repository. */
export function repositoryPath(root: string, file: string, cwd: string): string {
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(root, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) throw new WhereQuestionError(`${file} is not a file inside the repository at ${root}`);
  return relative.split(path.sep).join('/');
}

/**
 * The commit the question names (a commit-ish: with the files it changed, read in the same git
 * process). A line is blamed (only that line); `file` must be repository-relative.
 */
export async function resolveWhereTarget(git: GitRepository, question: WhereQuestion, options: GitReadOptions = {}): Promise<WhereTarget> {
  if (question.kind === 'commit') {
    const changes = await git.commitishWithFiles(question.commitish, options).catch((err: unknown) => {
      if (err instanceof GitError && err.reason === 'failed') throw new WhereQuestionError(err.message);
      throw err;
    });
    if (changes === null) throw new WhereQuestionError(`${JSON.stringify(question.commitish)} names no commit in this repository (try: git fetch)`);
    return { kind: 'commit', sha: changes.commit.sha, changes };
  }
  const blame = await git.blameLine(question.file, question.line, options).catch((err: unknown) => {
    if (err instanceof GitError && err.reason === 'failed') throw new WhereQuestionError(err.message);
    throw err;
  });
  if (blame.kind === 'not-committed') return { kind: 'not-committed', file: question.file, line: question.line, reason: blame.reason };
  return { kind: 'commit', sha: blame.sha, line: { file: question.file, line: question.line } };
}

/** Whether the commit HEAD was at contains the commit asked about, when already read. */
export interface HeadContains {
  head: string;
  contains: boolean;
}

/**
 * The facts for `sha` against the verdicts: its files, which deployed commits (of every unit, and
 * of the revision histories given) contain it, whether HEAD does, and the deployed commits' dates.
 * What the ranges the check read to `head` tell is taken from them (held.ts): a commit inside
 * a range costs no git process. Otherwise at most two at once (its files; which of HEAD and the
 * deployed commits the ranges cannot decide contain it), whatever the number of units; a third
 * only for a merge commit on HEAD's line. Already read, or being read: `changed`, the commit's
 * files; `inHead`, whether HEAD contains it (taken only if `head` is that HEAD; awaited only when
 * the ranges do not tell). `changes`: the commit as git read it (null when a range held it), for a
 * later read to take as `changed`.
 */
export async function readWhereFacts(
  git: GitRepository,
  sha: string,
  verdicts: readonly ServiceVerdict[],
  head: string,
  history?: ReadonlyMap<string, readonly PastRevision[]>,
  options: GitReadOptions & { changed?: CommitWithFiles | Promise<CommitWithFiles>; inHead?: HeadContains | Promise<HeadContains | undefined> } = {},
): Promise<WhereFacts & { changes: CommitWithFiles | null }> {
  const deployed = deployedCommitsOf(verdicts, history);
  // Ranges read for every path these units name: each holds every commit touching any of them that its deployed commit lacks.
  const paths = verdicts.some((v) => v.paths.length === 0) ? [] : [...new Set(verdicts.flatMap((v) => v.paths))];
  const ranges = await git.heldRanges(deployed, head, paths);
  const ranged = findInRanges(sha, ranges);
  const fromRanges = inHeadFromRanges(sha, head, ranges);
  // Started before waiting for whether HEAD contains it (handled now: awaited below, with the rest).
  const reading = ranged ? Promise.resolve({ ...ranged, merge: false, changes: null }) : (options.changed ? Promise.resolve(options.changed) : git.commitWithFiles(sha, options)).then((changes) => ({ commit: changes.commit, files: changes.files, merge: changes.parents.length > 1, changes }));
  // Only what serves is dated (to tell an older commit on another branch); the check read those.
  const dating = git.describeCommits(deployedCommitsOf(verdicts), options);
  reading.catch(() => undefined);
  dating.catch(() => undefined);
  const given = fromRanges === null ? await options.inHead : undefined;
  const knownInHead = fromRanges ?? (given?.head === head ? given.contains : null);
  // Tips no range decides for, however the commit lies: asked about while its files are read (with HEAD, unless known).
  const unranged = containmentFromRanges(sha, deployed, ranges, { inHead: true, merge: false }).undecided;
  const ask = knownInHead !== null ? unranged : [...unranged, head];
  const [found, asked, dates] = await Promise.all([reading, ask.length > 0 ? git.tipsContaining(sha, ask, options) : new Map<string, boolean>(), dating]);
  const inHead = knownInHead ?? asked.get(head) === true;
  const decided = containmentFromRanges(sha, deployed, ranges, { inHead, merge: found.merge });
  const rest = decided.undecided.filter((tip) => !asked.has(tip));
  const more = rest.length > 0 ? await git.tipsContaining(sha, rest, options) : new Map<string, boolean>();
  const contains = new Map(deployed.map((tip) => [tip, decided.contains.get(tip) ?? asked.get(tip) ?? more.get(tip) === true]));
  return { commit: found.commit, files: found.files, contains, inHead, commitDates: new Map([...dates].map(([s, info]) => [s, info.date])), ...(history ? { history } : {}), changes: found.changes };
}
