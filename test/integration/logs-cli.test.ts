// `cloud-run-drift logs` as shipped (dist/cli.js, built by `node esbuild.mjs`) against the emulator's Logging
// gRPC endpoint: history, --json, filters, --follow until SIGINT, and the exit codes.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LogEntryInput } from '../../src/emulator/logging/entry';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const PROJECT = 'drift-logs-cli';
const REGION = 'us-west2';
const MINUTE = 60_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', ...extra };
}

function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = cliEnv()): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function iso(msAgo: number): string {
  return new Date(Date.now() - msAgo).toISOString();
}

function seed(): LogEntryInput[] {
  return [
    { insertId: 'old', service: 'api', revision: 'api-00001-aaa', timestamp: iso(3 * 60 * MINUTE), severity: 'ERROR', textPayload: 'outside the default hour' },
    { insertId: 'e1', service: 'api', revision: 'api-00001-aaa', timestamp: iso(40 * MINUTE), severity: 'ERROR', textPayload: 'MERGE failed: updated_at assigned more than once' },
    { insertId: 'j1', service: 'api', revision: 'api-00002-bbb', timestamp: iso(30 * MINUTE), severity: 'WARNING', jsonPayload: { message: 'slow model load', seconds: 12.5 } },
    { insertId: 'i1', service: 'api', revision: 'api-00002-bbb', timestamp: iso(20 * MINUTE), severity: 'INFO', textPayload: 'request served "quoted" path' },
    { insertId: 'w1', service: 'worker', revision: 'worker-00001-ccc', timestamp: iso(10 * MINUTE), severity: 'ERROR', textPayload: 'another service' },
  ];
}

describe('cloud-run-drift logs', () => {
  let emulator: RunningEmulator;
  let dir: string;

  before(async () => {
    if (!fs.existsSync(CLI) || !fs.existsSync(path.join(ROOT, 'dist', 'sdk-logging.js'))) {
      const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
    }
    emulator = await startEmulator({ port: 0, scenario: { logging: { project: PROJECT, location: REGION, entries: seed() } }, modules: { bigquery: false } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-logs-cli-'));
    fs.writeFileSync(
      path.join(dir, 'cloud-run-drift.json'),
      JSON.stringify({
        project: PROJECT,
        region: REGION,
        services: { api: {}, worker: {} },
        logFilters: { Errors: 'severity>=ERROR', Merges: 'textPayload=~"MERGE"' },
        endpoints: { logging: emulator.grpcAddress },
      }),
    );
  });

  after(async () => {
    await emulator?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('--json prints one entry per line with exactly the documented keys, oldest first, for the last hour', async () => {
    const run = await runCli(['logs', 'api', '--json'], dir);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => l['insertId']), ['e1', 'j1', 'i1']);
    assert.deepEqual(Object.keys(lines[0]!), ['insertId', 'timestamp', 'severity', 'revision', 'text']);
    assert.deepEqual(lines[1], { insertId: 'j1', timestamp: lines[1]!['timestamp'], severity: 'WARNING', revision: 'api-00002-bbb', json: { message: 'slow model load', seconds: 12.5 } });
    assert.match(String(lines[0]!['timestamp']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    assert.equal(run.stderr, '');
  });

  it('human output: timestamp severity revision text; --since widens the window', async () => {
    const run = await runCli(['logs', 'api', '--since', '4h'], dir);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /^\S+Z ERROR {5}api-00001-aaa outside the default hour$/);
    assert.match(lines[2]!, /^\S+Z WARNING {3}api-00002-bbb slow model load \{"seconds":12\.5\}$/);
  });

  it('--severity, a saved filter by name, a raw query, and quoted --text', async () => {
    const ids = async (...args: string[]): Promise<string[]> => {
      const run = await runCli(['logs', 'api', '--json', ...args], dir);
      assert.equal(run.code, 0, run.stderr);
      return run.stdout.trimEnd().split('\n').filter(Boolean).map((line) => String((JSON.parse(line) as { insertId: string }).insertId));
    };
    assert.deepEqual(await ids('--severity', 'warning'), ['e1', 'j1']);
    assert.deepEqual(await ids('--filter', 'Merges'), ['e1']);
    assert.deepEqual(await ids('--filter', 'jsonPayload.seconds>10'), ['j1']);
    assert.deepEqual(await ids('--text', '"quoted"'), ['i1']);
    assert.deepEqual(await ids('--text', '") OR ("'), []);
  });

  it('--follow prints the history, then live entries, until SIGINT (exit 0)', async () => {
    const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLI, 'logs', 'api', '--follow', '--json'], { cwd: dir, env: cliEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const lineCount = (): number => stdout.split('\n').filter(Boolean).length;
    const waitFor = async (condition: () => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 60_000;
      while (!condition()) {
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; stdout: ${stdout} stderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    try {
      await waitFor(() => lineCount() >= 3, 'the history');
      // Live entries: the tail session may still be registering; the stream's backfill covers that gap.
      await emulator.control('logs', { entries: [{ insertId: 'live-1', service: 'api', revision: 'api-00003-ddd', severity: 'NOTICE', textPayload: 'deployed' }] });
      await waitFor(() => stdout.includes('live-1'), 'the first live entry');
      await emulator.control('logs', {
        entries: [
          { insertId: 'live-2', service: 'api', revision: 'api-00003-ddd', textPayload: 'second' },
          { insertId: 'live-other', service: 'worker', revision: 'worker-00001-ccc', textPayload: 'not this service' },
        ],
      });
      await waitFor(() => stdout.includes('live-2'), 'the second live entry');
      child.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
    } finally {
      child.kill('SIGKILL');
    }
    const ids = stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as { insertId: string }).insertId);
    assert.deepEqual(ids, ['e1', 'j1', 'i1', 'live-1', 'live-2']);
    assert.equal(stderr, '', '--json keeps status chatter off stderr unless something goes wrong');
  });

  it('a filter the API rejects: exit 3 with the API\'s message', async () => {
    const run = await runCli(['logs', 'api', '--filter', 'severity>='], dir);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /^cloud-run-drift: Unparseable filter: .*expected a value after '>='/m);
    assert.equal(run.stdout, '');
  });

  it('usage and configuration problems: exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['logs'], /logs takes exactly one SERVICE/],
      [['logs', 'nope'], /not configured: nope \(configured: api, worker\)/],
      [['logs', 'api', '--severity', 'loud'], /--severity expects a level such as ERROR, got "loud"/],
      [['logs', 'api', '--since', 'yesterday'], /"yesterday" is neither a duration/],
      [['logs', 'api', '--filter', 'severity>=ERROR) OR (resource.type="gce_instance"'], /the query has a "\)" without a matching "\("/],
      [['logs', 'api', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args, dir);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });

  it('without an emulator endpoint and without credentials: exit 3 naming the exact fix', async () => {
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-logs-adc-'));
    try {
      fs.writeFileSync(path.join(bare, 'cloud-run-drift.json'), JSON.stringify({ project: PROJECT, region: REGION, services: { api: {} } }));
      const env = cliEnv({ HOME: bare, METADATA_SERVER_DETECTION: 'none', CLOUDSDK_CONFIG: path.join(bare, 'gcloud') });
      delete env['GOOGLE_APPLICATION_CREDENTIALS'];
      const run = await runCli(['logs', 'api'], bare, env);
      assert.equal(run.code, 3, run.stderr);
      assert.equal(run.stderr.trim(), 'cloud-run-drift: No Google Cloud credentials found. Run: gcloud auth application-default login');
    } finally {
      fs.rmSync(bare, { recursive: true, force: true });
    }
  });
});
