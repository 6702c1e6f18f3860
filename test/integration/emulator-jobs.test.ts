// The emulator's Cloud Run jobs and executions, exercised through the real @google-cloud/run v2
// JobsClient and ExecutionsClient (REST) and the real @google-cloud/logging client (gRPC). Executions
// progress with the emulator's clock, which the tests move: nothing sleeps.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { Logging, type LoggingOptions } from '@google-cloud/logging';
import { v2 } from '@google-cloud/run';
import { PassThroughClient } from 'google-auth-library';
import type { Scenario } from '../../src/emulator/scenario';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';

const PROJECT = 'nba-props-platform';
const REGION = 'us-west2';
const PARENT = `projects/${PROJECT}/locations/${REGION}`;
const BACKFILL = `${PARENT}/jobs/grading-backfill`;
const BROKEN = `${PARENT}/jobs/broken-backfill`;

interface Clients {
  jobs: v2.JobsClient;
  executions: v2.ExecutionsClient;
  logging: Logging;
}

function clientsFor(emulator: RunningEmulator): Clients {
  const options = { apiEndpoint: '127.0.0.1', port: emulator.httpPort, protocol: 'http', fallback: true, authClient: new PassThroughClient() };
  const logging = new Logging({
    projectId: PROJECT,
    apiEndpoint: '127.0.0.1',
    port: Number(emulator.grpcAddress.split(':')[1]),
    sslCreds: grpc.credentials.createInsecure(),
    authClient: new PassThroughClient(),
  } as LoggingOptions);
  return { jobs: new v2.JobsClient(options), executions: new v2.ExecutionsClient(options), logging };
}

async function closeClients(clients: Clients): Promise<void> {
  await Promise.all([clients.jobs.close(), clients.executions.close(), (clients.logging.loggingService as unknown as { close(): Promise<void> }).close()]);
}

async function rejection(call: Promise<unknown>): Promise<{ code: unknown; message: string }> {
  try {
    await call;
  } catch (err) {
    return { code: (err as { code?: unknown }).code, message: (err as Error).message };
  }
  assert.fail('expected the call to fail');
}

const seconds = (ts: { seconds?: unknown } | null | undefined): number => Number(ts?.seconds ?? 0);

function scenario(): Scenario {
  return {
    run: {
      project: PROJECT,
      region: REGION,
      jobs: [
        {
          name: 'grading-backfill',
          labels: { 'commit-sha': 'aaaa111', team: 'grading' },
          template: { image: 'us-west2-docker.pkg.dev/p/jobs/grading:aaaa111', args: ['--dry-run=false'] },
          run: { startDelayMs: 1_000, taskDurationMs: 10_000 },
          executions: [
            { name: 'grading-backfill-older', labels: { 'commit-sha': '0000aaa' }, createTime: '2026-01-20T10:00:00Z', taskDurationMs: 60_000 },
            { name: 'grading-backfill-broke', createTime: '2026-01-21T10:00:00Z', taskCount: 3, parallelism: 3, failTasks: [1], failMessage: 'KeyError: game_date' },
          ],
        },
        { name: 'broken-backfill', labels: { 'commit-sha': 'bbbb222' }, ready: false, message: "Image 'us-west2-docker.pkg.dev/p/jobs/broken:bbbb222' not found." },
        { name: 'rolling-backfill', labels: { 'commit-sha': 'cccc333' }, reconciling: true },
      ],
    },
  };
}

