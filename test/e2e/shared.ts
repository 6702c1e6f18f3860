// Types shared by the drivers (test/e2e/run.ts and test/e2e/desktop.ts) and the code they
// run inside VS Code's extension host (test/e2e/suite/**). No runtime imports: both sides bundle this freely.
import type { DemoFunctionState, DemoJobState, DemoServiceState } from '../../src/emulator/demo/workspace';

/** The folder a run opens (`multi-root`: a .code-workspace file). */
export type FolderKind = 'demo' | 'minimal' | 'empty' | 'multi-root';

/** The multi-root workspace (lib/workspace.ts): two repositories with a configuration, a folder without one. */
export interface MultiRootFacts {
  workspaceFile: string;
  /** In the workspace's order; `name` is the folder's name in the .code-workspace file. */
  repos: { name: string; dir: string; project: string; services: { name: string; deployedCommit: string; status: 'up-to-date' | 'stale' }[] }[];
  /** The folder without cloud-run-drift.json. */
  plainDir: string;
}

/** Which editor runs the suites: VS Code's server build in a browser (run.ts) or desktop VS Code (desktop.ts). */
export type EditorKind = 'server' | 'desktop';

/** What a suite may know about its surroundings (helpers.ts: `e2eContext()`). */
export interface E2eContext {
  /** The run's name: the suite folder under test/e2e/suite/. */
  run: string;
  /** The editor profile (PROFILES in lib/profiles.ts) the run belongs to: trusted, restricted, fault… */
  profile: string;
  editor: EditorKind;
  /** Whether workspace trust is on (then the folder opens in Restricted Mode). */
  workspaceTrust: boolean;
  /** Variables the profile adds to the editor's environment (the extension host and terminals inherit them). */
  serverEnv: Record<string, string>;
  folder: { kind: FolderKind; dir: string };
  /** The local Google Cloud emulator: Cloud Run REST and /control/*. */
  emulatorUrl: string;
  /** Cloud Logging gRPC host:port of the emulator. */
  emulatorGrpc: string;
  /** publisher.name of the extension under test. */
  extensionId: string;
  /** Present when the folder is the demo workspace: what each service's verdict should rest on. */
  demo?: { head: string; headShort: string; project: string; region: string; services: DemoServiceState[]; functions: DemoFunctionState[]; jobs: DemoJobState[] };
  /** Present when the run opens the multi-root workspace. */
  multiRoot?: MultiRootFacts;
}

export interface RunSpec {
  name: string;
  /** Compiled test files, absolute. */
  files: string[];
  resultsFile: string;
  /** Absolute path of the repository's mocha/lib/mocha.cjs. */
  mochaPath: string;
  grep?: string;
  /** Mocha's per-test timeout. */
  timeoutMs: number;
  context: E2eContext;
}

export interface TestOutcome {
  title: string;
  file: string | undefined;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: string;
  /** Why a pending test was skipped (helpers.ts: skipBecause). */
  reason?: string;
}

export interface RunOutcome {
  name: string;
  vscodeVersion: string;
  nodeVersion: string;
  /** Epoch ms when VS Code called run(), and when Mocha finished. */
  startedAt: number;
  finishedAt: number;
  tests: TestOutcome[];
  /** Set when Mocha itself failed (a file did not load, a hook outside any test threw). */
  crash?: string;
}
