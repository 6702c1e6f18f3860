// Data jobs that execute a Cloud Run job: the CLI's `job` (run in this process, so its clock can be
// the emulator's) and the reader's runJob / getExecution / cancelExecution, through the real
// @google-cloud/run clients (REST) and the real Logging client (gRPC) against the emulator, with real
// git. The follow loop's clock moves the emulator's clock: executions progress without anyone sleeping.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { v2 } from '@google-cloud/run';
import { PassThroughClient } from 'google-auth-library';
import { main } from '../../src/cli/main';
import { createCloudRunReader, type CloudRunReader } from '../../src/core/google/cloudrun';
import { checkServices } from '../../src/core/check';
import { loadConfig, type DriftConfig } from '../../src/core/config';
import { GitRepository } from '../../src/core/git/repository';
import { followExecution, executionExitCode, type ExecutionClock, type FollowEvent } from '../../src/core/jobs/followExecution';
import { jobExecutionArgs } from '../../src/core/jobs/job';
import { createLogSource, type LogSource } from '../../src/core/logs';
import { TemplateError } from '../../src/core/text/shellTemplate';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { heldRuns, withHeldRuns } from '../../src/core/jobs/runs';
import { jobRunRow } from '../../src/extension/jobs/jobPresentation';
import { JobRuns } from '../../src/extension/jobs/jobRuns';
import { createTempRepo, type TempRepo } from '../helpers/repo';

const PROJECT = 'demo-project';
const REGION = 'us-west2';
const BACKFILL = `projects/${PROJECT}/locations/${REGION}/jobs/grading-backfill`;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

