// How a data job reads in the Data Jobs view: description, icon, tooltip and the context value its
// inline actions key on. Pure (no vscode import), so every wording is unit-tested.
import type { DataJobConfig } from '../../core/config';
import { relativeTime, STATUS_LABELS } from '../../core/format';
import type { ServiceVerdict } from '../../core/model';
import type { IconSpec } from '../views/presentation';
import type { JobRunState } from './jobRuns';

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
  lines.push('', `Command: ${job.command}`, `At most ${job.maxDays} day${job.maxDays === 1 ? '' : 's'} per run`);
  for (const name of job.requires) {
    const verdict = verdictOf(name);
    lines.push(`Requires ${name} up to date: ${verdict ? STATUS_LABELS[verdict.status] : 'not checked yet'}`);
  }
  if (job.table) lines.push(`Waits for an empty streaming buffer in ${job.table}`);
  if (last) {
    lines.push('', `Last run ${last.range.start} to ${last.range.end}, ended ${last.endedAt.slice(0, 19).replace('T', ' ')} UTC:`);
    if (last.end.kind === 'succeeded') lines.push('succeeded');
    else if (last.end.kind === 'failed') lines.push(last.end.exitCode === undefined ? 'stopped' : `failed with exit code ${last.end.exitCode}`);
    else lines.push('refused by its guards:', ...last.end.blockers.map((b) => `✗ ${b}`));
  }
  return { description, icon, tooltip: lines.join('\n'), contextValue };
}
