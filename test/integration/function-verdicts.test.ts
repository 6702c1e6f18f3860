// Every verdict for Cloud Run functions, through the real @google-cloud/functions and
// @google-cloud/run clients talking REST to the local emulator, against a real git repository.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkServices } from '../../src/core/check';
import { createCloudRunReader, type CloudRunReader } from '../../src/core/google/cloudrun';
import type { DriftConfig } from '../../src/core/config';
import { GitRepository } from '../../src/core/git/repository';
import type { CheckResult, ServiceVerdict } from '../../src/core/model';
import { checkAgainstEmulator, releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { createTempRepo, type TempRepo } from '../helpers/repo';
import { verdictNamed } from '../helpers/verdicts';

const PROJECT = 'demo-project';
const REGION = 'us-west2';

describe('function verdicts against the emulator', () => {
  let repo: TempRepo;
  let emulator: RunEmulator;
  let reader: CloudRunReader;
  let config: DriftConfig;
  let result: CheckResult;
  const commits: Record<string, string> = {};
  const verdict = (name: string): ServiceVerdict => verdictNamed(result, name);

  before(async () => {
    repo = createTempRepo();
    commits.base = repo.commit('initial layout', { 'functions/grading/main.py': '1', 'shared/util.py': '1', 'services/api/main.py': '1' });
    commits.grading = repo.commit('grading: weight by minutes', { 'functions/grading/main.py': '2' });
    commits.shared = repo.commit('shared: fix dedupe', { 'shared/util.py': '2' });
    commits.head = repo.head();

    const label = (sha: string | null): Record<string, string> => (sha === null ? {} : { 'commit-sha': sha.slice(0, 8) });
    const rev = (name: string, sha: string | null, extra: Record<string, unknown> = {}) => ({ name, labels: label(sha), createTime: '2026-01-01T00:00:30Z', ...extra });
    const service = (name: string, revisions: unknown[], extra: Record<string, unknown> = {}) => ({ name, labels: { 'goog-managed-by': 'cloudfunctions' }, revisions, ...extra });
    const fn = (name: string, sha: string | null, extra: Record<string, unknown> = {}) => ({ name, labels: label(sha), ...extra });
    emulator = await startRunEmulator({
      project: PROJECT,
      region: REGION,
      services: [
        { name: 'api', revisions: [rev('api-00001-aaa', commits.head!)] },
        service('fn-revision-label', [rev('fn-revision-label-00001-aaa', commits.head!)]),
        service('fn-label-only', [rev('fn-label-only-00001-aaa', null)]),
        service('fn-label-only-split', [rev('fn-label-only-split-00001-aaa', null), rev('fn-label-only-split-00002-bbb', null)], {
          traffic: [{ revision: 'fn-label-only-split-00001-aaa', percent: 90 }, { revision: 'fn-label-only-split-00002-bbb', percent: 10 }],
        }),
        service('fn-revision-wins', [rev('fn-revision-wins-00001-aaa', commits.base!)]),
        service('fn-build-failed', [rev('fn-build-failed-00001-aaa', commits.base!)]),
        service('fn-failing-active', [rev('fn-failing-active-00001-aaa', commits.head!)]),
        service('fn-deploying', [rev('fn-deploying-00001-aaa', commits.head!)]),
        service('fn-split', [rev('fn-split-00001-aaa', commits.base!), rev('fn-split-00002-bbb', commits.head!)], {
          traffic: [{ revision: 'fn-split-00001-aaa', percent: 50 }, { latest: true, percent: 50 }],
        }),
        service('grade-player-props', [rev('grade-player-props-00003-ccc', commits.head!)]),
        service('fn-broken', [rev('fn-broken-00001-aaa', commits.head!)]),
        service('fn-denied', [rev('fn-denied-00001-aaa', commits.head!)]),
      ],
      functions: [
        fn('fn-revision-label', commits.head!),
        fn('fn-label-only', commits.base!),
        fn('fn-label-only-split', commits.head!, { revision: 'fn-label-only-split-00001-aaa' }),
        fn('fn-revision-wins', commits.head!),
        fn('fn-build-failed', commits.head!, {
          state: 'FAILED',
          stateMessages: [{ severity: 'ERROR', type: 'BuildFailed', message: 'Build failed with status: FAILURE. pip install -r requirements.txt exited 1.' }],
        }),
        fn('fn-failing-active', commits.head!, { stateMessages: [{ severity: 'ERROR', type: 'BuildFailed', message: 'Build failed: no module named shared' }, { severity: 'WARNING', type: 'RuntimeDeprecation', message: 'python38 is deprecated' }] }),
        fn('fn-deploying', commits.head!, { state: 'DEPLOYING' }),
        fn('fn-split', null),
        fn('Grade_Player_Props', commits.head!, { service: 'grade-player-props' }),
        fn('fn-no-service', commits.head!, { service: 'gone-service' }),
        // fn-broken and fn-denied are absent from the functions list, so each is read with its
        // own get, which the faults below fail.
      ],
    });
    await emulator.control('faults', {
      rules: [
        { api: 'functions', service: 'fn-broken', httpStatus: 500, message: 'backend exploded' },
        { api: 'functions', service: 'fn-denied', httpStatus: 403, message: "Permission 'cloudfunctions.functions.get' denied" },
      ],
    });
    const paths = { 'api': ['services/api'], 'fn-label-only': ['functions/grading'] } as Record<string, string[]>;
    const names = ['api', 'fn-revision-label', 'fn-label-only', 'fn-label-only-split', 'fn-revision-wins', 'fn-build-failed', 'fn-failing-active', 'fn-deploying', 'fn-split', 'Grade_Player_Props', 'fn-no-service', 'fn-missing', 'fn-broken', 'fn-denied'];
    const services = Object.fromEntries(names.map((n) => [n, { ...(n === 'api' ? {} : { kind: 'function' }), paths: paths[n] ?? ['functions/grading', 'shared'] }]));
    ({ config, reader, result } = await checkAgainstEmulator(repo, emulator, { project: PROJECT, region: REGION, services, endpoints: { functions: emulator.httpUrl } }));
  });
  after(() => releaseAll(reader, emulator, repo));

  it('reports services and functions together, in config order, each with its kind', () => {
    assert.deepEqual(result.services.map((s) => [s.name, s.kind]), config.services.map((s) => [s.name, s.kind]));
    assert.equal(verdict('api').kind, 'service');
    assert.equal(verdict('api').status, 'up-to-date');
    assert.equal(verdict('api').function, undefined);
  });

  it('a label on the serving revision decides, and the function\'s details come along', () => {
    const v = verdict('fn-revision-label');
    assert.equal(v.status, 'up-to-date');
    assert.equal(v.deployedCommit, commits.head);
    assert.deepEqual(v.function, { state: 'ACTIVE', service: 'fn-revision-label', revision: 'fn-revision-label-00001-aaa', build: v.function!.build, updateTime: v.function!.updateTime, failure: null, commitFromFunctionLabel: false });
    assert.match(v.function!.build ?? '', /^[0-9a-f]{32}$/);
  });

  it('a label on the function alone counts when its revision serves 100%, said to be the weaker signal', () => {
    const v = verdict('fn-label-only');
    assert.equal(v.status, 'stale');
    assert.equal(v.deployedCommit, commits.base);
    assert.equal(v.commitsBehind, 1);
    assert.deepEqual(v.commits.map((c) => c.subject), ['grading: weight by minutes']);
    assert.equal(v.function?.commitFromFunctionLabel, true);
    assert.match(v.message, /fn-label-only-00001-aaa has no commit-sha label: the commit is the function's own label, a weaker signal .* used because fn-label-only-00001-aaa serves 100% of traffic\.$/);
  });

  it('a label on the function alone is not used while traffic is split, and the message says why', () => {
    const v = verdict('fn-label-only-split');
    assert.equal(v.status, 'unlabeled');
    assert.equal(v.deployedCommit, null);
    assert.equal(v.function?.commitFromFunctionLabel, false);
    assert.deepEqual(v.serving.map((s) => [s.revision, s.percent, s.commitLabel]), [['fn-label-only-split-00001-aaa', 90, null], ['fn-label-only-split-00002-bbb', 10, null]]);
    assert.match(v.message, new RegExp(`The function's own label commit-sha=${commits.head!.slice(0, 8)} is not used: its revision fn-label-only-split-00001-aaa serves 90% of traffic, not all of it\\.$`));
  });

  it('the serving revision\'s own label wins over the function\'s', () => {
    const v = verdict('fn-revision-wins');
    assert.equal(v.status, 'stale');
    assert.equal(v.deployedCommit, commits.base);
    assert.equal(v.function?.commitFromFunctionLabel, false);
  });

  it('deploy-failed when the build failed: the build\'s message, the old revision still serving, the function\'s new label ignored', () => {
    const v = verdict('fn-build-failed');
    assert.equal(v.status, 'deploy-failed');
    assert.equal(v.failedRevision, null);
    assert.equal(v.deployedCommit, commits.base);
    assert.equal(v.commitsBehind, 2);
    assert.equal(v.function?.state, 'FAILED');
    assert.equal(v.function?.failure, 'Build failed with status: FAILURE. pip install -r requirements.txt exited 1');
    assert.equal(v.message, `The last deploy of fn-build-failed failed: Build failed with status: FAILURE. pip install -r requirements.txt exited 1. fn-build-failed-00001-aaa still serves ${commits.base!.slice(0, 8)}, 2 commits behind.`);
  });

  it('deploy-failed also when an ACTIVE function reports an ERROR (only ERROR messages count)', () => {
    const v = verdict('fn-failing-active');
    assert.equal(v.status, 'deploy-failed');
    assert.equal(v.function?.failure, 'Build failed: no module named shared');
    assert.match(v.message, /fn-failing-active-00001-aaa still serves [0-9a-f]{8}\.$/);
  });

  it('deploying while the function is DEPLOYING, with no verdict claimed', () => {
    const v = verdict('fn-deploying');
    assert.equal(v.status, 'deploying');
    assert.equal(v.message, 'A deploy of fn-deploying is in progress; no verdict until it settles.');
  });

  it('a traffic split shows every serving revision and the worst wins', () => {
    const v = verdict('fn-split');
    assert.equal(v.status, 'stale');
    assert.deepEqual(v.serving.map((s) => [s.revision, s.percent, s.status]), [['fn-split-00001-aaa', 50, 'stale'], ['fn-split-00002-bbb', 50, 'up-to-date']]);
    assert.match(v.message, /Traffic is split: 50% fn-split-00001-aaa/);
  });

  it('reads the service the function names, when it is not the function\'s name', () => {
    const v = verdict('Grade_Player_Props');
    assert.equal(v.status, 'up-to-date');
    assert.equal(v.function?.service, 'grade-player-props');
    assert.deepEqual(v.serving.map((s) => s.revision), ['grade-player-props-00003-ccc']);
    const gone = verdict('fn-no-service');
    assert.equal(gone.status, 'error');
    assert.equal(gone.message, 'fn-no-service cannot be checked: its Cloud Run service gone-service does not exist.');
  });

  it('not-found for a configured function absent from Cloud Functions', () => {
    const v = verdict('fn-missing');
    assert.equal(v.status, 'not-found');
    assert.equal(v.message, `fn-missing is configured as a function but does not exist in Cloud Functions (${PROJECT}/${REGION}).`);
  });

  it('a function read with its own get: the get\'s failure is its error and touches no other unit', () => {
    assert.equal(verdict('fn-broken').status, 'error');
    assert.match(verdict('fn-broken').message, /backend exploded/);
    assert.equal(verdict('fn-denied').status, 'error');
    assert.match(verdict('fn-denied').message, /^Permission denied: Permission 'cloudfunctions\.functions\.get' denied/);
    assert.equal(verdict('fn-revision-label').status, 'up-to-date');
    assert.equal(verdict('api').status, 'up-to-date');
  });

  it('reads functions at the same time as services, never one after the other', async () => {
    const only = { ...config, services: config.services.filter((s) => ['api', 'fn-revision-label', 'fn-revision-wins', 'Grade_Player_Props'].includes(s.name)) };
    const events: string[] = [];
    const fresh = createCloudRunReader(config.endpoints);
    const traced = <T>(name: string, call: Promise<T>): Promise<T> => {
      events.push(`start ${name}`);
      return call.finally(() => events.push(`end ${name}`));
    };
    const recording: CloudRunReader = {
      lookupService: (ref, options) => traced(ref.name, fresh.lookupService(ref, options)),
      lookupFunction: (ref, options) => traced(ref.name, fresh.lookupFunction!(ref, options)),
      listServices: (project, region) => fresh.listServices(project, region),
      close: () => fresh.close(),
    };
    try {
      const checked = await checkServices(only, { reader: recording, git: await GitRepository.open(repo.dir) });
      assert.deepEqual(checked.services.map((s) => s.status), ['up-to-date', 'up-to-date', 'stale', 'up-to-date']);
      assert.deepEqual(events.slice(0, 4), ['start api', 'start fn-revision-label', 'start fn-revision-wins', 'start Grade_Player_Props']);
    } finally {
      await recording.close();
    }
  });

  it('a deploy through the control API: deploying during the build, then up to date from the function\'s label alone', async () => {
    await emulator.control('deploy-function', { project: PROJECT, region: REGION, function: 'fn-label-only', labels: { 'commit-sha': commits.head!.slice(0, 8) }, revisionLabels: false, buildMs: 30_000 });
    const only = { ...config, services: config.services.filter((s) => s.name === 'fn-label-only') };
    const git = await GitRepository.open(repo.dir);
    let [v] = (await checkServices(only, { reader, git })).services;
    assert.equal(v!.status, 'deploying');
    await emulator.control('clock', { advanceMs: 30_000 });
    [v] = (await checkServices(only, { reader, git })).services;
    assert.equal(v!.status, 'up-to-date');
    assert.equal(v!.function?.commitFromFunctionLabel, true);
    assert.match(v!.serving[0]!.revision, /^fn-label-only-00002-/);
    // A failed build leaves that revision serving and says why.
    await emulator.control('deploy-function', { project: PROJECT, region: REGION, function: 'fn-label-only', labels: { 'commit-sha': 'abcdef12' }, failBuild: 'Build failed: requirements.txt not found' });
    [v] = (await checkServices(only, { reader, git })).services;
    assert.equal(v!.status, 'deploy-failed');
    assert.match(v!.message, /^The last deploy of fn-label-only failed: Build failed: requirements\.txt not found\. fn-label-only-00002-[a-z0-9]{3} still serves\.$/);
  });
});
