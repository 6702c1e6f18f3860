// Redeploy with proof, end to end: the demo workspace (real git), its real deploy script run by a
// real bash, the emulator, and verification through the real Cloud Run client.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { checkServices } from '../../src/core/check';
import { createCloudRunReader, type CloudRunReader } from '../../src/core/google/cloudrun';
import { loadConfig, parseConfig, type DriftConfig } from '../../src/core/config';
import { createBashExecutor } from '../../src/core/deploy/bash';
import { planDeployAll } from '../../src/core/deploy/plan';
import { prepareDeploy } from '../../src/core/deploy/prepare';
import { deployAll } from '../../src/core/deploy/deployAll';
import { DeployQueue } from '../../src/core/deploy/queue';
import { runDeploy, type DeployExecutor, type DeployProgress, type DeployResult, type RunDeployOptions } from '../../src/core/deploy/runner';
import { GitRepository } from '../../src/core/git/repository';
import { startDemo, type DemoWorkspace } from '../../src/emulator/demo';
import type { RunningEmulator } from '../../src/emulator/server';

const COORDINATOR = 'prediction-coordinator';
/** Each deploy runs the script (two node processes) and polls; the machine may be busy. */
const DEPLOY_TEST_TIMEOUT_MS = 180_000;

function commitIn(dir: string, file: string, content: string, message: string): string {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), content);
  const env = { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 't@example.com' };
  execFileSync('git', ['add', '--', file], { cwd: dir, env });
  execFileSync('git', ['-c', 'core.hooksPath=/dev/null', 'commit', '-q', '-m', message], { cwd: dir, env });
  return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
}

