// Builds the demo workspace: a real git repository with a believable monorepo history, its
// cloud-run-drift.json pointing at a local emulator, a deploy script, and the emulator scenario that
// matches it (which commit each Cloud Run service was deployed from, logs, BigQuery tables).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../core/config';
import type { Scenario, ScenarioRunSection, ScenarioService } from '../scenario';
import { deployScript } from './deploy-script';
import { appendedChange, DEMO_FUNCTIONS, DEMO_JOBS, DEMO_SERVICES, demoHistory, type DemoFunctionName, type DemoJobName, type DemoServiceName, type PlannedCommit } from './history';
import { BACKFILLED_DATES, buildDemoBigQuerySection } from './bigquery-seed';
import { buildDemoFunctionLogEntries, buildDemoLogEntries } from './logging-seed';

export const DEMO_PROJECT = 'nba-props-platform';
export const DEMO_REGION = 'us-west2';
export const DEMO_COMMIT_LABEL = 'commit-sha';
/** Pacific time, where the team works: commit dates carry this offset. */
const TIMEZONE = '-0800';
const HISTORY_DAYS = 16;

export interface DemoEndpoints {
  /** Cloud Run (and control) base URL, e.g. http://127.0.0.1:8123. */
  run: string;
  /** Cloud Logging gRPC host:port. */
  logging?: string;
  /** BigQuery base URL (the emulator's HTTP URL). */
  bigquery?: string;
}

export interface BuildDemoOptions {
  /** Where to build; must not exist or be empty. Default: a new folder under os.tmpdir(). */
  dir?: string;
  /** When `dir` holds a workspace this builder made earlier, remove it and build afresh (anything else there is still refused). */
  replace?: boolean;
  endpoints: DemoEndpoints;
  /** The moment the history ends near (commits spread over the 16 days before). Default: now. */
  now?: Date;
}

export interface DemoRevision {
  name: string;
  commit: string;
  commitShort: string;
  createTime: string;
}

export interface DemoServiceState {
  name: DemoServiceName;
  project: string;
  region: string;
  paths: string[];
  /** Full SHA of the commit the serving revision was built from. */
  deployedCommit: string;
  /** Its `git rev-parse --short`: the value of the commit-sha label. */
  deployedShort: string;
  servingRevision: string;
  deployedAt: string;
  /** Commits touching `paths` after the deployed commit (what `check` reports as behind). */
  commitsBehind: number;
  /** The oldest of those commits' author date, ISO 8601 (what `check` reports as `driftSince`); null when none. */
  driftSince: string | null;
  /** Oldest first; the last one serves traffic. */
  revisions: DemoRevision[];
}

/** A Cloud Run function of the demo, on its Cloud Run service of the same name. */
export interface DemoFunctionState extends Omit<DemoServiceState, 'name'> {
  name: DemoFunctionName;
  /** Its last deploy, of HEAD, failed in the build: the function says FAILED while `servingRevision` serves. */
  failedBuild: { commit: string; commitShort: string; message: string } | null;
}

/** A seeded execution of a demo job: what it ran and how it ended. */
export interface DemoExecution {
  name: string;
  status: 'succeeded' | 'failed';
  createTime: string;
  args: string[];
  /** The failing task's message, for a failed one. */
  failMessage: string | null;
}

/** A Cloud Run job of the demo (a unit of kind "job"), as seeded. */
export interface DemoJobState {
  name: DemoJobName;
  project: string;
  region: string;
  paths: string[];
  /** Full SHA of the commit its template was deployed from (what its next execution runs). */
  deployedCommit: string;
  /** Its `git rev-parse --short`: the template's commit-sha label. */
  deployedShort: string;
  deployedAt: string;
  /** Commits touching `paths` after the deployed commit. */
  commitsBehind: number;
  /** Oldest first; each ran the template's commit. */
  executions: DemoExecution[];
  /** Its executions grade predictions into BigQuery (the emulator's "demo-grading" workload). */
  grades: boolean;
}

