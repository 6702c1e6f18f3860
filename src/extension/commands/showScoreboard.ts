import { COMMAND_IDS } from '../commandIds';
import { hasJobs, holdsJob, resolveDateRange, resolveJob } from '../jobs/jobInputs';
import { SCOREBOARD_MAX_DAYS } from '../jobs/scoreboardPanels';
import { defineCommand } from './commandTypes';
import { requireConfig, resolveRepo } from './servicePicker';

/** Shows a data job's scoreboard in a webview (default: the last run's range); resolves with the read. Arguments as Run Data Job's first two. */
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
    // No range given: the view opens on the last run's range and has its own range picker. A range
    // handed in is checked like typed input; reading is harmless, so it may span more than maxDays.
    const dates = range === undefined || range === null ? undefined : await resolveDateRange(job, range, services.memento, SCOREBOARD_MAX_DAYS);
    return repo.jobs.showScoreboard(config, job, dates);
  },
});
