// `npm run test:vscode`: the extension-host suites (test/e2e/suite/<run>/) in desktop VS Code, the
// way the ecosystem runs them: @vscode/test-electron downloads the editor and runTests starts it.
// Two versions (the newest, `stable`, and the oldest package.json's engines.vscode allows) × the
// profiles of lib/profiles.ts, against the same emulator, demo workspace and profiles as
// `npm run test:e2e` (run.ts). The UI checks (test/e2e/ui/) drive the server build's workbench in
// Chromium and are not part of this run.
//
//   1. download every version first: a machine that cannot download VS Code stops here, with one
//      clear message and exit code 1;
//   2. the production build, and the files the .vsix would hold (`vsce ls`) copied into a folder:
//      the development extension; the suites bundled;
//   3. the emulator and the workspaces (lib/workspace.ts);
//   4. per version × profile: fresh user-data and extensions folders and user settings, then each of
//      the profile's runs in its own window (lib/desktopLaunch.ts builds the command line);
//   5. `N passed, N failed`; exit 1 on any failure. The emulator and temp folders go on every way out.
import { downloadAndUnzipVSCode, runTests, TestRunFailedError } from '@vscode/test-electron';
import { execFileSync, execSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { desktopLaunch, desktopVersions, downloadFailureMessage, type DesktopLaunch } from './lib/desktopLaunch';
import { driverOptions, extensionManifest, REPO_ROOT } from './lib/env';
import { Cleanup, errorText, withTimeout } from './lib/process';
import { checkRunsKnown, PROFILES, runContext, runsOf, SUITE_TIMEOUT_MS } from './lib/profiles';
import { Results } from './lib/results';
import { RunExit } from './lib/runExit';
import { compileSuites, discoverSuites, readRunOutcome, writeRunSpec } from './lib/suites';
import { writeUserSettings } from './lib/vscodeServer';
import { prepareFolders } from './lib/workspace';

/** Downloads live here, as test-electron's default (git-ignored). */
const CACHE_DIR = path.join(REPO_ROOT, '.vscode-test');
/** A stalled download (no data for this long) is retried by test-electron, then fails. */
const DOWNLOAD_IDLE_TIMEOUT_MS = 30_000;
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

function log(message: string): void {
  process.stdout.write(`desktop: ${message}\n`);
}

class DownloadFailed extends Error {}

async function downloadAll(versions: readonly string[]): Promise<Map<string, string>> {
  const executables = new Map<string, string>();
  for (const version of versions) {
    try {
      const executable = await withTimeout(
        downloadAndUnzipVSCode({ version, cachePath: CACHE_DIR, timeout: DOWNLOAD_IDLE_TIMEOUT_MS }),
        DOWNLOAD_TIMEOUT_MS,
        `downloading VS Code ${version}`,
      );
      executables.set(version, executable);
      log(`VS Code ${version}: ${executable}`);
    } catch (err) {
      throw new DownloadFailed(downloadFailureMessage(version, err instanceof Error ? err.message : String(err)));
    }
  }
  return executables;
}

/**
 * The production build (vscode:prepublish, as `vsce package` runs it), then the files `vsce ls` says
 * the .vsix holds (.vscodeignore applies) copied into `target`: the suites test what ships, without
 * a zip to unpack.
 */
function prepareDevelopmentExtension(target: string): void {
  // A fixed command line through the shell: npm is npm.cmd on Windows.
  execSync('npm run --silent vscode:prepublish', { cwd: REPO_ROOT, stdio: 'inherit', timeout: 180_000 });
  const vsce = path.join(path.dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
  const listed = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  const files = listed.split(/\r?\n/).filter(Boolean);
  if (!files.includes('package.json') || !files.some((f) => f.startsWith('dist/'))) throw new Error(`vsce ls lists no package.json or dist/ bundle:\n${listed}`);
  for (const file of files) fs.cpSync(path.join(REPO_ROOT, file), path.join(target, file));
}

interface LaunchResult {
  exitCode: number | undefined;
  problem?: string;
}

/** One window: runTests, or the executable itself when the window must not be trusted (DesktopLaunch.via). */
async function launchOnce(executable: string, launch: DesktopLaunch, what: string): Promise<LaunchResult> {
  if (launch.via === 'runTests') {
    try {
      await withTimeout(runTests({ vscodeExecutablePath: executable, ...launch.testOptions }), SUITE_TIMEOUT_MS, what);
      return { exitCode: 0 };
    } catch (err) {
      if (err instanceof TestRunFailedError) return { exitCode: err.code, ...(err.signal ? { problem: `VS Code ended by signal ${err.signal}` } : {}) };
      // A time-out: runTests keeps its child to itself, so the window may still be open on this
      // profile's folders. The next run would hand its arguments to that window: stop here.
      throw err;
    }
  }
  const child = spawn(executable, launch.argv, { env: { ...process.env, ...launch.env }, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<LaunchResult>((resolve) => {
    child.on('error', (err) => resolve({ exitCode: undefined, problem: `could not start ${executable}: ${err.message}` }));
    child.on('exit', (code, signal) => resolve(code === null ? { exitCode: undefined, problem: `VS Code ended by signal ${signal}` } : { exitCode: code }));
  });
  try {
    return await withTimeout(exited, SUITE_TIMEOUT_MS, what);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

async function main(): Promise<boolean> {
  const started = Date.now();
  // Two versions of every run take longer than the server harness's default limit.
  const options = driverOptions({ CRD_E2E_TIMEOUT_S: '1800', ...process.env });
  const results = new Results('desktop');
  const cleanup = new Cleanup();
  const exit = new RunExit('desktop harness', results, cleanup, started, options.deadlineMs);

  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { engines?: { vscode?: string } };
    const versions = desktopVersions(pkg.engines?.vscode, process.env.CRD_DESKTOP_VSCODE || undefined);
    log(`VS Code ${versions.join(' and ')} (engines.vscode ${pkg.engines?.vscode}), ${process.platform}-${process.arch}`);
    const executables = await downloadAll(versions);

    const manifest = extensionManifest();
    const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crd-desktop-')));
    cleanup.add('temp folders', () => {
      if (options.keep) log(`kept ${tmp}`);
      else fs.rmSync(tmp, { recursive: true, force: true });
    });
    const extensionDir = path.join(tmp, 'extension');
    prepareDevelopmentExtension(extensionDir);
    const discovered = discoverSuites();
    checkRunsKnown(discovered);
    const compiled = await compileSuites([...discovered.values()].flat());
    const folders = await prepareFolders(tmp);
    cleanup.add('emulator', () => folders.emulator.close());
    log(`emulator ${folders.emulator.httpUrl}, demo workspace ${folders.dirs.demo}`);

    for (const version of versions) {
      for (const profile of PROFILES) {
        if (options.profileFilter && profile.name !== options.profileFilter) continue;
        const runs = runsOf(profile.name, discovered, compiled.compiled);
        if (runs.length === 0) continue;
        const work = path.join(tmp, `${version}-${profile.name}`);
        const userDataDir = path.join(work, 'user-data');
        const extensionsDir = path.join(work, 'extensions');
        for (const dir of [path.join(userDataDir, 'User'), extensionsDir]) fs.mkdirSync(dir, { recursive: true });
        writeUserSettings({ userData: userDataDir }, { workspaceTrust: profile.workspaceTrust, ...(profile.settings ? { extra: profile.settings } : {}) });
        const specFile = path.join(work, 'run-spec.json');
        for (const run of runs) {
          const label = `${version} › ${run.name}`;
          const resultsFile = writeRunSpec(specFile, { name: run.name, files: run.files, context: runContext(run, profile, folders, manifest, 'desktop'), grep: options.grep });
          const launch = desktopLaunch({
            profile,
            folder: folders.dirs[run.folder],
            userDataDir,
            extensionsDir,
            extensionDevelopmentPath: extensionDir,
            extensionTestsPath: compiled.runner,
            specFile,
          });
          log(`[${version} ${profile.name}] ${run.name}: ${launch.via === 'runTests' ? 'runTests' : 'VS Code started directly (workspace trust on)'}`);
          const start = Date.now();
          const launched = await launchOnce(executables.get(version)!, launch, `the ${label} suites`);
          const outcome = readRunOutcome(resultsFile);
          if (outcome) log(`[${version} ${profile.name}] ${run.name}: VS Code ${outcome.vscodeVersion}, Node ${outcome.nodeVersion}, ${((Date.now() - start) / 1000).toFixed(1)}s`);
          const problem = launched.problem ?? (outcome ? undefined : `the suites ended (exit code ${launched.exitCode}) without writing results: they did not load`);
          results.recordSuiteRun(
            label,
            { exitCode: launched.exitCode, outcome, ...(problem ? { problem } : {}) },
            Date.now() - start,
            `editor logs: ${path.join(userDataDir, 'logs')}${options.keep ? '' : ' (CRD_E2E_KEEP=1 keeps them)'}`,
          );
        }
      }
    }
  } catch (err) {
    if (err instanceof DownloadFailed) {
      exit.cancelDeadline();
      process.stderr.write(`${err.message}\n`);
      return false;
    }
    results.record({ name: 'desktop harness', state: 'failed', durationMs: Date.now() - started, error: errorText(err) });
  }
  if (!exit.claimNormalEnd()) return new Promise<boolean>(() => undefined); // an abort owns the exit
  await cleanup.run();
  return results.printSummary(Date.now() - started);
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (err: unknown) => {
    process.stderr.write(`desktop: ${errorText(err)}\n`);
    process.exit(1);
  },
);
