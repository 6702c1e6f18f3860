// Data jobs through the built CLI (dist/cli.js) against the demo: the real BigQuery client over REST
// to the emulator, real git, the workspace's own grading backfill script.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BigQuery } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';
import { createBigQueryReader, BigQueryApiError } from '../../src/core/jobs/bigquery';
import { CLI_PATH, startDemo, type RunningDemo } from '../../src/emulator/demo';

const REPO_ROOT = path.resolve(__dirname, '../..');
const TABLE = 'nba-props-platform.nba_predictions.prediction_accuracy';
const CACHE = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-jobs-cache-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program without blocking the event loop: the emulator it talks to lives in this process. */
function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: { ...process.env, CLOUD_RUN_DRIFT_CACHE_DIR: CACHE, NO_COLOR: '1', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('data jobs: cloud-run-drift job and scoreboard', () => {
  let demo: RunningDemo;
  let dir: string;
  let bigquery: BigQuery;
  const cli = (...args: string[]): Promise<Run> => run(process.execPath, [CLI_PATH, ...args], dir);
  /** The grading rows of the two dates, as BigQuery holds them (their graded_at tells one run from another). */
  const gradedAt = async (): Promise<string[]> => {
    const [rows] = await bigquery.query({ query: `SELECT DISTINCT CAST(graded_at AS STRING) AS at FROM \`${TABLE}\` WHERE game_date BETWEEN '2026-01-24' AND '2026-01-25' ORDER BY at` });
    return (rows as { at: string }[]).map((r) => r.at);
  };

  before(async () => {
    if (!fs.existsSync(CLI_PATH)) {
      const build = await run(process.execPath, [path.join(REPO_ROOT, 'esbuild.mjs')], REPO_ROOT);
      assert.equal(build.code, 0, build.stderr);
    }
    demo = await startDemo({ port: 0 });
    dir = demo.workspace.dir;
    bigquery = new BigQuery({ projectId: 'nba-props-platform', apiEndpoint: demo.emulator.httpUrl, authClient: new PassThroughClient(), retryOptions: { autoRetry: false } });
  });
  after(async () => {
    await demo?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(CACHE, { recursive: true, force: true });
  });

  test("scoreboard prints the handoff's grading table for the range with its true Total row, and --json the same rows", async () => {
    // The demo's scoreboardRange is the handoff's backfill (Jan 24-28): the default without dates.
    const table = await cli('scoreboard', 'grading-backfill');
    assert.equal(table.code, 0, table.stderr);
    // Total over the 489 predictions (ROLLUP): MAE 2746.4 / 489 = 5.616, bias 141.8 / 489 = 0.290,
    // accuracy 226 / 451 decided = 50.1%; the handoff's Total row (5.45, 0.31, 49.0%) averages the days.
    assert.equal(
      table.stdout.trimEnd(),
      [
        'game_date   graded   mae   bias  accuracy',
        '----------  ------  ----  -----  --------',
        '2026-01-24      22  4.52   0.16      40.0',
        '2026-01-25      99  5.45   1.14      58.9',
        '2026-01-26     118  5.59   0.23      55.3',
        '2026-01-27     105  6.12   0.19      45.9',
        '2026-01-28     145  5.55  -0.15      45.0',
        '----------  ------  ----  -----  --------',
        'Total          489  5.62   0.29      50.1',
      ].join('\n'),
    );
    const json = await cli('scoreboard', 'grading-backfill', '--start-date', '2026-01-28', '--end-date', '2026-01-29', '--json');
    assert.equal(json.code, 0, json.stderr);
    // 145 + 90 = 235 graded; (63 + 41) / (140 + 82) = 104 / 222 = 46.8%.
    assert.deepEqual(JSON.parse(json.stdout), [
      { game_date: '2026-01-28', graded: 145, mae: 5.55, bias: -0.15, accuracy: 45 },
      { game_date: '2026-01-29', graded: 90, mae: 5.31, bias: -0.42, accuracy: 50 },
      { game_date: 'Total', graded: 235, mae: 5.46, bias: -0.25, accuracy: 46.8 },
    ]);
  });

  test('scoreboard --csv writes CSV with the Total row last; --csv with --json is a usage error', async () => {
    const csv = await cli('scoreboard', 'grading-backfill', '--start-date', '2026-01-24', '--end-date', '2026-01-25', '--csv');
    assert.equal(csv.code, 0, csv.stderr);
    // 22 + 99 = 121 graded; accuracy (8 + 53) / (20 + 90) = 61 / 110 = 55.5%.
    assert.equal(csv.stdout, 'game_date,graded,mae,bias,accuracy\n2026-01-24,22,4.52,0.16,40\n2026-01-25,99,5.45,1.14,58.9\nTotal,121,5.28,0.96,55.5\n');
    const both = await cli('scoreboard', '--csv', '--json');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--csv or --json, not both/);
  });

  test('bad input is refused with exit 2 before anything is read or run', async () => {
    const before = await gradedAt();
    for (const [args, message] of [
      [['job', 'grading-backfill', '--start-date', '2026-02-30', '--end-date', '2026-03-01'], /start date: 2026-02-30 is not a calendar date/],
      [['job', 'grading-backfill', '--start-date', '2026-01-28', '--end-date', '2026-01-24'], /the start date 2026-01-28 is after the end date 2026-01-24/],
      [['job', 'grading-backfill-cloud-run', '--start-date', '2026-01-01', '--end-date', '2026-03-31'], /is 90 days; this job runs at most 62 days at a time/],
      [['job', 'grading-backfill', '--start-date', '2026-01-24'], /job needs --start-date and --end-date/],
      [['job', 'grading', '--start-date', '2026-01-24', '--end-date', '2026-01-25'], /no data job "grading" \(configured: grading-backfill, grading-backfill-cloud-run\)/],
      // The demo runs the grading backfill two ways: without a name, `job` asks for one.
      [['job', '--start-date', '2026-01-24', '--end-date', '2026-01-25'], /name the job: grading-backfill, grading-backfill-cloud-run/],
      [['job', 'grading-backfill', '--start-date', "2026-01-24'; touch pwned; '", '--end-date', '2026-01-25'], /expected a date as YYYY-MM-DD/],
      [['job', 'grading-backfill-cloud-run', '--start-date', '2026-01-01,--evil', '--end-date', '2026-01-25'], /expected a date as YYYY-MM-DD/],
    ] as const) {
      const result = await cli(...args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, message);
    }
    assert.ok(!fs.existsSync(path.join(dir, 'pwned')));
    assert.deepEqual(await gradedAt(), before, 'nothing was graded');
  });

  test('a table that does not exist yet passes the streaming-buffer guard, saying so; another BigQuery failure blocks', async () => {
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'cloud-run-drift.json'), 'utf8')) as { jobs: Record<string, Record<string, unknown>> };
    const other = path.join(dir, 'other-table.json');
    try {
      config.jobs['grading-backfill'] = { ...config.jobs['grading-backfill'], requires: [], table: 'nba-props-platform.nba_predictions.graded_v2' };
      fs.writeFileSync(other, JSON.stringify(config));
      const missing = await cli('job', 'grading-backfill', '--config', other, '--start-date', '2026-01-24', '--end-date', '2026-01-24', '--dry-run');
      assert.equal(missing.code, 0, missing.stdout + missing.stderr);
      assert.match(missing.stderr, /✓ nba-props-platform\.nba_predictions\.graded_v2 does not exist yet, so nothing is in its streaming buffer/);

      await demo.emulator.control('faults', { rules: [{ api: 'bigquery', operation: 'getTable', httpStatus: 503, message: 'backend unavailable' }] });
      const failing = await cli('job', 'grading-backfill', '--config', other, '--start-date', '2026-01-24', '--end-date', '2026-01-24', '--dry-run');
      assert.equal(failing.code, 3, failing.stdout + failing.stderr);
      assert.match(failing.stderr, /✗ nba-props-platform\.nba_predictions\.graded_v2: streaming buffer could not be checked: BigQuery: reading nba-props-platform\.nba_predictions\.graded_v2 failed: .*backend unavailable/);
    } finally {
      await demo.emulator.control('clear-faults');
      fs.rmSync(other, { force: true });
    }
  });

  test('the job is refused while the coordinator serves old code (exit 4), and nothing is graded', async () => {
    const before = await gradedAt();
    const refused = await cli('job', 'grading-backfill', '--start-date', '2026-01-24', '--end-date', '2026-01-25');
    assert.equal(refused.code, 4, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /✗ prediction-coordinator is stale, 53 commits behind: .*Deploy it before running grading-backfill\./);
    assert.match(refused.stderr, new RegExp(`✓ ${TABLE}: the streaming buffer is empty`));
    assert.match(refused.stderr, /grading-backfill was not started \(refused by its guards\); --force runs it anyway/);
    assert.doesNotMatch(refused.stdout, /Grading/);
    assert.deepEqual(await gradedAt(), before);

    const dryRun = await cli('job', 'grading-backfill', '--start-date', '2026-01-24', '--end-date', '2026-01-25', '--dry-run', '--force');
    assert.equal(dryRun.code, 0, dryRun.stderr);
    assert.equal(dryRun.stdout.trim(), "node backfill_jobs/grading/prediction_accuracy/grading_backfill.mjs --start-date '2026-01-24' --end-date '2026-01-25'");
    assert.deepEqual(await gradedAt(), before, '--dry-run runs nothing');
  });

  test('once the coordinator is deployed the job runs, grades, prints the scoreboard; a re-run meets the streaming buffer', async () => {
    const deploy = await run(path.join(dir, 'bin/deploy-service.sh'), ['prediction-coordinator'], dir);
    assert.equal(deploy.code, 0, deploy.stderr);
    const before = await gradedAt();

    const ran = await cli('job', 'grading-backfill', '--start-date', '2026-01-24', '--end-date', '2026-01-25');
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.match(ran.stderr, /✓ prediction-coordinator serves HEAD's code for its paths/);
    assert.match(ran.stderr, /\$ node backfill_jobs\/grading\/prediction_accuracy\/grading_backfill\.mjs --start-date '2026-01-24' --end-date '2026-01-25'/);
    assert.match(ran.stdout, /2026-01-24: graded 22 \| MAE 4\.52 \| bias 0\.16 \| accuracy 40\.0%/, 'the job’s own output');
    assert.match(ran.stdout, /2026-01-24 {6}22 {2}4\.52 {2}0\.16 {6}40\.0\n2026-01-25 {6}99 {2}5\.45 {2}1\.14 {6}58\.9\n[- ]+\nTotal {10}121/, 'then the scoreboard with its Total row');
    const after = await gradedAt();
    assert.notDeepEqual(after, before, 'the rows were graded again');

    const rerun = await cli('job', 'grading-backfill', '--start-date', '2026-01-25', '--end-date', '2026-01-25');
    assert.equal(rerun.code, 4, rerun.stdout + rerun.stderr);
    assert.match(rerun.stderr, new RegExp(`✗ ${TABLE} has about 121 rows in its streaming buffer, the oldest streamed \\d+s ago`));
    assert.deepEqual(await gradedAt(), after, 'the refused re-run graded nothing');

    // --force: the job runs, and BigQuery itself refuses to delete the buffered rows; the job's failure is the exit.
    const forced = await cli('job', 'grading-backfill', '--start-date', '2026-01-25', '--end-date', '2026-01-25', '--force');
    assert.equal(forced.code, 1, forced.stdout + forced.stderr);
    assert.match(forced.stderr, /--force: running grading-backfill despite 1 failed guard/);
    assert.match(forced.stderr, /grading-backfill failed \(exit code 1\)/);

    await demo.emulator.control('flush-streaming-buffer', { table: TABLE });
    const afterFlush = await cli('job', 'grading-backfill', '--start-date', '2026-01-25', '--end-date', '2026-01-25');
    assert.equal(afterFlush.code, 0, afterFlush.stdout + afterFlush.stderr);
  });
});

