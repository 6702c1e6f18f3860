// Verdicts for Cloud Run jobs, through the real @google-cloud/run JobsClient and ExecutionsClient
// talking REST to the local emulator, against a real git repository: the template's commit label
// decides; each execution reports the commit it ran.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkServices, servingLabelsOf } from '../../src/core/check';
import type { CloudRunReader } from '../../src/core/google/cloudrun';
import type { DriftConfig } from '../../src/core/config';
import { GitRepository } from '../../src/core/git/repository';
import type { CheckResult, ServiceVerdict } from '../../src/core/model';
import { checkAgainstEmulator, releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { createTempRepo, fastImportCommits, type TempRepo } from '../helpers/repo';
import { verdictNamed } from '../helpers/verdicts';

const PROJECT = 'demo-project';
const REGION = 'us-west2';

describe('Cloud Run job verdicts against the emulator', () => {
  let repo: TempRepo;
  let emulator: RunEmulator;
  let reader: CloudRunReader;
  let config: DriftConfig;
  let result: CheckResult;
  const commits: Record<string, string> = {};
  const verdict = (name: string): ServiceVerdict => verdictNamed(result, name);

  before(async () => {
    repo = createTempRepo();
    commits.base = repo.commit('initial layout', { 'jobs/backfill/main.py': '1', 'shared/util.py': '1', 'docs/readme.md': '1' });
    commits.old = repo.commit('backfill: read the boxscores table', { 'jobs/backfill/main.py': '2' });
    // Forty commits to the job's code after the one an old execution ran.
    const bulk = fastImportCommits(repo, 40, 'jobs/backfill');
    commits.bulkLast = bulk[bulk.length - 1]!;
    repo.git('checkout', '-q', '-b', 'experiment');
    commits.branch = repo.commit('experiment: another model', { 'jobs/backfill/model.py': 'x' });
    repo.git('checkout', '-q', 'main');
    commits.shared = repo.commit('shared: dedupe fix', { 'shared/util.py': '2' });
    commits.docs = repo.commit('docs only', { 'docs/readme.md': '2' });
    commits.head = repo.head();

    const job = (name: string, label: string | null, extra: Record<string, unknown> = {}) => ({
      name,
      labels: label === null ? {} : { 'commit-sha': label },
      createTime: '2026-01-01T00:00:30Z',
      ...extra,
    });
    const at = (iso: string) => ({ createTime: iso });
    emulator = await startRunEmulator({
      now: '2026-02-10T12:00:00Z',
      project: PROJECT,
      region: REGION,
      services: [{ name: 'api-svc', revisions: [{ labels: { 'commit-sha': commits.head } }] }],
      jobs: [
        job('current-job', commits.head!.slice(0, 8), {
          executions: [
            { ...at('2026-02-09T10:00:00Z'), labels: { 'commit-sha': commits.old!.slice(0, 8) }, taskCount: 3, parallelism: 3, taskDurationMs: 300_000, failTasks: [2], failMessage: 'KeyError: game_date' },
          ],
        }),
        job('stale-job', commits.base!.slice(0, 7), {
          executions: [
            { ...at('2026-02-08T10:00:00Z'), labels: { 'commit-sha': commits.old!.slice(0, 7) } },
            { ...at('2026-02-09T10:00:00Z'), taskDurationMs: 90_000 },
          ],
        }),
        job('running-job', commits.head!, { executions: [{ createTime: '2026-02-10T11:59:00Z', taskCount: 4, parallelism: 2, startDelayMs: 0, taskDurationMs: 40_000 }] }),
        job('idle-job', commits.head!),
        job('failed-deploy-job', commits.head!, { ready: false, message: "Image 'us-west2-docker.pkg.dev/p/jobs/x:abc' not found." }),
        job('reconciling-job', commits.head!, { reconciling: true }),
        job('unlabeled-job', null),
        job('unknown-job', 'deadbeef'),
        job('diverged-job', commits.branch!.slice(0, 10)),
        // broken-job is absent from the jobs list, so it is read with its own get, which the fault fails.
      ],
    });
    await emulator.control('faults', { rules: [{ api: 'run', service: 'broken-job', operation: 'getJob', httpStatus: 500, message: 'backend exploded' }] });
    const jobs = ['current-job', 'stale-job', 'running-job', 'idle-job', 'failed-deploy-job', 'reconciling-job', 'unlabeled-job', 'unknown-job', 'diverged-job', 'broken-job', 'missing-job'];
    const services = {
      'api-svc': { paths: ['shared'] },
      ...Object.fromEntries(jobs.map((n) => [n, { kind: 'job', paths: ['jobs/backfill'] }])),
    };
    ({ config, reader, result } = await checkAgainstEmulator(repo, emulator, { project: PROJECT, region: REGION, services }));
  });
  after(() => releaseAll(reader, emulator, repo));

  it('reports every unit, services and jobs, in config order, each with its kind', () => {
    assert.deepEqual(result.services.map((s) => s.name), config.services.map((s) => s.name));
    assert.equal(verdict('api-svc').kind, 'service');
    assert.equal(verdict('api-svc').status, 'up-to-date');
    assert.equal(verdict('stale-job').kind, 'job');
  });

  it('stale when later commits touch the paths of the commit on the template; the executions keep their own commits', () => {
    const v = verdict('stale-job');
    assert.equal(v.status, 'stale');
    assert.equal(v.commitLabel, commits.base!.slice(0, 7));
    assert.equal(v.deployedCommit, commits.base);
    assert.equal(v.commitsBehind, 41);
    assert.equal(v.commits[0]!.sha, commits.bulkLast);
    assert.deepEqual(v.serving, []);
    assert.match(v.message, /^stale-job's template carries [0-9a-f]{8}; 41 later commits touch the job's paths\.$/);
    assert.deepEqual(
      v.executions?.map((e) => [e.status, e.commit, e.commitsBehind]),
      [
        ['succeeded', commits.base, 41],
        ['succeeded', commits.old, 40],
      ],
    );
    assert.equal(v.lastExecution?.durationMs, 90_000);
  });

  it('an up-to-date job whose last execution ran old code says so: failed, its message, 40 commits old', () => {
    const v = verdict('current-job');
    assert.equal(v.status, 'up-to-date');
    assert.equal(v.commitsBehind, 0);
    const last = v.lastExecution!;
    assert.match(last.name, /^current-job-[a-z]{5}$/);
    assert.equal(last.status, 'failed');
    assert.equal(last.message, `Task ${last.name}-task2 failed with message: KeyError: game_date`);
    assert.deepEqual(last.tasks, { total: 3, running: 0, succeeded: 2, failed: 1, cancelled: 0 });
    assert.equal(last.commit, commits.old);
    assert.equal(last.commitLabel, commits.old!.slice(0, 8));
    assert.equal(last.commitsBehind, 40);
    assert.equal(last.startTime, '2026-02-09T10:00:02.000Z');
    assert.equal(last.completionTime, '2026-02-09T10:05:02.000Z');
    assert.equal(last.durationMs, 300_000);
    assert.match(v.message, /Its last execution current-job-[a-z]{5} \(failed\) ran [0-9a-f]{8}, code 40 commits old for its paths\./);
  });

  it('a running execution reports its tasks as they stand', () => {
    const v = verdict('running-job');
    assert.equal(v.status, 'up-to-date');
    assert.equal(v.lastExecution?.status, 'running');
    // Two tasks at a time, 40 s each, started a minute ago: two done, two running.
    assert.deepEqual(v.lastExecution?.tasks, { total: 4, running: 2, succeeded: 2, failed: 0, cancelled: 0 });
    assert.equal(v.lastExecution?.completionTime, null);
    assert.equal(v.lastExecution?.durationMs, null);
    assert.equal(v.lastExecution?.commitsBehind, 0);
  });

  it('a job that never ran has no last execution', () => {
    assert.equal(verdict('idle-job').status, 'up-to-date');
    assert.equal(verdict('idle-job').lastExecution, null);
    assert.deepEqual(verdict('idle-job').executions, []);
  });

  it('deploy-failed when the terminal condition failed, with its message', () => {
    const v = verdict('failed-deploy-job');
    assert.equal(v.status, 'deploy-failed');
    assert.match(v.message, /^The last deploy of failed-deploy-job failed: Image 'us-west2-docker\.pkg\.dev\/p\/jobs\/x:abc' not found\. /);
  });

  it('deploying while the job reconciles', () => {
    assert.equal(verdict('reconciling-job').status, 'deploying');
    assert.match(verdict('reconciling-job').message, /in progress/);
  });

  it('unlabeled, unknown-commit and diverged templates, as for revisions', () => {
    assert.equal(verdict('unlabeled-job').status, 'unlabeled');
    assert.match(verdict('unlabeled-job').message, /^unlabeled-job's template has no commit-sha label, so only times can be compared/);
    assert.equal(verdict('unknown-job').status, 'unknown-commit');
    assert.equal(verdict('unknown-job').commitLabel, 'deadbeef');
    assert.equal(verdict('diverged-job').status, 'diverged');
    assert.equal(verdict('diverged-job').deployedCommit, commits.branch);
  });

  it('an API failure or a missing job is confined to that job', () => {
    assert.equal(verdict('broken-job').status, 'error');
    assert.match(verdict('broken-job').message, /backend exploded/);
    assert.equal(verdict('missing-job').status, 'not-found');
    assert.match(verdict('missing-job').message, /missing-job is configured as a Cloud Run job but does not exist/);
    assert.equal(verdict('idle-job').status, 'up-to-date');
  });

  it('the labels a next check can expect include each job template\'s', () => {
    assert.ok(servingLabelsOf(result.services).includes(commits.base!.slice(0, 7)));
  });

  it('executions that cannot be listed leave the job\'s verdict standing and say why', async () => {
    await emulator.control('faults', { rules: [{ api: 'run', service: 'stale-job', operation: 'listExecutions', httpStatus: 403, message: 'caller lacks run.executions.list' }] });
    try {
      const again = await checkServices(config, { reader, git: await GitRepository.open(repo.dir) }, { services: ['stale-job'] });
      const v = again.services[0]!;
      assert.equal(v.status, 'stale');
      assert.equal(v.lastExecution, null);
      assert.match(v.message, /Its executions could not be read: Permission denied: caller lacks run\.executions\.list\.$/);
    } finally {
      await emulator.control('clear-faults');
    }
  });

  it('listExecutions pages newest first; listJobs names the region\'s jobs', async () => {
    const listed = await reader.listExecutions!({ project: PROJECT, region: REGION, name: 'stale-job' }, 1);
    assert.equal(listed.length, 1);
    assert.equal(listed[0]!.createTime, '2026-02-09T10:00:00.000Z');
    const jobs = await reader.listJobs!(PROJECT, REGION);
    assert.ok(jobs.some((j) => j.name === 'stale-job'));
  });
});
