// Hostile values never reach a shell: not from the configuration or the workspace path (they are
// validated and quoted), and not from the Cloud Run API (nothing it says is a template value).
// Real bash, real git, the real deploy script and the emulator; canary files prove nothing ran.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { checkServices } from '../../src/core/check';
import { createCloudRunReader, type CloudRunReader } from '../../src/core/google/cloudrun';
import { ConfigError, loadConfig, parseConfig, type DriftConfig } from '../../src/core/config';
import { createBashExecutor } from '../../src/core/deploy/bash';
import { prepareDeploy } from '../../src/core/deploy/prepare';
import { runDeploy, type DeployExecutor, type RunDeployOptions } from '../../src/core/deploy/runner';
import { GitRepository } from '../../src/core/git/repository';
import { startDemo, type DemoWorkspace } from '../../src/emulator/demo';
import type { RunningEmulator } from '../../src/emulator/server';

const COORDINATOR = 'prediction-coordinator';
const TEST_TIMEOUT_MS = 180_000;

describe('hostile values never reach a shell', () => {
  let emulator: RunningEmulator;
  let sandbox: string;
  let workspace: DemoWorkspace;
  let config: DriftConfig;
  let git: GitRepository;
  let reader: CloudRunReader;
  /** Files that exist only if something hostile ran. */
  let canaries: string[];
  const ran: string[] = [];
  const envs: Record<string, string>[] = [];

  const bash = (extraEnv: Record<string, string> = {}): DeployExecutor => {
    const run = createBashExecutor({ extraEnv });
    return (commandLine, cwd, env, signal) => {
      ran.push(commandLine);
      envs.push({ ...env });
      return run(commandLine, cwd, env, signal);
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
  const assertNothingRan = (): void => {
    for (const canary of canaries) assert.equal(fs.existsSync(canary), false, `${canary} exists: something hostile ran`);
  };

  before(async () => {
    sandbox = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crd-hostile-')));
    canaries = ['CANARY-1', 'CANARY-2', 'CANARY-3', 'CANARY-4', 'CANARY-5', 'CANARY-6'].map((n) => path.join(sandbox, n));
    const [c1, c2, c3] = canaries;
    // The repository itself lives in a folder whose name is a shell injection.
    const hostileFolder = path.join(sandbox, `repo $(touch ${c1}) \`touch ${c2}\` ; touch ${c3} 'q' "dq" \\ ünï 🚀\nnext line`);
    ({ emulator, workspace } = await startDemo({ dir: hostileFolder, port: 0, modules: { logging: false, bigquery: false } }));
    config = await loadConfig(workspace.configFile);
    git = await GitRepository.open(workspace.dir);
    reader = createCloudRunReader(config.endpoints);
  });
  beforeEach(async () => {
    await emulator.control('reset', {});
    ran.length = 0;
    envs.length = 0;
  });
  after(async () => {
    await reader?.close();
    await emulator?.close();
    if (sandbox) fs.rmSync(sandbox, { recursive: true, force: true });
  });

  it('a hostile ${workspaceFolder} arrives literally through the real deploy script', { timeout: TEST_TIMEOUT_MS }, async () => {
    const viaFolder: DriftConfig = { ...config, deployCommands: [{ name: 'deploy', template: 'cd ${workspaceFolder} && "${workspaceFolder}/bin/deploy-service.sh" ${service}' }] };
    const result = await runDeploy(options({ config: viaFolder }));
    assert.equal(result.kind, 'verified', result.message);
    assert.equal(ran.length, 1);
    assertNothingRan();
  });

  it('configuration refuses hostile service names, projects and regions before anything runs', async () => {
    for (const [key, value] of [
      ['service', `x$(touch ${canaries[3]})`],
      ['project', `p; touch ${canaries[3]}`],
      ['region', `us-west2\`touch ${canaries[3]}\``],
    ] as const) {
      const services = key === 'service' ? { [value]: {} } : { api: {} };
      const text = JSON.stringify({ project: key === 'project' ? value : 'demo-project', region: key === 'region' ? value : 'us-west2', services, deploy: { command: './d ${service}' } });
      assert.throws(() => parseConfig(text, path.join(sandbox, 'cloud-run-drift.json')), ConfigError, key);
    }
  });

  it('and runDeploy refuses them again if a configuration object carries them anyway', async () => {
    const hostile: [Partial<DriftConfig['services'][number]>, string][] = [
      [{ name: `a'; touch ${canaries[3]}; '` }, 'service'],
      [{ project: `nba-props-platform$(touch ${canaries[3]})` }, 'project'],
      [{ region: `us-west2\ntouch ${canaries[3]}` }, 'region'],
    ];
    for (const [override, variable] of hostile) {
      const service = { ...config.services.find((s) => s.name === COORDINATOR)!, ...override };
      const result = await runDeploy(options({ service, config: { ...config, services: [...config.services, service] } }));
      assert.equal(result.kind, 'error', variable);
      assert.match(result.message, new RegExp(`^\\$\\{${variable}\\} would be .*the deploy was not started$`));
    }
    assert.deepEqual(ran, [], 'no command ran');
    assertNothingRan();
  });

  it('API data (messages, images, labels, errors) is shown at most, never run', { timeout: TEST_TIMEOUT_MS }, async () => {
    const [, , , , c5, c6] = canaries;
    const injection = `$(touch ${c5}) \`touch ${c5}\` ; touch ${c5} #`;
    const coordinates = { project: workspace.project, region: workspace.region, service: COORDINATOR };
    // A failed revision whose message, image and labels are as hostile as the API lets them be
    // (label values are restricted to letters, digits, "_" and "-", as on Cloud Run).
    await emulator.control('deploy', { ...coordinates, ready: false, message: injection, image: `$(touch${'${IFS}'}${c6})`, labels: { 'commit-sha': 'ünïcødé-rf', 'x-opt': '--upload-pack' } });
    const check = await checkServices(config, { reader, git }, { services: [COORDINATOR] });
    const verdict = check.services[0]!;
    assert.equal(verdict.status, 'deploy-failed');
    assert.ok(verdict.message.includes(injection), 'the message is reported as it is');

    const preparation = await prepareDeploy({ service: COORDINATOR, config, git, verdict });
    assert.ok(!JSON.stringify(preparation.confirmation).includes(c5!), 'the confirmation holds config and git facts only');

    // Then a deploy whose new revision keeps those labels (the cached build), while the API's
    // errors carry the injection too for the first polls.
    await emulator.control('faults', { rules: [{ api: 'run', service: COORDINATOR, httpStatus: 503, message: injection, times: 2 }] });
    const result = await runDeploy(options({ execute: bash({ DEMO_DEPLOY_FAULT: 'label-unchanged' }) }));
    assert.equal(result.kind, 'label-unchanged', result.message);
    assert.equal(result.message, `the deploy script exited 0 but ${COORDINATOR} still serves ünïcødé-rf (expected ${workspace.head.slice(0, 8)})`);

    assert.deepEqual(ran, ["./bin/deploy-service.sh 'prediction-coordinator'"], 'the command line is built from config and git only');
    const short = preparation.commit.sha.startsWith(envs[0]!.CLOUD_RUN_DRIFT_SHORT_COMMIT!) ? envs[0]!.CLOUD_RUN_DRIFT_SHORT_COMMIT : null;
    assert.deepEqual(envs, [
      {
        CLOUD_RUN_DRIFT_SERVICE: COORDINATOR,
        CLOUD_RUN_DRIFT_COMMIT: workspace.head,
        CLOUD_RUN_DRIFT_SHORT_COMMIT: short,
        CLOUD_RUN_DRIFT_PROJECT: workspace.project,
        CLOUD_RUN_DRIFT_REGION: workspace.region,
      },
    ]);
    assertNothingRan();
  });
});
