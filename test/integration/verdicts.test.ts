// Every verdict, through the real @google-cloud/run client talking REST to the local emulator,
// against a real git repository.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkServices } from '../../src/core/check';
import type { CloudRunReader } from '../../src/core/google/cloudrun';
import type { DriftConfig } from '../../src/core/config';
import { GitRepository } from '../../src/core/git/repository';
import type { CheckResult, ServiceVerdict } from '../../src/core/model';
import { checkAgainstEmulator, releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { createTempRepo, type TempRepo } from '../helpers/repo';
import { verdictNamed } from '../helpers/verdicts';

const PROJECT = 'demo-project';
const REGION = 'us-west2';

describe('drift verdicts against the emulator', () => {
  let repo: TempRepo;
  let emulator: RunEmulator;
  let reader: CloudRunReader;
  let config: DriftConfig;
  let result: CheckResult;
  const commits: Record<string, string> = {};
  const verdict = (name: string): ServiceVerdict => verdictNamed(result, name);

  before(async () => {
    repo = createTempRepo();
    commits.base = repo.commit('initial layout', { 'predictions/worker/main.py': '1', 'shared/util.py': '1', 'scrapers/scrape.py': '1', 'docs/readme.md': '1' });
    commits.scrapers = repo.commit('scrapers: retry on 429', { 'scrapers/scrape.py': '2' });
    commits.worker = repo.commit('worker: fix rounding', { 'predictions/worker/main.py': '2' });
    repo.git('checkout', '-q', '-b', 'experiment');
    commits.branch = repo.commit('experiment: try new model', { 'predictions/worker/model.py': 'x' });
    repo.git('checkout', '-q', 'main');
    commits.shared = repo.commit('shared: MERGE dedupe fix', { 'shared/util.py': '2' });
    commits.docs = repo.commit('docs only', { 'docs/readme.md': '2' });
    commits.head = repo.head();
    repo.write('scrapers/local-edit.py', 'uncommitted');

    const rev = (name: string, label: string | null, extra: Record<string, unknown> = {}) => ({
      name,
      labels: label === null ? {} : { 'commit-sha': label },
      createTime: '2026-01-01T00:00:30Z',
      ...extra,
    });
    const service = (name: string, revisions: unknown[], extra: Record<string, unknown> = {}) => ({ name, revisions, ...extra });
    emulator = await startRunEmulator({
      project: PROJECT,
      region: REGION,
      services: [
        service('current-svc', [rev('current-svc-00001-aaa', commits.scrapers!.slice(0, 8))]),
        service('stale-svc', [rev('stale-svc-00001-aaa', commits.base!.slice(0, 7))]),
        service('head-svc', [rev('head-svc-00001-aaa', commits.head!)]),
        service('diverged-svc', [rev('diverged-svc-00001-aaa', commits.branch!.slice(0, 10))]),
        service('unknown-svc', [rev('unknown-svc-00001-aaa', 'deadbeef')]),
        service('unlabeled-svc', [rev('unlabeled-svc-00001-aaa', null)]),
        service('failed-svc', [rev('failed-svc-00001-aaa', commits.head!), rev('failed-svc-00002-bbb', commits.head!, { ready: false, message: 'Container failed to start on PORT=8080' })]),
        service(
          'pinned-svc',
          [rev('pinned-svc-00001-aaa', commits.base!.slice(0, 8)), rev('pinned-svc-00002-bbb', commits.head!.slice(0, 8))],
          { traffic: [{ revision: 'pinned-svc-00001-aaa', percent: 100 }] },
        ),
        service(
          'split-svc',
          [rev('split-svc-00001-aaa', commits.base!.slice(0, 8)), rev('split-svc-00002-bbb', commits.head!.slice(0, 8))],
          { traffic: [{ revision: 'split-svc-00001-aaa', percent: 50 }, { latest: true, percent: 50 }] },
        ),
        service('deploying-svc', [rev('deploying-svc-00001-aaa', commits.head!)], { reconciling: true }),
        service('broken-svc', [rev('broken-svc-00001-aaa', commits.head!)]),
        service('denied-svc', [rev('denied-svc-00001-aaa', commits.head!)]),
      ],
    });
    await emulator.control('faults', {
      rules: [
        { api: 'run', service: 'broken-svc', httpStatus: 500, message: 'backend exploded' },
        { api: 'run', service: 'denied-svc', httpStatus: 403, message: "Permission 'run.services.get' denied" },
      ],
    });
    const services = Object.fromEntries(
      ['current-svc', 'stale-svc', 'head-svc', 'diverged-svc', 'unknown-svc', 'unlabeled-svc', 'failed-svc', 'pinned-svc', 'split-svc', 'deploying-svc', 'missing-svc', 'broken-svc', 'denied-svc'].map((n) => [
        n,
        { paths: n === 'current-svc' ? ['scrapers'] : n === 'unlabeled-svc' ? ['shared'] : ['predictions/worker', 'shared'] },
      ]),
    );
    ({ config, reader, result } = await checkAgainstEmulator(repo, emulator, { project: PROJECT, region: REGION, services }));
  });
  after(() => releaseAll(reader, emulator, repo));

  it('reports HEAD and one verdict per configured service, in config order', () => {
    assert.equal(result.head, commits.head);
    assert.deepEqual(result.services.map((s) => s.name), config.services.map((s) => s.name));
  });

  it('up-to-date when HEAD moved only outside the paths; dirty when the paths have local edits', () => {
    const v = verdict('current-svc');
    assert.equal(v.status, 'up-to-date');
    assert.equal(v.deployedCommit, commits.scrapers);
    assert.equal(v.commitsBehind, 0);
    assert.equal(v.dirty, true);
    assert.equal(verdict('stale-svc').dirty, false);
  });

  it('stale with the commits touching the paths, from a short label', () => {
    const v = verdict('stale-svc');
    assert.equal(v.status, 'stale');
    assert.equal(v.commitLabel, commits.base!.slice(0, 7));
    assert.equal(v.deployedCommit, commits.base);
    assert.equal(v.commitsBehind, 2);
    assert.deepEqual(v.commits.map((c) => c.subject), ['shared: MERGE dedupe fix', 'worker: fix rounding']);
    assert.equal(v.commits[0]!.author, 'Test Author');
    assert.ok(v.commits[0]!.date);
  });

  it('up-to-date from a full-SHA label at HEAD', () => {
    assert.equal(verdict('head-svc').status, 'up-to-date');
    assert.equal(verdict('head-svc').deployedCommit, commits.head);
  });

  it('diverged when deployed from a commit not in HEAD history', () => {
    const v = verdict('diverged-svc');
    assert.equal(v.status, 'diverged');
    assert.equal(v.deployedCommit, commits.branch);
  });

  it('unknown-commit when the label names no local commit, suggesting a fetch', () => {
    const v = verdict('unknown-svc');
    assert.equal(v.status, 'unknown-commit');
    assert.equal(v.deployedCommit, null);
    assert.equal(v.commitLabel, 'deadbeef');
    assert.match(v.message, /git fetch/);
  });

  it('unlabeled compares times and says it is a weaker signal', () => {
    const v = verdict('unlabeled-svc');
    assert.equal(v.status, 'unlabeled');
    assert.match(v.message, /weaker signal/);
    assert.match(v.message, /probably stale/);
  });

  it('deploy-failed even while an older revision still serves, with the condition message', () => {
    const v = verdict('failed-svc');
    assert.equal(v.status, 'deploy-failed');
    assert.equal(v.latestCreatedRevision, 'failed-svc-00002-bbb');
    assert.equal(v.failedRevision?.name, 'failed-svc-00002-bbb');
    assert.match(v.message, /Container failed to start on PORT=8080/);
    assert.deepEqual(v.serving.map((s) => [s.revision, s.status]), [['failed-svc-00001-aaa', 'up-to-date']]);
  });

  it('stale when traffic is pinned to an old revision although the latest is current', () => {
    const v = verdict('pinned-svc');
    assert.equal(v.status, 'stale');
    assert.equal(v.latestCreatedRevision, 'pinned-svc-00002-bbb');
    assert.deepEqual(v.serving.map((s) => [s.revision, s.percent]), [['pinned-svc-00001-aaa', 100]]);
  });

  it('a traffic split shows every serving revision and the worst verdict wins', () => {
    const v = verdict('split-svc');
    assert.equal(v.status, 'stale');
    assert.deepEqual(
      v.serving.map((s) => [s.revision, s.percent, s.status]).sort(),
      [
        ['split-svc-00001-aaa', 50, 'stale'],
        ['split-svc-00002-bbb', 50, 'up-to-date'],
      ],
    );
    assert.equal(v.deployedCommit, commits.base);
    assert.match(v.message, /Traffic is split/);
  });

  it('deploying claims no verdict while the service reconciles', () => {
    const v = verdict('deploying-svc');
    assert.equal(v.status, 'deploying');
    assert.match(v.message, /no verdict/);
  });

  it('not-found for a configured service absent from Cloud Run', () => {
    assert.equal(verdict('missing-svc').status, 'not-found');
  });

  it('per-service API failures are errors with their message and touch no other service', () => {
    assert.equal(verdict('broken-svc').status, 'error');
    assert.match(verdict('broken-svc').message, /backend exploded/);
    assert.equal(verdict('denied-svc').status, 'error');
    assert.match(verdict('denied-svc').message, /Permission denied/);
    assert.equal(verdict('head-svc').status, 'up-to-date');
  });

  it('a later deploy of HEAD through the control API turns a stale service current', async () => {
    await emulator.control('deploy', { project: PROJECT, region: REGION, service: 'stale-svc', labels: { 'commit-sha': commits.head!.slice(0, 7) } });
    const again = await checkServices(config, { reader, git: await GitRepository.open(repo.dir) }, { services: ['stale-svc'] });
    assert.deepEqual(again.services.map((s) => [s.name, s.status, s.commitsBehind]), [['stale-svc', 'up-to-date', 0]]);
  });
});
