// Where the user's Google credentials go when cloud-run-drift.json points the APIs at a host that is not Google's.
// Real client libraries, real Application Default Credentials (from a fake metadata server on 127.0.0.1) and a
// recording TLS server on 127.0.0.1 that the clients trust: any token the code sends there is recorded. The CLI
// (dist/cli.js) and the extension's readers run in child processes, which is how they get to trust the test
// certificate (NODE_EXTRA_CA_CERTS is read at start) and the gRPC client gets its proxy (grpc_proxy).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  emptyHome,
  NOT_GOOGLE_HOST,
  startConnectProxy,
  startMetadataServer,
  startRecordingServer,
  trapEnvironment,
  type ConnectProxy,
  type MetadataServer,
  type RecordingServer,
} from '../helpers/credentialTrap';
import { createTempRepo, type TempRepo } from '../helpers/repo';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const PROBE = path.resolve(__dirname, '../helpers/extensionReadersProbe.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The refusal names every way to opt in, none of which a repository controls. */
function assertNamesTheOptIn(text: string, host: string): void {
  assert.match(text, /is not a Google API host/, text);
  assert.ok(text.includes('cloudRunDrift.credentials.allowHosts'), text);
  assert.ok(text.includes(`CLOUD_RUN_DRIFT_ALLOW_CREDENTIALS_TO=${host}`), text);
  assert.ok(text.includes(`--allow-credentials-to ${host}`), text);
}

describe('no Google credentials for an endpoint that is not Google', () => {
  let metadata: MetadataServer;
  let trap: RecordingServer;
  let proxy: ConnectProxy;
  let repo: TempRepo;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let runEndpoint: string;
  let loggingEndpoint: string;

  before(async () => {
    assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    metadata = await startMetadataServer();
    trap = await startRecordingServer();
    proxy = await startConnectProxy(trap.port);
    home = emptyHome();
    // Only gRPC reads grpc_proxy: the REST clients dial 127.0.0.1 directly.
    env = { ...trapEnvironment(metadata, home), grpc_proxy: proxy.url };
    runEndpoint = `https://127.0.0.1:${trap.port}`;
    // gRPC to a loopback host is plain (the emulator, no credentials): the Logging client gets a host that is
    // neither loopback nor Google's, which the proxy tunnels to the recording server.
    loggingEndpoint = `${NOT_GOOGLE_HOST}:${trap.port}`;
    repo = createTempRepo('crd-leak-');
    repo.write(
      'cloud-run-drift.json',
      JSON.stringify({
        project: 'leak-project',
        region: 'us-west2',
        services: { api: {} },
        jobs: { grade: { command: 'true', table: 'leak-project.ds.t', scoreboard: 'SELECT 1 AS one' } },
        endpoints: { run: runEndpoint, bigquery: runEndpoint, logging: loggingEndpoint },
      }),
    );
    repo.commit('config', {});
  });

  after(async () => {
    await proxy?.close();
    await trap?.close();
    await metadata?.close();
    repo?.cleanup();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  const cli = (...args: string[]): Promise<Run> => run([CLI, ...args], repo.dir, env);
  /** What the servers have seen so far, to compare with after a run. */
  const mark = (): { requests: number; tokens: number } => ({ requests: trap.requests.length, tokens: metadata.tokensIssued() });
  const assertNoTokenSince = (since: { requests: number; tokens: number }, what: string): void => {
    assert.deepEqual(trap.requests.slice(since.requests).filter((r) => r.authorization !== null), [], `${what} sent a token to the test server`);
    assert.equal(metadata.tokensIssued() - since.tokens, 0, `${what} minted a token for a refused host`);
  };

  it('check (Cloud Run): no token to an https endpoint on 127.0.0.1, and the refusal names the opt-in', async () => {
    const since = mark();
    const result = await cli('check');
    assertNoTokenSince(since, 'check');
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assertNamesTheOptIn(result.stdout, '127.0.0.1');
    assert.ok(result.stdout.includes(`endpoints.run ${runEndpoint}`), result.stdout);
  });

  it('logs (Cloud Logging over gRPC): no token to a host that is not Google', async () => {
    const since = mark();
    const result = await cli('logs', 'api', '--since', '1h');
    assertNoTokenSince(since, 'logs');
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assertNamesTheOptIn(result.stderr, NOT_GOOGLE_HOST);
    assert.ok(result.stderr.includes(`endpoints.logging ${loggingEndpoint}`), result.stderr);
  });

  it('scoreboard and job (BigQuery): no token to an https endpoint on 127.0.0.1', async () => {
    const since = mark();
    const scoreboard = await cli('scoreboard');
    assertNoTokenSince(since, 'scoreboard');
    assert.equal(scoreboard.code, 3, scoreboard.stdout + scoreboard.stderr);
    assertNamesTheOptIn(scoreboard.stderr, '127.0.0.1');
    const job = await cli('job', '--start-date', '2026-01-24', '--end-date', '2026-01-24', '--dry-run');
    assertNoTokenSince(since, 'job');
    assert.equal(job.code, 3, job.stdout + job.stderr);
    assertNamesTheOptIn(job.stderr, '127.0.0.1');
  });

  /** The extension's readers in a child process (see extensionReadersProbe.ts), with the setting's hosts. */
  const probe = async (...allowHosts: string[]): Promise<Record<'run' | 'logs' | 'bigquery', string>> => {
    // From this project's folder, where --import finds tsx; the workspace folder is the first argument.
    const result = await run(['--import', 'tsx', PROBE, repo.dir, ...allowHosts], path.resolve(__dirname, '../..'), env);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    return JSON.parse(result.stdout) as Record<'run' | 'logs' | 'bigquery', string>;
  };

  it("the extension's readers (trusted workspace): no token for Cloud Run, Logging or BigQuery", async () => {
    const since = mark();
    const outcome = await probe();
    assertNoTokenSince(since, 'the extension');
    assertNamesTheOptIn(outcome.run, '127.0.0.1');
    assertNamesTheOptIn(outcome.logs, NOT_GOOGLE_HOST);
    assertNamesTheOptIn(outcome.bigquery, '127.0.0.1');
  });

  // The same servers with the user's opt-in: the token does reach them, so the tests above can fail.
  it('the environment variable lets the token through to that host (Cloud Run, BigQuery)', async () => {
    const since = mark();
    const check = await run([CLI, 'check'], repo.dir, { ...env, CLOUD_RUN_DRIFT_ALLOW_CREDENTIALS_TO: 'example.com, 127.0.0.1' });
    assert.equal(check.code, 3, check.stdout + check.stderr);
    assert.match(check.stdout, /Permission denied: recorded by the test server/);
    const scoreboard = await run([CLI, 'scoreboard'], repo.dir, { ...env, CLOUD_RUN_DRIFT_ALLOW_CREDENTIALS_TO: '127.0.0.1' });
    assert.equal(scoreboard.code, 3, scoreboard.stdout + scoreboard.stderr);
    const sent = trap.requests.slice(since.requests);
    assert.ok(sent.some((r) => r.path.startsWith('/v2/projects/leak-project/locations/us-west2/services/api')), JSON.stringify(sent));
    assert.ok(sent.some((r) => r.path.startsWith('/bigquery/v2/projects/leak-project/queries')), JSON.stringify(sent));
    for (const request of sent) assert.equal(request.authorization, `Bearer ${metadata.token}`, JSON.stringify(request));
  });

  it("the extension's setting lets the token through to that host (all three)", async () => {
    const since = mark();
    const outcome = await probe('127.0.0.1', NOT_GOOGLE_HOST);
    assert.deepEqual(outcome, { run: 'Permission denied: recorded by the test server', logs: 'Permission denied: recorded by the test server', bigquery: 'BigQuery: the query failed: recorded by the test server' });
    const sent = trap.requests.slice(since.requests);
    assert.deepEqual(sent.map((r) => [r.httpVersion, r.method, r.path.replace(/\?.*/, ''), r.authorization]), [
      ['1.1', 'GET', '/v2/projects/leak-project/locations/us-west2/services/api', `Bearer ${metadata.token}`],
      ['2.0', 'POST', '/google.logging.v2.LoggingServiceV2/ListLogEntries', `Bearer ${metadata.token}`],
      ['1.1', 'POST', '/bigquery/v2/projects/leak-project/queries', `Bearer ${metadata.token}`],
    ]);
  });

  it('the CLI flag lets the token through to that host (Logging over HTTP/2)', async () => {
    const since = mark();
    const logs = await cli('logs', 'api', '--since', '1h', '--allow-credentials-to', NOT_GOOGLE_HOST);
    assert.equal(logs.code, 3, logs.stdout + logs.stderr);
    assert.match(logs.stderr, /Permission denied: recorded by the test server/);
    const sent = trap.requests.slice(since.requests);
    assert.deepEqual(
      sent.map((r) => [r.httpVersion, r.path, r.authorization]),
      [['2.0', '/google.logging.v2.LoggingServiceV2/ListLogEntries', `Bearer ${metadata.token}`]],
    );
    // It reached the recording server by that name (TLS checked the certificate for it), through the proxy.
    assert.ok(proxy.targets.includes(`${NOT_GOOGLE_HOST}:${trap.port}`), JSON.stringify(proxy.targets));
  });
});
