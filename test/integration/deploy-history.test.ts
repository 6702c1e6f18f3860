// The "Deployments" history: CloudRunReader.listRevisions through the real Run client against the
// emulator, and readDeploymentHistory over the demo workspace's real git.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CloudRunError } from '../../src/core/google/apiErrors';
import { createCloudRunReader, type CloudRunReader, type ServiceRef } from '../../src/core/google/cloudrun';
import { loadConfig, type DriftConfig } from '../../src/core/config';
import { formatAge, historyLine, readDeploymentHistory } from '../../src/core/deploy/history';
import { GitRepository } from '../../src/core/git/repository';
import { startDemo, type DemoWorkspace } from '../../src/emulator/demo';
import type { RunningEmulator } from '../../src/emulator/server';

const COORDINATOR = 'prediction-coordinator';

describe('deployment history', () => {
  let emulator: RunningEmulator;
  let workspace: DemoWorkspace;
  let config: DriftConfig;
  let git: GitRepository;
  let reader: CloudRunReader;
  let ref: ServiceRef;

  before(async () => {
    ({ emulator, workspace } = await startDemo({ port: 0, modules: { logging: false, bigquery: false } }));
    config = await loadConfig(workspace.configFile);
    git = await GitRepository.open(workspace.dir);
    reader = createCloudRunReader(config.endpoints);
    ref = { project: workspace.project, region: workspace.region, name: COORDINATOR };
  });
  beforeEach(async () => {
    await emulator.control('reset', {});
  });
  after(async () => {
    await reader?.close();
    await emulator?.close();
    if (workspace) fs.rmSync(workspace.dir, { recursive: true, force: true });
  });

  it('listRevisions: newest first, at most `limit`', async () => {
    const seeded = workspace.services.find((s) => s.name === COORDINATOR)!.revisions;
    const all = await reader.listRevisions!(ref, 50);
    assert.deepEqual(all.map((r) => r.name), seeded.map((r) => r.name).reverse());
    const two = await reader.listRevisions!(ref, 2);
    assert.deepEqual(two.map((r) => r.name), all.slice(0, 2).map((r) => r.name));
    assert.equal(two[0]!.labels['commit-sha'], seeded.at(-1)!.commitShort);
    assert.equal(two[0]!.ready, true);
  });

  it('listRevisions: follows pages past the API page size', { timeout: 120_000 }, async () => {
    const coordinates = { project: workspace.project, region: workspace.region, service: 'busy' };
    for (let i = 0; i < 130; i++) await emulator.control('deploy', { ...coordinates, labels: { n: String(i) } });
    const revisions = await reader.listRevisions!({ project: workspace.project, region: workspace.region, name: 'busy' }, 120);
    assert.equal(revisions.length, 120);
    assert.deepEqual(revisions.slice(0, 3).map((r) => r.labels.n), ['129', '128', '127']);
    assert.equal(revisions.at(-1)!.labels.n, '10');
  });

  it('listRevisions: a missing service is a CloudRunError with code 5', async () => {
    await assert.rejects(reader.listRevisions!({ ...ref, name: 'no-such-service' }, 5), (err: unknown) => {
      assert.ok(err instanceof CloudRunError);
      assert.equal(err.code, 5);
      assert.match(err.message, /no-such-service does not exist in nba-props-platform\/us-west2/);
      return true;
    });
    await assert.rejects(reader.listRevisions!(ref, 0), RangeError);
  });

  it('readDeploymentHistory: commit and subject when local, traffic, readiness; a new deploy on top', async () => {
    await emulator.control('deploy', { project: workspace.project, region: workspace.region, service: COORDINATOR, labels: { 'commit-sha': workspace.headShort }, ready: false, message: 'Container failed to start', moveTraffic: false });
    const history = await readDeploymentHistory({ service: ref, commitLabel: config.commitLabel, reader, git, limit: 3 });
    assert.equal(history.kind, 'ok');
    const entries = history.kind === 'ok' ? history.entries : [];
    assert.equal(entries.length, 3);
    const [failed, serving, older] = entries;
    assert.match(failed!.revision, /^prediction-coordinator-00118-/);
    assert.equal(failed!.commit, workspace.head);
    assert.equal(failed!.failed, true);
    assert.equal(failed!.readyMessage, 'Container failed to start');
    assert.equal(failed!.percent, 0);
    const coordinator = workspace.services.find((s) => s.name === COORDINATOR)!;
    assert.equal(serving!.revision, coordinator.servingRevision);
    assert.equal(serving!.commit, coordinator.deployedCommit);
    assert.equal(serving!.percent, 100);
    assert.equal(serving!.trafficKnown, true);
    assert.ok(serving!.subject && serving!.subject.length > 0, 'local commits carry their subject');
    assert.equal(older!.percent, 0);
    const row = historyLine(serving!, Date.parse(serving!.createTime!) + 3 * 3_600_000);
    assert.equal(row.label, `${coordinator.deployedCommit.slice(0, 8)} ${serving!.subject}`);
    assert.equal(row.description, `${coordinator.servingRevision} · 3h ago · 100% · ready`);
  });

  it('readDeploymentHistory: an unknown label is shown quoted, not resolved; errors are returned', async () => {
    await emulator.control('deploy', { project: workspace.project, region: workspace.region, service: COORDINATOR, labels: { 'commit-sha': 'not-a-sha' } });
    const history = await readDeploymentHistory({ service: ref, commitLabel: config.commitLabel, reader, git, limit: 1 });
    const entry = history.kind === 'ok' ? history.entries[0]! : assert.fail(history.message);
    assert.equal(entry.commit, null);
    assert.equal(entry.subject, null);
    assert.equal(entry.percent, 100);
    assert.match(historyLine(entry, Date.now()).label, /^"not-a-sha"$/);
    const missing = await readDeploymentHistory({ service: { ...ref, name: 'gone' }, commitLabel: config.commitLabel, reader, git, limit: 1 });
    assert.deepEqual(missing, { kind: 'error', message: 'gone does not exist in nba-props-platform/us-west2' });
  });

  it('formatAge', () => {
    const now = Date.parse('2026-01-30T12:00:00Z');
    assert.equal(formatAge(null, now), null);
    assert.equal(formatAge('2026-01-30T11:59:30Z', now), 'just now');
    assert.equal(formatAge('2026-01-30T11:15:00Z', now), '45m ago');
    assert.equal(formatAge('2026-01-29T12:00:00Z', now), '24h ago');
    assert.equal(formatAge('2026-01-20T12:00:00Z', now), '10d ago');
  });
});
