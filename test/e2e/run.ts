// End-to-end tests of Cloud Run Drift in a real VS Code (`npm run test:e2e`; README.md beside this file).
//
//   1. build the extension and package it (.vsix, @vscode/vsce), compile the suites (esbuild);
//   2. start the Google Cloud emulator on a free port and build the demo workspace against it;
//   3. per profile (workspace trust off / on): fresh server-data, user-data and extensions folders,
//      the .vsix installed with the server's --install-extension, the VS Code server on a free port;
//   4. UI checks with Chromium (playwright-core), test/e2e/ui/checks.ts;
//   5. each run's Mocha suites inside the remote extension host, driven the way @vscode/test-web does;
//   6. `N passed, N failed`; exit 1 on any failure. Server, browser and emulator are stopped on every
//      path out (success, failure, SIGINT/SIGTERM, the global deadline).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { WALKTHROUGH_ID } from '../../src/extension/commandIds';
import { launchBrowser, newEditorContext, openWorkbenchPage, type WorkbenchPage } from './lib/browser';
import { driverOptions, extensionManifest, installedEditor, REPO_ROOT, RESULTS_DIR, type DriverOptions, type ExtensionManifest, type InstalledEditor } from './lib/env';
import { runSuites } from './lib/extensionTests';
import { Cleanup, errorText, withTimeout } from './lib/process';
import { prepareExtension } from './lib/packaging';
import { checkRunsKnown, installedExtensionDir, PROFILES, runContext, runsOf, SUITE_TIMEOUT_MS, type Profile, type SuiteRun } from './lib/profiles';
import { Results } from './lib/results';
import { RunExit } from './lib/runExit';
import { compileSuites, discoverSuites } from './lib/suites';
import { installExtension, makeEditorDirs, startEditorServer, writeUserSettings, type EditorServer, type ExtensionSource } from './lib/vscodeServer';
import { prepareFolders, type Folders } from './lib/workspace';
import { UI_PAGES as WORKBENCH_PAGES, UiSkip, type ProfileName, type UiContext, type UiPage } from './ui/checks';
import { cloudRunDataJobPage } from './ui/cloudRunDataJob';
import { dataJobsPage } from './ui/dataJobs';
import { scoreboardPage } from './ui/scoreboard';
import { failedDeployLogsPage, logLatencyPage, logViewPage } from './ui/logView';
import { multiRootPage } from './ui/multiRoot';
import { rollbackPage } from './ui/rollback';
import { walkthroughPage } from './ui/walkthrough';
import { manyCommitsPage } from './ui/manyCommits';
import { whereLinePage } from './ui/whereLine';

/**
 * Every UI page, in the order each profile runs them: the workbench's (ui/checks.ts), then the log view's (ui/logView.ts), the data jobs', the walkthrough's and the multi-root workspace's.
 * The scoreboard's page comes before the data jobs' pages: it opens on the configured range, which a range typed on an earlier page of the profile would replace.
 */
const UI_PAGES: UiPage[] = [...WORKBENCH_PAGES, logViewPage(), logLatencyPage(), scoreboardPage(), dataJobsPage(), cloudRunDataJobPage(), walkthroughPage(), failedDeployLogsPage(), multiRootPage(), rollbackPage(), whereLinePage(), manyCommitsPage()];

/** The UI pages a profile runs (CRD_E2E_PAGES narrows them to the pages named). */
function uiPagesOf(profile: ProfileName, options: DriverOptions): UiPage[] {
  return UI_PAGES.filter((p) => p.profile === profile && (!options.pageFilter || options.pageFilter.includes(p.name)));
}

function log(message: string): void {
  process.stdout.write(`e2e: ${message}\n`);
}

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  const value = await fn();
  log(`${what} (${((Date.now() - start) / 1000).toFixed(1)}s)`);
  return value;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

type Contributions = Pick<UiContext, 'containerTitle' | 'servicesViewName' | 'commands' | 'walkthrough'>;

