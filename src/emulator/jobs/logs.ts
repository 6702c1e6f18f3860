// The log entries a Cloud Run job execution writes, as Cloud Logging holds them: resource
// `cloud_run_job` (project_id, job_name, location) and the execution and task in the entry's labels.
import type { LogEntryInput } from '../logging/entry';
import { executionFailureMessage } from './render';
import type { ExecutionRecord, JobRecord } from './state';
import type { ExecutionEvent, TaskTimeline } from './timeline';

/** The entry label Cloud Run puts the execution's short name in. */
const EXECUTION_NAME_LABEL = 'run.googleapis.com/execution_name';
const TASK_INDEX_LABEL = 'run.googleapis.com/task_index';
const TASK_ATTEMPT_LABEL = 'run.googleapis.com/task_attempt';

const STDOUT = 'run.googleapis.com/stdout';
const STDERR = 'run.googleapis.com/stderr';
const SYSTEM = 'run.googleapis.com/varlog/system';

type EntryLog = typeof STDOUT | typeof STDERR | typeof SYSTEM;

/** One entry of an execution (of its task `task`, by default in the attempt running at `atMs`), as Cloud Run writes it. */
function jobLogEntry(
  job: JobRecord,
  execution: ExecutionRecord,
  atMs: number,
  log: EntryLog,
  severity: string,
  textPayload: string,
  task: TaskTimeline | null,
  attempt = task && task.retriedAtMs !== null && atMs >= task.retriedAtMs ? 1 : 0,
): LogEntryInput {
  return {
    log,
    project: job.project,
    resource: { type: 'cloud_run_job', labels: { project_id: job.project, job_name: job.name, location: job.region } },
    labels: {
      [EXECUTION_NAME_LABEL]: execution.name,
      ...(task ? { [TASK_INDEX_LABEL]: String(task.index), [TASK_ATTEMPT_LABEL]: String(attempt) } : {}),
    },
    timestamp: new Date(atMs).toISOString(),
    severity,
    textPayload,
  };
}

/** A line the task's work printed (a backfill's result for a date). */
export function taskOutputEntry(job: JobRecord, execution: ExecutionRecord, task: TaskTimeline, atMs: number, textPayload: string): LogEntryInput {
  return jobLogEntry(job, execution, atMs, STDOUT, 'INFO', textPayload, task);
}

export function executionLogEntries(job: JobRecord, execution: ExecutionRecord, event: ExecutionEvent): LogEntryInput[] {
  const entry = (log: EntryLog, severity: string, textPayload: string, task: TaskTimeline | null): LogEntryInput => jobLogEntry(job, execution, event.atMs, log, severity, textPayload, task);
  const of = `${execution.plan.taskCount}`;
  switch (event.kind) {
    case 'task-started':
      return [
        entry(SYSTEM, 'INFO', `Starting task ${event.task.index} of execution ${execution.name}.`, event.task),
        entry(STDOUT, 'INFO', `Task ${event.task.index + 1}/${of} started${execution.args.length > 0 ? ` with ${execution.args.join(' ')}` : ''}`, event.task),
      ];
    case 'task-retried':
      // The first attempt's last words (attempt 0), then the retry (attempt 1).
      return [
        jobLogEntry(job, execution, event.atMs, STDERR, 'ERROR', event.task.retryMessage ?? 'The container exited with an error.', event.task, 0),
        jobLogEntry(job, execution, event.atMs, SYSTEM, 'WARNING', 'Container called exit(1).', event.task, 0),
        entry(SYSTEM, 'INFO', `Task ${event.task.index} of execution ${execution.name} failed; retrying (attempt 1).`, event.task),
      ];
    case 'step-done':
      // What a step did is the workload's to say (backfill.ts).
      return [];
    case 'task-ended':
      if (event.task.outcome === 'succeeded') {
        return [entry(STDOUT, 'INFO', `Task ${event.task.index + 1}/${of} done`, event.task), entry(SYSTEM, 'INFO', 'Container called exit(0).', event.task)];
      }
      if (event.task.outcome === 'failed') {
        return [entry(STDERR, 'ERROR', event.task.message ?? 'The container exited with an error.', event.task), entry(SYSTEM, 'WARNING', 'Container called exit(1).', event.task)];
      }
      return [entry(SYSTEM, 'WARNING', `Task ${event.task.index} of execution ${execution.name} was cancelled.`, event.task)];
    case 'execution-ended': {
      const { progress } = event;
      if (progress.status === 'succeeded') return [entry(SYSTEM, 'INFO', `Execution ${execution.name} has completed successfully.`, null)];
      if (progress.status === 'cancelled') return [entry(SYSTEM, 'WARNING', `Execution ${execution.name} was cancelled.`, null)];
      return [entry(SYSTEM, 'ERROR', `Execution ${execution.name} failed. ${executionFailureMessage(execution, progress)}`, null)];
    }
  }
}