describe('data jobs without credentials', () => {
  test('scoreboard and the job guards give the exact fix, run nothing and contact no metadata server', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-home-'));
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-jobs-prod-'));
    try {
      await run('git', ['init', '-q'], repo);
      fs.writeFileSync(
        path.join(repo, 'cloud-run-drift.json'),
        JSON.stringify({
          project: 'nba-props-platform',
          region: 'us-west2',
          services: { api: {} },
          jobs: { grade: { command: 'touch ran', table: TABLE, scoreboard: 'SELECT 1 AS one' } },
        }),
      );
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, CLOUDSDK_CONFIG: path.join(home, 'gcloud'), METADATA_SERVER_DETECTION: 'none' };
      const scoreboard = await run(process.execPath, [CLI_PATH, 'scoreboard'], repo, env);
      assert.equal(scoreboard.code, 3, scoreboard.stdout + scoreboard.stderr);
      assert.match(scoreboard.stderr, /No Google Cloud credentials found\. Run: gcloud auth application-default login/);
      const job = await run(process.execPath, [CLI_PATH, 'job', '--start-date', '2026-01-24', '--end-date', '2026-01-24'], repo, env);
      assert.equal(job.code, 3, job.stdout + job.stderr);
      assert.match(job.stderr, /✗ nba-props-platform\.nba_predictions\.prediction_accuracy: streaming buffer could not be checked: No Google Cloud credentials found\. Run: gcloud auth application-default login/);
      assert.match(job.stderr, /grade was not started \(its guards could not be checked\)/);
      assert.ok(!fs.existsSync(path.join(repo, 'ran')), 'the job ran');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});

describe('BigQuery reader errors', () => {
  test('refuses plain http to another host, and names an unreachable emulator and a missing table', async () => {
    await assert.rejects(createBigQueryReader({ project: 'nba-props-platform', endpoint: 'http://bigquery.example.com' }).streamingBuffer(TABLE), /plain http is only allowed to a loopback emulator/);
    await assert.rejects(createBigQueryReader({ project: 'nba-props-platform', endpoint: 'http://127.0.0.1:9' }).streamingBuffer(TABLE), (err: unknown) => err instanceof BigQueryApiError && /cannot reach the API for reading .*ECONNREFUSED/.test(err.message));
    const demo = await startDemo({ port: 0 });
    try {
      const reader = createBigQueryReader({ project: 'nba-props-platform', endpoint: demo.emulator.httpUrl });
      await assert.rejects(reader.streamingBuffer('nba-props-platform.nba_predictions.no_such_table'), (err: unknown) => err instanceof BigQueryApiError && err.status === 404 && /reading nba-props-platform\.nba_predictions\.no_such_table failed: Not found/.test(err.message));
      await assert.rejects(reader.query('SELECT FROM WHERE', {}), (err: unknown) => err instanceof BigQueryApiError && err.status === 400);
      assert.deepEqual(await reader.streamingBuffer(TABLE), null);
    } finally {
      await demo.close();
      fs.rmSync(demo.workspace.dir, { recursive: true, force: true });
    }
  });
});
