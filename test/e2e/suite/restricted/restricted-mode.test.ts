// The demo workspace opened with workspace trust on and never granted: Restricted Mode. Verdicts
// run nothing from the repository, so they still show; deploys run its script, so they are refused.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { expectedDemoRows, servingCommitLabel } from '../../expectations';
import { deployUnavailable, e2eContext, emulatorControl, emulatorService, extensionUnderTest, settledApi, skipBecause, treeProblems, waitFor, waitForActivation, within } from '../helpers';

const COORDINATOR = 'prediction-coordinator';

suite('restricted mode', () => {
  test('the folder is open and not trusted', () => {
    const ctx = e2eContext();
    assert.equal(ctx.workspaceTrust, true);
    // Through Uri.file: fsPath spells a Windows drive letter in lower case.
    assert.deepEqual(
      vscode.workspace.workspaceFolders?.map((f) => f.uri.fsPath),
      [vscode.Uri.file(ctx.folder.dir).fsPath],
    );
    assert.equal(vscode.workspace.isTrusted, false);
  });

  test('the extension declares limited support for untrusted workspaces, and so activates', async () => {
    const manifest = extensionUnderTest().packageJSON as { capabilities?: { untrustedWorkspaces?: { supported?: unknown } } };
    assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, 'limited');
    await waitForActivation();
  });

  test('verdicts still show: every service with its verdict, icon, color and description', async () => {
    const api = await settledApi();
    const expected = expectedDemoRows(e2eContext().demo!.services, Date.now());
    let problems: string[] = [];
    await waitFor('the demo verdicts', () => (problems = treeProblems(api.getTreeSnapshot(), expected)).length === 0, 20_000).catch(() =>
      assert.fail(`in Restricted Mode the Services tree does not show the demo's verdicts:\n  ${problems.join('\n  ')}`),
    );
  });

  test('Deploy, Deploy With…, Deploy All Stale, Run Data Job and Show Data Job Scoreboard are refused: no task, no terminal, no deploy, no new revision, no query', async function () {
    this.timeout(40_000);
    const api = await settledApi();
    const unavailable = await deployUnavailable(api);
    if (unavailable) skipBecause(this, unavailable);
    const before = await emulatorService(COORDINATOR);
    const tasks: string[] = [];
    const terminals: string[] = [];
    const subscriptions = [
      vscode.tasks.onDidStartTask((e) => tasks.push(`${e.execution.task.definition.type}:${e.execution.task.name}`)),
      vscode.window.onDidOpenTerminal((t) => terminals.push(t.name)),
    ];
    try {
      const registered = await vscode.commands.getCommands(true);
      const attempts: [string, unknown[]][] = [
        ['cloudRunDrift.deploy', [COORDINATOR]],
        ['cloudRunDrift.deployWith', [COORDINATOR]],
        ['cloudRunDrift.deployAllStale', []],
        // whenBlocked 'run': only the trust check stands between this call and the grading script.
        ['cloudRunDrift.runDataJob', ['grading-backfill', { start: '2026-01-24', end: '2026-01-25' }, { whenBlocked: 'run' }]],
        // Its query comes from the repository: refused too (it would resolve with the rows read).
        ['cloudRunDrift.showScoreboard', ['grading-backfill', { start: '2026-01-24', end: '2026-01-25' }]],
      ];
      const pending = attempts.filter(([id]) => registered.includes(id)).map(([id, args]) => vscode.commands.executeCommand<unknown>(id, ...args));
      // The refusal is a warning with "Manage Workspace Trust" (the UI check sees it); give a started
      // script more than enough time to show up before looking.
      await new Promise((r) => setTimeout(r, 5_000));
      assert.deepEqual(tasks, [], 'tasks started in Restricted Mode');
      assert.deepEqual(terminals, [], 'terminals opened in Restricted Mode');
      const state = api.getDeployState(COORDINATOR);
      assert.equal(state.running, false, `a deploy is running: ${JSON.stringify(state)}`);
      assert.equal(state.lastResult, null, `a deploy ran: ${JSON.stringify(state.lastResult)}`);
      const after = await emulatorService(COORDINATOR);
      assert.deepEqual(after.revisions.map((r) => r.name), before.revisions.map((r) => r.name), 'the deploy script ran: the emulator has a new revision');
      assert.equal(servingCommitLabel(after), servingCommitLabel(before));
      // Dismissing the warnings lets the commands return: with nothing, not a deploy result.
      await vscode.commands.executeCommand('notifications.clearAll');
      const results = await within(Promise.all(pending), 10_000, 'still pending');
      assert.deepEqual(results, pending.map(() => undefined));
      assert.equal(api.getTreeSnapshot().find((n) => n.label === COORDINATOR)?.icon, 'warning', 'prediction-coordinator is still stale');
    } finally {
      for (const s of subscriptions) s.dispose();
      // Had a deploy got through, the next run (the fault profile) must still start from the demo's scenario.
      const now = await emulatorService(COORDINATOR).catch(() => undefined);
      if (now?.revisions.map((r) => r.name).join() !== before.revisions.map((r) => r.name).join()) await emulatorControl('reset');
    }
  });
});