describe('Cloud Run jobs through @google-cloud/run', () => {
  let emulator: RunningEmulator;
  let clients: Clients;

  before(async () => {
    emulator = await startEmulator({ scenario: scenario(), port: 0, modules: { bigquery: false } });
    clients = clientsFor(emulator);
  });
  beforeEach(async () => {
    await emulator.control('reset');
  });
  after(async () => {
    await closeClients(clients);
    await emulator.close();
  });

  test('getJob reports the template (labels, image, args), the terminal condition and the latest execution', async () => {
    const [job] = await clients.jobs.getJob({ name: BACKFILL });
    assert.equal(job.name, BACKFILL);
    assert.deepEqual(job.labels, { 'commit-sha': 'aaaa111', team: 'grading' });
    assert.deepEqual(job.template?.labels, { 'commit-sha': 'aaaa111', team: 'grading' });
    assert.equal(job.template?.template?.containers?.[0]?.image, 'us-west2-docker.pkg.dev/p/jobs/grading:aaaa111');
    assert.deepEqual(job.template?.template?.containers?.[0]?.args, ['--dry-run=false']);
    assert.equal(job.terminalCondition?.type, 'Ready');
    assert.equal(job.terminalCondition?.state, 'CONDITION_SUCCEEDED');
    assert.equal(job.reconciling, false);
    assert.equal(job.executionCount, 2);
    assert.equal(job.latestCreatedExecution?.name, `${BACKFILL}/executions/grading-backfill-broke`);
    assert.equal(job.latestCreatedExecution?.completionStatus, 'EXECUTION_FAILED');
    assert.equal(seconds(job.latestCreatedExecution?.createTime), Date.parse('2026-01-21T10:00:00Z') / 1000);

    const [broken] = await clients.jobs.getJob({ name: BROKEN });
    assert.equal(broken.terminalCondition?.state, 'CONDITION_FAILED');
    assert.equal(broken.terminalCondition?.message, "Image 'us-west2-docker.pkg.dev/p/jobs/broken:bbbb222' not found.");
    assert.equal(broken.latestCreatedExecution, null);

    const [rolling] = await clients.jobs.getJob({ name: `${PARENT}/jobs/rolling-backfill` });
    assert.equal(rolling.reconciling, true);
    assert.equal(rolling.terminalCondition?.state, 'CONDITION_RECONCILING');
  });

  test('seeded executions: each keeps its own labels; a failed one names its failed task and message', async () => {
    const [older] = await clients.executions.getExecution({ name: `${BACKFILL}/executions/grading-backfill-older` });
    assert.deepEqual(older.labels, { 'commit-sha': '0000aaa' });
    assert.equal(older.succeededCount, 1);
    assert.equal(older.taskCount, 1);
    assert.equal(seconds(older.startTime) - seconds(older.createTime), 1);
    assert.equal(seconds(older.completionTime) - seconds(older.startTime), 60);
    assert.equal(older.conditions?.find((c) => c.type === 'Completed')?.state, 'CONDITION_SUCCEEDED');

    const [broke] = await clients.executions.getExecution({ name: `${BACKFILL}/executions/grading-backfill-broke` });
    assert.deepEqual(broke.labels, { 'commit-sha': 'aaaa111', team: 'grading' });
    assert.deepEqual([broke.taskCount, broke.succeededCount, broke.failedCount, broke.runningCount], [3, 2, 1, 0]);
    const completed = broke.conditions?.find((c) => c.type === 'Completed');
    assert.equal(completed?.state, 'CONDITION_FAILED');
    assert.equal(completed?.executionReason, 'NON_ZERO_EXIT_CODE');
    assert.equal(completed?.message, 'Task grading-backfill-broke-task1 failed with message: KeyError: game_date');
  });

  test('RunJob starts an execution with the argument overrides, task count and timeout; it progresses with the clock', async () => {
    const [operation] = await clients.jobs.runJob({
      name: BACKFILL,
      overrides: { containerOverrides: [{ args: ['--start-date=2026-01-01', '--end-date=2026-01-07'] }], taskCount: 2, timeout: { seconds: 300 } },
    });
    assert.equal(operation.done, false);
    const started = operation.metadata as unknown as { name: string };
    const [pending] = await clients.executions.getExecution({ name: started.name });
    assert.match(pending.name ?? '', /\/executions\/grading-backfill-[a-z]{5}$/);
    assert.deepEqual(pending.template?.containers?.[0]?.args, ['--start-date=2026-01-01', '--end-date=2026-01-07']);
    assert.equal(seconds(pending.template?.timeout), 300);
    assert.deepEqual([pending.taskCount, pending.runningCount, pending.succeededCount], [2, 0, 0]);
    assert.equal(pending.startTime, null);
    assert.deepEqual(pending.labels, { 'commit-sha': 'aaaa111', team: 'grading' });
    assert.equal(pending.reconciling, true);

    // Tasks run one at a time (the template's parallelism is 1): 1 s to start, 10 s each.
    await emulator.control('clock', { advanceMs: 2_000 });
    const [running] = await clients.executions.getExecution({ name: started.name });
    assert.deepEqual([running.runningCount, running.succeededCount, running.failedCount], [1, 0, 0]);
    assert.ok(running.startTime);
    assert.equal(running.completionTime, null);
    await emulator.control('clock', { advanceMs: 10_000 });
    const [halfway] = await clients.executions.getExecution({ name: started.name });
    assert.deepEqual([halfway.runningCount, halfway.succeededCount], [1, 1]);

    const [job] = await clients.jobs.getJob({ name: BACKFILL });
    assert.equal(job.latestCreatedExecution?.name, started.name);
    assert.equal(job.latestCreatedExecution?.completionStatus, 'EXECUTION_RUNNING');

    await emulator.control('clock', { advanceMs: 10_000 });
    const [execution] = await operation.promise();
    assert.equal(execution.name, started.name);
    assert.deepEqual([execution.runningCount, execution.succeededCount, execution.failedCount], [0, 2, 0]);
    assert.equal(seconds(execution.completionTime) - seconds(execution.startTime), 20);
  });

  test('an execution keeps the labels its template had when it started, whatever is deployed later', async () => {
    const [operation] = await clients.jobs.runJob({ name: BACKFILL });
    const name = (operation.metadata as unknown as { name: string }).name;
    await emulator.control('deploy-job', { project: PROJECT, region: REGION, job: 'grading-backfill', labels: { 'commit-sha': 'dddd444' } });
    const [job] = await clients.jobs.getJob({ name: BACKFILL });
    assert.equal(job.template?.labels?.['commit-sha'], 'dddd444');
    assert.equal(job.generation, '2');
    const [execution] = await clients.executions.getExecution({ name });
    assert.equal(execution.labels?.['commit-sha'], 'aaaa111');
    assert.deepEqual(execution.template?.containers?.[0]?.args, ['--dry-run=false']);
  });

  test('a failing run plan fails the execution: the operation rejects with the failure, the counts say which task', async () => {
    await emulator.control('execution-plan', { project: PROJECT, region: REGION, job: 'grading-backfill', failTasks: [0], failMessage: 'BigQuery quota exceeded' });
    const [operation] = await clients.jobs.runJob({ name: BACKFILL });
    await emulator.control('clock', { advanceMs: 30_000 });
    const failure = await rejection(operation.promise());
    assert.match(failure.message, /Task grading-backfill-[a-z]{5}-task0 failed with message: BigQuery quota exceeded/);
    const [execution] = await clients.executions.getExecution({ name: (operation.metadata as unknown as { name: string }).name });
    assert.deepEqual([execution.failedCount, execution.succeededCount], [1, 0]);
  });

  test('fail-execution fails a running execution now; a finished one cannot be failed', async () => {
    const [operation] = await clients.jobs.runJob({ name: BACKFILL, overrides: { taskCount: 3 } });
    const name = (operation.metadata as unknown as { name: string }).name;
    await emulator.control('clock', { advanceMs: 5_000 });
    const failed = (await emulator.control('fail-execution', { project: PROJECT, region: REGION, job: 'grading-backfill', message: 'killed by the test' })) as { task: number; status: string };
    assert.equal(failed.task, 0);
    const [now] = await clients.executions.getExecution({ name });
    assert.deepEqual([now.failedCount, now.runningCount], [1, 1]);
    await emulator.control('clock', { advanceMs: 60_000 });
    const [done] = await clients.executions.getExecution({ name });
    assert.deepEqual([done.failedCount, done.succeededCount], [1, 2]);
    assert.match(done.conditions?.find((c) => c.type === 'Completed')?.message ?? '', /task0 failed with message: killed by the test/);
    await assert.rejects(emulator.control('fail-execution', { project: PROJECT, region: REGION, job: 'grading-backfill' }), /has already completed \(failed\)/);
  });

  test('CancelExecution stops a running execution: the tasks left are cancelled and its operation completes', async () => {
    const [run] = await clients.jobs.runJob({ name: BACKFILL, overrides: { taskCount: 3 } });
    const name = (run.metadata as unknown as { name: string }).name;
    await emulator.control('clock', { advanceMs: 12_000 });
    const [cancel] = await clients.executions.cancelExecution({ name });
    const [cancelled] = await cancel.promise();
    assert.deepEqual([cancelled.succeededCount, cancelled.cancelledCount, cancelled.failedCount, cancelled.runningCount], [1, 2, 0, 0]);
    // An operation's result is decoded from an Any, which leaves enums as the numbers the server sent.
    assert.equal(cancelled.conditions?.find((c) => c.type === 'Completed')?.executionReason, 3);
    const [read] = await clients.executions.getExecution({ name });
    assert.equal(read.conditions?.find((c) => c.type === 'Completed')?.executionReason, 'CANCELLED');
    const [job] = await clients.jobs.getJob({ name: BACKFILL });
    assert.equal(job.latestCreatedExecution?.completionStatus, 'EXECUTION_CANCELLED');
    const again = await rejection(clients.executions.cancelExecution({ name }));
    assert.equal(again.code, 3);
    assert.match(again.message, /already completed \(cancelled\)/);
  });

  test('a job whose deploy failed cannot run; a deploy that reconciles settles with the clock', async () => {
    const refused = await rejection(clients.jobs.runJob({ name: BROKEN }));
    assert.equal(refused.code, 3);
    assert.match(refused.message, /broken-backfill' is not ready/);

    await emulator.control('deploy-job', { project: PROJECT, region: REGION, job: 'grading-backfill', labels: { 'commit-sha': 'eeee555' }, reconcilingMs: 30_000 });
    const [rolling] = await clients.jobs.getJob({ name: BACKFILL });
    assert.equal(rolling.reconciling, true);
    assert.equal(rolling.terminalCondition?.state, 'CONDITION_RECONCILING');
    await emulator.control('clock', { advanceMs: 30_000 });
    const [settled] = await clients.jobs.getJob({ name: BACKFILL });
    assert.equal(settled.reconciling, false);
    assert.equal(settled.terminalCondition?.state, 'CONDITION_SUCCEEDED');

    await emulator.control('deploy-job', { project: PROJECT, region: REGION, job: 'grading-backfill', labels: { 'commit-sha': 'ffff666' }, ready: false, message: 'Image not found.' });
    const [failed] = await clients.jobs.getJob({ name: BACKFILL });
    assert.equal(failed.terminalCondition?.state, 'CONDITION_FAILED');
    assert.equal(failed.terminalCondition?.message, 'Image not found.');
    assert.equal(failed.template?.labels?.['commit-sha'], 'ffff666');
  });

  test('executions write cloud_run_job log entries labelled with the execution, as they happen', async () => {
    const [operation] = await clients.jobs.runJob({ name: BACKFILL, overrides: { containerOverrides: [{ args: ['--start-date=2026-01-03'] }] } });
    const execution = (operation.metadata as unknown as { name: string }).name.split('/').pop()!;
    const filter = `resource.type="cloud_run_job" AND resource.labels.job_name="grading-backfill" AND labels."run.googleapis.com/execution_name"="${execution}" AND timestamp>="2000-01-01T00:00:00Z"`;
    const texts = async (): Promise<string[]> => {
      const [entries] = await clients.logging.getEntries({ filter, orderBy: 'timestamp asc' });
      return entries.map((e) => String(e.data));
    };
    assert.deepEqual(await texts(), []);
    await emulator.control('clock', { advanceMs: 5_000 });
    assert.deepEqual(await texts(), [`Starting task 0 of execution ${execution}.`, 'Task 1/1 started with --start-date=2026-01-03']);
    await emulator.control('clock', { advanceMs: 10_000 });
    const all = await texts();
    assert.deepEqual(all.slice(2), ['Task 1/1 done', 'Container called exit(0).', `Execution ${execution} has completed successfully.`]);
    const [entries] = await clients.logging.getEntries({ filter, orderBy: 'timestamp asc' });
    assert.deepEqual(entries[0]?.metadata.resource?.labels, { project_id: PROJECT, job_name: 'grading-backfill', location: REGION });
  });

  test('listJobs and listExecutions page; executions are listed newest first', async () => {
    for (let i = 0; i < 3; i++) await clients.jobs.runJob({ name: BACKFILL });
    const [all] = await clients.executions.listExecutions({ parent: BACKFILL });
    assert.equal(all.length, 5);
    assert.deepEqual(all.slice(3).map((e) => e.name?.split('/').pop()), ['grading-backfill-broke', 'grading-backfill-older']);
    const [firstPage, next] = await clients.executions.listExecutions({ parent: BACKFILL, pageSize: 2 }, { autoPaginate: false });
    assert.equal(firstPage.length, 2);
    assert.ok(next?.pageToken);
    const [secondPage] = await clients.executions.listExecutions({ parent: BACKFILL, pageSize: 2, pageToken: next.pageToken }, { autoPaginate: false });
    assert.deepEqual([...firstPage, ...secondPage].map((e) => e.name), all.slice(0, 4).map((e) => e.name));

    const [jobsPage, nextJobs] = await clients.jobs.listJobs({ parent: PARENT, pageSize: 2 }, { autoPaginate: false });
    assert.deepEqual(jobsPage.map((j) => j.name?.split('/').pop()), ['grading-backfill', 'broken-backfill']);
    const [allJobs] = await clients.jobs.listJobs({ parent: PARENT, pageSize: 2 });
    assert.equal(allJobs.length, 3);
    assert.ok(nextJobs?.pageToken);
  });

  test('unknown jobs and executions answer NOT_FOUND; faults apply to jobs by name', async () => {
    const missing = await rejection(clients.jobs.getJob({ name: `${PARENT}/jobs/ghost` }));
    assert.equal(missing.code, 5);
    assert.match(missing.message, /'ghost' of kind 'JOB'/);
    const missingExecution = await rejection(clients.executions.getExecution({ name: `${BACKFILL}/executions/grading-backfill-zzzzz` }));
    assert.equal(missingExecution.code, 5);
    await emulator.control('faults', { rules: [{ api: 'run', service: 'broken-backfill', operation: 'getJob', httpStatus: 403, message: 'caller lacks run.jobs.get' }] });
    const denied = await rejection(clients.jobs.getJob({ name: BROKEN }));
    assert.equal(denied.code, 7);
    const [fine] = await clients.jobs.getJob({ name: BACKFILL });
    assert.equal(fine.name, BACKFILL);
  });

  test('bad overrides and bad control payloads are refused, naming the field', async () => {
    const tooMany = await rejection(clients.jobs.runJob({ name: BACKFILL, overrides: { taskCount: 20_000 } }));
    assert.equal(tooMany.code, 3);
    assert.match(tooMany.message, /overrides\.taskCount/);
    await assert.rejects(emulator.control('deploy-job', { project: PROJECT, region: REGION, job: 'Bad_Name' }), /\$\.job: expected a Cloud Run job name/);
    await assert.rejects(emulator.control('execution-plan', { project: PROJECT, region: REGION, job: 'grading-backfill', failTask: [0] }), /\$\.failTask: expected one of the keys/);
    await assert.rejects(emulator.control('fail-execution', { project: PROJECT, region: REGION, job: 'ghost' }), /'ghost' of kind 'JOB'/);
  });
});

describe('Cloud Run jobs in the scenario', () => {
  test('a malformed job names the JSON path; an execution must be named after its job', async () => {
    await assert.rejects(startEmulator({ port: 0, scenario: { run: { project: PROJECT, region: REGION, jobs: [{ name: 'ok', template: { taskCount: 0 } }] } } }), /\$\.run\.jobs\[0\]\.template\.taskCount: expected an integer from 1/);
    await assert.rejects(startEmulator({ port: 0, scenario: { run: { project: PROJECT, region: REGION, jobs: [{ name: 'ok', executions: [{ name: 'other-abcde' }] }] } } }), /\$\.run\.jobs\[0\]\.executions\[0\]\.name: expected an execution name starting with "ok-"/);
    await assert.rejects(startEmulator({ port: 0, scenario: { run: { jobs: [{ name: 'ok' }] } } }), /\$\.run\.jobs\[0\]\.project/);
  });

  test('a project that has only jobs exists: its services list is empty, not NOT_FOUND', async () => {
    const emulator = await startEmulator({ port: 0, scenario: { run: { jobs: [{ project: 'jobs-only', region: REGION, name: 'solo' }] } }, modules: { logging: false, bigquery: false } });
    try {
      const services = await fetch(`${emulator.httpUrl}/v2/projects/jobs-only/locations/${REGION}/services`);
      assert.equal(services.status, 200);
    } finally {
      await emulator.close();
    }
  });
});
