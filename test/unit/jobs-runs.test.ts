// A data job's runs: which Cloud Run job executions are its runs (finished or still running), how they
// merge with the runs this window started, which one gives the scoreboard its default range, and how
// each reads in the Data Jobs view.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DataJobConfig } from '../../src/core/config';
import { scoreboardRange } from '../../src/core/jobs/dates';
import { heldExecution, heldRuns, newestRun, RECENT_RUNS, withHeldRuns, type HeldExecution, type JobRunRecord, type JobRunState } from '../../src/core/jobs/runs';
import { jobRunText, lastRunDescription } from '../../src/core/jobs/runText';
import type { ExecutionFacts } from '../../src/core/model';
import { jobRow, jobRunRow } from '../../src/extension/jobs/jobPresentation';
import { JobRuns } from '../../src/extension/jobs/jobRuns';

const NOW = new Date('2026-01-30T12:00:00Z');
const JAN_24_28 = { start: '2026-01-24', end: '2026-01-28', days: 5 };
const JAN_24_25 = { start: '2026-01-24', end: '2026-01-25', days: 2 };

const JOB: DataJobConfig = {
  name: 'grade',
  command: undefined,
  cloudRunJob: { unit: 'grading-backfill', args: ['--start-date=${startDate}', '--end-date=${endDate}'], taskCount: undefined, timeoutSeconds: undefined },
  description: undefined,
  requires: [],
  project: 'nba-props-platform',
  table: undefined,
  maxDays: 31,
  scoreboard: 'SELECT 1',
};

function facts(extra: Partial<ExecutionFacts> = {}): ExecutionFacts {
  return {
    name: 'grading-backfill-x7k2p',
    labels: { 'commit-sha': 'abc1234' },
    status: 'running',
    createTime: '2026-01-30T10:00:00.000Z',
    startTime: '2026-01-30T10:00:02.000Z',
    completionTime: null,
    tasks: { total: 2, running: 1, succeeded: 1, failed: 0, cancelled: 0 },
    message: null,
    args: ['--start-date=2026-01-24', '--end-date=2026-01-25'],
    ...extra,
  };
}

/** An execution as the check's verdict holds it, started at `startTime`, ended at `completionTime` (null: not yet). */
function held(name: string, status: ExecutionFacts['status'], startTime: string, completionTime: string | null, args?: string[]): HeldExecution {
  return { ...heldExecution(facts({ name, status, startTime, createTime: startTime, completionTime, ...(args ? { args } : {}) }), 'commit-sha'), durationMs: completionTime === null ? null : 20_000 };
}

const run = (result: JobRunRecord['result'], extra: Partial<JobRunRecord> = {}): JobRunRecord => ({ range: JAN_24_28, startedAt: '2026-01-30T10:55:00.000Z', endedAt: '2026-01-30T11:00:00.000Z', result, ...extra });

describe("a job's last runs in the Data Jobs view", () => {
  it('shows the range, result, duration and the commit the execution ran; a failed one can be run again', () => {
    const row = jobRunRow(run({ kind: 'failed', exitCode: 1 }, { execution: { name: 'grading-backfill-x7k2p', commit: 'abc1234', durationMs: 125_000 } }), NOW);
    assert.equal(row.label, '2026-01-24..2026-01-28');
    assert.equal(row.description, 'failed (exit 1) · 2m 5s · ran abc1234 · 1h ago');
    assert.equal(row.contextValue, 'cloudRunDrift.jobRun.failed');
    assert.match(row.tooltip, /^2026-01-24 to 2026-01-28: failed \(exit 1\)\nEnded 2026-01-30 11:00:00 UTC\nExecution grading-backfill-x7k2p\nRan commit abc1234\n\nRun it again/);
    assert.equal(jobRunRow(run({ kind: 'cancelled' }, { execution: { name: 'x', commit: null, durationMs: null } }), NOW).description, 'cancelled · ran an unlabeled image · 1h ago');
    assert.equal(jobRunRow(run({ kind: 'cancelled' }), NOW).contextValue, 'cloudRunDrift.jobRun.failed');
    const ok = jobRunRow(run({ kind: 'succeeded' }), NOW);
    assert.equal(ok.contextValue, 'cloudRunDrift.jobRun');
    assert.equal(ok.description, 'succeeded · 1h ago');
  });
});

