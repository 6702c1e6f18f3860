// Answers to "where is this commit live?" from verdicts already held (the extension's last check):
// no Cloud Run request, no git process for a commit the check's ranges hold (see readWhereFacts),
// each answer kept for as long as its check result is the one held (a new result is new verdicts;
// the old answers go with the old result). Asked to say since when (the editor's "where" view), the
// live units' revision histories are read too, once per unit and result: "live since" then names
// the first revision that carried the commit, as the CLI's `where` does.
import type { CloudRunReader } from '../google/cloudrun';
import type { CommitWithFiles, GitReadOptions, GitRepository } from '../git/repository';
import type { CheckResult } from '../model';
import { readWhereFacts } from './facts';
import { listHistories, serviceOf, withCommits } from './histories';
import type { KeptHistory } from './historyStore';
import { whereLive, type WhereAnswer } from './live';

/** Where the revision histories come from: the repository's reader and its commit label. */
export interface HistorySource {
  reader: Pick<CloudRunReader, 'listRevisions'>;
  commitLabel: string;
}

type Kept<T> = WeakMap<CheckResult, Map<string, Promise<T>>>;

/** An answer from the verdicts alone, with the facts it was made from. */
interface HeldAnswer {
  answer: WhereAnswer;
  facts: Awaited<ReturnType<typeof readWhereFacts>>;
}

/** How an answer is read: `changes`, the commit with its files, when the caller has read them (resolving a commit-ish does). */
export interface AnswerReadOptions extends GitReadOptions {
  changes?: CommitWithFiles;
}

export class WhereAnswers {
  private readonly byResult: Kept<HeldAnswer> = new WeakMap();
  private readonly sinceByResult: Kept<WhereAnswer> = new WeakMap();
  private readonly historiesByResult: Kept<KeptHistory> = new WeakMap();

  /** `sha`: a full commit SHA. A read that fails is not kept: the next call reads again. */
  answer(git: GitRepository, result: CheckResult, sha: string, options: AnswerReadOptions = {}): Promise<WhereAnswer> {
    return this.held(git, result, sha, options).then(({ answer }) => answer);
  }

  private held(git: GitRepository, result: CheckResult, sha: string, options: AnswerReadOptions): Promise<HeldAnswer> {
    return kept(this.byResult, result, sha, async () => {
      const facts = await readWhereFacts(git, sha, result.services, result.head, undefined, { signal: options.signal, changed: options.changes });
      return { answer: whereLive(result.services, facts), facts };
    });
  }

  /**
   * As answer(), and a live unit's "since" is the first of its last revisions that carried the
   * commit (a unit whose history cannot be read keeps its serving revision's time).
   */
  answerSince(git: GitRepository, result: CheckResult, sha: string, source: HistorySource, options: AnswerReadOptions = {}): Promise<WhereAnswer> {
    return kept(this.sinceByResult, result, sha, async () => {
      const { answer: held, facts } = await this.held(git, result, sha, options);
      const live = held.units.flatMap((u) => {
        const verdict = u.state === 'live' ? result.services.find((v) => v.name === u.name) : undefined;
        const service = serviceOf(verdict);
        return verdict && service ? [{ unit: verdict, service }] : [];
      });
      // A history that could not be read is not kept (the next call reads it again), and neither is
      // an answer made without it.
      const read = await Promise.all(
        live.map((unit) =>
          kept(this.historiesByResult, result, `${unit.unit.name}\0${unit.service}`, async () => {
            const history = (await listHistories(source.reader, source.commitLabel, [unit])).get(unit.unit.name);
            if (!history) throw new Error(`${unit.unit.name}'s history could not be read`);
            return history;
          }).then(
            (history) => [unit.unit.name, history] as const,
            () => null,
          ),
        ),
      );
      const histories = new Map(read.filter((entry) => entry !== null));
      // Read again with the histories' deployed commits, taking what the first read learned from
      // git (the commit's files; whether HEAD contains it) rather than asking again.
      const changes = facts.changes ?? options.changes;
      const again = { signal: options.signal, inHead: { head: result.head, contains: facts.inHead }, changed: changes ?? undefined };
      const answer = histories.size === 0 ? held : whereLive(result.services, await readWhereFacts(git, sha, result.services, result.head, await withCommits(git, histories, result.services), again));
      if (histories.size < live.length) throw new IncompleteAnswer(answer);
      return answer;
    }).catch((err: unknown) => {
      if (err instanceof IncompleteAnswer) return err.answer;
      throw err;
    });
  }
}

/** An answer given without some live unit's history: returned, not kept. */
class IncompleteAnswer extends Error {
  constructor(readonly answer: WhereAnswer) {
    super('a history could not be read');
  }
}

/** The value kept for `key` under `result`, or `read()`'s (kept unless it fails). */
function kept<T>(byResult: Kept<T>, result: CheckResult, key: string, read: () => Promise<T>): Promise<T> {
  let values = byResult.get(result);
  if (!values) byResult.set(result, (values = new Map()));
  const held = values.get(key);
  if (held) return held;
  const reading = read();
  values.set(key, reading);
  reading.catch(() => {
    if (values.get(key) === reading) values.delete(key);
  });
  return reading;
}
