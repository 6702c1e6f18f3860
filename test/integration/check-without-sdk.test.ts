// `cloud-run-drift check` and `where` read Cloud Run and Cloud Functions without the client libraries
// (src/core/google/runRest.ts, functionsRest.ts): the built CLI (dist/cli.js) loads no SDK bundle against
// the emulator, first run or repeat, for services, functions and jobs alike and for the revision
// histories `where` reads, and with Google credentials loads only the auth library (dist/sdk-auth.js),
// whose token goes to the host the user allowed and nowhere else.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/server';
import { startRunEmulator } from '../helpers/emulatorCheck';
import { emptyHome, startMetadataServer, startRecordingServer, trapEnvironment, type MetadataServer, type RecordingServer } from '../helpers/credentialTrap';
import { createTempRepo, type TempRepo } from '../helpers/repo';

const DIST = path.resolve(__dirname, '../../dist');
const CLI = path.join(DIST, 'cli.js');
const PROJECT = 'nosdk-project';
const REGION = 'us-west2';
const SERVICES = ['api', 'worker', 'grading', 'gone'];
const FUNCTIONS = ['scorer', 'ranker', 'tally'];
const JOBS = ['nightly', 'hourly', 'weekly'];

/**
 * A preload that writes, at exit, which files the process required or read (the CLI loads the SDK
 * bundles through a V8 code cache, core/platform/codeCache.ts, which reads the file without
 * require) and which of Node's own modules it loaded (`builtin:`, from process.moduleLoadList).
 */
const RECORDER = `const fs = require('node:fs');
const read = new Set();
const readFileSync = fs.readFileSync;
fs.readFileSync = function (file, ...rest) {
  if (typeof file === 'string') read.add(file);
  return readFileSync.call(this, file, ...rest);
};
process.on('exit', () => fs.writeFileSync(process.env.CRD_LOADED, JSON.stringify([...Object.keys(require.cache), ...read, ...process.moduleLoadList.map((name) => 'builtin:' + name)])));
`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The SDK bundles (dist/sdk-*.js) the process loaded, by file name. */
  bundles: string[];
  /** Whether it loaded Node's fetch implementation (undici). */
  undici: boolean;
}

