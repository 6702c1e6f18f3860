// Extension-host suites: compiled with esbuild (vscode and mocha external), then run by VS Code
// itself. The page is opened with the development options @vscode/test-web uses
// (`extensionDevelopmentPath` + `extensionTestsPath`, here vscode-remote:// URIs so the suite runs in
// the server's Node extension host); VS Code calls the suite's run() and reports its outcome through
// window.codeAutomationExit(code), which the driver exposes to the page.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import type { E2eContext, RunOutcome, RunSpec } from '../shared';
import { NOISE, openWorkbenchPage } from './browser';
import { OUT_DIR, REPO_ROOT } from './env';
import { withTimeout } from './process';
import type { EditorServer } from './vscodeServer';

export const SUITE_DIR = path.join(REPO_ROOT, 'test', 'e2e', 'suite');

/** Test files per run: test/e2e/suite/<run>/*.test.ts. */
export function discoverSuites(): Map<string, string[]> {
  const runs = new Map<string, string[]>();
  for (const entry of fs.readdirSync(SUITE_DIR, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const files = fs
      .readdirSync(path.join(SUITE_DIR, entry.name))
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => path.join(SUITE_DIR, entry.name, f));
    if (files.length > 0) runs.set(entry.name, files);
  }
  return runs;
}

/** Bundles the runner and every test file into out/e2e/suite/ (same layout, .js). */
export async function compileSuites(testFiles: readonly string[]): Promise<{ runner: string; compiled: Map<string, string> }> {
  const outdir = path.join(OUT_DIR, 'suite');
  fs.rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [path.join(SUITE_DIR, 'index.ts'), ...testFiles],
    outbase: SUITE_DIR,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  const compiled = new Map<string, string>();
  for (const file of testFiles) compiled.set(file, path.join(outdir, path.relative(SUITE_DIR, file)).replace(/\.ts$/, '.js'));
  return { runner: path.join(outdir, 'index.js'), compiled };
}

export interface SuiteRunOptions {
  browserContext: BrowserContext;
  server: EditorServer;
  name: string;
  folder: string;
  files: readonly string[];
  runner: string;
  /** The server's CRD_E2E_RUN_SPEC: rewritten before each run (runs on one server are sequential). */
  specFile: string;
  /** The installed extension's folder: the development extension of the test run. */
  extensionDir: string;
  context: E2eContext;
  grep: string | undefined;
  timeoutMs: number;
  verbose: boolean;
  /** Where the page is photographed when the run does not end with exit code 0. */
  screenshotOnFailure: string;
  /** The page's console (the workbench forwards the extension host's logs to it). */
  consoleLog: string;
}

export interface SuiteRunResult {
  exitCode: number | undefined;
  outcome: RunOutcome | undefined;
  /** Why there is no outcome, when there is none. */
  problem?: string;
  consoleTail: string;
}

export async function runSuites(options: SuiteRunOptions): Promise<SuiteRunResult> {
  const resultsFile = path.join(path.dirname(options.specFile), `results-${options.name}.json`);
  fs.rmSync(resultsFile, { force: true });
  const spec: RunSpec = {
    name: options.name,
    files: [...options.files],
    resultsFile,
    mochaPath: path.join(REPO_ROOT, 'node_modules', 'mocha', 'lib', 'mocha.cjs'),
    timeoutMs: 30_000,
    context: options.context,
    ...(options.grep ? { grep: options.grep } : {}),
  };
  fs.writeFileSync(options.specFile, JSON.stringify(spec, null, 2));

  const wb = await openWorkbenchPage(options.browserContext, {
    consoleLog: options.consoleLog,
    verbose: options.verbose,
  });
  try {
    const timings: { workbench?: number } = {};
    let resolveExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (resolveExit = resolve));
    await wb.page.exposeFunction('codeAutomationExit', (code: unknown) => resolveExit(typeof code === 'number' ? code : 1));
    await wb.page.exposeFunction('codeAutomationLog', () => undefined);
    const payload: [string, string][] = [
      ['extensionDevelopmentPath', options.server.remoteUri(options.extensionDir)],
      ['extensionTestsPath', options.server.remoteUri(options.runner)],
    ];
    const opened = Date.now();
    await wb.page.goto(options.server.workbenchUrl(options.folder, payload), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    void wb.page
      .locator('.monaco-workbench')
      .waitFor({ state: 'visible', timeout: 60_000 })
      .then(() => (timings.workbench = Date.now() - opened))
      .catch(() => undefined);
    let exitCode: number | undefined;
    let problem: string | undefined;
    try {
      exitCode = await withTimeout(exited, options.timeoutMs, `the ${options.name} suites`);
    } catch (err) {
      problem = err instanceof Error ? err.message : String(err);
    }
    let outcome: RunOutcome | undefined;
    if (fs.existsSync(resultsFile)) outcome = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as RunOutcome;
    if (outcome) {
      const s = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
      process.stdout.write(
        `e2e: [${options.name}] workbench shown after ${timings.workbench === undefined ? '?' : s(timings.workbench)}, run() called after ${s(outcome.startedAt - opened)}, Mocha took ${s(outcome.finishedAt - outcome.startedAt)} (VS Code ${outcome.vscodeVersion}, Node ${outcome.nodeVersion})\n`,
      );
    }
    else problem ??= `the suites ended (exit code ${exitCode}) without writing results: they did not load, see the console log`;
    if (exitCode !== 0) await wb.page.screenshot({ path: options.screenshotOnFailure }).catch(() => undefined);
    const consoleTail = wb
      .console()
      .filter((l) => /^(error|pageerror)/.test(l) && !NOISE.test(l))
      .slice(-15)
      .join('\n');
    return { exitCode, outcome, ...(problem ? { problem } : {}), consoleTail };
  } finally {
    await wb.close();
  }
}
