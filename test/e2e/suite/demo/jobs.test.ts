// Data jobs in the editor (trusted demo workspace): Run Data Job checks the guards against the
// emulator's Cloud Run and BigQuery, runs the workspace's grading backfill as a task in the
// integrated terminal, and shows the scoreboard in a webview.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DataJobOutcome } from '../../../../src/extension/jobs/dataJobs';
import { e2eContext, emulatorControl, settledApi, waitFor } from '../helpers';

const JOB = 'grading-backfill';
const RANGE = { start: '2026-01-24', end: '2026-01-25' };

function deployCoordinator(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(path.join(dir, 'bin/deploy-service.sh'), ['prediction-coordinator'], { cwd: dir, timeout: 60_000 }, (error, _stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve()));
  });
}

suite('data jobs', () => {
  const disposables: vscode.Disposable[] = [];

  teardown(async () => {
    for (const d of disposables.splice(0)) d.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // The other suites expect the demo's scenario: the coordinator stale, prediction_accuracy unbuffered.
    await emulatorControl('reset');
    await (await settledApi()).refresh();
  });

  test('Run Data Job is refused while the coordinator is stale, runs once it is deployed, shows the scoreboard, and is refused again by the streaming buffer', async function () {
    this.timeout(150_000);
    await settledApi();
    await emulatorControl('reset');
    const started: vscode.Task[] = [];
    const exits: (number | undefined)[] = [];
    const isJobTask = (task: vscode.Task): boolean => task.definition.type === 'cloudRunDrift.job' && (task.definition as { job?: unknown }).job === JOB;
    disposables.push(
      vscode.tasks.onDidStartTask((e) => isJobTask(e.execution.task) && started.push(e.execution.task)),
      vscode.tasks.onDidEndTaskProcess((e) => isJobTask(e.execution.task) && exits.push(e.exitCode)),
    );

    const refused = (await vscode.commands.executeCommand('cloudRunDrift.runDataJob', JOB, RANGE, { whenBlocked: 'refuse' })) as DataJobOutcome;
    assert.equal(refused.kind, 'refused');
    assert.deepEqual(refused.report.blockers.map((b) => `${b.kind} ${b.subject}`), ['stale-code prediction-coordinator']);
    assert.deepEqual(refused.report.passed, ['nba-props-platform.nba_predictions.prediction_accuracy: the streaming buffer is empty']);
    assert.equal(started.length, 0, 'a refused job starts no task');

    await deployCoordinator(e2eContext().folder.dir);
    const ran = (await vscode.commands.executeCommand('cloudRunDrift.runDataJob', JOB, RANGE, { whenBlocked: 'refuse' })) as DataJobOutcome;
    assert.equal(ran.kind, 'finished', JSON.stringify(ran));
    assert.ok(ran.kind === 'finished');
    assert.equal(ran.exitCode, 0);
    assert.deepEqual(ran.report.blockers, []);
    assert.deepEqual(started.map((t) => t.name), [`${JOB} ${RANGE.start}..${RANGE.end}`], 'one task, named after the job and range');
    assert.deepEqual(exits, [0]);
    assert.ok(vscode.window.terminals.some((t) => t.name.includes(`${JOB} ${RANGE.start}..${RANGE.end}`)), `a terminal for the job among ${vscode.window.terminals.map((t) => t.name).join(', ')}`);
    assert.ok(ran.scoreboard && !('error' in ran.scoreboard), JSON.stringify(ran.scoreboard));
    assert.deepEqual(ran.scoreboard.columns, ['game_date', 'graded', 'mae', 'bias', 'accuracy']);
    assert.deepEqual(ran.scoreboard.rows, [
      ['2026-01-24', 22, 4.52, 0.16, 40],
      ['2026-01-25', 99, 5.45, 1.14, 58.9],
    ]);
    // The workbench reports a new webview's tab to the extension host a moment after creating it.
    await waitFor('the scoreboard tab', () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.label === `Scoreboard: ${JOB}` && t.input instanceof vscode.TabInputWebview)), 10_000);

    const again = (await vscode.commands.executeCommand('cloudRunDrift.runDataJob', JOB, { start: '2026-01-25', end: '2026-01-25' }, { whenBlocked: 'refuse' })) as DataJobOutcome;
    assert.equal(again.kind, 'refused');
    assert.deepEqual(again.report.blockers.map((b) => b.kind === 'streaming-buffer' && `${b.subject} ${b.estimatedRows}`), ['nba-props-platform.nba_predictions.prediction_accuracy 121']);
    assert.equal(started.length, 1, 'the refused re-run starts no task');
  });

  test('Show Data Job Scoreboard reads the range from BigQuery without running anything', async function () {
    this.timeout(60_000);
    await settledApi();
    const table = (await vscode.commands.executeCommand('cloudRunDrift.showScoreboard', JOB, { start: '2026-01-27', end: '2026-01-29' })) as { rows: unknown[][] };
    assert.deepEqual(table.rows.map((r) => r.slice(0, 2)), [['2026-01-27', 105], ['2026-01-28', 145], ['2026-01-29', 90]]);
  });
});
