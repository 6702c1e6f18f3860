// Cloud Run jobs and executions (Run Admin API v2) as core's plain facts. The reader (cloudrun.ts)
// reads them over REST (runRest.ts) and runs or cancels them with the SDK's JobsClient and
// ExecutionsClient, whose objects decode to the same fields; everything here is pure.
import type { protos } from '@google-cloud/run';
import type { ExecutionFacts, ExecutionStatus, JobFacts } from '../model';
import { shortName } from './resourceNames';
import { timestampToIso } from './timestamps';

type ApiJob = protos.google.cloud.run.v2.IJob;
type ApiExecution = protos.google.cloud.run.v2.IExecution;

export interface JobRef {
  project: string;
  region: string;
  name: string;
}

/** One execution of a job: `name` is its short name (`<job>-<suffix>`). */
export interface ExecutionRef extends JobRef {
  execution: string;
}

/** What RunJob overrides for one execution; what is left out stays the job's own. */
export interface RunJobOverrides {
  /** The container's arguments, replacing the job's own (an empty list replaces them with none). */
  args: readonly string[];
  taskCount?: number | undefined;
  timeoutSeconds?: number | undefined;
}

/** How many of a job's executions a lookup reads: the last one decides "last execution", the rest are its history. */
export const RECENT_EXECUTIONS = 10;

/** `projects/P/locations/R/jobs/J`: the job's name in the Admin API. */
export function jobResourceName(ref: JobRef): string {
  return `projects/${ref.project}/locations/${ref.region}/jobs/${ref.name}`;
}

/** `projects/P/locations/R/jobs/J/executions/E`: the execution's name in the Admin API. */
export function executionResourceName(ref: ExecutionRef): string {
  return `${jobResourceName(ref)}/executions/${ref.execution}`;
}

/** RunJob's request: the overrides as `overrides.containerOverrides[0].args`, `taskCount` and `timeout`. */
export function runJobRequest(ref: JobRef, overrides: RunJobOverrides): protos.google.cloud.run.v2.IRunJobRequest {
  return {
    name: jobResourceName(ref),
    overrides: {
      // clearArgs: an empty list means "no arguments", not "the job's own" (proto3 cannot tell them apart otherwise).
      containerOverrides: [{ args: [...overrides.args], ...(overrides.args.length === 0 ? { clearArgs: true } : {}) }],
      ...(overrides.taskCount !== undefined ? { taskCount: overrides.taskCount } : {}),
      ...(overrides.timeoutSeconds !== undefined ? { timeout: { seconds: overrides.timeoutSeconds } } : {}),
    },
  };
}

// The client decodes enums to their names, except inside an operation's result (an Any), where
// they stay the numbers the server sent: both are accepted.
const CONDITION_FAILED = new Set<unknown>([3, 'CONDITION_FAILED']);
const EXECUTION_CANCELLED = new Set<unknown>([3, 'CANCELLED']);

export function jobFacts(ref: JobRef, job: ApiJob, executions: readonly ExecutionFacts[], executionsError: string | null): JobFacts {
  const terminal = job.terminalCondition;
  const failed = terminal ? CONDITION_FAILED.has(terminal.state) : false;
  return {
    name: ref.name,
    project: ref.project,
    region: ref.region,
    templateLabels: { ...(job.template?.labels ?? {}) },
    labels: { ...(job.labels ?? {}) },
    image: job.template?.template?.containers?.[0]?.image || null,
    reconciling: Boolean(job.reconciling),
    failed,
    failureMessage: failed ? terminal?.message || 'the job is not ready' : null,
    updateTime: timestampToIso(job.updateTime),
    // Newest first whatever order a server answers in.
    executions: [...executions].sort((a, b) => (b.createTime ?? '').localeCompare(a.createTime ?? '')),
    executionsError,
  };
}

export function executionFacts(execution: ApiExecution): ExecutionFacts {
  const tasks = {
    total: Number(execution.taskCount ?? 0),
    running: Number(execution.runningCount ?? 0),
    succeeded: Number(execution.succeededCount ?? 0),
    failed: Number(execution.failedCount ?? 0),
    cancelled: Number(execution.cancelledCount ?? 0),
  };
  const completed = (execution.conditions ?? []).find((c) => c.type === 'Completed');
  const completionTime = timestampToIso(execution.completionTime);
  const startTime = timestampToIso(execution.startTime);
  let status: ExecutionStatus;
  if (completionTime === null) status = startTime !== null || tasks.running > 0 ? 'running' : 'pending';
  else if (completed && EXECUTION_CANCELLED.has(completed.executionReason)) status = 'cancelled';
  else if (tasks.failed > 0 || (completed && CONDITION_FAILED.has(completed.state))) status = tasks.failed === 0 && tasks.cancelled > 0 ? 'cancelled' : 'failed';
  else status = tasks.cancelled > 0 ? 'cancelled' : 'succeeded';
  return {
    name: shortName(execution.name),
    labels: { ...(execution.labels ?? {}) },
    status,
    createTime: timestampToIso(execution.createTime),
    startTime,
    completionTime,
    tasks,
    message: status === 'failed' ? completed?.message || `${tasks.failed} of ${tasks.total} task${tasks.total === 1 ? '' : 's'} failed` : null,
    args: [...(execution.template?.containers?.[0]?.args ?? [])],
  };
}
