// `cloud-run-drift rollback`: the built CLI (dist/cli.js) against the emulator and real git, on a
// pipe and on a real terminal (util-linux `script` gives it a pseudo-terminal), and main() with an
// answer given in-process for the confirmation's wording.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { EXIT, main } from '../../src/cli/main';
import { releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { createTempRepo, type TempRepo } from '../helpers/repo';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const PROJECT = 'demo-project';
const REGION = 'us-west2';
const CACHE = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-cli-rollback-cache-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a child process; `terminal` runs it under `script`, so its stdin and stdout are a terminal. */
function runCli(args: string[], cwd: string, options: { input?: string; terminal?: boolean } = {}): Promise<Run> {
  assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
  const command = [process.execPath, CLI, ...args];
  const [file, argv] = options.terminal
    ? ['script', ['-qefc', command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' '), '/dev/null']]
    : [process.execPath, [CLI, ...args]];
  return new Promise((resolve) => {
    const child = spawn(file, argv as string[], { cwd, env: { ...process.env, CLOUD_RUN_DRIFT_CACHE_DIR: CACHE, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // Answer once the question is on the terminal, as a person would.
      if (options.input !== undefined && /\[y\/N\] /.test(stdout)) {
        child.stdin.end(options.input);
        options = { ...options, input: undefined };
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    if (!options.terminal) child.stdin.end(options.input ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('cloud-run-drift rollback', () => {
  let repo: TempRepo;
  let emulator: RunEmulator;
  let one: string;
  let two: string;

  const serving = async (): Promise<{ revision: string; percent: number }[]> => {
    const state = (await emulator.control('state', {})) as { run: { services: { name: string; serving: { revision: string; percent: number }[] }[] } };
    return state.run.services.find((s) => s.name === 'api')!.serving.map(({ revision, percent }) => ({ revision, percent }));
  };

  before(async () => {
    repo = createTempRepo();
    one = repo.commit('api: first', { 'api/main.py': '1' });
    two = repo.commit('api: MERGE fix', { 'api/main.py': '2' });
    emulator = await startRunEmulator({
      project: PROJECT,
      region: REGION,
      services: [
        {
          name: 'api',
          revisions: [
            { name: 'api-00001-aaa', labels: { 'commit-sha': one.slice(0, 8) } },
            { name: 'api-00002-bbb', labels: { 'commit-sha': two.slice(0, 8) }, ready: false },
            { name: 'api-00003-ccc', labels: { 'commit-sha': two.slice(0, 8) } },
          ],
        },
      ],
    });
    fs.writeFileSync(
      path.join(repo.dir, 'cloud-run-drift.json'),
      JSON.stringify({ project: PROJECT, region: REGION, services: { api: { paths: ['api'] }, fn: { kind: 'function', paths: ['fn'] } }, endpoints: { run: emulator.httpUrl, functions: emulator.httpUrl } }),
    );
  });
  beforeEach(async () => {
    await emulator.control('reset', {});
    await emulator.control('traffic-plan', { project: PROJECT, region: REGION, service: 'api', reconcilingMs: 300 });
  });
  after(async () => {
    await releaseAll(emulator, repo);
    fs.rmSync(CACHE, { recursive: true, force: true });
  });

  it('without --yes and without a terminal: refuses, names --yes, changes nothing (exit 2)', async () => {
    const run = await runCli(['rollback', 'api', '--to', 'api-00001-aaa', '--interval', '0.2'], repo.dir, { input: 'y\n' });
    assert.equal(run.code, EXIT.usage, run.stderr);
    assert.match(run.stderr, /1 commit touching api's paths would stop being served:\n {2}\w{8} api: MERGE fix/);
    assert.match(run.stderr, /not confirmed: stdin is not a terminal.*pass --yes/);
    assert.deepEqual(await serving(), [{ revision: 'api-00003-ccc', percent: 100 }]);
  });

  it('--yes: routes, proves, prints what served before (exit 0); the check then says rolled back', async () => {
    const run = await runCli(['rollback', 'api', '--to', 'api-00001-aaa', '--yes', '--interval', '0.2'], repo.dir);
    assert.equal(run.code, EXIT.ok, run.stderr);
    assert.match(run.stdout, /api serves 100% api-00001-aaa \(traffic rolled out, generation \d+\)\./);
    assert.match(run.stderr, /Before: 100% LATEST\./);
    assert.deepEqual(await serving(), [{ revision: 'api-00001-aaa', percent: 100 }]);
    const check = await runCli(['check', '--json'], repo.dir);
    const api = (JSON.parse(check.stdout) as { services: { name: string; status: string; rolledBackTo?: unknown }[] }).services.find((s) => s.name === 'api')!;
    assert.equal(api.status, 'stale');
    assert.deepEqual(api.rolledBackTo, { revision: 'api-00001-aaa', latestReadyRevision: 'api-00003-ccc' });
    const human = await runCli(['check', '--service', 'api'], repo.dir);
    assert.match(human.stdout, /api\s+stale\s+\w{8}\s+1 behind( for [^,]+)?, rolled back to api-00001-aaa\n\s+.*Rolled back: all traffic is pinned to api-00001-aaa/);
  });

  it('on a terminal: asks y/N; "n" changes nothing (exit 4), "y" rolls back (exit 0)', async () => {
    const declined = await runCli(['rollback', 'api', '--to', 'api-00001-aaa', '--interval', '0.2'], repo.dir, { terminal: true, input: 'n\n' });
    assert.equal(declined.code, EXIT.refused, declined.stdout);
    assert.match(declined.stdout, /Route All Traffic\? \[y\/N\] /);
    assert.match(declined.stdout, /Nothing changed\./);
    assert.deepEqual(await serving(), [{ revision: 'api-00003-ccc', percent: 100 }]);
    const accepted = await runCli(['rollback', 'api', '--to', 'api-00001-aaa', '--interval', '0.2'], repo.dir, { terminal: true, input: 'y\n' });
    assert.equal(accepted.code, EXIT.ok, accepted.stdout);
    assert.deepEqual(await serving(), [{ revision: 'api-00001-aaa', percent: 100 }]);
  });

  it('a revision that fails to serve: exit 1, says why and that the traffic was set back', async () => {
    await emulator.control('traffic-plan', { project: PROJECT, region: REGION, service: 'api', unservable: { 'api-00001-aaa': 'Image not found.' } });
    const run = await runCli(['rollback', 'api', '--to', 'api-00001-aaa', '--yes', '--interval', '0.2'], repo.dir);
    assert.equal(run.code, EXIT.drift, run.stderr);
    assert.match(run.stderr, /Revision 'api-00001-aaa' is not ready and cannot serve traffic\. Image not found\. Traffic was set back to what served before \(100% api-00003-ccc\)\./);
    assert.deepEqual(await serving(), [{ revision: 'api-00003-ccc', percent: 100 }]);
  });

  it('refusals: a failed revision (exit 4), a function (exit 2), a bad revision name (exit 2), Cloud Run refusing (exit 3)', async () => {
    const failed = await runCli(['rollback', 'api', '--to', 'api-00002-bbb', '--yes'], repo.dir);
    assert.equal(failed.code, EXIT.refused, failed.stderr);
    assert.match(failed.stderr, /api-00002-bbb is not ready and cannot serve traffic: .* Nothing changed\./);
    const fn = await runCli(['rollback', 'fn', '--to', 'fn-00001-aaa', '--yes'], repo.dir);
    assert.equal(fn.code, EXIT.usage);
    assert.match(fn.stderr, /fn is a Cloud Run function/);
    const bad = await runCli(['rollback', 'api', '--to', 'api;rm -rf /', '--yes'], repo.dir);
    assert.equal(bad.code, EXIT.usage);
    assert.match(bad.stderr, /--to expects a revision name/);
    await emulator.control('faults', { rules: [{ api: 'run', operation: 'updateService', httpStatus: 403, message: 'Permission run.services.update denied' }] });
    const refused = await runCli(['rollback', 'api', '--to', 'api-00001-aaa', '--yes'], repo.dir);
    await emulator.control('clear-faults', {});
    assert.equal(refused.code, EXIT.unchecked, refused.stderr);
    assert.match(refused.stderr, /Cloud Run refused to route api's traffic to api-00001-aaa: Permission denied/);
  });

  it('main(): the question is escaped for the terminal like all output', async () => {
    repo.commit('api: \x1b]0;owned\x07 title', { 'api/main.py': '3' });
    const err: string[] = [];
    const questions: string[] = [];
    const code = await main(['rollback', 'api', '--to', 'api-00001-aaa', '--config', path.join(repo.dir, 'cloud-run-drift.json')], {
      out: () => undefined,
      err: (t) => err.push(t),
      color: false,
      confirm: async (q) => (questions.push(q), false),
    });
    repo.git('reset', '-q', '--hard', 'HEAD~1');
    assert.equal(code, EXIT.refused);
    assert.deepEqual(questions, ['Route All Traffic? [y/N] ']);
    assert.ok(!err.join('\n').includes('\x1b'), 'no raw ESC reaches the terminal');
  });
});
