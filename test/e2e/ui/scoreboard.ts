// The scoreboard view as a person meets it (trusted demo workspace), read from inside its webview:
// Show Data Job Scoreboard opens on the demo's seeded range (the handoff's backfill, Jan 24-28) with
// no date prompt; the chart's bars and lines, the table and its Total row over the 489 predictions
// (5.62 · 0.29 · 50.1, where the handoff's own Total averages the days); a policy that allows no
// inline script or style; Export CSV through the editor's save dialog, the file read from disk; the
// range picker's Refresh reading another range, and refusing one that ends before it starts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { pickItem, runFromPalette, until, verdictsLoad, type UiPage } from './checks';
import { webviewWithHeading } from './dataJobs';
import { exportThroughSaveDialog } from './saveDialog';

const JOB = 'grading-backfill';

/** The seeded range as the view's table shows it: the handoff's rows, and the Total row over the 489 predictions. */
const JAN_24_28_TABLE = [
  ['game_date', 'graded', 'mae', 'bias', 'accuracy'],
  ['2026-01-24', '22', '4.52', '0.16', '40.0'],
  ['2026-01-25', '99', '5.45', '1.14', '58.9'],
  ['2026-01-26', '118', '5.59', '0.23', '55.3'],
  ['2026-01-27', '105', '6.12', '0.19', '45.9'],
  ['2026-01-28', '145', '5.55', '-0.15', '45.0'],
  ['Total', '489', '5.62', '0.29', '50.1'],
];

/** A figure as a spreadsheet reads it: the view shows 40.0 where the CSV holds the query's 40. */
function sameFigure(csv: string, shown: string): boolean {
  return csv === shown || (/^-?\d/.test(csv) && Number(csv) === Number(shown));
}

