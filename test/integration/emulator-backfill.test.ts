// The emulator's Cloud Run job that runs the demo's grading backfill, through the real clients:
// @google-cloud/run starts, follows and cancels executions; @google-cloud/bigquery reads back what they
// wrote; @google-cloud/logging reads their cloud_run_job entries. The emulator's clock is moved by the
// tests: nothing sleeps.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { BigQuery } from '@google-cloud/bigquery';
import { Logging, type Entry, type LoggingOptions } from '@google-cloud/logging';
import { v2 } from '@google-cloud/run';
import * as grpc from '@grpc/grpc-js';
import { PassThroughClient } from 'google-auth-library';
import { buildDemoBigQuerySection } from '../../src/emulator/demo/bigquery-seed';
import type { Scenario } from '../../src/emulator/scenario';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';

const PROJECT = 'nba-props-platform';
const REGION = 'us-west2';
const JOB = `projects/${PROJECT}/locations/${REGION}/jobs/grading-backfill`;
const NOW = '2026-01-30T23:00:00Z';
/** The run plan: a minute to start, a minute per date (long enough that real time never moves an execution on). */
const START_MS = 60_000;
const DATE_MS = 60_000;
const RANGE = ['--start-date=2026-01-24', '--end-date=2026-01-28'];

function scenario(): Scenario {
  return {
    now: NOW,
    run: {
      project: PROJECT,
      region: REGION,
      jobs: [
        {
          name: 'grading-backfill',
          labels: { 'commit-sha': 'aaaa111' },
          template: { image: 'us-west2-docker.pkg.dev/p/jobs/grading:aaaa111', parallelism: 5 },
          workload: 'demo-grading',
          run: { startDelayMs: START_MS, taskDurationMs: DATE_MS },
        },
      ],
    },
    // Jan 24-28 not graded yet; Jan 29 graded hours ago.
    bigquery: buildDemoBigQuerySection(new Date(NOW), undefined, { includeBackfilledGrades: false }),
  };
}

interface Clients {
  jobs: v2.JobsClient;
  executions: v2.ExecutionsClient;
  bigquery: BigQuery;
  logging: Logging;
}

function clientsFor(emulator: RunningEmulator): Clients {
  const run = { apiEndpoint: '127.0.0.1', port: emulator.httpPort, protocol: 'http', fallback: true, authClient: new PassThroughClient() };
  return {
    jobs: new v2.JobsClient(run),
    executions: new v2.ExecutionsClient(run),
    bigquery: new BigQuery({ projectId: PROJECT, apiEndpoint: emulator.httpUrl, authClient: new PassThroughClient() }),
    logging: new Logging({
      projectId: PROJECT,
      apiEndpoint: '127.0.0.1',
      port: Number(emulator.grpcAddress.split(':')[1]),
      sslCreds: grpc.credentials.createInsecure(),
      authClient: new PassThroughClient(),
    } as LoggingOptions),
  };
}

