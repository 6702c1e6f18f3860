// Verdicts that depend on what the local clone holds: configured paths that name nothing at HEAD,
// and a shallow clone whose boundary hides the deployed commit. Real git, the real Cloud Run client
// against the emulator.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkServices } from '../../src/core/check';
import type { CloudRunReader } from '../../src/core/google/cloudrun';
import { parseConfig, type DriftConfig } from '../../src/core/config';
import { GitRepository } from '../../src/core/git/repository';
import type { ServiceVerdict } from '../../src/core/model';
import { releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { createTempRepo, fastImportCommits, type TempRepo } from '../helpers/repo';

const PROJECT = 'demo-project';
const REGION = 'us-west2';

describe('verdicts and what the clone holds', () => {
  let repo: TempRepo;
  let emulator: RunEmulator;
  let reader: CloudRunReader;
  let deployed: string;
  let shallowDir: string;

  const configFor = (services: Record<string, { paths?: string[] }>): DriftConfig =>
    parseConfig(JSON.stringify({ project: PROJECT, region: REGION, services, endpoints: { run: emulator.httpUrl } }, null, 2), path.join(repo.dir, 'cloud-run-drift.json'));
  const check = async (config: DriftConfig, dir = repo.dir): Promise<ServiceVerdict[]> => (await checkServices(config, { reader, git: await GitRepository.open(dir) })).services;

  before(async () => {
    repo = createTempRepo();
    deployed = repo.commit('initial layout', { 'predictions/worker/main.py': '1', 'shared/lib.py': '1' });
    // The worker then moves on by 31 commits: deployed at `deployed`, it is 31 behind.
    fastImportCommits(repo, 31, 'predictions/worker');
    emulator = await startRunEmulator({
      project: PROJECT,
      region: REGION,
      services: ['worker', 'worker-partial', 'worker-right'].map((name) => ({
        name,
        revisions: [{ name: `${name}-00001-aaa`, labels: { 'commit-sha': deployed.slice(0, 8) }, createTime: '2026-01-01T00:00:30Z' }],
      })),
    });
    ({ reader } = emulator);
    shallowDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crd-shallow-')));
    execFileSync('git', ['clone', '-q', '--depth', '5', `file://${repo.dir}`, shallowDir]);
  });
  after(async () => {
    await releaseAll(emulator, repo);
    if (shallowDir) fs.rmSync(shallowDir, { recursive: true, force: true });
  });

  it('a misspelt path is reported as missing at HEAD, never as up to date', async () => {
    const [misspelt, right] = await check(configFor({ worker: { paths: ['predictions/workr'] }, 'worker-right': { paths: ['predictions/worker'] } }));
    assert.equal(right!.status, 'stale');
    assert.equal(right!.commitsBehind, 31);
    assert.equal(misspelt!.status, 'path-missing');
    assert.deepEqual(misspelt!.missingPaths, ['predictions/workr']);
    assert.equal(misspelt!.commitsBehind, null);
    assert.equal(misspelt!.deployedCommit, deployed, 'what Cloud Run serves is still known');
    assert.equal(
      misspelt!.message,
      'No path of this service exists at HEAD ("predictions/workr"): fix "paths" in cloud-run-drift.json (misspelt, or not committed yet?). Until then its commits cannot be counted.',
    );
  });

  it('with only some paths missing, the verdict comes from the others and is flagged', async () => {
    const [partial] = await check(configFor({ 'worker-partial': { paths: ['predictions/worker', 'shared/libz', 'shared/lib.py'] } }));
    assert.equal(partial!.status, 'stale');
    assert.equal(partial!.commitsBehind, 31);
    assert.deepEqual(partial!.missingPaths, ['shared/libz']);
    assert.match(partial!.message, /31 later commits touch the service's paths\. Path "shared\/libz" names nothing at HEAD: fix "paths" in cloud-run-drift\.json/);
  });

  it('the whole repository, files and folders all count as present', async () => {
    const [whole, files] = await check(configFor({ worker: {}, 'worker-right': { paths: ['predictions', 'shared/lib.py', 'predictions/worker/file-3'] } }));
    assert.deepEqual(whole!.missingPaths, []);
    assert.deepEqual(files!.missingPaths, []);
    assert.equal(files!.status, 'stale');
  });

  it('a shallow clone whose boundary hides the deployed commit says to deepen it, not to fetch', async () => {
    const [shallow] = await check(configFor({ worker: { paths: ['predictions/worker'] } }), shallowDir);
    assert.equal(shallow!.status, 'unknown-commit');
    assert.match(shallow!.message, /not in this shallow clone; it may lie beyond the clone's boundary\. Try: git fetch --unshallow \(or git fetch --deepen=N/);
    assert.doesNotMatch(shallow!.message, /--all/);
    const [full] = await check(configFor({ worker: { paths: ['predictions/worker'] } }));
    assert.equal(full!.status, 'stale', 'the full clone has the commit');
  });
});
