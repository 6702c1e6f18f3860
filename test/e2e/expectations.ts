// What the editor must show for the demo workspace, derived from the facts the demo builder
// reports (each service's deployed commit, deploy time and commits behind), not from the
// extension's own formatting code: the UI checks (the driver) and the extension-host suites
// (VS Code's own Node) both assert against these. No runtime imports, so both sides bundle it freely.
import type { DemoFunctionState, DemoJobState, DemoServiceState } from '../../src/emulator/demo/workspace';

export interface ExpectedRow {
  name: string;
  status: 'stale' | 'up-to-date';
  /** How the row's accessible name ends (`prediction-coordinator: stale`). */
  statusLabel: 'stale' | 'up to date';
  /** The product icon (ThemeIcon id, codicon class `codicon-<id>`). */
  icon: 'warning' | 'pass';
  /** The ThemeColor id the icon is drawn in. */
  color: 'list.warningForeground' | 'testing.iconPassed';
  commitsBehind: number;
  /** The description beside the name; a few variants, so a minute boundary crossed mid-test is no failure. */
  descriptions: string[];
}

/** `Nd ago` and friends, the spec's wording: seconds, minutes, hours under 48, then days. */
export function ageText(iso: string, nowMs: number): string {
  const seconds = Math.round((nowMs - Date.parse(iso)) / 1000);
  if (seconds < 0) return 'just now';
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ago`;
  return `${Math.floor(hours / 24)}d ago`;
}

/** The age as it may read at any moment within two minutes of `nowMs`. */
export function ageTexts(iso: string, nowMs: number): string[] {
  return [...new Set([-120_000, -60_000, 0, 60_000].map((d) => ageText(iso, nowMs + d)))];
}

/** How long a stale row has drifted, in words: `45 seconds`, `12 minutes`, `2 hours` (under 48), `3 days`. */
export function driftText(iso: string, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const [value, unit] = seconds < 60 ? [seconds, 'second'] : minutes < 60 ? [minutes, 'minute'] : hours < 48 ? [hours, 'hour'] : [Math.floor(hours / 24), 'day'];
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}

/** The tree shows commits as the first 8 hex digits of the full SHA. */
export function sha8(sha: string): string {
  return sha.slice(0, 8);
}

/** `53 behind for 3 days · 5e32cc34 · 14d ago` for a stale service (its oldest undeployed commit 3 days old), `db972341 · 5d ago` for an up-to-date one. */
export function expectedRow(service: Pick<DemoServiceState, 'name' | 'deployedCommit' | 'deployedAt' | 'commitsBehind' | 'driftSince'>, nowMs: number): ExpectedRow {
  const stale = service.commitsBehind > 0;
  const drifts = stale && service.driftSince ? [...new Set([-120_000, -60_000, 0, 60_000].map((d) => driftText(service.driftSince!, nowMs + d)))].map((age) => ` for ${age}`) : [''];
  const leads = stale ? drifts.map((drift) => `${service.commitsBehind} behind${drift} · `) : [''];
  return {
    name: service.name,
    status: stale ? 'stale' : 'up-to-date',
    statusLabel: stale ? 'stale' : 'up to date',
    icon: stale ? 'warning' : 'pass',
    color: stale ? 'list.warningForeground' : 'testing.iconPassed',
    commitsBehind: service.commitsBehind,
    descriptions: leads.flatMap((lead) => ageTexts(service.deployedAt, nowMs).map((age) => `${lead}${sha8(service.deployedCommit)} · ${age}`)),
  };
}

export function expectedDemoRows(services: readonly DemoServiceState[], nowMs: number): ExpectedRow[] {
  return services.map((s) => expectedRow(s, nowMs));
}

/** How many of the demo's units show each verdict the demo holds (services, functions and jobs together). */
export interface UnitCounts {
  deployFailed: number;
  stale: number;
  ok: number;
}

/**
 * The demo's units counted as the status bar counts them: a service or job behind is stale, a function
 * whose last build failed is deploy-failed, everything else up to date.
 */
export function demoUnitCounts(demo: { services: readonly DemoServiceState[]; functions: readonly DemoFunctionState[]; jobs: readonly DemoJobState[] }): UnitCounts {
  const stale = demo.services.filter((s) => s.commitsBehind > 0).length + demo.jobs.filter((j) => j.commitsBehind > 0).length;
  const deployFailed = demo.functions.filter((f) => f.failedBuild !== null).length;
  return { deployFailed, stale, ok: demo.services.length + demo.functions.length + demo.jobs.length - stale - deployFailed };
}

/** `1 deploy failed · 2 stale · 5 ok`: worst first, `ok` last, as the status bar orders them. */
export function unitsSummary(counts: UnitCounts): string {
  return [counts.deployFailed > 0 ? `${counts.deployFailed} deploy failed` : '', counts.stale > 0 ? `${counts.stale} stale` : '', counts.ok > 0 ? `${counts.ok} ok` : ''].filter(Boolean).join(' · ');
}

/** The label-unchanged failure, word for word as issue 6 asks ("ends with the specific error"). */
export function labelUnchangedMessage(service: string, servedSha: string, expectedSha: string): string {
  return `the deploy script exited 0 but ${service} still serves ${sha8(servedSha)} (expected ${sha8(expectedSha)})`;
}

/** The command id the deploy tests need; they skip, saying so, while it is not contributed. */
export const DEPLOY_COMMAND = 'cloudRunDrift.deploy';
export const DEPLOY_SKIP_CONFIRMATION_SETTING = 'cloudRunDrift.deploy.skipConfirmationWhenClean';

/** A service's state in the emulator (GET /control/state → run.services[]), the fields the tests read. */
export interface EmulatorRunService {
  project: string;
  region: string;
  name: string;
  latestCreatedRevision: string | null;
  latestReadyRevision: string | null;
  serving: { revision: string; percent: number }[];
  /** The traffic as configured (`latest` or a revision, percent, tag). */
  traffic: { latest?: boolean; revision?: string; percent: number; tag?: string | null }[];
  revisions: { name: string; labels: Record<string, string>; state: string }[];
}

export interface EmulatorState {
  run: { services: EmulatorRunService[] };
}

export async function fetchEmulatorService(emulatorUrl: string, name: string): Promise<EmulatorRunService> {
  const response = await fetch(`${emulatorUrl}/control/state`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET /control/state: HTTP ${response.status}`);
  const state = (await response.json()) as EmulatorState;
  const service = state.run.services.find((s) => s.name === name);
  if (!service) throw new Error(`the emulator has no service ${name}: ${state.run.services.map((s) => s.name).join(', ')}`);
  return service;
}

/** The commit label of the revision serving 100% of the service's traffic (undefined when traffic is split or unlabeled). */
export function servingCommitLabel(service: EmulatorRunService, commitLabel = 'commit-sha'): string | undefined {
  const full = service.serving.find((s) => s.percent === 100);
  if (!full) return undefined;
  return service.revisions.find((r) => r.name === full.revision)?.labels[commitLabel];
}