/** The walkthrough's rollback: a service up to date whose previous revision (ready) was built from older code of its paths. */
export interface DemoRollback {
  service: DemoServiceName;
  /** The revision to route all traffic to. */
  previous: DemoRevision;
  /** The revision serving all traffic (the latest). */
  serving: DemoRevision;
}

/** The service the walkthrough rolls back to its previous revision. */
export const DEMO_ROLLBACK_SERVICE: DemoServiceName = 'nba-phase1-scrapers';

export interface DemoWorkspace {
  dir: string;
  configFile: string;
  head: string;
  headShort: string;
  commitCount: number;
  project: string;
  region: string;
  services: DemoServiceState[];
  functions: DemoFunctionState[];
  /** The Cloud Run jobs (configured with "kind": "job"). */
  jobs: DemoJobState[];
  rollback: DemoRollback;
  /** The emulator scenario matching this repository: load it with POST /control/load. */
  scenario: Scenario;
}

export async function buildDemoWorkspace(options: BuildDemoOptions): Promise<DemoWorkspace> {
  const now = options.now ?? new Date();
  const dir = prepareDirectory(options.dir, options.replace ?? false);
  const config = demoConfig(options.endpoints);
  // Fail here, not in the product, if the demo's configuration ever stops matching the schema.
  parseConfig(config, path.join(dir, 'cloud-run-drift.json'));

  const plan = demoHistory({
    deployScript: deployScript({ project: DEMO_PROJECT, region: DEMO_REGION, services: DEMO_SERVICES.map((s) => s.name), functions: DEMO_FUNCTIONS.map((f) => f.name), jobs: DEMO_JOBS.map((j) => j.name), commitLabel: DEMO_COMMIT_LABEL }),
    config,
    extraFiles: gradingBackfillFiles(),
  });
  const times = commitTimes(plan.length, now);

  await git(dir, ['init', '-q', '-b', 'main']);
  fs.writeFileSync(path.join(dir, '.git', DEMO_MARKER), 'Built by the Cloud Run Drift demo (npm run demo); `--replace` may remove this repository.\n');
  await git(dir, ['fast-import', '--quiet', '--done'], fastImportStream(plan, times));
  await git(dir, ['reset', '-q', '--hard', 'main']);
  const shas = (await git(dir, ['rev-list', '--reverse', 'main'])).trim().split('\n');
  if (shas.length !== plan.length) throw new Error(`demo: expected ${plan.length} commits, git has ${shas.length}`);
  const head = shas[shas.length - 1]!;
  const shortOf = await shortShas(dir);

  /** Where a service or function stands: the commits it was deployed from, its revisions, how far behind it is. */
  const deployedState = async (spec: { name: string; paths: string[]; servingRevisionNumber: number; servingRevisionSuffix?: string }): Promise<Omit<DemoServiceState, 'name'>> => {
    const deployedIndex = plan.findIndex((c) => (c.deployed as readonly string[] | undefined)?.includes(spec.name));
    if (deployedIndex < 0) throw new Error(`demo: no deploy planned for ${spec.name}`);
    const createdIndex = plan.findIndex((c) => filesOf(c).some((f) => f.startsWith(`${spec.paths[0]}/`)));
    // Earlier deploys came from earlier commits that changed the service.
    const earlier = plan
      .map((c, i) => ({ c, i }))
      .filter(({ c, i }) => i >= createdIndex && i < deployedIndex && touchesPaths(c, spec.paths))
      .slice(-3)
      .map(({ i }) => i);
    const revisionIndexes = [...earlier, deployedIndex];
    const revisions = revisionIndexes.map((commitIndex, k) => {
      const number = spec.servingRevisionNumber - (revisionIndexes.length - 1 - k);
      const isServing = k === revisionIndexes.length - 1;
      const suffix = isServing && spec.servingRevisionSuffix ? spec.servingRevisionSuffix : revisionSuffix(`${spec.name}/${number}`);
      const deployDelayMs = (20 + (parseInt(createHash('sha256').update(`${spec.name}/${number}`).digest('hex').slice(0, 4), 16) % 25)) * 60_000;
      const createMs = Math.min(times[commitIndex]! * 1000 + deployDelayMs, now.getTime() - 10 * 60_000);
      return {
        name: `${spec.name}-${String(number).padStart(5, '0')}-${suffix}`,
        commit: shas[commitIndex]!,
        commitShort: shortOf.get(shas[commitIndex]!)!,
        createTime: new Date(createMs).toISOString(),
      };
    });
    const serving = revisions[revisions.length - 1]!;
    const behind = Number((await git(dir, ['rev-list', '--count', `${serving.commit}..HEAD`, '--', ...spec.paths])).trim());
    const undeployedDates = (await git(dir, ['log', '--no-merges', '--format=%aI', `${serving.commit}..HEAD`, '--', ...spec.paths])).split('\n').filter(Boolean).map(Date.parse);
    return {
      project: DEMO_PROJECT,
      region: DEMO_REGION,
      paths: spec.paths,
      deployedCommit: serving.commit,
      deployedShort: serving.commitShort,
      servingRevision: serving.name,
      deployedAt: serving.createTime,
      commitsBehind: behind,
      driftSince: undeployedDates.length > 0 ? new Date(Math.min(...undeployedDates)).toISOString() : null,
      revisions,
    };
  };
  const services: DemoServiceState[] = [];
  for (const spec of DEMO_SERVICES) services.push({ name: spec.name, ...(await deployedState(spec)) });
  const functions: DemoFunctionState[] = [];
  for (const spec of DEMO_FUNCTIONS) {
    const failedBuild = spec.lastBuildFailed ? { commit: head, commitShort: shortOf.get(head)!, message: spec.lastBuildFailed.message } : null;
    functions.push({ name: spec.name, ...(await deployedState(spec)), failedBuild });
  }

  const jobs: DemoJobState[] = [];
  for (const spec of DEMO_JOBS) {
    const deployedIndex = plan.findIndex((c) => c.deployed?.includes(spec.name));
    if (deployedIndex < 0) throw new Error(`demo: no deploy planned for ${spec.name}`);
    const deployedCommit = shas[deployedIndex]!;
    const behind = Number((await git(dir, ['rev-list', '--count', `${deployedCommit}..HEAD`, '--', ...spec.paths])).trim());
    jobs.push({
      name: spec.name,
      project: DEMO_PROJECT,
      region: DEMO_REGION,
      paths: spec.paths,
      deployedCommit,
      deployedShort: shortOf.get(deployedCommit)!,
      deployedAt: new Date(times[deployedIndex]! * 1000 + 35 * 60_000).toISOString(),
      commitsBehind: behind,
      executions: spec.failedOnMerge ? demoExecutions(spec.name, now) : [],
      grades: spec.grades ?? false,
    });
  }

  return {
    dir,
    configFile: path.join(dir, 'cloud-run-drift.json'),
    head,
    headShort: shortOf.get(head)!,
    commitCount: shas.length,
    project: DEMO_PROJECT,
    region: DEMO_REGION,
    services,
    functions,
    jobs,
    rollback: demoRollback(services),
    scenario: demoScenario(services, functions, jobs, now),
  };
}

