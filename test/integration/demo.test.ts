// The demo end to end: the workspace's git history, the seeded emulator, the built CLI's verdicts,
// and the workspace's deploy script (including the deploys that lie about succeeding).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BigQuery } from '@google-cloud/bigquery';
import { v2 } from '@google-cloud/run';
import { PassThroughClient } from 'google-auth-library';
import { loadConfig } from '../../src/core/config';
import { buildDemoWorkspace, CLI_PATH, startDemo, type RunningDemo } from '../../src/emulator/demo';

const REPO_ROOT = path.resolve(__dirname, '../..');
const BACKFILL = 'player-game-summary-analytics-backfill';

interface CheckJson {
  head: string;
  services: {
    name: string;
    kind: string;
    status: string;
    commitsBehind: number | null;
    latestCreatedRevision: string | null;
    commitLabel: string | null;
    message: string;
    lastExecution?: {
      name: string;
      status: string;
      commit: string | null;
      commitLabel: string | null;
      commitsBehind: number | null;
      startTime: string | null;
      completionTime: string | null;
      tasks: { succeeded: number; failed: number; total: number };
      message: string | null;
    } | null;
  }[];
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program without blocking the event loop: the emulator it talks to lives in this process. */
function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function check(dir: string): Promise<{ code: number | null; result: CheckJson }> {
  const { code, stdout, stderr } = await run(process.execPath, [CLI_PATH, 'check', '--json'], { cwd: dir });
  assert.ok(stdout.trim().startsWith('{'), `check --json printed no JSON (exit ${code}): ${stdout}${stderr}`);
  return { code, result: JSON.parse(stdout) as CheckJson };
}

function statusOf(result: CheckJson, service: string): string | undefined {
  return result.services.find((s) => s.name === service)?.status;
}

describe('demo', () => {
  let demo: RunningDemo;
  let dir: string;

  before(async () => {
    if (!fs.existsSync(CLI_PATH)) {
      // The CLI is the lead's; build it when this checkout has not been built yet.
      const build = await run(process.execPath, [path.join(REPO_ROOT, 'esbuild.mjs')], { cwd: REPO_ROOT });
      assert.equal(build.code, 0, build.stderr);
    }
    demo = await startDemo({ port: 0 });
    dir = demo.workspace.dir;
  });
  after(async () => {
    await demo?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the workspace is a clean git monorepo with dozens of commits and a valid configuration', async () => {
    const { workspace } = demo;
    assert.ok(workspace.commitCount >= 60, `${workspace.commitCount} commits`);
    for (const folder of ['predictions/coordinator', 'predictions/worker', 'shared', 'scrapers', 'data_processors/analytics', 'data_processors/precompute', 'orchestration/phase3_to_phase4', 'orchestration/phase5b_grading', 'bin', 'backfill_jobs/grading']) {
      assert.ok(fs.statSync(path.join(dir, folder)).isDirectory(), folder);
    }
    assert.equal((await run('git', ['status', '--porcelain'], { cwd: dir })).stdout, '');
    assert.equal((await run('git', ['rev-parse', 'HEAD'], { cwd: dir })).stdout.trim(), workspace.head);
    const authors = new Set((await run('git', ['log', '--format=%an'], { cwd: dir })).stdout.trim().split('\n'));
    assert.ok(authors.size >= 3, 'several authors');
    const dates = (await run('git', ['log', '--format=%at'], { cwd: dir })).stdout.trim().split('\n').map(Number);
    assert.ok((dates[0]! - dates[dates.length - 1]!) / 86_400 >= 10, 'history spread over days');
    assert.ok(dates[0]! * 1000 < Date.now(), 'no commits from the future');
    assert.ok((fs.statSync(path.join(dir, 'bin/deploy-service.sh')).mode & 0o111) !== 0, 'deploy script is executable');

    const config = await loadConfig(workspace.configFile);
    assert.deepEqual(config.services.map((s) => [s.name, s.kind, s.paths]), [
      ['prediction-coordinator', 'service', ['predictions/coordinator', 'shared']],
      ['prediction-worker', 'service', ['predictions/worker', 'shared']],
      ['nba-phase1-scrapers', 'service', ['scrapers']],
      ['nba-phase3-analytics-processors', 'service', ['data_processors/analytics', 'shared']],
      ['nba-phase4-precompute-processors', 'service', ['data_processors/precompute', 'shared']],
      ['phase3-to-phase4-orchestrator', 'function', ['orchestration/phase3_to_phase4']],
      ['phase5b-grading', 'function', ['orchestration/phase5b_grading']],
      ['player-game-summary-analytics-backfill', 'job', ['backfill_jobs/analytics/player_game_summary', 'data_processors/analytics', 'shared']],
      ['grading-backfill', 'job', ['backfill_jobs/grading']],
    ]);
    // The grading backfill both ways: the local command, and an execution of the Cloud Run job of the same name.
    assert.deepEqual(config.jobs.map((j) => j.name), ['grading-backfill', 'grading-backfill-cloud-run']);
    const [command, cloudRun] = config.jobs;
    assert.match(command?.command ?? '', /^node backfill_jobs\/grading\/prediction_accuracy\/grading_backfill\.mjs /);
    assert.equal(cloudRun?.command, undefined);
    assert.deepEqual(cloudRun?.cloudRunJob, { unit: 'grading-backfill', args: ['--start-date=${startDate}', '--end-date=${endDate}'], taskCount: undefined, timeoutSeconds: undefined });
    // Guarded, scored and limited alike.
    const shared = (job: typeof command) => job && { requires: job.requires, table: job.table, maxDays: job.maxDays, scoreboard: job.scoreboard, scoreboardRange: job.scoreboardRange };
    assert.deepEqual(shared(cloudRun), shared(command));
    assert.deepEqual(shared(command)?.requires, ['prediction-coordinator']);
    assert.deepEqual(shared(command)?.scoreboardRange, { start: '2026-01-24', end: '2026-01-28' });
    assert.ok(fs.existsSync(path.join(dir, 'backfill_jobs/grading/prediction_accuracy/grading.mjs')), 'the script ships with the grading code it imports');
    assert.equal(config.endpoints.functions, demo.emulator.httpUrl);
    assert.equal(config.commitLabel, 'commit-sha');
    assert.equal(config.deployCommands[0]?.template, './bin/deploy-service.sh ${service}');
    assert.deepEqual(config.logFilters, { Errors: 'severity>=ERROR', MERGE: 'textPayload=~"MERGE"' });
    assert.equal(config.endpoints.run, demo.emulator.httpUrl);
    assert.equal(config.endpoints.logging, demo.emulator.grpcAddress);

    // The log tracebacks point at these lines; they must be there in the repository.
    assert.equal(fs.readFileSync(path.join(dir, 'predictions/coordinator/coordinator.py'), 'utf8').split('\n')[211], '        result = self.consolidator.run_merge(batch_id, staging_tables)');
    assert.equal(fs.readFileSync(path.join(dir, 'predictions/coordinator/batch_consolidator.py'), 'utf8').split('\n')[147], '        merge_job.result(timeout=300)');
  });

  test('Cloud Run reports each service at the commit the workspace says, labelled with short SHAs', async () => {
    const services = new v2.ServicesClient({ apiEndpoint: '127.0.0.1', port: demo.emulator.httpPort, protocol: 'http', fallback: true, authClient: new PassThroughClient() });
    const revisions = new v2.RevisionsClient({ apiEndpoint: '127.0.0.1', port: demo.emulator.httpPort, protocol: 'http', fallback: true, authClient: new PassThroughClient() });
    try {
      for (const expected of demo.workspace.services) {
        const [service] = await services.getService({ name: `projects/nba-props-platform/locations/us-west2/services/${expected.name}` });
        assert.equal(service.trafficStatuses?.[0]?.revision, expected.servingRevision);
        const [revision] = await revisions.getRevision({ name: `${service.name}/revisions/${expected.servingRevision}` });
        assert.equal(revision.labels?.['commit-sha'], expected.deployedShort);
        assert.match(revision.labels?.['deployed-at'] ?? '', /^\d{4}-\d{2}-\d{2}t\d{2}-\d{2}-\d{2}z$/);
        const short = (await run('git', ['rev-parse', '--short', expected.deployedCommit], { cwd: dir })).stdout.trim();
        assert.equal(expected.deployedShort, short);
      }
      const coordinator = demo.workspace.services.find((s) => s.name === 'prediction-coordinator')!;
      assert.equal(coordinator.servingRevision, 'prediction-coordinator-00117-m5r');
      assert.ok(coordinator.commitsBehind >= 24, `coordinator ${coordinator.commitsBehind} commits behind`);
      for (const other of demo.workspace.services.filter((s) => s.name !== 'prediction-coordinator')) assert.equal(other.commitsBehind, 0, other.name);
    } finally {
      await Promise.all([services.close(), revisions.close()]);
    }
  });

  test('check shows the coordinator stale, the grading function\'s failed build, and everything else up to date (exit 1)', async () => {
    await demo.emulator.control('reset');
    const { code, result } = await check(dir);
    assert.equal(code, 1);
    assert.equal(result.head, demo.workspace.head);
    const coordinator = result.services.find((s) => s.name === 'prediction-coordinator');
    assert.equal(coordinator?.status, 'stale');
    assert.equal(coordinator?.commitsBehind, demo.workspace.services[0]!.commitsBehind);
    for (const name of ['prediction-worker', 'nba-phase1-scrapers', 'nba-phase3-analytics-processors', 'nba-phase4-precompute-processors', 'phase3-to-phase4-orchestrator']) {
      assert.equal(statusOf(result, name), 'up-to-date', name);
    }
    const grading = result.services.find((s) => s.name === 'phase5b-grading')!;
    const seeded = demo.workspace.functions.find((f) => f.name === 'phase5b-grading')!;
    assert.equal(grading.kind, 'function');
    assert.equal(grading.status, 'deploy-failed');
    assert.equal(grading.commitsBehind, seeded.commitsBehind);
    assert.ok(seeded.commitsBehind >= 1);
    assert.match(grading.message, new RegExp(`^The last deploy of phase5b-grading failed: Build failed with status: FAILURE\\. .*numpy==2\\.4\\.0.*\\. ${seeded.servingRevision} still serves ${seeded.deployedCommit.slice(0, 8)}, ${seeded.commitsBehind} commits? behind\\.$`));
    assert.equal(seeded.failedBuild?.commit, demo.workspace.head);
  });

  test('where on the MERGE fix: not yet live in prediction-coordinator, then live after deploying it (exit 1, then 0)', async () => {
    await demo.emulator.control('reset');
    const fix = (await run('git', ['log', '--format=%H', '--grep', '^Fix MERGE: updated_at assigned more than once'], { cwd: dir })).stdout.trim();
    assert.match(fix, /^[0-9a-f]{40}$/);
    const where = async (): Promise<{ code: number | null; units: { name: string; state: string; since: string | null; revision: string | null }[] }> => {
      const { code, stdout, stderr } = await run(process.execPath, [CLI_PATH, 'where', fix.slice(0, 12), '--json'], { cwd: dir });
      assert.ok(stdout.trim().startsWith('{'), `where --json printed no JSON (exit ${code}): ${stdout}${stderr}`);
      return { code, units: (JSON.parse(stdout) as { units: { name: string; state: string; since: string | null; revision: string | null }[] }).units };
    };
    const before = await where();
    assert.equal(before.code, 1);
    assert.deepEqual(before.units.filter((u) => u.state !== 'not-affected').map((u) => [u.name, u.state]), [['prediction-coordinator', 'not-yet-live']]);
    const deploy = await run(path.join(dir, 'bin/deploy-service.sh'), ['prediction-coordinator'], { cwd: dir });
    assert.equal(deploy.code, 0, deploy.stderr);
    const after = await where();
    assert.equal(after.code, 0);
    const coordinator = after.units.find((u) => u.name === 'prediction-coordinator')!;
    assert.equal(coordinator.state, 'live');
    assert.match(coordinator.revision ?? '', /^prediction-coordinator-00118-[a-z0-9]{3}$/);
    assert.ok(coordinator.since !== null);
  });

  test('the rollback the walkthrough names: an up-to-date service with a ready previous revision; rollback --to it lists the commits it would stop serving and proves it serves (stale, rolled back); --to the serving one puts it back', async () => {
    await demo.emulator.control('reset');
    const { rollback } = demo.workspace;
    const seeded = demo.workspace.services.find((s) => s.name === rollback.service)!;
    assert.equal(rollback.service, 'nba-phase1-scrapers');
    assert.equal(seeded.commitsBehind, 0);
    assert.equal(rollback.serving.name, seeded.servingRevision);
    assert.notEqual(rollback.previous.commit, seeded.deployedCommit);
    const state = (await demo.emulator.control('state')) as { run: { services: { name: string; revisions: { name: string; state: string }[]; serving: { revision: string; percent: number }[] }[] } };
    const inCloudRun = state.run.services.find((s) => s.name === rollback.service)!;
    assert.deepEqual(inCloudRun.revisions.slice(-2).map((r) => [r.name, r.state]), [[rollback.previous.name, 'CONDITION_SUCCEEDED'], [rollback.serving.name, 'CONDITION_SUCCEEDED']]);
    const stopping = (await run('git', ['log', '--format=%h %s', '--abbrev=8', `${rollback.previous.commit}..${rollback.serving.commit}`, '--', ...seeded.paths], { cwd: dir })).stdout.trim().split('\n');
    assert.ok(stopping.length >= 1 && stopping[0] !== '', 'the previous revision lacks at least the serving commit');

    const back = await run(process.execPath, [CLI_PATH, 'rollback', rollback.service, '--to', rollback.previous.name, '--yes', '--interval', '0.2'], { cwd: dir });
    assert.equal(back.code, 0, back.stderr);
    const n = stopping.length;
    assert.match(back.stderr, new RegExp(`${n} commits? touching ${rollback.service}'s paths would stop being served:`));
    for (const commit of stopping) assert.ok(back.stderr.includes(commit), `the confirmation lists ${commit}: ${back.stderr}`);
    assert.match(back.stdout, new RegExp(`^${rollback.service} serves 100% ${rollback.previous.name} \\(traffic rolled out, generation \\d+\\)\\.`));
    const rolledBack = (await check(dir)).result.services.find((s) => s.name === rollback.service) as CheckJson['services'][number] & { rolledBackTo?: { revision: string } };
    assert.deepEqual([rolledBack.status, rolledBack.commitsBehind, rolledBack.rolledBackTo?.revision], ['stale', n, rollback.previous.name]);

    const forth = await run(process.execPath, [CLI_PATH, 'rollback', rollback.service, '--to', rollback.serving.name, '--yes', '--interval', '0.2'], { cwd: dir });
    assert.equal(forth.code, 0, forth.stderr);
    const current = (await check(dir)).result.services.find((s) => s.name === rollback.service) as CheckJson['services'][number] & { rolledBackTo?: unknown };
    assert.deepEqual([current.status, current.rolledBackTo], ['up-to-date', undefined]);
  });

  test('the deploy script deploys HEAD of a service, a function and the jobs; check then shows every unit current (exit 0)', async () => {
    await demo.emulator.control('reset');
    const deploy = await run(path.join(dir, 'bin/deploy-service.sh'), ['prediction-coordinator'], { cwd: dir });
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /==> Building .*prediction-coordinator:/);
    assert.match(deploy.stdout, /Service \[prediction-coordinator\] revision \[prediction-coordinator-00118-[a-z0-9]{3}\] has been deployed/);
    const deployFunction = await run(path.join(dir, 'bin/deploy-service.sh'), ['phase5b-grading'], { cwd: dir });
    assert.equal(deployFunction.code, 0, deployFunction.stderr);
    assert.match(deployFunction.stdout, /==> Deploying function phase5b-grading \(2nd gen/);
    const job = await run(path.join(dir, 'bin/deploy-service.sh'), [BACKFILL], { cwd: dir });
    assert.equal(job.code, 0, job.stderr);
    assert.match(job.stdout, new RegExp(`Job \\[${BACKFILL}\\] has successfully been deployed\\.`));
    const gradingJob = await run(path.join(dir, 'bin/deploy-service.sh'), ['grading-backfill'], { cwd: dir });
    assert.equal(gradingJob.code, 0, gradingJob.stderr);
    const { code, result } = await check(dir);
    assert.equal(code, 0, JSON.stringify(result));
    assert.ok(result.services.every((s) => s.status === 'up-to-date'));
  });

  test('DEMO_DEPLOY_FAULT=build-fails reports success but the function\'s build failed; the old revision still serves', async () => {
    await demo.emulator.control('reset');
    const deploy = await run(path.join(dir, 'bin/deploy-service.sh'), ['phase3-to-phase4-orchestrator'], { cwd: dir, env: { DEMO_DEPLOY_FAULT: 'build-fails' } });
    assert.equal(deploy.code, 0, deploy.stderr);
    const { result } = await check(dir);
    const orchestrator = result.services.find((s) => s.name === 'phase3-to-phase4-orchestrator')!;
    assert.equal(orchestrator.status, 'deploy-failed');
    assert.match(orchestrator.message, /failed: Build failed with status: FAILURE\..* phase3-to-phase4-orchestrator-00014-[a-z0-9]{3} still serves [0-9a-f]{8}\.$/);
    // build-fails is for functions, revision-fails for services.
    const wrong = await run(path.join(dir, 'bin/deploy-service.sh'), ['prediction-worker'], { cwd: dir, env: { DEMO_DEPLOY_FAULT: 'build-fails' } });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /build-fails is for functions/);
  });

  test('the deploy script takes the emulator URL from CLOUD_RUN_DRIFT_EMULATOR and runs from any directory', async () => {
    await demo.emulator.control('reset');
    const deploy = await run(path.join(dir, 'bin/deploy-service.sh'), ['nba-phase1-scrapers'], { cwd: os.tmpdir(), env: { CLOUD_RUN_DRIFT_EMULATOR: demo.emulator.httpUrl } });
    assert.equal(deploy.code, 0, deploy.stderr);
    const unreachable = await run(path.join(dir, 'bin/deploy-service.sh'), ['nba-phase1-scrapers'], { cwd: dir, env: { CLOUD_RUN_DRIFT_EMULATOR: 'http://127.0.0.1:9' } });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /deploy request to http:\/\/127\.0\.0\.1:9 failed/);
  });