function contributions(): Contributions {
  interface Manifest {
    publisher: string;
    name: string;
    contributes?: {
      viewsContainers?: { activitybar?: { id: string; title: string }[] };
      views?: Record<string, { id: string; name: string }[]>;
      commands?: { command: string }[];
      walkthroughs?: { id: string; title: string; steps: { id: string; title: string; description: string; media: { image: string; altText: string } }[] }[];
    };
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
  const container = pkg.contributes?.viewsContainers?.activitybar?.find((c) => c.id === 'cloudRunDrift');
  const view = pkg.contributes?.views?.cloudRunDrift?.find((v) => v.id === 'cloudRunDrift.services');
  if (!container || !view) throw new Error('package.json does not contribute the cloudRunDrift view container with the cloudRunDrift.services view');
  const walkthrough = pkg.contributes?.walkthroughs?.find((w) => w.id === WALKTHROUGH_ID);
  if (!walkthrough) throw new Error(`package.json does not contribute the walkthrough ${WALKTHROUGH_ID}`);
  return {
    containerTitle: container.title,
    servicesViewName: view.name,
    commands: (pkg.contributes?.commands ?? []).map((c) => c.command),
    walkthrough: {
      fullId: `${pkg.publisher}.${pkg.name}#${WALKTHROUGH_ID}`,
      title: walkthrough.title,
      steps: walkthrough.steps.map((step) => ({
        id: step.id,
        title: step.title,
        // A link alone on its line is the step's button.
        button: /^\[([^\]]+)\]\(command:[\w.]+\)$/m.exec(step.description)?.[1] ?? '(no button)',
        image: step.media.image,
        altText: step.media.altText,
      })),
    },
  };
}

/** How many remote extension hosts the page has connected to (the workbench logs each socket). */
function extensionHostSockets(wb: WorkbenchPage): number {
  return wb.console().filter((line) => /Creating a socket \(renderer-ExtensionHost-[0-9a-f-]+\) was successful/.test(line)).length;
}

/**
 * code-server's VS Code 1.139 sometimes restarts the remote extension host while the workbench
 * starts (the second socket a few seconds after the first, with "Trying to add a disposable to a
 * DisposableStore that has already been disposed of" from _createExtensionHostCustomers). The old
 * host's main-thread side leaks: its tree view keeps drawing the Services rows while commands run
 * in the new host, so a row's inline action arrives with no row. No user action causes it and
 * our extension cannot tell, so a page that came up that way is loaded again.
 */
async function settleOnOneExtensionHost(wb: WorkbenchPage, pageName: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    await wb.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    // Quiet for 3 s after the first host connected: a restart comes within about 4 s of it.
    let seen = -1;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const now = extensionHostSockets(wb);
      if (now > 0 && now === seen) break;
      seen = now;
      await wb.page.waitForTimeout(3_000);
    }
    if (seen <= 1) return;
    log(`[${pageName}] the workbench started ${seen} extension hosts; loading the page again`);
    wb.resetConsole();
    await wb.page.reload({ waitUntil: 'domcontentloaded', timeout: 60_000 });
  }
}

