// The git facts whereLive.ts decides on, read with as few git processes as the question allows: the
// commit a commit-ish or a blamed line names; then, at once, the files it changed, whether each
// deployed commit (and HEAD) contains it (one `rev-list` for all of them), and the deployed
// commits' dates (cached by the repository from the check that produced the verdicts).
import * as path from 'node:path';
import { GitError, type GitReadOptions, type GitRepository } from './git';
import type { ServiceVerdict } from './model';
import { deployedCommitsOf, type PastRevision, type WhereFacts } from './whereLive';

/** What to ask about: a commit-ish, or one line of a file (1-based) whose last change is the commit. */
export type WhereQuestion = { kind: 'commit'; commitish: string } | { kind: 'line'; file: string; line: number };

/** The commit the question names, or a line that is not committed (so is live nowhere). */
export type WhereTarget =
  | { kind: 'commit'; sha: string; line?: { file: string; line: number } }
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

/** The commit the question names. A line is blamed (only that line); `file` must be repository-relative. */
export async function resolveWhereTarget(git: GitRepository, question: WhereQuestion, options: GitReadOptions = {}): Promise<WhereTarget> {
  if (question.kind === 'commit') {
    const sha = await git.resolveCommitish(question.commitish, options).catch((err: unknown) => {
      if (err instanceof GitError && err.reason === 'failed') throw new WhereQuestionError(err.message);
      throw err;
    });
    if (sha === null) throw new WhereQuestionError(`${JSON.stringify(question.commitish)} names no commit in this repository (try: git fetch)`);
    return { kind: 'commit', sha };
  }
  const blame = await git.blameLine(question.file, question.line, options).catch((err: unknown) => {
    if (err instanceof GitError && err.reason === 'failed') throw new WhereQuestionError(err.message);
    throw err;
  });
  if (blame.kind === 'not-committed') return { kind: 'not-committed', file: question.file, line: question.line, reason: blame.reason };
  return { kind: 'commit', sha: blame.sha, line: { file: question.file, line: question.line } };
}

/**
 * The facts for `sha` against the verdicts: its files, which deployed commits (of every unit, and
 * of the revision histories given) contain it, whether HEAD does, and the deployed commits' dates.
 * Three git processes at once, whatever the number of units.
 */
export async function readWhereFacts(
  git: GitRepository,
  sha: string,
  verdicts: readonly ServiceVerdict[],
  head: string,
  history?: ReadonlyMap<string, readonly PastRevision[]>,
  options: GitReadOptions = {},
): Promise<WhereFacts> {
  // Every unit's deployed commits, touched or not: asking about all of them costs the same one
  // process, which then need not wait for the commit's files.
  const deployed = deployedCommitsOf(verdicts, history);
  const [{ commit, files }, contains, dates] = await Promise.all([
    git.commitWithFiles(sha, options),
    git.tipsContaining(sha, [...deployed, head], options),
    git.describeCommits(deployed, options),
  ]);
  const inHead = contains.get(head) === true;
  if (!deployed.includes(head)) contains.delete(head);
  return { commit, files, contains, inHead, commitDates: new Map([...dates].map(([s, info]) => [s, info.date])), ...(history ? { history } : {}) };
}
