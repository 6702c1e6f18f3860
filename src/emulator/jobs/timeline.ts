// An emulated Cloud Run job execution as a plan in time: when each task starts and ends, and how.
// Everything the API reports about an execution (counts, conditions, completion) and every log entry
// it writes follows from its plan and the clock, so no timer has to fire for a reader to see progress.
// Pure: no I/O, no clock of its own.

export type TaskOutcome = 'succeeded' | 'failed' | 'cancelled';

export interface ExecutionPlan {
  createTimeMs: number;
  /** When the first tasks start (after provisioning). */
  startTimeMs: number;
  taskCount: number;
  /** Tasks running at once; the next wave starts when one ends. */
  parallelism: number;
  /** How long each task runs. */
  taskDurationMs: number;
  /** A task still running after this long fails with "The configured timeout was reached." */
  timeoutMs: number;
  /**
   * Tasks that fail, by index: with `message`; at their planned end, at `atMs` when that comes first,
   * or when the task reaches its step `atStep` (that step is not done).
   */
  failures: ReadonlyMap<number, TaskFailure>;
  /** Tasks whose first attempt fails with `message` (when it reaches its first step) and whose retry runs in full. */
  retries?: ReadonlyMap<number, { message: string }>;
  /**
   * Units of work (a backfill's dates) per task index, spread evenly over its run: step k is done at
   * attempt start + (k + 1) × taskDurationMs / steps. Missing: none.
   */
  steps?: readonly number[];
  /** CancelExecution's time: tasks still running or waiting then are cancelled. */
  cancelTimeMs: number | null;
}

export interface TaskFailure {
  message: string;
  atMs: number | null;
  atStep?: number;
}

export interface TaskTimeline {
  index: number;
  /** Null for a task cancelled before it started. */
  startMs: number | null;
  endMs: number;
  outcome: TaskOutcome;
  /** Why it failed. */
  message: string | null;
  /** When its first attempt failed and the retry (attempt 1) started; null: no retry (yet). */
  retriedAtMs: number | null;
  /** Why the first attempt failed, when it was retried. */
  retryMessage: string | null;
  /** When each step of its last attempt was done (only the steps done before it ended). */
  stepTimesMs: number[];
}

export const TIMEOUT_MESSAGE = 'The configured timeout was reached.';

export function taskTimelines(plan: ExecutionPlan): TaskTimeline[] {
  // Up to `parallelism` tasks run at once; each of the others starts as soon as one ends.
  const slots: number[] = Array.from({ length: Math.max(1, Math.min(plan.parallelism, plan.taskCount)) }, () => plan.startTimeMs);
  const tasks: TaskTimeline[] = [];
  for (let index = 0; index < plan.taskCount; index++) {
    const slot = slots.indexOf(Math.min(...slots));
    const plannedStart = slots[slot]!;
    const steps = plan.steps?.[index] ?? 0;
    const stepMs = plan.taskDurationMs / Math.max(1, steps);
    // A retried task's first attempt fails as it reaches its first step; the retry starts at once.
    const retry = plan.retries?.get(index);
    let retriedAtMs: number | null = retry ? plannedStart + Math.min(stepMs, plan.timeoutMs) : null;
    const attemptStart = retriedAtMs ?? plannedStart;
    let endMs = attemptStart + Math.min(plan.taskDurationMs, plan.timeoutMs);
    let outcome: TaskOutcome = 'succeeded';
    let message: string | null = null;
    if (plan.taskDurationMs > plan.timeoutMs) {
      outcome = 'failed';
      message = TIMEOUT_MESSAGE;
    }
    const failure = plan.failures.get(index);
    if (failure) {
      outcome = 'failed';
      message = failure.message;
      if (failure.atStep !== undefined) endMs = Math.min(endMs, attemptStart + (failure.atStep + 1) * stepMs);
      if (failure.atMs !== null) endMs = Math.max(plannedStart, Math.min(endMs, failure.atMs));
    }
    slots[slot] = endMs;
    let startMs: number | null = plannedStart;
    const cancel = plan.cancelTimeMs;
    if (cancel !== null && cancel < endMs) {
      // Tasks that had not started never run; running ones stop where they are.
      if (cancel <= plannedStart) startMs = null;
      if (retriedAtMs !== null && cancel <= retriedAtMs) retriedAtMs = null;
      endMs = Math.max(cancel, plan.createTimeMs);
      outcome = 'cancelled';
      message = null;
    }
    const stepTimesMs: number[] = [];
    for (let k = 0; k < steps && startMs !== null; k++) {
      const at = (retriedAtMs ?? plannedStart) + (k + 1) * stepMs;
      if (at < endMs || (at === endMs && outcome === 'succeeded')) stepTimesMs.push(at);
    }
    tasks.push({ index, startMs, endMs, outcome, message, retriedAtMs, retryMessage: retriedAtMs === null ? null : retry!.message, stepTimesMs });
  }
  return tasks;
}

