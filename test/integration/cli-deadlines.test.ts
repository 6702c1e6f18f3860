// The built CLI (dist/cli.js) against endpoints that accept connections and never answer: every
// command that reads an API ends by its --timeout, says which deadline passed, and exits 3.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTempRepo, type TempRepo } from '../helpers/repo';
import { startSilentServer, type SilentServer } from '../helpers/net';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const CACHE = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-deadline-cache-'));
/**
 * What a command may take beyond its --timeout: starting node and loading the SDK bundle, which on a
 * busy machine takes a few seconds. Without deadlines these commands took 20 s, 165 s and forever.
 */
const STARTUP_ALLOWANCE_MS = 8_000;
/** Bounds each test, so that a command that hangs fails the test instead of the suite. */
const TEST_TIMEOUT_MS = 30_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

function runCli(args: string[], cwd: string): Promise<Run> {
  assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, CLOUD_RUN_DRIFT_CACHE_DIR: CACHE, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A command that outlives the test is ended with it.
    const kill = setTimeout(() => child.kill('SIGKILL'), TEST_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - started });
    });
  });
}

describe('cloud-run-drift CLI against a silent endpoint', () => {
  let repo: TempRepo;
  let silent: SilentServer;

  before(async () => {
    silent = await startSilentServer();
    repo = createTempRepo();
    repo.write(
      'cloud-run-drift.json',
      JSON.stringify({
        project: 'demo-project',
        region: 'us-west2',
        services: { api: { paths: ['api'] } },
        jobs: { grading: { command: 'true', scoreboard: 'SELECT 1 AS x' } },
        endpoints: { run: silent.url, logging: silent.hostPort, bigquery: silent.url },
      }),
    );
    repo.commit('initial', { 'api/main.py': '1' });
  });
  after(async () => {
    await silent?.close();
    repo?.cleanup();
    fs.rmSync(CACHE, { recursive: true, force: true });
  });

  it('scoreboard --timeout 1 ends after about a second, naming the deadline', { timeout: TEST_TIMEOUT_MS }, async () => {
    const run = await runCli(['scoreboard', '--timeout', '1'], repo.dir);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /^cloud-run-drift: BigQuery did not answer the query within 1 s, so the call was stopped/);
    assert.ok(run.elapsedMs < 1_000 + STARTUP_ALLOWANCE_MS, `took ${run.elapsedMs} ms`);
  });

  it('verify --timeout 1 ends after about a second, saying it timed out waiting for the API', { timeout: TEST_TIMEOUT_MS }, async () => {
    const run = await runCli(['verify', 'api', '--timeout', '1'], repo.dir);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, new RegExp(`Timed out after 1 s: the Cloud Run API at ${silent.url} did not answer getService in the time left`));
    assert.ok(run.elapsedMs < 1_000 + STARTUP_ALLOWANCE_MS, `took ${run.elapsedMs} ms`);
  });

  it('logs --timeout 1 ends after about a second, naming the deadline and what to do', { timeout: TEST_TIMEOUT_MS }, async () => {
    const run = await runCli(['logs', 'api', '--timeout', '1'], repo.dir);
    assert.equal(run.code, 3, run.stderr);
    assert.equal(run.stderr.trim(), 'cloud-run-drift: Cloud Logging did not deliver the log history within 1 s (allow more with --timeout SECONDS, or read less with --since)');
    assert.ok(run.elapsedMs < 1_000 + STARTUP_ALLOWANCE_MS, `took ${run.elapsedMs} ms`);
  });

  it('a --timeout that is not a positive number of seconds is a usage error', async () => {
    for (const args of [['scoreboard', '--timeout', '0'], ['logs', 'api', '--timeout', 'soon']]) {
      const run = await runCli(args, repo.dir);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /--timeout expects a positive number of seconds, got "(0|soon)"/);
    }
  });
});
