// Builds what the editor installs. By default the shipped artifact: `npm run package` (@vscode/vsce)
// makes the .vsix, which is then checked (it packs, it holds no sources or test output) and
// installed with the server's own --install-extension. When packaging fails that is a failed test,
// and the rest of the run goes on with the built folder copied in unpacked, so one broken manifest
// field does not hide every other result.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, type DriverOptions, type ExtensionManifest } from './env';
import { errorText, runCommand } from './process';
import type { Results } from './results';
import type { ExtensionSource } from './vscodeServer';

/** Files of the extension an unpacked install copies. */
const UNPACKED_FILES = ['package.json', 'dist', 'media', 'schema', 'README.md', 'LICENSE', 'LICENSE.md', 'CHANGELOG.md'];

/** Top-level folders of the repository that have no business in the .vsix. */
const NOT_SHIPPED = /^extension\/(src|test|bench|out|test-results|\.ci|\.vscode-test|node_modules|\.github)\//;

export async function prepareExtension(options: DriverOptions, manifest: ExtensionManifest, results: Results): Promise<ExtensionSource> {
  const unpacked: ExtensionSource = { kind: 'unpacked', dir: REPO_ROOT, files: UNPACKED_FILES, manifest };
  if (options.install === 'unpacked') {
    await runCommand('npm', ['run', 'build'], { cwd: REPO_ROOT, timeoutMs: 180_000 });
    return unpacked;
  }

  if (options.vsix) {
    await runCommand('npm', ['run', 'build'], { cwd: REPO_ROOT, timeoutMs: 180_000 });
    return { kind: 'vsix', file: path.resolve(options.vsix) };
  }
  const vsixDir = path.join(REPO_ROOT, 'dist');
  const started = Date.now();
  let vsix: string;
  try {
    await runCommand('npm', ['run', 'package'], { cwd: REPO_ROOT, timeoutMs: 300_000 });
    const fresh = fs
      .readdirSync(vsixDir)
      .filter((f) => f.endsWith('.vsix'))
      .map((f) => path.join(vsixDir, f))
      .filter((f) => fs.statSync(f).mtimeMs >= started - 1000);
    if (fresh.length !== 1) throw new Error(`npm run package should leave one new .vsix in dist/, found: ${fresh.join(', ') || 'none'}`);
    vsix = fresh[0]!;
    results.record({ name: 'package › npm run package makes a .vsix', state: 'passed', durationMs: Date.now() - started });
  } catch (err) {
    results.record({ name: 'package › npm run package makes a .vsix', state: 'failed', durationMs: Date.now() - started, error: errorText(err) });
    if (options.install === 'vsix') throw new Error('packaging failed (CRD_E2E_INSTALL=vsix)', { cause: err });
    process.stdout.write('e2e: packaging failed; the editor gets the built folder copied in unpacked instead\n');
    await runCommand('npm', ['run', 'build'], { cwd: REPO_ROOT, timeoutMs: 180_000 });
    return unpacked;
  }

  const checkStart = Date.now();
  const entries = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\n').filter(Boolean);
  const strays = entries.filter((e) => NOT_SHIPPED.test(e));
  const sizeMb = fs.statSync(vsix).size / 1024 / 1024;
  results.record({
    name: 'package › the .vsix holds no sources, tests or build output of the repository',
    state: strays.length === 0 ? 'passed' : 'failed',
    durationMs: Date.now() - checkStart,
    ...(strays.length > 0
      ? {
          error: `${path.relative(REPO_ROOT, vsix)} (${sizeMb.toFixed(1)} MB, ${entries.length} files) contains ${strays.length} files that do not ship, e.g.\n  ${strays.slice(0, 8).join('\n  ')}\nadd a .vscodeignore (or "files" in package.json)`,
        }
      : {}),
  });
  return { kind: 'vsix', file: vsix };
}
