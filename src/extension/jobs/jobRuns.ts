// What the Data Jobs view shows about each job's runs: running now, and how the last ones ended. Runs
// from this window are recorded here; a data job that executes a Cloud Run job also has the runs Cloud
// Run holds (heldRuns: its job's executions whose arguments are this data job's, from any window or
// machine), merged in by withHeldRuns. No vscode import (unit-tested); DataJobs records, the tree listens.
import type { DataJobConfig } from '../../core/config';
import { matchJobArgs } from '../../core/jobs/args';
import type { DateRange } from '../../core/jobs/dates';
import type { ExecutionVerdict } from '../../core/model';
import { Emitter, type EventSubscriber } from '../platform/emitter';

export type JobRunEnd =
  | { kind: 'succeeded' }
  | { kind: 'failed'; exitCode: number | undefined }
  /** A Cloud Run job execution that was cancelled before its tasks ended. */
  | { kind: 'cancelled' }
  /** The guards refused it; `blockers` are their one-line messages. */
  | { kind: 'refused'; blockers: string[] };

/** The Cloud Run job execution a run started. */
export interface JobRunExecution {
  name: string;
  /** The commit label it ran with (its own labels keep it), or null when it had none. */
  commit: string | null;
  /** From its start to its completion; null when not known. */
  durationMs: number | null;
}

export interface JobRunRecord {
  range: DateRange;
  /** ISO 8601. */
  endedAt: string;
  end: JobRunEnd;
  /** Set for a data job that executes a Cloud Run job, once the execution had started. */
  execution?: JobRunExecution;
}

/** How many runs per job the view keeps. */
export const RECENT_RUNS = 5;

export interface JobRunState {
  /** 'checking' from the guard check to the task's start, 'running' while the task runs. */
  phase: 'idle' | 'checking' | 'running';
  last: JobRunRecord | undefined;
  /** The last RECENT_RUNS runs, newest first (`last` among them). */
  recent: JobRunRecord[];
}

/**
 * The runs of a data job that executes a Cloud Run job, as Cloud Run holds them: the ended executions
 * of its job (newest first, as the check read them) whose arguments are its `args` expanded for a
 * range. Executions still running, or started with other arguments, are not its runs.
 */
export function heldRuns(job: DataJobConfig, executions: readonly ExecutionVerdict[]): JobRunRecord[] {
  if (!job.cloudRunJob) return [];
  const runs: JobRunRecord[] = [];
  for (const execution of executions) {
    if (execution.completionTime === null) continue;
    const end: JobRunEnd | null =
      execution.status === 'succeeded' ? { kind: 'succeeded' } : execution.status === 'failed' ? { kind: 'failed', exitCode: 1 } : execution.status === 'cancelled' ? { kind: 'cancelled' } : null;
    const range = end && matchJobArgs(job.cloudRunJob.args, execution.args, job.project);
    if (!end || !range) continue;
    runs.push({ range, endedAt: execution.completionTime, end, execution: { name: execution.name, commit: execution.commitLabel, durationMs: execution.durationMs } });
  }
  return runs;
}

/**
 * A job's state with the runs Cloud Run holds merged in: one record per execution (this window's own
 * record of it first), refused runs kept, newest first, RECENT_RUNS at most.
 */
export function withHeldRuns(state: JobRunState, held: readonly JobRunRecord[]): JobRunState {
  if (held.length === 0) return state;
  const known = new Set(state.recent.flatMap((run) => (run.execution ? [run.execution.name] : [])));
  const recent = [...state.recent, ...held.filter((run) => !known.has(run.execution!.name))]
    .sort((a, b) => Date.parse(b.endedAt) - Date.parse(a.endedAt))
    .slice(0, RECENT_RUNS);
  return { ...state, last: recent[0], recent };
}

export class JobRuns {
  private readonly states = new Map<string, JobRunState>();
  private readonly changeEmitter = new Emitter<string>();
  /** Fires with the job's name. */
  readonly onDidChange: EventSubscriber<string> = this.changeEmitter.event;

  get(job: string): JobRunState {
    return this.states.get(job) ?? { phase: 'idle', last: undefined, recent: [] };
  }

  setPhase(job: string, phase: JobRunState['phase']): void {
    this.states.set(job, { ...this.get(job), phase });
    this.changeEmitter.fire(job);
  }

  finish(job: string, record: JobRunRecord): void {
    this.states.set(job, { phase: 'idle', last: record, recent: [record, ...this.get(job).recent].slice(0, RECENT_RUNS) });
    this.changeEmitter.fire(job);
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
