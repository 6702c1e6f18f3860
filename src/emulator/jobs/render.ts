// Cloud Run Admin API v2 JSON for jobs, executions and the long-running operations RunJob and
// CancelExecution answer with, rendered from the emulator's records at a given time.
import { condition, encodeEnum, rfc3339, stableHash, type EnumEncoding } from '../run-state';
import { executionResourceName, jobResourceName, type ExecutionRecord, type JobRecord, type JobsState } from './state';
import { progressAt, type ExecutionProgress } from './timeline';

const COMPLETION_STATUS = { EXECUTION_SUCCEEDED: 1, EXECUTION_FAILED: 2, EXECUTION_RUNNING: 3, EXECUTION_PENDING: 4, EXECUTION_CANCELLED: 5 } as const;
const EXECUTION_REASON = { NON_ZERO_EXIT_CODE: 2, CANCELLED: 3 } as const;
const EXECUTION_TYPE_URL = 'type.googleapis.com/google.cloud.run.v2.Execution';
const CREATOR = 'deployer@example.com';
/** google.rpc.Code UNKNOWN: what the operation of a failed execution reports. */
const OPERATION_FAILED_CODE = 2;

function duration(seconds: number): string {
  return `${seconds}s`;
}

function completionStatus(progress: ExecutionProgress): keyof typeof COMPLETION_STATUS {
  switch (progress.status) {
    case 'succeeded':
      return 'EXECUTION_SUCCEEDED';
    case 'failed':
      return 'EXECUTION_FAILED';
    case 'cancelled':
      return 'EXECUTION_CANCELLED';
    case 'running':
      return 'EXECUTION_RUNNING';
    default:
      return 'EXECUTION_PENDING';
  }
}

/** `Task <execution>-task0 failed with message: …`, as Cloud Run words a failed execution. */
export function executionFailureMessage(execution: ExecutionRecord, progress: ExecutionProgress): string {
  const first = progress.firstFailure;
  if (!first) return 'Execution failed.';
  const sentence = `Task ${execution.name}-task${first.index} failed with message: ${first.message ?? 'The container exited with an error.'}`;
  return progress.failed > 1 ? `${progress.failed} tasks failed. ${sentence}` : sentence;
}

function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${Number(seconds.toFixed(2))}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${Math.round(seconds - minutes * 60)}s`;
}

export function renderExecution(job: JobRecord, execution: ExecutionRecord, now: number, encoding: EnumEncoding): Record<string, unknown> {
  const plan = execution.plan;
  const progress = progressAt(plan, now);
  const startedAt = progress.startTimeMs;
  const completedAt = progress.completionTimeMs;
  const conditions: Record<string, unknown>[] = [
    condition('ResourcesAvailable', startedAt !== null || completedAt !== null ? 'CONDITION_SUCCEEDED' : 'CONDITION_RECONCILING', encoding, startedAt ?? plan.createTimeMs, startedAt === null ? 'Provisioning resources.' : undefined),
    condition('Started', startedAt !== null ? 'CONDITION_SUCCEEDED' : 'CONDITION_PENDING', encoding, startedAt ?? plan.createTimeMs),
  ];
  if (completedAt === null) {
    conditions.push(condition('Completed', 'CONDITION_RECONCILING', encoding, startedAt ?? plan.createTimeMs));
  } else if (progress.status === 'succeeded') {
    conditions.push(condition('Completed', 'CONDITION_SUCCEEDED', encoding, completedAt, `Execution completed successfully in ${formatDuration(completedAt - (startedAt ?? plan.createTimeMs))}.`));
  } else {
    const cancelled = progress.status === 'cancelled';
    const completed = condition('Completed', 'CONDITION_FAILED', encoding, completedAt, cancelled ? 'The execution was cancelled.' : executionFailureMessage(execution, progress));
    completed.executionReason = encodeEnum(EXECUTION_REASON, cancelled ? 'CANCELLED' : 'NON_ZERO_EXIT_CODE', encoding);
    conditions.push(completed);
  }
  const container: Record<string, unknown> = { image: execution.image };
  if (execution.args.length > 0) container.args = execution.args;
  const body: Record<string, unknown> = {
    name: executionResourceName(job, execution.name),
    uid: execution.uid,
    creator: CREATOR,
    generation: '1',
    labels: execution.labels,
    annotations: {},
    createTime: rfc3339(plan.createTimeMs),
    updateTime: rfc3339(Math.max(plan.createTimeMs, Math.min(now, completedAt ?? now))),
    launchStage: 'GA',
    job: job.name,
    parallelism: plan.parallelism,
    taskCount: plan.taskCount,
    template: { containers: [container], timeout: duration(plan.timeoutMs / 1000) },
    reconciling: completedAt === null,
    conditions,
    observedGeneration: '1',
    runningCount: progress.running,
    succeededCount: progress.succeeded,
    failedCount: progress.failed,
    cancelledCount: progress.cancelled,
    retriedCount: progress.retried,
    logUri: `https://console.cloud.google.com/logs/viewer?project=${job.project}&advancedFilter=resource.type%3D%22cloud_run_job%22%0Alabels.%22run.googleapis.com/execution_name%22%3D%22${execution.name}%22`,
    etag: `"${stableHash(`${execution.uid}/${completedAt ?? ''}/${progress.running}/${progress.succeeded}`).slice(0, 27)}"`,
  };
  if (startedAt !== null) body.startTime = rfc3339(startedAt);
  if (completedAt !== null) body.completionTime = rfc3339(completedAt);
  return body;
}

