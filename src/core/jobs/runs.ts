// A data job's runs, as the Data Jobs view lists them and as the scoreboard's default range reads
// them: the runs an editor window started (recorded as they end), and, for a data job that executes a
// Cloud Run job, the runs Cloud Run holds (its job's executions whose arguments are this data job's,
// started from any window, the CLI or gcloud), finished or still in progress.
//
// API (no vscode import):
//
//   heldRuns(job, executions)     → the runs Cloud Run holds, from the executions a check read (newest first)
//   withHeldRuns(state, held)     → a job's state with them merged in: one record per execution, newest first
//   newestRun(runs)               → the run that started last: it gives the scoreboard its default range
//   heldExecution(facts, label)   → an execution as heldRuns takes it, from what the Run API returned
//   isInProgress(run)             → whether the run has not ended yet
import type { DataJobConfig } from '../config';
import type { ExecutionFacts, ExecutionTasks } from '../model';
import { ownValue } from '../platform/own';
import { matchJobArgs } from './args';
import type { DateRange } from './dates';
import { executionDurationMs } from './executionText';

export type JobRunResult =
  /** A Cloud Run job execution that has not ended: created and waiting for its tasks, or running them. */
  | { kind: 'pending' }
  | { kind: 'running' }
  | { kind: 'succeeded' }
  | { kind: 'failed'; exitCode: number | undefined }
  /** A Cloud Run job execution that was cancelled before its tasks ended. */
  | { kind: 'cancelled' }
  /** The guards refused it; `blockers` are their one-line messages. */
  | { kind: 'refused'; blockers: string[] };

/** The Cloud Run job execution a run is. */
export interface JobRunExecution {
  name: string;
  /** The commit label it ran with (its own labels keep it), or null when it had none. */
  commit: string | null;
  /** From its start to its completion; null when not known (and while it runs). */
  durationMs: number | null;
  /** Its tasks as Cloud Run last reported them, when they were read (the runs Cloud Run holds). */
  tasks?: ExecutionTasks;
}

export interface JobRunRecord {
  range: DateRange;
  /** ISO 8601: when it started (an execution: its start, else its creation); null when not known. */
  startedAt: string | null;
  /** ISO 8601; null while it runs, or when Cloud Run does not say. */
  endedAt: string | null;
  result: JobRunResult;
  /** Set for a data job that executes a Cloud Run job, once the execution had started. */
  execution?: JobRunExecution;
}

/** How many runs per job the view keeps. */
export const RECENT_RUNS = 5;

export interface JobRunState {
  /** In the window: 'checking' from the guard check to the task's start, 'running' while the task runs. */
  phase: 'idle' | 'checking' | 'running';
  /** The newest of `recent`. */
  last: JobRunRecord | undefined;
  /** The last RECENT_RUNS runs, newest first. */
  recent: JobRunRecord[];
}

/** An execution as a check's verdict holds it (ExecutionVerdict satisfies it). */
export type HeldExecution = Omit<ExecutionFacts, 'labels'> & { commitLabel: string | null; durationMs: number | null };

/** An execution the Run API returned, as heldRuns takes it: its commit read from its own labels. */
export function heldExecution(facts: ExecutionFacts, commitLabel: string): HeldExecution {
  const { labels, ...rest } = facts;
  return { ...rest, commitLabel: ownValue(labels, commitLabel) ?? null, durationMs: executionDurationMs(facts) };
}

export function isInProgress(run: JobRunRecord): boolean {
  return run.result.kind === 'pending' || run.result.kind === 'running';
}

function resultOf(execution: HeldExecution): JobRunResult {
  switch (execution.status) {
    case 'pending':
      return { kind: 'pending' };
    case 'running':
      return { kind: 'running' };
    case 'succeeded':
      return { kind: 'succeeded' };
    case 'failed':
      return { kind: 'failed', exitCode: 1 };
    case 'cancelled':
      return { kind: 'cancelled' };
  }
}

/**
 * The runs of a data job that executes a Cloud Run job, as Cloud Run holds them: the executions of its
 * job (as the check read them) whose arguments are its `args` expanded for a range, finished or not,
 * newest first. Executions started with other arguments are not its runs.
 */
export function heldRuns(job: DataJobConfig, executions: readonly HeldExecution[]): JobRunRecord[] {
  if (!job.cloudRunJob) return [];
  const runs: JobRunRecord[] = [];
  for (const execution of executions) {
    const range = matchJobArgs(job.cloudRunJob.args, execution.args, job.project);
    if (!range) continue;
    const result = resultOf(execution);
    const inProgress = result.kind === 'pending' || result.kind === 'running';
    runs.push({
      range,
      startedAt: execution.startTime ?? execution.createTime,
      endedAt: inProgress ? null : execution.completionTime,
      result,
      execution: {
        name: execution.name,
        commit: execution.commitLabel,
        durationMs: inProgress ? null : execution.durationMs,
        ...(inProgress ? { tasks: execution.tasks } : {}),
      },
    });
  }
  return newestFirst(runs);
}

/** When a run started, for ordering: its start, else its end; a run with neither sorts last. */
function startKey(run: JobRunRecord): number {
  const at = Date.parse(run.startedAt ?? run.endedAt ?? '');
  return Number.isFinite(at) ? at : -Infinity;
}

/** Newest first by start time (stable: runs that started together keep their order). */
function newestFirst(runs: readonly JobRunRecord[]): JobRunRecord[] {
  return [...runs].sort((a, b) => startKey(b) - startKey(a));
}

/** The run that started last, whichever started it: the scoreboard's default range is its range. */
export function newestRun(runs: readonly JobRunRecord[]): JobRunRecord | undefined {
  return newestFirst(runs)[0];
}

/** A window's record of an execution it stopped following (its terminal closed): how it ended is Cloud Run's to say. */
function endUnseen(run: JobRunRecord): boolean {
  return run.execution !== undefined && run.result.kind === 'failed' && run.result.exitCode === undefined;
}

/**
 * A job's state with the runs Cloud Run holds merged in: one record per execution (the window's own
 * record of it first, as it knows how the run ended, unless it stopped following it before the end),
 * refused runs kept, newest first by start time, RECENT_RUNS at most.
 */
export function withHeldRuns(state: JobRunState, held: readonly JobRunRecord[]): JobRunState {
  const heldNames = new Set(held.flatMap((run) => (run.execution ? [run.execution.name] : [])));
  const own = state.recent.filter((run) => !(endUnseen(run) && heldNames.has(run.execution!.name)));
  const known = new Set(own.flatMap((run) => (run.execution ? [run.execution.name] : [])));
  const recent = newestFirst([...own, ...held.filter((run) => !run.execution || !known.has(run.execution.name))]).slice(0, RECENT_RUNS);
  return { ...state, last: recent[0], recent };
}
