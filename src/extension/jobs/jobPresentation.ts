// How a data job reads in the Data Jobs view: description, icon, tooltip and the context value its
// inline actions key on. Pure (no vscode import), so every wording is unit-tested.
import type { DataJobConfig } from '../../core/config';
import { STATUS_LABELS } from '../../core/verdicts/format';
import { isInProgress, type JobRunRecord, type JobRunResult, type JobRunState } from '../../core/jobs/runs';
import { jobRunText, lastRunDescription, lastRunTooltip } from '../../core/jobs/runText';
import type { ServiceVerdict } from '../../core/model';
import type { IconSpec } from '../views/presentation';

export interface JobRow {
  description: string;
  icon: IconSpec;
  tooltip: string;
  /** `cloudRunDrift.job`, plus `.scoreboard` when it has one and `.running` while this window runs it (menus match on these). */
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
    description = lastRunDescription(last, now);
    icon = RUN_ICONS[last.result.kind];
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
  if (last) lines.push('', ...lastRunTooltip(last, now));
  return { description, icon, tooltip: lines.join('\n'), contextValue };
}

export interface JobRunRow {
  label: string;
  description: string;
  icon: IconSpec;
  tooltip: string;
  /** `cloudRunDrift.jobRun`, plus `.failed` when it can be run again for its range (failed or cancelled), `.running` while it runs. */
  contextValue: string;
}

/** One of a job's last runs, under the job: its range, result, duration (so far, with its tasks, while it runs) and the commit its execution ran. */
export function jobRunRow(run: JobRunRecord, now: Date): JobRunRow {
  const text = jobRunText(run, now);
  const again = run.result.kind === 'failed' || run.result.kind === 'cancelled';
  return {
    ...text,
    icon: RUN_ICONS[run.result.kind],
    contextValue: again ? 'cloudRunDrift.jobRun.failed' : isInProgress(run) ? 'cloudRunDrift.jobRun.running' : 'cloudRunDrift.jobRun',
  };
}

const RUN_ICONS: Record<JobRunResult['kind'], IconSpec> = {
  // No color: a run in progress is neither good nor bad yet.
  pending: { id: 'loading~spin', color: null },
  running: { id: 'loading~spin', color: null },
  succeeded: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'errorForeground' },
  cancelled: { id: 'circle-slash', color: 'list.warningForeground' },
  refused: { id: 'warning', color: 'list.warningForeground' },
};
