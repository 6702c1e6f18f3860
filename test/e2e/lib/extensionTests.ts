// Extension-host suites in the VS Code server's workbench (lib/suites.ts compiles them), run by VS
// Code itself. The page is opened with the development options @vscode/test-web uses
// (`extensionDevelopmentPath` + `extensionTestsPath`, here vscode-remote:// URIs so the suite runs in
// the server's Node extension host); VS Code calls the suite's run() and reports its outcome through
// window.codeAutomationExit(code), which the driver exposes to the page.
import type { BrowserContext } from 'playwright-core';
import type { E2eContext, RunOutcome } from '../shared';
import { NOISE, openWorkbenchPage } from './browser';
import { withTimeout } from './process';
import { readRunOutcome, writeRunSpec } from './suites';
import type { EditorServer } from './vscodeServer';

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
  const resultsFile = writeRunSpec(options.specFile, options);

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
    const outcome = readRunOutcome(resultsFile);
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