describe('runDeploy against the demo', () => {
  let emulator: RunningEmulator;
  let workspace: DemoWorkspace;
  let config: DriftConfig;
  let git: GitRepository;
  let reader: CloudRunReader;

  /** Real bash; records each command line it ran. */
  const ran: string[] = [];
  const bash = (extraEnv: Record<string, string> = {}, afterExit?: () => Promise<void> | void): DeployExecutor => {
    const run = createBashExecutor({ extraEnv });
    return async (commandLine, cwd, env, signal) => {
      ran.push(commandLine);
      const execution = await run(commandLine, cwd, env, signal);
      await afterExit?.();
      return execution;
    };
  };
  const options = (extra: Partial<RunDeployOptions> = {}): RunDeployOptions => ({
    service: COORDINATOR,
    config,
    git,
    reader,
    execute: bash(),
    verifyTimeoutMs: 60_000,
    settleMs: 1_500,
    pollMs: 200,
    ...extra,
  });
  const coordinator = (): DemoWorkspace['services'][number] => workspace.services.find((s) => s.name === COORDINATOR)!;

  before(async () => {
    ({ emulator, workspace } = await startDemo({ port: 0, modules: { logging: false, bigquery: false } }));
    config = await loadConfig(workspace.configFile);
    git = await GitRepository.open(workspace.dir);
    reader = createCloudRunReader(config.endpoints);
  });
  beforeEach(async () => {
    await emulator.control('reset', {});
    ran.length = 0;
  });
  after(async () => {
    await reader?.close();
    await emulator?.close();
    if (workspace) fs.rmSync(workspace.dir, { recursive: true, force: true });
  });

  it('verified: the stale coordinator deploys and is proven live', { timeout: DEPLOY_TEST_TIMEOUT_MS }, async () => {
    const before = await checkServices(config, { reader, git }, { services: [COORDINATOR] });
    assert.equal(before.services[0]!.status, 'stale');
    const preparation = await prepareDeploy({ service: COORDINATOR, config, git, verdict: before.services[0]! });
    assert.equal(preparation.commit.sha, workspace.head);
    assert.equal(preparation.undeployed?.length, coordinator().commitsBehind);
    const subject = execFileSync('git', ['log', '-1', '--format=%s'], { cwd: workspace.dir, encoding: 'utf8' }).trim();
    assert.equal(preparation.confirmation.title, `Deploy prediction-coordinator at ${workspace.head.slice(0, 8)} "${subject}"?`);
    assert.ok(preparation.confirmation.undeployedLines.some((l) => / Fix MERGE: updated_at assigned more than once in consolidation$/.test(l)));
    assert.equal(preparation.confirm, true);
    assert.equal(preparation.dirty, false);

    const progress: DeployProgress[] = [];
    const result = await runDeploy(options({ confirmedCommit: preparation.commit.sha, onProgress: (p) => progress.push(p) }));
    assert.equal(result.kind, 'verified', result.message);
    assert.equal(result.commit, workspace.head);
    assert.match(result.revision ?? '', /^prediction-coordinator-00118-/);
    assert.equal(result.message, `prediction-coordinator serves ${workspace.head.slice(0, 8)} from ${result.revision} (100% of traffic).`);
    assert.deepEqual(ran, ["./bin/deploy-service.sh 'prediction-coordinator'"]);
    assert.deepEqual([...new Set(progress.map((p) => p.phase))], ['starting', 'running-script', 'verifying', 'finished']);
    const afterDeploy = await checkServices(config, { reader, git }, { services: [COORDINATOR] });
    assert.equal(afterDeploy.services[0]!.status, 'up-to-date');
  });

  it('a Cloud Run job deploys through the same script and is proven by its template', { timeout: DEPLOY_TEST_TIMEOUT_MS }, async () => {
    const job = 'player-game-summary-analytics-backfill';
    const progress: DeployProgress[] = [];
    const result = await runDeploy(options({ service: job, onProgress: (p) => progress.push(p) }));
    assert.equal(result.kind, 'verified', result.message);
    assert.equal(result.message, `${job}'s template carries ${workspace.head.slice(0, 8)} and the job is ready: its next execution runs it.`);
    assert.deepEqual(ran, [`./bin/deploy-service.sh '${job}'`]);
    assert.ok(progress.some((p) => p.phase === 'verifying' && p.message === `Verifying that ${job} runs ${workspace.head.slice(0, 8)}`), JSON.stringify(progress));
    await emulator.control('reset', {});
    const faulty = await runDeploy(options({ service: job, execute: bash({ DEMO_DEPLOY_FAULT: 'label-unchanged' }) }));
    assert.equal(faulty.kind, 'label-unchanged', faulty.message);
    assert.equal(faulty.message, `the deploy script exited 0 but ${job}'s template still carries ${workspace.jobs[0]!.deployedCommit.slice(0, 8)} (expected ${workspace.head.slice(0, 8)})`);
  });

  it('label unchanged: the script exits 0 but the old commit still serves, in exactly these words', { timeout: DEPLOY_TEST_TIMEOUT_MS }, async () => {
    const result = await runDeploy(options({ execute: bash({ DEMO_DEPLOY_FAULT: 'label-unchanged' }) }));
    assert.equal(result.kind, 'label-unchanged', result.message);
    const old = coordinator().deployedCommit.slice(0, 8);
    assert.equal(result.message, `the deploy script exited 0 but prediction-coordinator still serves ${old} (expected ${workspace.head.slice(0, 8)})`);
    assert.equal(result.servedCommitLabel, coordinator().deployedShort);
  });

  it('revision failed: the new revision never becomes ready, with its condition message', { timeout: DEPLOY_TEST_TIMEOUT_MS }, async () => {
    const result = await runDeploy(options({ execute: bash({ DEMO_DEPLOY_FAULT: 'revision-fails' }) }));
    assert.equal(result.kind, 'revision-failed', result.message);
    assert.match(result.revision ?? '', /^prediction-coordinator-00118-/);
    assert.match(result.message, /failed: .*No module named "shared\.utils\.merge_helpers"/);
  });

  it('traffic not moved: traffic pinned to the old revision after the deploy', { timeout: DEPLOY_TEST_TIMEOUT_MS }, async () => {
    const pin = async (): Promise<void> => {
      await emulator.control('traffic', { project: workspace.project, region: workspace.region, service: COORDINATOR, traffic: [{ revision: coordinator().servingRevision, percent: 100 }] });
    };
    const result = await runDeploy(options({ execute: bash({}, pin) }));
    assert.equal(result.kind, 'traffic-not-moved', result.message);
    assert.equal(result.percent, 0);
    assert.match(result.message, /prediction-coordinator-00118-\S+ carries [0-9a-f]{8} and is ready, but serves 0% of prediction-coordinator's traffic/);
  });

  it('traffic not moved: a second, named deploy command that deploys without traffic', { timeout: DEPLOY_TEST_TIMEOUT_MS }, async () => {
    // A team's "canary" script: labels with ${shortCommit} and keeps traffic where it is.
    const script = path.join(workspace.dir, 'bin', 'canary-deploy.mjs');
    fs.writeFileSync(
      script,
      [
        "import * as fs from 'node:fs';",
        'const [service, shortCommit, project, region] = process.argv.slice(2);',
        "const config = JSON.parse(fs.readFileSync('cloud-run-drift.json', 'utf8'));",
        "const response = await fetch(config.endpoints.run + '/control/deploy', {",
        "  method: 'POST',",
        "  headers: { 'content-type': 'application/json' },",
        "  body: JSON.stringify({ project, region, service, labels: { 'commit-sha': shortCommit }, moveTraffic: false }),",
        '});',
        'process.exit(response.ok ? 0 : 1);',
        '',
      ].join('\n'),
    );
    const withCanary: DriftConfig = { ...config, deployCommands: [...config.deployCommands, { name: 'canary', template: 'node bin/canary-deploy.mjs ${service} ${shortCommit} ${project} ${region}' }] };
    try {
      const result = await runDeploy(options({ config: withCanary, commandName: 'canary' }));
      assert.equal(result.kind, 'traffic-not-moved', result.message);
      assert.equal(result.commandName, 'canary');
      const short = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: workspace.dir, encoding: 'utf8' }).trim();
      assert.deepEqual(ran, [`node bin/canary-deploy.mjs 'prediction-coordinator' '${short}' 'nba-props-platform' 'us-west2'`]);
    } finally {
      fs.rmSync(script, { force: true });
    }
  });

  it('script failed: a non-zero exit is reported with its code and nothing is verified', { timeout: DEPLOY_TEST_TIMEOUT_MS }, async () => {
    const result = await runDeploy(options({ execute: bash({ DEMO_DEPLOY_FAULT: 'not-a-fault' }) }));
    assert.equal(result.kind, 'script-failed');
    assert.equal(result.exitCode, 2);
    assert.equal(result.message, 'The deploy command "deploy" for prediction-coordinator exited with code 2; nothing was verified.');
  });

  it('refuses when HEAD moved after the confirmation, and in Restricted Mode, running nothing', async () => {
    const moved = await runDeploy(options({ confirmedCommit: coordinator().deployedCommit }));
    assert.equal(moved.kind, 'error');
    assert.match(moved.message, /^HEAD moved from [0-9a-f]{8} to [0-9a-f]{8} after the confirmation; nothing was deployed/);
    const untrusted = await runDeploy(options({ workspaceTrusted: false }));
    assert.equal(untrusted.kind, 'error');
    assert.match(untrusted.message, /Restricted Mode/);
    const unknownCommand = await runDeploy(options({ commandName: 'nope' }));
    assert.equal(unknownCommand.kind, 'error');
    assert.match(unknownCommand.message, /no deploy command named "nope" \(configured: "deploy"\)/);
    assert.deepEqual(ran, []);
  });

  it('cancel while the script runs stops it and reports cancelled', { timeout: DEPLOY_TEST_TIMEOUT_MS }, async () => {
    const controller = new AbortController();
    const slow: DeployExecutor = (commandLine, cwd, env, signal) => {
      setTimeout(() => controller.abort(), 300);
      return createBashExecutor()(`sleep 30; ${commandLine}`, cwd, env, signal);
    };
    const started = Date.now();
    const result = await runDeploy(options({ execute: slow, signal: controller.signal }));
    assert.equal(result.kind, 'cancelled');
    assert.match(result.message, /cancelled while its command ran/);
    assert.ok(Date.now() - started < 25_000, 'the script was stopped, not waited for');
  });

  it('double request: one deploy runs, the second request gets its handle', { timeout: DEPLOY_TEST_TIMEOUT_MS }, async () => {
    const queue = new DeployQueue();
    const first = queue.deploy(options());
    const second = queue.deploy(options());
    assert.equal(first.started, true);
    assert.equal(second.started, false);
    assert.equal(second.handle, first.handle);
    const result = await first.handle.result;
    assert.equal(result.kind, 'verified', result.message);
    assert.equal(ran.length, 1, 'the deploy command ran once');
  });

  it('HEAD moving during the deploy still verifies the commit that was HEAD at the start', { timeout: DEPLOY_TEST_TIMEOUT_MS }, async () => {
    const start = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: workspace.dir, encoding: 'utf8' }).trim();
    let moved = '';
    const result = await runDeploy(
      options({
        // The script has read HEAD and deployed it; then someone commits before verification.
        execute: bash({}, () => {
          moved = commitIn(workspace.dir, 'predictions/coordinator/late.py', 'late = True\n', 'coordinator: a commit made during the deploy');
        }),
      }),
    );
    assert.notEqual(moved, start);
    assert.equal(result.kind, 'verified', result.message);
    assert.equal(result.commit, start);
    // Proof is about the start commit: the newer HEAD is (correctly) not deployed.
    const now = await checkServices(config, { reader, git }, { services: [COORDINATOR] });
    assert.equal(now.services[0]!.status, 'stale');
    assert.equal(now.services[0]!.commitsBehind, 1);
  });
});

