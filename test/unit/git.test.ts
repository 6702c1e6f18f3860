import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitError, GitRepository, touchesPaths, type RangeFacts } from '../../src/core/git/repository';
import { GitCommands } from '../../src/core/git/command';
import { containmentFromRanges, findInRanges } from '../../src/core/where/held';
import { createTempRepo, fastImportCommits, type TempRepo } from '../helpers/repo';

describe('git facts (real git)', () => {
  let repo: TempRepo;
  let git: GitRepository;
  let first: string;
  let second: string;
  before(async () => {
    repo = createTempRepo();
    first = repo.commit('initial', { 'svc/a.txt': '1', 'shared/lib.txt': '1', 'other/x.txt': '1' });
    second = repo.commit('touch svc and a path with spaces', { 'svc/a.txt': '2', 'svc/with space.txt': 's' });
    repo.commit('touch other only', { 'other/x.txt': '2' });
    git = await GitRepository.open(`${repo.dir}/svc`);
  });
  after(() => repo.cleanup());

  it('opens from a subdirectory and reads HEAD', async () => {
    assert.equal(git.root, repo.dir);
    assert.equal(await git.head(), repo.head());
  });

  it('resolves short and full labels, and refuses non-hex and unknown ones', async () => {
    const resolved = await git.resolveLabels([first.slice(0, 7), second, 'deadbeef', '--output=/tmp/x', 'HEAD', first.slice(0, 7)]);
    assert.deepEqual(resolved.get(first.slice(0, 7)), { kind: 'found', sha: first });
    assert.deepEqual(resolved.get(second), { kind: 'found', sha: second });
    assert.deepEqual(resolved.get('deadbeef'), { kind: 'unknown' });
    assert.deepEqual(resolved.get('--output=/tmp/x'), { kind: 'invalid' });
    assert.deepEqual(resolved.get('HEAD'), { kind: 'invalid' }, 'refs are not commit labels');
  });

  it('reads a range with ancestry and the files of each commit', async () => {
    const range = await git.range(first, repo.head());
    assert.equal(range.isAncestor, true);
    assert.deepEqual(range.commits.map((c) => c.commit.subject), ['touch other only', 'touch svc and a path with spaces']);
    assert.deepEqual(range.commits[1]!.files.sort(), ['svc/a.txt', 'svc/with space.txt']);
    assert.equal(range.commits[1]!.commit.author, 'Test Author');
    assert.match(range.commits[1]!.commit.date, /^2026-01-01T00:02:00/);
    assert.strictEqual(await git.range(first, repo.head()), range, 'ranges are cached per commit pair');
  });

  it('streams git output to a reader, and stops git at the first exception the reader throws', async () => {
    const commands = new GitCommands(repo.dir);
    const chunks: Buffer[] = [];
    const { exitCode } = await commands.stream(['log', '--format=%s'], (chunk) => chunks.push(chunk));
    assert.equal(exitCode, 0);
    assert.equal(Buffer.concat(chunks).toString(), 'touch other only\ntouch svc and a path with spaces\ninitial\n');
    const refused = new Error('not this output');
    await assert.rejects(
      commands.stream(['log'], () => {
        throw refused;
      }),
      (err: unknown) => err === refused,
    );
  });

  it('runs a streamed git below normal priority when it is background work (the editor), at its own else (the CLI)', { skip: (process.platform === 'win32' && 'POSIX niceness') || (os.getPriority() >= os.constants.priority.PRIORITY_BELOW_NORMAL && 'this process runs niced already') }, async () => {
    const large = createTempRepo();
    const started: import('node:child_process').ChildProcess[] = [];
    const record = (message: unknown): void => void started.push((message as { process: import('node:child_process').ChildProcess }).process);
    try {
      large.commit('initial', { 'a.txt': '1' });
      fastImportCommits(large, 3000, 'generated');
      diagnostics.subscribe('child_process', record);
      // Asked at its first chunk of output, a megabyte before its last: git still runs.
      const priorityOf = async (commands: GitCommands): Promise<number | undefined> => {
        let priority: number | undefined;
        await commands.stream(['log', '--format=%H %H %H %H %H %H %H'], () => void (priority ??= os.getPriority(started.at(-1)!.pid!)));
        return priority;
      };
      assert.equal(await priorityOf(new GitCommands(large.dir, undefined, large.dir, true)), os.constants.priority.PRIORITY_BELOW_NORMAL, 'background');
      assert.equal(await priorityOf(new GitCommands(large.dir)), os.getPriority(), "the CLI's: this process's own");
    } finally {
      diagnostics.unsubscribe('child_process', record);
      large.cleanup();
    }
  });

  it('reports changed and untracked paths, renames on both sides', async () => {
    const scratch = createTempRepo();
    try {
      scratch.commit('base', { 'a/one.txt': '1', 'b/two.txt': '2' });
      scratch.git('mv', 'a/one.txt', 'c/one.txt'.replace('c/', 'b/'));
      scratch.write('d/new file.txt', 'n');
      const changed = await (await GitRepository.open(scratch.dir)).changedPaths();
      assert.deepEqual(changed.sort(), ['a/one.txt', 'b/one.txt', 'd/new file.txt']);
    } finally {
      scratch.cleanup();
    }
  });

  it('finds the last commit touching paths', async () => {
    const last = await git.lastCommitTouching(['svc'], repo.head());
    assert.equal(last?.sha, second);
    assert.equal((await git.lastCommitTouching([], repo.head()))?.sha, repo.head());
  });

  it('describes a commit once: a second request while the first is being read waits for it', async () => {
    const traceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-trace-'));
    const trace = path.join(traceDir, 'git.trace');
    process.env.GIT_TRACE = trace;
    try {
      const fresh = await GitRepository.open(repo.dir);
      const [early, late] = await Promise.all([fresh.describeCommits([first, second]), fresh.describeCommits([second, first])]);
      const again = await fresh.describeCommits([first]);
      assert.deepEqual([...early.keys()], [first, second]);
      assert.deepEqual([...late.keys()], [second, first]);
      assert.equal(late.get(first)?.subject, 'initial');
      assert.equal(again.get(first), early.get(first));
      const walks = fs.readFileSync(trace, 'utf8').match(/built-in: git log --no-walk/g) ?? [];
      assert.equal(walks.length, 1, 'one git log for both requests and none for the cached commit');
    } finally {
      delete process.env.GIT_TRACE;
      fs.rmSync(traceDir, { recursive: true, force: true });
    }
  });

  it('shows a commit patch limited to paths, and refuses non-SHAs', async () => {
    const patch = await git.commitPatch(second, ['svc/with space.txt']);
    assert.match(patch, /with space\.txt/);
    assert.doesNotMatch(patch, /a\.txt/);
    await assert.rejects(git.commitPatch('--output=x', []), /not a commit id/);
  });

  it('does not guess an ambiguous abbreviation', async () => {
    const big = createTempRepo();
    try {
      big.commit('base', { 'x/seed': '0' });
      const shas = fastImportCommits(big, 1000, 'bulk');
      const byPrefix = new Map<string, string>();
      let ambiguous: string | null = null;
      for (const sha of shas) {
        const prefix = sha.slice(0, 4);
        if (byPrefix.has(prefix)) {
          ambiguous = prefix;
          break;
        }
        byPrefix.set(prefix, sha);
      }
      assert.ok(ambiguous, 'a 1000-commit history has a shared 4-hex prefix');
      const resolved = await (await GitRepository.open(big.dir)).resolveLabels([ambiguous, shas[0]!.slice(0, 12)]);
      assert.deepEqual(resolved.get(ambiguous), { kind: 'ambiguous' });
      assert.deepEqual(resolved.get(shas[0]!.slice(0, 12)), { kind: 'found', sha: shas[0] });
    } finally {
      big.cleanup();
    }
  });

  it('matches paths by directory boundary', () => {
    assert.equal(touchesPaths('shared/x.py', ['shared']), true);
    assert.equal(touchesPaths('shared', ['shared']), true);
    assert.equal(touchesPaths('shared-old/x.py', ['shared']), false);
    assert.equal(touchesPaths('anything', []), true);
  });
});

