// UI checks: what a person sees in the workbench (Chromium via playwright-core). A UI page is one
// browser page opened on one folder in one profile; its checks run in order, later ones building on
// earlier ones (after a failure the rest of the page is skipped). A failing check leaves
// test-results/ui-<page>-<n>-<check>.png; the page marked `overview` is photographed every run.
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import type { DemoWorkspace } from '../../../src/emulator/demo/workspace';
import type { FolderKind } from '../shared';

export interface UiContext {
  page: Page;
  /** The folder this page opened. */
  folder: string;
  demo: DemoWorkspace;
  /** Titles from package.json contributes, so renaming one does not break the checks. */
  containerTitle: string;
  servicesViewName: string;
}

export interface UiCheck {
  name: string;
  timeoutMs: number;
  run(ctx: UiContext): Promise<void>;
}

export interface UiPage {
  name: string;
  /** A profile name from PROFILES in run.ts. */
  profile: 'trusted' | 'restricted';
  folder: FolderKind;
  /** Photograph the page after its checks as test-results/overview.png (the README screenshot). */
  overview?: boolean;
  /** Best effort, not a check: arranges the page before the overview screenshot. */
  beforeOverview?(ctx: UiContext): Promise<void>;
  checks: UiCheck[];
}

/** The activity bar entry of our view container (VS Code labels it with the container's title). */
export function activityBarItem(page: Page, title: string): Locator {
  return page.locator(`.part.activitybar .action-item [aria-label^="${title}"]`).first();
}

/** The rows of the tree(s) in the side bar. */
export function sideBarRows(page: Page): Locator {
  return page.locator('.part.sidebar .monaco-list-row');
}

/** Opens our view container in the side bar unless it is already showing. */
export async function openContainer(page: Page, title: string): Promise<void> {
  const item = activityBarItem(page, title);
  await item.waitFor({ state: 'visible', timeout: 25_000 });
  const checked = await item.evaluate((el) => el.closest('.action-item')?.classList.contains('checked') ?? false);
  // Clicking the entry of the container already shown would close the side bar.
  if (!checked) await item.click();
}

/** Waits for the workbench and for the window title to name the opened folder. */
async function workbenchOpens({ page, folder }: UiContext): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  const folderName = folder.split('/').pop() ?? '';
  const deadline = Date.now() + 30_000;
  while (!(await page.title()).includes(folderName)) {
    assert.ok(Date.now() < deadline, `the window title never named ${folderName}: "${await page.title()}"`);
    await page.waitForTimeout(250);
  }
}

export const UI_PAGES: UiPage[] = [
  {
    name: 'demo',
    profile: 'trusted',
    folder: 'demo',
    overview: true,
    checks: [
      { name: 'the workbench opens the demo workspace', timeoutMs: 90_000, run: workbenchOpens },
      {
        name: 'the activity bar shows the Cloud Run Drift view container',
        timeoutMs: 30_000,
        async run({ page, containerTitle }) {
          await activityBarItem(page, containerTitle).waitFor({ state: 'visible', timeout: 25_000 });
        },
      },
      {
        name: 'the Services view lists every configured service',
        timeoutMs: 60_000,
        async run({ page, demo, containerTitle, servicesViewName }) {
          await openContainer(page, containerTitle);
          await page.locator('.part.sidebar').getByText(servicesViewName, { exact: false }).first().waitFor({ state: 'visible', timeout: 15_000 });
          for (const service of demo.services) {
            await sideBarRows(page).filter({ hasText: service.name }).first().waitFor({ state: 'visible', timeout: 30_000 });
          }
          const rows = await sideBarRows(page).allInnerTexts();
          assert.ok(rows.length >= demo.services.length, `expected at least ${demo.services.length} rows, saw: ${rows.join(' | ')}`);
        },
      },
      {
        name: 'every service row settles on a verdict (none left checking)',
        timeoutMs: 60_000,
        async run({ page, demo }) {
          const deadline = Date.now() + 50_000;
          for (;;) {
            const rows = await sideBarRows(page).allInnerTexts();
            const pending = demo.services.filter((s) => !rows.some((r) => r.includes(s.name)) || rows.some((r) => r.includes(s.name) && /checking/i.test(r)));
            if (pending.length === 0) return;
            assert.ok(Date.now() < deadline, `still checking: ${pending.map((s) => s.name).join(', ')}; rows: ${rows.join(' | ')}`);
            await page.waitForTimeout(250);
          }
        },
      },
    ],
    /** For the README: a wider side bar so verdicts are readable, the configuration open beside it. */
    async beforeOverview({ page }) {
      const sidebar = await page.locator('.part.sidebar').boundingBox();
      if (sidebar) {
        const x = sidebar.x + sidebar.width + 2;
        const y = sidebar.y + sidebar.height / 2;
        await page.mouse.move(x, y);
        await page.mouse.down();
        await page.mouse.move(x + 230, y, { steps: 8 });
        await page.mouse.up();
      }
      await page.mouse.move(1000, 700);
      await page.keyboard.press('Control+P');
      await page.keyboard.type('cloud-run-drift.json');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'cloud-run-drift.json' }).first().waitFor({ state: 'visible', timeout: 5_000 });
      await page.waitForTimeout(300);
      await page.keyboard.press('Enter');
      await page.locator('.editor-group-container .monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 10_000 });
      await page.waitForTimeout(1_000);
    },
  },
];
