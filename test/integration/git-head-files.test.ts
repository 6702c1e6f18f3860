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

  describe('never answers otherwise than git', () => {
    /** A fresh repository of two commits on main, packed or not, `change` applied to its git folder. */
    async function compare(what: string, change: (gitDir: string, shas: { first: string; second: string }) => void, options: { pack?: boolean } = {}): Promise<{ commands: string[] }> {
      const scratch = createTempRepo();
      cleanup.push(scratch.dir);
      const first = scratch.commit('first', { 'a.txt': '1' });
      const second = scratch.commit('second', { 'a.txt': '2' });
      if (options.pack) scratch.git('pack-refs', '--all');
      change(path.join(scratch.dir, '.git'), { first, second });
      let expected: string | null;
      try {
        expected = scratch.git('rev-parse', '--verify', '--quiet', 'HEAD^{commit}') || null;
      } catch {
        expected = null;
      }
      const git = await GitRepository.open(scratch.dir, { timeoutMs: 2_000 });
      const { value, commands } = await traced(() => git.head().then((sha) => sha, (err: unknown) => err));
      if (expected === null) assert.ok(value instanceof GitError, `${what}: git fails, and so does head(): ${String(value)}`);
      else assert.equal(value, expected, what);
      return { commands };
    }
    const refs = (gitDir: string, name: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(gitDir, name)), { recursive: true });
      fs.writeFileSync(path.join(gitDir, name), text);
    };

    it('follows symbolic refs as far as git does (five refs read, HEAD the first)', async () => {
      const chain = (length: number) => (gitDir: string, { second }: { second: string }) => {
        for (let i = 1; i <= length; i++) refs(gitDir, `refs/heads/r${i}`, i === length ? `${second}\n` : `ref: refs/heads/r${i + 1}\n`);
        refs(gitDir, 'HEAD', 'ref: refs/heads/r1\n');
      };
      assert.deepEqual((await compare('HEAD and four refs', chain(4))).commands, [], 'read from the files');
      await compare('HEAD and five refs (git gives up)', chain(5));
    });

    it('ref names git refuses, HEAD of more than one line, a SHA of the other format', async () => {
      for (const name of ['refs/heads/a..b', 'refs/heads/x.lock', 'refs/heads/y.']) {
        await compare(name, (gitDir, { second }) => {
          refs(gitDir, name, `${second}\n`);
          refs(gitDir, 'HEAD', `ref: ${name}\n`);
        });
      }
      await compare('HEAD with a second line', (gitDir) => refs(gitDir, 'HEAD', 'ref: refs/heads/main\ngarbage\n'));
      await compare('a 64-digit SHA in a SHA-1 repository', (gitDir, { second }) => refs(gitDir, 'refs/heads/main', `${second}${second.slice(0, 24)}\n`));
      assert.deepEqual((await compare('CRLF and trailing spaces in a loose ref', (gitDir, { first }) => refs(gitDir, 'refs/heads/main', `${first}  \r\n`))).commands, []);
    });

    it('packed-refs as git reads it: a CRLF line or a last line without its newline is no ref', async () => {
      const packed = (ending: string) => (gitDir: string, { first }: { first: string }) => refs(gitDir, 'packed-refs', `# pack-refs with: peeled fully-peeled sorted \n${first} refs/heads/main${ending}`);
      assert.deepEqual((await compare('a packed branch', packed('\n'), { pack: true })).commands, []);
      await compare('a CRLF line', packed('\r\n'), { pack: true });
      await compare('no newline after the last line', packed(''), { pack: true });
    });

    it('a symbolic link in a ref\'s place (git reads it as a symbolic ref) and a FIFO for packed-refs are left to git', { skip: process.platform === 'win32' && 'needs symlinks and mkfifo' }, async () => {
      const linked = await compare('a branch that is a link to another', (gitDir, { first }) => {
        refs(gitDir, 'refs/heads/other', `${first}\n`);
        fs.rmSync(path.join(gitDir, 'refs/heads/main'));
        fs.symlinkSync('refs/heads/other', path.join(gitDir, 'refs/heads/main'));
      });
      assert.equal(linked.commands.filter((c) => c.includes('rev-parse')).length, 1, 'git is asked');
      // The branch packed, packed-refs a FIFO: the files are left alone, and git, asked, waits on it until its deadline.
      const scratch = createTempRepo();
      cleanup.push(scratch.dir);
      scratch.commit('first', { 'a.txt': '1' });
      scratch.git('pack-refs', '--all');
      fs.rmSync(path.join(scratch.dir, '.git', 'packed-refs'));
      execFileSync('mkfifo', [path.join(scratch.dir, '.git', 'packed-refs')]);
      const git = await GitRepository.open(scratch.dir, { timeoutMs: 1_000 });
      await assert.rejects(git.head(), (err: unknown) => err instanceof GitError && err.reason === 'timeout' && /rev-parse/.test(err.message));
    });
  });

  it("the paths' presence read beside a read canceled is read again, not failed with it", async () => {
    const git = await GitRepository.open(repo.dir);
    const head = await git.head();
    const controller = new AbortController();
    const canceled = git.pathPresence(head, ['services/a', 'services/gone'], { signal: controller.signal });
    const beside = git.pathPresence(head, ['services/a', 'services/gone']);
    controller.abort();
    await assert.rejects(canceled, (err: unknown) => err instanceof GitError && err.reason === 'canceled');
    assert.deepEqual((await beside).missingPaths, ['services/gone']);
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