/** DEMO_ROLLBACK_SERVICE's previous revision and the one serving; an error if the history planned gives it none to roll back to. */
function demoRollback(services: readonly DemoServiceState[]): DemoRollback {
  const service = services.find((s) => s.name === DEMO_ROLLBACK_SERVICE);
  const previous = service?.revisions.at(-2);
  if (!service || !previous || previous.commit === service.deployedCommit || service.commitsBehind !== 0) {
    throw new Error(`demo: ${DEMO_ROLLBACK_SERVICE} must be up to date with a previous revision built from older code, to roll back to`);
  }
  return { service: service.name, previous, serving: service.revisions.at(-1)! };
}

/**
 * The backfill's two last runs, both on its stale template: the first fortnight of January went
 * through; the second failed on the duplicate rows the coordinator's unfixed MERGE leaves behind.
 */
function demoExecutions(job: DemoJobName, now: Date): DemoExecution[] {
  const at = (hoursAgo: number): string => new Date(now.getTime() - hoursAgo * 3_600_000).toISOString();
  return [
    { name: `${job}-q7vkd`, status: 'succeeded', createTime: at(30), args: ['--start-date=2026-01-01', '--end-date=2026-01-14'], failMessage: null },
    {
      name: `${job}-m2xrt`,
      status: 'failed',
      createTime: at(5),
      args: ['--start-date=2026-01-15', '--end-date=2026-01-28'],
      failMessage: 'google.api_core.exceptions.BadRequest: 400 UPDATE/MERGE must match at most one source row for each target row',
    },
  ];
}