describe('deployAll against the demo', () => {
  let emulator: RunningEmulator;
  let workspace: DemoWorkspace;
  let config: DriftConfig;
  let git: GitRepository;
  let reader: CloudRunReader;

  before(async () => {
    ({ emulator, workspace } = await startDemo({ port: 0, modules: { logging: false, bigquery: false } }));
    // The pipeline deploys scrapers before processors before predictors: dependsOn says so, listed
    // in an order where config order alone would get it wrong.
    const raw = JSON.parse(fs.readFileSync(workspace.configFile, 'utf8')) as { services: Record<string, { dependsOn?: string[] }> };
    raw.services['prediction-coordinator']!.dependsOn = ['nba-phase4-precompute-processors'];
    raw.services['nba-phase4-precompute-processors']!.dependsOn = ['nba-phase3-analytics-processors'];
    raw.services['nba-phase3-analytics-processors']!.dependsOn = ['nba-phase1-scrapers'];
    // The backfill job runs the analytics processors' code: it goes after them.
    raw.services['player-game-summary-analytics-backfill']!.dependsOn = ['nba-phase3-analytics-processors'];
    config = parseConfig(JSON.stringify(raw), workspace.configFile);
    // One commit that makes every service stale (shared/ is in four services' paths).
    commitIn(workspace.dir, 'shared/release.txt', 'release\n', 'shared: release');
    commitIn(workspace.dir, 'scrapers/release.txt', 'release\n', 'scrapers: release');
    git = await GitRepository.open(workspace.dir);
    reader = createCloudRunReader(config.endpoints);
  });
  beforeEach(async () => {
    await emulator.control('reset', {});
  });
  after(async () => {
    await reader?.close();
    await emulator?.close();
    if (workspace) fs.rmSync(workspace.dir, { recursive: true, force: true });
  });

  /** The deployAll `run` over runDeploy with real bash; records which services' scripts ran, in order. */
  function realRuns(faultFor: Record<string, string> = {}, beforeScript?: (service: string) => void): { order: string[]; run: Parameters<typeof deployAll>[0]['run'] } {
    const order: string[] = [];
    return {
      order,
      run: (step, signal, report) =>
        runDeploy({
          service: step.service,
          config,
          git,
          reader,
          signal,
          onProgress: report,
          verifyTimeoutMs: 60_000,
          settleMs: 1_500,
          pollMs: 200,
          execute: (commandLine, cwd, env, executeSignal) => {
            const service = env.CLOUD_RUN_DRIFT_SERVICE!;
            order.push(service);
            beforeScript?.(service);
            const fault = faultFor[service];
            return createBashExecutor({ extraEnv: fault ? { DEMO_DEPLOY_FAULT: fault } : {} })(commandLine, cwd, env, executeSignal);
          },
        }),
    };
  }

  const plan = async (): Promise<ReturnType<typeof planDeployAll>> => planDeployAll(await checkServices(config, { reader, git }), config);

  it('deploys every stale service and job and the failed function, upstream first, and proves each', { timeout: DEPLOY_TEST_TIMEOUT_MS * 2 }, async () => {
    const deployPlan = await plan();
    // phase5b-grading: the function whose last build failed is redeployed too.
    const expected = ['prediction-worker', 'nba-phase1-scrapers', 'nba-phase3-analytics-processors', 'nba-phase4-precompute-processors', 'prediction-coordinator', 'phase5b-grading', 'player-game-summary-analytics-backfill', 'grading-backfill'];
    assert.deepEqual(deployPlan.steps.map((s) => s.service.name), expected);
    const runs = realRuns();
    const all = await deployAll({ plan: deployPlan, concurrency: 1, queue: new DeployQueue(), run: runs.run }).result;
    assert.deepEqual(runs.order, expected);
    assert.deepEqual(all.outcomes.map((o) => [o.service, o.status]), expected.map((n) => [n, 'succeeded']), all.summary);
    const afterAll = await checkServices(config, { reader, git });
    assert.deepEqual([...new Set(afterAll.services.map((s) => s.status))], ['up-to-date']);
  });

  it('a failure skips its dependents and says so; the others still deploy', { timeout: DEPLOY_TEST_TIMEOUT_MS * 2 }, async () => {
    const runs = realRuns({ 'nba-phase3-analytics-processors': 'label-unchanged' });
    const all = await deployAll({ plan: await plan(), concurrency: 1, queue: new DeployQueue(), run: runs.run }).result;
    assert.deepEqual(runs.order, ['prediction-worker', 'nba-phase1-scrapers', 'nba-phase3-analytics-processors', 'phase5b-grading', 'grading-backfill']);
    const outcome = Object.fromEntries(all.outcomes.map((o) => [o.service, o]));
    assert.equal(outcome['nba-phase3-analytics-processors']!.status, 'failed');
    assert.match(outcome['nba-phase3-analytics-processors']!.reason, /^the deploy script exited 0 but nba-phase3-analytics-processors still serves [0-9a-f]{8} \(expected [0-9a-f]{8}\)$/);
    assert.equal(outcome['nba-phase4-precompute-processors']!.status, 'skipped');
    assert.equal(outcome['nba-phase4-precompute-processors']!.reason, 'skipped: nba-phase3-analytics-processors did not deploy (label-unchanged)');
    assert.equal(outcome['prediction-coordinator']!.reason, 'skipped: nba-phase3-analytics-processors did not deploy (label-unchanged)');
    assert.equal(outcome['player-game-summary-analytics-backfill']!.reason, 'skipped: nba-phase3-analytics-processors did not deploy (label-unchanged)');
    assert.equal(all.summary, '4 verified, 1 failed (nba-phase3-analytics-processors: label-unchanged), 3 skipped');
  });

  it('cancel stops the ones not yet started; the running one finishes and is proven', { timeout: DEPLOY_TEST_TIMEOUT_MS }, async () => {
    let cancel = (): void => undefined;
    const runs = realRuns({}, () => cancel());
    const handle = deployAll({ plan: await plan(), concurrency: 1, queue: new DeployQueue(), run: runs.run });
    cancel = handle.cancel;
    const all = await handle.result;
    assert.deepEqual(runs.order, ['prediction-worker']);
    assert.deepEqual(all.outcomes.map((o) => o.status), ['succeeded', 'cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
    const results = all.outcomes.map((o) => o.result).filter((r): r is DeployResult => r !== null);
    assert.equal(results.length, 1);
    assert.equal(results[0]!.kind, 'verified');
  });
});
