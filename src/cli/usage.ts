// What the CLI says about itself (usage, each command's help, its version), and which arguments ask
// for it. Kept apart from the commands so that the `cloud-run-drift` bin (bin.ts) answers them
// without loading the rest of the CLI: only node:fs and node:path, and two constants, come with it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALLOW_HOSTS_ENV } from '../core/google/credentialPolicy';
import { DEFAULT_BIGQUERY_TIMEOUT_MS } from '../core/jobs/bigqueryTimeout';

/** `logs --timeout`: a window of history normally arrives in a few pages, seconds each. */
export const DEFAULT_LOGS_TIMEOUT_SECONDS = 60;


export const USAGE = `Usage: cloud-run-drift <command> [options]   (cloud-run-drift COMMAND --help; --version)

Commands:
  check [--config FILE] [--repo DIR] [--service NAME]... [--kind service|function|job]... [--json] [--verbose]
        [--max-commits N|all]
      Drift verdict for every configured unit (services, functions, jobs), or those named / of the kinds given.
      A Cloud Run job's verdict is its template's commit; its last execution is shown beside it (the commit
      it ran, its tasks, when, how long).
      --json: one JSON document (indented on a terminal, compact when piped), with each unit's "kind"; a job's
      has "lastExecution". Each unit lists its newest --max-commits (default 100) undeployed commits
      ("commits"; --verbose prints them); "commitsBehind" counts them all, "commitsOmitted" the ones left out.
      Exit 0 all up to date, 1 some drift, 3 some service could not be checked, 2 usage or configuration error
      (a configured path that names nothing at HEAD among them: the verdicts are printed, the problem on stderr).
  verify SERVICE [--commit SHA] [--timeout SECONDS] [--interval SECONDS] [--config FILE] [--repo DIR]
      Wait until the revisions serving all of SERVICE's traffic carry SHA (default HEAD; for a function, once it
      is ACTIVE: its revision's label, or its own when its revision serves 100% and has none; for a Cloud Run
      job: until its template carries SHA and the job is ready), looking every
      --interval (default 2, at least 0.2) for at most --timeout (default 300; every API call included).
      Exit 0 once live; 1 when the timeout ends first (says what is live instead); 3 API failure; 2 usage.
  where COMMIT | where --file PATH --line N [--json] [--config FILE] [--repo DIR]
      Where is a commit (any commit-ish: a SHA, a branch, HEAD~2), or the last change to line N of a file
      (git blame; an uncommitted line is live nowhere), live? For every unit whose paths it touches: live (every
      revision serving traffic contains it; since the first revision that did), partly live (the percent of
      traffic), not yet live (how many commits, and how old the oldest undeployed one is), not on the deployed
      branch, or unknown (why); the units it does not touch are listed as not affected. A job: its template.
      --json: {"commit", "units": [{"name", "kind", "state", "since", "revision", "percent", "message"}]}.
      Exit 0 live in every unit it touches (or it touches none); 1 not (fully) live somewhere, or not
      committed; 3 could not tell; 2 usage (a commit-ish that names no commit, a line past the end).
  rollback SERVICE --to REVISION [--yes] [--timeout SECONDS] [--interval SECONDS] [--config FILE] [--repo DIR]
      Routes all of SERVICE's traffic to REVISION (tags kept), after saying which commits touching its paths
      would stop being served and asking y/N (--yes: without asking; required when stdin is not a terminal).
      Then the proof, as verify's: until REVISION serves 100% and the rollout is done (--timeout, default 300;
      --interval, default 2). A failed proof sets the traffic back to what it was. Services only.
      Exit 0 REVISION serves all traffic; 1 it does not (revision failed to serve, traffic not moved in time;
      says whether the traffic was set back); 4 nothing changed (declined, or REVISION is not ready or does
      not exist); 3 API failure (Cloud Run refused the change or could not be read); 2 usage (no --yes without a terminal).
  logs SERVICE [--execution NAME] [--filter NAME|QUERY] [--text TEXT] [--severity LEVEL] [--since DURATION|TIME] [--follow] [--json] [--timeout SECONDS] [--config FILE]
      SERVICE's log entries of the window (a function's: its Cloud Run service's and its cloud_function entries; a
      Cloud Run job's: its executions', --execution NAME: that one's) (--since, default 1h: 15m, 6h, 1d or an RFC
      3339 time), oldest first;
      with --follow, then live until interrupted (Ctrl-C). --timeout: how long reading the window may take
      (default ${DEFAULT_LOGS_TIMEOUT_SECONDS}). --filter: a saved filter's name from logFilters, or a
      Logging query; --text: plain text to find in the message; --severity: the minimum (e.g. ERROR).
      --json prints one entry per line: {"insertId","timestamp","severity","revision","text"|"json"} (a job's: "execution" too).
      Config endpoints.logging (host:port) points at a local emulator (plain gRPC, no credentials).
      Exit 0 done or interrupted; 3 API failure (the API's message, e.g. a bad filter); 2 usage or configuration.
  job [JOB] --start-date YYYY-MM-DD --end-date YYYY-MM-DD [--force] [--dry-run] [--no-wait] [--config FILE] [--repo DIR]
      Runs a data job from the config's "jobs" (JOB may be left out when there is one) over the date range,
      after its guards: every service in its "requires" up to date, and its "table"'s BigQuery streaming buffer
      empty. A "command" job runs from the repository root. A "cloudRunJob" job starts an execution of that
      Cloud Run job with its "args" (which must be up to date too: else "Deploy the job first"), then follows it
      until it ends: its tasks on stderr, its log entries on stdout (Ctrl-C stops following; the execution goes
      on). Then prints its scoreboard, when it has one. --force runs it despite a guard;
      --dry-run checks the guards and prints the command (or the execution's arguments, as JSON) without
      running it; --no-wait prints the execution's name once it has started and returns.
      Exit 0 the job succeeded; 1 it failed or was cancelled (its exit code or failure is shown); 4 a guard
      refused it; 3 the execution's end is not known (Ctrl-C), or a guard could not
      be checked; 2 usage or configuration.
  scoreboard [JOB] [--start-date YYYY-MM-DD] [--end-date YYYY-MM-DD] [--csv | --json] [--timeout SECONDS] [--config FILE]
      The job's "scoreboard" query over the date range (default: for a job that executes a Cloud Run job, the
      range of its execution that started last; else the job's "scoreboardRange", else the 7 days ending
      today, UTC), with its Total row (the query's ROLLUP row, or the job's "totals").
      --csv: CSV (RFC 4180 quoting; text a spreadsheet would open as a formula gets a leading '), the Total row
      last; --json: an array of rows as objects, the Total row last.
      --timeout: how long BigQuery may take to answer (default ${DEFAULT_BIGQUERY_TIMEOUT_MS / 1000}).
      Exit 0; 3 API failure (or no answer in time); 2 usage or configuration.

Configuration and repository are found from the current directory upward (to the repository's top level) unless given.
Credentials: Application Default Credentials (gcloud auth application-default login), sent only to Google's API
hosts (*.googleapis.com, or *.$GOOGLE_CLOUD_UNIVERSE_DOMAIN). A plain-http loopback endpoint (an emulator) gets
none. To send them to another host that cloud-run-drift.json's "endpoints" names, allow it yourself (every
command): --allow-credentials-to HOST (repeatable), or ${ALLOW_HOSTS_ENV}="HOST[,HOST...]".`;