async function runUiPage(uiPage: UiPage, context: BrowserContext, server: EditorServer, folders: Folders, results: Results, options: DriverOptions): Promise<void> {
  const wb = await openWorkbenchPage(context, { consoleLog: path.join(RESULTS_DIR, `console-ui-${uiPage.name}.log`), verbose: options.verbose });
  try {
    const folder = folders.dirs[uiPage.folder];
    await wb.page.goto(server.workbenchUrl(folder), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await settleOnOneExtensionHost(wb, uiPage.name);
    const ctx: UiContext = { page: wb.page, folder, demo: folders.demo, emulatorUrl: folders.emulator.httpUrl, consoleLines: () => wb.console(), ...contributions() };
    let failedBefore = false;
    let photographed = !uiPage.overview;
    const photograph = async (): Promise<void> => {
      // Every run, whatever happened: the README uses it.
      photographed = true;
      if (!failedBefore) await withTimeout(uiPage.beforeOverview?.(ctx) ?? Promise.resolve(), 15_000, 'arranging the overview').catch(() => undefined);
      await wb.page.waitForTimeout(500);
      const overview = path.join(RESULTS_DIR, 'overview.png');
      await wb.page.screenshot({ path: overview });
      log(`screenshot: ${path.relative(REPO_ROOT, overview)}`);
      if (options.updateScreenshot && !failedBefore) {
        fs.copyFileSync(overview, path.join(REPO_ROOT, 'media', 'screenshot.png'));
        log('copied it to media/screenshot.png');
      }
    };
    for (const [index, check] of uiPage.checks.entries()) {
      const name = `ui ${uiPage.name} › ${check.name}`;
      if (failedBefore) {
        results.record({ name, state: 'skipped', durationMs: 0, reason: '(an earlier check of this page failed)' });
        continue;
      }
      // Checks that change what the page shows (a deploy) come after the README's screenshot.
      if (check.afterOverview && !photographed) await photograph();
      const start = Date.now();
      try {
        await withTimeout(check.run(ctx), check.timeoutMs, check.name);
        results.record({ name, state: 'passed', durationMs: Date.now() - start });
      } catch (err) {
        if (err instanceof UiSkip) {
          results.record({ name, state: 'skipped', durationMs: Date.now() - start, reason: err.message });
          continue;
        }
        const shot = path.join(RESULTS_DIR, `ui-${uiPage.name}-${index + 1}-${slug(check.name)}.png`);
        await wb.page.screenshot({ path: shot }).catch(() => undefined);
        results.record({ name, state: 'failed', durationMs: Date.now() - start, error: `${errorText(err)}\n(screenshot: ${path.relative(REPO_ROOT, shot)})` });
        failedBefore = true;
      }
    }
    if (!photographed) await photograph();
  } finally {
    await wb.close();
  }
}

async function runProfile(
  profile: Profile,
  runs: readonly SuiteRun[],
  env: { editor: InstalledEditor; browser: Browser; folders: Folders; source: ExtensionSource; manifest: ExtensionManifest; runner: string; tmp: string },
  results: Results,
  options: DriverOptions,
  cleanup: Cleanup,
): Promise<void> {
  const failedBefore = results.count('failed');
  const work = path.join(env.tmp, profile.name);
  const dirs = makeEditorDirs(work);
  writeUserSettings(dirs, { workspaceTrust: profile.workspaceTrust, ...(profile.settings ? { extra: profile.settings } : {}) });
  await timed(`[${profile.name}] extension installed (${env.source.kind})`, () => installExtension(env.editor, dirs, env.source));
  const extensionDir = installedExtensionDir(dirs.extensions, env.manifest);
  const specFile = path.join(work, 'run-spec.json');
  const server = await timed(`[${profile.name}] VS Code ${env.editor.vscodeVersion} server up`, () =>
    startEditorServer(env.editor, dirs, { env: { ...profile.env, CRD_E2E_RUN_SPEC: specFile }, logFile: path.join(RESULTS_DIR, `server-${profile.name}.log`), verbose: options.verbose }),
  );
  cleanup.add(`VS Code server (${profile.name})`, () => server.stop());
  const browserContext = await newEditorContext(env.browser, server.url);
  try {
    for (const uiPage of uiPagesOf(profile.name, options)) {
      await timed(`[${profile.name}] UI page "${uiPage.name}" done`, () => runUiPage(uiPage, browserContext, server, env.folders, results, options));
    }
    for (const run of options.pageFilter ? [] : runs) {
      const context = runContext(run, profile, env.folders, env.manifest, 'server');
      const start = Date.now();
      const result = await timed(`[${profile.name}] suite run "${run.name}" done`, () =>
        runSuites({
          browserContext,
          server,
          name: run.name,
          folder: context.folder.dir,
          files: run.files,
          runner: env.runner,
          specFile,
          extensionDir,
          context,
          grep: options.grep,
          timeoutMs: SUITE_TIMEOUT_MS,
          verbose: options.verbose,
          screenshotOnFailure: path.join(RESULTS_DIR, `suite-${run.name}.png`),
          consoleLog: path.join(RESULTS_DIR, `console-suite-${run.name}.log`),
        }),
      );
      results.recordSuiteRun(
        run.name,
        result,
        Date.now() - start,
        `last console errors:\n${result.consoleTail || '(none)'}\nconsole log: test-results/console-suite-${run.name}.log`,
      );
    }
  } finally {
    await browserContext.close().catch(() => undefined);
    await server.stop();
    // The editor's own logs (extension host, our output channel) when something in this profile failed.
    if (results.count('failed') > failedBefore) {
      const logs = path.join(dirs.userData, 'logs');
      const target = path.join(RESULTS_DIR, `editor-logs-${profile.name}`);
      if (fs.existsSync(logs)) fs.cpSync(logs, target, { recursive: true });
      log(`[${profile.name}] editor logs: ${path.relative(REPO_ROOT, target)}`);
    }
  }
}

async function main(): Promise<boolean> {
  const started = Date.now();
  const options = driverOptions();
  const results = new Results();
  const cleanup = new Cleanup();
  // Screenshots and logs of this run only (test-results/ is git-ignored; other tools may write there).
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  for (const f of fs.readdirSync(RESULTS_DIR)) {
    if (/^(overview|ui-.*|suite-.*)\.png$|^(console-.*|server-.*)\.log$|^editor-logs-/.test(f)) fs.rmSync(path.join(RESULTS_DIR, f), { recursive: true, force: true });
  }

  const exit = new RunExit('e2e harness', results, cleanup, started, options.deadlineMs);

  try {
    const editor = installedEditor();
    const manifest = extensionManifest();
    const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crd-e2e-')));
    cleanup.add('temp folders', () => {
      if (options.keep) log(`kept ${tmp}`);
      else fs.rmSync(tmp, { recursive: true, force: true });
    });
    log(`VS Code ${editor.vscodeVersion} (code-server ${editor.codeServerVersion}), work folder ${tmp}`);

    const discovered = discoverSuites();
    checkRunsKnown(discovered);
    const [source, compiled] = await Promise.all([
      timed(options.install === 'unpacked' ? 'extension built' : 'extension built and packaged', () => prepareExtension(options, manifest, results)),
      timed('suites compiled', () => compileSuites([...discovered.values()].flat())),
    ]);
    const folders = await timed('emulator started, demo workspace built', () => prepareFolders(tmp));
    cleanup.add('emulator', () => folders.emulator.close());
    const browser = await timed('chromium launched', () => launchBrowser(editor.chromium));
    cleanup.add('chromium', () => browser.close());

    for (const profile of PROFILES) {
      if (options.profileFilter && profile.name !== options.profileFilter) continue;
      const runs = runsOf(profile.name, discovered, compiled.compiled);
      if ((options.pageFilter || runs.length === 0) && uiPagesOf(profile.name, options).length === 0) continue;
      await runProfile(profile, runs, { editor, browser, folders, source, manifest, runner: compiled.runner, tmp }, results, options, cleanup);
    }
  } catch (err) {
    results.record({ name: 'e2e harness', state: 'failed', durationMs: Date.now() - started, error: errorText(err) });
  }
  if (!exit.claimNormalEnd()) return new Promise<boolean>(() => undefined); // an abort owns the exit
  await cleanup.run();
  return results.printSummary(Date.now() - started);
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (err: unknown) => {
    process.stderr.write(`e2e: ${errorText(err)}\n`);
    process.exit(1);
  },
);
