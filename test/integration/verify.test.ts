// Proof of a deploy: every outcome of verifyDeployment against the emulator and real git.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createCloudRunReader, type CloudRunReader } from '../../src/core/google/cloudrun';
import type { ServiceConfig } from '../../src/core/config';
import { GitRepository } from '../../src/core/git/repository';
import { MIN_POLL_MS, verifyDeployment, type VerifyOutcome } from '../../src/core/deploy/verify';
import { releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { startRecordingProxy, startSilentServer } from '../helpers/net';
import { createTempRepo, type TempRepo } from '../helpers/repo';

const PROJECT = 'demo-project';
const REGION = 'us-west2';
const service: ServiceConfig = { name: 'api', kind: 'service', project: PROJECT, region: REGION, paths: ['api'], dependsOn: [] };

describe('verifyDeployment', () => {
  let repo: TempRepo;
  let emulator: RunEmulator;
  let reader: CloudRunReader;
  let git: GitRepository;
  let old: string;
  let head: string;

  const verify = (extra: Partial<Parameters<typeof verifyDeployment>[0]> = {}): Promise<VerifyOutcome> =>
    verifyDeployment({ service, commitLabel: 'commit-sha', expectedCommit: head, reader, git, timeoutMs: 5_000, pollMs: 100, settleMs: 300, ...extra });
  const deploy = (payload: Record<string, unknown>): Promise<unknown> => emulator.control('deploy', { project: PROJECT, region: REGION, service: 'api', ...payload });

  before(async () => {
    repo = createTempRepo();
    old = repo.commit('initial', { 'api/main.py': '1' });
    head = repo.commit('api: fix', { 'api/main.py': '2' });
    git = await GitRepository.open(repo.dir);
    emulator = await startRunEmulator({ project: PROJECT, region: REGION, services: [{ name: 'api', revisions: [{ name: 'api-00001-aaa', labels: { 'commit-sha': old.slice(0, 8) } }] }] });
    ({ reader } = emulator);
  });
  beforeEach(async () => {
    await emulator.control('reset', {});
  });
  after(() => releaseAll(emulator, repo));

  it('verified once the new revision carrying the commit serves all traffic', async () => {
    await deploy({ labels: { 'commit-sha': head.slice(0, 7) } });
    const outcome = await verify();
    assert.equal(outcome.kind, 'verified');
    assert.match(outcome.kind === 'verified' ? outcome.revision : '', /^api-00002-/);
  });

  it('label unchanged: the revision moved but still carries the old commit', async () => {
    await deploy({ labels: { 'commit-sha': old.slice(0, 8) } });
    const outcome = await verify();
    assert.equal(outcome.kind, 'label-unchanged');
    assert.match(outcome.message, new RegExp(`still serves ${old.slice(0, 8)} \\(expected ${head.slice(0, 8)}\\) from api-00002-`));
  });

  it('revision failed: reported at once with its condition message', async () => {
    await deploy({ labels: { 'commit-sha': head.slice(0, 7) }, ready: false, message: 'Container failed to start' });
    const started = Date.now();
    const outcome = await verify({ settleMs: undefined });
    assert.equal(outcome.kind, 'revision-failed');
    assert.match(outcome.message, /Container failed to start/);
    assert.ok(Date.now() - started < 2_000, 'does not wait for the timeout');
  });

  it('traffic not moved: the new revision is ready but serves less than 100%', async () => {
    await deploy({ labels: { 'commit-sha': head.slice(0, 7) }, moveTraffic: false });
    const outcome = await verify();
    assert.equal(outcome.kind, 'traffic-not-moved');
    assert.equal(outcome.kind === 'traffic-not-moved' ? outcome.percent : -1, 0);
  });

  it('waits through a rollout, then verifies', async () => {
    await deploy({ labels: { 'commit-sha': head.slice(0, 7) }, reconcilingMs: 600 });
    const progress: string[] = [];
    const outcome = await verify({ onProgress: (text) => progress.push(text) });
    assert.equal(outcome.kind, 'verified');
    assert.ok(progress.some((p) => /rolling out/.test(p)), progress.join('\n'));
  });

  it('label unchanged says only what is served, and "the deploy script exited 0" only after a deploy script', async () => {
    await deploy({ labels: { 'commit-sha': old.slice(0, 8) } });
    const plain = await verify();
    assert.match(plain.message, new RegExp(`^api still serves ${old.slice(0, 8)} \\(expected ${head.slice(0, 8)}\\) from api-00002-\\w+\\.$`));
    const afterScript = await verify({ afterDeployScript: true });
    assert.match(afterScript.message, new RegExp(`^The deploy script exited 0 but api still serves ${old.slice(0, 8)} \\(expected ${head.slice(0, 8)}\\)`));
  });

  it(`looks no more often than every ${MIN_POLL_MS} ms, however short the interval asked for`, async () => {
    const proxy = await startRecordingProxy(emulator.httpUrl);
    const proxied = createCloudRunReader({ run: proxy.url });
    try {
      // The SDK loaded and the revisions kept first: each lookup is then one quick request.
      await proxied.lookupService(service);
      proxy.requests.length = 0;
      const outcome = await verify({ reader: proxied, pollMs: 1, settleMs: undefined, timeoutMs: 1_500 });
      assert.equal(outcome.kind, 'label-unchanged');
      const starts = proxy.requests.filter((r) => r.path.endsWith('/services/api')).map((r) => r.at);
      // Between lookups; the last wait may be shorter: it ends at the timeout, for one last look.
      const gaps = starts.slice(1, -1).map((at, i) => at - starts[i]!);
      assert.ok(gaps.length >= 1, `${starts.length} lookups`);
      assert.ok(Math.min(...gaps) >= MIN_POLL_MS - 5, `lookups ${gaps.join(', ')} ms apart`);
    } finally {
      await proxied.close();
      await proxy.close();
    }
  });

  it('ends by its timeout against an API that never answers: each lookup gets only the time left', { timeout: 10_000 }, async () => {
    const silent = await startSilentServer();
    const silentReader = createCloudRunReader({ run: silent.url });
    try {
      const started = Date.now();
      const outcome = await verify({ reader: silentReader, timeoutMs: 1_500 });
      const elapsed = Date.now() - started;
      assert.equal(outcome.kind, 'error');
      assert.equal(outcome.message, `Timed out after 1.5 s: the Cloud Run API at ${silent.url} did not answer getService in the time left`);
      assert.ok(elapsed < 3_000, `took ${elapsed} ms`);
    } finally {
      await silentReader.close();
      await silent.close();
    }
  });

  it('a canceled verify stops the lookup in flight', { timeout: 10_000 }, async () => {
    const silent = await startSilentServer();
    const silentReader = createCloudRunReader({ run: silent.url });
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('deploy canceled')), 200);
      const started = Date.now();
      await assert.rejects(verify({ reader: silentReader, timeoutMs: 60_000, signal: controller.signal }), /deploy canceled/);
      assert.ok(Date.now() - started < 1_500, `took ${Date.now() - started} ms`);
    } finally {
      await silentReader.close();
      await silent.close();
    }
  });

  it('times out while the API keeps failing, saying why', async () => {
    await emulator.control('faults', { rules: [{ api: 'run', service: 'api', httpStatus: 500, message: 'backend down' }] });
    // The verify's own clock runs out with the first failed lookup, which has the whole 20 s of real time for
    // its attempts: it ends with the API's failure, however slow the machine, never with its own deadline.
    let clock = 0;
    const failures: string[] = [];
    const outcome = await verify({
      timeoutMs: 20_000,
      now: () => clock,
      onProgress: (text) => {
        failures.push(text);
        clock += 20_000;
      },
    });
    assert.deepEqual(failures, ['backend down']);
    assert.deepEqual(outcome, { kind: 'error', message: 'Timed out after 20 s: backend down' });
  });
});
