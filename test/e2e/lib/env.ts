// Where things are: the repository, the installed VS Code server (written by .ci/install-e2e.sh),
// the output folders, and the knobs the driver reads from the environment.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
/** Compiled suites; inside the repository so `require('mocha')` and friends resolve from node_modules. */
export const OUT_DIR = path.join(REPO_ROOT, 'out', 'e2e');

export interface InstalledEditor {
  /** Node 24 binary the server runs on. */
  node: string;
  serverMain: string;
  vscodeVersion: string;
  codeServerVersion: string;
  chromium: string;
}

export function installedEditor(): InstalledEditor {
  const file = path.join(REPO_ROOT, '.vscode-test', 'e2e-env.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`${path.relative(REPO_ROOT, file)} is missing: run \`bash .ci/install-e2e.sh\` first`);
  }
  const env = parsed as Partial<InstalledEditor>;
  for (const key of ['node', 'serverMain', 'vscodeVersion', 'codeServerVersion', 'chromium'] as const) {
    const value = env[key];
    if (typeof value !== 'string' || !value) throw new Error(`${file}: "${key}" missing; rerun \`bash .ci/install-e2e.sh\``);
  }
  const editor = env as InstalledEditor;
  for (const f of [editor.node, editor.serverMain, editor.chromium]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: rerun \`bash .ci/install-e2e.sh\``);
  }
  return editor;
}

export interface DriverOptions {
  /** Whole-run limit (CRD_E2E_TIMEOUT_S, default 900 s). */
  deadlineMs: number;
  /**
   * CRD_E2E_INSTALL. 'auto' (default): `npm run package` and install the .vsix; if packaging fails,
   * that is a failed test and the built folder is copied in instead. 'vsix': packaging must work.
   * 'unpacked': `npm run build` and copy the folder (no packaging).
   */
  install: 'auto' | 'vsix' | 'unpacked';
  /** CRD_E2E_VSIX: install this .vsix instead of packaging one (e.g. the one a release job built). */
  vsix: string | undefined;
  /** Only profiles whose name matches (CRD_E2E_PROFILE, e.g. `trusted`). */
  profileFilter: string | undefined;
  /** Only the UI pages so named, and no suite runs (CRD_E2E_PAGES, comma-separated, e.g. `logs`). */
  pageFilter: string[] | undefined;
  /** Mocha --grep for the extension-host suites (CRD_E2E_GREP). */
  grep: string | undefined;
  /** Keep temp folders after the run (CRD_E2E_KEEP=1). */
  keep: boolean;
  /** Copy the overview screenshot to media/screenshot.png (CRD_E2E_UPDATE_SCREENSHOT=1). */
  updateScreenshot: boolean;
  /** Print the server's and the page's logs as they come (CRD_E2E_VERBOSE=1). */
  verbose: boolean;
}

export function driverOptions(env: NodeJS.ProcessEnv = process.env): DriverOptions {
  const seconds = Number(env.CRD_E2E_TIMEOUT_S ?? '900');
  const install = env.CRD_E2E_INSTALL || 'auto';
  if (install !== 'auto' && install !== 'vsix' && install !== 'unpacked') throw new Error(`CRD_E2E_INSTALL must be auto, vsix or unpacked, not ${install}`);
  return {
    deadlineMs: (Number.isFinite(seconds) && seconds > 0 ? seconds : 600) * 1000,
    install,
    vsix: env.CRD_E2E_VSIX || undefined,
    profileFilter: env.CRD_E2E_PROFILE || undefined,
    pageFilter: env.CRD_E2E_PAGES ? env.CRD_E2E_PAGES.split(',').map((name) => name.trim()).filter(Boolean) : undefined,
    grep: env.CRD_E2E_GREP || undefined,
    keep: env.CRD_E2E_KEEP === '1',
    updateScreenshot: env.CRD_E2E_UPDATE_SCREENSHOT === '1',
    verbose: env.CRD_E2E_VERBOSE === '1',
  };
}

/** The manifest fields the driver needs (publisher.name is the extension id). */
export interface ExtensionManifest {
  publisher: string;
  name: string;
  version: string;
}

export function extensionManifest(dir = REPO_ROOT): ExtensionManifest {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Partial<ExtensionManifest>;
  if (!pkg.publisher || !pkg.name || !pkg.version) throw new Error(`${dir}/package.json lacks publisher, name or version`);
  return { publisher: pkg.publisher, name: pkg.name, version: pkg.version };
}