const COMMANDS = ['check', 'verify', 'where', 'rollback', 'logs', 'job', 'scoreboard'] as const;

/** `COMMAND --help`: that command's part of USAGE, then what every command shares. */
export function commandUsage(command: string): string {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`  ${command} `));
  let end = start + 1;
  while (end < lines.length && lines[end]!.startsWith('      ')) end++;
  const shared = lines.slice(lines.findIndex((line) => line.startsWith('Configuration and repository')));
  return [`Usage: cloud-run-drift ${lines[start]!.trim()}`, ...lines.slice(start + 1, end).map((line) => line.slice(4)), '', ...shared].join('\n');
}

/** The version in the package.json beside the bundle (dist/) or the sources (src/cli/). */
export function cliVersion(dir: string = __dirname): string {
  for (const candidate of [path.join(dir, '..', 'package.json'), path.join(dir, '..', '..', 'package.json')]) {
    try {
      const manifest = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'cloud-run-drift' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // not this one
    }
  }
  return 'unknown';
}


/** The oldest Node.js the commands run on (package.json's engines): the Google client libraries need it, and so does loading the commands' bundle. */
export const MIN_NODE_MAJOR = 22;

/** Why the commands cannot run on Node.js `version` (process.version), or null when they can. */
export function unsupportedNode(version: string): string | null {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (!Number.isInteger(major) || major >= MIN_NODE_MAJOR) return null;
  return `cloud-run-drift needs Node.js ${MIN_NODE_MAJOR} or later; this is Node.js ${version}. Install a current release from https://nodejs.org (or with your version manager), then run it again.`;
}

/** What help, `--version` and `COMMAND --help` print, and the exit code; null for every other command line. */
export function helpAnswer(argv: readonly string[], dir: string = __dirname): { text: string; code: number } | null {
  const [command, ...rest] = argv;
  if ((COMMANDS as readonly (string | undefined)[]).includes(command) && (rest.includes('--help') || rest.includes('-h'))) return { text: commandUsage(command!), code: 0 };
  switch (command) {
    case '--version':
    case '-V':
      return { text: cliVersion(dir), code: 0 };
    case undefined:
      // No command: the usage, as a usage error.
      return { text: USAGE, code: 2 };
    case 'help':
    case '--help':
    case '-h':
      return { text: USAGE, code: 0 };
    default:
      return null;
  }
}
