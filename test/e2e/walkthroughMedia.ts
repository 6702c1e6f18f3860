// `node --import tsx test/e2e/walkthroughMedia.ts`: photographs the product for the Getting Started
// walkthrough (media/walkthrough/*.png) in the real VS Code of the end-to-end tests, on the demo
// workspace and a repository without cloud-run-drift.json, against the emulator. Needs the e2e
// toolchain (`bash .ci/install-e2e.sh`, once). Not a test: it stops at the first step that fails.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { demoUnitCounts, DEPLOY_SKIP_CONFIRMATION_SETTING, unitsSummary } from './expectations';
import { launchBrowser, newEditorContext, openWorkbenchPage } from './lib/browser';
import { driverOptions, extensionManifest, installedEditor, REPO_ROOT, RESULTS_DIR } from './lib/env';
import { prepareExtension } from './lib/packaging';
import { Cleanup, errorText } from './lib/process';
import { Results } from './lib/results';
import { installExtension, makeEditorDirs, startEditorServer, writeUserSettings } from './lib/vscodeServer';
import { prepareFolders } from './lib/workspace';
import { clickInlineAction, deploymentHistoryRow, openContainer, serviceRow, showNotificationCenter, statusBarSummary, until, workbenchOpens } from './ui/checks';

const OUT = path.join(REPO_ROOT, 'media', 'walkthrough');
const CONTAINER_TITLE = 'Cloud Run Drift';
const COORDINATOR = 'prediction-coordinator';

type Clip = { x: number; y: number; width: number; height: number };

async function photograph(page: Page, name: string, clip: Clip): Promise<void> {
  await page.mouse.move(300, 700);
  await page.waitForTimeout(600);
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, clip });
  process.stdout.write(`walkthrough media: ${path.relative(REPO_ROOT, file)}\n`);
}

