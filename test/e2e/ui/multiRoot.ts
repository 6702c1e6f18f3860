// A multi-root workspace as a person sees it (trusted profile, lib/workspace.ts's .code-workspace):
// a group row per repository (Shop, Billing) named after its folder, with its summary and its own
// service rows under it, none for the folder without a configuration (Notes); the status bar
// counting every repository and naming each; and a palette command asking which repository.
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { openContainer, pickItem, runFromPalette, sideBarRows, statusBarSummary, until, type UiPage } from './checks';

/** A row of the Services tree at `level` (1: the groups, 2: their services) whose accessible name is `label`. */
function rowAt(page: Page, level: number, label: string): Locator {
  return page.locator(`.part.sidebar .monaco-list-row[aria-level="${level}"][aria-label="${label}"]`);
}

async function describeRows(page: Page): Promise<string> {
  const rows = await sideBarRows(page).evaluateAll((els) => els.map((el) => `${el.getAttribute('aria-level')}:${el.getAttribute('aria-label')}`));
  return rows.join(' | ') || 'no rows';
}

export function multiRootPage(): UiPage {
  return {
    name: 'multi-root',
    profile: 'trusted',
    folder: 'multi-root',
    checks: [
      {
        name: 'the workbench opens the multi-root workspace',
        timeoutMs: 90_000,
        async run({ page }) {
          await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
          await until('the window title to name the workspace', 30_000, async () => ((await page.title()).includes('multi-root') ? undefined : `title "${await page.title()}"`), page);
        },
      },
      {
        name: 'the Services view shows a group per repository, named after its folder, with its own services under it',
        timeoutMs: 75_000,
        async run({ page, containerTitle }) {
          await openContainer(page, containerTitle);
          const expected: [number, string][] = [
            [1, 'Shop: 1 stale · 1 ok'],
            [2, 'api: up to date'],
            [2, 'web: stale'],
            [1, 'Billing: 2 ok'],
            [2, 'api: up to date'],
            [2, 'invoices: up to date'],
          ];
          await until(
            'the groups and their rows',
            60_000,
            async () => {
              const shown = await sideBarRows(page).evaluateAll((els) => els.map((el) => [Number(el.getAttribute('aria-level')), el.getAttribute('aria-label') ?? '']));
              return JSON.stringify(shown) === JSON.stringify(expected) ? undefined : `rows: ${await describeRows(page)}`;
            },
            page,
          );
          assert.equal(await rowAt(page, 1, 'Notes').count(), 0, 'the folder without a configuration has no group');
        },
      },
      {
        name: 'the status bar counts every repository and names each',
        timeoutMs: 30_000,
        async run({ page }) {
          const item = statusBarSummary(page);
          await until(
            'the status bar summary',
            25_000,
            async () => {
              const label = item.locator('.statusbar-item-label');
              const text = (await label.innerText().catch(() => '')).trim();
              const name = (await label.getAttribute('aria-label').catch(() => null)) ?? '';
              if (text !== '1 stale · 3 ok') return `text "${text}"`;
              if (!name.includes('Shop: 1 stale · 1 ok') || !name.includes('Billing: 2 ok')) return `accessible name "${name}"`;
              return undefined;
            },
            page,
          );
        },
      },
      {
        name: 'Open Configuration from the Command Palette asks which repository and opens its file',
        timeoutMs: 45_000,
        async run({ page }) {
          await runFromPalette(page, 'Cloud Run Drift: Open Configuration');
          const offered = page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name');
          await until('the repositories to be offered', 15_000, async () => {
            // Each item's label; its detail (the repository's path) is drawn with the same class.
            const labels = (await offered.allInnerTexts()).filter((label) => !label.includes('/'));
            return labels.join(',') === 'Shop,Billing' ? undefined : `offered: ${labels.join(', ') || 'nothing'}`;
          }, page);
          await pickItem(page, 'Billing');
          await until('Billing\'s cloud-run-drift.json in the editor', 15_000, async () => {
            const text = await page.locator('.editor-instance .view-lines').first().innerText().catch(() => '');
            return text.includes('billing-project') ? undefined : `editor shows: ${text.slice(0, 120) || 'nothing'}`;
          }, page);
        },
      },
    ],
  };
}
