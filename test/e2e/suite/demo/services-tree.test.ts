// The Services tree on the demo workspace, read through the extension's test API: one row per
// configured service with the verdict the demo was built to have (prediction-coordinator 53
// commits behind, the rest up to date), its icon, colour and description, and the children that
// explain it. The same verdicts are checked on screen by test/e2e/ui/checks.ts.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { expectedDemoRows, sha8 } from '../../expectations';
import { e2eContext, git, serviceNode, settledApi, treeProblems, waitFor } from '../helpers';

const COORDINATOR = 'prediction-coordinator';

function demo(): NonNullable<ReturnType<typeof e2eContext>['demo']> {
  const d = e2eContext().demo;
  assert.ok(d, 'this run opens the demo workspace');
  return d;
}

suite('Services tree', () => {
  test('lists every demo service in configuration order with its verdict, icon, colour and description', async () => {
    const api = await settledApi();
    const expected = expectedDemoRows(demo().services, Date.now());
    let problems: string[] = [];
    await waitFor(
      'the tree to show the demo verdicts',
      () => {
        problems = treeProblems(api.getTreeSnapshot(), expected);
        return problems.length === 0;
      },
      20_000,
    ).catch(() => assert.fail(`the Services tree does not show the demo's verdicts:\n  ${problems.join('\n  ')}`));
    const coordinator = serviceNode(api, COORDINATOR)!;
    // Spelled out once, as a person reads it.
    assert.match(coordinator.description ?? '', new RegExp(`^53 behind · ${sha8(demo().services.find((s) => s.name === COORDINATOR)!.deployedCommit)} · \\d+d ago$`));
    assert.equal(coordinator.icon, 'warning');
  });

  test('a refresh that moves no row redraws the rows only, so a row clicked meanwhile still reaches its command', async () => {
    const api = await settledApi();
    // VS Code asks for the rows once the view is shown; until then every change redraws it all.
    await vscode.commands.executeCommand('cloudRunDrift.services.focus');
    await waitFor('VS Code to ask for the rows', () => api.getTreeRefreshCounts().rootFetches > 0, 10_000);
    const before = api.getTreeRefreshCounts();
    await api.refresh();
    await api.refresh();
    const after = api.getTreeRefreshCounts();
    assert.equal(after.root, before.root, 'no whole-tree redraw: VS Code would forget every row until it asked again');
    assert.ok(after.rows >= before.rows + 2, `the rows were redrawn (${before.rows} -> ${after.rows})`);
  });

  test("prediction-coordinator's children: its serving revision at 100% and exactly the 53 commits git lists as undeployed", async () => {
    const api = await settledApi();
    const state = demo().services.find((s) => s.name === COORDINATOR)!;
    const node = serviceNode(api, COORDINATOR);
    assert.ok(node, 'no prediction-coordinator row');
    const revisions = node.children.filter((c) => c.contextValue === 'cloudRunDrift.revision');
    assert.deepEqual(
      revisions.map((r) => [r.label, r.description, r.icon]),
      [[state.servingRevision, `100% · ${sha8(state.deployedCommit)} · stale`, 'warning']],
    );
    // Real git in the workspace, independent of the extension: the commits touching the paths since the deploy.
    const dir = e2eContext().folder.dir;
    const undeployed = git(dir, 'rev-list', `${state.deployedCommit}..HEAD`, '--', ...state.paths).split('\n').filter(Boolean);
    assert.equal(undeployed.length, 53);
    const commits = node.children.filter((c) => c.contextValue === 'cloudRunDrift.commit');
    assert.deepEqual(
      commits.map((c) => c.id).sort(),
      undeployed.map((sha) => `service:${COORDINATOR}/commit:${sha}`).sort(),
    );
    assert.ok(commits.every((c) => c.command === 'cloudRunDrift.showCommitPatch'), 'every undeployed commit opens its patch');
    const newest = commits.find((c) => c.id === `service:${COORDINATOR}/commit:${undeployed[0]}`)!;
    assert.equal(newest.label, git(dir, 'log', '-1', '--format=%s', undeployed[0]!));
    // The tooltip is Markdown with every API value escaped.
    const tooltip = (node.tooltip ?? '').replace(/\\(.)/g, '$1');
    assert.ok(tooltip.includes(`${state.servingRevision}: 100% · ${sha8(state.deployedCommit)} · stale (53 behind)`), tooltip);
  });

  test('getLastResult agrees with git and the emulator: HEAD, each deployed commit and how far behind it is', async () => {
    const api = await settledApi();
    const result = api.getLastResult();
    assert.ok(result);
    assert.equal(result.head, demo().head);
    assert.deepEqual(
      result.services.map((v) => [v.name, v.status, v.deployedCommit, v.commitsBehind, v.dirty]),
      demo().services.map((s) => [s.name, s.commitsBehind > 0 ? 'stale' : 'up-to-date', s.deployedCommit, s.commitsBehind, false]),
    );
  });
});
