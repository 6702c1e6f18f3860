// Data jobs as a person meets them in the workbench (trusted demo workspace): the Data Jobs view's
// row and its inline Run (dates, the modal naming the stale coordinator, Run Anyway, the task, the
// row's result and the scoreboard before and after the run); Run Data Job from the Command Palette refusing an impossible date
// as it is typed, and Cancel in the modal running nothing; Show Data Job Scoreboard's webview table.
import * as assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import type { Locator } from 'playwright-core';
import { openContainer, pickItem, resetEmulator, runFromPalette, until, verdictsLoad, waitForNotification, type UiPage } from './checks';

const JOB = 'grading-backfill';

/** Types `text` into the input box titled `title`; returns once the box accepted it (Enter). */
export async function typeDate(page: Page, title: string, text: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 15_000 });
  await widget.locator('.quick-input-box input').fill(text);
  await page.keyboard.press('Enter');
}

/** The frame of the webview whose page heading is `heading`. */
export async function webviewWithHeading(page: Page, heading: string, timeoutMs = 30_000): Promise<Frame> {
  let found: Frame | undefined;
  await until(`a webview headed "${heading}"`, timeoutMs, async () => {
    const headings: string[] = [];
    for (const frame of page.frames()) {
      const text = await frame.locator('h1').first().textContent({ timeout: 200 }).catch(() => null);
      if (text === null) continue;
      headings.push(text);
      if (text === heading) found = frame;
    }
    return found ? undefined : `webview headings: ${headings.map((h) => `"${h}"`).join(', ') || 'none'}`;
  }, page);
  return found!;
}

/** The job's row in the Data Jobs view; its accessible name is `<job>: <description>`. */
/** The job's row in the Data Jobs view (a Cloud Run job unit of the same name has a row in the Services view). */
export function jobRow(page: Page, job: string): Locator {
  return page.locator(`.part.sidebar .pane:has(> .pane-header:has-text("Data Jobs")) .monaco-list-row[aria-label^="${job}: "]`).first();
}

export async function jobRowLabel(page: Page, job: string): Promise<string> {
  const row = jobRow(page, job);
  return (await row.count()) > 0 ? ((await row.getAttribute('aria-label')) ?? '') : '(no row)';
}

