// `cloud-run-drift check` of services reads Cloud Run without the client library (src/core/google/runRest.ts):
// the built CLI (dist/cli.js) loads no SDK bundle against the emulator, first run or repeat, and with
// Google credentials loads only the auth library (dist/sdk-auth.js), whose token goes to the host the
// user allowed and nowhere else.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { emptyHome, startMetadataServer, startRecordingServer, trapEnvironment, type MetadataServer, type RecordingServer } from '../helpers/credentialTrap';
import { createTempRepo, type TempRepo } from '../helpers/repo';

const DIST = path.resolve(__dirname, '../../dist');
const CLI = path.join(DIST, 'cli.js');
const PROJECT = 'nosdk-project';
const REGION = 'us-west2';
const SERVICES = ['api', 'worker', 'grading', 'gone'];

/**
 * A preload that writes, at exit, which files the process required or read: the CLI loads the SDK
 * bundles through a V8 code cache (core/platform/codeCache.ts), which reads the file without require.
 */
const RECORDER = `const fs = require('node:fs');
const read = new Set();
const readFileSync = fs.readFileSync;
fs.readFileSync = function (file, ...rest) {
  if (typeof file === 'string') read.add(file);
  return readFileSync.call(this, file, ...rest);
};
process.on('exit', () => fs.writeFileSync(process.env.CRD_LOADED, JSON.stringify([...Object.keys(require.cache), ...read])));
`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The SDK bundles (dist/sdk-*.js) the process loaded, by file name. */
  bundles: string[];
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
        resolve({ code, stdout, stderr, bundles: [...new Set(files.filter((f) => /[\\/]sdk-[a-z-]+\.js$/.test(f)).map((f) => path.basename(f)))].sort() });
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
    emulator = await startEmulator({
      port: 0,
      modules: { logging: false, bigquery: false },
      scenario: {
        run: {
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
          ],
        },
      },
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
  });

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
      assert.ok(trap.requests.length > 0);
      for (const request of trap.requests) assert.equal(request.authorization, `Bearer ${metadata.token}`, JSON.stringify(request));
      assert.ok(!result.stdout.includes(metadata.token) && !result.stderr.includes(metadata.token), 'the token is never printed');
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
