// How deploys look in the editor: notification text and buttons, the deploying service's icon,
// description and context value, the status bar item of running deploys and the logs it opens,
// task names, Deploy All Stale's progress lines, the Deployments history rows, and the deploy
// settings as the runner wants them. Pure, no `vscode` import, so every decision here is
// unit-tested (test/unit/extension-deploy*.test.ts).
import type { DeployCommand, DriftConfig } from '../../core/config';
import { historyLine, type DeploymentEntry, type DeploymentHistory } from '../../core/deploy/history';
import type { DeployAllEvent, DeployAllResult } from '../../core/deploy/deployAll';
import { describeDeployResult, type DeployAction } from '../../core/deploy/messages';
import { DEPLOY_DEFAULTS, type DeployPhase, type DeployResult } from '../../core/deploy/runner';
import type { UnitKind } from '../../core/model';
import { short } from '../../core/verdicts/verdict';
import { DEFAULT_VIEW_QUERY, type LogViewQuery } from '../logs/logQuery';
import type { DriftSettings } from '../platform/settingsDefaults';
import { escapeMarkdown, formatTimestamp } from '../tree/tooltip';
import type { IconSpec } from '../views/presentation';
import type { DeployStateSnapshot } from './deployState';

// ---------------------------------------------------------------------------------------------
// Notifications.

export const DEPLOY_ACTION_TITLES: Record<DeployAction, string> = {
  'show-terminal': 'Show Terminal',
  'open-logs': 'Open Logs',
  retry: 'Retry',
};

export interface DeployButton {
  action: DeployAction;
  title: string;
}

export interface DeployMessage {
  severity: 'info' | 'warning' | 'error';
  text: string;
  buttons: DeployButton[];
}

/** The notification for one deploy's outcome: core's wording and actions, with button titles. */
export function deployResultMessage(result: DeployResult): DeployMessage {
  const notification = describeDeployResult(result);
  return {
    severity: notification.severity,
    text: notification.text,
    buttons: notification.actions.map((action) => ({ action, title: DEPLOY_ACTION_TITLES[action] })),
  };
}

/** The log channel's level for an outcome: only a proven deploy is good news. */
export function deployLogLevel(result: DeployResult): 'info' | 'warn' | 'error' {
  if (result.kind === 'verified') return 'info';
  if (result.kind === 'cancelled') return 'warn';
  return 'error';
}

/** Deploy All Stale's closing message: the summary, as loud as its worst outcome. */
export function deployAllSummaryMessage(result: DeployAllResult): { severity: 'info' | 'warning' | 'error'; text: string } {
  const severity = result.failed > 0 ? 'error' : result.skipped > 0 || result.cancelled > 0 ? 'warning' : 'info';
  return { severity, text: `Deploy All Stale: ${result.summary}.` };
}

/** The progress line of Deploy All Stale's notification, e.g. `1/3 done · prediction-worker: verifying…`. */
export function deployAllProgressMessage(event: Pick<DeployAllEvent, 'done' | 'total' | 'service'>, detail: string): string {
  return `${event.done}/${event.total} done · ${event.service}: ${detail}`;
}

/** The progress notification's increment when one more of `total` steps finished. */
export function deployAllIncrement(total: number): number {
  return total > 0 ? 100 / total : 100;
}

