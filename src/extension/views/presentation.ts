// How verdicts look in the editor: icons, colors, descriptions, summaries, badge and context values.
// Pure functions with no `vscode` import so they are unit-tested directly (test/unit/extension-*.test.ts).
import { ageSpan, countNotUpToDate, LISTED_COMMITS, relativeTime, STATUS_LABELS as VERDICT_LABELS } from '../../core/verdicts/format';
import { VERDICT_SEVERITY, type CheckResult, type ServiceVerdict, type UnitKind, type VerdictStatus } from '../../core/model';
import { firstLine } from '../../core/text/messageText';

/** A verdict, or `unchecked` for a configured service no refresh has reported on yet. */
export type DisplayStatus = VerdictStatus | 'unchecked';

export interface IconSpec {
  /** A product icon id for `ThemeIcon`, e.g. `pass` or `loading~spin`. */
  id: string;
  /** A theme color id for `ThemeColor`, or null to use the default foreground. */
  color: string | null;
}

const VERDICT_ICONS: Record<VerdictStatus, IconSpec> = {
  'up-to-date': { id: 'pass', color: 'testing.iconPassed' },
  stale: { id: 'warning', color: 'list.warningForeground' },
  diverged: { id: 'git-compare', color: 'list.warningForeground' },
  'unknown-commit': { id: 'question', color: 'list.warningForeground' },
  // A problem in cloud-run-drift.json, not in Cloud Run: drawn like the file's other problems.
  'path-missing': { id: 'bracket-error', color: 'list.errorForeground' },
  // A weaker signal than a label, so it is drawn quieter than a proven drift.
  unlabeled: { id: 'tag', color: 'descriptionForeground' },
  'deploy-failed': { id: 'error', color: 'errorForeground' },
  'not-found': { id: 'circle-slash', color: 'disabledForeground' },
  error: { id: 'warning', color: 'list.errorForeground' },
  // No color: a rollout in progress is neither good nor bad yet.
  deploying: { id: 'loading~spin', color: null },
};

export function verdictIcon(status: DisplayStatus, refreshing = false): IconSpec {
  if (status === 'unchecked') return refreshing ? { id: 'loading~spin', color: null } : { id: 'circle-outline', color: null };
  return VERDICT_ICONS[status];
}

const STATUS_LABELS: Record<DisplayStatus, string> = { ...VERDICT_LABELS, unchecked: 'not checked yet' };

export function statusLabel(status: DisplayStatus): string {
  return STATUS_LABELS[status];
}

export function displayStatus(verdict: ServiceVerdict | undefined): DisplayStatus {
  return verdict ? verdict.status : 'unchecked';
}

export const STALE_DATA_MARKER = '(stale data)';

/**
 * `verdictText` is core's describeVerdict (e.g. `3 behind · 81147d04 · 2h ago · dirty`, the dirty
 * marker included); a failed refresh appends the stale-data marker.
 */
export function serviceDescription(verdictText: string, staleData: boolean): string {
  if (!staleData) return verdictText;
  return verdictText ? `${verdictText} ${STALE_DATA_MARKER}` : STALE_DATA_MARKER;
}

export function uncheckedDescription(refreshing: boolean): string {
  return refreshing ? 'checking…' : STATUS_LABELS.unchecked;
}

/** The context value's kind segment: `service`, `function`, or `runJob` (a Cloud Run job; `job` rows are the Data Jobs view's). */
const KIND_SEGMENTS: Record<UnitKind, string> = { service: 'service', function: 'function', job: 'runJob' };

/**
 * Menus match on this with `viewItem =~ /^cloudRunDrift\.(service|function|runJob)\./` and friends,
 * so the segments always come in the same order: kind, status, then optional flags. The kind is the
 * verdict's, else the configured one (a unit not checked yet).
 */
export function serviceContextValue(verdict: ServiceVerdict | undefined, staleData: boolean, kind: UnitKind = verdict?.kind ?? 'service'): string {
  const segments = ['cloudRunDrift', KIND_SEGMENTS[kind], displayStatus(verdict)];
  if (verdict?.dirty) segments.push('dirty');
  if (verdict && (verdict.deployedCommit || verdict.commitLabel)) segments.push('hasCommit');
  if (staleData) segments.push('staleData');
  return segments.join('.');
}

/**
 * The commits a unit's row lists (the newest LISTED_COMMITS), and the older ones' row, if any: its
 * label and tooltip. A unit thousands of commits behind would otherwise hand the editor a row, a
 * tooltip and a command per commit when it is expanded.
 */
export function listedCommits<T>(commits: readonly T[]): { listed: readonly T[]; older: { label: string; tooltip: string } | null } {
  if (commits.length <= LISTED_COMMITS) return { listed: commits, older: null };
  const count = commits.length - LISTED_COMMITS;
  return {
    listed: commits.slice(0, LISTED_COMMITS),
    older: {
      label: `${count.toLocaleString('en-US')} older commit${count === 1 ? '' : 's'}`,
      tooltip: `The newest ${LISTED_COMMITS} of ${commits.length.toLocaleString('en-US')} undeployed commits are listed. Open this row to pick from all of them and show one's patch.`,
    },
  };
}