export function renderJob(jobs: JobsState, job: JobRecord, now: number, encoding: EnumEncoding): Record<string, unknown> {
  const state = jobs.terminalState(job);
  const reconciling = jobs.isReconciling(job);
  const message = state === 'CONDITION_FAILED' ? (job.message ?? undefined) : undefined;
  const container: Record<string, unknown> = { image: job.template.image };
  if (job.template.args.length > 0) container.args = job.template.args;
  const body: Record<string, unknown> = {
    name: jobResourceName(job),
    uid: job.uid,
    generation: String(job.generation),
    labels: job.labels,
    annotations: {},
    createTime: rfc3339(job.createTimeMs),
    updateTime: rfc3339(job.updateTimeMs),
    creator: CREATOR,
    lastModifier: CREATOR,
    launchStage: 'GA',
    template: {
      labels: job.template.labels,
      annotations: {},
      parallelism: job.template.parallelism,
      taskCount: job.template.taskCount,
      template: { containers: [container], timeout: duration(job.template.timeoutSeconds) },
    },
    observedGeneration: String(reconciling ? Math.max(0, job.generation - 1) : job.generation),
    terminalCondition: condition('Ready', state, encoding, Math.min(now, Math.max(job.updateTimeMs, job.settlesAtMs)), message),
    conditions: [],
    executionCount: job.executions.length,
    reconciling,
    etag: `"${stableHash(`${job.uid}/${job.generation}/${job.executions.length}`).slice(0, 27)}"`,
  };
  const latest = job.executions[job.executions.length - 1];
  if (latest) {
    const progress = progressAt(latest.plan, now);
    const reference: Record<string, unknown> = {
      name: executionResourceName(job, latest.name),
      createTime: rfc3339(latest.plan.createTimeMs),
      completionStatus: encodeEnum(COMPLETION_STATUS, completionStatus(progress), encoding),
    };
    if (progress.completionTimeMs !== null) reference.completionTime = rfc3339(progress.completionTimeMs);
    body.latestCreatedExecution = reference;
  }
  return body;
}

export interface OperationRecord {
  /** Short id: `projects/P/locations/L/operations/<id>`. */
  id: string;
  jobKey: string;
  execution: string;
  kind: 'run' | 'cancel';
}

function operationName(job: Pick<JobRecord, 'project' | 'region'>, id: string): string {
  return `projects/${job.project}/locations/${job.region}/operations/${id}`;
}

/**
 * The long-running operation of a RunJob or CancelExecution: its metadata is the execution as it is
 * now; it is done once the execution has ended, with the execution as its response, or, for a
 * RunJob whose execution failed, the failure as its error.
 */
export function renderOperation(operation: OperationRecord, job: JobRecord, execution: ExecutionRecord, now: number, encoding: EnumEncoding): Record<string, unknown> {
  const rendered = renderExecution(job, execution, now, encoding);
  const progress = progressAt(execution.plan, now);
  const body: Record<string, unknown> = {
    name: operationName(job, operation.id),
    metadata: { '@type': EXECUTION_TYPE_URL, ...rendered },
    done: progress.completionTimeMs !== null,
  };
  if (progress.completionTimeMs === null) return body;
  if (operation.kind === 'run' && progress.status === 'failed') {
    body.error = { code: OPERATION_FAILED_CODE, message: `The execution failed. ${executionFailureMessage(execution, progress)}` };
  } else {
    body.response = { '@type': EXECUTION_TYPE_URL, ...rendered };
  }
  return body;
}

/** An execution in the control API's state snapshot. */
export function executionSummary(execution: ExecutionRecord, now: number): Record<string, unknown> {
  const progress = progressAt(execution.plan, now);
  return {
    name: execution.name,
    labels: execution.labels,
    args: execution.args,
    status: progress.status,
    createTime: rfc3339(execution.plan.createTimeMs),
    startTime: progress.startTimeMs === null ? null : rfc3339(progress.startTimeMs),
    completionTime: progress.completionTimeMs === null ? null : rfc3339(progress.completionTimeMs),
    tasks: { total: execution.plan.taskCount, running: progress.running, succeeded: progress.succeeded, failed: progress.failed, cancelled: progress.cancelled, retried: progress.retried },
    message: progress.status === 'failed' ? executionFailureMessage(execution, progress) : null,
  };
}
