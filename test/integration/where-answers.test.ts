// The editor's "where" answers (WhereAnswers) from a check it holds: real git in a temporary
// repository, the real reader against the emulator. The cursor line's answer asks Cloud Run
// nothing; the "where" view's answer reads each live unit's revision history once per check held,
// so that "live since" names the first revision that carried the commit, as the CLI's does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GitRepository } from '../../src/core/git/repository';
import type { CloudRunReader, ServiceRef } from '../../src/core/google/cloudrun';
import type { CheckResult } from '../../src/core/model';
import { WhereAnswers } from '../../src/core/where/answers';
import { deployedCommitsOf } from '../../src/core/where/live';
import { resolveWhereTarget } from '../../src/core/where/facts';
import { checkAgainstEmulator, releaseAll, startRunEmulator, type EmulatorCheck, type RunEmulator } from '../helpers/emulatorCheck';
import { createFixScenario, label } from '../helpers/fixScenario';
import { traced } from '../helpers/gitTrace';
import type { TempRepo } from '../helpers/repo';

const PROJECT = 'demo-project';
const REGION = 'us-west2';

describe('where answers in the editor', () => {
  let repo: TempRepo;
  let emulator: RunEmulator;
  let checked: EmulatorCheck;
  const c: Record<string, string> = {};

  before(async () => {
    const scenario = createFixScenario({ baseFiles: { 'web/index.html': '1\n' } });
    repo = scenario.repo;
    Object.assign(c, scenario.c);
    c.web = repo.commit('web: new page', { 'web/index.html': '2\n' }, new Date('2026-01-01T01:00:00Z'));
    emulator = await startRunEmulator({
      project: PROJECT,
      region: REGION,
      now: '2026-01-03T00:00:00Z',
      services: [...scenario.services, { name: 'web', revisions: [{ name: 'web-00001-aaa', labels: label(c.web), createTime: '2026-01-01T01:05:00Z' }] }],
    });
    checked = await checkAgainstEmulator(repo, emulator, { project: PROJECT, region: REGION, services: { api: { paths: ['api'] }, web: { paths: ['web'] } } });
  });
  after(() => releaseAll(checked?.reader, emulator, repo));

  /** The reader's histories, each request counted by service. */
  function countingReader(): { reader: Pick<CloudRunReader, 'listRevisions'>; asked: string[] } {
    const asked: string[] = [];
    return { asked, reader: { listRevisions: (ref: ServiceRef, limit: number) => (asked.push(ref.name), checked.reader.listRevisions!(ref, limit)) } };
  }

  const apiOf = (answer: Awaited<ReturnType<WhereAnswers['answer']>>) => answer.units.find((u) => u.name === 'api')!;

  it('the cursor line: the serving revision, no history read', async () => {
    const answers = new WhereAnswers();
    const git = await GitRepository.open(repo.dir);
    const api = apiOf(await answers.answer(git, checked.result, c.fix!));
    assert.deepEqual([api.state, api.revision, api.since], ['live', 'api-00003-ccc', '2026-01-01T00:25:00.000Z']);
  });

  it('the "where" view: since the first revision that carried the commit, each history read once per check held', async () => {
    const answers = new WhereAnswers();
    const git = await GitRepository.open(repo.dir);
    const { reader, asked } = countingReader();
    const source = { reader, commitLabel: 'commit-sha' };
    const first = apiOf(await answers.answerSince(git, checked.result, c.fix!, source));
    assert.deepEqual([first.state, first.revision, first.since], ['live', 'api-00002-bbb', '2026-01-01T00:15:00.000Z']);
    assert.match(first.message, /first in api-00002-bbb, created 2026-01-01T00:15:00\.000Z/);
    // The follow-up: its first revision is the one serving; web's history is read for its own commit only.
    const followUp = apiOf(await answers.answerSince(git, checked.result, c.followUp!, source));
    assert.deepEqual([followUp.revision, followUp.since], ['api-00003-ccc', '2026-01-01T00:25:00.000Z']);
    await answers.answerSince(git, checked.result, c.fix!, source);
    assert.deepEqual(asked, ['api'], 'api read once for both commits; web (not touched) never');
    // A new check held: read again (a deploy since may have added revisions).
    const next: CheckResult = { ...checked.result };
    await answers.answerSince(git, next, c.fix!, source);
    assert.deepEqual(asked, ['api', 'api']);
  });

  it('a history that cannot be read keeps the serving revision\'s time, and is read again on the next call', async () => {
    const answers = new WhereAnswers();
    const git = await GitRepository.open(repo.dir);
    const { reader, asked } = countingReader();
    const source = { reader, commitLabel: 'commit-sha' };
    // Refused once, more times than the reader retries a refusal (it does not: 403 is final).
    await emulator.control('faults', { rules: [{ api: 'run', service: 'api', operation: 'listRevisions', httpStatus: 403, message: 'Permission denied on revisions', times: 1 }] });
    try {
      const refused = apiOf(await answers.answerSince(git, checked.result, c.fix!, source));
      assert.deepEqual([refused.state, refused.revision, refused.since], ['live', 'api-00003-ccc', '2026-01-01T00:25:00.000Z']);
    } finally {
      await emulator.control('clear-faults');
    }
    const again = apiOf(await answers.answerSince(git, checked.result, c.fix!, source));
    assert.deepEqual([again.revision, again.since], ['api-00002-bbb', '2026-01-01T00:15:00.000Z'], 'neither the failure nor the answer without it was kept');
    assert.deepEqual(asked, ['api', 'api']);
  });

  it('the "where" view reads the commit, and whether HEAD contains it, once: the pass with the histories asks git neither again', async () => {
    const answers = new WhereAnswers();
    const git = await GitRepository.open(repo.dir);
    // The ranges the check read, held as the editor's repository holds them: the fix, older than every deployed commit, is in none.
    const { result } = checked;
    const ranges = await git.ranges(deployedCommitsOf(result.services), result.head, { paths: ['api', 'web'] });
    assert.ok([...ranges.values()].every((r) => !(r instanceof Error) && r.commits.every((e) => e.commit.sha !== c.fix)), 'no range holds the fix');
    const { reader, asked } = countingReader();
    const { value, commands } = await traced(() => answers.answerSince(git, result, c.fix!, { reader, commitLabel: 'commit-sha' }));
    const api = apiOf(value);
    assert.deepEqual([api.state, api.revision, api.since], ['live', 'api-00002-bbb', '2026-01-01T00:15:00.000Z']);
    assert.deepEqual(asked, ['api'], 'the history was read');
    const commitReads = commands.filter((command) => / log -1 /.test(command) && command.includes(c.fix!));
    assert.equal(commitReads.length, 1, `the commit's files read once:\n${commitReads.join('\n')}`);
    const headAsked = commands.filter((command) => command.includes('rev-list --ancestry-path') && command.includes(result.head));
    assert.equal(headAsked.length, 1, `whether HEAD contains it asked once:\n${headAsked.join('\n')}`);
  });

  it('a commit whose files the caller has read (a commit-ish resolved) is not read again', async () => {
    const answers = new WhereAnswers();
    const git = await GitRepository.open(repo.dir);
    const target = await resolveWhereTarget(git, { kind: 'commit', commitish: c.fix!.slice(0, 10) });
    assert.ok(target.kind === 'commit' && target.changes);
    const { reader } = countingReader();
    const { value, commands } = await traced(() => answers.answerSince(git, checked.result, target.sha, { reader, commitLabel: 'commit-sha' }, { changes: target.changes! }));
    assert.deepEqual([apiOf(value).state, apiOf(value).revision], ['live', 'api-00002-bbb']);
    const commitReads = commands.filter((command) => / log -1 /.test(command) && command.includes(c.fix!));
    assert.deepEqual(commitReads, [], 'the commit is not read again');
  });
});