export function dataJobsPage(): UiPage {
  return {
    name: 'jobs',
    profile: 'trusted',
    folder: 'demo',
    checks: [
      verdictsLoad,
      {
        name: 'the Data Jobs view lists grading-backfill; its inline Run asks for the dates, the modal names the stale coordinator, Run Anyway runs it in a terminal, and the row and the scoreboard show the result',
        timeoutMs: 120_000,
        async run({ page, containerTitle, emulatorUrl }) {
          await openContainer(page, containerTitle);
          await until('the Data Jobs row to name the stale requirement', 30_000, async () => {
            const label = await jobRowLabel(page, JOB);
            return label === `${JOB}: requires prediction-coordinator (not up to date)` ? undefined : `row: "${label}"`;
          }, page);
          try {
            const row = jobRow(page, JOB);
            await row.hover();
            const run = row.locator('.actions .action-label[aria-label="Run Data Job…"]');
            await run.waitFor({ state: 'visible', timeout: 10_000 });
            await run.click();
            await typeDate(page, `${JOB}: start date (1/2)`, '2026-01-24');
            await typeDate(page, `${JOB}: end date (2/2)`, '2026-01-25');
            const dialog = page.locator('.monaco-dialog-box');
            await dialog.waitFor({ state: 'visible', timeout: 45_000 });
            assert.match((await dialog.innerText()).replace(/\s+/g, ' '), /✗ prediction-coordinator is stale, 53 commits behind/);
            await dialog.locator('.monaco-button', { hasText: 'Run Anyway' }).click();

            await waitForNotification(page, new RegExp(`^${JOB} finished for 2026-01-24 to 2026-01-25\\.`), 60_000);
            await page.locator('.part.panel').getByText(`${JOB} 2026-01-24..2026-01-25`).first().waitFor({ state: 'visible', timeout: 5_000 });
            await until('the row to say the run succeeded', 15_000, async () => {
              const label = await jobRowLabel(page, JOB);
              return /^grading-backfill: 2026-01-24\.\.2026-01-25 · succeeded · (\d+s ago|just now)$/.test(label) ? undefined : `row: "${label}"`;
            }, page);
            const view = await webviewWithHeading(page, `Scoreboard: ${JOB}`);
            assert.match((await view.locator('.subtitle').textContent()) ?? '', /^2026-01-24 to 2026-01-25 · 2 rows · before the run: read \d\d:\d\d:\d\d UTC · after: read \d\d:\d\d:\d\d UTC$/);
            // The run graded the same predictions again: every figure, and the Total row, is unchanged.
            const rows = await view.locator('table tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent ?? '')));
            assert.deepEqual(rows.slice(1), [
              ['2026-01-24', '22 (±0)', '4.52 (±0)', '0.16 (±0)', '40.0 (±0)'],
              ['2026-01-25', '99 (±0)', '5.45 (±0)', '1.14 (±0)', '58.9 (±0)'],
              ['Total', '121 (±0)', '5.28 (±0)', '0.96 (±0)', '55.5 (±0)'],
            ]);
            await runFromPalette(page, 'View: Close All Editors');
          } finally {
            // The run streamed rows into prediction_accuracy: later pages start from the demo's scenario.
            await resetEmulator(emulatorUrl);
          }
        },
      },
      {
        name: 'Run Data Job from the Command Palette refuses an impossible date as it is typed, then a modal names the stale coordinator; Cancel starts nothing and the row says refused',
        timeoutMs: 90_000,
        async run({ page, commands }) {
          assert.ok(commands.includes('cloudRunDrift.runDataJob'), 'cloudRunDrift.runDataJob is contributed');
          await runFromPalette(page, 'Cloud Run Drift: Run Data Job…');
          // The demo runs the grading backfill two ways: the palette asks which.
          await pickItem(page, JOB);
          const widget = page.locator('.quick-input-widget');
          await widget.locator('.quick-input-title', { hasText: `${JOB}: start date (1/2)` }).waitFor({ state: 'visible', timeout: 15_000 });
          await widget.locator('.quick-input-box input').fill('2026-02-30');
          await widget.locator('.quick-input-message', { hasText: '2026-02-30 is not a calendar date' }).waitFor({ state: 'visible', timeout: 10_000 });
          await page.keyboard.press('Enter');
          // Enter on an invalid value keeps the box open on the same step.
          await widget.locator('.quick-input-title', { hasText: `${JOB}: start date (1/2)` }).waitFor({ state: 'visible', timeout: 5_000 });
          // Another range than the run above, whose terminal stays open: this one must get none.
          await typeDate(page, `${JOB}: start date (1/2)`, '2026-01-26');
          await typeDate(page, `${JOB}: end date (2/2)`, '2026-01-27');

          const dialog = page.locator('.monaco-dialog-box');
          await dialog.waitFor({ state: 'visible', timeout: 45_000 });
          const text = (await dialog.innerText()).replace(/\s+/g, ' ');
          assert.match(text, new RegExp(`${JOB} was not started: 1 guard failed\\.`));
          assert.match(text, /✗ prediction-coordinator is stale, 53 commits behind/);
          assert.match(text, /✓ nba-props-platform\.nba_predictions\.prediction_accuracy: the streaming buffer is empty/);
          await dialog.locator('.monaco-button', { hasText: 'Run Anyway' }).waitFor({ state: 'visible' });
          await dialog.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
          await dialog.waitFor({ state: 'hidden', timeout: 5_000 });
          await page.waitForTimeout(1_000);
          const terminals = await page.locator('.part.panel').getByText(`${JOB} 2026-01-26..2026-01-27`).count();
          assert.equal(terminals, 0, 'no terminal runs the job after Cancel');
          await until('the row to say the run was refused', 10_000, async () => {
            const label = await jobRowLabel(page, JOB);
            return /^grading-backfill: 2026-01-26\.\.2026-01-27 · refused · /.test(label) ? undefined : `row: "${label}"`;
          }, page);
        },
      },
      {
        name: 'Show Data Job Scoreboard from the Command Palette shows the grading table for the last run’s range in a webview',
        timeoutMs: 90_000,
        async run({ page }) {
          await runFromPalette(page, 'View: Close All Editors');
          await runFromPalette(page, 'Cloud Run Drift: Show Data Job Scoreboard…');
          await pickItem(page, JOB);
          // The last run in this window (the first check's) was Jan 24-25; the refused one Jan 26-27 came after it.
          const view = await webviewWithHeading(page, `Scoreboard: ${JOB}`);
          await until('the scoreboard to show the last run’s range', 10_000, async () => {
            const subtitle = (await view.locator('.subtitle').textContent().catch(() => null)) ?? '';
            return subtitle.startsWith('2026-01-26 to 2026-01-27 · ') ? undefined : `subtitle: "${subtitle}"`;
          }, page);
          const rows = await view.locator('table tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent ?? '')));
          // 118 + 105 = 223 graded; (57 + 45) / (103 + 98) = 102 / 201 = 50.7%.
          assert.deepEqual(rows, [
            ['game_date', 'graded', 'mae', 'bias', 'accuracy'],
            ['2026-01-26', '118', '5.59', '0.23', '55.3'],
            ['2026-01-27', '105', '6.12', '0.19', '45.9'],
            ['Total', '223', '5.84', '0.21', '50.7'],
          ]);
          assert.match((await view.locator('.subtitle').textContent()) ?? '', /^2026-01-26 to 2026-01-27 · 2 rows · read \d\d:\d\d:\d\d UTC$/);
          await runFromPalette(page, 'View: Close All Editors');
        },
      },
    ],
  };
}
