// Which cloud-run-drift.json is read: discovery stops at the git repository's top level, and a file another user
// owns or can write is refused. Real files and real git; ownership changed with chown where this runs as root.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { ConfigError, findConfigFile, loadConfig } from '../../src/core/config';
import { currentUser, foreignFile } from '../../src/core/platform/fileOwner';

const CONFIG = JSON.stringify({ project: 'abc-def', region: 'us-west2', services: { a: {} } });
const isRoot = process.getuid?.() === 0;
const OTHER_UID = 54321;

function problemOf(error: unknown): string {
  assert.ok(error instanceof ConfigError, error instanceof Error ? error.message : 'the file was read as a configuration');
  return error.problems.map((p) => p.message).join('\n');
}

describe('config discovery and ownership', () => {
  let dir: string;
  const git = (cwd: string, ...args: string[]): void => void execFileSync('git', args, { cwd, stdio: 'ignore' });

  before(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crd-config-trust-')));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("stops at the repository's top level: a file above it is not the repository's", async () => {
    const outer = path.join(dir, 'shared');
    const repo = path.join(outer, 'checkout');
    fs.mkdirSync(path.join(repo, 'api', 'src'), { recursive: true });
    fs.writeFileSync(path.join(outer, 'cloud-run-drift.json'), CONFIG);
    git(repo, 'init', '-q');
    assert.equal(await findConfigFile(path.join(repo, 'api', 'src')), null);
    assert.equal(await findConfigFile(repo), null);
    fs.writeFileSync(path.join(repo, 'cloud-run-drift.json'), CONFIG);
    assert.equal(await findConfigFile(path.join(repo, 'api', 'src')), path.join(repo, 'cloud-run-drift.json'));
  });

  it('stops at a worktree whose .git is a file', async () => {
    const repo = path.join(dir, 'main-repo');
    fs.mkdirSync(repo);
    git(repo, 'init', '-q');
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'first');
    const worktree = path.join(dir, 'wt-parent', 'wt');
    fs.mkdirSync(path.dirname(worktree));
    fs.writeFileSync(path.join(dir, 'wt-parent', 'cloud-run-drift.json'), CONFIG);
    git(repo, 'worktree', 'add', '-q', worktree);
    assert.ok(fs.statSync(path.join(worktree, '.git')).isFile());
    assert.equal(await findConfigFile(worktree), null);
  });

  it('refuses a file others can write, and names the fix', async () => {
    const file = path.join(dir, 'writable.json');
    fs.writeFileSync(file, CONFIG);
    fs.chmodSync(file, 0o666);
    const message = problemOf(await loadConfig(file).catch((e: unknown) => e));
    assert.match(message, /refusing to read a configuration that other users can write \(mode 0666\)/);
    assert.ok(message.includes(`Run: chmod go-w "${file}"`), message);
    fs.chmodSync(file, 0o644);
    assert.equal((await loadConfig(file)).services[0]!.name, 'a');
  });

  it("refuses a file another user owns (the check's user injected)", async () => {
    const file = path.join(dir, 'mine.json');
    fs.writeFileSync(file, CONFIG);
    const me = currentUser()!;
    const someoneElse = { uid: me.uid + 1, gid: me.gid };
    const message = problemOf(await loadConfig(file, someoneElse).catch((e: unknown) => e));
    assert.match(message, new RegExp(`owned by another user \\(uid ${me.uid}; you are uid ${me.uid + 1}\\)`));
    assert.ok(message.includes(`chown ${me.uid + 1} "${file}"`), message);
  });

  it('refuses a file chowned to another user (as root), from the CLI too', { skip: !isRoot && 'needs root to chown' }, async () => {
    const repo = path.join(dir, 'planted');
    fs.mkdirSync(repo);
    git(repo, 'init', '-q');
    const file = path.join(repo, 'cloud-run-drift.json');
    fs.writeFileSync(file, CONFIG);
    fs.chownSync(file, OTHER_UID, OTHER_UID);
    assert.match(problemOf(await loadConfig(file).catch((e: unknown) => e)), /owned by another user \(uid 54321; you are uid 0\)/);
    const err: string[] = [];
    const code = await main(['scoreboard', '--config', file], { out: () => undefined, err: (text) => err.push(text), color: false });
    assert.equal(code, 2);
    assert.match(err.join('\n'), /refusing to read a configuration owned by another user/);
  });

  it("accepts group write for the user's own private group only, and only where asked", () => {
    const user = { uid: 1000, gid: 1000 };
    const checkout = { privateGroupMayWrite: true };
    const ours = { privateGroupMayWrite: false };
    assert.deepEqual(foreignFile({ uid: 1000, gid: 1000, mode: 0o100664 }, user, ours), { kind: 'writable', mode: '0664' });
    assert.equal(foreignFile({ uid: 1000, gid: 1000, mode: 0o100664 }, user, checkout), null);
    assert.deepEqual(foreignFile({ uid: 1000, gid: 100, mode: 0o100664 }, user, checkout), { kind: 'writable', mode: '0664' });
    // A primary group shared by many users (e.g. "staff"), numbered unlike the user.
    assert.deepEqual(foreignFile({ uid: 501, gid: 20, mode: 0o100664 }, { uid: 501, gid: 20 }, checkout), { kind: 'writable', mode: '0664' });
    assert.deepEqual(foreignFile({ uid: 1000, gid: 1000, mode: 0o100646 }, user, checkout), { kind: 'writable', mode: '0646' });
    assert.deepEqual(foreignFile({ uid: 0, gid: 1000, mode: 0o100644 }, user, checkout), { kind: 'owner', owner: 0, user: 1000 });
    assert.equal(foreignFile({ uid: 1000, gid: 100, mode: 0o100644 }, user, checkout), null);
    // No POSIX owners (Windows): nothing to check.
    assert.equal(foreignFile({ uid: 0, gid: 0, mode: 0o100666 }, null, checkout), null);
  });
});
