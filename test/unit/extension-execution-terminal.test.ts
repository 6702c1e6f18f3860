// The terminal a Cloud Run job execution is followed in, and the Data Jobs view's rows of a job's last
// runs: what they write and show, with hostile text from the API and the log escaped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { executionResultLine, executionStatusLine, followEventLines } from '../../src/core/jobs/executionText';
import type { LogEntry } from '../../src/core/logs';
import type { DataJobConfig } from '../../src/core/config';
import type { ExecutionFacts, ExecutionVerdict } from '../../src/core/model';
import { ExecutionTerminal } from '../../src/extension/jobs/executionTerminal';
import { jobRunRow } from '../../src/extension/jobs/jobPresentation';
import { heldRuns, JobRuns, RECENT_RUNS, withHeldRuns, type JobRunRecord } from '../../src/extension/jobs/jobRuns';

const UNIT = { name: 'grading-backfill', project: 'nba-props-platform', region: 'us-west2' };

function execution(extra: Partial<ExecutionFacts> = {}): ExecutionFacts {
  return {
    name: 'grading-backfill-x7k2p',
    labels: { 'commit-sha': 'abc1234' },
    status: 'running',
    createTime: '2026-01-30T10:00:00.000Z',
    startTime: '2026-01-30T10:00:02.000Z',
    completionTime: null,
    tasks: { total: 2, running: 1, succeeded: 1, failed: 0, cancelled: 0 },
    message: null,
    args: [],
    ...extra,
  };
}

function terminal(): { pty: ExecutionTerminal; written: string[]; closed: (number | void)[]; calls: string[] } {
  const calls: string[] = [];
  const pty = new ExecutionTerminal({ onInterrupt: () => calls.push('interrupt'), onClosedEarly: () => calls.push('closed early') });
  const written: string[] = [];
  const closed: (number | void)[] = [];
  pty.onDidWrite((text) => written.push(text));
  pty.onDidClose((code) => closed.push(code));
  return { pty, written, closed, calls };
}

describe('the execution terminal', () => {
  it('keeps what was written before VS Code opened it, then writes each line escaped, ending in \\r\\n', () => {
    const { pty, written } = terminal();
    pty.writeLines([executionStatusLine(execution())]);
    assert.equal(written.length, 0);
    pty.open();
    const hostile: LogEntry = { insertId: '1', timestamp: '2026-01-30T10:00:03Z', severity: 'ERROR', service: null, revision: null, log: 'run.googleapis.com/stderr', text: 'boom \u001b]0;pwned\u0007\u001b[2J', labels: { 'run.googleapis.com/execution_name': 'grading-backfill-x7k2p' } };
    pty.writeLines(followEventLines({ type: 'entries', entries: [hostile] }).lines);
    assert.equal(written[0], 'grading-backfill-x7k2p: running (tasks: 1 running, 1 succeeded, 0 failed of 2)\r\n');
    assert.ok(!written[1]!.includes('\u001b]'), 'no OSC sequence reaches the terminal');
    assert.ok(!written[1]!.includes('\u0007'));
    assert.match(written[1]!, /boom \\x1b\]0;pwned\\x07\\x1b\[2J\r\n$/);
  });

  it('hands Ctrl-C to the question whether to cancel; other keys do nothing while it runs', () => {
    const { pty, calls, closed } = terminal();
    pty.open();
    pty.handleInput('q');
    pty.handleInput('\x03');
    assert.deepEqual(calls, ['interrupt']);
    assert.deepEqual(closed, []);
  });

  it('ends with the result and the exit status; a key then closes it with that status', () => {
    const { pty, written, closed, calls } = terminal();
    pty.open();
    const failed = execution({ status: 'failed', completionTime: '2026-01-30T10:02:02.000Z', message: 'Task grading-backfill-x7k2p-task1 failed with message: KeyError: game_date' });
    pty.finish(executionResultLine('grading', UNIT, failed.name, { outcome: 'failed', execution: failed, message: failed.message }), 1);
    assert.deepEqual(written, ['\u001b[31mgrading failed: grading-backfill-x7k2p: Task grading-backfill-x7k2p-task1 failed with message: KeyError: game_date\u001b[0m\r\nExit status 1. Press any key to close the terminal.\r\n']);
    pty.handleInput('\x03');
    assert.deepEqual(closed, [1]);
    assert.deepEqual(calls, [], 'Ctrl-C after the end closes, it asks nothing');
  });

  it('closed while the execution runs: stops following (the execution goes on); closed after the end: nothing', () => {
    const early = terminal();
    early.pty.close();
    assert.deepEqual(early.calls, ['closed early']);
    const late = terminal();
    late.pty.finish('done', 0);
    late.pty.close();
    assert.deepEqual(late.calls, []);
  });

  it('says how a run ended: succeeded with its duration, cancelled, or how to follow one it stopped following', () => {
    const done = execution({ status: 'succeeded', completionTime: '2026-01-30T10:01:32.000Z' });
    assert.deepEqual(executionResultLine('grading', UNIT, done.name, { outcome: 'succeeded', execution: done, message: null }), [{ sgr: '32', text: 'grading-backfill-x7k2p succeeded' }, ' in 1m 30s']);
    assert.deepEqual(executionResultLine('grading', UNIT, done.name, { outcome: 'cancelled', execution: done, message: null }), { sgr: '33', text: 'grading was cancelled: grading-backfill-x7k2p ended before its tasks did' });
    assert.equal(
      executionResultLine('grading', UNIT, done.name, { outcome: 'detached', execution: done, message: null }),
      'stopped following grading-backfill-x7k2p; it goes on running in Cloud Run. Follow it: cloud-run-drift logs grading-backfill --execution grading-backfill-x7k2p --follow; cancel it: gcloud run jobs executions cancel grading-backfill-x7k2p --region us-west2 --project nba-props-platform',
    );
  });
});

