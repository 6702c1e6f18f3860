import { COMMAND_IDS } from '../commandIds';
import { hasJobs, holdsJob, resolveDateRange, resolveJob } from '../jobs/jobInputs';
import { defineCommand } from './commandTypes';
import { requireConfig, resolveRepo } from './servicePicker';

/** Shows a data job's scoreboard query for a date range in a webview; resolves with the rows read. Arguments as Run Data Job's first two. */
export const showScoreboardCommand = defineCommand({
  id: COMMAND_IDS.showScoreboard,
  title: 'Show Data Job Scoreboard',
  // The query comes from the repository and runs with the user's credentials; BigQuery runs DML
  // through the same call, so an untrusted repository's "scoreboard" could change data.
  requiresTrust: true,
  untrustedMessage: 'A data job scoreboard runs a BigQuery query from this repository with your credentials, so it needs a trusted workspace.',
  run: async (services, jobName?: unknown, range?: unknown) => {
    const repo = await resolveRepo(jobName, services.repos, { holds: holdsJob, accepts: hasJobs });
    const config = requireConfig(repo.session);
    const withScoreboard = { ...config, jobs: config.jobs.filter((j) => j.scoreboard !== undefined) };
    const job = await resolveJob(withScoreboard.jobs.length > 0 ? withScoreboard : config, jobName, 'Show which job’s scoreboard?');
    // Reading is harmless, so a scoreboard may span more than one run's maxDays.
    const dates = await resolveDateRange(job, range, services.memento, 366);
    return repo.jobs.showScoreboard(config, job, dates);
  },
});
