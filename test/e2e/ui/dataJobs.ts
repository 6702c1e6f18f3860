// Data jobs as a person meets them in the workbench (trusted demo workspace): Run Data Job from the
// Command Palette asks for the dates (refusing an impossible one as it is typed), then a modal dialog
// names the guard that failed (the demo's coordinator is stale) and Cancel runs nothing; Show Data
// Job Scoreboard opens the grading table in a webview.
import * as assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { runFromPalette, until, verdictsLoad, type UiPage } from './checks';

const JOB = 'grading-backfill';

/** Types `text` into the input box titled `title`; returns once the box accepted it (Enter). */
async function typeDate(page: Page, title: string, text: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 15_000 });
  await widget.locator('.quick-input-box input').fill(text);
  await page.keyboard.press('Enter');
}

/** The frame of the webview whose page heading is `heading`. */
async function webviewWithHeading(page: Page, heading: string, timeoutMs = 30_000): Promise<Frame> {
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

export function dataJobsPage(): UiPage {
  return {
    name: 'jobs',
    profile: 'trusted',
    folder: 'demo',
    checks: [
      verdictsLoad,
      {
        name: 'Run Data Job from the Command Palette refuses an impossible date as it is typed, then a modal names the stale coordinator; Cancel starts nothing',
        timeoutMs: 90_000,
        async run({ page, commands }) {
          assert.ok(commands.includes('cloudRunDrift.runDataJob'), 'cloudRunDrift.runDataJob is contributed');
          await runFromPalette(page, 'Cloud Run Drift: Run Data Job…');
          const widget = page.locator('.quick-input-widget');
          await widget.locator('.quick-input-title', { hasText: `${JOB}: start date (1/2)` }).waitFor({ state: 'visible', timeout: 15_000 });
          await widget.locator('.quick-input-box input').fill('2026-02-30');
          await widget.locator('.quick-input-message', { hasText: '2026-02-30 is not a calendar date' }).waitFor({ state: 'visible', timeout: 10_000 });
          await page.keyboard.press('Enter');
          // Enter on an invalid value keeps the box open on the same step.
          await widget.locator('.quick-input-title', { hasText: `${JOB}: start date (1/2)` }).waitFor({ state: 'visible', timeout: 5_000 });
          await typeDate(page, `${JOB}: start date (1/2)`, '2026-01-24');
          await typeDate(page, `${JOB}: end date (2/2)`, '2026-01-25');

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
          const terminals = await page.locator('.part.panel').getByText(`${JOB} 2026-01-24..2026-01-25`).count();
          assert.equal(terminals, 0, 'no terminal runs the job after Cancel');
        },
      },
      {
        name: 'Show Data Job Scoreboard from the Command Palette shows the grading table for the typed range in a webview',
        timeoutMs: 90_000,
        async run({ page }) {
          await runFromPalette(page, 'Cloud Run Drift: Show Data Job Scoreboard…');
          await typeDate(page, `${JOB}: start date (1/2)`, '2026-01-24');
          await typeDate(page, `${JOB}: end date (2/2)`, '2026-01-28');
          const view = await webviewWithHeading(page, `Scoreboard: ${JOB}`);
          const rows = await view.locator('table tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent ?? '')));
          assert.deepEqual(rows, [
            ['game_date', 'graded', 'mae', 'bias', 'accuracy'],
            ['2026-01-24', '22', '4.52', '0.16', '40.0'],
            ['2026-01-25', '99', '5.45', '1.14', '58.9'],
            ['2026-01-26', '118', '5.59', '0.23', '55.3'],
            ['2026-01-27', '105', '6.12', '0.19', '45.9'],
            ['2026-01-28', '145', '5.55', '-0.15', '45.0'],
          ]);
          assert.match((await view.locator('.subtitle').textContent()) ?? '', /^2026-01-24 to 2026-01-28 · 5 rows · read \d\d:\d\d:\d\d UTC$/);
        },
      },
    ],
  };
}