/** The title of the cancellable notification shown while a deploy is being proven live. */
export function verifyProgressTitle(service: string, commit: string | null, kind: UnitKind = 'service'): string {
  // A Cloud Run job serves nothing: its template carries the commit its next execution runs.
  return `Verifying ${service}${commit ? ` ${kind === 'job' ? 'runs' : 'serves'} ${short(commit)}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// The service item while it deploys.

/** Appended to the service's context value while a deploy of it runs; menus match on it. */
export const DEPLOYING_FLAG = 'deploying';

/** Menus match the flag as the last segment (kind, status, flags, then this), see views/presentation.ts. */
export function withDeployingFlag(contextValue: string, deploying: boolean): string {
  return deploying ? `${contextValue}.${DEPLOYING_FLAG}` : contextValue;
}

export const DEPLOYING_ICON: IconSpec = { id: 'loading~spin', color: null };

/** The service item's description while it deploys; the verdict returns after the refresh that follows. */
export function deployingDescription(phase: DeployPhase | null): string {
  return phase === 'verifying' ? 'deploying… verifying' : 'deploying…';
}

/** Context values of the history nodes. */
export const DEPLOY_CONTEXT_VALUES = {
  deployments: 'cloudRunDrift.deployments',
  deployment: 'cloudRunDrift.deployment',
  /** A ready revision that does not serve all traffic: Route All Traffic Here is offered on it. */
  routableDeployment: 'cloudRunDrift.deployment.routable',
  deploymentsMessage: 'cloudRunDrift.deploymentsMessage',
} as const;

// ---------------------------------------------------------------------------------------------
// The status bar item while deploys run, and the logs it (and a failed deploy's Open Logs) opens.

/** Where a deploy's logs start: the running deploy's start, else the last finished one's; null when none ran here. */
export function deployLogsSince(state: Pick<DeployStateSnapshot, 'startedAt' | 'lastResult'>): string | null {
  return state.startedAt ?? state.lastResult?.startedAt ?? null;
}

/** The log panel of a deploy: the service's entries (no filter) from the deploy's start on. */
export function deployLogsRequest(service: string, startedAt: string): { label: string; title: string; query: LogViewQuery } {
  return { label: service, title: `Logs: ${service} (since deploy)`, query: { ...DEFAULT_VIEW_QUERY, window: startedAt } };
}

export interface DeployStatusItem {
  text: string;
  tooltip: string;
  /** What a screen reader says. */
  accessibilityLabel: string;
  /** Whose logs a click opens; null when several services deploy (the click asks which). */
  service: string | null;
}

/**
 * `$(loading~spin) Deploying prediction-coordinator` in the status bar while deploys run (null: hide it); a click
 * opens the logs since the deploy started, the place to watch a rollout or see why it fails.
 */
export function deployStatusItem(states: readonly DeployStateSnapshot[]): DeployStatusItem | null {
  const running = states.filter((s) => s.running);
  if (running.length === 0) return null;
  const lines = running.map((s) => {
    const started = formatTimestamp(s.startedAt);
    return `${s.service}: ${s.message ?? deployingDescription(s.phase)}${started ? ` (started ${started})` : ''}`;
  });
  if (running.length === 1) {
    const only = running[0]!;
    const verifying = only.phase === 'verifying' ? ': verifying' : '';
    return {
      text: `$(loading~spin) Deploying ${only.service}${verifying}`,
      tooltip: [...lines, 'Click to open its logs since the deploy started'].join('\n'),
      accessibilityLabel: `Deploying ${only.service}${verifying}. Open its logs since the deploy started`,
      service: only.service,
    };
  }
  return {
    text: `$(loading~spin) Deploying ${running.length} services`,
    tooltip: [...lines, 'Click to open the logs of one of them since its deploy started'].join('\n'),
    accessibilityLabel: `Deploying ${running.map((s) => s.service).join(', ')}. Open the logs of one of them since its deploy started`,
    service: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Tasks and commands.

/** One task (and so one dedicated terminal) per service and deploy command. */
export function deployTaskName(service: string, command: DeployCommand, config: Pick<DriftConfig, 'deployCommands'>): string {
  const isDefault = config.deployCommands[0]?.name === command.name;
  return isDefault ? `Deploy ${service}` : `Deploy ${service} (${command.name})`;
}

/** "Deploy With…" offers the commands other than the default, which a click on Deploy already runs. */
export function alternateDeployCommands(config: Pick<DriftConfig, 'deployCommands'>): DeployCommand[] {
  return config.deployCommands.slice(1);
}

export function noAlternateCommandsMessage(config: Pick<DriftConfig, 'deployCommands' | 'file'>): string {
  const only = config.deployCommands[0];
  return only
    ? `${config.file} has only one deploy command ("${only.name}"). Name more under "deploy": {"commands": {…}} to choose among them.`
    : `${config.file} has no "deploy" command.`;
}

// ---------------------------------------------------------------------------------------------
// Settings.

/** The raw `cloudRunDrift.deploy.*` values (settings.ts falls back to defaults for wrong types). */
export type RawDeploySettings = Pick<
  DriftSettings,
  'deploy.skipConfirmationWhenClean' | 'deploy.verifyTimeoutSeconds' | 'deploy.concurrency' | 'deploy.settleSeconds'
>;

export interface DeployRunSettings {
  skipConfirmationWhenClean: boolean;
  verifyTimeoutMs: number;
  settleMs: number;
  concurrency: number;
}

/** Below this a verification would time out before Cloud Run could finish a normal rollout. */
export const MIN_VERIFY_TIMEOUT_SECONDS = 10;
/** Each concurrent deploy is a terminal and a build: more than this is a typo, not a plan. */
export const MAX_DEPLOY_CONCURRENCY = 16;

/** Hand-edited settings can hold anything; the runner gets sane numbers. */
export function deployRunSettings(raw: RawDeploySettings): DeployRunSettings {
  const timeoutSeconds = raw['deploy.verifyTimeoutSeconds'];
  const settleSeconds = raw['deploy.settleSeconds'];
  const concurrency = raw['deploy.concurrency'];
  const timeout = Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? Math.max(MIN_VERIFY_TIMEOUT_SECONDS, timeoutSeconds) : DEPLOY_DEFAULTS.verifyTimeoutMs / 1000;
  const settle = Number.isFinite(settleSeconds) && settleSeconds >= 0 ? settleSeconds : DEPLOY_DEFAULTS.settleMs / 1000;
  return {
    skipConfirmationWhenClean: raw['deploy.skipConfirmationWhenClean'],
    verifyTimeoutMs: Math.round(timeout * 1000),
    settleMs: Math.round(settle * 1000),
    concurrency: Number.isFinite(concurrency) ? Math.min(MAX_DEPLOY_CONCURRENCY, Math.max(1, Math.floor(concurrency))) : DEPLOY_DEFAULTS.concurrency,
  };
}

// ---------------------------------------------------------------------------------------------
// The Deployments history.

export interface DeploymentRow {
  label: string;
  description: string;
  icon: IconSpec;
  /** Markdown with every API- and git-sourced value escaped. */
  tooltip: string;
}

function deploymentIcon(entry: DeploymentEntry): IconSpec {
  if (entry.failed) return { id: 'error', color: 'errorForeground' };
  if (!entry.ready) return { id: 'watch', color: null };
  if (entry.percent > 0) return { id: 'circle-filled', color: 'testing.iconPassed' };
  return { id: 'circle-outline', color: null };
}

export function deploymentRow(entry: DeploymentEntry, now: number): DeploymentRow {
  const { label, description } = historyLine(entry, now);
  const lines = [`**${escapeMarkdown(entry.revision)}**`];
  if (entry.commit) lines.push(`Commit: ${escapeMarkdown(entry.commit)}${entry.subject ? ` ${escapeMarkdown(entry.subject)}` : ''}`);
  else if (entry.commitLabel) lines.push(`Commit label: ${escapeMarkdown(JSON.stringify(entry.commitLabel))} (not a commit in this clone)`);
  else lines.push('No commit label');
  const created = formatTimestamp(entry.createTime);
  if (created) lines.push(`Created: ${created}`);
  lines.push(entry.trafficKnown ? `Traffic: ${entry.percent}%` : 'Traffic: unknown');
  lines.push(`State: ${entry.failed ? 'failed' : entry.ready ? 'ready' : 'not ready'}`);
  if (entry.failed && entry.readyMessage) lines.push(`Reason: ${escapeMarkdown(entry.readyMessage)}`);
  if (entry.image) lines.push(`Image: ${escapeMarkdown(entry.image)}`);
  return { label, description, icon: deploymentIcon(entry), tooltip: lines.join('\n\n') };
}

/** The single row shown instead of revisions: why there are none. Null when there are rows to show. */
export function deploymentsMessage(history: DeploymentHistory): { text: string; error: boolean } | null {
  if (history.kind === 'error') return { text: `Cannot list revisions: ${history.message}`, error: true };
  if (history.entries.length === 0) return { text: 'No revisions', error: false };
  return null;
}
