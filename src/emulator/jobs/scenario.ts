// The scenario and control-API shapes of Cloud Run jobs, and their validation.
//
//   "run": {
//     "project": "p", "region": "us-west2",       // defaults, shared with the services
//     "jobs": [{
//       "name": "backfill",                       // required; a Cloud Run job name
//       "project", "region",                      // required unless defaulted above
//       "labels": {"commit-sha": "1a2b3c4"},      // the job's labels
//       "template": {                             // what the next execution runs
//         "labels": {...},                        // default: the job's labels; executions copy them
//         "image": "...", "args": ["--flag"], "taskCount": 1, "parallelism": 1, "timeoutSeconds": 600
//       },
//       "createTime": "ISO",
//       "ready": true, "message": "why",          // false: the last deploy failed (terminal condition FAILED)
//       "reconciling": false,                     // true: a deploy is in progress
//       "run": {"startDelayMs": 2000, "taskDurationMs": 20000, "failTasks": [0], "failMessage": "...",
//               "retryTasks": [0], "failDate": "2026-01-26"},
//                                                 // how executions started later behave (retryTasks: the
//                                                 // first attempt fails, the retry succeeds; failDate: a
//                                                 // backfill's task fails on that date)
//       "workload": "demo-grading",               // what RunJob's executions do (jobs/backfill.ts): the demo's
//                                                 // grading backfill, taskDurationMs per date; default: nothing
//       "executions": [{                          // oldest first
//         "name": "backfill-abcde",               // default generated; must start with "<job>-"
//         "labels": {...},                        // default: the template's labels
//         "args": [...], "createTime": "ISO",     // default: spread hourly before "now"
//         "taskCount", "parallelism", "startDelayMs", "taskDurationMs", "timeoutSeconds",
//         "failTasks": [0], "failMessage": "...", // failMessage alone fails the last task
//         "cancelTime": "ISO"
//       }]
//     }]
//   }
import { ScenarioError } from '../api';
import {
  childPath,
  expectArray,
  expectBoolean,
  expectInteger,
  expectKnownKeys,
  expectLabels,
  expectObject,
  expectString,
  expectTimestamp,
  isJsonObject,
  optionalBoolean,
  optionalString,
  PROJECT_EXPECTED,
  PROJECT_PATTERN,
  REGION_EXPECTED,
  REGION_PATTERN,
} from '../scenario';
import { JOB_WORKLOADS, type DeployJobRequest, type ExecutionSpec, type JobSpec, type JobTemplate, type JobWorkload, type RunPlan } from './state';

export const JOB_NAME_PATTERN = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
export const JOB_EXPECTED = 'a Cloud Run job name (lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 63 characters)';

const JOB_KEYS = ['project', 'region', 'name', 'labels', 'template', 'createTime', 'ready', 'message', 'reconciling', 'run', 'workload', 'executions'] as const;
const TEMPLATE_KEYS = ['labels', 'image', 'args', 'taskCount', 'parallelism', 'timeoutSeconds'] as const;
const RUN_PLAN_KEYS = ['startDelayMs', 'taskDurationMs', 'failTasks', 'failMessage', 'retryTasks', 'failDate'] as const;
const EXECUTION_KEYS = ['name', 'labels', 'args', 'createTime', 'taskCount', 'parallelism', 'startDelayMs', 'taskDurationMs', 'timeoutSeconds', 'failTasks', 'failMessage', 'cancelTime'] as const;
const DEPLOY_KEYS = ['project', 'region', 'job', 'labels', 'image', 'args', 'ready', 'message', 'reconcilingMs'] as const;

/** Cloud Run's limits: at most 10,000 tasks; a task timeout of at most 168 hours. */
export const MAX_TASKS = 10_000;
export const MAX_TIMEOUT_SECONDS = 168 * 3600;
const MAX_DELAY_MS = 7 * 24 * 3_600_000;
const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