describe('check reads Cloud Run without the SDK', () => {
  let dir: string;
  let repo: TempRepo;
  let emulator: RunningEmulator;

  const run = (args: string[], env: NodeJS.ProcessEnv): Promise<Run> =>
    new Promise((resolve) => {
      const loaded = path.join(dir, `loaded-${Date.now()}-${Math.random()}.json`);
      const child = spawn(process.execPath, ['--require', path.join(dir, 'recorder.cjs'), CLI, ...args], { cwd: repo.dir, env: { ...env, CRD_LOADED: loaded } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        const files = fs.existsSync(loaded) ? (JSON.parse(fs.readFileSync(loaded, 'utf8')) as string[]) : [];
        resolve({ code, stdout, stderr, bundles: [...new Set(files.filter((f) => /[\\/]sdk-[a-z-]+\.js$/.test(f)).map((f) => path.basename(f)))].sort(), undici: files.some((f) => f.startsWith('builtin:') && f.includes('undici')) });
      });
    });

  const writeConfig = (run: string): void => {
    repo.write('cloud-run-drift.json', JSON.stringify({ project: PROJECT, region: REGION, services: Object.fromEntries(SERVICES.map((s) => [s, { paths: ['src'] }])), endpoints: { run } }));
  };

  before(async () => {
    assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-nosdk-'));
    fs.writeFileSync(path.join(dir, 'recorder.cjs'), RECORDER);
    repo = createTempRepo('crd-nosdk-repo-');
    const head = repo.commit('initial', { 'src/main.py': '1' });
    const label = { 'commit-sha': head.slice(0, 8) };
    emulator = await startRunEmulator({
      project: PROJECT,
      region: REGION,
      services: [
        { name: 'api', revisions: [{ name: 'api-00001-aaa', labels: label }] },
        { name: 'worker', revisions: [{ name: 'worker-00001-aaa', labels: label }, { name: 'worker-00002-bbb', labels: label, ready: false, message: 'no' }] },
        {
          name: 'grading',
          revisions: [{ name: 'grading-00001-aaa', labels: label }, { name: 'grading-00002-bbb', labels: label }],
          traffic: [{ revision: 'grading-00001-aaa', percent: 50 }, { latest: true, percent: 50, tag: 'canary' }],
        },
        ...FUNCTIONS.map((name) => ({ name, revisions: [{ name: `${name}-00001-aaa`, labels: label }] })),
      ],
      jobs: JOBS.map((name) => ({
        name,
        labels: label,
        executions: [
          { name: `${name}-done`, createTime: '2026-01-01T00:00:00Z', taskDurationMs: 1_000 },
          { name: `${name}-broke`, createTime: '2026-01-02T00:00:00Z', failMessage: 'KeyError: game_date' },
        ],
      })),
      functions: FUNCTIONS.map((name) => ({ name, labels: label })),
    });
  });

  after(async () => {
    await emulator?.close();
    repo?.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('against the emulator: no SDK bundle on the first run, nor on a repeat run; the verdicts as before', async () => {
    writeConfig(emulator.httpUrl);
    const env = { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', CLOUD_RUN_DRIFT_CACHE_DIR: path.join(dir, 'cache') };
    for (const which of ['first run', 'repeat run']) {
      const result = await run(['check', '--json'], env);
      const report = JSON.parse(result.stdout) as { services: { name: string; status: string }[] };
      assert.deepEqual(
        Object.fromEntries(report.services.map((s) => [s.name, s.status])),
        { api: 'up-to-date', worker: 'deploy-failed', grading: 'up-to-date', gone: 'not-found' },
        `${which}: ${result.stderr}`,
      );
      assert.deepEqual(result.bundles, [], `${which} loads no SDK bundle`);
    }
    // Every service is live at HEAD: where reads (and keeps) their revision histories.
    const where = await run(['where', 'HEAD', '--json'], env);
    const units = (JSON.parse(where.stdout) as { units: { name: string; state: string }[] }).units;
    assert.deepEqual(Object.fromEntries(units.map((u) => [u.name, u.state])), { api: 'live', worker: 'live', grading: 'live', gone: 'unknown' }, where.stderr);
    assert.ok(fs.readFileSync(path.join(env.CLOUD_RUN_DRIFT_CACHE_DIR, 'where-histories-v1.json'), 'utf8').includes('grading-00002-bbb'), 'where read the histories');
    assert.deepEqual(where.bundles, [], 'where loads no SDK bundle');
  });

  // A kind with more than two units in a region is read with one list; with fewer, each unit with its own get.
  for (const [which, functions, jobs] of [
    ['gets', FUNCTIONS.slice(0, 1), JOBS.slice(0, 1)],
    ['region lists', FUNCTIONS, JOBS],
  ] as const) {
    it(`against the emulator, functions and jobs (${which}): check and a where that reads revision histories load no SDK bundle`, async () => {
      const units = {
        api: { paths: ['src'] },
        worker: { paths: ['src'] },
        ...Object.fromEntries(functions.map((name) => [name, { kind: 'function', paths: ['src'] }])),
        ...Object.fromEntries(jobs.map((name) => [name, { kind: 'job', paths: ['src'] }])),
      };
      repo.write('cloud-run-drift.json', JSON.stringify({ project: PROJECT, region: REGION, services: units, endpoints: { run: emulator.httpUrl, functions: emulator.httpUrl } }));
      const cache = path.join(dir, `cache-${which.replace(/ /g, '-')}`);
      const env = { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', CLOUD_RUN_DRIFT_CACHE_DIR: cache };
      for (const round of ['first run', 'repeat run']) {
        const result = await run(['check', '--json'], env);
        const report = JSON.parse(result.stdout) as { services: { name: string; status: string }[] };
        assert.deepEqual(
          Object.fromEntries(report.services.map((s) => [s.name, s.status])),
          { api: 'up-to-date', worker: 'deploy-failed', ...Object.fromEntries([...functions, ...jobs].map((name) => [name, 'up-to-date'])) },
          `${round}: ${result.stderr}`,
        );
        assert.deepEqual(result.bundles, [], `${round} of check loads no SDK bundle`);
      }
      const where = await run(['where', 'HEAD', '--json'], env);
      const answer = JSON.parse(where.stdout) as { units: { name: string; state: string }[] };
      assert.deepEqual(
        answer.units.filter((u) => !jobs.includes(u.name as never)).map((u) => [u.name, u.state]).sort(),
        ['api', 'worker', ...functions].map((name) => [name, 'live']).sort(),
        where.stderr,
      );
      const histories = fs.readFileSync(path.join(cache, 'where-histories-v1.json'), 'utf8');
      for (const unit of ['api', 'worker', ...functions]) assert.ok(histories.includes(`"${unit}`), `where read the history of ${unit}: ${histories.slice(0, 300)}`);
      assert.deepEqual(where.bundles, [], 'where loads no SDK bundle');
    });
  }

  describe('with Google credentials', () => {
    let metadata: MetadataServer;
    let trap: RecordingServer;
    let home: string;

    before(async () => {
      metadata = await startMetadataServer();
      trap = await startRecordingServer();
      home = emptyHome();
      writeConfig(`https://127.0.0.1:${trap.port}`);
    });

    after(async () => {
      await trap?.close();
      await metadata?.close();
      if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    it('loads only the auth library, and sends the token to the allowed host alone', async () => {
      const env = { ...trapEnvironment(metadata, home), CLOUD_RUN_DRIFT_ALLOW_CREDENTIALS_TO: '127.0.0.1' };
      const result = await run(['check'], env);
      assert.equal(result.code, 3, result.stdout + result.stderr);
      assert.match(result.stdout, /Permission denied: recorded by the test server/);
      assert.deepEqual(result.bundles, ['sdk-auth.js']);
      // The auth library's requests build their headers with node-fetch's Headers (src/sdk/fetchGlobals.ts), not Node's.
      assert.equal(result.undici, false, "Node's fetch implementation (undici) was loaded");
      assert.ok(trap.requests.length > 0);
      for (const request of trap.requests) {
        assert.equal(request.authorization, `Bearer ${metadata.token}`, JSON.stringify(request));
        // Over HTTP/2, naming gzip, which Google's APIs want to see before they compress an answer.
        assert.equal(request.httpVersion, '2.0');
        assert.match(request.userAgent ?? '', /^cloud-run-drift \(gzip\)$/);
      }
      assert.ok(!result.stdout.includes(metadata.token) && !result.stderr.includes(metadata.token), 'the token is never printed');
    });

    it('functions and jobs too: only the auth library, one token for both APIs, sent to the allowed host alone', async () => {
      const since = { requests: trap.requests.length, tokens: metadata.tokensIssued() };
      const units = { api: { paths: ['src'] }, scorer: { kind: 'function', paths: ['src'] }, nightly: { kind: 'job', paths: ['src'] } };
      const endpoint = `https://127.0.0.1:${trap.port}`;
      repo.write('cloud-run-drift.json', JSON.stringify({ project: PROJECT, region: REGION, services: units, endpoints: { run: endpoint, functions: endpoint } }));
      try {
        const result = await run(['check'], { ...trapEnvironment(metadata, home), CLOUD_RUN_DRIFT_ALLOW_CREDENTIALS_TO: '127.0.0.1' });
        assert.equal(result.code, 3, result.stdout + result.stderr);
        assert.deepEqual(result.bundles, ['sdk-auth.js']);
        const asked = trap.requests.slice(since.requests);
        for (const part of ['/functions/scorer', '/jobs/nightly', '/jobs/nightly/executions', '/services/api']) {
          assert.ok(asked.some((r) => r.path.split('?')[0]!.endsWith(part)), `${part} asked for: ${JSON.stringify(asked.map((r) => r.path))}`);
        }
        for (const request of asked) assert.equal(request.authorization, `Bearer ${metadata.token}`, JSON.stringify(request));
        assert.equal(metadata.tokensIssued() - since.tokens, 1, 'one token lookup for both APIs');
        assert.ok(!result.stdout.includes(metadata.token) && !result.stderr.includes(metadata.token), 'the token is never printed');
      } finally {
        writeConfig(endpoint);
      }
    });

    it("opens the API's connection while the token is looked up, not after it", async () => {
      // A token handed out only once the API's host has seen a TLS connection: a check that
      // connected after getting its token would wait for it forever (and be killed).
      const server = await startRecordingServer();
      const gated = await startMetadataServer(metadata.token, () => server.connected());
      const endpoint = `https://127.0.0.1:${server.port}`;
      writeConfig(endpoint);
      try {
        const result = await run(['check'], { ...trapEnvironment(gated, home), CLOUD_RUN_DRIFT_ALLOW_CREDENTIALS_TO: '127.0.0.1' });
        assert.equal(result.code, 3, result.stdout + result.stderr);
        assert.match(result.stdout, /Permission denied: recorded by the test server/);
        assert.equal(gated.tokensIssued(), 1);
        assert.ok(server.requests.length > 0);
        for (const request of server.requests) assert.equal(request.authorization, `Bearer ${metadata.token}`, JSON.stringify(request));
      } finally {
        writeConfig(`https://127.0.0.1:${trap.port}`);
        await gated.close();
        await server.close();
      }
    });

    it('asks neither gcloud nor the metadata server for a project', async () => {
      // A gcloud that records being run and knows no project, as where none is configured: the auth
      // library would then ask the metadata server. Without GOOGLE_CLOUD_PROJECT, which the other tests set.
      const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-fake-gcloud-'));
      const calls = path.join(bin, 'calls');
      fs.writeFileSync(path.join(bin, 'gcloud'), `#!/bin/sh\necho "$*" >> '${calls}'\nexit 1\n`, { mode: 0o755 });
      const { GOOGLE_CLOUD_PROJECT: _project, ...env } = trapEnvironment(metadata, home);
      const asked = metadata.projectIdsAsked();
      try {
        const result = await run(['check'], { ...env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, CLOUD_RUN_DRIFT_ALLOW_CREDENTIALS_TO: '127.0.0.1' });
        assert.equal(result.code, 3, result.stdout + result.stderr);
        assert.match(result.stdout, /Permission denied: recorded by the test server/);
        assert.equal(fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8') : '', '', 'gcloud was run');
        assert.equal(metadata.projectIdsAsked() - asked, 0, "the metadata server was asked for the project's id");
      } finally {
        fs.rmSync(bin, { recursive: true, force: true });
      }
    });

    it('without the opt-in: no token is looked up and nothing is loaded', async () => {
      const since = { requests: trap.requests.length, tokens: metadata.tokensIssued() };
      const result = await run(['check'], trapEnvironment(metadata, home));
      assert.equal(result.code, 3, result.stdout + result.stderr);
      assert.match(result.stdout, /is not a Google API host/);
      assert.deepEqual(result.bundles, []);
      assert.equal(trap.requests.length, since.requests);
      assert.equal(metadata.tokensIssued(), since.tokens);
    });
  });
});
