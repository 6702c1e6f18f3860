// Answers "where is this commit live?" inside the editor, from the verdicts each repository's session
// already holds: no Cloud Run request for the cursor line's answer. The "where" view, asked for by a
// command, also says since when a unit has carried the commit (its revision history, one request per
// live unit and check: see WhereAnswers.answerSince). A line is blamed alone, and each blame is kept per file,
// line and document version (cleared when HEAD or the verdicts change), so moving the cursor back
// and forth runs nothing again.
import * as path from 'node:path';
import type { CommitWithFiles, GitRepository } from '../../core/git/repository';
import type { CheckResult } from '../../core/model';
import type { WhereAnswers } from '../../core/where/answers';
import { resolveWhereTarget, type WhereTarget } from '../../core/where/facts';
import type { WhereAnswer } from '../../core/where/live';
import { UserFacingError } from '../platform/errors';
import type { Repo } from '../session/repo';
import type { RepoList } from '../session/repoSessions';

export interface AnswerOptions {
  /** Say since when each live unit carries the commit (reads its revision history). */
  since?: boolean;
}

export interface WhereReply {
  repo: Repo;
  target: WhereTarget;
  /** Null when the line is not committed. */
  answer: WhereAnswer | null;
}

/** How many blamed lines are kept. */
const MAX_BLAMES = 500;

export class WhereService {
  private readonly blames = new Map<string, Promise<WhereTarget>>();
  private blamesFor: CheckResult | undefined;

  constructor(
    private readonly repos: RepoList,
    private readonly answers: WhereAnswers,
  ) {}

  /** The repository whose configuration's folder holds `file` (the innermost), if any. */
  repoHolding(file: string): Repo | undefined {
    const inside = this.repos.list().filter((r) => r.session.config && (file === r.root || file.startsWith(`${r.root}${path.sep}`)));
    return inside.sort((a, b) => b.root.length - a.root.length)[0];
  }

  /** `since`: read the live units' histories to say since when (the "where" view); else from the verdicts alone. */
  async commit(repo: Repo, commitish: string, options: AnswerOptions = {}): Promise<WhereReply> {
    const { git, result } = await this.held(repo);
    const target = await resolveWhereTarget(git, { kind: 'commit', commitish });
    return { repo, target, answer: target.kind === 'commit' ? await this.answer(repo, git, result, target.sha, options, target.changes) : null };
  }

  /** `line` is 1-based; `version` is the document's, so an edited and saved file is blamed again. */
  async line(repo: Repo, file: string, line: number, version: number, options: AnswerOptions = {}): Promise<WhereReply> {
    const { git, result } = await this.held(repo);
    if (this.blamesFor !== result) {
      this.blames.clear();
      this.blamesFor = result;
    }
    const relative = path.relative(git.root, file).split(path.sep).join('/');
    const key = `${relative}\0${line}\0${version}`;
    let target = this.blames.get(key);
    if (!target) {
      if (this.blames.size >= MAX_BLAMES) this.blames.delete(this.blames.keys().next().value!);
      target = resolveWhereTarget(git, { kind: 'line', file: relative, line });
      this.blames.set(key, target);
      target.catch(() => this.blames.delete(key));
    }
    const found = await target;
    return { repo, target: found, answer: found.kind === 'commit' ? await this.answer(repo, git, result, found.sha, options) : null };
  }

  /** `changes`: the commit with its files, when resolving the question read them. */
  private async answer(repo: Repo, git: GitRepository, result: CheckResult, sha: string, options: AnswerOptions, changes?: CommitWithFiles): Promise<WhereAnswer> {
    const read = changes ? { changes } : {};
    if (!options.since) return this.answers.answer(git, result, sha, read);
    const { config, reader } = await repo.session.coreContext();
    return this.answers.answerSince(git, result, sha, { reader, commitLabel: config.commitLabel }, read);
  }

  /** The repository's git and the verdicts its session holds; an error saying what to do when it holds none. */
  private async held(repo: Repo): Promise<{ git: GitRepository; result: CheckResult }> {
    const result = repo.session.lastResult;
    if (!result) throw new UserFacingError(`${repo.name} has not been checked yet: refresh the Services view first.`, [], 'warning');
    return { git: await repo.session.openRepository(), result };
  }
}
