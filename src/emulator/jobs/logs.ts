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

export function executionLogEntries(job: JobRecord, execution: ExecutionRecord, event: ExecutionEvent): LogEntryInput[] {
  const timestamp = new Date(event.atMs).toISOString();
  const entry = (log: string, severity: string, textPayload: string, task: TaskTimeline | null): LogEntryInput => ({
    log,
    project: job.project,
    resource: { type: 'cloud_run_job', labels: { project_id: job.project, job_name: job.name, location: job.region } },
    labels: {
      [EXECUTION_NAME_LABEL]: execution.name,
      ...(task ? { [TASK_INDEX_LABEL]: String(task.index), [TASK_ATTEMPT_LABEL]: '0' } : {}),
    },
    timestamp,
    severity,
    textPayload,
  });
  const of = `${execution.plan.taskCount}`;
  switch (event.kind) {
    case 'task-started':
      return [
        entry(SYSTEM, 'INFO', `Starting task ${event.task.index} of execution ${execution.name}.`, event.task),
        entry(STDOUT, 'INFO', `Task ${event.task.index + 1}/${of} started${execution.args.length > 0 ? ` with ${execution.args.join(' ')}` : ''}`, event.task),
      ];
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
