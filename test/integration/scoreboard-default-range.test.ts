// The range a data job's scoreboard opens with when none is given: the range of the run that started
// last, whichever started it. An execution run from the CLI (`cloud-run-drift job`, in this process so
// its clock can be the emulator's) sets it for `cloud-run-drift scoreboard` and for the editor (the
// check's verdict of the Cloud Run job, read with the real @google-cloud/run client, through the same
// core decision DataJobs uses). The emulator's Cloud Run job grades the demo's data into its BigQuery.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { main } from '../../src/cli/main';
import { checkServices } from '../../src/core/check';
import { createCloudRunReader, type CloudRunReader } from '../../src/core/google/cloudrun';
import { loadConfig, type DriftConfig } from '../../src/core/config';
import { GitRepository } from '../../src/core/git/repository';
import { scoreboardRange, type DateRange } from '../../src/core/jobs/dates';
import type { ExecutionClock } from '../../src/core/jobs/followExecution';
import { heldRuns, newestRun, withHeldRuns } from '../../src/core/jobs/runs';
import { buildDemoBigQuerySection } from '../../src/emulator/demo/bigquery-seed';
import { DEMO_SCOREBOARD_SQL } from '../../src/emulator/demo/workspace';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { JobRuns } from '../../src/extension/jobs/jobRuns';
import { createTempRepo, type TempRepo } from '../helpers/repo';

const PROJECT = 'nba-props-platform';
const REGION = 'us-west2';
const NOW = '2026-01-30T23:00:00Z';
const CONFIGURED = { start: '2026-01-24', end: '2026-01-28' };