async function tableRows(view: Frame): Promise<string[][]> {
  return view.locator('table tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent ?? '')));
}

async function chartFacts(view: Frame): Promise<{ bars: string[]; lines: number; points: number; panels: string[]; title: string }> {
  return view.locator('svg.chart').evaluate((svg) => ({
    bars: [...svg.querySelectorAll('rect.bar > title')].map((t) => t.textContent ?? ''),
    lines: svg.querySelectorAll('polyline.line:not(.before)').length,
    points: svg.querySelectorAll('circle.point').length,
    panels: [...svg.querySelectorAll('g.panel')].map((g) => `${g.getAttribute('data-column')}:${g.getAttribute('data-kind')}`),
    title: svg.querySelector(':scope > title')?.textContent ?? '',
  }));
}

/** The scoreboard webview again: Refresh draws a new page into a new frame. */
async function viewWithSubtitle(page: Page, pattern: RegExp): Promise<Frame> {
  let found: Frame | undefined;
  await until(`the scoreboard subtitle to match ${pattern}`, 30_000, async () => {
    const seen: string[] = [];
    found = undefined;
    for (const frame of page.frames()) {
      const heading = await frame.locator('h1').first().textContent({ timeout: 200 }).catch(() => null);
      if (heading !== `Scoreboard: ${JOB}`) continue;
      const subtitle = (await frame.locator('.subtitle').textContent({ timeout: 200 }).catch(() => null)) ?? '';
      seen.push(subtitle);
      if (pattern.test(subtitle)) found = frame;
    }
    return found ? undefined : `subtitles: ${seen.map((s) => `"${s}"`).join(', ') || 'none'}`;
  }, page);
  return found!;
}

export function scoreboardPage(): UiPage {
  return {
    name: 'scoreboard',
    profile: 'trusted',
    folder: 'demo',
    checks: [
      verdictsLoad,
      {
        name: 'Show Data Job Scoreboard opens on the seeded January range: the chart’s bars and lines, the rows and the Total row over the 489 predictions, under a strict policy',
        timeoutMs: 90_000,
        async run({ page }) {
          await runFromPalette(page, 'Cloud Run Drift: Show Data Job Scoreboard…');
          await pickItem(page, JOB);
          const view = await webviewWithHeading(page, `Scoreboard: ${JOB}`);
          await viewWithSubtitle(page, /^2026-01-24 to 2026-01-28 · 5 rows · read \d\d:\d\d:\d\d UTC$/);
          assert.equal(await page.locator('.quick-input-widget .quick-input-title', { hasText: 'start date' }).isVisible(), false, 'no date prompt');
          assert.deepEqual([await view.locator('#start').inputValue(), await view.locator('#end').inputValue()], ['2026-01-24', '2026-01-28']);
          assert.deepEqual(await tableRows(view), JAN_24_28_TABLE);
          const chart = await chartFacts(view);
          assert.deepEqual(chart.panels, ['graded:bars', 'mae:line', 'bias:line', 'accuracy:line']);
          assert.deepEqual(chart.bars, ['2026-01-24: graded 22', '2026-01-25: graded 99', '2026-01-26: graded 118', '2026-01-27: graded 105', '2026-01-28: graded 145']);
          assert.deepEqual([chart.lines, chart.points], [3, 15]);
          assert.equal(chart.title, 'graded as bars; mae, bias, accuracy as lines, per game_date');
          // Theme colors reach the chart through the stylesheet: a bar is filled with the theme's chart blue.
          const fill = await view.locator('rect.bar').first().evaluate((rect) => (globalThis as unknown as { getComputedStyle(element: unknown): { fill: string } }).getComputedStyle(rect).fill);
          assert.notEqual(fill, 'rgb(0, 0, 0)', 'the bar has the theme color, not the default black');
          const csp = (await view.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
          assert.match(csp, /^default-src 'none'; style-src [^;']*(?:'self'[^;']*)?; script-src 'nonce-[A-Za-z0-9+/=]+'$/);
          assert.doesNotMatch(csp, /unsafe-/);
        },
      },
      {
        name: 'Export CSV, through the editor’s save dialog, writes the rows and the Total row the view shows (CRLF, numbers as numbers)',
        timeoutMs: 60_000,
        async run({ page, folder }) {
          const view = await viewWithSubtitle(page, /^2026-01-24 to 2026-01-28 · /);
          // Outside the workspace, as a person would save a report; a name no earlier run left behind.
          const target = path.join(path.dirname(folder), `ui-scoreboard-${process.pid}-${Date.now()}.csv`);
          try {
            const csv = await exportThroughSaveDialog(page, view, 'export', target, new RegExp(`^Exported 6 rows of ${JOB}'s scoreboard to ${path.basename(target).replace(/\./g, '\\.')}\\.`));
            assert.ok(csv.endsWith('\r\n'), 'every line ends with CRLF, the last one too');
            const lines = csv.slice(0, -2).split('\r\n').map((line) => line.split(','));
            assert.equal(lines.length, JAN_24_28_TABLE.length, `one line per row the view shows, the header first:\n${csv}`);
            for (const [i, shown] of JAN_24_28_TABLE.entries()) {
              const written = lines[i]!;
              assert.ok(written.length === shown.length && written.every((cell, j) => sameFigure(cell, shown[j]!)), `line ${i + 1} is ${JSON.stringify(written)}, the view shows ${JSON.stringify(shown)}`);
            }
            // The Total row last, over the 489 predictions; the negative bias a number, not text.
            assert.deepEqual(lines[lines.length - 1], ['Total', '489', '5.62', '0.29', '50.1']);
            assert.deepEqual(lines[5], ['2026-01-28', '145', '5.55', '-0.15', '45']);
          } finally {
            fs.rmSync(target, { force: true });
          }
        },
      },
      {
        name: 'the range picker’s Refresh reads another range in place, and a range ending before it starts is refused in the view',
        timeoutMs: 90_000,
        async run({ page }) {
          let view = await viewWithSubtitle(page, /^2026-01-24 to 2026-01-28 · /);
          await view.locator('#start').fill('2026-01-27');
          await view.locator('#end').fill('2026-01-29');
          await view.locator('#refresh').click();
          view = await viewWithSubtitle(page, /^2026-01-27 to 2026-01-29 · 3 rows · read /);
          // 105 + 145 + 90 = 340 graded.
          const rows = await tableRows(view);
          assert.deepEqual(rows.map((row) => row.slice(0, 2)), [['game_date', 'graded'], ['2026-01-27', '105'], ['2026-01-28', '145'], ['2026-01-29', '90'], ['Total', '340']]);
          assert.equal((await chartFacts(view)).bars.length, 3);

          await view.locator('#start').fill('2026-01-29');
          await view.locator('#end').fill('2026-01-20');
          await view.locator('#refresh').click();
          await until('the view to refuse the range', 15_000, async () => {
            for (const frame of page.frames()) {
              const notice = await frame.locator('.notice').textContent({ timeout: 200 }).catch(() => null);
              if (notice === 'Not read: the start date 2026-01-29 is after the end date 2026-01-20.') return undefined;
            }
            return 'no notice yet';
          }, page);
          await runFromPalette(page, 'View: Close All Editors');
        },
      },
    ],
  };
}