describe("a job's last runs in the Data Jobs view", () => {
  const NOW = new Date('2026-01-30T12:00:00Z');
  const run = (end: JobRunRecord['end'], extra: Partial<JobRunRecord> = {}): JobRunRecord => ({ range: { start: '2026-01-24', end: '2026-01-28', days: 5 }, endedAt: '2026-01-30T11:00:00.000Z', end, ...extra });

  it('shows the range, result, duration and the commit the execution ran; a failed one can be run again', () => {
    const row = jobRunRow(run({ kind: 'failed', exitCode: 1 }, { execution: { name: 'grading-backfill-x7k2p', commit: 'abc1234', durationMs: 125_000 } }), NOW);
    assert.equal(row.label, '2026-01-24..2026-01-28');
    assert.equal(row.description, 'failed (exit 1) · 2m 5s · ran abc1234 · 1h ago');
    assert.equal(row.contextValue, 'cloudRunDrift.jobRun.failed');
    assert.match(row.tooltip, /Execution grading-backfill-x7k2p\nRan commit abc1234/);
    assert.equal(jobRunRow(run({ kind: 'cancelled' }, { execution: { name: 'x', commit: null, durationMs: null } }), NOW).description, 'cancelled · ran an unlabeled image · 1h ago');
    assert.equal(jobRunRow(run({ kind: 'cancelled' }), NOW).contextValue, 'cloudRunDrift.jobRun.failed');
    const ok = jobRunRow(run({ kind: 'succeeded' }), NOW);
    assert.equal(ok.contextValue, 'cloudRunDrift.jobRun');
    assert.equal(ok.description, 'succeeded · 1h ago');
  });

  const JOB: DataJobConfig = {
    name: 'grade',
    command: undefined,
    cloudRunJob: { unit: 'grading-backfill', args: ['--start-date=${startDate}', '--end-date=${endDate}'], taskCount: undefined, timeoutSeconds: undefined },
    description: undefined,
    requires: [],
    project: 'nba-props-platform',
    table: undefined,
    maxDays: 31,
    scoreboard: undefined,
  };
  const held = (name: string, status: ExecutionVerdict['status'], completionTime: string | null, args = ['--start-date=2026-01-24', '--end-date=2026-01-25']): ExecutionVerdict => {
    const { labels: _labels, ...facts } = execution({ name, status, completionTime, args });
    return { ...facts, commitLabel: 'abc1234', commit: 'abc1234'.padEnd(40, '0'), commitsBehind: 0, durationMs: 20_000 };
  };

  it('takes the runs Cloud Run holds from its job\'s ended executions whose arguments are this job\'s', () => {
    const executions = [
      held('grading-backfill-run01', 'running', null),
      held('grading-backfill-fai02', 'failed', '2026-01-30T11:30:00.000Z', ['--start-date=2026-01-26', '--end-date=2026-01-26']),
      held('grading-backfill-byhnd', 'succeeded', '2026-01-30T11:20:00.000Z', ['--dry-run']),
      held('grading-backfill-can03', 'cancelled', '2026-01-30T11:10:00.000Z'),
      held('grading-backfill-suc04', 'succeeded', '2026-01-30T11:00:00.000Z'),
    ];
    assert.deepEqual(heldRuns(JOB, executions), [
      { range: { start: '2026-01-26', end: '2026-01-26', days: 1 }, endedAt: '2026-01-30T11:30:00.000Z', end: { kind: 'failed', exitCode: 1 }, execution: { name: 'grading-backfill-fai02', commit: 'abc1234', durationMs: 20_000 } },
      { range: { start: '2026-01-24', end: '2026-01-25', days: 2 }, endedAt: '2026-01-30T11:10:00.000Z', end: { kind: 'cancelled' }, execution: { name: 'grading-backfill-can03', commit: 'abc1234', durationMs: 20_000 } },
      { range: { start: '2026-01-24', end: '2026-01-25', days: 2 }, endedAt: '2026-01-30T11:00:00.000Z', end: { kind: 'succeeded' }, execution: { name: 'grading-backfill-suc04', commit: 'abc1234', durationMs: 20_000 } },
    ]);
    // A command job has no executions of its own.
    assert.deepEqual(heldRuns({ ...JOB, command: 'true', cloudRunJob: undefined }, executions), []);
  });

  it('merges them with this window\'s runs: one row per execution, refused runs kept, newest first', () => {
    const runs = new JobRuns();
    const heldOnes = heldRuns(JOB, [held('grading-backfill-new01', 'succeeded', '2026-01-30T11:50:00.000Z'), held('grading-backfill-old02', 'failed', '2026-01-30T10:00:00.000Z')]);
    runs.finish('grade', run({ kind: 'refused', blockers: ['stale'] }, { endedAt: '2026-01-30T11:40:00.000Z' }));
    // This window's record of the same execution stands for it.
    runs.finish('grade', run({ kind: 'succeeded' }, { endedAt: '2026-01-30T11:50:01.000Z', execution: { name: 'grading-backfill-new01', commit: 'abc1234', durationMs: 19_000 } }));
    const merged = withHeldRuns(runs.get('grade'), heldOnes);
    assert.deepEqual(merged.recent.map((r) => `${r.end.kind} ${r.execution?.name ?? '-'} ${r.execution?.durationMs ?? '-'}`), ['succeeded grading-backfill-new01 19000', 'refused - -', 'failed grading-backfill-old02 20000']);
    assert.equal(merged.last, merged.recent[0]);
    // After a reload this window holds nothing: the last runs are Cloud Run's.
    const reloaded = withHeldRuns(new JobRuns().get('grade'), heldOnes);
    assert.deepEqual(reloaded.recent.map((r) => r.execution?.name), ['grading-backfill-new01', 'grading-backfill-old02']);
    assert.equal(reloaded.last?.end.kind, 'succeeded');
    assert.equal(reloaded.phase, 'idle');
    const many = heldRuns(JOB, Array.from({ length: RECENT_RUNS + 3 }, (_, i) => held(`grading-backfill-m${i}`, 'succeeded', `2026-01-30T0${i}:00:00.000Z`)));
    assert.equal(withHeldRuns(new JobRuns().get('grade'), many).recent.length, RECENT_RUNS);
  });

  it(`keeps the last ${RECENT_RUNS} runs per job, newest first`, () => {
    const runs = new JobRuns();
    for (let i = 0; i < RECENT_RUNS + 2; i++) runs.finish('grading', run({ kind: 'succeeded' }, { endedAt: `2026-01-30T11:0${i}:00.000Z` }));
    const state = runs.get('grading');
    assert.equal(state.recent.length, RECENT_RUNS);
    assert.equal(state.recent[0], state.last);
    assert.equal(state.recent[0]!.endedAt, `2026-01-30T11:0${RECENT_RUNS + 1}:00.000Z`);
  });
});
