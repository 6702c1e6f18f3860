import { COMMAND_IDS } from '../commandIds';
import { hasJobs, holdsJob, resolveDateRange, resolveJob } from '../jobs/jobInputs';
import type { WhenBlocked } from '../jobs/dataJobs';
import { defineCommand } from './commandTypes';
import { requireConfig, resolveRepo } from './servicePicker';

function rangeOfRow(row: unknown): unknown {
  return typeof row === 'object' && row !== null && 'range' in row ? (row as { range: unknown }).range : undefined;
}

/**
 * Runs a data job over a date range behind its guards; resolves with the DataJobOutcome.
 * Arguments (all optional, for tests and other commands): the job's name (or a Data Jobs row: a job,
 * or one of its last runs, whose range is run again), `{ start, end }`, and
 * `{ whenBlocked }` ('ask' by default: a failed guard asks before running anyway).
 */
export const runDataJobCommand = defineCommand({
  id: COMMAND_IDS.runDataJob,
  title: 'Run Data Job',
  requiresTrust: true,
  untrustedMessage: 'Running a data job runs a command or starts a Cloud Run job execution as this repository says, so it needs a trusted workspace.',
  run: async (services, jobName?: unknown, range?: unknown, options?: unknown) => {
    const repo = await resolveRepo(jobName, services.repos, { holds: holdsJob, accepts: hasJobs });
    const config = requireConfig(repo.session);
    const job = await resolveJob(config, jobName, 'Run which data job?');
    // On one of a job's last runs in the Data Jobs view: that run's range again.
    const dates = await resolveDateRange(job, range ?? rangeOfRow(jobName), services.memento);
    const whenBlocked = (options as { whenBlocked?: WhenBlocked } | undefined)?.whenBlocked ?? 'ask';
    return repo.jobs.run(config, job, dates, whenBlocked);
  },
});
