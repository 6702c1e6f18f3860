// A data job that executes a Cloud Run job, as a person meets it (trusted demo workspace, the demo's
// grading-backfill-cloud-run): Run Data Job refuses to start the stale Cloud Run job ("Deploy the job
// first", with Deploy (then run) and Run Anyway); Deploy (then run) deploys it and runs it; the
// execution is followed in a terminal of its own (its name, task counts, the log line of each date,
// the result and exit status), and the scoreboard opens with before and after. A second run, kept
// running by the emulator's execution plan: Ctrl-C in its terminal asks to cancel it, and Cancel
// Execution ends it as cancelled. After a reload, the Data Jobs view still shows both runs: they come
// from the executions Cloud Run holds. An execution started outside the editor (the Run API, as gcloud
// starts one) shows after a refresh as a run in progress, and as cancelled once a later check sees it
// end. The terminal is read whole (ui/terminal.ts), the execution from the emulator's Cloud Run API.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { openContainer, pickItem, resetEmulator, runFromPalette, until, verdictsLoad, waitForNotification, type UiPage } from './checks';
import { jobRow, jobRowLabel, typeDate, webviewWithHeading } from './dataJobs';
import { focusTerminal, waitForTerminalText } from './terminal';

const JOB = 'grading-backfill-cloud-run';
const UNIT = 'grading-backfill';
const PROJECT = 'nba-props-platform';
const REGION = 'us-west2';
const TABLE = `${PROJECT}.nba_predictions.prediction_accuracy`;
const RANGE = { start: '2026-01-27', end: '2026-01-28' };
const TERMINAL = `${JOB} ${RANGE.start}..${RANGE.end}`;

async function emulatorPost(emulatorUrl: string, action: string, body: unknown): Promise<void> {
  const response = await fetch(`${emulatorUrl}/control/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`emulator /control/${action}: HTTP ${response.status} ${await response.text()}`);
}

interface Execution {
  labels?: Record<string, string>;
  template?: { containers?: { args?: string[] }[] };
  succeededCount?: number;
  failedCount?: number;
  cancelledCount?: number;
  completionTime?: string;
}

/** An execution of the demo's Cloud Run job, as the Run Admin API v2 serves it. */
async function getExecution(emulatorUrl: string, name: string): Promise<Execution> {
  const response = await fetch(`${emulatorUrl}/v2/projects/${PROJECT}/locations/${REGION}/jobs/${UNIT}/executions/${name}`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GetExecution ${name}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as Execution;
}

/** A range no run of the page used: the run started outside the editor. */
const OUTSIDE = { start: '2026-01-29', end: '2026-01-29' };

/** RunJob on the emulator's Run API, as `gcloud run jobs execute --args=…` sends it; the execution's short name. */
async function runJobOutside(emulatorUrl: string, args: string[]): Promise<string> {
  const response = await fetch(`${emulatorUrl}/v2/projects/${PROJECT}/locations/${REGION}/jobs/${UNIT}:run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ overrides: { containerOverrides: [{ args }] } }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`RunJob: HTTP ${response.status} ${await response.text()}`);
  const operation = (await response.json()) as { metadata?: { name?: string } };
  const name = operation.metadata?.name?.split('/').pop();
  assert.ok(name, `RunJob's operation names its execution: ${JSON.stringify(operation)}`);
  return name;
}