describe('data jobs that execute a Cloud Run job', () => {
  let repo: TempRepo;
  let emulator: RunningEmulator;
  let config: DriftConfig;
  let reader: CloudRunReader;
  let executions: v2.ExecutionsClient;
  let logs: LogSource;
  const commits: Record<string, string> = {};

  /** Each sleep moves the emulator's clock by as much, then lets the event loop turn once. */
  const emulatorClock: ExecutionClock = {
    now: () => emulator.clock.now(),
    sleep: async (ms) => {
      emulator.clock.advance(ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
  };

  const cli = async (args: string[], interrupt?: AbortSignal): Promise<CliRun> => {
    let stdout = '';
    let stderr = '';
    const code = await main(
      [...args, '--config', `${repo.dir}/cloud-run-drift.json`],
      { out: (text) => (stdout += `${text}\n`), err: (text) => (stderr += `${text}\n`), color: false },
      { clock: emulatorClock, ...(interrupt ? { interrupt } : {}) },
    );
    return { code, stdout, stderr };
  };

  /** The executions of a job, newest first, as the API lists them. */
  const executionNames = async (job = BACKFILL): Promise<string[]> => {
    const [listed] = await executions.listExecutions({ parent: job }, { autoPaginate: false });
    return listed.map((e) => e.name!.split('/').pop()!);
  };

  before(async () => {
    repo = createTempRepo();
    commits.old = repo.commit('backfill: first version', { 'jobs/grading/main.py': '1', 'README.md': '1' });
    commits.head = repo.commit('backfill: grade pushes', { 'jobs/grading/main.py': '2' });
    emulator = await startEmulator({
      port: 0,
      scenario: {
        run: {
          project: PROJECT,
          region: REGION,
          jobs: [
            { name: 'grading-backfill', labels: { 'commit-sha': commits.head! }, template: { args: ['--dry-run'] }, run: { startDelayMs: 1_000, taskDurationMs: 10_000 } },
            { name: 'stale-backfill', labels: { 'commit-sha': commits.old! } },
          ],
        },
      },
      modules: { bigquery: false },
    });
    const file = `${repo.dir}/cloud-run-drift.json`;
    fs.writeFileSync(
      file,
      JSON.stringify({
        project: PROJECT,
        region: REGION,
        services: { 'grading-backfill': { kind: 'job', paths: ['jobs/grading'] }, 'stale-backfill': { kind: 'job', paths: ['jobs/grading'] } },
        jobs: {
          grade: { cloudRunJob: 'grading-backfill', args: ['--start-date=${startDate}', '--end-date=${endDate}', '--project=${project}'], taskCount: 2, timeout: '30m' },
          'grade-stale': { cloudRunJob: 'stale-backfill', args: ['--start-date=${startDate}', '--end-date=${endDate}'] },
        },
        endpoints: { run: emulator.httpUrl, logging: emulator.grpcAddress },
      }),
      { mode: 0o600 },
    );
    config = await loadConfig(file);
    reader = createCloudRunReader(config.endpoints);
    executions = new v2.ExecutionsClient({ apiEndpoint: '127.0.0.1', port: emulator.httpPort, protocol: 'http', fallback: true, authClient: new PassThroughClient() });
    logs = await createLogSource({ projects: [PROJECT], endpoint: emulator.grpcAddress });
  });
  beforeEach(async () => {
    await emulator.control('reset');
    await emulator.control('clear-faults');
  });
  after(async () => {
    await logs?.close();
    await executions?.close();
    await reader?.close();
    await emulator?.close();
    repo?.cleanup();
  });

  test('job follows the execution to its end: the overrides reach it exactly, its status and log entries are shown, exit 0', async () => {
    const run = await cli(['job', 'grade', '--start-date', '2026-01-24', '--end-date', '2026-01-25']);
    assert.equal(run.code, 0, run.stderr);
    const [name] = await executionNames();
    assert.ok(name, 'an execution was started');
    const [execution] = await executions.getExecution({ name: `${BACKFILL}/executions/${name}` });
    assert.deepEqual(execution.template?.containers?.[0]?.args, ['--start-date=2026-01-24', '--end-date=2026-01-25', '--project=demo-project']);
    assert.equal(execution.taskCount, 2);
    assert.equal(Number(execution.template?.timeout?.seconds), 1800);
    assert.equal(execution.succeededCount, 2);

    assert.match(run.stderr, /✓ the Cloud Run job grading-backfill runs HEAD's code for its paths/);
    assert.match(run.stderr, new RegExp(`Started ${name} of grading-backfill \\(demo-project/us-west2\\) with \\["--start-date=2026-01-24","--end-date=2026-01-25","--project=demo-project"\\]`));
    // The job runs one task at a time (its parallelism): each change of the counts is one line.
    assert.match(
      run.stderr,
      new RegExp(
        [
          `${name}: pending \\(tasks: 0 running, 0 succeeded, 0 failed of 2\\)`,
          `${name}: running \\(tasks: 1 running, 0 succeeded, 0 failed of 2\\)`,
          `${name}: running \\(tasks: 1 running, 1 succeeded, 0 failed of 2\\)`,
          `${name}: succeeded \\(tasks: 0 running, 2 succeeded, 0 failed of 2\\)`,
          `${name} succeeded in 20s`,
        ].join('\n'),
      ),
    );
    // Every entry the execution wrote, each once, in order.
    const lines = run.stdout.trimEnd().split('\n').map((line) => line.replace(/^\S+ /, ''));
    const started = '--start-date=2026-01-24 --end-date=2026-01-25 --project=demo-project';
    assert.deepEqual(lines, [
      `INFO      ${name} Starting task 0 of execution ${name}.`,
      `INFO      ${name} Task 1/2 started with ${started}`,
      `INFO      ${name} Task 1/2 done`,
      `INFO      ${name} Container called exit(0).`,
      `INFO      ${name} Starting task 1 of execution ${name}.`,
      `INFO      ${name} Task 2/2 started with ${started}`,
      `INFO      ${name} Task 2/2 done`,
      `INFO      ${name} Container called exit(0).`,
      `INFO      ${name} Execution ${name} has completed successfully.`,
    ]);
  });

  test('hostile dates are refused before any call: nothing reaches the Run API', async () => {
    // A rule that matches every Run request and counts it down: untouched means no request arrived.
    await emulator.control('faults', { rules: [{ api: 'run', times: 1_000_000 }] });
    for (const hostile of ['2026-01-01,--evil', '$(id)', '2026-01-01 --evil', '2026-01-01\n--evil']) {
      const run = await cli(['job', 'grade', '--start-date', hostile, '--end-date', '2026-01-02']);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /start date: expected a date as YYYY-MM-DD/);
    }
    // Past the CLI's date parsing, the expansion itself refuses them.
    const job = config.jobs.find((j) => j.name === 'grade')!;
    for (const hostile of ['2026-01-01,--evil', '$(id)']) {
      assert.throws(
        () => jobExecutionArgs(config, job, { start: hostile, end: '2026-01-02', days: 2 }),
        (err: unknown) => err instanceof TemplateError && err.variable === 'startDate' && /\$\.jobs\.grade\.args: \$\{startDate\} would be .*expected a date as YYYY-MM-DD.*the job was not started/.test(err.message),
      );
    }
    assert.equal(emulator.faults.list()[0]?.times, 1_000_000, 'no request reached the Run API');
    assert.deepEqual(await executionNames(), []);
  });

  test('a stale Cloud Run job is refused with "Deploy the job first" (exit 4) and nothing is started; --force runs it', async () => {
    const refused = await cli(['job', 'grade-stale', '--start-date', '2026-01-24', '--end-date', '2026-01-24']);
    assert.equal(refused.code, 4, refused.stderr);
    assert.match(refused.stderr, /✗ The Cloud Run job stale-backfill is stale, 1 commit behind: .* Deploy the job first\./);
    assert.match(refused.stderr, /grade-stale was not started \(refused by its guards\); --force runs it anyway/);
    assert.deepEqual(await executionNames(`projects/${PROJECT}/locations/${REGION}/jobs/stale-backfill`), []);

    const forced = await cli(['job', 'grade-stale', '--start-date', '2026-01-24', '--end-date', '2026-01-24', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((await executionNames(`projects/${PROJECT}/locations/${REGION}/jobs/stale-backfill`)).length, 1);
  });

  test('a failed execution ends the job with exit 1 and its failure message', async () => {
    await emulator.control('execution-plan', { project: PROJECT, region: REGION, job: 'grading-backfill', failTasks: [1], failMessage: 'KeyError: game_date' });
    const run = await cli(['job', 'grade', '--start-date', '2026-01-24', '--end-date', '2026-01-24']);
    assert.equal(run.code, 1, run.stderr);
    const [name] = await executionNames();
    assert.match(run.stderr, new RegExp(`grade failed: ${name}: Task ${name}-task1 failed with message: KeyError: game_date`));
    assert.match(run.stdout, /ERROR +\S+ KeyError: game_date/);
  });

  test("the Data Jobs view's last runs come from the executions Cloud Run holds, filtered to the job's arguments: a new window shows them, one still running as in progress until a later check sees it end", async () => {
    assert.equal((await cli(['job', 'grade', '--start-date', '2026-01-24', '--end-date', '2026-01-25'])).code, 0);
    await emulator.control('execution-plan', { project: PROJECT, region: REGION, job: 'grading-backfill', failTasks: [0], failMessage: 'KeyError: game_date' });
    assert.equal((await cli(['job', 'grade', '--start-date', '2026-01-26', '--end-date', '2026-01-26'])).code, 1);
    // Started by hand with other arguments: not a run of this data job. Started from the CLI and still running: a run in progress.
    await emulator.control('execution-plan', { project: PROJECT, region: REGION, job: 'grading-backfill', failTasks: [] });
    const byHand = await reader.runJob!({ project: PROJECT, region: REGION, name: 'grading-backfill' }, { args: ['--dry-run'] });
    emulator.clock.advance(60_000);
    const running = await cli(['job', 'grade', '--start-date', '2026-01-27', '--end-date', '2026-01-27', '--no-wait']);
    assert.equal(running.code, 0, running.stderr);
    emulator.clock.advance(3_000);
    const [newest, failed, succeeded] = (await executionNames()).filter((name) => name !== byHand.name);
    assert.equal(running.stdout, `${newest}\n`);

    // What a window that ran none of them holds: the check's verdict of the job, read with the real client.
    const git = await GitRepository.open(repo.dir);
    const job = config.jobs.find((j) => j.name === 'grade')!;
    const runsSeenByCheck = async () => {
      const result = await checkServices(config, { reader, git });
      const verdict = result.services.find((s) => s.name === 'grading-backfill');
      assert.equal(verdict?.executions?.length, 4);
      return withHeldRuns(new JobRuns().get('grade'), heldRuns(job, verdict!.executions!));
    };
    const state = await runsSeenByCheck();
    assert.deepEqual(
      state.recent.map((r) => [r.execution?.name, `${r.range.start}..${r.range.end}`, r.result.kind, r.execution?.commit, typeof r.execution?.durationMs]),
      [
        [newest, '2026-01-27..2026-01-27', 'running', commits.head, 'object'],
        [failed, '2026-01-26..2026-01-26', 'failed', commits.head, 'number'],
        [succeeded, '2026-01-24..2026-01-25', 'succeeded', commits.head, 'number'],
      ],
    );
    // 1 s to start, then the first of its 2 tasks runs (the emulator's clock also runs on in real time).
    assert.match(jobRunRow(state.recent[0]!, new Date(emulator.clock.now())).description, new RegExp(`^running · \\d+s so far · tasks: 1 running, 0 succeeded, 0 failed of 2 · ran ${commits.head!.slice(0, 12)}$`));
    // A data job whose template differs (no --project) finds none of them its own.
    const verdict = (await checkServices(config, { reader, git })).services.find((s) => s.name === 'grading-backfill');
    assert.deepEqual(heldRuns(config.jobs.find((j) => j.name === 'grade-stale')!, verdict!.executions!), []);

    // Both tasks done (10 s each): the next check sees it succeeded, in the same place.
    emulator.clock.advance(30_000);
    const later = await runsSeenByCheck();
    assert.deepEqual(later.recent.map((r) => [r.execution?.name, r.result.kind]), [[newest, 'succeeded'], [failed, 'failed'], [succeeded, 'succeeded']]);
    assert.match(jobRunRow(later.last!, new Date(emulator.clock.now())).description, new RegExp(`^succeeded · 20s · ran ${commits.head!.slice(0, 12)} · `));
  });

  test('--no-wait prints the execution name and returns while it runs', async () => {
    const run = await cli(['job', 'grade', '--start-date', '2026-01-24', '--end-date', '2026-01-24', '--no-wait']);
    assert.equal(run.code, 0, run.stderr);
    const [name] = await executionNames();
    assert.equal(run.stdout, `${name}\n`);
    const [execution] = await executions.getExecution({ name: `${BACKFILL}/executions/${name}` });
    assert.equal(execution.completionTime, null, 'still running');
  });

  test('Ctrl-C stops following; the execution goes on and the CLI says how to follow or cancel it (exit 3)', async () => {
    const interrupt = new AbortController();
    interrupt.abort();
    const run = await cli(['job', 'grade', '--start-date', '2026-01-24', '--end-date', '2026-01-24'], interrupt.signal);
    assert.equal(run.code, 3, run.stderr);
    const [name] = await executionNames();
    assert.match(run.stderr, new RegExp(`stopped following ${name}; it goes on running in Cloud Run\\. Follow it: cloud-run-drift logs grading-backfill --execution ${name} --follow; cancel it: gcloud run jobs executions cancel ${name} --region us-west2 --project demo-project`));
  });

  test('runJob returns the execution as it started, without waiting; cancelExecution ends it as cancelled, exit status 1', async () => {
    const ref = { project: PROJECT, region: REGION, name: 'grading-backfill' };
    const started = await reader.runJob!(ref, { args: ['--start-date=2026-01-24'], taskCount: 3, timeoutSeconds: 60 });
    assert.match(started.name, /^grading-backfill-/);
    assert.equal(started.status, 'pending');
    assert.deepEqual(started.args, ['--start-date=2026-01-24']);
    assert.equal(started.tasks.total, 3);

    const events: FollowEvent[] = [];
    let polls = 0;
    const clock: ExecutionClock = {
      now: emulatorClock.now,
      sleep: async (ms, signal) => {
        // The second poll finds the tasks running; then the execution is cancelled.
        if (++polls === 2) await reader.cancelExecution!({ ...ref, execution: started.name });
        await emulatorClock.sleep(ms, signal);
      },
    };
    const result = await followExecution({ getExecution: (r, o) => reader.getExecution!(r, o), logs, clock }, { ...ref, execution: started.name }, { started, onEvent: (e) => events.push(e) });
    assert.equal(result.outcome, 'cancelled');
    assert.equal(executionExitCode(result.outcome), 1);
    assert.deepEqual(result.execution?.tasks, { total: 3, running: 0, succeeded: 0, failed: 0, cancelled: 3 });
    const statuses = events.flatMap((e) => (e.type === 'status' ? [`${e.execution.status} ${e.execution.tasks.running}/${e.execution.tasks.cancelled}`] : []));
    // One task at a time (the job's parallelism): the running one and the two not started are cancelled.
    assert.deepEqual(statuses, ['pending 0/0', 'running 1/0', 'cancelled 0/3']);
    const texts = events.flatMap((e) => (e.type === 'entries' ? e.entries.map((entry) => entry.text) : []));
    assert.equal(texts[texts.length - 1], `Execution ${started.name} was cancelled.`);
    assert.equal(events[events.length - 1]?.type, 'end');

    await assert.rejects(reader.getExecution!({ ...ref, execution: 'grading-backfill-nope1' }), { code: 5, message: 'execution grading-backfill-nope1 of grading-backfill does not exist in demo-project/us-west2' });
  });
});
