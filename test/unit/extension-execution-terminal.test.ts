// The terminal a Cloud Run job execution is followed in: what it writes, with hostile text from the API
// and the log escaped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { executionResultLine, executionStatusLine, followEventLines } from '../../src/core/jobs/executionText';
import type { LogEntry } from '../../src/core/logs';
import type { ExecutionFacts } from '../../src/core/model';
import { ExecutionTerminal } from '../../src/extension/jobs/executionTerminal';

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
