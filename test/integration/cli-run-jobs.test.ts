// The built CLI (dist/cli.js, as shipped: the Run bundle with its pruned protos) on Cloud Run jobs,
// against the emulator and real git: check (text, --json, --kind), verify and logs --execution.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { createTempRepo, type TempRepo } from '../helpers/repo';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const PROJECT = 'demo-project';
const REGION = 'us-west2';
const CACHE = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-cli-jobs-cache-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], cwd: string): Promise<Run> {
  assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, CLOUD_RUN_DRIFT_CACHE_DIR: CACHE, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('cloud-run-drift CLI on Cloud Run jobs', () => {
  let repo: TempRepo;
  let emulator: RunningEmulator;
  let old: string;
  let mid: string;
  let head: string;
  const minutesAgo = (m: number): string => new Date(Date.now() - m * 60_000).toISOString();

  before(async () => {
    repo = createTempRepo();
    old = repo.commit('initial', { 'api/main.py': '1', 'jobs/backfill/main.py': '1' });
    mid = repo.commit('backfill: fix the join', { 'jobs/backfill/main.py': '2' });
    repo.commit('backfill: MERGE instead of INSERT', { 'jobs/backfill/main.py': '3' });
    emulator = await startEmulator({
      port: 0,
      scenario: {
        run: {
          project: PROJECT,
          region: REGION,
          services: [{ name: 'api', revisions: [{ name: 'api-00001-aaa', labels: { 'commit-sha': old.slice(0, 8) } }] }],
          jobs: [
            {
              name: 'backfill',
              labels: { 'commit-sha': mid.slice(0, 8) },
              executions: [
                { name: 'backfill-okay1', createTime: minutesAgo(50), labels: { 'commit-sha': mid.slice(0, 8) }, args: ['--start-date=2026-01-01'] },
                { name: 'backfill-fail2', createTime: minutesAgo(30), labels: { 'commit-sha': old.slice(0, 8) }, taskCount: 2, parallelism: 2, taskDurationMs: 65_000, failTasks: [1], failMessage: 'KeyError: game_date' },
              ],
            },
          ],
        },
      },
      modules: { bigquery: false },
    });
    fs.writeFileSync(
      path.join(repo.dir, 'cloud-run-drift.json'),
      JSON.stringify({ project: PROJECT, region: REGION, services: { api: { paths: ['api'] }, backfill: { kind: 'job', paths: ['jobs/backfill'] } }, endpoints: { run: emulator.httpUrl, logging: emulator.grpcAddress } }, null, 2),
    );
    repo.git('add', 'cloud-run-drift.json');
    repo.git('commit', '-qm', 'add config');
    head = repo.head();
  });
  after(async () => {
    await emulator?.close();
    repo?.cleanup();
    fs.rmSync(CACHE, { recursive: true, force: true });
  });

  it('check shows the job beside the service, its template\'s verdict and its last run', async () => {
    const run = await runCli(['check'], repo.dir);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /✗ backfill\s+stale\s+[0-9a-f]{8}\s+job, 1 behind/);
    assert.match(run.stdout, /backfill's template carries [0-9a-f]{8}; 1 later commit touches the job's paths\. Its last execution backfill-fail2 \(failed\) ran [0-9a-f]{8}, code 2 commits old for its paths\./);
    assert.match(run.stdout, /last run backfill-fail2 failed \(1\/2 tasks, 1 failed\), ran [0-9a-f]{8} \(2 commits old\), \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, 1m 5s/);
    assert.match(run.stdout, /\n {6}Task backfill-fail2-task1 failed with message: KeyError: game_date\n/);
    assert.match(run.stdout, /✓ api\s+up to date/);
  });

  it('check --json gives each unit its kind and a job its lastExecution', async () => {
    const run = await runCli(['check', '--json'], repo.dir);
    assert.equal(run.code, 1, run.stderr);
    const json = JSON.parse(run.stdout) as { services: Record<string, unknown>[] };
    const api = json.services.find((s) => s.name === 'api')!;
    assert.equal(api.kind, 'service');
    assert.equal('lastExecution' in api, false);
    const job = json.services.find((s) => s.name === 'backfill')!;
    assert.equal(job.kind, 'job');
    assert.equal(job.status, 'stale');
    assert.deepEqual(job.serving, []);
    const last = job.lastExecution as Record<string, unknown>;
    assert.deepEqual(
      { ...last, startTime: typeof last.startTime, completionTime: typeof last.completionTime },
      {
        name: 'backfill-fail2',
        status: 'failed',
        commit: old,
        commitLabel: old.slice(0, 8),
        commitsBehind: 2,
        startTime: 'string',
        completionTime: 'string',
        tasks: { succeeded: 1, failed: 1, total: 2 },
        message: 'Task backfill-fail2-task1 failed with message: KeyError: game_date',
      },
    );
    assert.equal(Date.parse(last.completionTime as string) - Date.parse(last.startTime as string), 65_000);
  });

  it('check --kind job keeps only the jobs; --kind service leaves them out', async () => {
    const jobs = await runCli(['check', '--kind', 'job', '--json'], repo.dir);
    assert.deepEqual((JSON.parse(jobs.stdout) as { services: { name: string }[] }).services.map((s) => s.name), ['backfill']);
    const services = await runCli(['check', '--kind', 'service'], repo.dir);
    assert.equal(services.code, 0, services.stderr);
    assert.doesNotMatch(services.stdout, /backfill/);
    const bad = await runCli(['check', '--kind', 'jobs'], repo.dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--kind expects service, function, job, got "jobs"; did you mean "job"\?/);
  });

  it('verify waits for the job\'s template to carry the commit and the job to be ready', async () => {
    const before = await runCli(['verify', 'backfill', '--timeout', '0'], repo.dir);
    assert.equal(before.code, 1);
    assert.match(before.stderr, /Waiting up to 0s for backfill's template to carry [0-9a-f]{8}/);
    assert.match(before.stderr, /backfill's template still carries [0-9a-f]{8} \(expected [0-9a-f]{8}\)/);
    await emulator.control('deploy-job', { project: PROJECT, region: REGION, job: 'backfill', labels: { 'commit-sha': head.slice(0, 8) } });
    const after = await runCli(['verify', 'backfill', '--timeout', '10'], repo.dir);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout.trim(), `backfill's template carries ${head.slice(0, 8)} and the job is ready: its next execution runs it.`);
    await emulator.control('reset');
  });

  it('logs JOB --execution reads that execution\'s cloud_run_job entries; --execution is for jobs only', async () => {
    const run = await runCli(['logs', 'backfill', '--execution', 'backfill-fail2', '--since', '2h', '--json'], repo.dir);
    assert.equal(run.code, 0, run.stderr);
    const entries = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { execution?: string; text?: string; severity: string });
    assert.ok(entries.length > 0);
    assert.ok(entries.every((e) => e.execution === 'backfill-fail2'));
    assert.ok(entries.some((e) => e.severity === 'ERROR' && e.text === 'KeyError: game_date'));
    const all = await runCli(['logs', 'backfill', '--since', '2h'], repo.dir);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, / backfill-okay1 Task 1\/1 started with --start-date=2026-01-01/);
    assert.match(all.stdout, / backfill-fail2 /);
    const wrong = await runCli(['logs', 'api', '--execution', 'api-x'], repo.dir);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--execution names an execution of a Cloud Run job; api is a service/);
  });
});