/** Loads the workspace's scenario into a running emulator; POST /control/reset returns to it afterwards. */
export async function loadDemoScenario(emulatorHttpUrl: string, workspace: DemoWorkspace): Promise<void> {
  const response = await fetch(`${emulatorHttpUrl.replace(/\/+$/, '')}/control/load`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(workspace.scenario),
  });
  if (!response.ok) throw new Error(`demo: loading the scenario failed: HTTP ${response.status} ${await response.text()}`);
}

/** The grading backfill as a local command, and the same backfill as an execution of the Cloud Run job grading-backfill. */
const DEMO_GRADING_JOB = 'grading-backfill';
export const DEMO_GRADING_CLOUD_RUN_JOB = 'grading-backfill-cloud-run';

/**
 * The grading scoreboard: the handoff's table (graded, MAE, bias, accuracy per date) and, from ROLLUP,
 * its Total row computed over every graded prediction (489 · 5.62 · 0.29 · 50.1% for Jan 24-28, where
 * the handoff's own Total averages the daily figures).
 */
export const DEMO_SCOREBOARD_SQL = [
  'SELECT game_date, COUNT(*) AS graded, ROUND(AVG(absolute_error), 2) AS mae, ROUND(AVG(signed_error), 2) AS bias,',
  'ROUND(100 * SAFE_DIVIDE(COUNTIF(prediction_correct), COUNTIF(prediction_correct IS NOT NULL)), 1) AS accuracy',
  `FROM \`${DEMO_PROJECT}.nba_predictions.prediction_accuracy\``,
  "WHERE system_id = 'catboost_v8' AND game_date BETWEEN @startDate AND @endDate",
  'GROUP BY ROLLUP(game_date) ORDER BY game_date',
].join(' ');

