// A long-lived repository (as the editor keeps one per workspace folder) continues the walk it made
// when HEAD moves: a read after a commit walks only that commit. Real git on a generated history
// with side branches merged back; every range is compared with one read by a repository opened
// afresh and with `git rev-list`, and the git processes each read started are read from GIT_TRACE.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { prepareCommitsTouching, walkedCommitsTouching } from '../../src/core/git/rangeWalk';
import { GitError, GitRepository, type RangeFacts } from '../../src/core/git/repository';
import type { CommitInfo } from '../../src/core/model';
import { rangeShape, traced, walksOf } from '../helpers/gitTrace';
import { createTempRepo, fastImportMonorepo, type TempRepo } from '../helpers/repo';

const PATHS = ['services/svc-1', 'services/svc-2', 'shared'];


describe('a long-lived repository continues its walk when HEAD moves', () => {
  let repo: TempRepo;
  let mainline: string[];
  let start: string;
  let deployed: string[];

  before(() => {
    repo = createTempRepo();
    repo.commit('initial layout', { 'README.md': 'monorepo' });
    ({ mainline } = fastImportMonorepo(repo, { commits: 600, services: 4, mergeEvery: 100, sideLength: 3 }));
    start = repo.head();
    deployed = [mainline[mainline.length - 11]!, mainline[mainline.length - 201]!, mainline[mainline.length - 401]!];
  });
  afterEach(() => {
    repo.git('checkout', '-q', 'main');
    repo.git('reset', '-q', '--hard', start);
  });
  after(() => repo?.cleanup());

  /** The ranges of `shas` to HEAD read by `git` (traced), checked against a repository opened afresh and against `git rev-list`. */
  async function read(git: GitRepository, shas = deployed, paths = PATHS): Promise<{ ranges: Map<string, RangeFacts | Error>; walks: string[] }> {
    const head = repo.head();
    const { value, commands } = await traced(() => git.ranges(shas, head, { paths }));
    const fresh = await (await GitRepository.open(repo.dir)).ranges(shas, head, { paths });
    assert.deepEqual(rangeShape(value), rangeShape(fresh), `the ranges to ${head} are a fresh repository's`);
    for (const sha of shas) {
      const facts = value.get(sha);
      assert.ok(facts && !(facts instanceof Error), `a range for ${sha}`);
      const listed = repo.git('rev-list', '--no-merges', '--full-history', `${sha}..${head}`, '--', ...paths.map((p) => `:(literal)${p}`));
      assert.deepEqual(new Set(facts.commits.map((c) => c.commit.sha)), new Set(listed === '' ? [] : listed.split('\n')), `the range of ${sha} is what git rev-list says`);
    }
    return { ranges: value, walks: walksOf(commands) };
  }

  /**
   * Two reads of ranges to HEAD started together (`first` and `second`, each of several deployed
   * commits none has read), checked against a repository opened afresh; the walks they made.
   */
  async function together(git: GitRepository, first: string[], second: string[]): Promise<string[]> {
    const head = repo.head();
    const { value, commands } = await traced(() => Promise.all([git.ranges(first, head, { paths: PATHS }), git.ranges(second, head, { paths: PATHS })]));
    const fresh = await (await GitRepository.open(repo.dir)).ranges([...first, ...second], head, { paths: PATHS });
    assert.deepEqual(rangeShape(new Map([...value[0], ...value[1]])), rangeShape(fresh), `the ranges to ${head} are a fresh repository's`);
    return walksOf(commands);
  }

  /** How many commits a traced walk holds (0 for one of commits that are gone). */
  function walked(walk: string): number {
    const revisions = /--date-order (.*?) --\s*$/.exec(walk)?.[1];
    assert.ok(revisions, `the revisions of ${walk}`);
    try {
      return Number(repo.git('rev-list', '--count', ...revisions.split(' ')));
    } catch {
      return 0;
    }
  }

  /** Asserts that `walks` is one walk of `head` alone down from what was walked before (`--not` the earlier tip). */
  function continuedFrom(walks: string[], head: string, earlier: string): void {
    assert.equal(walks.length, 1, `one walk, not a walk of the whole range: ${walks.join('\n')}`);
    assert.match(walks[0]!, new RegExp(`--date-order ${head} --not [0-9a-f ]*${earlier}`));
    assert.equal(walked(walks[0]!), 1, 'the walk holds only the new commit');
  }

  /** Asserts that `walks` holds a walk of the whole range again (over a hundred commits). */
  function afresh(walks: string[]): void {
    assert.ok(walks.reduce((sum, walk) => sum + walked(walk), 0) > 100, `a walk afresh: ${walks.join('\n')}`);
  }

  it('after commits, a merge, a reset back and a rewrite, walks only what is new and reads every range right', async () => {
    const git = await GitRepository.open(repo.dir);
    assert.ok((await read(git)).walks.length > 0, 'the first read walks');

    // A commit on HEAD.
    let tip = repo.head();
    repo.commit('svc-1: after the walk', { 'services/svc-1/after.txt': 'a' });
    continuedFrom((await read(git)).walks, repo.head(), tip);

    // A commit in a folder no range is read for.
    tip = repo.head();
    repo.commit('docs: a note', { 'docs/note.md': 'n' });
    continuedFrom((await read(git)).walks, repo.head(), tip);

    // A side branch merged back: the merge and the branch's commits.
    tip = repo.head();
    repo.git('checkout', '-q', '-b', 'side', 'HEAD~1');
    repo.commit('shared: on a side branch', { 'shared/side.txt': 's' });
    const side = repo.head();
    repo.git('checkout', '-q', 'main');
    repo.git('merge', '-q', '--no-ff', '-m', 'merge side', side);
    const merged = await read(git);
    assert.equal(merged.walks.length, 1, 'one walk');
    assert.match(merged.walks[0]!, new RegExp(`--date-order ${repo.head()} --not [0-9a-f ]*${tip}`));
    assert.ok(Object.values(rangeShape(merged.ranges)).every((r) => JSON.stringify(r).includes(side)), 'the side branch commit is in every range');

    // Moved back: HEAD is in the walk held, nothing to walk.
    const beforeReset = repo.head();
    repo.git('reset', '-q', '--hard', 'HEAD~2');
    assert.deepEqual((await read(git)).walks, [], 'no walk after a reset back');

    // Rewritten: new commits where the reset ones were.
    tip = repo.head();
    repo.commit('svc-2: rewritten', { 'services/svc-2/rewritten.txt': 'r' });
    const rewritten = await read(git);
    continuedFrom(rewritten.walks, repo.head(), tip);
    assert.match(rewritten.walks[0]!, new RegExp(beforeReset), 'the commits walked before, no longer HEAD\'s, are not walked again');

    // Back to the commits walked before: nothing to walk.
    repo.git('reset', '-q', '--hard', beforeReset);
    assert.deepEqual((await read(git)).walks, []);
  });

  it('ranges read before stay right after the walk is continued to another HEAD', async () => {
    const git = await GitRepository.open(repo.dir);
    const first = await git.ranges(deployed, repo.head(), { paths: PATHS });
    const expected = rangeShape(await (await GitRepository.open(repo.dir)).ranges(deployed, repo.head(), { paths: PATHS }));
    repo.commit('svc-1: after the walk', { 'services/svc-1/after.txt': 'a' });
    await read(git);
    // The first ranges' commits are made only now, after the walk took another log.
    assert.deepEqual(rangeShape(first), expected);
  });

  it('a continued walk hands the verdicts the commit objects it made before, not new ones', async () => {
    const git = await GitRepository.open(repo.dir);
    const touching = async (): Promise<Map<string, CommitInfo>> => {
      const ranges = await git.ranges(deployed, repo.head(), { paths: PATHS });
      const found = new Map<string, CommitInfo>();
      for (const facts of ranges.values()) {
        assert.ok(!(facts instanceof Error));
        for (const commit of walkedCommitsTouching(facts, ['services/svc-1']) ?? assert.fail('a walked range')) found.set(commit.sha, commit);
      }
      return found;
    };
    const before = await touching();
    assert.ok(before.size > 10, `the ranges touch svc-1 (${before.size} commits)`);
    repo.commit('svc-1: after the walk', { 'services/svc-1/after.txt': 'a' });
    const after = await touching();
    assert.equal(after.size, before.size + 1, 'the new commit is in the ranges');
    const remade = [...before].filter(([sha, commit]) => after.get(sha) !== commit);
    assert.deepEqual(remade.map(([sha]) => sha), [], 'no commit object is made again');
  });

  it('walks afresh when a deployed commit lies below the walk held, or for other paths', async () => {
    const git = await GitRepository.open(repo.dir);
    await read(git);
    repo.commit('svc-1: after the walk', { 'services/svc-1/after.txt': 'a' });
    const older = [...deployed, mainline[mainline.length - 501]!];
    afresh((await read(git, older)).walks);
    // The walk held now reaches the older commit: continued from there.
    const tip = repo.head();
    repo.commit('svc-2: after that', { 'services/svc-2/after.txt': 'b' });
    continuedFrom((await read(git, older)).walks, repo.head(), tip);
    // Other paths: a walk of their own, which the next read continues.
    repo.commit('docs: a note', { 'docs/note.md': 'n' });
    afresh((await read(git, deployed, ['services/svc-3', 'docs'])).walks);
  });

  it('walks afresh when the commits it was continued from are gone (rewritten and collected)', async () => {
    const git = await GitRepository.open(repo.dir);
    repo.commit('svc-1: soon rewritten', { 'services/svc-1/gone.txt': 'g' });
    await read(git);
    repo.git('reset', '-q', '--hard', 'HEAD~1');
    repo.commit('svc-1: the rewrite', { 'services/svc-1/kept.txt': 'k' });
    repo.git('reflog', 'expire', '--expire=now', '--all');
    repo.git('gc', '-q', '--prune=now');
    afresh((await read(git)).walks);
  });

  it('finds a range\'s commits touching some paths in slices, asking its pause between them, and hands each caller its own copy', async () => {
    const head = repo.head();
    const oldest = deployed[2]!;
    const prepared = (await (await GitRepository.open(repo.dir)).ranges([oldest], head, { paths: PATHS })).get(oldest);
    const plain = (await (await GitRepository.open(repo.dir)).ranges([oldest], head, { paths: PATHS })).get(oldest);
    assert.ok(prepared && !(prepared instanceof Error) && plain && !(plain instanceof Error));
    let asked = 0;
    const pause = (): undefined => void asked++;
    await prepareCommitsTouching(prepared, PATHS, pause);
    // 400 mainline commits and their side branches: a question per 1,024 of them, the first at once.
    assert.equal(asked, 1);
    await prepareCommitsTouching(prepared, ['services/svc-1'], pause);
    assert.equal(asked, 2);
    await prepareCommitsTouching(prepared, PATHS, pause);
    assert.equal(asked, 2, 'paths prepared before are not looked for again');
    const shas = (commits: CommitInfo[] | undefined): string[] => (commits ?? []).map((c) => c.sha);
    for (const paths of [PATHS, ['services/svc-1'], ['shared']]) {
      assert.deepEqual(shas(walkedCommitsTouching(prepared, paths)), shas(walkedCommitsTouching(plain, paths)), paths.join(' '));
    }
    const mine = walkedCommitsTouching(prepared, PATHS)!;
    const length = mine.length;
    mine.length = 0;
    assert.equal(walkedCommitsTouching(prepared, PATHS)!.length, length, 'emptying one caller\'s list leaves the next caller\'s whole');
    assert.ok(length > 100, `${length} commits touch the paths`);
  });

  it('asks its pause every 1,024 commits and waits when it answers a promise', async () => {
    const many = createTempRepo();
    try {
      many.commit('initial layout', { 'README.md': 'monorepo' });
      const { mainline: line } = fastImportMonorepo(many, { commits: 3000, services: 2, mergeEvery: 1000, sideLength: 2 });
      const from = line[0]!;
      const range = (await (await GitRepository.open(many.dir)).ranges([from], many.head(), { paths: ['services'] })).get(from);
      assert.ok(range && !(range instanceof Error));
      const events: string[] = [];
      const pause = (): Promise<void> => {
        events.push('asked');
        return new Promise<void>((resolve) => setImmediate(() => resolve(void events.push('turned'))));
      };
      const done = prepareCommitsTouching(range, ['services'], pause).then(() => events.push('done'));
      events.push('started');
      await done;
      // 3,000 mainline commits and 6 of side branches: questions at 0, 1,024 and 2,048, each waited for.
      assert.deepEqual(events, ['asked', 'started', 'turned', 'asked', 'turned', 'asked', 'turned', 'done']);
      assert.equal(walkedCommitsTouching(range, ['services'])!.length, range.commits.length);
    } finally {
      many.cleanup();
    }
  });

  it('lets go of a walk mostly out of HEAD\'s history: the read after walks afresh', async () => {
    const git = await GitRepository.open(repo.dir);
    const older = deployed.slice(1);
    await read(git, older);
    // Back 180 first-parent commits and a commit there: over a third of the walk held is no longer HEAD's.
    repo.git('reset', '-q', '--hard', mainline[mainline.length - 181]!);
    repo.commit('svc-1: far back', { 'services/svc-1/back.txt': 'b' });
    continuedFrom((await read(git, older)).walks, repo.head(), start);
    repo.commit('svc-1: and on', { 'services/svc-1/on.txt': 'o' });
    afresh((await read(git, older)).walks);
  });

  it('two reads started together: the second continues the walk the first leaves, rather than walk afresh', async () => {
    const git = await GitRepository.open(repo.dir);
    await read(git);
    const first = [mainline[mainline.length - 21]!, mainline[mainline.length - 151]!];
    const second = [mainline[mainline.length - 31]!, mainline[mainline.length - 251]!];
    // The same HEAD: the walk held holds both reads' ranges.
    assert.deepEqual(await together(git, first, second), [], 'no walk for either read');
    // HEAD moved by a commit: the first walks it, the second walks nothing more.
    const tip = repo.head();
    repo.commit('svc-1: after the walk', { 'services/svc-1/after.txt': 'a' });
    continuedFrom(await together(git, first, second), repo.head(), tip);
  });

  it('a read canceled while it continues the walk leaves nothing half continued: the read started beside it reads every range right, and is continued after', { timeout: 10_000, skip: process.platform === 'win32' && 'needs mkfifo' }, async () => {
    const git = await GitRepository.open(repo.dir);
    await read(git);
    const changed = repo.commit('svc-1: a folder of its own', { 'services/svc-1/more/a.txt': 'a' });
    repo.commit('docs: a note', { 'docs/note.md': 'n' });
    repo.commit('docs: another', { 'docs/other.md': 'o' });
    const head = repo.head();
    // The first of them has its tree as a FIFO: the walk continuing the held one prints the two
    // commits above it, then waits on the FIFO (opened for writing, never written) until it is killed.
    const object = path.join(repo.dir, '.git', 'objects', ...splitObject(repo.git('rev-parse', `${changed}:services/svc-1`)));
    const aside = `${object}.aside`;
    fs.renameSync(object, aside);
    execFileSync('mkfifo', [object]);
    let writer: number | undefined;
    let restored = false;
    const restore = (): void => {
      if (restored) return;
      restored = true;
      fs.rmSync(object);
      fs.renameSync(aside, object);
    };
    const controller = new AbortController();
    const first = [mainline[mainline.length - 21]!, mainline[mainline.length - 151]!];
    const second = [mainline[mainline.length - 31]!, mainline[mainline.length - 251]!];
    try {
      const canceled = git.ranges(first, head, { paths: PATHS, signal: controller.signal });
      canceled.catch(() => undefined);
      const beside = git.ranges(second, head, { paths: PATHS });
      // Opening a FIFO to write without blocking succeeds once a reader (git) has it open.
      for (let waited = 0; writer === undefined; waited += 10) {
        try {
          writer = fs.openSync(object, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err;
          assert.ok(waited < 5000, 'a walk reached the FIFO');
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
      // What git printed before it reached the FIFO is in the pipe: a turn of the event loop reads it.
      await new Promise((resolve) => setTimeout(resolve, 20));
      restore();
      controller.abort();
      await assert.rejects(canceled, (err: unknown) => err instanceof GitError && err.reason === 'canceled');
      const fresh = await (await GitRepository.open(repo.dir)).ranges(second, head, { paths: PATHS });
      assert.deepEqual(rangeShape(await beside), rangeShape(fresh), 'the read beside the canceled one is a fresh repository\'s');
    } finally {
      if (writer !== undefined) fs.closeSync(writer);
      restore();
    }
    // What the read beside it left is continued by the next read.
    repo.commit('svc-2: after that', { 'services/svc-2/after.txt': 'b' });
    continuedFrom((await read(git, second)).walks, repo.head(), head);
  });
});

/** A loose object's folder and file name under .git/objects. */
function splitObject(sha: string): [string, string] {
  return [sha.slice(0, 2), sha.slice(2)];
}
