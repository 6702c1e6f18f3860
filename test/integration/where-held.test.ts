// "Where is this commit live?" from the ranges a check has read: real git in a temporary repository
// with a merged feature branch and a deployment from another branch. The facts taken from the held
// ranges must equal the ones git gives alone, for every commit; and a commit inside a range must be
// answered without running git at all (shown by taking the repository's .git away).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitRepository } from '../../src/core/git/repository';
import type { ServiceVerdict } from '../../src/core/model';
import { readWhereFacts } from '../../src/core/where/facts';
import { createTempRepo, type TempRepo } from '../helpers/repo';
import { plainCommit } from '../helpers/verdicts';

/** A unit serving `commit`: all that readWhereFacts reads of a verdict. */
function unitServing(name: string, commit: string): ServiceVerdict {
  return {
    name,
    kind: 'service',
    // The whole repository: the ranges these tests read (for no paths) hold every commit it could touch.
    paths: [],
    serving: [{ revision: `${name}-00001-aaa`, percent: 100, commitLabel: commit.slice(0, 8), commit, status: 'stale', commitsBehind: 1, createTime: null, image: null }],
  } as Partial<ServiceVerdict> as ServiceVerdict;
}

describe('where facts from the ranges a check holds', () => {
  let repo: TempRepo;
  const c: Record<string, string> = {};

  before(() => {
    repo = createTempRepo();
    c.base = repo.commit('base', { 'api/a.py': '1\n', 'web/i.html': '1\n' });
    c.api1 = repo.commit('api 1', { 'api/a.py': '2\n' });
    repo.git('checkout', '-q', '-b', 'other');
    c.other = repo.commit('other branch', { 'api/o.py': '1\n' });
    repo.git('checkout', '-q', 'main');
    c.web1 = repo.commit('web 1', { 'web/i.html': '2\n' });
    repo.git('checkout', '-q', '-b', 'feature');
    c.feature = repo.commit('feature', { 'api/f.py': '1\n' });
    repo.git('checkout', '-q', 'main');
    c.api2 = repo.commit('api 2', { 'api/a.py': '3\n' });
    repo.git('merge', '-q', '--no-ff', '-m', 'merge feature', 'feature');
    c.merge = repo.head();
    c.web2 = repo.commit('web 2', { 'web/i.html': '3\n' });
    c.api3 = repo.commit('api 3', { 'api/a.py': '4\n' });
  });
  after(() => repo?.cleanup());

  it('gives the same facts as git alone for every commit: in a range, below every deployment, a merge, another branch', async () => {
    const head = repo.head();
    const verdicts = [unitServing('api', c.api1!), unitServing('web', c.api2!), unitServing('canary', c.other!), unitServing('merged', c.merge!)];
    const held = await GitRepository.open(repo.dir);
    await held.ranges([c.api1!, c.api2!, c.other!, c.merge!], head);
    // Holds no range: git answers everything.
    const bare = await GitRepository.open(repo.dir);
    for (const [name, sha] of Object.entries(c)) {
      // `changes` says how the commit was read (from a range, or by git), not where it is live.
      const { changes, ...alone } = await readWhereFacts(bare, sha, verdicts, head);
      const { changes: _fromRanges, ...fromRanges } = await readWhereFacts(held, sha, verdicts, head);
      assert.deepEqual({ ...fromRanges, commit: plainCommit(fromRanges.commit) }, alone, `facts for ${name}`);
      // A read given what an earlier one learned from git (as the editor's "where" view reads again with the histories).
      assert.ok(changes, `git read ${name}`);
      const { changes: _given, ...given } = await readWhereFacts(held, sha, verdicts, head, undefined, { changed: Promise.resolve(changes), inHead: { head, contains: alone.inHead } });
      assert.deepEqual({ ...given, commit: plainCommit(given.commit) }, alone, `facts for ${name} given the earlier read`);
    }
    const facts = await readWhereFacts(held, c.feature!, verdicts, head);
    assert.deepEqual(
      [facts.inHead, facts.files, [...facts.contains]],
      [
        true,
        ['api/f.py'],
        [
          [c.api1, false],
          [c.api2, false],
          [c.other, false],
          [c.merge, true],
        ],
      ],
    );
  });

  it('answers a commit inside a range without running git, and asks git about one outside every range', async () => {
    const head = repo.head();
    const verdicts = [unitServing('api', c.api1!), unitServing('web', c.web2!)];
    const git = await GitRepository.open(repo.dir);
    await git.ranges([c.api1!, c.web2!], head);
    await git.describeCommits([c.api1!, c.web2!]);
    const dotGit = path.join(repo.dir, '.git');
    fs.renameSync(dotGit, `${dotGit}-away`);
    try {
      const facts = await readWhereFacts(git, c.api2!, verdicts, head);
      assert.deepEqual(
        [facts.commit.subject, facts.files, facts.inHead, [...facts.contains]],
        [
          'api 2',
          ['api/a.py'],
          true,
          [
            [c.api1, false],
            [c.web2, true],
          ],
        ],
      );
      // Below every deployment: its files are in no range, so git is asked (and, without .git, fails).
      await assert.rejects(readWhereFacts(git, c.base!, verdicts, head), /git/i);
    } finally {
      fs.renameSync(`${dotGit}-away`, dotGit);
    }
  });
});