export function demoConfig(endpoints: DemoEndpoints): string {
  const services: Record<string, { kind?: 'function' | 'job'; paths: string[] }> = {};
  for (const s of DEMO_SERVICES) services[s.name] = { paths: s.paths };
  for (const f of DEMO_FUNCTIONS) services[f.name] = { kind: 'function', paths: f.paths };
  for (const j of DEMO_JOBS) services[j.name] = { kind: 'job', paths: j.paths };
  // What both ways of running the grading backfill share.
  const gradingJob = {
    // Grading reads what the coordinator consolidated: a backfill on its old code grades wrong data.
    requires: ['prediction-coordinator'],
    table: `${DEMO_PROJECT}.nba_predictions.prediction_accuracy`,
    maxDays: 62,
    scoreboard: DEMO_SCOREBOARD_SQL,
    // Before any run of the job is known, the scoreboard opens on the range the handoff's backfill graded.
    scoreboardRange: { start: BACKFILLED_DATES[0], end: BACKFILLED_DATES[BACKFILLED_DATES.length - 1] },
  };
  const config = {
    project: DEMO_PROJECT,
    region: DEMO_REGION,
    commitLabel: DEMO_COMMIT_LABEL,
    services,
    deploy: { command: './bin/deploy-service.sh ${service}' },
    logFilters: { Errors: 'severity>=ERROR', MERGE: 'textPayload=~"MERGE"' },
    jobs: {
      [DEMO_GRADING_JOB]: {
        description: 'Grade catboost_v8 predictions against final box scores into prediction_accuracy',
        command: 'node backfill_jobs/grading/prediction_accuracy/grading_backfill.mjs --start-date ${startDate} --end-date ${endDate}',
        ...gradingJob,
      },
      // The same backfill as the handoff runs it: an execution of the Cloud Run job (stale until deployed).
      [DEMO_GRADING_CLOUD_RUN_JOB]: {
        description: 'The same grading, as an execution of the Cloud Run job grading-backfill',
        cloudRunJob: 'grading-backfill',
        args: ['--start-date=${startDate}', '--end-date=${endDate}'],
        ...gradingJob,
      },
    },
    endpoints: {
      run: endpoints.run,
      // The emulator serves the Cloud Functions API beside Cloud Run.
      functions: endpoints.run,
      ...(endpoints.logging ? { logging: endpoints.logging } : {}),
      ...(endpoints.bigquery ? { bigquery: endpoints.bigquery } : {}),
    },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

function demoScenario(services: DemoServiceState[], functions: DemoFunctionState[], jobs: DemoJobState[], now: Date): Scenario {
  const units = [...services.map((state) => ({ state, managedBy: {} })), ...functions.map((state) => ({ state, managedBy: { 'goog-managed-by': 'cloudfunctions' } }))];
  const runServices: ScenarioService[] = units.map(({ state: s, managedBy }) => ({
    name: s.name,
    // A function's Cloud Run service carries the label Google puts on it.
    labels: { team: s.name.startsWith('prediction') ? 'predictions' : 'data', ...managedBy },
    revisions: s.revisions.map((r) => ({
      name: r.name,
      labels: { [DEMO_COMMIT_LABEL]: r.commitShort, 'deployed-at': labelSafeTime(r.createTime) },
      image: `${DEMO_REGION}-docker.pkg.dev/${DEMO_PROJECT}/nba-props/${s.name}:${r.commitShort}`,
      createTime: r.createTime,
    })),
    traffic: [{ latest: true, percent: 100 }],
  }));
  const scenario: Scenario = {
    description:
      'Cloud Run Drift demo: prediction-coordinator serves an old commit and phase5b-grading\'s last deploy failed in its build; every other service and function is up to date.',
    run: { project: DEMO_PROJECT, region: DEMO_REGION, services: runServices, jobs: jobs.map(demoJobScenario) },
    functions: {
      project: DEMO_PROJECT,
      region: DEMO_REGION,
      functions: functions.map((f) => ({
        name: f.name,
        revision: f.servingRevision,
        // A failed deploy already set the function's labels to the commit it tried to ship.
        labels: { [DEMO_COMMIT_LABEL]: f.failedBuild?.commitShort ?? f.deployedShort },
        ...(f.failedBuild
          ? { state: 'FAILED' as const, stateMessages: [{ severity: 'ERROR' as const, type: 'BuildFailed', message: f.failedBuild.message }], updateTime: new Date(now.getTime() - 40 * 60_000).toISOString() }
          : { updateTime: f.deployedAt }),
      })),
    },
    logging: {
      project: DEMO_PROJECT,
      location: DEMO_REGION,
      entries: [
        ...buildDemoLogEntries(
          now,
          [...services, ...functions].map((s) => ({ name: s.name, revision: s.servingRevision })),
          { project: DEMO_PROJECT, location: DEMO_REGION },
        ),
        ...buildDemoFunctionLogEntries(now, functions.map((f) => f.name), { project: DEMO_PROJECT, location: DEMO_REGION }),
      ],
    },
  };
  scenario.bigquery = buildDemoBigQuerySection(now, services, { project: DEMO_PROJECT });
  return scenario;
}

function demoJobScenario(job: DemoJobState): NonNullable<ScenarioRunSection['jobs']>[number] {
  const labels = { [DEMO_COMMIT_LABEL]: job.deployedShort, 'deployed-at': labelSafeTime(job.deployedAt) };
  const image = `${DEMO_REGION}-docker.pkg.dev/${DEMO_PROJECT}/nba-props/${job.name}:${job.deployedShort}`;
  if (job.grades) {
    // One task grades the dates of --start-date..--end-date, a second and a half each.
    return { name: job.name, labels, createTime: job.deployedAt, template: { labels, image }, workload: 'demo-grading', run: { startDelayMs: 2_000, taskDurationMs: 1_500 } };
  }
  return {
    name: job.name,
    labels,
    createTime: job.deployedAt,
    template: { labels, image, taskCount: 3, parallelism: 3 },
    // Executions started from the demo (a data job, or by hand) take a few seconds, not minutes.
    run: { startDelayMs: 2_000, taskDurationMs: 8_000 },
    executions: job.executions.map((e) => ({
      name: e.name,
      createTime: e.createTime,
      args: e.args,
      startDelayMs: 40_000,
      taskDurationMs: 4 * 60_000,
      ...(e.failMessage ? { failTasks: [2], failMessage: e.failMessage } : {}),
    })),
  };
}

/** backfill_jobs/grading/: the Python job the handoff runs, plus the runnable Node port of it the demo uses. */
function gradingBackfillFiles(): Record<string, string> {
  const files: Record<string, string> = {
    'backfill_jobs/grading/prediction_accuracy/prediction_accuracy_grading_backfill.py': [
      '"""Grades predictions against final box scores for a date range."""',
      'import argparse',
      '',
      '',
      'def main():',
      '    parser = argparse.ArgumentParser()',
      '    parser.add_argument("--start-date", required=True)',
      '    parser.add_argument("--end-date", required=True)',
      '    args = parser.parse_args()',
      '    print(f"Grading predictions {args.start_date}..{args.end_date}")',
      '',
      '',
      'if __name__ == "__main__":',
      '    main()',
      '',
    ].join('\n'),
  };
  files['backfill_jobs/grading/prediction_accuracy/grading_backfill.mjs'] = fs.readFileSync(path.join(__dirname, 'grading-backfill.mjs'), 'utf8');
  // What it imports: the grading of one date, the same code the emulator's Cloud Run job runs.
  files['backfill_jobs/grading/prediction_accuracy/grading.mjs'] = fs.readFileSync(path.join(__dirname, 'grading.mjs'), 'utf8');
  return files;
}

// ---------------------------------------------------------------------------------------------
// Git.

/** Inside .git, so it is neither a file of the working tree nor of any commit. */
const DEMO_MARKER = 'cloud-run-drift-demo';

function prepareDirectory(requested: string | undefined, replace: boolean): string {
  if (requested === undefined) return fs.mkdtempSync(path.join(os.tmpdir(), 'cloud-run-drift-demo-'));
  const dir = path.resolve(requested);
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw new Error(`demo: ${dir} exists and is not a directory`);
    if (fs.readdirSync(dir).length > 0) {
      const earlierDemo = fs.existsSync(path.join(dir, '.git', DEMO_MARKER));
      if (!replace || !earlierDemo) {
        throw new Error(`demo: ${dir} is not empty; choose a new or empty directory${replace ? ' (--replace only replaces a workspace the demo built)' : ''}`);
      }
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
    }
  } else {
    fs.mkdirSync(dir, { recursive: true });
  }
  return dir;
}

function git(cwd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Identity, hooks and the user's config stay out of the demo repository's making.
    const child = spawn('git', ['-c', 'user.name=Cloud Run Drift demo', '-c', 'user.email=demo@cloud-run-drift.invalid', '-c', 'core.autocrlf=false', '-c', 'core.hooksPath=/dev/null', ...args], {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new Error(`demo: cannot run git: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`demo: git ${args[0]} failed (exit ${code}): ${Buffer.concat(err).toString('utf8').trim()}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

/** Every commit's abbreviation as `git rev-parse --short` gives it (%h uses the same auto-scaled length). */
async function shortShas(dir: string): Promise<Map<string, string>> {
  const lines = (await git(dir, ['log', '--format=%H %h', 'main'])).trim().split('\n');
  return new Map(lines.map((line) => line.split(' ') as [string, string]));
}

/** Commit times (epoch seconds), increasing, spread over the days before `now` during working hours-ish. */
function commitTimes(count: number, now: Date): number[] {
  const end = Math.floor(now.getTime() / 1000) - 3 * 3600;
  const start = end - HISTORY_DAYS * 86_400;
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const jitter = (parseInt(createHash('sha256').update(`commit/${i}`).digest('hex').slice(0, 6), 16) % 5400) - 2700;
    let t = Math.round(start + (i / Math.max(1, count - 1)) * (end - start)) + (i === count - 1 ? 0 : jitter);
    if (i > 0) t = Math.max(t, times[i - 1]! + 120);
    times.push(Math.min(t, end));
  }
  // Clamping at `end` could tie the last commits; keep them strictly increasing backwards from the end.
  for (let i = count - 2; i >= 0; i--) if (times[i]! >= times[i + 1]!) times[i] = times[i + 1]! - 120;
  return times;
}

function fastImportStream(plan: PlannedCommit[], times: number[]): string {
  const files = new Map<string, string>();
  const parts: string[] = [];
  const data = (text: string): string => `data ${Buffer.byteLength(text, 'utf8')}\n${text}\n`;
  plan.forEach((commit, i) => {
    const changed = new Map<string, string>();
    for (const [file, content] of Object.entries(commit.add ?? {})) changed.set(file, content);
    for (const file of commit.touch ?? []) {
      const before = changed.get(file) ?? files.get(file) ?? newFileHeader(file);
      changed.set(file, before + appendedChange(file, commit.subject));
    }
    for (const [file, search, replacement] of commit.edit ?? []) {
      const before = changed.get(file) ?? files.get(file);
      if (before === undefined || !before.includes(search)) throw new Error(`demo history: "${commit.subject}" cannot edit ${file}`);
      changed.set(file, before.replace(search, replacement));
    }
    const who = (a: { name: string; email: string }): string => `${a.name} <${a.email}> ${times[i]} ${TIMEZONE}`;
    parts.push(`commit refs/heads/main\nauthor ${who(commit.author)}\ncommitter ${who(commit.author)}\n${data(`${commit.subject}\n`)}`);
    for (const [file, content] of changed) {
      files.set(file, content);
      const mode = commit.executable?.includes(file) ? '100755' : '100644';
      parts.push(`M ${mode} inline ${file}\n${data(content)}`);
    }
    parts.push('\n');
  });
  parts.push('done\n');
  return parts.join('');
}

function newFileHeader(file: string): string {
  if (file.endsWith('.py')) return `"""${path.basename(file, '.py').replace(/_/g, ' ')}."""\nimport logging\n\nlogger = logging.getLogger(__name__)\n`;
  return '';
}

function filesOf(commit: PlannedCommit): string[] {
  return [...Object.keys(commit.add ?? {}), ...(commit.touch ?? []), ...(commit.edit ?? []).map(([f]) => f)];
}

function touchesPaths(commit: PlannedCommit, paths: string[]): boolean {
  return filesOf(commit).some((f) => paths.some((p) => f === p || f.startsWith(`${p}/`)));
}

function revisionSuffix(seed: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(createHash('sha256').update(seed).digest().subarray(0, 3), (b) => alphabet[b % alphabet.length]).join('');
}

/** Label values allow no ":" or uppercase: 2026-01-30T22:59:00.000Z → 2026-01-30t22-59-00z. */
export function labelSafeTime(iso: string): string {
  return `${iso.slice(0, 19).toLowerCase().replace(/:/g, '-')}z`;
}