export const CONTEXT_VALUES = {
  commit: 'cloudRunDrift.commit',
  revision: 'cloudRunDrift.revision',
  failedRevision: 'cloudRunDrift.failedRevision',
  configProblem: 'cloudRunDrift.configProblem',
  /** A Cloud Run job's execution: Open Logs shows its entries. */
  execution: 'cloudRunDrift.execution',
} as const;

/** A repository's group row (several repositories): menus match `cloudRunDrift.repository.<state>`. */
export function repositoryContextValue(state: 'loading' | 'invalidConfig' | 'ready'): string {
  return `cloudRunDrift.repository.${state}`;
}

export interface ServiceRow {
  name: string;
  verdict: ServiceVerdict | undefined;
}

/** Joins configured services with the last result; the tree follows the configuration's order. */
export function serviceRows(configuredNames: readonly string[], result: CheckResult | undefined): ServiceRow[] {
  const byName = new Map((result?.services ?? []).map((v) => [v.name, v]));
  return configuredNames.map((name) => ({ name, verdict: byName.get(name) }));
}

export interface StatusCount {
  status: DisplayStatus;
  count: number;
}

/** Counts per status, worst first, `up-to-date` last so the summary leads with what needs attention. */
export function countByStatus(rows: readonly ServiceRow[]): StatusCount[] {
  const counts = new Map<DisplayStatus, number>();
  for (const row of rows) {
    const status = displayStatus(row.verdict);
    counts.set(status, (counts.get(status) ?? 0) + 1);
  }
  const order: DisplayStatus[] = [...[...VERDICT_SEVERITY].reverse().filter((s) => s !== 'up-to-date'), 'unchecked', 'up-to-date'];
  return order.filter((s) => counts.has(s)).map((status) => ({ status, count: counts.get(status)! }));
}

function countLabel({ status, count }: StatusCount): string {
  if (status === 'up-to-date') return `${count} ok`;
  if (status === 'error') return `${count} ${count === 1 ? 'error' : 'errors'}`;
  return `${count} ${STATUS_LABELS[status]}`;
}

/** E.g. `1 stale · 4 ok`. */
export function summaryText(counts: readonly StatusCount[]): string {
  return counts.map(countLabel).join(' · ');
}

/** Services that were checked and are not up to date; unchecked services are not claimed either way. */
export function notUpToDateCount(rows: readonly ServiceRow[]): number {
  return countNotUpToDate(rows.flatMap((r) => (r.verdict ? [r.verdict] : [])));
}

export interface BadgeSpec {
  value: number;
  tooltip: string;
}

export function badgeFor(rows: readonly ServiceRow[]): BadgeSpec | undefined {
  const value = notUpToDateCount(rows);
  if (value === 0) return undefined;
  return { value, tooltip: `${value} ${value === 1 ? 'service is' : 'services are'} not up to date` };
}

export interface StatusBarInput {
  rows: readonly ServiceRow[];
  refreshing: boolean;
  staleData: boolean;
  configInvalid: boolean;
}

export function statusBarText(input: StatusBarInput): string {
  if (input.configInvalid) return '$(cloud) config error';
  const icon = input.refreshing ? '$(sync~spin)' : '$(cloud)';
  const checked = input.rows.some((r) => r.verdict !== undefined);
  const summary = checked ? summaryText(countByStatus(input.rows)) : input.refreshing ? 'checking…' : 'not checked';
  return `${icon} ${summary}${input.staleData ? ' $(warning)' : ''}`;
}

/** Compact age such as `2h ago` (core's wording, so the tree and the CLI agree); null when unknown. */
export function formatAge(iso: string | null, now: Date): string | null {
  if (!iso || Number.isNaN(Date.parse(iso))) return null;
  return relativeTime(iso, now) || null;
}

/**
 * The unit's page in the Google Cloud console: a service's revisions
 * (run/detail/REGION/NAME/revisions?project=P), a function's details, a job's executions.
 */
export function cloudConsoleUrl(unit: { kind?: UnitKind; project: string; region: string; name: string }): string {
  const region = encodeURIComponent(unit.region);
  const name = encodeURIComponent(unit.name);
  const project = encodeURIComponent(unit.project);
  switch (unit.kind ?? 'service') {
    case 'service':
      return `https://console.cloud.google.com/run/detail/${region}/${name}/revisions?project=${project}`;
    case 'function':
      return `https://console.cloud.google.com/functions/details/${region}/${name}?env=gen2&project=${project}`;
    case 'job':
      return `https://console.cloud.google.com/run/jobs/details/${region}/${name}/executions?project=${project}`;
  }
}

/** How much of a message's first line a notification shows. */
export const NOTIFICATION_LENGTH = 200;

/** Recognizes Application Default Credentials failures so the fix command can be offered. */
export function isCredentialsProblem(message: string): boolean {
  return /default credentials|application-default|credential|unauthenticated|invalid_grant|reauth|invalid_rapt|\b401\b/i.test(message);
}

