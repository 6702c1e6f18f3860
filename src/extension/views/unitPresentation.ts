// How each kind of unit looks in the Services view: a Cloud Run service, function or job (its icon,
// its row's description) and a job's executions (their icon and the line that says what each ran).
// Pure functions with no `vscode` import, so they are unit-tested directly (test/unit/extension-units.test.ts).
import { describeVerdict, formatDuration, relativeTime } from '../../core/verdicts/format';
import type { ExecutionStatus, ExecutionVerdict, ServiceVerdict, UnitKind } from '../../core/model';
import { short } from '../../core/verdicts/verdict';
import { firstLine } from '../../core/text/messageText';
import { serviceDescription, verdictIcon, type DisplayStatus, type IconSpec } from './presentation';

/** What a person calls each kind, e.g. in a tooltip's title or a quick pick. */
export const KIND_LABELS: Record<UnitKind, string> = {
  service: 'Cloud Run service',
  function: 'Cloud Run function',
  job: 'Cloud Run job',
};

/** The product icon of a function's or a job's row; a service's row shows its verdict's glyph alone. */
const KIND_ICONS: Record<Exclude<UnitKind, 'service'>, string> = {
  function: 'symbol-function',
  job: 'server-process',
};

/**
 * A row's icon. A service's is its verdict's (as always); a function's or a job's is its kind's glyph
 * in its verdict's color, so the kinds tell apart at a glance while the color still says the
 * verdict (which the description and the accessible name spell out too). A spinner stays a spinner.
 */
export function unitIcon(kind: UnitKind, status: DisplayStatus, refreshing = false): IconSpec {
  const verdict = verdictIcon(status, refreshing);
  if (kind === 'service' || verdict.id === 'loading~spin') return verdict;
  return { id: KIND_ICONS[kind], color: verdict.color };
}

/** How much of a failure message fits in a row's description (the tooltip has all of it). */
const DESCRIPTION_MESSAGE_LENGTH = 80;

/**
 * The description beside a row's name: core's verdict text, and for a function whose commit came
 * from its own label the note that it is the weaker signal, for a function whose deploy failed
 * (e.g. in its build) the failure, for a job its last execution. A failed refresh marks it stale data.
 */
export function unitDescription(verdict: ServiceVerdict, now: Date, staleData: boolean): string {
  const parts = [describeVerdict(verdict, now)];
  const fn = verdict.function;
  if (fn?.commitFromFunctionLabel) parts.push('commit from function label');
  if (fn?.failure && verdict.status === 'deploy-failed') parts.push(firstLine(fn.failure, DESCRIPTION_MESSAGE_LENGTH));
  if (verdict.kind === 'job') parts.push(lastRunText(verdict.lastExecution ?? null, now));
  return serviceDescription(parts.filter((p) => p !== '').join(' · '), staleData);
}

/** "last run failed 2h ago on code 40 commits old", "last run: running 2/3 tasks", "never run". */
export function lastRunText(execution: ExecutionVerdict | null, now: Date): string {
  if (!execution) return 'never run';
  if (execution.status === 'running' || execution.status === 'pending') return `last run: ${progressText(execution)}`;
  const when = execution.completionTime ?? execution.startTime ?? execution.createTime;
  const age = when ? relativeTime(when, now) : '';
  return [`last run ${execution.status}`, age, codeAgeText(execution)].filter((p) => p !== '').join(' ');
}

/** "on code 40 commits old", "on the current code", or '' when the commit it ran is not known. */
export function codeAgeText(execution: Pick<ExecutionVerdict, 'commitsBehind'>): string {
  if (execution.commitsBehind === null) return '';
  if (execution.commitsBehind === 0) return 'on the current code';
  return `on code ${execution.commitsBehind} commit${execution.commitsBehind === 1 ? '' : 's'} old`;
}

/** "running 2/3 tasks done", "pending". */
function progressText(execution: ExecutionVerdict): string {
  if (execution.status === 'pending') return 'pending';
  const t = execution.tasks;
  return `running ${t.succeeded + t.failed + t.cancelled}/${t.total} tasks done`;
}

/**
 * An execution's row description: its status with tasks, when, how long, the commit it ran and how
 * old that code is, then why it failed. E.g. `failed · 2/3 tasks · 2h ago · 4m 12s · ran 1a2b3c4d, 40 commits old · Task 2 exited 1`.
 */
export function executionLine(execution: ExecutionVerdict, now: Date): string {
  const t = execution.tasks;
  const parts: string[] = [];
  if (execution.status === 'running' || execution.status === 'pending') parts.push(progressText(execution));
  else parts.push(`${execution.status} · ${t.succeeded}/${t.total} task${t.total === 1 ? '' : 's'}${t.failed > 0 ? ` (${t.failed} failed)` : ''}`);
  const started = execution.startTime ?? execution.createTime;
  if (started) parts.push(relativeTime(started, now));
  if (execution.durationMs !== null) parts.push(formatDuration(execution.durationMs));
  parts.push(ranText(execution));
  if (execution.message) parts.push(firstLine(execution.message, DESCRIPTION_MESSAGE_LENGTH));
  return parts.filter((p) => p !== '').join(' · ');
}

/** "ran 1a2b3c4d, 40 commits old", "ran 1a2b3c4d, the current code", "ran no commit label". */
export function ranText(execution: Pick<ExecutionVerdict, 'commit' | 'commitLabel' | 'commitsBehind'>): string {
  const commit = execution.commit ? short(execution.commit) : execution.commitLabel ? short(execution.commitLabel) : null;
  if (commit === null) return 'ran no commit label';
  if (execution.commitsBehind === null) return `ran ${commit}`;
  if (execution.commitsBehind === 0) return `ran ${commit}, the current code`;
  return `ran ${commit}, ${execution.commitsBehind} commit${execution.commitsBehind === 1 ? '' : 's'} old`;
}

const EXECUTION_ICONS: Record<ExecutionStatus, IconSpec> = {
  succeeded: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'errorForeground' },
  running: { id: 'loading~spin', color: null },
  pending: { id: 'clock', color: null },
  cancelled: { id: 'circle-slash', color: 'disabledForeground' },
};

export function executionIcon(status: ExecutionStatus): IconSpec {
  return EXECUTION_ICONS[status];
}
