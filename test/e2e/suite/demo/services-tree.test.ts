// The Services tree on the demo workspace, read through the extension's test API: one row per
// configured service with the verdict the demo was built to have (prediction-coordinator 53
// commits behind, the rest up to date), its icon, color and description, and the children that
// explain it. The same verdicts are checked on screen by test/e2e/ui/checks.ts.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { expectedDemoRows, sha8 } from '../../expectations';
import { e2eContext, git, serviceNode, settledApi, treeProblems, waitFor } from '../helpers';

const COORDINATOR = 'prediction-coordinator';
const ORCHESTRATOR = 'phase3-to-phase4-orchestrator';
const GRADING = 'phase5b-grading';
const BACKFILL = 'player-game-summary-analytics-backfill';

function demo(): NonNullable<ReturnType<typeof e2eContext>['demo']> {
  const d = e2eContext().demo;
  assert.ok(d, 'this run opens the demo workspace');
  return d;
}

suite('Services tree', () => {
  test('lists every demo service in configuration order with its verdict, icon, color and description', async () => {
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
    assert.match(coordinator.description ?? '', new RegExp(`^53 behind for \\d+ days? · ${sha8(demo().services.find((s) => s.name === COORDINATOR)!.deployedCommit)} · \\d+d ago$`));
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
      result.services.filter((v) => v.kind === 'service').map((v) => [v.name, v.status, v.deployedCommit, v.commitsBehind, v.dirty]),
      demo().services.map((s) => [s.name, s.commitsBehind > 0 ? 'stale' : 'up-to-date', s.deployedCommit, s.commitsBehind, false]),
    );
  });

  test('the Cloud Run functions and the job are rows of their own kind: icon, description, context value, children', async () => {
    const api = await settledApi();
    const d = demo();
    const orchestrator = d.functions.find((f) => f.name === ORCHESTRATOR)!;
    const grading = d.functions.find((f) => f.name === GRADING)!;
    const backfill = d.jobs.find((j) => j.name === BACKFILL)!;
    assert.ok(orchestrator && grading && backfill, 'the demo has the two functions and the job');
    await waitFor('the function and job rows to settle', () => {
      const rows = [ORCHESTRATOR, GRADING, BACKFILL].map((name) => serviceNode(api, name));
      return rows.every((r) => r && !/unchecked|checking/.test(`${r.contextValue} ${r.description}`));
    }, 20_000);

    const up = serviceNode(api, ORCHESTRATOR)!;
    assert.equal(up.id, `service:${ORCHESTRATOR}`);
    assert.equal(up.icon, 'symbol-function');
    assert.equal(up.color, 'testing.iconPassed');
    assert.match(up.contextValue ?? '', /^cloudRunDrift\.function\.up-to-date\.hasCommit$/);
    assert.match(up.description ?? '', new RegExp(`^${sha8(orchestrator.deployedCommit)} · \\d+[smhd] ago`));
    assert.match(up.tooltip ?? '', /Cloud Run function · up to date/);

    const failed = serviceNode(api, GRADING)!;
    assert.equal(failed.icon, 'symbol-function');
    assert.equal(failed.color, 'errorForeground');
    assert.match(failed.contextValue ?? '', /^cloudRunDrift\.function\.deploy-failed\./);
    // The build's own message, beside the commit the old revision still serves.
    const buildMessage = grading.failedBuild!.message.slice(0, 30);
    assert.match(failed.description ?? '', new RegExp(`^deploy failed · (behind for [^·]+ · )?${sha8(grading.deployedCommit)} · `), failed.description);
    assert.ok((failed.description ?? '').includes(buildMessage), `${failed.description} should name the build failure "${buildMessage}…"`);
    assert.deepEqual(failed.children.filter((c) => c.contextValue === 'cloudRunDrift.revision').map((c) => c.label), [grading.servingRevision], 'the old revision still serves');

    const job = serviceNode(api, BACKFILL)!;
    assert.equal(job.icon, 'server-process');
    assert.equal(job.color, 'list.warningForeground');
    assert.match(job.contextValue ?? '', /^cloudRunDrift\.runJob\.stale\.hasCommit$/);
    assert.match(job.description ?? '', new RegExp(`^${backfill.commitsBehind} behind( for [^·]+)? · ${sha8(backfill.deployedCommit)} · .* · last run failed \\d+[smhd] ago on code ${backfill.commitsBehind} commits old$`));
    // No revisions and no Deployments under a job: its undeployed commits, then its executions, newest first.
    assert.ok(!job.children.some((c) => c.contextValue === 'cloudRunDrift.revision' || c.label === 'Deployments'), 'a job serves no traffic');
    const dir = e2eContext().folder.dir;
    const undeployed = git(dir, 'rev-list', `${backfill.deployedCommit}..HEAD`, '--', ...backfill.paths).split('\n').filter(Boolean);
    assert.equal(job.children.filter((c) => c.contextValue === 'cloudRunDrift.commit').length, undeployed.length);
    const executions = job.children.filter((c) => c.contextValue === 'cloudRunDrift.execution');
    assert.deepEqual(executions.map((e) => [e.label, e.icon]), [...backfill.executions].reverse().map((e) => [e.name, e.status === 'failed' ? 'error' : 'pass']));
    assert.match(executions[0]!.description ?? '', new RegExp(`^failed · .* · ran ${sha8(backfill.deployedCommit)}, ${backfill.commitsBehind} commits old · `));
    assert.match(executions[1]!.description ?? '', /^succeeded · /);
  });
});
