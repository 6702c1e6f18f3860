import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { commitPatchPath, commitPatchQuery, parseCommitPatchQuery } from '../../src/extension/patches/commitPatchUri';
import { effectiveEndpoints, isEmulatorEndpoint } from '../../src/extension/session/endpointsPolicy';
import { isRelevantWorkingTreeChange, resolveGitWatchDirs } from '../../src/extension/session/gitWatchPaths';
import { SHA_A } from './extension-fixtures';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' });
}

describe('extension watching and addresses', () => {
  it('finds HEAD, index and refs for a plain repository and a linked worktree', async () => {
    const base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'crd-git-')));
    try {
      const main = path.join(base, 'main');
      await fs.mkdir(main);
      git(main, 'init', '-q', '-b', 'main');
      git(main, 'commit', '-q', '--allow-empty', '-m', 'first');
      assert.deepEqual(await resolveGitWatchDirs(main), { gitDir: path.join(main, '.git'), commonDir: path.join(main, '.git') });

      const linked = path.join(base, 'linked');
      git(main, 'worktree', 'add', '-q', linked, '-b', 'feature');
      const dirs = await resolveGitWatchDirs(linked);
      assert.equal(dirs?.commonDir, path.join(main, '.git'));
      assert.equal(dirs?.gitDir, path.join(main, '.git', 'worktrees', 'linked'));

      assert.equal(await resolveGitWatchDirs(base), null);
    } finally {
      await fs.rm(base, { recursive: true, force: true });
    }
  });

  it('refreshes only for changes that can touch a service', () => {
    const paths = [['predictions/worker', 'shared'], ['api']];
    assert.equal(isRelevantWorkingTreeChange('predictions/worker/main.py', paths), true);
    assert.equal(isRelevantWorkingTreeChange('shared', paths), true);
    assert.equal(isRelevantWorkingTreeChange('predictions/workers/x', paths), false, 'a sibling with a common prefix');
    assert.equal(isRelevantWorkingTreeChange('docs/readme.md', paths), false);
    assert.equal(isRelevantWorkingTreeChange('api/node_modules/x/index.js', paths), false);
    assert.equal(isRelevantWorkingTreeChange('.git/index', [[]]), false, 'git metadata has its own watchers');
    assert.equal(isRelevantWorkingTreeChange('docs/readme.md', [[], ['api']]), true, 'a whole-repository service sees everything');
    assert.equal(isRelevantWorkingTreeChange('../outside', [[]]), false);
  });

  it('round-trips commit patch addresses and refuses anything that is not a name and a SHA', () => {
    const ref = { service: 'prediction-worker', sha: SHA_A };
    assert.equal(commitPatchPath(ref), '/prediction-worker@81147d04.diff');
    assert.deepEqual(parseCommitPatchQuery(commitPatchQuery(ref)), ref);
    assert.equal(parseCommitPatchQuery('service=prediction-worker&sha=--output%3D%2Ftmp%2Fx'), null);
    assert.equal(parseCommitPatchQuery('service=..%2Fetc&sha=81147d04'), null);
    assert.equal(parseCommitPatchQuery('service=worker'), null);
  });

  it('keeps only a plain-http loopback emulator until the workspace is trusted', () => {
    assert.ok(isEmulatorEndpoint('run', 'http://127.0.0.1:8123'));
    assert.ok(isEmulatorEndpoint('bigquery', 'http://localhost:8123/'));
    assert.ok(isEmulatorEndpoint('logging', '127.0.0.1:8124'));
    assert.ok(isEmulatorEndpoint('run', 'http://[::1]:8123'));
    assert.ok(!isEmulatorEndpoint('run', 'https://run.example.com'));
    assert.ok(!isEmulatorEndpoint('run', 'http://127.0.0.1.evil.example:80'));
    // https on loopback is a server with its own certificate, not the emulator: it would get credentials.
    assert.ok(!isEmulatorEndpoint('run', 'https://127.0.0.1:8443'));
    assert.ok(!isEmulatorEndpoint('bigquery', 'https://localhost:8443'));
    assert.ok(!isEmulatorEndpoint('logging', 'logging.example.com:443'));
    const configured = { run: 'https://evil.example', logging: '127.0.0.1:8124', bigquery: 'http://localhost:9050' };
    assert.deepEqual(effectiveEndpoints(configured, false), { endpoints: { logging: '127.0.0.1:8124', bigquery: 'http://localhost:9050' }, dropped: ['run'] });
    assert.deepEqual(effectiveEndpoints(configured, true), { endpoints: configured, dropped: [] });
    const httpsLoopback = { run: 'https://127.0.0.1:8443', bigquery: 'https://localhost:9443', logging: '127.0.0.1:8124' };
    assert.deepEqual(effectiveEndpoints(httpsLoopback, false), { endpoints: { logging: '127.0.0.1:8124' }, dropped: ['run', 'bigquery'] });
    // The Cloud Functions endpoint is kept or dropped by the same rule.
    assert.deepEqual(effectiveEndpoints({ functions: 'http://127.0.0.1:8123' }, false), { endpoints: { functions: 'http://127.0.0.1:8123' }, dropped: [] });
    assert.deepEqual(effectiveEndpoints({ functions: 'https://functions.example' }, false), { endpoints: {}, dropped: ['functions'] });
  });
});