describe('untrusted repositories', () => {
  it('never run a clean filter the repository configures: the working tree is not examined', async () => {
    const repo = createTempRepo();
    try {
      repo.commit('base', { 'svc/a.txt': '1', '.gitattributes': '*.txt filter=evil\n' });
      const canary = `${repo.dir}/../canary-${process.pid}`;
      repo.git('config', 'filter.evil.clean', `touch ${canary}; cat`);
      repo.write('svc/a.txt', '2'); // same size: git must read the content, through the filter
      const untrusted = await GitRepository.open(repo.dir, { trusted: false });
      assert.deepEqual(await untrusted.changedPaths(), []);
      assert.equal(fs.existsSync(canary), false, 'the clean filter ran');
      const trusted = await GitRepository.open(repo.dir);
      assert.deepEqual(await trusted.changedPaths(), ['svc/a.txt']);
      assert.equal(fs.existsSync(canary), true, 'a trusted repository may run its own filters, proving the canary works');
      fs.rmSync(canary, { force: true });
    } finally {
      repo.cleanup();
    }
  });
});

describe('what git runs with (through simple-git)', () => {
  it('the safety overrides reach git: a repository asking for another log encoding still gets UTF-8 subjects', async () => {
    const repo = createTempRepo();
    try {
      const sha = repo.commit('café déjà vu', { 'a.txt': '1' }); // ISO-8859-1 can hold it, so git would re-encode it
      repo.git('config', 'i18n.logOutputEncoding', 'ISO-8859-1');
      const described = await (await GitRepository.open(repo.dir)).describeCommits([sha]);
      assert.equal(described.get(sha)?.subject, 'café déjà vu');
    } finally {
      repo.cleanup();
    }
  });

  it('a trusted repository\'s fsmonitor hook never runs', async () => {
    const repo = createTempRepo();
    const canary = `${repo.dir}/../fsmonitor-canary-${process.pid}`;
    try {
      repo.commit('base', { 'a.txt': '1' });
      const hook = `${repo.dir}/.git/fsmonitor-hook`;
      fs.writeFileSync(hook, `#!/bin/sh\ntouch '${canary}'\n`, { mode: 0o755 });
      repo.git('config', 'core.fsmonitor', hook);
      repo.write('a.txt', '2');
      assert.deepEqual(await (await GitRepository.open(repo.dir)).changedPaths(), ['a.txt']);
      assert.equal(fs.existsSync(canary), false, 'the fsmonitor hook ran');
    } finally {
      fs.rmSync(canary, { force: true });
      repo.cleanup();
    }
  });

  it('GIT_DIR and friends in the environment do not point git at another repository', async () => {
    const repo = createTempRepo();
    const other = createTempRepo();
    try {
      const head = repo.commit('this one', { 'a.txt': '1' });
      other.commit('another one', { 'b.txt': '1' });
      process.env.GIT_DIR = `${other.dir}/.git`;
      process.env.GIT_WORK_TREE = other.dir;
      const git = await GitRepository.open(repo.dir);
      assert.equal(git.root, repo.dir);
      assert.equal(await git.head(), head);
    } finally {
      delete process.env.GIT_DIR;
      delete process.env.GIT_WORK_TREE;
      repo.cleanup();
      other.cleanup();
    }
  });
});

