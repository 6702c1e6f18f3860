// The extension-host suites, whichever editor runs them: found under test/e2e/suite/<run>/, bundled
// with esbuild (vscode and mocha external), and the run spec index.ts reads inside the editor
// (which files, where to write per-test results, what the suite may know about its surroundings).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { E2eContext, RunOutcome, RunSpec } from '../shared';
import { OUT_DIR, REPO_ROOT } from './env';

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
    // As for the extension (esbuild.mjs): jsonc-parser's UMD build hides its requires from the bundler.
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
  const compiled = new Map<string, string>();
  for (const file of testFiles) compiled.set(file, path.join(outdir, path.relative(SUITE_DIR, file)).replace(/\.ts$/, '.js'));
  return { runner: path.join(outdir, 'index.js'), compiled };
}

/** The run spec index.ts reads (CRD_E2E_RUN_SPEC): written before each run; runs of one editor are sequential. */
export function writeRunSpec(specFile: string, run: { name: string; files: readonly string[]; context: E2eContext; grep: string | undefined }): string {
  const resultsFile = path.join(path.dirname(specFile), `results-${run.name}.json`);
  fs.rmSync(resultsFile, { force: true });
  const spec: RunSpec = {
    name: run.name,
    files: [...run.files],
    resultsFile,
    mochaPath: path.join(REPO_ROOT, 'node_modules', 'mocha', 'lib', 'mocha.cjs'),
    timeoutMs: 30_000,
    context: run.context,
    ...(run.grep ? { grep: run.grep } : {}),
  };
  fs.writeFileSync(specFile, JSON.stringify(spec, null, 2));
  return resultsFile;
}

/** What index.ts wrote, or undefined when the suites never got that far. */
export function readRunOutcome(resultsFile: string): RunOutcome | undefined {
  return fs.existsSync(resultsFile) ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as RunOutcome) : undefined;
}
