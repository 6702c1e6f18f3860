// The shape and defaults of the `cloudRunDrift.*` settings, free of `vscode` so a test can hold
// them against contributes.configuration in package.json. settings.ts is the one reader.

export interface DriftSettings {
  /** 0 turns interval refreshes off. */
  refreshIntervalSeconds: number;
  refreshOnFocus: boolean;
  /** Refresh when HEAD, branches, the index or files inside a service's paths change. */
  refreshOnRepositoryChange: boolean;
  showStatusBarItem: boolean;
  /** Cloud Run Admin API URL used by "Create cloud-run-drift.json" (an emulator in tests); empty for Google's. */
  scaffoldRunEndpoint: string;
  // Deploy settings keep their dotted names so each key is its package.json name minus the section.
  /** Skip the confirmation before a deploy whose service paths have no uncommitted change. */
  'deploy.skipConfirmationWhenClean': boolean;
  /** How long verification waits for the deployed commit to serve all traffic. */
  'deploy.verifyTimeoutSeconds': number;
  /** Deploy All Stale: deploys running at once. */
  'deploy.concurrency': number;
  /** How long a wrong state must persist after the script exited before it is reported. */
  'deploy.settleSeconds': number;
  /** Log view: entries kept per stream; older ones are dropped (memory stays bounded). */
  'logs.maxEntries': number;
  /** The status bar says where the commit that last changed the cursor line is live. */
  'where.statusBar': boolean;
  /** The same words at the end of the cursor line. */
  'where.lineAnnotation': boolean;
  /** Hosts besides Google's API hosts that may receive the user's Google credentials (machine scope). */
  'credentials.allowHosts': readonly string[];
}

export const SETTINGS_SECTION = 'cloudRunDrift';

export const DEFAULT_SETTINGS: DriftSettings = {
  refreshIntervalSeconds: 300,
  refreshOnFocus: true,
  refreshOnRepositoryChange: true,
  showStatusBarItem: true,
  scaffoldRunEndpoint: '',
  'deploy.skipConfirmationWhenClean': false,
  'deploy.verifyTimeoutSeconds': 300,
  'deploy.concurrency': 1,
  'deploy.settleSeconds': 15,
  'logs.maxEntries': 10_000,
  'where.statusBar': true,
  'where.lineAnnotation': false,
  'credentials.allowHosts': [],
};

/** Shorter intervals would poll Cloud Run faster than a deploy can change anything. */
export const MIN_INTERVAL_SECONDS = 30;

export function normalizeInterval(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds <= 0) return 0;
  return Math.max(MIN_INTERVAL_SECONDS, Math.round(seconds));
}