describe('starting git', () => {
  it('starts each git in a turn of the event loop of its own, however many are asked for at once', async () => {
    let turn = 0;
    let counting = true;
    const count = (): void => {
      turn++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const started: number[] = [];
    const onSpawn = (): void => void started.push(turn);
    diagnostics.subscribe('child_process', onSpawn);
    try {
      const commands = new GitCommands(process.cwd());
      await Promise.all([commands.run(['--version']), commands.stream(['--version'], () => undefined), commands.run(['--version']), commands.runInOwnProcessGroup(['--version'])]);
    } finally {
      counting = false;
      diagnostics.unsubscribe('child_process', onSpawn);
    }
    assert.equal(started.length, 4);
    assert.equal(new Set(started).size, 4, `turns of the starts: ${started.join(', ')}`);
  });

  it('lets the timers run between two starts asked for from an I/O callback', async () => {
    // Each start holds the loop for a millisecond or more: a 1 ms timer is due by the next turn.
    let timers = 0;
    let counting = true;
    const tick = (): void => {
      timers++;
      if (counting) setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
    const started: number[] = [];
    const onSpawn = (): void => void started.push(timers);
    diagnostics.subscribe('child_process', onSpawn);
    try {
      const commands = new GitCommands(process.cwd());
      // In the poll phase, as when git's output or an answer from Cloud Run arrives.
      await new Promise<void>((resolve, reject) =>
        fs.readFile(__filename, () => void Promise.all([commands.run(['--version']), commands.stream(['--version'], () => undefined), commands.run(['--version'])]).then(() => resolve(), reject)),
      );
    } finally {
      counting = false;
      diagnostics.unsubscribe('child_process', onSpawn);
    }
    assert.equal(started.length, 3);
    assert.equal(new Set(started).size, 3, `timer runs seen at each start: ${started.join(', ')}`);
  });
});

describe('ranges read together (real git, branchy history)', () => {
  let repo: TempRepo;
  let commits: string[];
  let diverged: string;

  /** A deterministic history of side branches merged back (no fast-forward), so ranges overlap across merges. */
  before(() => {
    repo = createTempRepo();
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    commits = [repo.commit('root', { 'a/f': '0', 'b/f': '0' })];
    for (let round = 0; round < 6; round++) {
      const branch = `side-${round}`;
      repo.git('checkout', '-q', '-b', branch);
      for (let i = 0; i < 1 + random(3); i++) commits.push(repo.commit(`${branch} ${i}`, { [`${random(2) ? 'a' : 'b'}/s${round}-${i}`]: String(i) }));
      repo.git('checkout', '-q', 'main');
      for (let i = 0; i < random(3); i++) commits.push(repo.commit(`main ${round}.${i}`, { [`${random(2) ? 'a' : 'b'}/m${round}-${i}`]: String(i) }));
      repo.git('merge', '-q', '--no-ff', '-m', `merge ${branch}`, branch);
      commits.push(repo.head());
    }
    repo.git('checkout', '-q', '-b', 'elsewhere', commits[3]!);
    diverged = repo.commit('not on main', { 'a/elsewhere': '1' });
    repo.git('checkout', '-q', 'main');
    repo.commit('both folders', { 'a/both': '1', 'b/both': '1' });
  });
  after(() => repo.cleanup());

  it('gives every deployed commit the same facts as reading its range alone', async () => {
    const head = repo.head();
    const samples = [[commits[0]!, commits[5]!, commits[9]!], [commits[2]!, commits[4]!, diverged, head], [head, commits[1]!], [commits[7]!, commits[8]!, commits[12]!, commits[15]!]];
    for (const deployed of samples) {
      const together = await (await GitRepository.open(repo.dir)).ranges(deployed, head);
      const alone = await GitRepository.open(repo.dir);
      for (const sha of deployed) {
        assert.deepEqual(together.get(sha), await alone.range(sha, head), `range of ${sha.slice(0, 8)} among ${deployed.map((d) => d.slice(0, 8)).join(',')}`);
      }
      // And against git's own answer, so the two paths cannot agree on a shared mistake.
      for (const sha of deployed) {
        const expected = repo.git('log', '--no-merges', '--format=%H', `${sha}..${head}`).split('\n').filter(Boolean);
        assert.deepEqual(rangeOf(together, sha).commits.map((c) => c.commit.sha), expected);
      }
    }
  });

  it('keeps, when read for paths, only the commits touching them, each with only its files under them', async () => {
    const head = repo.head();
    const deployed = [commits[0]!, commits[5]!, commits[9]!, commits[14]!];
    const together = await (await GitRepository.open(repo.dir)).ranges(deployed, head, { paths: ['a'] });
    const alone = await GitRepository.open(repo.dir);
    for (const sha of deployed) {
      const expected = repo.git('log', '--no-merges', '--full-history', '--format=%H', `${sha}..${head}`, '--', 'a').split('\n').filter(Boolean);
      const range = rangeOf(together, sha);
      assert.deepEqual(range.commits.map((c) => c.commit.sha), expected, `range of ${sha.slice(0, 8)}`);
      assert.deepEqual(range.commits[0]!.files, ['a/both'], 'the files under the paths, and no other');
      assert.ok(range.commits.every((c) => c.files.length > 0 && c.files.every((f) => f.startsWith('a/'))));
      assert.deepEqual(await alone.range(sha, head, { paths: ['a'] }), range, 'the same read alone');
    }
  });

  it('tells whether a tip contains a commit as rev-list --ancestry-path does', async () => {
    const git = await GitRepository.open(repo.dir);
    const head = repo.head();
    for (const commit of [...commits, diverged]) {
      for (const tip of [head, diverged, commits[5]!]) {
        const expected = (await git.tipsContaining(commit, [tip])).get(tip);
        assert.equal(await git.containsCommit(tip, commit), expected, `${tip.slice(0, 8)} contains ${commit.slice(0, 8)}`);
      }
    }
    assert.equal(await git.containsCommit(head, diverged), false);
    assert.equal(await git.containsCommit(head, commits[0]!), true);
    await assert.rejects(git.containsCommit(head, '--all'), /not a commit/);
  });

  it("finds a commit in a walk's range by its SHA without making the range's list of commits", async () => {
    const head = repo.head();
    const deployed = [commits[0]!, commits[5]!, commits[9]!, diverged];
    const walked = await (await GitRepository.open(repo.dir)).ranges(deployed, head, { paths: ['a'] });
    const listed = await (await GitRepository.open(repo.dir)).ranges(deployed, head, { paths: ['a'] });
    // The same facts as plain objects (no walk behind them): what held.ts indexes by SHA.
    const plain = new Map(deployed.map((sha) => [sha, { ...rangeOf(listed, sha) }]));
    for (const sha of deployed) {
      Object.defineProperty(rangeOf(walked, sha), 'commits', {
        get: () => {
          throw new Error(`the commits of ${sha.slice(0, 8)}'s range were made`);
        },
      });
    }
    const asked = [...commits, diverged, head, repo.git('rev-parse', 'HEAD~1'), 'f'.repeat(40), 'not a sha'];
    for (const sha of asked) {
      const label = `${sha.slice(0, 8)} (${commits.indexOf(sha)})`;
      assert.deepEqual(findInRanges(sha, walked as Map<string, RangeFacts>), findInRanges(sha, plain), label);
      assert.deepEqual(containmentFromRanges(sha, deployed, walked as Map<string, RangeFacts>, { inHead: true, merge: false }), containmentFromRanges(sha, deployed, plain, { inHead: true, merge: false }), label);
    }
    assert.ok(asked.some((sha) => findInRanges(sha, plain) !== null) && asked.some((sha) => findInRanges(sha, plain) === null));
  });

  it('marks a commit from another branch as not an ancestor, and fills the cache for later calls', async () => {
    const git = await GitRepository.open(repo.dir);
    const head = repo.head();
    const first = await git.ranges([diverged, commits[2]!], head);
    assert.equal(rangeOf(first, diverged).isAncestor, false);
    assert.equal(rangeOf(first, commits[2]!).isAncestor, true);
    assert.strictEqual(await git.range(commits[2]!, head), first.get(commits[2]!), 'a later single read is served from the cache');
  });
});

describe('ranges read together when the deployed commit committed first is not below the others (real git)', () => {
  let repo: TempRepo;
  const c: Record<string, string> = {};
  before(() => {
    repo = createTempRepo();
    c.root = repo.commit('root', { 'a/root': '1' });
    repo.git('checkout', '-q', '-b', 'old');
    c.old = repo.commit('on a branch never merged', { 'a/old': '1' });
    repo.git('checkout', '-q', 'main');
    c.a = repo.commit('main a', { 'a/a': '1' });
    repo.git('checkout', '-q', '-b', 'side');
    c.side = repo.commit('side', { 'a/side': '1' });
    repo.git('checkout', '-q', 'main');
    c.b = repo.commit('main b', { 'a/b': '1' });
    c.c = repo.commit('main c', { 'b/c': '1' });
    repo.git('merge', '-q', '--no-ff', '-m', 'merge side', 'side');
    c.d = repo.commit('main d', { 'a/d': '1' });
  });
  after(() => repo.cleanup());

  for (const [what, deployed] of [
    ['from a side branch merged since', ['side', 'c']],
    ['from a branch HEAD does not hold', ['old', 'b']],
  ] as const) {
    it(`gives each the facts of its range read alone, the first committed ${what}`, async () => {
      const head = repo.head();
      const shas = deployed.map((name) => c[name]!);
      const together = await (await GitRepository.open(repo.dir)).ranges(shas, head, { paths: ['a'] });
      const alone = await GitRepository.open(repo.dir);
      for (const sha of shas) {
        const range = rangeOf(together, sha);
        assert.deepEqual(range, await alone.range(sha, head, { paths: ['a'] }));
        const inHead = repo.git('merge-base', sha, head) === sha;
        assert.equal(range.isAncestor, inHead);
        if (inHead) assert.deepEqual(range.commits.map((x) => x.commit.sha), repo.git('log', '--no-merges', '--full-history', '--format=%H', `${sha}..${head}`, '--', 'a').split('\n').filter(Boolean));
      }
    });
  }
});

describe('the ranges a repository keeps (real git)', () => {
  it('keeps those to the HEAD last read, not those to every HEAD it has seen', async () => {
    const repo = createTempRepo();
    try {
      const deployed = [repo.commit('one', { 'a/1': '1' }), repo.commit('two', { 'a/2': '2' })];
      const firstHead = repo.commit('three', { 'a/3': '3' });
      const git = await GitRepository.open(repo.dir);
      await git.ranges(deployed, firstHead);
      assert.deepEqual([...(await git.heldRanges(deployed, firstHead, [])).keys()], deployed);
      const secondHead = repo.commit('four', { 'a/4': '4' });
      const again = await git.ranges(deployed, secondHead);
      assert.equal(rangeOf(again, deployed[0]!).commits.length, 3);
      assert.deepEqual([...(await git.heldRanges(deployed, secondHead, [])).keys()], deployed);
      assert.equal((await git.heldRanges(deployed, firstHead, [])).size, 0, 'the walk to the earlier HEAD is let go of');
    } finally {
      repo.cleanup();
    }
  });
});

/** The facts ranges() read for `sha`; fails the test when it holds an error instead. */
function rangeOf(ranges: ReadonlyMap<string, RangeFacts | GitError>, sha: string): RangeFacts {
  const facts = ranges.get(sha);
  assert.ok(facts && !(facts instanceof GitError), `range of ${sha.slice(0, 8)}: ${facts instanceof GitError ? facts.message : 'missing'}`);
  return facts;
}
