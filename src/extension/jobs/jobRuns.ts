// What this window knows of each data job's runs: the phase of the run it is running, and the runs
// it ran, as they ended. The runs Cloud Run holds are merged in by core's withHeldRuns (DataJobs.stateOf).
// No vscode import (unit-tested); DataJobs records, the tree listens.
import { RECENT_RUNS, type JobRunRecord, type JobRunState } from '../../core/jobs/runs';
import { Emitter, type EventSubscriber } from '../platform/emitter';

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
