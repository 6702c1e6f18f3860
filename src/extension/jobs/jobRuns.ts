// What the Data Jobs view shows about each job's runs in this window: running now, and how the last
// one ended. No vscode import (unit-tested); DataJobs records, the tree listens.
import type { DateRange } from '../../core/jobs/dates';
import { Emitter, type EventSubscriber } from '../platform/emitter';

export type JobRunEnd =
  | { kind: 'succeeded' }
  | { kind: 'failed'; exitCode: number | undefined }
  /** The guards refused it; `blockers` are their one-line messages. */
  | { kind: 'refused'; blockers: string[] };

export interface JobRunRecord {
  range: DateRange;
  /** ISO 8601. */
  endedAt: string;
  end: JobRunEnd;
}

export interface JobRunState {
  /** 'checking' from the guard check to the task's start, 'running' while the task runs. */
  phase: 'idle' | 'checking' | 'running';
  last: JobRunRecord | undefined;
}

export class JobRuns {
  private readonly states = new Map<string, JobRunState>();
  private readonly changeEmitter = new Emitter<string>();
  /** Fires with the job's name. */
  readonly onDidChange: EventSubscriber<string> = this.changeEmitter.event;

  get(job: string): JobRunState {
    return this.states.get(job) ?? { phase: 'idle', last: undefined };
  }

  setPhase(job: string, phase: JobRunState['phase']): void {
    this.states.set(job, { ...this.get(job), phase });
    this.changeEmitter.fire(job);
  }

  finish(job: string, record: JobRunRecord): void {
    this.states.set(job, { phase: 'idle', last: record });
    this.changeEmitter.fire(job);
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