describe("the scoreboard's default range follows the newest run, an execution run from the CLI included", () => {
  let repo: TempRepo;
  let emulator: RunningEmulator;
  let config: DriftConfig;
  let reader: CloudRunReader;

  const emulatorClock: ExecutionClock = {
    now: () => emulator.clock.now(),
    sleep: async (ms) => {
      emulator.clock.advance(ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
  };

  const cli = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    let stdout = '';
    let stderr = '';
    const code = await main([...args, '--config', `${repo.dir}/cloud-run-drift.json`], { out: (text) => (stdout += `${text}\n`), err: (text) => (stderr += `${text}\n`), color: false }, { clock: emulatorClock });
    return { code, stdout, stderr };
  };

  /** The dates of the scoreboard `cloud-run-drift scoreboard grade` prints without dates, its Total row last. */
  const defaultScoreboardDates = async (): Promise<string[]> => {
    const run = await cli(['scoreboard', 'grade', '--csv']);
    assert.equal(run.code, 0, run.stderr);
    return run.stdout.trimEnd().split('\n').slice(1).map((line) => line.split(',')[0]!);
  };

  /** What the editor opens the scoreboard on after a check: DataJobs.defaultScoreboardRange's decision, this window having run `own`. */
  const editorDefault = async (own: JobRuns = new JobRuns()): Promise<DateRange> => {
    const result = await checkServices(config, { reader, git: await GitRepository.open(repo.dir) });
    const executions = result.services.find((s) => s.name === 'grading-backfill')?.executions ?? [];
    const job = config.jobs.find((j) => j.name === 'grade')!;
    const state = withHeldRuns(own.get('grade'), heldRuns(job, executions));
    return scoreboardRange({ lastRun: newestRun(state.recent)?.range, configured: job.scoreboardRange }, '2026-01-30');
  };

  before(async () => {
    repo = createTempRepo();
    const head = repo.commit('grading backfill', { 'jobs/grading/main.py': '1' });
    emulator = await startEmulator({
      port: 0,
      scenario: {
        now: NOW,
        run: {
          project: PROJECT,
          region: REGION,
          jobs: [{ name: 'grading-backfill', labels: { 'commit-sha': head }, workload: 'demo-grading', run: { startDelayMs: 500, taskDurationMs: 2_000 } }],
        },
        // Jan 24-29 graded, as the handoff's backfill left them.
        bigquery: buildDemoBigQuerySection(new Date(NOW), undefined, { includeBackfilledGrades: true }),
      },
    });
    const file = `${repo.dir}/cloud-run-drift.json`;
    fs.writeFileSync(
      file,
      JSON.stringify({
        project: PROJECT,
        region: REGION,
        services: { 'grading-backfill': { kind: 'job', paths: ['jobs/grading'] } },
        jobs: { grade: { cloudRunJob: 'grading-backfill', args: ['--start-date=${startDate}', '--end-date=${endDate}'], scoreboard: DEMO_SCOREBOARD_SQL, scoreboardRange: CONFIGURED } },
        endpoints: { run: emulator.httpUrl, logging: emulator.grpcAddress, bigquery: emulator.httpUrl },
      }),
      { mode: 0o600 },
    );
    config = await loadConfig(file);
    reader = createCloudRunReader(config.endpoints);
    // Loading the client libraries once, outside the tests' own time.
    assert.equal((await cli(['scoreboard', 'grade', '--csv'])).code, 0);
  });
  beforeEach(async () => {
    await emulator.control('reset');
    await emulator.control('clear-faults');
  });
  after(async () => {
    await reader?.close();
    await emulator?.close();
    repo?.cleanup();
  });

  test('before any execution: the configured range; after one run from the CLI: its range, in the CLI and in the editor', async () => {
    assert.deepEqual(await defaultScoreboardDates(), ['2026-01-24', '2026-01-25', '2026-01-26', '2026-01-27', '2026-01-28', 'Total']);
    assert.deepEqual(await editorDefault(), { ...CONFIGURED, days: 5 });

    const ran = await cli(['job', 'grade', '--start-date', '2026-01-26', '--end-date', '2026-01-27']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.deepEqual(await defaultScoreboardDates(), ['2026-01-26', '2026-01-27', 'Total']);
    assert.deepEqual(await editorDefault(), { start: '2026-01-26', end: '2026-01-27', days: 2 });

    // One started later and still running is the newest run: its range.
    const started = await cli(['job', 'grade', '--start-date', '2026-01-28', '--end-date', '2026-01-28', '--no-wait']);
    assert.equal(started.code, 0, started.stderr);
    assert.deepEqual(await defaultScoreboardDates(), ['2026-01-28', 'Total']);
    assert.deepEqual(await editorDefault(), { start: '2026-01-28', end: '2026-01-28', days: 1 });
  });

  test("a run this window started after the CLI's execution gives its own range; one it started before does not", async () => {
    assert.equal((await cli(['job', 'grade', '--start-date', '2026-01-26', '--end-date', '2026-01-27'])).code, 0);
    const ended = emulator.clock.now();
    const later = new JobRuns();
    later.finish('grade', { range: { start: '2026-01-24', end: '2026-01-24', days: 1 }, startedAt: new Date(ended + 60_000).toISOString(), endedAt: new Date(ended + 90_000).toISOString(), result: { kind: 'succeeded' } });
    assert.deepEqual(await editorDefault(later), { start: '2026-01-24', end: '2026-01-24', days: 1 });
    // Started before the execution, though it ended after it.
    const earlier = new JobRuns();
    earlier.finish('grade', { range: { start: '2026-01-24', end: '2026-01-24', days: 1 }, startedAt: new Date(ended - 3_600_000).toISOString(), endedAt: new Date(ended + 90_000).toISOString(), result: { kind: 'succeeded' } });
    assert.deepEqual(await editorDefault(earlier), { start: '2026-01-26', end: '2026-01-27', days: 2 });
  });

  test('when the executions cannot be read, the CLI says so and opens on the configured range', async () => {
    assert.equal((await cli(['job', 'grade', '--start-date', '2026-01-26', '--end-date', '2026-01-27'])).code, 0);
    await emulator.control('faults', { rules: [{ api: 'run', operation: 'listExecutions', httpStatus: 403, message: 'Permission run.executions.list denied' }] });
    const run = await cli(['scoreboard', 'grade']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^cloud-run-drift: grade: the executions of grading-backfill could not be read \(.*Permission run\.executions\.list denied.*\), so the scoreboard does not open on the last run's range; --start-date and --end-date choose one\n$/);
    assert.match(run.stdout, /^2026-01-24 .*\n(.*\n){4}-+/m);
  });
});