/** Drags the side bar's edge to the right, so service rows show their verdicts in full. */
async function widenSideBar(page: Page, by: number): Promise<void> {
  const sidebar = await page.locator('.part.sidebar').boundingBox();
  if (!sidebar) return;
  const x = sidebar.x + sidebar.width + 2;
  const y = sidebar.y + sidebar.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + by, y, { steps: 8 });
  await page.mouse.up();
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  try {
    const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crd-media-')));
    cleanup.add('temp folders', () => fs.rmSync(tmp, { recursive: true, force: true }));
    const editor = installedEditor();
    const source = await prepareExtension(driverOptions({ CRD_E2E_INSTALL: 'unpacked' }), extensionManifest(), new Results());
    const folders = await prepareFolders(tmp);
    cleanup.add('emulator', () => folders.emulator.close());
    const dirs = makeEditorDirs(path.join(tmp, 'editor'));
    writeUserSettings(dirs, { workspaceTrust: false, extra: { [DEPLOY_SKIP_CONFIRMATION_SETTING]: true } });
    await installExtension(editor, dirs, source);
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    const server = await startEditorServer(editor, dirs, { env: {}, logFile: path.join(RESULTS_DIR, 'server-media.log'), verbose: false });
    cleanup.add('VS Code server', () => server.stop());
    const browser = await launchBrowser(editor.chromium);
    cleanup.add('chromium', () => browser.close());
    const context = await newEditorContext(browser, server.url);
    fs.mkdirSync(OUT, { recursive: true });

    // A repository without a configuration: the welcome view, and its button's first question.
    const empty = await openWorkbenchPage(context, { consoleLog: path.join(RESULTS_DIR, 'console-media-empty.log'), verbose: false });
    const emptyPage = empty.page;
    await emptyPage.goto(server.workbenchUrl(folders.dirs.empty), { waitUntil: 'domcontentloaded' });
    await workbenchOpens({ page: emptyPage, folder: folders.dirs.empty } as Parameters<typeof workbenchOpens>[0]);
    await openContainer(emptyPage, CONTAINER_TITLE);
    const button = emptyPage.locator('.part.sidebar .welcome-view-content .monaco-button', { hasText: 'Create from Cloud Run' });
    await button.waitFor({ state: 'visible', timeout: 40_000 });
    await button.click();
    await emptyPage.locator('.quick-input-widget').getByText('Create cloud-run-drift.json (1/', { exact: false }).first().waitFor({ state: 'visible' });
    await photograph(emptyPage, 'create-config', { x: 0, y: 0, width: 1100, height: 420 });
    await emptyPage.keyboard.press('Escape');
    await empty.close();

    // The demo workspace: the palette, the verdicts, a rollback's confirmation, a deploy and a log view.
    const demo = await openWorkbenchPage(context, { consoleLog: path.join(RESULTS_DIR, 'console-media-demo.log'), verbose: false });
    const page = demo.page;
    await page.goto(server.workbenchUrl(folders.dirs.demo), { waitUntil: 'domcontentloaded' });
    await workbenchOpens({ page, folder: folders.dirs.demo } as Parameters<typeof workbenchOpens>[0]);
    await openContainer(page, CONTAINER_TITLE);
    await until('the verdicts to load', 90_000, async () => {
      const item = statusBarSummary(page);
      const text = (await item.isVisible()) ? (await item.innerText()).trim() : '';
      return text === unitsSummary(demoUnitCounts(folders.demo)) ? undefined : `status bar: "${text}"`;
    }, page);

    await widenSideBar(page, 230);

    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget .quick-input-box input').fill('>Cloud Run Drift: Sign In');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Sign In with Application Default Credentials' }).first().waitFor({ state: 'visible' });
    await photograph(page, 'sign-in', { x: 401, y: 0, width: 600, height: 118 });
    await page.keyboard.press('Escape');

    const coordinator = serviceRow(page, COORDINATOR);
    await coordinator.click();
    await page.keyboard.press('ArrowRight');
    await page.locator('.part.sidebar .monaco-list-row[aria-level="2"]').first().waitFor({ state: 'visible' });
    await page.locator('.part.editor').click();
    await photograph(page, 'verdicts', { x: 0, y: 30, width: 580, height: 470 });
    await coordinator.click();
    await page.keyboard.press('ArrowLeft');

    // A rollback's confirmation: Route All Traffic Here on the previous revision of the demo's rollback service; Cancel changes nothing.
    const { rollback } = folders.demo;
    const previousRow = await deploymentHistoryRow(page, rollback.service, rollback.previous.name);
    await previousRow.hover();
    await previousRow.locator('.actions .action-label[aria-label="Route All Traffic Here"]').click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const box = (await dialog.boundingBox())!;
    await photograph(page, 'rollback', { x: Math.max(0, box.x - 24), y: Math.max(0, box.y - 24), width: box.width + 48, height: box.height + 48 });
    await dialog.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 5_000 });
    await serviceRow(page, rollback.service).click();
    await page.keyboard.press('ArrowLeft');

    // Open Logs asks nothing: the view opens on all entries of the last hour.
    await clickInlineAction(page, COORDINATOR, 'Open Logs');
    await until('the log view to show entries', 30_000, async () => {
      for (const frame of page.frames()) {
        const rows = await frame.locator('#rows .row').count().catch(() => 0);
        if (rows > 5) return undefined;
      }
      return 'no log view with entries yet';
    }, page);
    await page.waitForTimeout(1_500);
    await photograph(page, 'logs', { x: 583, y: 36, width: 817, height: 540 });
    await page.keyboard.press('Control+W');

    // The configuration above the deploy's terminal, its deploy command in view.
    await page.keyboard.press('Control+P');
    await page.keyboard.type('cloud-run-drift.json');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'cloud-run-drift.json' }).first().waitFor({ state: 'visible' });
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
    await page.locator('.part.editor .monaco-editor .view-lines').first().waitFor({ state: 'visible' });
    await page.keyboard.press('Control+F');
    await page.keyboard.type('deploy-service');
    await page.keyboard.press('Escape');
    await clickInlineAction(page, COORDINATOR, 'Deploy');
    await until(`${COORDINATOR} up to date after its deploy`, 120_000, async () => {
      const label = (await coordinator.getAttribute('aria-label').catch(() => null)) ?? '';
      return label === `${COORDINATOR}: up to date` ? undefined : `row: "${label}"`;
    }, page);
    // No toasts with the smoke-test driver: the notification center shows what the deploy said.
    await showNotificationCenter(page);
    await page.locator('.notifications-center .notification-list-item .codicon-notifications-expand').first().click().catch(() => undefined);
    await page.waitForTimeout(1_000);
    await photograph(page, 'deploy', { x: 0, y: 0, width: 1400, height: 860 });
    await demo.close();
  } finally {
    await cleanup.run();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`walkthrough media: ${errorText(err)}\n`);
    process.exit(1);
  },
);
