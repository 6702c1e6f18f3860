import { COMMAND_IDS } from '../commandIds';
import { hasJobs, holdsJob, resolveDateRange, resolveJob } from '../jobs/jobInputs';
import type { WhenBlocked } from '../jobs/dataJobs';
import { defineCommand } from './commandTypes';
import { requireConfig, resolveRepo } from './servicePicker';

/**
 * Runs a data job over a date range behind its guards; resolves with the DataJobOutcome.
 * Arguments (all optional, for tests and other commands): the job's name, `{ start, end }`, and
 * `{ whenBlocked }` ('ask' by default: a failed guard asks before running anyway).
 */
export const runDataJobCommand = defineCommand({
  id: COMMAND_IDS.runDataJob,
  title: 'Run Data Job',
  requiresTrust: true,
  untrustedMessage: 'Running a data job runs a command from this repository, so it needs a trusted workspace.',
  run: async (services, jobName?: unknown, range?: unknown, options?: unknown) => {
    const repo = await resolveRepo(jobName, services.repos, { holds: holdsJob, accepts: hasJobs });
    const config = requireConfig(repo.session);
    const job = await resolveJob(config, jobName, 'Run which data job?');
    const dates = await resolveDateRange(job, range, services.memento);
    const whenBlocked = (options as { whenBlocked?: WhenBlocked } | undefined)?.whenBlocked ?? 'ask';
    return repo.jobs.run(config, job, dates, whenBlocked);
  },
});
