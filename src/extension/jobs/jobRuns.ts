// What the Data Jobs view shows about each job's runs in this window: running now, and how the last
// one ended. No vscode import (unit-tested); DataJobs records, the tree listens.
import type { DateRange } from '../../core/jobs/dates';
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