describe('the runs Cloud Run holds for a data job', () => {
  it("are its job's executions whose arguments are this job's, finished or still running; others are not its runs", () => {
    const executions = [
      held('grading-backfill-run01', 'running', '2026-01-30T11:58:00.000Z', null),
      held('grading-backfill-pen02', 'pending', '2026-01-30T11:59:30.000Z', null, ['--start-date=2026-01-27', '--end-date=2026-01-27']),
      held('grading-backfill-fai02', 'failed', '2026-01-30T11:29:40.000Z', '2026-01-30T11:30:00.000Z', ['--start-date=2026-01-26', '--end-date=2026-01-26']),
      held('grading-backfill-byhnd', 'succeeded', '2026-01-30T11:19:40.000Z', '2026-01-30T11:20:00.000Z', ['--dry-run']),
      held('grading-backfill-can03', 'cancelled', '2026-01-30T11:09:40.000Z', '2026-01-30T11:10:00.000Z'),
      held('grading-backfill-suc04', 'succeeded', '2026-01-30T10:59:40.000Z', '2026-01-30T11:00:00.000Z'),
    ];
    const tasks = { total: 2, running: 1, succeeded: 1, failed: 0, cancelled: 0 };
    assert.deepEqual(heldRuns(JOB, executions), [
      { range: { start: '2026-01-27', end: '2026-01-27', days: 1 }, startedAt: '2026-01-30T11:59:30.000Z', endedAt: null, result: { kind: 'pending' }, execution: { name: 'grading-backfill-pen02', commit: 'abc1234', durationMs: null, tasks } },
      { range: JAN_24_25, startedAt: '2026-01-30T11:58:00.000Z', endedAt: null, result: { kind: 'running' }, execution: { name: 'grading-backfill-run01', commit: 'abc1234', durationMs: null, tasks } },
      { range: { start: '2026-01-26', end: '2026-01-26', days: 1 }, startedAt: '2026-01-30T11:29:40.000Z', endedAt: '2026-01-30T11:30:00.000Z', result: { kind: 'failed', exitCode: 1 }, execution: { name: 'grading-backfill-fai02', commit: 'abc1234', durationMs: 20_000 } },
      { range: JAN_24_25, startedAt: '2026-01-30T11:09:40.000Z', endedAt: '2026-01-30T11:10:00.000Z', result: { kind: 'cancelled' }, execution: { name: 'grading-backfill-can03', commit: 'abc1234', durationMs: 20_000 } },
      { range: JAN_24_25, startedAt: '2026-01-30T10:59:40.000Z', endedAt: '2026-01-30T11:00:00.000Z', result: { kind: 'succeeded' }, execution: { name: 'grading-backfill-suc04', commit: 'abc1234', durationMs: 20_000 } },
    ]);
    // A command job has no executions of its own.
    assert.deepEqual(heldRuns({ ...JOB, command: 'true', cloudRunJob: undefined }, executions), []);
  });

  it('an execution still running reads as a run in progress: range, "running", time so far, its tasks and commit; no re-run, a spinner', () => {
    const [inProgress] = heldRuns(JOB, [held('grading-backfill-run01', 'running', '2026-01-30T11:57:55.000Z', null)]);
    const row = jobRunRow(inProgress!, NOW);
    assert.equal(row.label, '2026-01-24..2026-01-25');
    assert.equal(row.description, 'running · 2m 5s so far · tasks: 1 running, 1 succeeded, 0 failed of 2 · ran abc1234');
    assert.equal(row.tooltip, ['2026-01-24 to 2026-01-25: running', 'Started 2026-01-30 11:57:55 UTC, 2m 5s so far', 'Execution grading-backfill-run01', 'Tasks: 1 running, 1 succeeded, 0 failed of 2', 'Ran commit abc1234'].join('\n'));
    assert.deepEqual(row.icon, { id: 'loading~spin', color: null });
    assert.equal(row.contextValue, 'cloudRunDrift.jobRun.running');
    // The job's own row says it too; Run stays offered (this window is not running it).
    const state = withHeldRuns(new JobRuns().get('grade'), [inProgress!]);
    const jobLine = jobRow(JOB, state, () => undefined, NOW);
    assert.equal(jobLine.description, '2026-01-24..2026-01-25 · running · 2m 5s so far');
    assert.equal(jobLine.icon.id, 'loading~spin');
    assert.equal(jobLine.contextValue, 'cloudRunDrift.job.scoreboard');
    assert.match(jobLine.tooltip, /\n\nLast run 2026-01-24 to 2026-01-25, running \(2m 5s so far\): grading-backfill-run01\nTasks: 1 running, 1 succeeded, 0 failed of 2$/);
  });

  it('a later check that sees it finish turns the same row (same execution) into how it ended', () => {
    const first = withHeldRuns(new JobRuns().get('grade'), heldRuns(JOB, [held('grading-backfill-run01', 'running', '2026-01-30T11:40:00.000Z', null)]));
    assert.deepEqual(first.recent.map((r) => [r.execution?.name, r.result.kind]), [['grading-backfill-run01', 'running']]);
    const later = withHeldRuns(new JobRuns().get('grade'), heldRuns(JOB, [held('grading-backfill-run01', 'succeeded', '2026-01-30T11:40:00.000Z', '2026-01-30T11:50:00.000Z')]));
    assert.deepEqual(later.recent.map((r) => [r.execution?.name, r.result.kind]), [['grading-backfill-run01', 'succeeded']]);
    assert.equal(jobRunRow(later.last!, NOW).description, 'succeeded · 20s · ran abc1234 · 10m ago');
    assert.equal(lastRunDescription(later.last!, NOW), '2026-01-24..2026-01-25 · succeeded · 10m ago');
  });
});