interface Defaults {
  project?: string;
  region?: string;
}

/** The `jobs` of a run section (the section itself unchecked otherwise: parseRunSection does that). */
export function parseJobsSection(section: unknown, path = '$.run'): JobSpec[] {
  if (!isJsonObject(section) || section.jobs === undefined) return [];
  const defaults: Defaults = {
    project: typeof section.project === 'string' ? section.project : undefined,
    region: typeof section.region === 'string' ? section.region : undefined,
  };
  const jobsPath = childPath(path, 'jobs');
  const jobs = expectArray(section.jobs, jobsPath, 'an array of Cloud Run jobs').map((j, i) => parseJobSpec(j, childPath(jobsPath, i), defaults));
  const seen = new Map<string, number>();
  jobs.forEach((job, i) => {
    const key = `${job.project}/${job.region}/${job.name}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) throw new ScenarioError(childPath(childPath(jobsPath, i), 'name'), `a job name not already used by ${jobsPath}[${earlier}] in the same project and region`);
    seen.set(key, i);
  });
  return jobs;
}

/** One job in the scenario shape (also the payload of the control API's `job` action). */
export function parseJobSpec(value: unknown, path: string, defaults: Defaults = {}): JobSpec {
  const object = expectObject(value, path, 'a job object like {"name": "backfill", "labels": {"commit-sha": "1a2b3c4"}}');
  expectKnownKeys(object, path, JOB_KEYS);
  const name = expectString(object.name, childPath(path, 'name'), JOB_NAME_PATTERN, JOB_EXPECTED);
  const project = optionalString(object.project, childPath(path, 'project'), PROJECT_PATTERN, PROJECT_EXPECTED) ?? defaults.project;
  if (project === undefined) throw new ScenarioError(childPath(path, 'project'), `${PROJECT_EXPECTED} (or a "project" default on the run section)`);
  const region = optionalString(object.region, childPath(path, 'region'), REGION_PATTERN, REGION_EXPECTED) ?? defaults.region;
  if (region === undefined) throw new ScenarioError(childPath(path, 'region'), `${REGION_EXPECTED} (or a "region" default on the run section)`);
  const spec: JobSpec = { project, region, name };
  if (object.labels !== undefined) spec.labels = expectLabels(object.labels, childPath(path, 'labels'));
  if (object.template !== undefined) spec.template = parseTemplate(object.template, childPath(path, 'template'));
  if (object.createTime !== undefined) {
    expectTimestamp(object.createTime, childPath(path, 'createTime'));
    spec.createTime = object.createTime as string;
  }
  const ready = optionalBoolean(object.ready, childPath(path, 'ready'));
  if (ready !== undefined) spec.ready = ready;
  const message = optionalString(object.message, childPath(path, 'message'));
  if (message !== undefined) spec.message = message;
  const reconciling = optionalBoolean(object.reconciling, childPath(path, 'reconciling'));
  if (reconciling !== undefined) spec.reconciling = reconciling;
  if (object.run !== undefined) spec.run = parseRunPlan(object.run, childPath(path, 'run'));
  if (object.workload !== undefined) {
    spec.workload = expectString(object.workload, childPath(path, 'workload'), new RegExp(`^(${JOB_WORKLOADS.join('|')})$`), `one of ${JOB_WORKLOADS.map((w) => `"${w}"`).join(', ')}`) as JobWorkload;
  }
  if (object.executions !== undefined) {
    const executionsPath = childPath(path, 'executions');
    spec.executions = expectArray(object.executions, executionsPath, 'an array of executions').map((e, i) => parseExecutionSpec(e, childPath(executionsPath, i), name));
    const names = new Set<string>();
    spec.executions.forEach((e, i) => {
      if (e.name === undefined) return;
      if (names.has(e.name)) throw new ScenarioError(childPath(childPath(executionsPath, i), 'name'), `an execution name not used twice, "${e.name}" repeats`);
      names.add(e.name);
    });
  }
  return spec;
}

function parseTemplate(value: unknown, path: string): Partial<JobTemplate> {
  const object = expectObject(value, path, 'a template object like {"labels": {...}, "image": "...", "taskCount": 1}');
  expectKnownKeys(object, path, TEMPLATE_KEYS);
  const template: Partial<JobTemplate> = {};
  if (object.labels !== undefined) template.labels = expectLabels(object.labels, childPath(path, 'labels'));
  const image = optionalString(object.image, childPath(path, 'image'), /^\S+$/, 'a container image reference');
  if (image !== undefined) template.image = image;
  if (object.args !== undefined) template.args = parseArgs(object.args, childPath(path, 'args'));
  if (object.taskCount !== undefined) template.taskCount = expectInteger(object.taskCount, childPath(path, 'taskCount'), 1, MAX_TASKS);
  if (object.parallelism !== undefined) template.parallelism = expectInteger(object.parallelism, childPath(path, 'parallelism'), 1, MAX_TASKS);
  if (object.timeoutSeconds !== undefined) template.timeoutSeconds = expectInteger(object.timeoutSeconds, childPath(path, 'timeoutSeconds'), 1, MAX_TIMEOUT_SECONDS);
  return template;
}

/** A run plan (scenario `run`, or the control API's `execution-plan` without its coordinates). */
export function parseRunPlan(value: unknown, path: string, extraKeys: readonly string[] = []): Partial<RunPlan> {
  const object = expectObject(value, path, 'an object like {"startDelayMs": 2000, "taskDurationMs": 20000, "failTasks": [0]}');
  expectKnownKeys(object, path, [...RUN_PLAN_KEYS, ...extraKeys]);
  const plan: Partial<RunPlan> = {};
  if (object.startDelayMs !== undefined) plan.startDelayMs = expectInteger(object.startDelayMs, childPath(path, 'startDelayMs'), 0, MAX_DELAY_MS);
  if (object.taskDurationMs !== undefined) plan.taskDurationMs = expectInteger(object.taskDurationMs, childPath(path, 'taskDurationMs'), 0, MAX_DELAY_MS);
  if (object.failTasks !== undefined) plan.failTasks = parseTaskIndexes(object.failTasks, childPath(path, 'failTasks'));
  const failMessage = optionalString(object.failMessage, childPath(path, 'failMessage'));
  if (failMessage !== undefined) plan.failMessage = failMessage;
  if (object.retryTasks !== undefined) plan.retryTasks = parseTaskIndexes(object.retryTasks, childPath(path, 'retryTasks'));
  if (object.failDate !== undefined) plan.failDate = object.failDate === null ? null : expectString(object.failDate, childPath(path, 'failDate'), DATE_PATTERN, 'a date as YYYY-MM-DD, or null');
  return plan;
}

function parseExecutionSpec(value: unknown, path: string, jobName: string): ExecutionSpec {
  const object = expectObject(value, path, 'an execution object like {"createTime": "2026-01-30T22:00:00Z", "failMessage": "..."}');
  expectKnownKeys(object, path, EXECUTION_KEYS);
  const spec: ExecutionSpec = {};
  const namePath = childPath(path, 'name');
  const name = optionalString(object.name, namePath, /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/, 'an execution name of lowercase letters, digits and hyphens');
  if (name !== undefined) {
    if (!name.startsWith(`${jobName}-`)) throw new ScenarioError(namePath, `an execution name starting with "${jobName}-", got ${JSON.stringify(name)}`);
    spec.name = name;
  }
  if (object.labels !== undefined) spec.labels = expectLabels(object.labels, childPath(path, 'labels'));
  if (object.args !== undefined) spec.args = parseArgs(object.args, childPath(path, 'args'));
  for (const key of ['createTime', 'cancelTime'] as const) {
    if (object[key] === undefined) continue;
    expectTimestamp(object[key], childPath(path, key));
    spec[key] = object[key] as string;
  }
  if (object.taskCount !== undefined) spec.taskCount = expectInteger(object.taskCount, childPath(path, 'taskCount'), 1, MAX_TASKS);
  if (object.parallelism !== undefined) spec.parallelism = expectInteger(object.parallelism, childPath(path, 'parallelism'), 1, MAX_TASKS);
  if (object.startDelayMs !== undefined) spec.startDelayMs = expectInteger(object.startDelayMs, childPath(path, 'startDelayMs'), 0, MAX_DELAY_MS);
  if (object.taskDurationMs !== undefined) spec.taskDurationMs = expectInteger(object.taskDurationMs, childPath(path, 'taskDurationMs'), 0, MAX_DELAY_MS);
  if (object.timeoutSeconds !== undefined) spec.timeoutSeconds = expectInteger(object.timeoutSeconds, childPath(path, 'timeoutSeconds'), 1, MAX_TIMEOUT_SECONDS);
  if (object.failTasks !== undefined) spec.failTasks = parseTaskIndexes(object.failTasks, childPath(path, 'failTasks'));
  const failMessage = optionalString(object.failMessage, childPath(path, 'failMessage'));
  if (failMessage !== undefined) spec.failMessage = failMessage;
  return spec;
}

function parseArgs(value: unknown, path: string): string[] {
  return expectArray(value, path, 'an array of argument strings').map((a, i) => expectString(a, childPath(path, i)));
}

function parseTaskIndexes(value: unknown, path: string): number[] {
  return expectArray(value, path, 'an array of task indexes').map((t, i) => expectInteger(t, childPath(path, i), 0, MAX_TASKS - 1));
}

/** `{project, region, job}` of a control payload. */
export function jobCoordinates(object: Record<string, unknown>): { project: string; region: string; job: string } {
  return {
    project: expectString(object.project, '$.project', PROJECT_PATTERN, PROJECT_EXPECTED),
    region: expectString(object.region, '$.region', REGION_PATTERN, REGION_EXPECTED),
    job: expectString(object.job, '$.job', JOB_NAME_PATTERN, JOB_EXPECTED),
  };
}

export function parseDeployJobPayload(payload: unknown): DeployJobRequest {
  const object = expectObject(payload, '$', 'an object like {"project": "p", "region": "us-west2", "job": "backfill", "labels": {"commit-sha": "1a2b3c4"}}');
  expectKnownKeys(object, '$', DEPLOY_KEYS);
  const request: DeployJobRequest = jobCoordinates(object);
  if (object.labels !== undefined) request.labels = expectLabels(object.labels, '$.labels');
  const image = optionalString(object.image, '$.image', /^\S+$/, 'a container image reference');
  if (image !== undefined) request.image = image;
  if (object.args !== undefined) request.args = parseArgs(object.args, '$.args');
  if (object.ready !== undefined) request.ready = expectBoolean(object.ready, '$.ready');
  const message = optionalString(object.message, '$.message');
  if (message !== undefined) request.message = message;
  if (object.reconcilingMs !== undefined) request.reconcilingMs = expectInteger(object.reconcilingMs, '$.reconcilingMs', 0, 86_400_000);
  return request;
}

/** `{task?, message?}` of the control API's `fail-execution`, besides the coordinates. */
export function parseFailExecution(object: Record<string, unknown>): { execution?: string; task?: number; message?: string } {
  expectKnownKeys(object, '$', ['project', 'region', 'job', 'execution', 'task', 'message']);
  const result: { execution?: string; task?: number; message?: string } = {};
  const execution = optionalString(object.execution, '$.execution', /^\S+$/, 'an execution name');
  if (execution !== undefined) result.execution = execution;
  if (object.task !== undefined) result.task = expectInteger(object.task, '$.task', 0, MAX_TASKS - 1);
  const message = optionalString(object.message, '$.message');
  if (message !== undefined) result.message = message;
  return result;
}