/** CancelExecution on the emulator's Run API, as `gcloud run jobs executions cancel` sends it. */
async function cancelOutside(emulatorUrl: string, execution: string): Promise<void> {
  const response = await fetch(`${emulatorUrl}/v2/projects/${PROJECT}/locations/${REGION}/jobs/${UNIT}/executions/${execution}:cancel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`CancelExecution ${execution}: HTTP ${response.status} ${await response.text()}`);
}

/** `text` matched literally in a RegExp. */
function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Cloud Run Drift: Refresh until the job's run row whose label starts with `label` matches `pattern` (each refresh is a check). */
async function refreshUntilRunRow(page: Page, label: string, pattern: RegExp): Promise<void> {
  const row = jobRow(page, JOB);
  const runRows = page.locator(`.part.sidebar .pane:has(> .pane-header:has-text("Data Jobs")) .monaco-list-row[aria-label^="${label}"]`);
  for (let attempt = 0; attempt < 4; attempt++) {
    await runFromPalette(page, 'Cloud Run Drift: Refresh');
    try {
      await until(`the run row "${label}…" to match ${pattern}`, 10_000, async () => {
        if ((await row.count()) > 0 && (await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
        const labels = await runRows.evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
        return labels.some((l) => pattern.test(l)) ? undefined : `run rows: ${labels.join(' | ') || '(none)'}`;
      }, page);
      return;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

/** Waits until the job's row (its accessible name) matches `pattern`. */
async function untilJobRow(page: Page, pattern: RegExp): Promise<void> {
  await until(`the Data Jobs row to match ${pattern}`, 15_000, async () => {
    const label = await jobRowLabel(page, JOB);
    return pattern.test(label) ? undefined : `row: "${label}"`;
  }, page);
}

/** The workspace's own deploy script, as a person runs it in a shell. */
function deployWithScript(dir: string, unit: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(path.join(dir, 'bin/deploy-service.sh'), [unit], { cwd: dir, timeout: 60_000 }, (error, _stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve()));
  });
}

/** Run Data Job… from the Command Palette on the Cloud Run job's data job, for RANGE. */
async function runFromPaletteForRange(page: Page): Promise<void> {
  await runFromPalette(page, 'Cloud Run Drift: Run Data Job…');
  await pickItem(page, JOB);
  await typeDate(page, `${JOB}: start date (1/2)`, RANGE.start);
  await typeDate(page, `${JOB}: end date (2/2)`, RANGE.end);
}

/** The execution's name from the terminal's first line. */
function startedExecution(text: string): string {
  const started = new RegExp(`^Started (${UNIT}-[a-z0-9]{5}) of ${UNIT} \\(${PROJECT}/${REGION}\\) with \\["--start-date=${RANGE.start}","--end-date=${RANGE.end}"\\]$`, 'm').exec(text);
  assert.ok(started, `the terminal names the execution it started:\n${text}`);
  return started[1]!;
}

export function cloudRunDataJobPage(): UiPage {
  return {
    name: 'cloud-run-job',
    profile: 'trusted',
    folder: 'demo',
    checks: [
      verdictsLoad,
      {
        name: 'Run Data Job on the Cloud Run job’s data job: "Deploy the job first" offers Deploy (then run) and Run Anyway; Deploy (then run) deploys and runs it, followed in its terminal to the exit status, then the scoreboard before and after',
        timeoutMs: 180_000,
        async run({ page, demo, emulatorUrl, containerTitle }) {
          await openContainer(page, containerTitle);
          // The coordinator is deployed first, so the Cloud Run job is the one guard that fails.
          await deployWithScript(demo.dir, 'prediction-coordinator');
          await runFromPaletteForRange(page);

          const dialog = page.locator('.monaco-dialog-box');
          await dialog.waitFor({ state: 'visible', timeout: 45_000 });
          const text = (await dialog.innerText()).replace(/\s+/g, ' ');
          assert.match(text, new RegExp(`${JOB} was not started: Deploy the job first\\.`));
          assert.match(text, new RegExp(`✗ The Cloud Run job ${UNIT} is stale, 1 commit behind: .* Deploy the job first\\.`));
          assert.match(text, /✓ prediction-coordinator serves HEAD's code for its paths/);
          const buttons = await dialog.locator('.dialog-buttons .monaco-button').allInnerTexts();
          assert.deepEqual(buttons.map((b) => b.trim()).sort(), ['Cancel', 'Deploy (then run)', 'Run Anyway']);
          await dialog.locator('.monaco-button', { hasText: 'Deploy (then run)' }).click();

          // The deploy runs the workspace's script in its task terminal, then the execution starts.
          await page.locator('.part.panel').getByText(`Deploy ${UNIT}`).first().waitFor({ state: 'visible', timeout: 60_000 });
          await waitForNotification(page, new RegExp(`^${JOB} finished for ${RANGE.start} to ${RANGE.end}\\.`), 120_000);
          const terminal = await waitForTerminalText(page, TERMINAL, /Exit status 0\. Press any key to close the terminal\.$/, 30_000);
          const execution = startedExecution(terminal);
          const lines = terminal.split('\n');
          // One task grades both dates, one after the other: each change of its counts is one line.
          for (const line of [
            `${execution}: running (tasks: 1 running, 0 succeeded, 0 failed of 1)`,
            `${execution}: succeeded (tasks: 0 running, 1 succeeded, 0 failed of 1)`,
          ]) assert.ok(lines.includes(line), `the terminal says "${line}":\n${terminal}`);
          // The execution's log entries as they arrived: one line per date graded (the seed's figures again).
          const dateLines = lines.filter((line) => / predictions for 2026-01-2[78]: /.test(line));
          assert.equal(dateLines.length, 2, `one log line per date:\n${terminal}`);
          assert.match(dateLines[0]!, new RegExp(`^\\S+ INFO +${execution} Graded 105 predictions for 2026-01-27: MAE 6\\.12, bias 0\\.19, accuracy 45\\.9%$`));
          assert.match(dateLines[1]!, new RegExp(`^\\S+ INFO +${execution} Graded 145 predictions for 2026-01-28: MAE 5\\.55, bias -0\\.15, accuracy 45\\.0%$`));
          assert.match(lines[lines.length - 2]!, new RegExp(`^${execution} succeeded in \\d+s$`));

          // What Cloud Run holds: the overrides exactly, and the commit the deploy just put on the job.
          const ran = await getExecution(emulatorUrl, execution);
          assert.deepEqual(ran.template?.containers?.[0]?.args, [`--start-date=${RANGE.start}`, `--end-date=${RANGE.end}`]);
          assert.equal(ran.labels?.['commit-sha'], demo.headShort);
          assert.equal(ran.succeededCount, 1);

          const view = await webviewWithHeading(page, `Scoreboard: ${JOB}`);
          assert.match((await view.locator('.subtitle').textContent()) ?? '', /^2026-01-27 to 2026-01-28 · 2 rows · before the run: read \d\d:\d\d:\d\d UTC · after: read \d\d:\d\d:\d\d UTC$/);
          const rows = await view.locator('table tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent ?? '')));
          // The execution graded the same predictions again: every figure, and the Total row over the 250, unchanged.
          assert.deepEqual(rows, [
            ['game_date', 'graded', 'mae', 'bias', 'accuracy'],
            ['2026-01-27', '105 (±0)', '6.12 (±0)', '0.19 (±0)', '45.9 (±0)'],
            ['2026-01-28', '145 (±0)', '5.55 (±0)', '-0.15 (±0)', '45.0 (±0)'],
            ['Total', '250 (±0)', '5.79 (±0)', '-0.01 (±0)', '45.4 (±0)'],
          ]);
          await until('the Data Jobs row to say the run succeeded', 15_000, async () => {
            const label = await jobRowLabel(page, JOB);
            return label.startsWith(`${JOB}: ${RANGE.start}..${RANGE.end} · succeeded · `) ? undefined : `row: "${label}"`;
          }, page);
          await runFromPalette(page, 'View: Close All Editors');
        },
      },
      {
        name: 'a second run kept running: Ctrl-C in its terminal asks to cancel the execution, and Cancel Execution ends it as cancelled (exit status 1)',
        timeoutMs: 150_000,
        async run({ page, emulatorUrl }) {
          try {
            // The first run streamed rows: flushed, so the streaming-buffer guard lets this one start.
            await emulatorPost(emulatorUrl, 'flush-streaming-buffer', { table: TABLE });
            // Each date now takes ten minutes: the execution is still running when Ctrl-C arrives.
            await emulatorPost(emulatorUrl, 'execution-plan', { project: PROJECT, region: REGION, job: UNIT, startDelayMs: 500, taskDurationMs: 600_000 });
            await runFromPaletteForRange(page);
            const running = await waitForTerminalText(page, TERMINAL, /: running \(tasks: 1 running, 0 succeeded, 0 failed of 1\)$/m, 60_000);
            const execution = startedExecution(running);

            await focusTerminal(page, TERMINAL);
            await page.locator('.part.panel .terminal-wrapper.active .xterm').click();
            await page.keyboard.press('Control+C');
            const dialog = page.locator('.monaco-dialog-box');
            await dialog.waitFor({ state: 'visible', timeout: 15_000 });
            assert.match((await dialog.innerText()).replace(/\s+/g, ' '), new RegExp(`Cancel ${execution}\\?`));
            await dialog.locator('.monaco-button', { hasText: 'Cancel Execution' }).click();

            await waitForNotification(page, new RegExp(`^${JOB} was cancelled for ${RANGE.start} to ${RANGE.end}\\.`), 60_000);
            const terminal = await waitForTerminalText(page, TERMINAL, /Exit status 1\. Press any key to close the terminal\.$/, 30_000);
            const lines = terminal.split('\n');
            assert.ok(lines.includes(`Cancellation of ${execution} requested.`), terminal);
            assert.equal(lines[lines.length - 2], `${JOB} was cancelled: ${execution} ended before its tasks did`);
            assert.equal(lines.filter((line) => / predictions for 2026-01-2[78]: /.test(line)).length, 0, `nothing was graded:\n${terminal}`);

            const cancelled = await getExecution(emulatorUrl, execution);
            assert.equal(cancelled.cancelledCount, 1, JSON.stringify(cancelled));
            assert.equal(cancelled.succeededCount ?? 0, 0);
            assert.ok(cancelled.completionTime, 'the execution has ended');
            await until('the Data Jobs row to say the run was cancelled', 15_000, async () => {
              const label = await jobRowLabel(page, JOB);
              return label.startsWith(`${JOB}: ${RANGE.start}..${RANGE.end} · cancelled · `) ? undefined : `row: "${label}"`;
            }, page);
            await runFromPalette(page, 'View: Close All Editors');
          } catch (err) {
            // The next check is skipped: later pages start from the demo's scenario.
            await resetEmulator(emulatorUrl);
            throw err;
          }
        },
      },
      {
        name: 'after Developer: Reload Window the Data Jobs view still shows both runs, read from the executions Cloud Run holds',
        timeoutMs: 150_000,
        async run(ctx) {
          const { page, containerTitle, emulatorUrl } = ctx;
          try {
            const reloaded = page.waitForEvent('load', { timeout: 60_000 });
            await runFromPalette(page, 'Developer: Reload Window');
            await reloaded;
            await verdictsLoad.run(ctx);
            await openContainer(page, containerTitle);
            // This window ran nothing: the row's last run is the cancelled execution, as Cloud Run holds it.
            await until('the Data Jobs row to say the last run was cancelled', 30_000, async () => {
              const label = await jobRowLabel(page, JOB);
              return label.startsWith(`${JOB}: ${RANGE.start}..${RANGE.end} · cancelled · `) ? undefined : `row: "${label}"`;
            }, page);
            const row = jobRow(page, JOB);
            if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
            const runs = page.locator(`.part.sidebar .pane:has(> .pane-header:has-text("Data Jobs")) .monaco-list-row[aria-label^="${JOB} ${RANGE.start}..${RANGE.end}: "]`);
            let labels: string[] = [];
            await until('the job’s two runs under its row', 15_000, async () => {
              labels = await runs.evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
              return labels.length === 2 ? undefined : `run rows: ${JSON.stringify(labels)}`;
            }, page);
            // Newest first; each with its duration and the commit its execution ran (the one deployed above).
            const commit = ctx.demo.headShort;
            assert.match(labels[0]!, new RegExp(`^${JOB} ${RANGE.start}\\.\\.${RANGE.end}: cancelled · (\\d+s · )?ran ${commit} · `));
            assert.match(labels[1]!, new RegExp(`^${JOB} ${RANGE.start}\\.\\.${RANGE.end}: succeeded · \\d+s · ran ${commit} · `));
          } catch (err) {
            // The next check is skipped: later pages start from the demo's scenario.
            await resetEmulator(emulatorUrl);
            throw err;
          }
        },
      },
      {
        name: 'an execution started outside the editor (RunJob on the Run API, as gcloud does) shows as a run in progress after a refresh, with its time so far, tasks and commit; the next check that sees it cancelled says so in the same row',
        timeoutMs: 120_000,
        async run({ page, emulatorUrl, demo }) {
          try {
            // Still ten minutes a date (the plan of the second check): it runs until it is cancelled.
            await emulatorPost(emulatorUrl, 'execution-plan', { project: PROJECT, region: REGION, job: UNIT, startDelayMs: 500, taskDurationMs: 600_000 });
            const execution = await runJobOutside(emulatorUrl, [`--start-date=${OUTSIDE.start}`, `--end-date=${OUTSIDE.end}`]);
            const label = `${JOB} ${OUTSIDE.start}..${OUTSIDE.end}: `;
            await refreshUntilRunRow(page, label, new RegExp(`^${escaped(label)}running · \\d+(m \\d+)?s so far · tasks: 1 running, 0 succeeded, 0 failed of 1 · ran ${demo.headShort}$`));
            // The job's own row: its newest run, in progress (the workbench may draw it a moment after the run rows).
            await untilJobRow(page, new RegExp(`^${JOB}: ${OUTSIDE.start}\\.\\.${OUTSIDE.end} · running · \\d+(m \\d+)?s so far$`));

            await cancelOutside(emulatorUrl, execution);
            await refreshUntilRunRow(page, label, new RegExp(`^${escaped(label)}cancelled · (\\d+(m \\d+)?s · )?ran ${demo.headShort} · `));
            await untilJobRow(page, new RegExp(`^${JOB}: ${OUTSIDE.start}\\.\\.${OUTSIDE.end} · cancelled · `));
          } finally {
            // Later pages start from the demo's scenario (the coordinator and the job stale again, no plan).
            await resetEmulator(emulatorUrl);
          }
        },
      },
    ],
  };
}