describe("merging them with this window's runs", () => {
  it("one row per execution (this window's record first), refused runs kept, newest first by start, RECENT_RUNS at most", () => {
    const runs = new JobRuns();
    const heldOnes = heldRuns(JOB, [held('grading-backfill-new01', 'succeeded', '2026-01-30T11:49:40.000Z', '2026-01-30T11:50:00.000Z'), held('grading-backfill-old02', 'failed', '2026-01-30T09:59:40.000Z', '2026-01-30T10:00:00.000Z')]);
    runs.finish('grade', run({ kind: 'refused', blockers: ['stale'] }, { startedAt: '2026-01-30T11:39:59.000Z', endedAt: '2026-01-30T11:40:00.000Z' }));
    // This window's record of the same execution stands for it.
    runs.finish('grade', run({ kind: 'succeeded' }, { startedAt: '2026-01-30T11:49:40.000Z', endedAt: '2026-01-30T11:50:01.000Z', execution: { name: 'grading-backfill-new01', commit: 'abc1234', durationMs: 19_000 } }));
    const merged = withHeldRuns(runs.get('grade'), heldOnes);
    assert.deepEqual(merged.recent.map((r) => `${r.result.kind} ${r.execution?.name ?? '-'} ${r.execution?.durationMs ?? '-'}`), ['succeeded grading-backfill-new01 19000', 'refused - -', 'failed grading-backfill-old02 20000']);
    assert.equal(merged.last, merged.recent[0]);
    // After a reload this window holds nothing: the last runs are Cloud Run's.
    const reloaded = withHeldRuns(new JobRuns().get('grade'), heldOnes);
    assert.deepEqual(reloaded.recent.map((r) => r.execution?.name), ['grading-backfill-new01', 'grading-backfill-old02']);
    assert.equal(reloaded.last?.result.kind, 'succeeded');
    assert.equal(reloaded.phase, 'idle');
    const many = heldRuns(JOB, Array.from({ length: RECENT_RUNS + 3 }, (_, i) => held(`grading-backfill-m${i}`, 'succeeded', `2026-01-30T0${i}:00:00.000Z`, `2026-01-30T0${i}:00:20.000Z`)));
    assert.equal(withHeldRuns(new JobRuns().get('grade'), many).recent.length, RECENT_RUNS);
  });

  it('an execution whose terminal was closed before it ended is told by Cloud Run: running, then how it ended', () => {
    const runs = new JobRuns();
    // Stopped following: the window recorded it without an end ("stopped").
    runs.finish('grade', run({ kind: 'failed', exitCode: undefined }, { range: JAN_24_25, startedAt: '2026-01-30T11:40:00.000Z', endedAt: '2026-01-30T11:41:00.000Z', execution: { name: 'grading-backfill-run01', commit: 'abc1234', durationMs: null } }));
    const running = withHeldRuns(runs.get('grade'), heldRuns(JOB, [held('grading-backfill-run01', 'running', '2026-01-30T11:40:00.000Z', null)]));
    assert.deepEqual(running.recent.map((r) => r.result.kind), ['running']);
    const ended = withHeldRuns(runs.get('grade'), heldRuns(JOB, [held('grading-backfill-run01', 'succeeded', '2026-01-30T11:40:00.000Z', '2026-01-30T11:45:00.000Z')]));
    assert.deepEqual(ended.recent.map((r) => r.result.kind), ['succeeded']);
    // Before any check read it, the window's record is all there is.
    assert.deepEqual(withHeldRuns(runs.get('grade'), []).recent.map((r) => runTextOf(r)), ['stopped · ran abc1234 · 19m ago']);
  });

  it(`keeps this window's last ${RECENT_RUNS} runs per job, newest first`, () => {
    const runs = new JobRuns();
    for (let i = 0; i < RECENT_RUNS + 2; i++) runs.finish('grading', run({ kind: 'succeeded' }, { startedAt: `2026-01-30T10:0${i}:00.000Z`, endedAt: `2026-01-30T11:0${i}:00.000Z` }));
    const state = runs.get('grading');
    assert.equal(state.recent.length, RECENT_RUNS);
    assert.equal(state.recent[0], state.last);
    assert.equal(state.recent[0]!.endedAt, `2026-01-30T11:0${RECENT_RUNS + 1}:00.000Z`);
  });
});

