// Deploying from the tree (trusted workspace): the deploy command runs the repository's script as a
// task in the integrated terminal, and the deploy ends only once the emulator proves HEAD is serving.
// The user settings the harness writes skip the confirmation for a clean service (lib/profiles.ts).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DeployResult } from '../../../../src/core/deploy/runner';
import { DEPLOY_COMMAND, servingCommitLabel, sha8 } from '../../expectations';
import { deployUnavailable, e2eContext, emulatorControl, emulatorService, git, serviceNode, settledApi, skipBecause, waitFor, waitForServiceNode, within } from '../helpers';

const COORDINATOR = 'prediction-coordinator';

suite('deploy from the tree', () => {
  const disposables: vscode.Disposable[] = [];

  teardown(async () => {
    for (const d of disposables.splice(0)) d.dispose();
    // The other suites (and runs) expect the demo's scenario: prediction-coordinator stale again.
    await emulatorControl('reset');
    const api = await settledApi();
    await api.refresh();
  });

  test('Deploy on prediction-coordinator runs its script as a task in the integrated terminal and ends verified: HEAD serves 100%', async function () {
    this.timeout(150_000);
    const api = await settledApi();
    const unavailable = await deployUnavailable(api);
    if (unavailable) skipBecause(this, unavailable);
    assert.equal(
      vscode.workspace.getConfiguration().get('cloudRunDrift.deploy.skipConfirmationWhenClean'),
      true,
      'the harness writes cloudRunDrift.deploy.skipConfirmationWhenClean: true into the user settings (else a modal confirmation would wait forever)',
    );
    const dir = e2eContext().folder.dir;
    await emulatorControl('reset');
    await api.refresh();
    await waitForServiceNode(api, COORDINATOR, 'stale before the deploy', (n) => n.icon === 'warning');
    const head = git(dir, 'rev-parse', 'HEAD');
    const headShort = git(dir, 'rev-parse', '--short', 'HEAD');
    const before = await emulatorService(COORDINATOR);
    assert.notEqual(servingCommitLabel(before), headShort);

    const tasks: vscode.Task[] = [];
    const exits: (number | undefined)[] = [];
    let terminalsOpened = 0;
    const isOurs = (task: vscode.Task): boolean => task.definition.type === 'cloudRunDrift.deploy' && (task.definition as { service?: unknown }).service === COORDINATOR;
    disposables.push(
      vscode.tasks.onDidStartTask((e) => tasks.push(e.execution.task)),
      vscode.tasks.onDidEndTaskProcess((e) => {
        if (isOurs(e.execution.task)) exits.push(e.exitCode);
      }),
      vscode.window.onDidOpenTerminal(() => terminalsOpened++),
    );
    const finished = new Promise<DeployResult>((resolve) => {
      disposables.push(api.onDidFinishDeploy((r) => r.service === COORDINATOR && resolve(r)));
    });
    // While it runs, the row says so (spinner, `deploying…`, the .deploying context value).
    const seenDeploying: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const node = serviceNode(api, COORDINATOR);
        const state = api.getDeployState(COORDINATOR);
        if (state.running && node) seenDeploying.push(`${state.phase}|${node.icon}|${node.description}|${node.contextValue}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    const command = vscode.commands.executeCommand<unknown>(DEPLOY_COMMAND, COORDINATOR);
    const result = await within(finished, 120_000, undefined);
    watching = false;
    await watcher;
    assert.ok(result, `no deploy of ${COORDINATOR} finished within 120 s; deploy state: ${JSON.stringify(api.getDeployState(COORDINATOR))}`);
    assert.equal(result.kind, 'verified', `the deploy ended ${result.kind}: ${result.message}`);
    assert.equal(result.commit, head);
    assert.ok(result.revision && !before.revisions.some((r) => r.name === result.revision), `revision ${result.revision} is new`);
    assert.equal(result.message, `${COORDINATOR} serves ${sha8(head)} from ${result.revision} (100% of traffic).`);
    const returned = (await within(command, 10_000, 'pending')) as DeployResult | 'pending';
    assert.equal(returned === 'pending' ? returned : returned.kind, 'verified', 'the command resolves with the deploy result');

    // The script ran as a task, in a terminal of its own, and exited 0.
    const ours = tasks.filter(isOurs);
    assert.equal(ours.length, 1, `deploy tasks started: ${tasks.map((t) => `${t.definition.type}:${t.name}`).join(', ') || 'none'}`);
    const execution = ours[0]!.execution;
    assert.ok(execution instanceof vscode.ShellExecution, 'the deploy runs as a shell execution');
    assert.match(execution.commandLine ?? '', /\.\/bin\/deploy-service\.sh '?prediction-coordinator'?/);
    assert.deepEqual(exits, [0]);
    // A task terminal opens nameless and is named after the task once it runs.
    assert.ok(terminalsOpened > 0, 'no terminal opened');
    const names = vscode.window.terminals.map((t) => t.name);
    assert.ok(names.some((name) => name.includes(`Deploy ${COORDINATOR}`)), `terminals: ${names.map((n) => `"${n}"`).join(', ') || 'none'}`);
    assert.ok(seenDeploying.length > 0, 'the row never showed the deploy running');
    assert.ok(
      seenDeploying.some((s) => /^(starting|running-script|verifying)\|loading~spin\|deploying…/.test(s) && s.endsWith('.deploying')),
      `while deploying the row showed: ${[...new Set(seenDeploying)].join(' ; ')}`,
    );

    // The emulator serves the new revision, labelled with HEAD's short SHA, and the tree follows.
    const after = await emulatorService(COORDINATOR);
    assert.equal(after.latestCreatedRevision, result.revision);
    assert.equal(servingCommitLabel(after), headShort);
    const deployState = api.getDeployState(COORDINATOR);
    assert.equal(deployState.running, false);
    assert.equal(deployState.lastResult?.kind, 'verified');
    const node = await waitForServiceNode(api, COORDINATOR, 'up to date at HEAD', (n) => n.icon === 'pass' && (n.description ?? '').startsWith(`${sha8(head)} · `), 20_000);
    assert.equal(node.contextValue?.endsWith('.deploying'), false);
    await waitFor('the verdict to say up to date', () => api.getLastResult()?.services.find((v) => v.name === COORDINATOR)?.status === 'up-to-date');
  });
});
