// HEAD read from the git folder's files (gitFolders.ts) instead of a git process, in every layout
// git has: a branch's own ref file, a packed ref, a detached HEAD, a symbolic ref, a worktree and
// a SHA-256 repository; and what the files cannot tell (no commit yet, a ref name out of the
// ordinary), where git is asked as before. Each answer is compared with `git rev-parse HEAD`, and
// the git processes each read started are read from GIT_TRACE.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitError, GitRepository } from '../../src/core/git/repository';
import { traced } from '../helpers/gitTrace';
import { createTempRepo, type TempRepo } from '../helpers/repo';

describe('HEAD read from the git folder', () => {
  let repo: TempRepo;
  const cleanup: string[] = [];

  before(() => {
    repo = createTempRepo();
    repo.commit('first', { 'services/a/main.py': '1' });
    repo.commit('second', { 'services/a/main.py': '2' });
  });
  after(() => {
    repo?.cleanup();
    for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** HEAD as the repository at `dir` reads it, and the git processes that took. */
  async function headOf(dir: string): Promise<{ head: string; commands: string[] }> {
    const git = await GitRepository.open(dir);
    const { value, commands } = await traced(() => git.head());
    return { head: value, commands };
  }

  function tempDir(prefix: string): string {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
    cleanup.push(dir);
    return dir;
  }

  it('reads a branch, loose or packed, a detached HEAD and a symbolic ref without a git process', async () => {
    const expect = async (what: string): Promise<void> => {
      const { head, commands } = await headOf(repo.dir);
      assert.equal(head, repo.git('rev-parse', 'HEAD'), what);
      assert.deepEqual(commands, [], `${what}: no git process`);
    };
    await expect('a branch of its own ref file');
    repo.git('pack-refs', '--all');
    assert.ok(!fs.existsSync(path.join(repo.dir, '.git', 'refs', 'heads', 'main')), 'the branch is packed');
    await expect('a packed branch');
    repo.commit('third', { 'services/a/main.py': '3' });
    await expect('a branch packed once, its own ref file since');
    repo.git('checkout', '-q', '--detach', 'HEAD~1');
    await expect('a detached HEAD');
    repo.git('checkout', '-q', 'main');
    repo.git('symbolic-ref', 'refs/heads/alias', 'refs/heads/main');
    repo.git('symbolic-ref', 'HEAD', 'refs/heads/alias');
    await expect('HEAD naming a ref that names the branch');
    repo.git('symbolic-ref', 'HEAD', 'refs/heads/main');
  });

  it('a read canceled fails as a canceled git call, as when git was asked', async () => {
    const git = await GitRepository.open(repo.dir);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(git.head({ signal: controller.signal }), (err: unknown) => err instanceof GitError && err.reason === 'canceled');
  });

  it("reads a worktree's own HEAD, opened from a folder inside it", async () => {
    const worktree = tempDir('crd-head-worktree-');
    repo.git('worktree', 'add', '-q', '-b', 'other', worktree, 'HEAD~1');
    try {
      fs.mkdirSync(path.join(worktree, 'services', 'a'), { recursive: true });
      const { head, commands } = await headOf(path.join(worktree, 'services', 'a'));
      assert.equal(head, execFileSync('git', ['rev-parse', 'HEAD'], { cwd: worktree, encoding: 'utf8' }).trim());
      assert.notEqual(head, repo.git('rev-parse', 'HEAD'), "the worktree's HEAD, not the main one's");
      assert.deepEqual(commands, []);
    } finally {
      repo.git('worktree', 'remove', '--force', worktree);
    }
  });

  it('reads a SHA-256 repository', async (t) => {
    const dir = tempDir('crd-head-sha256-');
    try {
      execFileSync('git', ['init', '-q', '--object-format=sha256', '-b', 'main', dir], { stdio: 'ignore' });
    } catch {
      t.skip('this git cannot make a SHA-256 repository');
      return;
    }
    const identity = ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false'];
    execFileSync('git', [...identity, 'commit', '-q', '--allow-empty', '-m', 'first'], { cwd: dir });
    const { head, commands } = await headOf(dir);
    assert.match(head, /^[0-9a-f]{64}$/);
    assert.equal(head, execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim());
    assert.deepEqual(commands, []);
  });

  it('asks git where the files do not tell: no commit yet, or a ref name out of the ordinary', async () => {
    const empty = tempDir('crd-head-empty-');
    execFileSync('git', ['init', '-q', '-b', 'main', empty]);
    const git = await GitRepository.open(empty);
    const { value: failure, commands } = await traced(() => git.head().then(() => undefined, (err: unknown) => err));
    assert.ok(failure instanceof GitError && /has no commits yet/.test(failure.message), String(failure));
    assert.equal(commands.filter((c) => c.includes('rev-parse')).length, 1, 'git is asked');

    // A branch name git takes and this reader does not (outside its plain characters).
    repo.git('branch', 'fix/ü-branch');
    repo.git('symbolic-ref', 'HEAD', 'refs/heads/fix/ü-branch');
    try {
      const { head, commands: asked } = await headOf(repo.dir);
      assert.equal(head, repo.git('rev-parse', 'HEAD'));
      assert.equal(asked.filter((c) => c.includes('rev-parse')).length, 1, 'git is asked');
    } finally {
      repo.git('symbolic-ref', 'HEAD', 'refs/heads/main');
    }
  });

  it('asks git nothing of the paths at a HEAD it read them at before', async () => {
    const git = await GitRepository.open(repo.dir);
    const head = await git.head();
    const first = await git.pathPresence(head, ['services/a', 'services/missing']);
    assert.deepEqual(first.missingPaths, ['services/missing']);
    const { value: again, commands } = await traced(() => git.pathPresence(head, ['services/a', 'services/missing']));
    assert.deepEqual(again, first);
    assert.deepEqual(commands, [], 'no git process');
    // Another HEAD is asked.
    const { value: before, commands: asked } = await traced(() => git.pathPresence(repo.git('rev-parse', 'HEAD~2'), ['services/a', 'services/missing']));
    assert.deepEqual(before.missingPaths, ['services/missing']);
    assert.equal(asked.filter((c) => c.includes('cat-file')).length, 1);
  });
});
