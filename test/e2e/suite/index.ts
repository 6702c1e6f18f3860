// Runs inside VS Code's extension host (the server's remote one under run.ts, desktop VS Code's under
// desktop.ts): VS Code loads this module because the window was opened with `extensionTestsPath` and
// calls `run()`, the contract of @vscode/test-electron and @vscode/test-web; a rejected promise makes
// VS Code report exit code 1 to the driver.
//
// Which test files to load and where to write per-test results come from the run spec the driver
// writes before opening each window (CRD_E2E_RUN_SPEC, in the editor's environment).
import * as fs from 'node:fs';
import type MochaType from 'mocha';
import * as vscode from 'vscode';
import type { RunOutcome, RunSpec } from '../shared';
import { skipReasons } from './helpers';

export function readSpec(): RunSpec {
  const file = process.env.CRD_E2E_RUN_SPEC;
  if (!file) throw new Error('CRD_E2E_RUN_SPEC is not set: this module runs only under test/e2e/run.ts or test/e2e/desktop.ts');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as RunSpec;
}

function errorString(err: unknown): string {
  if (err instanceof Error) return err.stack ?? err.message;
  return String(err);
}

export async function run(): Promise<void> {
  const startedAt = Date.now();
  const spec = readSpec();
  // Mocha stays outside the bundle: the compiled suites live in the repository (out/e2e), and the
  // extension host runs on the same machine, so the repository's own copy is required by path.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require(spec.mochaPath) as typeof MochaType;
  const outcome: RunOutcome = { name: spec.name, vscodeVersion: vscode.version, nodeVersion: process.version, startedAt, finishedAt: 0, tests: [] };
  const write = (): void => fs.writeFileSync(spec.resultsFile, JSON.stringify(outcome, null, 2));

  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: spec.timeoutMs, reporter: Mocha.reporters.Base, ...(spec.grep ? { grep: spec.grep } : {}) });
  for (const file of spec.files) mocha.addFile(file);

  try {
    await mocha.loadFilesAsync();
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (test) => {
        outcome.tests.push({ title: test.fullTitle(), file: test.file, state: 'passed', durationMs: test.duration ?? 0 });
      });
      runner.on('fail', (test, err) => {
        // A failing hook arrives here too; its title says so ('"before all" hook for …').
        outcome.tests.push({ title: test.fullTitle(), file: test.file, state: 'failed', durationMs: test.duration ?? 0, error: errorString(err) });
      });
      runner.on('pending', (test) => {
        const reason = skipReasons().get(test.fullTitle());
        outcome.tests.push({ title: test.fullTitle(), file: test.file, state: 'pending', durationMs: 0, ...(reason ? { reason } : {}) });
      });
    });
  } catch (err) {
    outcome.crash = errorString(err);
  }
  outcome.finishedAt = Date.now();
  write();
  const failed = outcome.tests.filter((t) => t.state === 'failed').length;
  if (outcome.crash) throw new Error(`the suite crashed: ${outcome.crash}`);
  if (failed > 0) throw new Error(`${failed} extension-host test(s) failed`);
}