describe('the grading backfill as a Cloud Run job', () => {
  let emulator: RunningEmulator;
  let clients: Clients;

  before(async () => {
    emulator = await startEmulator({ scenario: scenario(), port: 0 });
    clients = clientsFor(emulator);
    // Loading the client libraries' protos once, outside the tests' own time.
    await Promise.all([clients.jobs.getJob({ name: JOB }), clients.bigquery.query('SELECT 1'), logEntries('none')]);
  });
  beforeEach(async () => {
    await emulator.control('reset');
  });
  after(async () => {
    await Promise.all([clients.jobs.close(), clients.executions.close(), (clients.logging.loggingService as unknown as { close(): Promise<void> }).close()]);
    await emulator.close();
  });

  /** Starts an execution with these argument overrides, as the product does; its short name. */
  async function runWith(args: string[], taskCount?: number): Promise<string> {
    const [operation] = await clients.jobs.runJob({ name: JOB, overrides: { containerOverrides: [{ args }], ...(taskCount ? { taskCount } : {}) } });
    return (operation.metadata as unknown as { name: string }).name.split('/').pop()!;
  }

  const execution = async (name: string) => (await clients.executions.getExecution({ name: `${JOB}/executions/${name}` }))[0];

  /** Rows of prediction_accuracy per date, and how many of them the execution wrote (graded_at after NOW). */
  async function gradedRows(): Promise<Record<string, { rows: number; written: number }>> {
    const [rows] = await clients.bigquery.query({
      query: `SELECT CAST(game_date AS STRING) AS date, COUNT(*) AS rows, COUNTIF(graded_at > @now) AS written
              FROM \`${PROJECT}.nba_predictions.prediction_accuracy\` GROUP BY game_date ORDER BY game_date`,
      params: { now: clients.bigquery.timestamp(NOW) },
    });
    return Object.fromEntries(rows.map((r: { date: string; rows: number; written: number }) => [r.date, { rows: r.rows, written: r.written }]));
  }

  async function logEntries(name: string): Promise<Entry[]> {
    const filter = `resource.type="cloud_run_job" AND resource.labels.job_name="grading-backfill" AND labels."run.googleapis.com/execution_name"="${name}" AND timestamp>="2000-01-01T00:00:00Z"`;
    const [entries] = await clients.logging.getEntries({ filter, orderBy: 'timestamp asc' });
    return entries;
  }

  const texts = (entries: Entry[]): string[] => entries.map((e) => String(e.data));
  /** The emulator's clock runs on from NOW between calls: times are measured from the execution's createTime. */
  const msOf = (ts: { seconds?: unknown; nanos?: unknown } | null | undefined): number => Number(ts?.seconds ?? 0) * 1000 + Math.floor(Number(ts?.nanos ?? 0) / 1e6);

  test('a run with --start-date/--end-date overrides grades exactly those dates into BigQuery, one per step of the clock', async () => {
    assert.deepEqual(Object.keys(await gradedRows()), ['2026-01-29'], 'seeded: only Jan 29 is graded');
    const name = await runWith(RANGE);
    const started = await execution(name);
    assert.deepEqual(started.template?.containers?.[0]?.args, RANGE);
    assert.deepEqual(started.labels, { 'commit-sha': 'aaaa111' });

    // Two dates in: only those two are written.
    await emulator.control('clock', { advanceMs: START_MS + 2 * DATE_MS });
    assert.deepEqual(await gradedRows(), {
      '2026-01-24': { rows: 22, written: 22 },
      '2026-01-25': { rows: 99, written: 99 },
      '2026-01-29': { rows: 90, written: 0 },
    });
    const running = await execution(name);
    assert.deepEqual([running.runningCount, running.succeededCount], [1, 0]);

    await emulator.control('clock', { advanceMs: 3 * DATE_MS });
    const done = await execution(name);
    assert.deepEqual([done.succeededCount, done.failedCount, done.retriedCount], [1, 0, 0]);
    assert.equal(done.conditions?.find((c) => c.type === 'Completed')?.state, 'CONDITION_SUCCEEDED');
    assert.equal(Number(done.completionTime?.seconds) - Number(done.startTime?.seconds), (5 * DATE_MS) / 1000);
    assert.deepEqual(await gradedRows(), {
      '2026-01-24': { rows: 22, written: 22 },
      '2026-01-25': { rows: 99, written: 99 },
      '2026-01-26': { rows: 118, written: 118 },
      '2026-01-27': { rows: 105, written: 105 },
      '2026-01-28': { rows: 145, written: 145 },
      '2026-01-29': { rows: 90, written: 0 },
    });
    // The handoff's per-date figures, computed by BigQuery over what the job wrote.
    const [metrics] = await clients.bigquery.query(
      `SELECT CAST(game_date AS STRING) AS date, ROUND(AVG(absolute_error), 2) AS mae, ROUND(AVG(signed_error), 2) AS bias
       FROM \`${PROJECT}.nba_predictions.prediction_accuracy\` WHERE game_date BETWEEN '2026-01-24' AND '2026-01-28' GROUP BY game_date ORDER BY game_date`,
    );
    assert.deepEqual(metrics.map((m: { date: string; mae: number; bias: number }) => [m.date, m.mae, m.bias]), [
      ['2026-01-24', 4.52, 0.16],
      ['2026-01-25', 5.45, 1.14],
      ['2026-01-26', 5.59, 0.23],
      ['2026-01-27', 6.12, 0.19],
      ['2026-01-28', 5.55, -0.15],
    ]);
    // Each date's rows carry the time its step was done on the emulator's clock.
    const [stamps] = await clients.bigquery.query(
      `SELECT CAST(game_date AS STRING) AS date, UNIX_MILLIS(MIN(graded_at)) AS first, UNIX_MILLIS(MAX(graded_at)) AS last
       FROM \`${PROJECT}.nba_predictions.prediction_accuracy\` WHERE game_date BETWEEN '2026-01-24' AND '2026-01-28' GROUP BY game_date ORDER BY game_date`,
    );
    const created = msOf(started.createTime);
    assert.deepEqual(stamps.map((s: { first: number; last: number }) => [s.first - created, s.last - created]), [1, 2, 3, 4, 5].map((k) => [START_MS + k * DATE_MS, START_MS + k * DATE_MS]));
  });

  test('each date is logged as it is graded, with the cloud_run_job resource and the execution and task labels', async () => {
    const name = await runWith(RANGE);
    await emulator.control('clock', { advanceMs: START_MS + 5 * DATE_MS });
    const entries = await logEntries(name);
    const graded = entries.filter((e) => String(e.data).startsWith('Graded '));
    assert.deepEqual(texts(graded), [
      'Graded 22 predictions for 2026-01-24: MAE 4.52, bias 0.16, accuracy 40.0%',
      'Graded 99 predictions for 2026-01-25: MAE 5.45, bias 1.14, accuracy 58.9%',
      'Graded 118 predictions for 2026-01-26: MAE 5.59, bias 0.23, accuracy 55.3%',
      'Graded 105 predictions for 2026-01-27: MAE 6.12, bias 0.19, accuracy 45.9%',
      'Graded 145 predictions for 2026-01-28: MAE 5.55, bias -0.15, accuracy 45.0%',
    ]);
    for (const entry of graded) {
      assert.deepEqual(entry.metadata.resource?.labels, { project_id: PROJECT, job_name: 'grading-backfill', location: REGION });
      assert.deepEqual(entry.metadata.labels, { 'run.googleapis.com/execution_name': name, 'run.googleapis.com/task_index': '0', 'run.googleapis.com/task_attempt': '0' });
      assert.equal(entry.metadata.severity, 'INFO');
    }
    const created = msOf((await execution(name)).createTime);
    const times = graded.map((e) => new Date(e.metadata.timestamp as Date).getTime() - created);
    assert.deepEqual(times, [1, 2, 3, 4, 5].map((k) => START_MS + k * DATE_MS));
    assert.equal(texts(entries).at(-1), `Execution ${name} has completed successfully.`);
  });

  test('with two tasks the dates are shared between them, and every date is graded once', async () => {
    const name = await runWith(RANGE, 2);
    await emulator.control('clock', { advanceMs: START_MS + 3 * DATE_MS });
    const done = await execution(name);
    assert.deepEqual([done.taskCount, done.succeededCount], [2, 2]);
    const written = Object.fromEntries(Object.entries(await gradedRows()).map(([date, r]) => [date, r.written]));
    assert.deepEqual(written, { '2026-01-24': 22, '2026-01-25': 99, '2026-01-26': 118, '2026-01-27': 105, '2026-01-28': 145, '2026-01-29': 0 });
    const byTask = (await logEntries(name))
      .filter((e) => String(e.data).startsWith('Graded '))
      .map((e) => `${e.metadata.labels?.['run.googleapis.com/task_index']}: ${/for (\S+):/.exec(String(e.data))?.[1]}`)
      .sort();
    assert.deepEqual(byTask, ['0: 2026-01-24', '0: 2026-01-26', '0: 2026-01-28', '1: 2026-01-25', '1: 2026-01-27']);
  });

  test('arguments the backfill refuses fail the execution with its usage message, and nothing is written', async () => {
    const messages: string[] = [];
    for (const args of [['--start-date=2026-01-32', '--end-date=2026-01-28'], ['--start-date=$(id)', '--end-date=2026-01-28'], ['--start-date=2026-01-24'], ['--dates=2026-01-24']]) {
      await emulator.control('reset');
      const name = await runWith(args);
      await emulator.control('clock', { advanceMs: START_MS });
      const failed = await execution(name);
      assert.deepEqual([failed.failedCount, failed.succeededCount], [1, 0], args.join(' '));
      const completed = failed.conditions?.find((c) => c.type === 'Completed');
      assert.equal(completed?.state, 'CONDITION_FAILED');
      assert.match(completed?.message ?? '', new RegExp(`^Task ${name}-task0 failed with message: grading-backfill: `));
      const errors = (await logEntries(name)).filter((e) => e.metadata.severity === 'ERROR');
      assert.match(String(errors[0]?.data), /^grading-backfill: .*\. Usage: node grading-backfill\.mjs --start-date YYYY-MM-DD --end-date YYYY-MM-DD/);
      messages.push(String(errors[0]?.data));
      assert.deepEqual(Object.keys(await gradedRows()), ['2026-01-29']);
    }
    assert.match(messages[0]!, /--start-date must be a real date as YYYY-MM-DD, got "2026-01-32"/);
    assert.match(messages[1]!, /--start-date must be a real date as YYYY-MM-DD, got "\$\(id\)"/);
    assert.match(messages[2]!, /--end-date is required/);
    assert.match(messages[3]!, /unknown argument "--dates=2026-01-24"/);
  });

  test('fault: the execution fails on a given date; the dates before it are written, the message names the date', async () => {
    await emulator.control('execution-plan', { project: PROJECT, region: REGION, job: 'grading-backfill', failDate: '2026-01-26', failMessage: 'Quota exceeded: too many DML statements' });
    const name = await runWith(RANGE);
    await emulator.control('clock', { advanceMs: START_MS + 10 * DATE_MS });
    const failed = await execution(name);
    assert.deepEqual([failed.failedCount, failed.succeededCount], [1, 0]);
    assert.equal(failed.conditions?.find((c) => c.type === 'Completed')?.message, `Task ${name}-task0 failed with message: Grading backfill failed for 2026-01-26: Quota exceeded: too many DML statements`);
    assert.equal(Number(failed.completionTime?.seconds) - Number(failed.startTime?.seconds), (3 * DATE_MS) / 1000, 'it failed while on its third date');
    const written = Object.fromEntries(Object.entries(await gradedRows()).map(([date, r]) => [date, r.written]));
    assert.deepEqual(written, { '2026-01-24': 22, '2026-01-25': 99, '2026-01-29': 0 });
    const entries = await logEntries(name);
    assert.ok(texts(entries).includes('Grading backfill failed for 2026-01-26: Quota exceeded: too many DML statements'));
    assert.match(texts(entries).at(-1)!, new RegExp(`^Execution ${name} failed\\. Task ${name}-task0 failed with message: Grading backfill failed for 2026-01-26`));
  });

  test('a date BigQuery refuses to re-grade (rows still in the streaming buffer) fails the task on that date', async () => {
    const first = await runWith(['--start-date=2026-01-24', '--end-date=2026-01-24']);
    await emulator.control('clock', { advanceMs: START_MS + DATE_MS });
    assert.equal((await execution(first)).succeededCount, 1);
    const second = await runWith(['--start-date=2026-01-24', '--end-date=2026-01-25']);
    await emulator.control('clock', { advanceMs: START_MS + 2 * DATE_MS });
    const failed = await execution(second);
    assert.equal(failed.failedCount, 1);
    assert.match(failed.conditions?.find((c) => c.type === 'Completed')?.message ?? '', /failed with message: Grading backfill: 2026-01-24 has 22 recent rows in streaming buffer, re-grade refused: .*streaming buffer/);
    assert.equal(Number(failed.completionTime?.seconds) - Number(failed.startTime?.seconds), DATE_MS / 1000, 'it stopped at its first date');
    assert.equal((await gradedRows())['2026-01-25'], undefined, 'the date after it was not graded');
  });

  test('fault: a task retries; its first attempt fails on its first date, the retry grades every date', async () => {
    await emulator.control('execution-plan', { project: PROJECT, region: REGION, job: 'grading-backfill', retryTasks: [0], failMessage: 'Connection reset by peer' });
    const name = await runWith(RANGE);
    await emulator.control('clock', { advanceMs: START_MS + DATE_MS });
    const retrying = await execution(name);
    assert.deepEqual([retrying.retriedCount, retrying.runningCount, retrying.failedCount], [1, 1, 0]);
    assert.deepEqual(Object.keys(await gradedRows()), ['2026-01-29'], 'the first attempt wrote nothing');

    await emulator.control('clock', { advanceMs: 5 * DATE_MS });
    const done = await execution(name);
    assert.deepEqual([done.succeededCount, done.failedCount, done.retriedCount], [1, 0, 1]);
    assert.equal(done.conditions?.find((c) => c.type === 'Completed')?.state, 'CONDITION_SUCCEEDED');
    const written = Object.fromEntries(Object.entries(await gradedRows()).map(([date, r]) => [date, r.written]));
    assert.deepEqual(written, { '2026-01-24': 22, '2026-01-25': 99, '2026-01-26': 118, '2026-01-27': 105, '2026-01-28': 145, '2026-01-29': 0 });

    const entries = await logEntries(name);
    const attempt = (e: Entry): string | undefined => e.metadata.labels?.['run.googleapis.com/task_attempt'];
    const failure = entries.find((e) => String(e.data) === 'Grading backfill failed for 2026-01-24: Connection reset by peer');
    assert.equal(failure?.metadata.severity, 'ERROR');
    assert.equal(attempt(failure!), '0');
    const graded = entries.filter((e) => String(e.data).startsWith('Graded '));
    assert.equal(graded.length, 5);
    assert.deepEqual([...new Set(graded.map(attempt))], ['1']);
  });

  test('fault: CancelExecution mid-run stops the backfill; no date after the cancellation is written', async () => {
    const name = await runWith(RANGE);
    await emulator.control('clock', { advanceMs: START_MS + 2 * DATE_MS + DATE_MS / 2 });
    const [operation] = await clients.executions.cancelExecution({ name: `${JOB}/executions/${name}` });
    const [cancelled] = await operation.promise();
    assert.equal(cancelled.cancelledCount, 1);
    await emulator.control('clock', { advanceMs: 10 * DATE_MS });
    const after = await execution(name);
    assert.deepEqual([after.cancelledCount, after.succeededCount, after.failedCount], [1, 0, 0]);
    assert.equal(after.conditions?.find((c) => c.type === 'Completed')?.executionReason, 'CANCELLED');
    const written = Object.fromEntries(Object.entries(await gradedRows()).map(([date, r]) => [date, r.written]));
    assert.deepEqual(written, { '2026-01-24': 22, '2026-01-25': 99, '2026-01-29': 0 });
    const entries = texts(await logEntries(name));
    assert.equal(entries.filter((t) => t.startsWith('Graded ')).length, 2);
    assert.equal(entries.at(-1), `Execution ${name} was cancelled.`);
  });

  test('a job without a workload writes nothing to BigQuery', async () => {
    await emulator.control('job', { project: PROJECT, region: REGION, name: 'idle-backfill', run: { startDelayMs: START_MS, taskDurationMs: DATE_MS } });
    await clients.jobs.runJob({ name: `projects/${PROJECT}/locations/${REGION}/jobs/idle-backfill`, overrides: { containerOverrides: [{ args: RANGE }] } });
    await emulator.control('clock', { advanceMs: START_MS + 10 * DATE_MS });
    assert.deepEqual(Object.keys(await gradedRows()), ['2026-01-29']);
  });

  test('the scenario and control API refuse an unknown workload and a malformed failDate, naming the field', async () => {
    await assert.rejects(emulator.control('job', { project: PROJECT, region: REGION, name: 'x-backfill', workload: 'grading' }), /\$\.workload: expected one of "demo-grading"/);
    await assert.rejects(emulator.control('execution-plan', { project: PROJECT, region: REGION, job: 'grading-backfill', failDate: '2026-1-26' }), /\$\.failDate: expected a date as YYYY-MM-DD/);
  });
});
