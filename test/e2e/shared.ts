// Types shared by the driver (test/e2e/run.ts) and the code it runs inside VS Code's
// extension host (test/e2e/suite/**, Node 24). No runtime imports: both sides bundle this freely.
import type { DemoServiceState } from '../../src/emulator/demo/workspace';

/** The folder a run opens. */
export type FolderKind = 'demo' | 'minimal' | 'empty';

/** What a suite may know about its surroundings (helpers.ts: `e2eContext()`). */
export interface E2eContext {
  /** The run's name: the suite folder under test/e2e/suite/. */
  run: string;
  /** The editor profile (run.ts PROFILES) the run belongs to: trusted, restricted, fault… */
  profile: string;
  /** Whether workspace trust is on (then the folder opens in Restricted Mode). */
  workspaceTrust: boolean;
  /** Variables the profile adds to the editor server's environment (the extension host and terminals inherit them). */
  serverEnv: Record<string, string>;
  folder: { kind: FolderKind; dir: string };
  /** The local Google Cloud emulator: Cloud Run REST and /control/*. */
  emulatorUrl: string;
  /** Cloud Logging gRPC host:port of the emulator. */
  emulatorGrpc: string;
  /** publisher.name of the extension under test. */
  extensionId: string;
  /** Present when the folder is the demo workspace: what each service's verdict should rest on. */
  demo?: { head: string; headShort: string; project: string; region: string; services: DemoServiceState[] };
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
