// Execution timelines with steps (a backfill's dates) and retries: pure, no emulator.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { executionEvents, progressAt, taskTimelines, type ExecutionPlan } from '../../src/emulator/jobs/timeline';

const T0 = Date.parse('2026-01-30T23:00:00Z');

function plan(overrides: Partial<ExecutionPlan> = {}): ExecutionPlan {
  return { createTimeMs: T0, startTimeMs: T0 + 1_000, taskCount: 1, parallelism: 1, taskDurationMs: 30_000, timeoutMs: 600_000, failures: new Map(), cancelTimeMs: null, ...overrides };
}

const relative = (times: number[]): number[] => times.map((t) => t - T0);

describe('execution steps and retries', () => {
  test('steps are spread evenly over the task; the last one is done as the task ends', () => {
    const [task] = taskTimelines(plan({ steps: [3] }));
    assert.deepEqual(relative(task!.stepTimesMs), [11_000, 21_000, 31_000]);
    assert.equal(task!.endMs - T0, 31_000);
    const kinds = executionEvents(plan({ steps: [3] })).map(({ event }) => event.kind);
    assert.deepEqual(kinds, ['task-started', 'step-done', 'step-done', 'step-done', 'task-ended', 'execution-ended']);
  });

  test('a failure at a step ends the task there: the steps before it are done, that one is not', () => {
    const [task] = taskTimelines(plan({ steps: [3], failures: new Map([[0, { message: 'boom', atMs: null, atStep: 1 }]]) }));
    assert.deepEqual(relative(task!.stepTimesMs), [11_000]);
    assert.deepEqual([task!.endMs - T0, task!.outcome, task!.message], [21_000, 'failed', 'boom']);
  });

  test('a cancellation between steps keeps the steps done before it', () => {
    const [task] = taskTimelines(plan({ steps: [3], cancelTimeMs: T0 + 25_000 }));
    assert.deepEqual(relative(task!.stepTimesMs), [11_000, 21_000]);
    assert.deepEqual([task!.endMs - T0, task!.outcome], [25_000, 'cancelled']);
  });

  test('a retried task: the first attempt fails at its first step, the retry runs in full; retried counts from then', () => {
    const retried = plan({ steps: [3], retries: new Map([[0, { message: 'reset' }]]) });
    const [task] = taskTimelines(retried);
    assert.equal(task!.retriedAtMs! - T0, 11_000);
    assert.deepEqual(relative(task!.stepTimesMs), [21_000, 31_000, 41_000]);
    assert.deepEqual([task!.endMs - T0, task!.outcome, task!.retryMessage], [41_000, 'succeeded', 'reset']);
    assert.equal(progressAt(retried, T0 + 10_999).retried, 0);
    assert.equal(progressAt(retried, T0 + 11_000).retried, 1);
    assert.equal(progressAt(retried, T0 + 41_000).status, 'succeeded');
  });

  test('a cancellation before the retry leaves no retry', () => {
    const [task] = taskTimelines(plan({ steps: [3], retries: new Map([[0, { message: 'reset' }]]), cancelTimeMs: T0 + 5_000 }));
    assert.deepEqual([task!.retriedAtMs, task!.outcome, task!.stepTimesMs], [null, 'cancelled', []]);
  });
});