function runTextOf(record: JobRunRecord): string {
  return jobRunText(record, NOW).description;
}

describe("the scoreboard's default range: the newest run of either source, by start time", () => {
  const TODAY = '2026-01-30';
  const rangeOf = (state: JobRunState) => scoreboardRange({ lastRun: newestRun(state.recent)?.range, configured: { start: '2026-01-01', end: '2026-01-02' } }, TODAY);

  it('an execution started from the CLI after this window’s run began gives the range, though the window’s run ended later', () => {
    const runs = new JobRuns();
    // This window ran Jan 24-28 from 10:00 to 10:30; the CLI started Jan 26 at 10:10, done by 10:20.
    runs.finish('grade', run({ kind: 'succeeded' }, { startedAt: '2026-01-30T10:00:00.000Z', endedAt: '2026-01-30T10:30:00.000Z' }));
    const fromCli = heldRuns(JOB, [held('grading-backfill-cli01', 'succeeded', '2026-01-30T10:10:00.000Z', '2026-01-30T10:20:00.000Z', ['--start-date=2026-01-26', '--end-date=2026-01-26'])]);
    const state = withHeldRuns(runs.get('grade'), fromCli);
    assert.equal(newestRun(state.recent)?.execution?.name, 'grading-backfill-cli01');
    assert.deepEqual(rangeOf(state), { start: '2026-01-26', end: '2026-01-26', days: 1 });
    assert.equal(state.last, newestRun(state.recent), "the job row's last run is the same run");
  });

  it('a run this window started after the execution gives its own range; one still running counts as started', () => {
    const runs = new JobRuns();
    runs.finish('grade', run({ kind: 'succeeded' }, { startedAt: '2026-01-30T10:15:00.000Z', endedAt: '2026-01-30T10:16:00.000Z' }));
    const fromCli = heldRuns(JOB, [held('grading-backfill-cli01', 'succeeded', '2026-01-30T10:10:00.000Z', '2026-01-30T10:20:00.000Z', ['--start-date=2026-01-26', '--end-date=2026-01-26'])]);
    assert.deepEqual(rangeOf(withHeldRuns(runs.get('grade'), fromCli)), JAN_24_28);
    const stillRunning = heldRuns(JOB, [held('grading-backfill-cli02', 'running', '2026-01-30T10:20:00.000Z', null, ['--start-date=2026-01-27', '--end-date=2026-01-28'])]);
    assert.deepEqual(rangeOf(withHeldRuns(runs.get('grade'), [...stillRunning, ...fromCli])), { start: '2026-01-27', end: '2026-01-28', days: 2 });
    // No run known: the configured range.
    assert.deepEqual(rangeOf(new JobRuns().get('grade')), { start: '2026-01-01', end: '2026-01-02', days: 2 });
  });
});