export type ExecutionStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface ExecutionProgress {
  status: ExecutionStatus;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** Tasks retried so far. */
  retried: number;
  /** Set once a task has started. */
  startTimeMs: number | null;
  /** Set once every task has ended. */
  completionTimeMs: number | null;
  /** The first failed task (by end time, then index), once the execution has failed. */
  firstFailure: TaskTimeline | null;
}

/** Where an execution stands at `now`. */
export function progressAt(plan: ExecutionPlan, now: number): ExecutionProgress {
  const tasks = taskTimelines(plan);
  const progress: ExecutionProgress = { status: 'pending', running: 0, succeeded: 0, failed: 0, cancelled: 0, retried: 0, startTimeMs: null, completionTimeMs: null, firstFailure: null };
  let started = false;
  for (const task of tasks) {
    if (task.startMs !== null && task.startMs <= now) started = true;
    if (task.retriedAtMs !== null && task.retriedAtMs <= now) progress.retried += 1;
    if (task.endMs <= now) progress[task.outcome] += 1;
    else if (task.startMs !== null && task.startMs <= now) progress.running += 1;
  }
  const firstStart = Math.min(...tasks.flatMap((t) => (t.startMs === null ? [] : [t.startMs])));
  if (started) progress.startTimeMs = firstStart;
  const completion = tasks.length === 0 ? plan.startTimeMs : Math.max(...tasks.map((t) => t.endMs));
  if (completion <= now) {
    progress.completionTimeMs = completion;
    const failures = tasks.filter((t) => t.outcome === 'failed').sort((a, b) => a.endMs - b.endMs || a.index - b.index);
    progress.firstFailure = failures[0] ?? null;
    progress.status = failures.length > 0 ? 'failed' : progress.cancelled > 0 ? 'cancelled' : 'succeeded';
  } else {
    progress.status = started ? 'running' : 'pending';
  }
  return progress;
}

/** Something an execution did at `atMs`: what its log entries (and any other observer) report. */
export type ExecutionEvent =
  | { kind: 'task-started'; atMs: number; task: TaskTimeline }
  | { kind: 'task-retried'; atMs: number; task: TaskTimeline }
  | { kind: 'step-done'; atMs: number; task: TaskTimeline; step: number }
  | { kind: 'task-ended'; atMs: number; task: TaskTimeline }
  | { kind: 'execution-ended'; atMs: number; progress: ExecutionProgress };

/** Every event of the plan, in time order; each has a key that stays the same however often it is computed. */
export function executionEvents(plan: ExecutionPlan): { key: string; event: ExecutionEvent }[] {
  const tasks = taskTimelines(plan);
  const events: { key: string; event: ExecutionEvent }[] = [];
  for (const task of tasks) {
    if (task.startMs !== null) events.push({ key: `start:${task.index}`, event: { kind: 'task-started', atMs: task.startMs, task } });
    if (task.retriedAtMs !== null) events.push({ key: `retry:${task.index}`, event: { kind: 'task-retried', atMs: task.retriedAtMs, task } });
    task.stepTimesMs.forEach((atMs, step) => events.push({ key: `step:${task.index}:${step}`, event: { kind: 'step-done', atMs, task, step } }));
    events.push({ key: `end:${task.index}`, event: { kind: 'task-ended', atMs: task.endMs, task } });
  }
  const completion = tasks.length === 0 ? plan.startTimeMs : Math.max(...tasks.map((t) => t.endMs));
  events.push({ key: 'end', event: { kind: 'execution-ended', atMs: completion, progress: progressAt(plan, completion) } });
  // Stable: a task's start, retry and steps come before its own end when they fall on the same instant.
  return events.sort((a, b) => a.event.atMs - b.event.atMs);
}
