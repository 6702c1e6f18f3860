// What every real-editor run shares, whichever editor it drives (the VS Code server in run.ts, a
// downloaded desktop VS Code in desktop.ts): the editor profiles, which suite folder runs in which
// profile on which folder, and what a suite is told about its surroundings.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEPLOY_SKIP_CONFIRMATION_SETTING } from '../expectations';
import type { E2eContext, EditorKind, FolderKind } from '../shared';
import type { ProfileName } from '../ui/checks';
import type { ExtensionManifest } from './env';
import type { Folders } from './workspace';

export interface Profile {
  name: ProfileName;
  /** `security.workspace.trust.enabled`: on, the folder opens in Restricted Mode. */
  workspaceTrust: boolean;
  /** Added to the editor's environment, which the extension host and the terminals (deploy tasks) inherit. */
  env?: Record<string, string>;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
}

/**
 * Deploys from the tree run without the modal confirmation (the repository is clean), so a test
 * never hangs on a dialog; Restricted Mode must refuse before any confirmation anyway.
 */
const DEPLOY_SETTINGS: Record<string, unknown> = { [DEPLOY_SKIP_CONFIRMATION_SETTING]: true };

/** One editor each, with its own fresh folders and settings. */
export const PROFILES: readonly Profile[] = [
  { name: 'trusted', workspaceTrust: false, settings: DEPLOY_SETTINGS },
  { name: 'restricted', workspaceTrust: true, settings: DEPLOY_SETTINGS },
  // The demo deploy script "succeeds" but leaves the commit label as it was: the deploy must end
  // with the specific label-unchanged error. A wrong state is reported after settleSeconds.
  {
    name: 'fault',
    workspaceTrust: false,
    env: { DEMO_DEPLOY_FAULT: 'label-unchanged' },
    settings: { ...DEPLOY_SETTINGS, 'cloudRunDrift.deploy.settleSeconds': 2, 'cloudRunDrift.deploy.verifyTimeoutSeconds': 60 },
  },
];

/** Each folder under test/e2e/suite/ is one run: one editor window, one extension host, one Mocha run. */
export const RUNS: Readonly<Record<string, { profile: ProfileName; folder: FolderKind }>> = {
  demo: { profile: 'trusted', folder: 'demo' },
  minimal: { profile: 'trusted', folder: 'minimal' },
  'no-config': { profile: 'trusted', folder: 'empty' },
  restricted: { profile: 'restricted', folder: 'demo' },
  'deploy-fault': { profile: 'fault', folder: 'demo' },
  'multi-root': { profile: 'trusted', folder: 'multi-root' },
};

/** How long one run's suites may take, editor start-up included. */
export const SUITE_TIMEOUT_MS = 5 * 60_000;

export interface SuiteRun {
  name: string;
  folder: FolderKind;
  /** Compiled test files. */
  files: string[];
}

/** Fails on a suite folder no run knows, so a new folder is not silently left out. */
export function checkRunsKnown(discovered: ReadonlyMap<string, readonly string[]>): void {
  for (const name of discovered.keys()) {
    if (!RUNS[name]) throw new Error(`test/e2e/suite/${name}/ is not a known run; add it to RUNS in test/e2e/lib/profiles.ts (${Object.keys(RUNS).join(', ')})`);
  }
}

/** The runs of one profile, with their compiled files, in the order the folders were found. */
export function runsOf(profile: ProfileName, discovered: ReadonlyMap<string, readonly string[]>, compiled: ReadonlyMap<string, string>): SuiteRun[] {
  return [...discovered.entries()]
    .filter(([name]) => RUNS[name]?.profile === profile)
    .map(([name, files]) => ({ name, folder: RUNS[name]!.folder, files: files.map((f) => compiled.get(f)!) }));
}

/** What a suite learns through `e2eContext()`. */
export function runContext(run: SuiteRun, profile: Profile, folders: Folders, manifest: ExtensionManifest, editor: EditorKind): E2eContext {
  return {
    run: run.name,
    profile: profile.name,
    editor,
    workspaceTrust: profile.workspaceTrust,
    serverEnv: profile.env ?? {},
    folder: { kind: run.folder, dir: folders.dirs[run.folder] },
    emulatorUrl: folders.emulator.httpUrl,
    emulatorGrpc: folders.emulator.grpcAddress,
    extensionId: `${manifest.publisher}.${manifest.name}`,
    ...(run.folder === 'demo'
      ? { demo: { head: folders.demo.head, headShort: folders.demo.headShort, project: folders.demo.project, region: folders.demo.region, services: folders.demo.services, functions: folders.demo.functions, jobs: folders.demo.jobs } }
      : {}),
    ...(run.folder === 'multi-root' ? { multiRoot: folders.multiRoot } : {}),
  };
}

/** The extension's folder after installation (the development extension of suite runs). */
export function installedExtensionDir(extensionsDir: string, manifest: ExtensionManifest): string {
  const prefix = `${manifest.publisher}.${manifest.name}-`.toLowerCase();
  const match = fs.readdirSync(extensionsDir).find((d) => d.toLowerCase().startsWith(prefix) && fs.existsSync(path.join(extensionsDir, d, 'package.json')));
  if (!match) throw new Error(`${manifest.publisher}.${manifest.name} is not in ${extensionsDir} after installing it`);
  return path.join(extensionsDir, match);
}
