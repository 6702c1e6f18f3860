// A commit under a service's paths turns it stale without anyone pressing Refresh: the extension
// watches .git (HEAD, refs) and the service paths. Real git in the open workspace repository; the
// commit is reset away afterwards so the other suites see the demo as built.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ageTexts, sha8 } from '../../expectations';
import { e2eContext, git, serviceNode, settledApi, waitForServiceNode } from '../helpers';

const WORKER = 'prediction-worker';
const SUBJECT = 'worker: retry the feature fetch once (e2e)';
const FILE = path.join('predictions', 'worker', 'retry.py');

/** Back to the commit the demo was built at, without the test's file. */
function restore(dir: string, commit: string): void {
  git(dir, 'reset', '-q', '--hard', commit);
  fs.rmSync(path.join(dir, FILE), { force: true });
}

suite('refresh after a commit', () => {
  let original: string | undefined;

  suiteTeardown(async () => {
    // Whatever happened, leave the repository as the demo built it.
    if (original === undefined) return;
    restore(e2eContext().folder.dir, original);
    const api = await settledApi();
    await api.refresh();
  });

  test('committing under predictions/worker/ turns prediction-worker stale, 1 behind, through the git watcher alone', async function () {
    this.timeout(60_000);
    const ctx = e2eContext();
    const dir = ctx.folder.dir;
    const worker = ctx.demo?.services.find((s) => s.name === WORKER);
    assert.ok(worker && worker.commitsBehind === 0, 'the demo deploys prediction-worker at its latest change');
    const api = await settledApi();
    await waitForServiceNode(api, WORKER, 'up to date before the commit', (n) => n.icon === 'pass');
    original = git(dir, 'rev-parse', 'HEAD');
    assert.equal(original, ctx.demo!.head, 'the workspace is at the HEAD the demo was built with');
    const coordinatorBefore = serviceNode(api, 'prediction-coordinator')?.description;

    const file = path.join(dir, FILE);
    assert.ok(fs.existsSync(path.dirname(file)));
    fs.writeFileSync(file, 'def fetch_with_retry(fetch):\n    try:\n        return fetch()\n    except TimeoutError:\n        return fetch()\n');
    git(dir, 'add', 'predictions/worker/retry.py');
    git(dir, 'commit', '-q', '-m', SUBJECT);
    const commit = git(dir, 'rev-parse', 'HEAD');
    assert.equal(git(dir, 'status', '--porcelain'), '', 'the working tree is clean after the commit');

    // No refresh is requested here: the watcher on .git must bring the new verdict.
    const node = await waitForServiceNode(
      api,
      WORKER,
      'stale, 1 behind, not dirty',
      (n) => n.icon === 'warning' && /^1 behind for \d+ \w+ · /.test(n.description ?? '') && !(n.description ?? '').includes('dirty'),
      30_000,
    );
    assert.ok(
      ageTexts(worker.deployedAt, Date.now()).some((age) => new RegExp(`^1 behind for \\d+ (seconds?|minutes?) · ${sha8(worker.deployedCommit)} · ${age}$`).test(node.description ?? '')),
      `description "${node.description}"`,
    );
    assert.equal(node.color, 'list.warningForeground');
    assert.match(node.contextValue ?? '', /^cloudRunDrift\.service\.stale\.hasCommit/);
    const commits = node.children.filter((c) => c.contextValue === 'cloudRunDrift.commit');
    assert.deepEqual(
      commits.map((c) => [c.id, c.label]),
      [[`service:${WORKER}/commit:${commit}`, SUBJECT]],
    );
    const verdict = api.getLastResult()?.services.find((v) => v.name === WORKER);
    assert.equal(api.getLastResult()?.head, commit);
    assert.deepEqual([verdict?.status, verdict?.commitsBehind, verdict?.commits.map((c) => c.sha)], ['stale', 1, [commit]]);
    // A commit outside the other services' paths changes nothing for them.
    assert.equal(serviceNode(api, 'prediction-coordinator')?.description, coordinatorBefore);
    assert.deepEqual(
      api.getTreeSnapshot().filter((n) => n.icon === 'warning').map((n) => n.label).sort(),
      ['prediction-coordinator', WORKER],
    );
  });

  test('after resetting the commit away, the Refresh command shows prediction-worker up to date again', async function () {
    this.timeout(45_000);
    if (original === undefined) assert.fail('the previous test did not commit');
    const ctx = e2eContext();
    const worker = ctx.demo!.services.find((s) => s.name === WORKER)!;
    restore(ctx.folder.dir, original);
    original = undefined;
    await vscode.commands.executeCommand('cloudRunDrift.refresh');
    const api = await settledApi();
    const node = await waitForServiceNode(api, WORKER, 'up to date again', (n) => n.icon === 'pass', 20_000);
    assert.ok((node.description ?? '').startsWith(`${sha8(worker.deployedCommit)} · `), `description "${node.description}"`);
    assert.equal(api.getLastResult()?.head, ctx.demo!.head);
  });
});