  test('DEMO_DEPLOY_FAULT=label-unchanged reports success but the coordinator stays stale', async () => {
    await demo.emulator.control('reset');
    const deploy = await run(path.join(dir, 'bin/deploy-service.sh'), ['prediction-coordinator'], { cwd: dir, env: { DEMO_DEPLOY_FAULT: 'label-unchanged' } });
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /has been deployed and is serving 100 percent of traffic/);
    const { code, result } = await check(dir);
    assert.equal(code, 1);
    const coordinator = result.services.find((s) => s.name === 'prediction-coordinator');
    assert.equal(coordinator?.status, 'stale');
    assert.match(coordinator?.latestCreatedRevision ?? '', /prediction-coordinator-00118-/);
    assert.equal(coordinator?.commitLabel, demo.workspace.services[0]!.deployedShort);
  });

  test('DEMO_DEPLOY_FAULT=revision-fails reports success but the new revision never becomes ready', async () => {
    await demo.emulator.control('reset');
    const deploy = await run(path.join(dir, 'bin/deploy-service.sh'), ['prediction-coordinator'], { cwd: dir, env: { DEMO_DEPLOY_FAULT: 'revision-fails' } });
    assert.equal(deploy.code, 0, deploy.stderr);
    const { code, result } = await check(dir);
    assert.equal(code, 1);
    assert.equal(statusOf(result, 'prediction-coordinator'), 'deploy-failed');
    const state = (await demo.emulator.control('state')) as { run: { services: { name: string; revisions: { state: string; message: string | null }[] }[] } };
    const failed = state.run.services.find((s) => s.name === 'prediction-coordinator')!.revisions.at(-1)!;
    assert.equal(failed.state, 'CONDITION_FAILED');
    assert.match(failed.message ?? '', /ModuleNotFoundError/);
  });

  test('the deploy script refuses unknown services and unknown faults (exit 2)', async () => {
    const unknownService = await run(path.join(dir, 'bin/deploy-service.sh'), ['prediction-coordinatr'], { cwd: dir });
    assert.equal(unknownService.code, 2);
    assert.match(unknownService.stderr, /unknown service 'prediction-coordinatr'/);
    const unknownFault = await run(path.join(dir, 'bin/deploy-service.sh'), ['prediction-worker'], { cwd: dir, env: { DEMO_DEPLOY_FAULT: 'explode' } });
    assert.equal(unknownFault.code, 2);
    const noArgs = await run(path.join(dir, 'bin/deploy-service.sh'), [], { cwd: dir });
    assert.equal(noArgs.code, 2);
  });

  test('the Cloud Run job is stale, its last execution failed on the MERGE the coordinator fix is about, the one before succeeded', async () => {
    await demo.emulator.control('reset');
    const { result } = await check(dir);
    const job = result.services.find((s) => s.name === BACKFILL)!;
    const seeded = demo.workspace.jobs.find((j) => j.name === BACKFILL)!;
    assert.equal(job.kind, 'job');
    assert.equal(job.status, 'stale');
    assert.equal(job.commitsBehind, seeded.commitsBehind);
    assert.ok(seeded.commitsBehind >= 5, `${seeded.commitsBehind} commits behind`);
    assert.equal(job.commitLabel, seeded.deployedShort);
    assert.deepEqual(job.lastExecution && { ...job.lastExecution, message: undefined }, {
      name: `${BACKFILL}-m2xrt`,
      status: 'failed',
      commit: seeded.deployedCommit,
      commitsBehind: seeded.commitsBehind,
      tasks: { succeeded: 2, failed: 1, total: 3 },
      message: undefined,
      commitLabel: seeded.deployedShort,
      startTime: job.lastExecution?.startTime,
      completionTime: job.lastExecution?.completionTime,
    });
    assert.match(job.lastExecution?.message ?? '', /task2 failed with message: .*UPDATE\/MERGE must match at most one source row/);
    const executions = (await demo.emulator.control('state')) as { run: { jobs: { name: string; executions: { name: string; status: string; args: string[] }[] }[] } };
    assert.deepEqual(executions.run.jobs.find((j) => j.name === BACKFILL)!.executions.map((e) => [e.name, e.status, e.args.join(' ')]), [
      [`${BACKFILL}-m2xrt`, 'failed', '--start-date=2026-01-15 --end-date=2026-01-28'],
      [`${BACKFILL}-q7vkd`, 'succeeded', '--start-date=2026-01-01 --end-date=2026-01-14'],
    ]);
  });

  test('the grading backfill Cloud Run job is stale at first, up to date once the deploy script deployed it, and its runs grade into BigQuery', async () => {
    await demo.emulator.control('reset');
    const before = (await check(dir)).result.services.find((s) => s.name === 'grading-backfill')!;
    assert.equal(before.kind, 'job');
    assert.equal(before.status, 'stale');
    assert.equal(before.commitsBehind, 1);
    assert.equal(before.lastExecution, null);

    const deploy = await run(path.join(dir, 'bin/deploy-service.sh'), ['grading-backfill'], { cwd: dir });
    assert.equal(deploy.code, 0, deploy.stderr);
    const after = (await check(dir)).result.services.find((s) => s.name === 'grading-backfill')!;
    assert.equal(after.status, 'up-to-date');

    // An execution with the range as the product sends it grades those dates (the seed's rows replaced).
    const jobs = new v2.JobsClient({ apiEndpoint: '127.0.0.1', port: demo.emulator.httpPort, protocol: 'http', fallback: true, authClient: new PassThroughClient() });
    try {
      const [operation] = await jobs.runJob({ name: 'projects/nba-props-platform/locations/us-west2/jobs/grading-backfill', overrides: { containerOverrides: [{ args: ['--start-date=2026-01-27', '--end-date=2026-01-28'] }] } });
      await demo.emulator.control('clock', { advanceMs: 60_000 });
      const [execution] = await operation.promise();
      assert.equal(execution.succeededCount, 1);
      assert.equal(execution.labels?.['commit-sha'], demo.workspace.headShort, 'it ran the deployed commit');
      const bigquery = new BigQuery({ projectId: 'nba-props-platform', apiEndpoint: demo.emulator.httpUrl, authClient: new PassThroughClient() });
      const [rows] = await bigquery.query({
        query: 'SELECT CAST(game_date AS STRING) AS date, COUNT(*) AS graded FROM nba_predictions.prediction_accuracy WHERE graded_at >= @started GROUP BY game_date ORDER BY game_date',
        params: { started: bigquery.timestamp(new Date(Number(execution.createTime?.seconds) * 1000)) },
      });
      assert.deepEqual(rows, [{ date: '2026-01-27', graded: 105 }, { date: '2026-01-28', graded: 145 }]);
    } finally {
      await jobs.close();
    }
  });

  test('the Cloud Run data job is refused while grading-backfill is stale (Deploy the job first), and once both are deployed starts an execution with the range as its arguments', async () => {
    await demo.emulator.control('reset');
    const cli = (args: string[]): Promise<Run> => run(process.execPath, [CLI_PATH, ...args], { cwd: dir });
    const range = ['--start-date', '2026-01-27', '--end-date', '2026-01-28'];

    // Two data jobs: the CLI needs the name.
    const unnamed = await cli(['job', ...range]);
    assert.equal(unnamed.code, 2, unnamed.stderr);
    assert.match(unnamed.stderr, /name the job: grading-backfill, grading-backfill-cloud-run/);

    const refused = await cli(['job', 'grading-backfill-cloud-run', ...range]);
    assert.equal(refused.code, 4, refused.stderr);
    assert.match(refused.stderr, /✗ prediction-coordinator is stale, 53 commits behind: .* Deploy it before running grading-backfill-cloud-run\./);
    assert.match(refused.stderr, /✗ The Cloud Run job grading-backfill is stale, 1 commit behind: .* Deploy the job first\./);

    for (const unit of ['prediction-coordinator', 'grading-backfill']) {
      const deploy = await run(path.join(dir, 'bin/deploy-service.sh'), [unit], { cwd: dir });
      assert.equal(deploy.code, 0, deploy.stderr);
    }
    const started = await cli(['job', 'grading-backfill-cloud-run', ...range, '--no-wait']);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stderr, /✓ the Cloud Run job grading-backfill runs HEAD's code for its paths/);
    const name = started.stdout.trim();
    assert.match(name, /^grading-backfill-[a-z0-9]{5}$/);
    const executions = new v2.ExecutionsClient({ apiEndpoint: '127.0.0.1', port: demo.emulator.httpPort, protocol: 'http', fallback: true, authClient: new PassThroughClient() });
    try {
      const [execution] = await executions.getExecution({ name: `projects/nba-props-platform/locations/us-west2/jobs/grading-backfill/executions/${name}` });
      assert.deepEqual(execution.template?.containers?.[0]?.args, ['--start-date=2026-01-27', '--end-date=2026-01-28']);
      assert.equal(execution.labels?.['commit-sha'], demo.workspace.headShort, 'it runs the commit just deployed');
    } finally {
      await executions.close();
      await demo.emulator.control('reset');
    }
  });

  test('DEMO_DEPLOY_FAULT=revision-fails on the job reports success, but its deploy failed', async () => {
    await demo.emulator.control('reset');
    const deploy = await run(path.join(dir, 'bin/deploy-service.sh'), [BACKFILL], { cwd: dir, env: { DEMO_DEPLOY_FAULT: 'revision-fails' } });
    assert.equal(deploy.code, 0, deploy.stderr);
    const { result } = await check(dir);
    const job = result.services.find((s) => s.name === BACKFILL)!;
    assert.equal(job.status, 'deploy-failed');
    assert.match(job.message, /^The last deploy of player-game-summary-analytics-backfill failed: Image '.*player-game-summary-analytics-backfill:[0-9a-f]+' not found\./);
  });

  test('the logs seeded for the demo are served by the Logging module', async () => {
    const state = (await demo.emulator.control('state')) as { logging?: { entryCount?: number } };
    assert.ok((state.logging?.entryCount ?? 0) > 50, JSON.stringify(state.logging).slice(0, 200));
  });
});

