// Rolling a service back by routing its traffic, with proof: the real @google-cloud/run client
// (UpdateService and GetService over REST) against the emulator, real git in a temporary repository.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { checkServices } from '../../src/core/check';
import type { CloudRunReader } from '../../src/core/google/cloudrun';
import type { DriftConfig, ServiceConfig } from '../../src/core/config';
import { GitRepository } from '../../src/core/git/repository';
import { rollbackConfirmation } from '../../src/core/rollback/plan';
import { prepareRollback } from '../../src/core/rollback/prepare';
import { rollBack, undoRollback } from '../../src/core/rollback/run';
import { releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { createTempRepo, type TempRepo } from '../helpers/repo';
import { verdictNamed } from '../helpers/verdicts';

const PROJECT = 'demo-project';
const REGION = 'us-west2';
const api: ServiceConfig = { name: 'api', kind: 'service', project: PROJECT, region: REGION, paths: ['api'], dependsOn: [] };
const TIMING = { timeoutMs: 5_000, pollMs: 200, settleMs: 800 } as const;

describe('rollback: route all traffic to a previous revision, with proof', () => {
  let repo: TempRepo;
  let emulator: RunEmulator;
  let reader: CloudRunReader;
  let git: GitRepository;
  let config: DriftConfig;
  const c: Record<string, string> = {};

  before(async () => {
    repo = createTempRepo();
    c.one = repo.commit('api: first', { 'api/main.py': '1', 'docs/a.md': '1' });
    c.two = repo.commit('api: MERGE fix', { 'api/main.py': '2' });
    c.docs = repo.commit('docs only', { 'docs/a.md': '2' });
    c.three = repo.commit('api: faster\n\nbody line', { 'api/main.py': '3' });
    git = await GitRepository.open(repo.dir);
    const rev = (name: string, sha: string | null, extra: Record<string, unknown> = {}) => ({ name, labels: sha ? { 'commit-sha': sha.slice(0, 8) } : {}, ...extra });
    emulator = await startRunEmulator({
      project: PROJECT,
      region: REGION,
      services: [
        {
          name: 'api',
          revisions: [
            rev('api-00001-aaa', c.one!),
            rev('api-00002-bbb', c.two!),
            rev('api-00003-ccc', null, { ready: false, message: 'Container failed to start on PORT=8080' }),
            rev('api-00004-ddd', c.three!),
          ],
          traffic: [
            { latest: true, percent: 90 },
            { revision: 'api-00002-bbb', percent: 10, tag: 'canary' },
          ],
        },
      ],
    });
    ({ reader } = emulator);
    config = { file: `${repo.dir}/cloud-run-drift.json`, root: repo.dir, commitLabel: 'commit-sha', services: [api], deployCommands: [], logFilters: {}, jobs: [], endpoints: { run: emulator.httpUrl } };
  });
  beforeEach(async () => {
    await emulator.control('reset', {});
    await emulator.control('traffic-plan', { project: PROJECT, region: REGION, service: 'api', reconcilingMs: 400 });
  });
  after(() => releaseAll(emulator, repo));

  const prepare = (revision: string) => prepareRollback({ service: api, revision, commitLabel: 'commit-sha', reader, git });

  it('the plan lists the commits touching the paths that would stop being served, once each', async () => {
    const plan = await prepare('api-00001-aaa');
    assert.equal(plan.blocked, null);
    assert.equal(plan.alreadyServing, false);
    assert.equal(plan.target.commit, c.one);
    // Serving: 90% api-00004 (three) and 10% api-00002 (two); the docs commit touches no path of api.
    assert.deepEqual(plan.stopping?.map((x) => x.sha), [c.three, c.two]);
    const text = rollbackConfirmation(plan);
    assert.match(text.title, new RegExp(`^Route all of api's traffic to api-00001-aaa \\(${c.one!.slice(0, 8)} "api: first"\\)\\?$`));
    assert.match(text.detail, /Now serving: 90% api-00004-ddd .*, 10% api-00002-bbb/);
    assert.match(text.detail, /2 commits touching api's paths would stop being served:\n {2}\w{8} api: faster\n {2}\w{8} api: MERGE fix/);
    assert.match(text.detail, /Undo sets it back to: 90% LATEST, tag canary → api-00002-bbb \(10%\)/);
  });

  it('a failed revision is blocked before anything is asked of Cloud Run', async () => {
    const plan = await prepare('api-00003-ccc');
    assert.match(plan.blocked ?? '', /api-00003-ccc is not ready and cannot serve traffic: Container failed to start/);
    const missing = await prepare('api-00009-zzz');
    assert.match(missing.blocked ?? '', /api-00009-zzz is not a revision of api/);
  });

  it('success: after reconciling, 100% serves the target; the verdict is stale and says rolled back; Undo restores the split and tags', async () => {
    const progress: string[] = [];
    const before = await reader.readTraffic!(api);
    const result = await rollBack({ service: api, reader, revision: 'api-00001-aaa', ...TIMING, onProgress: (t) => progress.push(t) });
    assert.equal(result.outcome.kind, 'verified', result.outcome.message);
    assert.ok(progress.some((p) => /still routing traffic/.test(p)), `the rollout was observed reconciling: ${progress.join(' | ')}`);
    const after = await reader.readTraffic!(api);
    assert.deepEqual(after.serving.map((s) => [s.revision, s.percent]), [['api-00001-aaa', 100]]);
    assert.equal(after.generation, before.generation + 1);
    // The tag stays, at 0%: its URL keeps working.
    assert.deepEqual(after.traffic, [
      { revision: 'api-00001-aaa', percent: 100, tag: null },
      { revision: 'api-00002-bbb', percent: 0, tag: 'canary' },
    ]);

    const check = await checkServices(config, { reader, git });
    const verdict = verdictNamed(check, 'api');
    assert.equal(verdict.status, 'stale');
    assert.deepEqual(verdict.rolledBackTo, { revision: 'api-00001-aaa', latestReadyRevision: 'api-00004-ddd' });
    assert.match(verdict.message, /Rolled back: all traffic is pinned to api-00001-aaa, older than the latest ready revision api-00004-ddd\./);

    const undone = await undoRollback({ service: api, reader, update: result.update!, ...TIMING });
    assert.equal(undone.outcome.kind, 'verified', undone.outcome.message);
    const restored = await reader.readTraffic!(api);
    assert.deepEqual(restored.traffic, before.traffic);
    assert.deepEqual(restored.serving, before.serving);
    const recheck = verdictNamed(await checkServices(config, { reader, git }), 'api');
    assert.equal(recheck.rolledBackTo, undefined);
  });

  it('a revision that fails to serve: a specific failure, and the traffic is set back to what it was', async () => {
    await emulator.control('traffic-plan', { project: PROJECT, region: REGION, service: 'api', unservable: { 'api-00001-aaa': "Image 'api@sha256:1' not found." } });
    const before = await reader.readTraffic!(api);
    const result = await rollBack({ service: api, reader, revision: 'api-00001-aaa', ...TIMING });
    assert.equal(result.outcome.kind, 'revision-failed');
    assert.match(result.outcome.message, /api did not route traffic as asked: Revision 'api-00001-aaa' is not ready and cannot serve traffic\. Image 'api@sha256:1' not found\./);
    assert.match(result.outcome.message, /Traffic was set back to what served before \(90% api-00004-ddd, 10% api-00002-bbb\)\./);
    assert.equal(result.update, null, 'nothing is left to undo');
    const now = await reader.readTraffic!(api);
    assert.deepEqual(now.traffic, before.traffic);
    assert.deepEqual(now.serving, before.serving);
    assert.equal(now.failure, null);
  });

  it('canceled while proving: the change Cloud Run accepted stands, the outcome says so and keeps it to undo; an Undo canceled alike keeps it too', async () => {
    await emulator.control('traffic-plan', { project: PROJECT, region: REGION, service: 'api', reconcilingMs: 60_000 });
    const before = await reader.readTraffic!(api);
    const controller = new AbortController();
    const result = await rollBack({
      service: api,
      reader,
      revision: 'api-00001-aaa',
      ...TIMING,
      signal: controller.signal,
      onProgress: (text) => {
        if (/still routing traffic/.test(text)) controller.abort(new Error('canceled by the user'));
      },
    });
    assert.equal(result.outcome.kind, 'canceled', result.outcome.message);
    assert.match(result.outcome.message, /^Stopped waiting: Cloud Run accepted routing all of api's traffic to api-00001-aaa \(generation \d+\); whether it serves was not proven\. Before, the traffic was: 90% LATEST, tag canary → api-00002-bbb \(10%\)\.$/);
    assert.ok(result.update, 'the change is kept to undo');
    const changed = await reader.readTraffic!(api);
    assert.equal(changed.generation, before.generation + 1);
    assert.deepEqual(changed.traffic[0], { revision: 'api-00001-aaa', percent: 100, tag: null });

    const undoController = new AbortController();
    const undone = await undoRollback({
      service: api,
      reader,
      update: result.update,
      ...TIMING,
      signal: undoController.signal,
      onProgress: (text) => {
        if (/still routing traffic/.test(text)) undoController.abort(new Error('canceled by the user'));
      },
    });
    assert.equal(undone.outcome.kind, 'canceled', undone.outcome.message);
    assert.match(undone.outcome.message, /^Stopped waiting: Cloud Run accepted setting api's traffic back to 90% LATEST, tag canary → api-00002-bbb \(10%\) \(generation \d+\); whether it serves as before was not proven\.$/);
    assert.equal(undone.update, result.update, 'still there to undo again');
    assert.deepEqual((await reader.readTraffic!(api)).traffic, before.traffic, 'the traffic is configured as before');
  });

  it('Cloud Run refusing the change: update-failed with its message, nothing changed', async () => {
    await emulator.control('faults', { rules: [{ api: 'run', operation: 'updateService', httpStatus: 403, message: 'Permission run.services.update denied on api' }] });
    try {
      const before = await reader.readTraffic!(api);
      const result = await rollBack({ service: api, reader, revision: 'api-00001-aaa', ...TIMING });
      assert.equal(result.outcome.kind, 'update-failed');
      assert.match(result.outcome.message, /Cloud Run refused to route api's traffic to api-00001-aaa: Permission denied: Permission run\.services\.update denied on api/);
      assert.equal(result.update, null);
      assert.equal((await reader.readTraffic!(api)).generation, before.generation);
    } finally {
      await emulator.control('clear-faults', {});
    }
  });

  it('the emulator refuses traffic to a failed revision, and a change based on an old read (etag)', async () => {
    await assert.rejects(reader.routeAllTraffic!(api, 'api-00003-ccc'), /Revision 'api-00003-ccc' is not ready and cannot serve traffic\. Container failed to start/);
    const url = `${emulator.httpUrl}/v2/projects/${PROJECT}/locations/${REGION}/services/api`;
    const stale = await fetch(url, { method: 'PATCH', body: JSON.stringify({ etag: '"old"', traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }] }) });
    assert.equal(stale.status, 409);
    assert.match(((await stale.json()) as { error: { message: string } }).error.message, /changed since it was read/);
  });
});
