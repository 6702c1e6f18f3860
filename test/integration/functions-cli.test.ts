// `cloud-run-drift` as shipped (dist/cli.js and its SDK bundles) with Cloud Run functions: check
// --json and --kind, verify and logs, against the emulator and a real git repository.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { createTempRepo, type TempRepo } from '../helpers/repo';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const PROJECT = 'drift-functions';
const REGION = 'us-west2';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('cloud-run-drift with Cloud Run functions', () => {
  let repo: TempRepo;
  let emulator: RunningEmulator;
  let cacheDir: string;
  const commits: Record<string, string> = {};

  const runCli = (args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: repo.dir, env: { ...process.env, NO_COLOR: '1', CLOUD_RUN_DRIFT_CACHE_DIR: cacheDir } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const checkJson = async (...args: string[]): Promise<{ run: Run; units: Record<string, unknown>[] }> => {
    const run = await runCli(['check', '--json', ...args]);
    return { run, units: (JSON.parse(run.stdout) as { services: Record<string, unknown>[] }).services };
  };

  before(async () => {
    if (!fs.existsSync(CLI) || !fs.existsSync(path.join(ROOT, 'dist', 'sdk-run.js'))) {
      const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
    }
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-functions-cli-cache-'));
    repo = createTempRepo();
    commits.base = repo.commit('initial', { 'orchestration/main.py': '1', 'grading/main.py': '1', 'api/main.py': '1' });
    commits.head = repo.commit('grading: fix', { 'grading/main.py': '2' });
    const label = (sha: string) => ({ 'commit-sha': sha.slice(0, 7) });
    const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
    emulator = await startEmulator({
      port: 0,
      modules: { bigquery: false },
      scenario: {
        run: {
          project: PROJECT,
          region: REGION,
          services: [
            { name: 'api', revisions: [{ name: 'api-00001-aaa', labels: label(commits.head!) }] },
            { name: 'orchestrator', revisions: [{ name: 'orchestrator-00004-ddd' }] },
            { name: 'grading', revisions: [{ name: 'grading-00002-bbb', labels: label(commits.base!) }] },
          ],
        },
        functions: {
          project: PROJECT,
          region: REGION,
          functions: [
            { name: 'orchestrator', labels: label(commits.head!) },
            { name: 'grading', labels: label(commits.head!), state: 'FAILED', stateMessages: [{ severity: 'ERROR', type: 'BuildFailed', message: 'Build failed: pip exited 1' }] },
          ],
        },
        logging: {
          project: PROJECT,
          location: REGION,
          entries: [
            { insertId: 'rev', service: 'grading', revision: 'grading-00002-bbb', timestamp: minutesAgo(30), severity: 'ERROR', textPayload: 'grading crashed' },
            { insertId: 'fn', resource: { type: 'cloud_function', labels: { function_name: 'grading', region: REGION } }, timestamp: minutesAgo(20), severity: 'INFO', textPayload: 'function log line' },
            { insertId: 'other-fn', resource: { type: 'cloud_function', labels: { function_name: 'orchestrator', region: REGION } }, timestamp: minutesAgo(15), textPayload: 'another function' },
            { insertId: 'api', service: 'api', revision: 'api-00001-aaa', timestamp: minutesAgo(10), textPayload: 'a service' },
          ],
        },
      },
    });
    fs.writeFileSync(
      path.join(repo.dir, 'cloud-run-drift.json'),
      JSON.stringify({
        project: PROJECT,
        region: REGION,
        services: { api: { paths: ['api'] }, orchestrator: { kind: 'function', paths: ['orchestration'] }, grading: { kind: 'function', paths: ['grading'] } },
        endpoints: { run: emulator.httpUrl, functions: emulator.httpUrl, logging: emulator.grpcAddress },
      }),
    );
    repo.git('add', 'cloud-run-drift.json');
    repo.git('commit', '-q', '-m', 'config');
    commits.head = repo.head();
  });
  beforeEach(async () => {
    await emulator.control('reset');
  });
  after(async () => {
    await emulator?.close();
    repo?.cleanup();
    if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('check --json gives every unit its kind, and a function its details', async () => {
    const { run, units } = await checkJson();
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(units.map((u) => [u.name, u.kind, u.status]), [['api', 'service', 'up-to-date'], ['orchestrator', 'function', 'up-to-date'], ['grading', 'function', 'deploy-failed']]);
    assert.equal(units[0]!.function, undefined);
    const orchestrator = units[1]!.function as Record<string, unknown>;
    assert.equal(orchestrator.commitFromFunctionLabel, true);
    assert.equal(orchestrator.revision, 'orchestrator-00004-ddd');
    const grading = units[2]!;
    assert.equal((grading.function as Record<string, unknown>).failure, 'Build failed: pip exited 1');
    assert.match(String(grading.message), /^The last deploy of grading failed: Build failed: pip exited 1\. grading-00002-bbb still serves [0-9a-f]{8}, 1 commit behind\.$/);
  });

  it('--kind filters the units; an unknown kind is a usage error with the nearest one', async () => {
    let { run, units } = await checkJson('--kind', 'function');
    assert.deepEqual(units.map((u) => u.name), ['orchestrator', 'grading']);
    assert.equal(run.code, 1);
    ({ run, units } = await checkJson('--kind', 'service'));
    assert.deepEqual(units.map((u) => u.name), ['api']);
    assert.equal(run.code, 0, run.stderr);
    ({ run, units } = await checkJson('--kind', 'service', '--service', 'orchestrator', '--service', 'api'));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(units.map((u) => u.name), ['api']);
    ({ run, units } = await checkJson('--kind', 'job'));
    assert.deepEqual(units, []);
    assert.equal(run.code, 0);
    assert.equal(run.stderr.trim(), 'cloud-run-drift: no configured unit is a job; nothing to check');
    const bad = await runCli(['check', '--kind', 'fuction']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^cloud-run-drift: --kind expects service, function, job, got "fuction"; did you mean "function"\?/);
  });

  it('human output tags functions and says when the commit came from the function\'s label', async () => {
    const run = await runCli(['check']);
    const lines = run.stdout.split('\n');
    assert.match(lines.find((l) => l.includes('orchestrator'))!, /up to date\s+[0-9a-f]{7,8}\s+function, commit from its label$/);
    assert.ok(lines.some((l) => /orchestrator-00004-ddd has no commit-sha label: the commit is the function's own label, a weaker signal/.test(l)), run.stdout);
    assert.match(lines.find((l) => l.includes(' grading '))!, /deploy failed .* function/);
  });

  it('verify proves a function live once it is ACTIVE and its revision carries the commit', async () => {
    await emulator.control('deploy-function', { project: PROJECT, region: REGION, function: 'grading', labels: { 'commit-sha': commits.head!.slice(0, 7) }, buildMs: 600 });
    const run = await runCli(['verify', 'grading', '--interval', '0.2', '--timeout', '20']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^grading serves ${commits.head!.slice(0, 8)} from grading-00003-[a-z0-9]{3} \\(100% of traffic\\)\\.$`, 'm'));
  });

  it('verify reports a failed build at once (exit 1) with its message', async () => {
    await emulator.control('deploy-function', { project: PROJECT, region: REGION, function: 'orchestrator', labels: { 'commit-sha': commits.head!.slice(0, 7) }, failBuild: 'Build failed: requirements.txt not found' });
    const started = Date.now();
    const run = await runCli(['verify', 'orchestrator', '--interval', '0.2', '--timeout', '30']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /The last deploy of orchestrator failed: Build failed: requirements\.txt not found\.$/m);
    assert.ok(Date.now() - started < 15_000, 'it does not wait for the timeout');
  });

  it('logs of a function: its Cloud Run service\'s entries and its cloud_function entries, nothing else', async () => {
    const run = await runCli(['logs', 'grading', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const ids = run.stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as { insertId: string }).insertId);
    assert.deepEqual(ids, ['rev', 'fn']);
  });
});
