// How a data job reads in the Data Jobs view: description, icon, tooltip and the context value its
// inline actions key on. Pure (no vscode import), so every wording is unit-tested.
import type { DataJobConfig } from '../../core/config';
import { formatDuration, relativeTime, STATUS_LABELS } from '../../core/format';
import type { ServiceVerdict } from '../../core/model';
import type { IconSpec } from '../views/presentation';
import type { JobRunEnd, JobRunRecord, JobRunState } from './jobRuns';

export interface JobRow {
  description: string;
  icon: IconSpec;
  tooltip: string;
  /** `cloudRunDrift.job`, plus `.scoreboard` when it has one and `.running` while it runs (menus match on these). */
  contextValue: string;
}

export function jobRow(job: DataJobConfig, state: JobRunState, verdictOf: (service: string) => ServiceVerdict | undefined, now: Date): JobRow {
  const contextValue = ['cloudRunDrift.job', job.scoreboard !== undefined ? 'scoreboard' : '', state.phase !== 'idle' ? 'running' : ''].filter(Boolean).join('.');
  const stale = job.requires.filter((name) => {
    const status = verdictOf(name)?.status;
    return status !== undefined && status !== 'up-to-date';
  });
  const last = state.last;
  let description: string;
  let icon: IconSpec;
  if (state.phase === 'checking') {
    description = 'checking guards…';
    icon = { id: 'loading~spin', color: null };
  } else if (state.phase === 'running') {
    description = 'running…';
    icon = { id: 'loading~spin', color: null };
  } else if (last) {
    const range = `${last.range.start}..${last.range.end}`;
    const ago = relativeTime(last.endedAt, now);
    switch (last.end.kind) {
      case 'succeeded':
        description = `${range} · succeeded · ${ago}`;
        icon = { id: 'pass', color: 'testing.iconPassed' };
        break;
      case 'failed':
        description = `${range} · ${last.end.exitCode === undefined ? 'stopped' : `failed (exit ${last.end.exitCode})`} · ${ago}`;
        icon = { id: 'error', color: 'errorForeground' };
        break;
      case 'cancelled':
        description = `${range} · cancelled · ${ago}`;
        icon = { id: 'circle-slash', color: 'list.warningForeground' };
        break;
      case 'refused':
        description = `${range} · refused · ${ago}`;
        icon = { id: 'warning', color: 'list.warningForeground' };
        break;
    }
  } else {
    description = stale.length > 0 ? `requires ${stale.join(', ')} (not up to date)` : job.description ?? '';
    icon = stale.length > 0 ? { id: 'warning', color: 'list.warningForeground' } : { id: 'play', color: null };
  }

  const lines = [job.name];
  if (job.description) lines.push(job.description);
  lines.push('', job.cloudRunJob ? `Executes the Cloud Run job ${job.cloudRunJob.unit} with ${JSON.stringify(job.cloudRunJob.args)}` : `Command: ${job.command ?? ''}`, `At most ${job.maxDays} day${job.maxDays === 1 ? '' : 's'} per run`);
  for (const name of job.requires) {
    const verdict = verdictOf(name);
    lines.push(`Requires ${name} up to date: ${verdict ? STATUS_LABELS[verdict.status] : 'not checked yet'}`);
  }
  if (job.table) lines.push(`Waits for an empty streaming buffer in ${job.table}`);
  if (last) {
    lines.push('', `Last run ${last.range.start} to ${last.range.end}, ended ${last.endedAt.slice(0, 19).replace('T', ' ')} UTC:`);
    if (last.end.kind === 'succeeded') lines.push('succeeded');
    else if (last.end.kind === 'failed') lines.push(last.end.exitCode === undefined ? 'stopped' : `failed with exit code ${last.end.exitCode}`);
    else if (last.end.kind === 'cancelled') lines.push('cancelled');
    else lines.push('refused by its guards:', ...last.end.blockers.map((b) => `✗ ${b}`));
  }
  return { description, icon, tooltip: lines.join('\n'), contextValue };
}

export interface JobRunRow {
  label: string;
  description: string;
  icon: IconSpec;
  tooltip: string;
  /** `cloudRunDrift.jobRun`, plus `.failed` when it can be run again for its range (failed or cancelled). */
  contextValue: string;
}

/** One of a job's last runs, under the job: its range, result, duration and the commit its execution ran. */
export function jobRunRow(run: JobRunRecord, now: Date): JobRunRow {
  const result = run.end.kind === 'failed' ? (run.end.exitCode === undefined ? 'stopped' : `failed (exit ${run.end.exitCode})`) : run.end.kind;
  const execution = run.execution;
  const parts = [result];
  if (execution?.durationMs != null) parts.push(formatDuration(execution.durationMs));
  if (execution) parts.push(execution.commit ? `ran ${execution.commit.slice(0, 12)}` : 'ran an unlabeled image');
  parts.push(relativeTime(run.endedAt, now));
  const again = run.end.kind === 'failed' || run.end.kind === 'cancelled';
  const tooltip = [`${run.range.start} to ${run.range.end}: ${result}`, `Ended ${run.endedAt.slice(0, 19).replace('T', ' ')} UTC`];
  if (execution) tooltip.push(`Execution ${execution.name}`, execution.commit ? `Ran commit ${execution.commit}` : 'Its image carried no commit label');
  if (run.end.kind === 'refused') tooltip.push('Refused by its guards:', ...run.end.blockers.map((b) => `✗ ${b}`));
  if (again) tooltip.push('', 'Run it again for this range with the inline action.');
  return {
    label: `${run.range.start}..${run.range.end}`,
    description: parts.join(' · '),
    icon: RUN_ICONS[run.end.kind],
    tooltip: tooltip.join('\n'),
    contextValue: again ? 'cloudRunDrift.jobRun.failed' : 'cloudRunDrift.jobRun',
  };
}

const RUN_ICONS: Record<JobRunEnd['kind'], IconSpec> = {
  succeeded: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'errorForeground' },
  cancelled: { id: 'circle-slash', color: 'list.warningForeground' },
  refused: { id: 'warning', color: 'list.warningForeground' },
};
