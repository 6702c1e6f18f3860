// How a data job's runs read in the Data Jobs view: a run's row (under its job), and the last run as
// the job's own row and tooltip say it. Text only (no icons, no vscode import): the extension adds
// the icons and context values.
//
// API:
//
//   runResultText(result)        → `succeeded`, `failed (exit 1)`, `stopped`, `cancelled`, `refused`, `running`, `pending`
//   jobRunText(run, now)         → { label, description, tooltip } of a run's row
//   lastRunDescription(run, now) → the job row's description when it has a last run
//   lastRunTooltip(run, now)     → the lines the job row's tooltip ends with
import { formatDuration, relativeTime } from '../verdicts/format';
import type { ExecutionTasks } from '../model';
import { taskSummary } from './followExecution';
import { isInProgress, type JobRunRecord, type JobRunResult } from './runs';

export function runResultText(result: JobRunResult): string {
  if (result.kind === 'failed') return result.exitCode === undefined ? 'stopped' : `failed (exit ${result.exitCode})`;
  return result.kind;
}

/** `2026-01-30 10:00:02 UTC`. */
function utcTime(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')} UTC`;
}

/** How long a run in progress has run, `2m 5s so far`; null when its start is not known. */
function elapsedText(run: JobRunRecord, now: Date): string | null {
  const started = Date.parse(run.startedAt ?? '');
  return Number.isFinite(started) ? `${formatDuration(Math.max(0, now.getTime() - started))} so far` : null;
}

function tasksText(tasks: ExecutionTasks): string {
  return `tasks: ${taskSummary({ tasks })}`;
}

function commitText(commit: string | null): string {
  return commit ? `ran ${commit.slice(0, 12)}` : 'ran an unlabeled image';
}

export interface JobRunText {
  /** The range, `2026-01-24..2026-01-28`. */
  label: string;
  description: string;
  tooltip: string;
}

/**
 * One of a job's runs: its range, its result, how long it ran (so far, for one in progress, with its
 * tasks), the commit its execution ran, and when it ended.
 */
export function jobRunText(run: JobRunRecord, now: Date): JobRunText {
  const result = runResultText(run.result);
  const execution = run.execution;
  const parts = [result];
  const tooltip = [`${run.range.start} to ${run.range.end}: ${result}`];
  if (isInProgress(run)) {
    const elapsed = elapsedText(run, now);
    if (elapsed) parts.push(elapsed);
    if (execution?.tasks) parts.push(tasksText(execution.tasks));
    if (run.startedAt) tooltip.push(`Started ${utcTime(run.startedAt)}${elapsed ? `, ${elapsed}` : ''}`);
  } else {
    if (execution?.durationMs != null) parts.push(formatDuration(execution.durationMs));
    if (run.endedAt) tooltip.push(`Ended ${utcTime(run.endedAt)}`);
  }
  if (execution) parts.push(commitText(execution.commit));
  if (run.endedAt) parts.push(relativeTime(run.endedAt, now));
  if (execution) {
    tooltip.push(`Execution ${execution.name}`);
    if (execution.tasks && isInProgress(run)) tooltip.push(`Tasks: ${taskSummary({ tasks: execution.tasks })}`);
    tooltip.push(execution.commit ? `Ran commit ${execution.commit}` : 'Its image carried no commit label');
  }
  if (run.result.kind === 'refused') tooltip.push('Refused by its guards:', ...run.result.blockers.map((b) => `✗ ${b}`));
  if (run.result.kind === 'failed' || run.result.kind === 'cancelled') tooltip.push('', 'Run it again for this range with the inline action.');
  return { label: `${run.range.start}..${run.range.end}`, description: parts.join(' · '), tooltip: tooltip.join('\n') };
}

/** The job row's description: `2026-01-24..2026-01-25 · succeeded · 3m ago`, or `… · running · 2m 5s so far`. */
export function lastRunDescription(run: JobRunRecord, now: Date): string {
  const range = `${run.range.start}..${run.range.end}`;
  const when = isInProgress(run) ? elapsedText(run, now) : run.endedAt ? relativeTime(run.endedAt, now) : null;
  return [range, runResultText(run.result), ...(when ? [when] : [])].join(' · ');
}

/** The lines the job row's tooltip ends with: the last run, how it ended or how far it is. */
export function lastRunTooltip(run: JobRunRecord, now: Date): string[] {
  const range = `${run.range.start} to ${run.range.end}`;
  if (isInProgress(run)) {
    const elapsed = elapsedText(run, now);
    const lines = [`Last run ${range}, ${run.result.kind}${elapsed ? ` (${elapsed})` : ''}${run.execution ? `: ${run.execution.name}` : ''}`];
    if (run.execution?.tasks) lines.push(`Tasks: ${taskSummary({ tasks: run.execution.tasks })}`);
    return lines;
  }
  const lines = [`Last run ${range}${run.endedAt ? `, ended ${utcTime(run.endedAt)}` : ''}:`];
  switch (run.result.kind) {
    case 'failed':
      lines.push(run.result.exitCode === undefined ? 'stopped' : `failed with exit code ${run.result.exitCode}`);
      break;
    case 'refused':
      lines.push('refused by its guards:', ...run.result.blockers.map((b) => `✗ ${b}`));
      break;
    default:
      lines.push(run.result.kind);
  }
  return lines;
}
