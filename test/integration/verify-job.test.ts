// Proof of a Cloud Run job's deploy: verifyDeployment on a unit of kind "job", against the emulator
// (real JobsClient over REST) and real git. The emulator's clock is moved, never waited for.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { CloudRunReader } from '../../src/core/google/cloudrun';
import type { ServiceConfig } from '../../src/core/config';
import { GitRepository } from '../../src/core/git/repository';
import { verifyDeployment, type VerifyOutcome } from '../../src/core/deploy/verify';
import { releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { createTempRepo, type TempRepo } from '../helpers/repo';

const PROJECT = 'demo-project';
const REGION = 'us-west2';
const job: ServiceConfig = { name: 'backfill', kind: 'job', project: PROJECT, region: REGION, paths: ['jobs'], dependsOn: [] };

describe('verifyDeployment of a Cloud Run job', () => {
  let repo: TempRepo;
  let emulator: RunEmulator;
  let reader: CloudRunReader;
  let git: GitRepository;
  let old: string;
  let head: string;

  const verify = (extra: Partial<Parameters<typeof verifyDeployment>[0]> = {}): Promise<VerifyOutcome> =>
    verifyDeployment({ service: job, commitLabel: 'commit-sha', expectedCommit: head, reader, git, timeoutMs: 5_000, pollMs: 200, settleMs: 400, afterDeployScript: true, ...extra });
  const deploy = (payload: Record<string, unknown>): Promise<unknown> => emulator.control('deploy-job', { project: PROJECT, region: REGION, job: 'backfill', ...payload });

  before(async () => {
    repo = createTempRepo();
    old = repo.commit('initial', { 'jobs/main.py': '1' });
    head = repo.commit('jobs: fix', { 'jobs/main.py': '2' });
    git = await GitRepository.open(repo.dir);
    emulator = await startRunEmulator({ project: PROJECT, region: REGION, jobs: [{ name: 'backfill', labels: { 'commit-sha': old.slice(0, 8) } }] });
    ({ reader } = emulator);
  });
  beforeEach(async () => {
    await emulator.control('reset', {});
  });
  after(() => releaseAll(emulator, repo));

  it('verified once the template carries the commit and the job is ready', async () => {
    await deploy({ labels: { 'commit-sha': head.slice(0, 7) } });
    const outcome = await verify();
    assert.equal(outcome.kind, 'verified');
    assert.equal(outcome.message, `backfill's template carries ${head.slice(0, 8)} and the job is ready: its next execution runs it.`);
  });

  it('waits while the deploy reconciles, then verifies', async () => {
    await deploy({ labels: { 'commit-sha': head.slice(0, 7) }, reconcilingMs: 60_000 });
    const progress: string[] = [];
    const outcome = await verify({
      onProgress: (text) => {
        progress.push(text);
        // The rollout ends when the emulator's clock says so.
        void emulator.control('clock', { advanceMs: 60_000 });
      },
    });
    assert.deepEqual(progress, ['backfill is still deploying.']);
    assert.equal(outcome.kind, 'verified');
  });

  it('a failed deploy of the commit is reported at once with the terminal condition\'s message', async () => {
    await deploy({ labels: { 'commit-sha': head.slice(0, 7) }, ready: false, message: "Image 'us-west2-docker.pkg.dev/p/jobs/backfill:abc' not found." });
    const outcome = await verify();
    assert.equal(outcome.kind, 'deploy-failed');
    assert.equal(outcome.message, "The deploy of backfill failed: Image 'us-west2-docker.pkg.dev/p/jobs/backfill:abc' not found.");
  });

  it('label unchanged: the deploy "succeeded" but the template still carries the old commit', async () => {
    await deploy({ labels: { 'commit-sha': old.slice(0, 8) } });
    const outcome = await verify();
    assert.equal(outcome.kind, 'label-unchanged');
    assert.equal(outcome.message, `The deploy script exited 0 but backfill's template still carries ${old.slice(0, 8)} (expected ${head.slice(0, 8)}).`);
  });

  it('a job that does not exist is an error, not a wait until the timeout', async () => {
    const outcome = await verify({ service: { ...job, name: 'ghost' }, timeoutMs: 300 });
    assert.equal(outcome.kind, 'error');
    assert.match(outcome.message, /ghost does not exist/);
  });
});
