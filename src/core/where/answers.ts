// Answers to "where is this commit live?" from verdicts already held (the extension's last check):
// no Cloud Run request, no git process for a commit the check's ranges hold (see readWhereFacts),
// each answer kept for as long as its check result is the one held (a new result is new verdicts;
// the old answers go with the old result).
import type { GitReadOptions, GitRepository } from '../git/repository';
import type { CheckResult } from '../model';
import { readWhereFacts } from './facts';
import { whereLive, type WhereAnswer } from './live';

export class WhereAnswers {
  private readonly byResult = new WeakMap<CheckResult, Map<string, Promise<WhereAnswer>>>();

  /** `sha`: a full commit SHA. A read that fails is not kept: the next call reads again. */
  answer(git: GitRepository, result: CheckResult, sha: string, options: GitReadOptions = {}): Promise<WhereAnswer> {
    let answers = this.byResult.get(result);
    if (!answers) this.byResult.set(result, (answers = new Map()));
    const kept = answers.get(sha);
    if (kept) return kept;
    const reading = readWhereFacts(git, sha, result.services, result.head, undefined, options).then((facts) => whereLive(result.services, facts));
    answers.set(sha, reading);
    reading.catch(() => {
      if (answers.get(sha) === reading) answers.delete(sha);
    });
    return reading;
  }
}
