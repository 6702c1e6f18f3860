// The editor of this run has DEMO_DEPLOY_FAULT=label-unchanged in its environment (lib/profiles.ts,
// profile `fault`), which the deploy task's terminal inherits: the demo script "succeeds" (exit 0, a
// new revision) but reuses the previous build, so the commit label is unchanged. The deploy must end
// with that specific error, not "deployed".
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DeployResult } from '../../../../src/core/deploy/runner';
import { DEPLOY_COMMAND, labelUnchangedMessage, servingCommitLabel } from '../../expectations';
import { deployUnavailable, e2eContext, emulatorControl, emulatorService, git, settledApi, skipBecause, waitForServiceNode, within } from '../helpers';

const COORDINATOR = 'prediction-coordinator';

suite('deploy with DEMO_DEPLOY_FAULT=label-unchanged', () => {
  const disposables: vscode.Disposable[] = [];

  teardown(async () => {
    for (const d of disposables.splice(0)) d.dispose();
    await emulatorControl('reset');
  });

  test('the script exits 0 and creates a revision, but the deploy ends label-unchanged, naming the commit still served and HEAD', async function () {
    this.timeout(150_000);
    const ctx = e2eContext();
    assert.equal(ctx.serverEnv.DEMO_DEPLOY_FAULT, 'label-unchanged', 'this run belongs to the fault profile');
    assert.equal(process.env.DEMO_DEPLOY_FAULT, 'label-unchanged', "the extension host inherits the editor's environment");
    const api = await settledApi();
    const unavailable = await deployUnavailable(api);
    if (unavailable) skipBecause(this, unavailable);
    const state = ctx.demo!.services.find((s) => s.name === COORDINATOR)!;
    await emulatorControl('reset');
    await api.refresh();
    await waitForServiceNode(api, COORDINATOR, 'stale before the deploy', (n) => n.icon === 'warning');
    const head = git(ctx.folder.dir, 'rev-parse', 'HEAD');
    const before = await emulatorService(COORDINATOR);

    const exits: (number | undefined)[] = [];
    disposables.push(
      vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.definition.type === 'cloudRunDrift.deploy') exits.push(e.exitCode);
      }),
    );
    const finished = new Promise<DeployResult>((resolve) => {
      disposables.push(api.onDidFinishDeploy((r) => r.service === COORDINATOR && resolve(r)));
    });
    void vscode.commands.executeCommand(DEPLOY_COMMAND, COORDINATOR);
    const result = await within(finished, 120_000, undefined);
    assert.ok(result, `no deploy of ${COORDINATOR} finished within 120 s; deploy state: ${JSON.stringify(api.getDeployState(COORDINATOR))}`);

    assert.equal(result.kind, 'label-unchanged', `the deploy ended ${result.kind}: ${result.message}`);
    assert.equal(result.message, labelUnchangedMessage(COORDINATOR, state.deployedCommit, head));
    assert.equal(result.servedCommitLabel, state.deployedShort);
    assert.equal(result.commit, head);
    assert.deepEqual(exits, [0], 'the deploy script exited 0 (it "succeeded")');
    // The script did deploy: a new revision, carrying the old label, serves all traffic.
    const after = await emulatorService(COORDINATOR);
    assert.ok(after.latestCreatedRevision && !before.revisions.some((r) => r.name === after.latestCreatedRevision), 'the script created a revision');
    assert.equal(servingCommitLabel(after), state.deployedShort);
    assert.equal(api.getDeployState(COORDINATOR).lastResult?.kind, 'label-unchanged');
    // And the tree does not pretend otherwise.
    await waitForServiceNode(api, COORDINATOR, 'still 53 behind', (n) => n.icon === 'warning' && (n.description ?? '').startsWith('53 behind for '), 20_000);
  });
});
