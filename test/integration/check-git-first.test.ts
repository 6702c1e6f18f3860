// A check starts git before its first Cloud Run read: that read loads the SDK and builds its clients,
// which hold the event loop for tens of milliseconds, and git's processes (started by simple-git a few
// promise turns after they are asked for) should run beside that, not wait for it. A repository
// still opening (the CLI's) is the other way round: Cloud Run is read while git finds its top level.
// Real git in a temporary repository, the real Run client against the emulator; which processes were
// started is read from Node's `child_process` diagnostics channel.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as diagnostics from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import { checkServices } from '../../src/core/check';
import { createCloudRunReader, type CloudRunReader } from '../../src/core/google/cloudrun';
import { parseConfig, type DriftConfig } from '../../src/core/config';
import { GitError, GitRepository } from '../../src/core/git/repository';
import { releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { createTempRepo, type TempRepo } from '../helpers/repo';

const PROJECT = 'demo-project';
const REGION = 'us-west2';

describe('a check and git', () => {
  let repo: TempRepo;
  let emulator: RunEmulator;
  let config: DriftConfig;
  const started: ChildProcess[] = [];
  const record = (message: unknown): void => void started.push((message as { process: ChildProcess }).process);

  before(async () => {
    repo = createTempRepo();
    const head = repo.commit('initial layout', { 'services/main.py': '1' });
    const names = ['api', 'grading', 'scheduler'];
    emulator = await startRunEmulator({ project: PROJECT, region: REGION, services: names.map((name) => ({ name, revisions: [{ name: `${name}-00001-aaa`, labels: { 'commit-sha': head.slice(0, 8) } }] })) });
    const services = Object.fromEntries(names.map((name) => [name, { paths: ['services'] }]));
    config = parseConfig(JSON.stringify({ project: PROJECT, region: REGION, services, endpoints: { run: emulator.httpUrl } }), `${repo.dir}/cloud-run-drift.json`);
    diagnostics.subscribe('child_process', record);
  });

  after(async () => {
    diagnostics.unsubscribe('child_process', record);
    await releaseAll(emulator, repo);
  });

  /** The real reader, calling `onListing` as the check lists the region (its first Cloud Run read). */
  const listingReader = (real: CloudRunReader, onListing: () => void): CloudRunReader => ({
    lookupService: (ref, options) => real.lookupService(ref, options),
    listServices: (project, region) => real.listServices(project, region),
    listUnits: (units, options) => {
      onListing();
      return real.listUnits!(units, options);
    },
    close: () => real.close(),
  });

  it('has started git (its status) before Cloud Run is first read (the SDK loaded)', async () => {
    const real = createCloudRunReader(config.endpoints);
    let gitBeforeListing: string[] | undefined;
    const reader = listingReader(real, () => {
      gitBeforeListing = started.map((child) => child.spawnargs.filter((arg) => !arg.includes('=')).join(' '));
    });
    try {
      const git = await GitRepository.open(repo.dir);
      started.length = 0;
      const result = await checkServices(config, { reader, git });
      assert.deepEqual(
        result.services.map((s) => s.status),
        ['up-to-date', 'up-to-date', 'up-to-date'],
      );
      assert.ok(gitBeforeListing, 'the check lists the region');
      // HEAD itself is read from the git folder's files, without a process.
      assert.ok(
        gitBeforeListing.some((command) => / status -z$/.test(command)),
        `git status is started before the first Cloud Run read; started then: ${JSON.stringify(gitBeforeListing)}`,
      );
    } finally {
      await real.close();
    }
  });

  it('reads Cloud Run while the repository is still opening, then judges with it', { timeout: 15_000 }, async () => {
    const real = createCloudRunReader(config.endpoints);
    // The repository is opened only once the check has listed the region: a check that waited for it first never would.
    let open!: () => void;
    const listed = new Promise<void>((resolve) => (open = resolve));
    const opening = listed.then(() => GitRepository.open(repo.dir));
    try {
      const result = await checkServices(config, { reader: listingReader(real, open), git: opening });
      assert.deepEqual(
        result.services.map((s) => [s.name, s.status]),
        [
          ['api', 'up-to-date'],
          ['grading', 'up-to-date'],
          ['scheduler', 'up-to-date'],
        ],
      );
      assert.equal(result.head, repo.head());
    } finally {
      await real.close();
    }
  });

  it('fails with the error of a repository that cannot be opened, after reading Cloud Run', async () => {
    const real = createCloudRunReader(config.endpoints);
    let listings = 0;
    const refused = new GitError('/nowhere is not inside a git repository', [], null, 'fatal: not a git repository');
    const opening = Promise.reject(refused);
    try {
      await assert.rejects(
        checkServices(config, { reader: listingReader(real, () => listings++), git: opening }),
        (err) => err === refused,
      );
      assert.equal(listings, 1, 'the region was listed before the repository failed');
    } finally {
      await real.close();
    }
  });
});