export interface ViewMessageInput {
  configProblemCount: number | null;
  rows: readonly ServiceRow[];
  lastResultAt: string | null;
  failure: { message: string; at: Date } | undefined;
  now: Date;
  credentialsFix: string;
}

/** The line above the tree. Undefined when there is nothing to say (a message also hides welcome views). */
export function viewMessage(input: ViewMessageInput): string | undefined {
  if (input.configProblemCount !== null) {
    const n = input.configProblemCount;
    return `cloud-run-drift.json has ${n} ${n === 1 ? 'problem' : 'problems'}; fix ${n === 1 ? 'it' : 'them'} to see verdicts.`;
  }
  if (input.failure) {
    const reason = firstLine(input.failure.message, NOTIFICATION_LENGTH);
    const needsHint = isCredentialsProblem(input.failure.message) && !input.failure.message.includes(input.credentialsFix);
    const hint = needsHint ? ` — run: ${input.credentialsFix}` : '';
    if (input.lastResultAt) {
      return `Refresh failed: ${reason}${hint} (showing results from ${formatAge(input.lastResultAt, input.now) ?? 'earlier'})`;
    }
    return `Refresh failed: ${reason}${hint}`;
  }
  const checked = input.rows.filter((r) => r.verdict !== undefined);
  if (checked.length > 0 && checked.every((r) => r.verdict!.status === 'error' && isCredentialsProblem(r.verdict!.message))) {
    return `Google Cloud credentials are missing or expired. Run: ${input.credentialsFix}`;
  }
  return undefined;
}

/** The last refresh failed after an earlier one succeeded, so what is shown is older data. */
export function isStaleData(failure: unknown, hasResult: boolean): boolean {
  return failure !== undefined && hasResult;
}

/** One repository of the workspace as the status bar, the view and a group row summarize it. */
export interface RepoStatus {
  /** The group row's label: the folder's name. */
  name: string;
  configInvalid: boolean;
  rows: readonly ServiceRow[];
  refreshing: boolean;
  /** The latest refresh failed (only while the configuration is valid). */
  failure: { message: string } | undefined;
  /** When the result shown was computed; null before the first. */
  checkedAt: string | null;
}

/** A repository in a few words: `1 stale · 4 ok`, `config error`, `checking…`, `not checked`. */
export function repoSummary(repo: RepoStatus): string {
  if (repo.configInvalid) return 'config error';
  const checked = repo.rows.some((r) => r.verdict !== undefined);
  if (!checked) return repo.refreshing ? 'checking…' : 'not checked';
  const summary = summaryText(countByStatus(repo.rows));
  return isStaleData(repo.failure, repo.checkedAt !== null) ? `${summary} ${STALE_DATA_MARKER}` : summary;
}

export interface StatusBarView {
  text: string;
  /** Tooltip lines; the accessible label is built from the ones between the first and the last. */
  tooltip: string[];
}

/** The verdict that has drifted longest (the oldest undeployed commit), or undefined when none carries a drift age. */
export function oldestDrift(verdicts: readonly ServiceVerdict[]): ServiceVerdict | undefined {
  let oldest: ServiceVerdict | undefined;
  for (const v of verdicts) {
    if (v.driftSince && (!oldest || Date.parse(v.driftSince) < Date.parse(oldest.driftSince!))) oldest = v;
  }
  return oldest;
}

/**
 * The status bar item for every repository: their services counted together, and the tooltip
 * naming each repository when there are several (with one, it says what it always said).
 */
export function statusBarView(repos: readonly RepoStatus[], now: Date): StatusBarView {
  const lines = ['Cloud Run Drift'];
  const rows = repos.flatMap((r) => r.rows);
  const text = statusBarText({
    rows,
    refreshing: repos.some((r) => r.refreshing),
    staleData: repos.some((r) => isStaleData(r.failure, r.checkedAt !== null)),
    configInvalid: repos.length > 0 && repos.every((r) => r.configInvalid),
  });
  if (repos.length === 1) {
    const only = repos[0]!;
    if (only.configInvalid) lines.push('cloud-run-drift.json has problems: see the Services view.');
    else if (only.rows.some((r) => r.verdict)) lines.push(summaryText(countByStatus(only.rows)));
    if (only.checkedAt) lines.push(`Checked ${formatAge(only.checkedAt, now) ?? 'earlier'}`);
    if (only.failure && !only.configInvalid) lines.push(`Last refresh failed: ${firstLine(only.failure.message, NOTIFICATION_LENGTH)}`);
  } else {
    for (const repo of repos) {
      const failed = repo.failure && !repo.configInvalid ? `; last refresh failed: ${firstLine(repo.failure.message, 120)}` : '';
      lines.push(`${repo.name}: ${repo.configInvalid ? 'cloud-run-drift.json has problems' : repoSummary(repo)}${failed}`);
    }
  }
  const oldest = oldestDrift(rows.flatMap((r) => (r.verdict ? [r.verdict] : [])));
  if (oldest) lines.push(`Oldest drift: ${oldest.name}, ${ageSpan(oldest.driftSince!, now, 'long')} (its oldest undeployed commit)`);
  lines.push('Click to show the Services view');
  return { text, tooltip: lines };
}
