// The emulator's Cloud Run job executions as plans in time (pure), and how their events reach the
// Logging module: on a scheduler the tests drive, and at once when the clock moves.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FaultRegistry } from '../../src/emulator/faults';
import { createJobsApi, type JobsScheduler } from '../../src/emulator/jobs/api';
import { parseJobsSection } from '../../src/emulator/jobs/scenario';
import { executionEvents, progressAt, taskTimelines, TIMEOUT_MESSAGE, type ExecutionPlan } from '../../src/emulator/jobs/timeline';
import { RunState } from '../../src/emulator/run-state';

const T0 = Date.parse('2026-01-30T23:00:00Z');

function plan(overrides: Partial<ExecutionPlan> = {}): ExecutionPlan {
  return { createTimeMs: T0, startTimeMs: T0 + 1_000, taskCount: 1, parallelism: 1, taskDurationMs: 10_000, timeoutMs: 600_000, failures: new Map(), cancelTimeMs: null, ...overrides };
}

describe('execution timelines', () => {
  test('at most `parallelism` tasks run at once; the next starts when one ends', () => {
    const tasks = taskTimelines(plan({ taskCount: 3, parallelism: 2 }));
    assert.deepEqual(tasks.map((t) => [t.index, (t.startMs ?? 0) - T0, t.endMs - T0, t.outcome]), [
      [0, 1_000, 11_000, 'succeeded'],
      [1, 1_000, 11_000, 'succeeded'],
      [2, 11_000, 21_000, 'succeeded'],
    ]);
  });

  test('a task failed early frees its slot for the next task at once', () => {
    const tasks = taskTimelines(plan({ taskCount: 2, failures: new Map([[0, { message: 'boom', atMs: T0 + 4_000 }]]) }));
    assert.deepEqual(tasks.map((t) => [(t.startMs ?? 0) - T0, t.endMs - T0, t.outcome, t.message]), [
      [1_000, 4_000, 'failed', 'boom'],
      [4_000, 14_000, 'succeeded', null],
    ]);
  });

  test('a task running past the timeout fails with Cloud Run\'s message', () => {
    const [task] = taskTimelines(plan({ timeoutMs: 5_000 }));
    assert.deepEqual([task!.endMs - T0, task!.outcome, task!.message], [6_000, 'failed', TIMEOUT_MESSAGE]);
  });

  test('cancellation stops running tasks where they are; tasks not started never start', () => {
    const tasks = taskTimelines(plan({ taskCount: 3, cancelTimeMs: T0 + 15_000 }));
    assert.deepEqual(tasks.map((t) => [t.startMs === null ? null : t.startMs - T0, t.endMs - T0, t.outcome]), [
      [1_000, 11_000, 'succeeded'],
      [11_000, 15_000, 'cancelled'],
      [null, 15_000, 'cancelled'],
    ]);
    const done = progressAt(plan({ taskCount: 3, cancelTimeMs: T0 + 15_000 }), T0 + 20_000);
    assert.deepEqual([done.status, done.succeeded, done.cancelled, done.completionTimeMs! - T0], ['cancelled', 1, 2, 15_000]);
  });

  test('progress: pending, running with counts, then succeeded or failed with the first failure', () => {
    const p = plan({ taskCount: 2, parallelism: 2, failures: new Map([[1, { message: 'KeyError', atMs: null }]]) });
    assert.equal(progressAt(p, T0 + 500).status, 'pending');
    const running = progressAt(p, T0 + 2_000);
    assert.deepEqual([running.status, running.running, running.startTimeMs! - T0, running.completionTimeMs], ['running', 2, 1_000, null]);
    const done = progressAt(p, T0 + 11_000);
    assert.deepEqual([done.status, done.succeeded, done.failed, done.firstFailure?.index, done.firstFailure?.message], ['failed', 1, 1, 1, 'KeyError']);
  });

  test('events come in time order, each task\'s start before its end, the execution\'s end last', () => {
    const events = executionEvents(plan({ taskCount: 2 }));
    assert.deepEqual(events.map((e) => e.key), ['start:0', 'end:0', 'start:1', 'end:1', 'end']);
  });
});

describe('execution events reach the log writer', () => {
  function harness(): { timers: { delayMs: number; fire: () => void; cancelled: boolean }[]; logs: unknown[][]; moveClock: (ms: number) => void; api: ReturnType<typeof createJobsApi> } {
    let now = T0;
    const clockListeners: (() => void)[] = [];
    const timers: { delayMs: number; fire: () => void; cancelled: boolean }[] = [];
    const logs: unknown[][] = [];
    const scheduler: JobsScheduler = (callback, delayMs) => {
      const timer = { delayMs, fire: callback, cancelled: false };
      timers.push(timer);
      return () => void (timer.cancelled = true);
    };
    const ctx = { faults: new FaultRegistry(), now: () => now, onClockChange: (l: () => void) => void clockListeners.push(l), writeLogs: (entries: readonly unknown[]) => void logs.push([...entries]) };
    const api = createJobsApi(ctx, new RunState(() => now), scheduler);
    const moveClock = (ms: number): void => {
      now += ms;
      for (const listener of clockListeners) listener();
    };
    return { timers, logs, moveClock, api };
  }
  const texts = (logs: unknown[][]): string[] => logs.flat().map((e) => (e as { textPayload: string }).textPayload);

  test('a timer is set for the next event; when it fires, the event is written and the timer set for the one after', () => {
    const { timers, logs, api } = harness();
    api.load(parseJobsSection({ project: 'p', region: 'us-west2', jobs: [{ name: 'job', executions: [{ name: 'job-aaaaa', createTime: new Date(T0).toISOString(), startDelayMs: 1_000, taskDurationMs: 10_000 }] }] }));
    const first = timers.at(-1)!;
    assert.equal(first.delayMs, 1_000);
    assert.deepEqual(logs, [], 'nothing is written while loading');
    first.fire();
    // The scheduler fires early here (the clock did not move): nothing is due yet, and the timer is set again.
    assert.deepEqual(logs, []);
    assert.equal(timers.at(-1)!.delayMs, 1_000);
    api.close();
  });

  test('moving the clock writes every event that became due, in order, and nothing twice', () => {
    const { logs, moveClock, api, timers } = harness();
    api.load(parseJobsSection({ project: 'p', region: 'us-west2', jobs: [{ name: 'job', executions: [{ name: 'job-aaaaa', createTime: new Date(T0).toISOString(), taskCount: 2, startDelayMs: 1_000, taskDurationMs: 10_000 }] }] }));
    moveClock(12_000);
    assert.deepEqual(texts(logs), ['Starting task 0 of execution job-aaaaa.', 'Task 1/2 started', 'Task 1/2 done', 'Container called exit(0).', 'Starting task 1 of execution job-aaaaa.', 'Task 2/2 started']);
    assert.equal(timers.at(-1)!.delayMs, 9_000);
    moveClock(0);
    assert.equal(texts(logs).length, 6);
    moveClock(60_000);
    assert.deepEqual(texts(logs).slice(6), ['Task 2/2 done', 'Container called exit(0).', 'Execution job-aaaaa has completed successfully.']);
    const live = timers.filter((t) => !t.cancelled);
    assert.equal(live.length, 0, 'no timer is left once every event is written');
    api.close();
  });
});
