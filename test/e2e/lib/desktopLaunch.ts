// How the desktop runner (test/e2e/desktop.ts) starts VS Code: which versions, and the command line
// and environment of one suite run in one profile. Pure, so it is unit-tested without an editor
// (test/unit/desktop-launch.test.ts).
import type { Profile } from './profiles';

/** @vscode/test-electron's name for the newest released VS Code. */
export const STABLE = 'stable';

/**
 * The oldest VS Code a manifest's `engines.vscode` allows: `^1.101.0`, `~1.101.0`, `>=1.101.0` and
 * `1.101.0` all give 1.101.0. Any other form is refused: guessing would test the wrong editor.
 */
export function minimumVSCodeVersion(range: string | undefined): string {
  const match = /^\s*(?:\^|~|>=)?\s*(\d+\.\d+\.\d+)\s*$/.exec(range ?? '');
  if (!match) {
    throw new Error(`package.json engines.vscode is ${JSON.stringify(range)}: the desktop runner needs a range of the form ^1.2.3, ~1.2.3, >=1.2.3 or 1.2.3 to know the oldest VS Code to test`);
  }
  return match[1]!;
}

/**
 * The VS Code versions a desktop run covers: the newest (`stable`) and the oldest `engines.vscode`
 * allows. `only` (CRD_DESKTOP_VSCODE) narrows it to `stable`, `minimum`, or an exact version.
 */
export function desktopVersions(enginesVscode: string | undefined, only?: string): string[] {
  const minimum = minimumVSCodeVersion(enginesVscode);
  if (!only) return [STABLE, minimum];
  if (only === STABLE) return [STABLE];
  if (only === 'minimum') return [minimum];
  if (/^\d+\.\d+\.\d+$/.test(only)) return [only];
  throw new Error(`CRD_DESKTOP_VSCODE must be stable, minimum or a version such as ${minimum}, not ${JSON.stringify(only)}`);
}

/** The flags runTests puts on every launch (@vscode/test-electron 2.5, out/runTest.js), bar workspace trust. */
export const RUN_TESTS_FLAGS: readonly string[] = ['--no-sandbox', '--disable-gpu-sandbox', '--disable-updates', '--skip-welcome', '--skip-release-notes'];

/** runTests adds it unconditionally: every window it opens is trusted. */
export const DISABLE_WORKSPACE_TRUST = '--disable-workspace-trust';

/** Built-ins that only talk to github.com: on a machine without network they only fail, slowly. */
const DISABLED_BUILTINS = ['vscode.github', 'vscode.github-authentication'];

export interface DesktopLaunchInput {
  profile: Profile;
  /** The folder the window opens. */
  folder: string;
  /** This profile's own folders (fresh per version and profile). */
  userDataDir: string;
  extensionsDir: string;
  /** The extension under test: a folder with the files its .vsix holds. */
  extensionDevelopmentPath: string;
  /** The bundled suite runner (test/e2e/suite/index.ts compiled): it exports run(). */
  extensionTestsPath: string;
  /** The run spec index.ts reads (CRD_E2E_RUN_SPEC). */
  specFile: string;
}

export interface DesktopLaunch {
  /**
   * `runTests` from @vscode/test-electron when the window may be trusted. It always passes
   * --disable-workspace-trust, so a profile that needs workspace trust on (Restricted Mode) starts
   * the same executable itself, with the same arguments minus that flag.
   */
  via: 'runTests' | 'spawn';
  /** runTests' options (the caller adds vscodeExecutablePath). */
  testOptions: { extensionDevelopmentPath: string; extensionTestsPath: string; launchArgs: string[]; extensionTestsEnv: Record<string, string> };
  /** The executable's whole command line, either way. */
  argv: string[];
  /** Added to the inherited environment: the extension host and the deploy tasks' terminals see it. */
  env: Record<string, string>;
}

export function desktopLaunch(input: DesktopLaunchInput): DesktopLaunch {
  const launchArgs = [
    input.folder,
    `--user-data-dir=${input.userDataDir}`,
    `--extensions-dir=${input.extensionsDir}`,
    ...DISABLED_BUILTINS.flatMap((id) => ['--disable-extension', id]),
  ];
  const env = { ...input.profile.env, CRD_E2E_RUN_SPEC: input.specFile };
  const via = input.profile.workspaceTrust ? 'spawn' : 'runTests';
  // The order runTests uses: launch arguments, its own flags, the tests path, the development path.
  const argv = [
    ...launchArgs,
    ...RUN_TESTS_FLAGS,
    ...(via === 'runTests' ? [DISABLE_WORKSPACE_TRUST] : []),
    `--extensionTestsPath=${input.extensionTestsPath}`,
    `--extensionDevelopmentPath=${input.extensionDevelopmentPath}`,
  ];
  return {
    via,
    testOptions: { extensionDevelopmentPath: input.extensionDevelopmentPath, extensionTestsPath: input.extensionTestsPath, launchArgs, extensionTestsEnv: env },
    argv,
    env,
  };
}

/** The one message of a machine that cannot download VS Code: what failed, and what runs here instead. */
export function downloadFailureMessage(version: string, reason: string): string {
  return [
    `desktop: downloading VS Code ${version} failed: ${reason}`,
    'Desktop VS Code cannot be downloaded on this machine (@vscode/test-electron fetches it from update.code.visualstudio.com), so no desktop suite ran.',
    'Here `npm run test:e2e` runs the same extension-host suites in VS Code\'s server build (code-server), the real-editor harness `.ci/run` uses.',
  ].join('\n');
}