describe('npm run demo (demo.ts)', () => {
  test('--replace builds afresh over a workspace the demo built earlier (what the Run Extension launch does each time)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-main-test-'));
    try {
      await buildDemoWorkspace({ dir, endpoints: { run: 'http://127.0.0.1:9' } });
      fs.writeFileSync(path.join(dir, 'left-over.txt'), 'from the earlier session');
      const demo = await startDemo({ dir, replace: true, port: 0, modules: { logging: false, bigquery: false } });
      try {
        assert.equal(fs.existsSync(path.join(dir, 'left-over.txt')), false);
        const config = JSON.parse(fs.readFileSync(path.join(dir, 'cloud-run-drift.json'), 'utf8')) as { endpoints: { run: string } };
        assert.equal(config.endpoints.run, demo.emulator.httpUrl, 'the new workspace points at the new emulator');
        assert.equal(demo.workspace.services.find((s) => s.name === 'prediction-coordinator')?.commitsBehind, 53);
      } finally {
        await demo.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--replace refuses a folder the demo did not build, and deletes nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-main-test-'));
    fs.mkdirSync(path.join(dir, '.git'));
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'mine');
    try {
      await assert.rejects(buildDemoWorkspace({ dir, replace: true, endpoints: { run: 'http://127.0.0.1:9' } }), /is not empty; choose a new or empty directory \(--replace only replaces a workspace the demo built\)/);
      assert.deepEqual(fs.readdirSync(dir).sort(), ['.git', 'keep.txt']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--replace needs --dir', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/emulator/demo.ts'), '--replace'], { cwd: REPO_ROOT });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--replace needs --dir/);
  });

  test('builds the workspace, prints the check verdict and stops on SIGINT', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-main-test-'));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/emulator/demo.ts'), '--port', '0', '--dir', dir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const ready = new Promise<void>((resolve) =>
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString('utf8');
        if (stdout.includes('Press Ctrl-C')) resolve();
      }),
    );
    const closed = new Promise<number | null>((resolve) => child.on('close', (code, signal) => { if (signal) stderr += `(killed by ${signal})`; resolve(code); }));
    try {
      await Promise.race([ready, closed.then(() => assert.fail(`demo exited early:\n${stdout}\n${stderr}`))]);
      assert.match(stdout, new RegExp(`Demo workspace: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.match(stdout, /prediction-coordinator.*stale/);
      assert.match(stdout, /\(exit 1\)/);
      assert.match(stdout, /code --extensionDevelopmentPath=/);
      // The walkthrough's rollback (its facts: the rollback test above): the editor's step, then the CLI's, on the same revisions.
      const inEditor = /Roll back: nba-phase1-scrapers › Deployments › (nba-phase1-scrapers-(\d{5})-[a-z0-9]{3}), Route All Traffic Here\. The confirmation lists the commits that would\n +stop being served; the result says when the revision serves all traffic, and its Undo routes the traffic back\./.exec(stdout);
      assert.ok(inEditor, stdout);
      const inCli = /rollback nba-phase1-scrapers --to (\S+) {3}# the commits it would stop serving, y\/N, then proof\n.*rollback nba-phase1-scrapers --to (nba-phase1-scrapers-(\d{5})-[a-z0-9]{3}) --yes {3}# and back/.exec(stdout);
      assert.ok(inCli, stdout);
      assert.equal(inCli[1], inEditor[1]);
      assert.ok(Number(inCli[3]) > Number(inEditor[2]), 'back to the later revision');
      child.kill('SIGINT');
      assert.equal(await closed, 0, `demo did not stop cleanly: ${stderr}`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('refuses a non-empty --dir', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-main-test-'));
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'mine');
    try {
      const result = await run(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/emulator/demo.ts'), '--port', '0', '--dir', dir], { cwd: REPO_ROOT });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /is not empty/);
      assert.deepEqual(fs.readdirSync(dir), ['keep.txt']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
