// Emulated Cloud Run Admin API v2 jobs and executions (REST, as @google-cloud/run sends them in
// fallback mode), part of the Cloud Run module, plus their control actions.
//
//   GET  /v2/projects/{p}/locations/{l}/jobs                          ListJobs        (pageSize, pageToken)
//   GET  /v2/projects/{p}/locations/{l}/jobs/{j}                      GetJob
//   POST /v2/projects/{p}/locations/{l}/jobs/{j}:run                  RunJob          (overrides: args, taskCount, timeout)
//   GET  /v2/projects/{p}/locations/{l}/jobs/{j}/executions           ListExecutions  (newest first; paged)
//   GET  /v2/projects/{p}/locations/{l}/jobs/{j}/executions/{e}       GetExecution
//   POST /v2/projects/{p}/locations/{l}/jobs/{j}/executions/{e}:cancel CancelExecution
//   GET  /v2/projects/{p}/locations/{l}/operations/{o}                GetOperation    (RunJob's and CancelExecution's)
//
// Control actions:
//   job             <a job in the scenario shape, with project and region>   creates or replaces a job
//   deploy-job      {project, region, job, labels?, image?, args?, ready?, message?, reconcilingMs?}
//                   a new template (ready false: the deploy fails, terminal condition FAILED; reconcilingMs: it takes that long)
//   execution-plan  {project, region, job, startDelayMs?, taskDurationMs?, failTasks?, failMessage?, retryTasks?, failDate?}
//                   how executions started from now on behave (delay, duration, failing tasks, tasks whose
//                   first attempt fails and whose retry succeeds; for a backfill workload, the date a task fails on)
//   fail-execution  {project, region, job, execution?, task?, message?}   a running execution's task fails now
//                   (default: the latest execution, its first task that has not ended)
//   delete-job      {project, region, job}
//
// Executions progress with the emulator's clock; each event (a task starting, retrying or ending, the
// execution ending) is written to the Logging module as `cloud_run_job` entries when its time comes: at
// once when the clock is moved, otherwise on a timer. A job with a workload (backfill.ts) does its work
// as its steps come due: the demo's grading backfill grades each date into BigQuery and logs it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ApiModuleContext } from '../api';
import { ControlError, sendGoogleError, sendJson } from '../control';
import { sendSelectedJson } from '../fieldSelection';
import { sleep } from '../faults';
import { pageBody, parsePaging } from '../paging';
import type { EnumEncoding, RunState } from '../run-state';
import { expectKnownKeys, expectObject, REGION_PATTERN } from '../scenario';
import { planGradingBackfill, runBackfillStep } from './backfill';
import { executionLogEntries, taskOutputEntry } from './logs';
import { executionSummary, renderExecution, renderJob, renderOperation, type OperationRecord } from './render';
import { jobCoordinates, MAX_TASKS, MAX_TIMEOUT_SECONDS, parseDeployJobPayload, parseFailExecution, parseJobSpec, parseRunPlan } from './scenario';
import { jobKey, jobNotFoundMessage, jobResourceName, JobsRequestError, JobsState, type ExecutionRecord, type JobRecord, type JobSpec, type RunOverrides } from './state';

const JOBS_PATH = /^\/v2\/projects\/([^/]+)\/locations\/([^/]+)\/jobs(?:\/([^/:]+)(?:(:run)|\/executions(?:\/([^/:]+)(:cancel)?)?)?)?$/;
const OPERATION_PATH = /^\/v2\/projects\/([^/]+)\/locations\/([^/]+)\/operations\/([^/:]+)$/;

/** Runs a callback after a delay; the emulator's default uses an unreferenced timer, so it never holds the process open. */
export type JobsScheduler = (callback: () => void, delayMs: number) => () => void;

const realTimeScheduler: JobsScheduler = (callback, delayMs) => {
  const timer = setTimeout(callback, Math.min(delayMs, 2_147_483_647));
  timer.unref();
  return () => clearTimeout(timer);
};

export interface JobsApi {
  readonly state: JobsState;
  handleHttp(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<boolean>;
  handleControl(action: string, payload: unknown): Promise<unknown | undefined>;
  /** Replaces every job (after the Cloud Run state was loaded: their projects are added to it). */
  load(specs: readonly JobSpec[]): void;
  reset(): void;
  snapshot(): unknown;
  close(): void;
}

const JOBS_CONTROL_ACTIONS = ['job', 'deploy-job', 'execution-plan', 'fail-execution', 'delete-job'] as const;

export function createJobsApi(ctx: ApiModuleContext, runState: RunState, scheduler: JobsScheduler = realTimeScheduler): JobsApi {
  const state = new JobsState(() => ctx.now());
  const operations = new Map<string, OperationRecord>();
  let loaded: JobSpec[] = [];
  let cancelTimer: (() => void) | undefined;
  let closed = false;

  state.observe((job, execution, event) => ctx.writeLogs?.(executionLogEntries(job, execution, event)));
  // A backfill's step grades its date now: the result is logged, or the task fails with it.
  state.observe((job, execution, event) => {
    if (event.kind !== 'step-done' || !execution.backfill) return;
    const outcome = runBackfillStep(execution.backfill, event.task.index, event.step, event.atMs, ctx.bigquery);
    if ('line' in outcome) ctx.writeLogs?.([taskOutputEntry(job, execution, event.task, event.atMs, outcome.line)]);
    else state.failTask(execution, event.task.index, outcome.failure, event.atMs);
  });

  /** Reports what is due, then waits for the next event's time. */
  const settle = (): void => {
    cancelTimer?.();
    cancelTimer = undefined;
    if (closed) return;
    state.settle();
    armTimer();
  };
  const armTimer = (): void => {
    cancelTimer?.();
    const next = state.nextEventAt();
    cancelTimer = next === null || closed ? undefined : scheduler(settle, Math.max(0, next - ctx.now()));
  };
  ctx.onClockChange?.(settle);

  function load(specs: readonly JobSpec[]): void {
    loaded = [...specs];
    operations.clear();
    state.load(specs);
    for (const spec of specs) runState.addProject(spec.project);
    // Not settled now: the Logging module may load after this one, and would drop what was written.
    armTimer();
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<boolean> {
    const jobsMatch = JOBS_PATH.exec(url.pathname);
    const operationMatch = jobsMatch ? null : OPERATION_PATH.exec(url.pathname);
    if (!jobsMatch && !operationMatch) return false;
    const [project, location, third, run, execution, cancel] = (jobsMatch ?? operationMatch)!.slice(1).map((s) => (s === undefined ? undefined : decodeURIComponent(s)));
    if (project === undefined || location === undefined) return false;
    const operation = operationMatch
      ? 'getOperation'
      : run
        ? 'runJob'
        : cancel
          ? 'cancelExecution'
          : execution !== undefined
            ? 'getExecution'
            : url.pathname.endsWith('/executions')
              ? 'listExecutions'
              : third !== undefined
                ? 'getJob'
                : 'listJobs';
    const wantsPost = operation === 'runJob' || operation === 'cancelExecution';
    if (req.method !== (wantsPost ? 'POST' : 'GET')) {
      sendGoogleError(res, 501, `The emulator implements GetJob, ListJobs, RunJob, GetExecution, ListExecutions, CancelExecution and GetOperation of the Cloud Run Admin API v2 (got ${req.method ?? '?'} ${url.pathname}); change jobs through POST /control/<action>.`);
      return true;
    }
    const fault = ctx.faults.match('run', operation, operationMatch ? undefined : third, location);
    if (fault) {
      await sleep(fault.latencyMs);
      if (fault.error) {
        sendGoogleError(res, fault.error.httpStatus, fault.error.message);
        return true;
      }
    }
    settle();
    const encoding: EnumEncoding = (url.searchParams.get('$alt') ?? '').includes('enum-encoding=int') ? 'int' : 'name';
    const now = ctx.now();
    if (!runState.hasProject(project)) {
      sendGoogleError(res, 404, `Project '${project}' not found or the caller lacks access to it.`);
      return true;
    }
    if (!REGION_PATTERN.test(location)) {
      sendGoogleError(res, 404, `Location '${location}' is not a Cloud Run region.`);
      return true;
    }

    if (operationMatch) {
      const record = operations.get(operationKey(project, location, third!));
      const job = record ? state.all().find((j) => jobKey(j.project, j.region, j.name) === record.jobKey) : undefined;
      const found = job?.executions.find((e) => e.name === record!.execution);
      if (!record || !job || !found) {
        sendGoogleError(res, 404, `Operation '${third}' in region '${location}' in project '${project}' does not exist.`);
        return true;
      }
      sendJson(res, 200, renderOperation(record, job, found, now, encoding));
      return true;
    }

    const paged = operation === 'listJobs' || operation === 'listExecutions';
    const page = paged ? parsePaging(url) : null;
    if (page && 'error' in page) {
      sendGoogleError(res, 400, page.error);
      return true;
    }
    if (operation === 'listJobs') {
      sendSelectedJson(res, url, pageBody('jobs', state.list(project, location).map((j) => renderJob(state, j, now, encoding)), page as { offset: number; size: number }));
      return true;
    }
    const job = state.get(project, location, third!);
    if (!job) {
      sendGoogleError(res, 404, jobNotFoundMessage('JOB', third!, location, project));
      return true;
    }
    try {
      switch (operation) {
        case 'getJob':
          sendSelectedJson(res, url, renderJob(state, job, now, encoding));
          return true;
        case 'listExecutions': {
          // Newest first, as `gcloud run jobs executions list` shows them.
          const executions = [...job.executions].reverse().map((e) => renderExecution(job, e, now, encoding));
          sendSelectedJson(res, url, pageBody('executions', executions, page as { offset: number; size: number }));
          return true;
        }
        case 'runJob': {
          const overrides = parseRunRequest(body);
          // The backfill writes to BigQuery as its steps come due: its store must be open by then.
          if (job.workload) await ctx.bigquery?.ready();
          const started = state.run(job, overrides, (execution) => {
            if (job.workload === 'demo-grading') planGradingBackfill(execution, job.run);
          });
          armTimer();
          sendJson(res, 200, renderOperation(newOperation(job, started, 'run'), job, started, ctx.now(), encoding));
          return true;
        }
        default: {
          const found = job.executions.find((e) => e.name === execution);
          if (!found) {
            sendGoogleError(res, 404, jobNotFoundMessage('EXECUTION', execution!, location, project));
            return true;
          }
          if (operation === 'getExecution') {
            sendSelectedJson(res, url, renderExecution(job, found, now, encoding));
            return true;
          }
          state.cancel(found);
          armTimer();
          sendJson(res, 200, renderOperation(newOperation(job, found, 'cancel'), job, found, ctx.now(), encoding));
          return true;
        }
      }
    } catch (err) {
      if (!(err instanceof JobsRequestError)) throw err;
      sendGoogleError(res, err.httpStatus, err.message);
      return true;
    }
  }

  function operationKey(project: string, region: string, id: string): string {
    return `${project}/${region}/${id}`;
  }

  function newOperation(job: JobRecord, execution: ExecutionRecord, kind: OperationRecord['kind']): OperationRecord {
    const record: OperationRecord = { id: randomUUID(), jobKey: jobKey(job.project, job.region, job.name), execution: execution.name, kind };
    operations.set(operationKey(job.project, job.region, record.id), record);
    return record;
  }

  function existingJob(object: Record<string, unknown>): JobRecord {
    const { project, region, job } = jobCoordinates(object);
    const record = state.get(project, region, job);
    if (!record) throw new ControlError(404, jobNotFoundMessage('JOB', job, region, project));
    return record;
  }

  async function handleControl(action: string, payload: unknown): Promise<unknown | undefined> {
    if (!(JOBS_CONTROL_ACTIONS as readonly string[]).includes(action)) return undefined;
    settle();
    const object = expectObject(payload, '$', 'an object like {"project": "p", "region": "us-west2", "job": "backfill"}');
    try {
      switch (action) {
        case 'job': {
          const spec = parseJobSpec(object, '$');
          runState.addProject(spec.project);
          return jobSummary(state.putJob(spec));
        }
        case 'deploy-job': {
          const request = parseDeployJobPayload(object);
          runState.addProject(request.project);
          const { job, created } = state.deploy(request);
          return { ...jobSummary(job), jobCreated: created };
        }
        case 'execution-plan': {
          const plan = parseRunPlan(object, '$', ['project', 'region', 'job']);
          const job = existingJob(object);
          state.setRunPlan(job, plan);
          return { job: jobResourceName(job), run: job.run };
        }
        case 'fail-execution': {
          const options = parseFailExecution(object);
          const job = existingJob(object);
          const execution = options.execution === undefined ? job.executions[job.executions.length - 1] : job.executions.find((e) => e.name === options.execution);
          if (!execution) throw new ControlError(404, options.execution === undefined ? `Job '${job.name}' has no executions.` : jobNotFoundMessage('EXECUTION', options.execution, job.region, job.project));
          const task = state.failExecution(execution, options);
          return { execution: execution.name, task, ...executionSummary(execution, ctx.now()) };
        }
        default: {
          expectKnownKeys(object, '$', ['project', 'region', 'job']);
          const job = existingJob(object);
          state.delete(job.project, job.region, job.name);
          return { deleted: jobResourceName(job) };
        }
      }
    } catch (err) {
      if (err instanceof JobsRequestError) throw new ControlError(err.httpStatus, err.message);
      throw err;
    } finally {
      armTimer();
    }
  }

  function jobSummary(job: JobRecord): Record<string, unknown> {
    const now = ctx.now();
    return {
      project: job.project,
      region: job.region,
      name: job.name,
      generation: job.generation,
      labels: job.labels,
      template: { labels: job.template.labels, image: job.template.image, args: job.template.args, taskCount: job.template.taskCount },
      terminalCondition: state.terminalState(job),
      message: state.terminalState(job) === 'CONDITION_FAILED' ? job.message : null,
      executions: [...job.executions].reverse().map((e) => executionSummary(e, now)),
    };
  }

  return {
    state,
    handleHttp,
    handleControl,
    load,
    reset(): void {
      operations.clear();
      state.load(loaded);
      for (const spec of loaded) runState.addProject(spec.project);
      armTimer();
    },
    snapshot(): unknown {
      settle();
      return state.all().map(jobSummary);
    },
    close(): void {
      closed = true;
      cancelTimer?.();
      cancelTimer = undefined;
    },
  };
}

const OVERRIDE_KEYS = new Set(['containerOverrides', 'container_overrides', 'taskCount', 'task_count', 'timeout']);
const CONTAINER_OVERRIDE_KEYS = new Set(['name', 'args', 'env', 'clearArgs', 'clear_args']);

/** RunJob's body: `{overrides: {containerOverrides: [{args}], taskCount, timeout}}`; proto3 defaults (empty, 0, false) mean "not set". */
function parseRunRequest(body: Buffer): RunOverrides {
  const text = body.toString('utf8').trim();
  let request: unknown = {};
  if (text !== '') {
    try {
      request = JSON.parse(text) as unknown;
    } catch (err) {
      throw new JobsRequestError(400, `Invalid JSON payload received. ${(err as Error).message}`);
    }
  }
  if (!isObject(request)) throw new JobsRequestError(400, 'Invalid JSON payload received: expected an object.');
  if (request.validateOnly === true || request.validate_only === true) throw new JobsRequestError(501, 'The emulator does not implement validateOnly for RunJob.');
  const overrides = request.overrides;
  if (overrides === undefined || overrides === null) return {};
  if (!isObject(overrides)) throw new JobsRequestError(400, 'overrides: expected an object.');
  for (const key of Object.keys(overrides)) if (!OVERRIDE_KEYS.has(key)) throw new JobsRequestError(400, `overrides.${key}: unknown field (known: containerOverrides, taskCount, timeout).`);
  const result: RunOverrides = {};
  const containers = overrides.containerOverrides ?? overrides.container_overrides ?? [];
  if (!Array.isArray(containers)) throw new JobsRequestError(400, 'overrides.containerOverrides: expected an array.');
  if (containers.length > 1) throw new JobsRequestError(400, `overrides.containerOverrides: the job has one container, got ${containers.length} overrides.`);
  const container: unknown = containers[0];
  if (container !== undefined) {
    if (!isObject(container)) throw new JobsRequestError(400, 'overrides.containerOverrides[0]: expected an object.');
    for (const key of Object.keys(container)) if (!CONTAINER_OVERRIDE_KEYS.has(key)) throw new JobsRequestError(400, `overrides.containerOverrides[0].${key}: unknown field.`);
    if (Array.isArray(container.env) && container.env.length > 0) throw new JobsRequestError(501, 'overrides.containerOverrides[0].env: the emulator does not emulate environment overrides.');
    const args = container.args ?? [];
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new JobsRequestError(400, 'overrides.containerOverrides[0].args: expected an array of strings.');
    if (args.length > 0 || container.clearArgs === true || container.clear_args === true) result.args = args as string[];
  }
  const taskCount = overrides.taskCount ?? overrides.task_count;
  if (taskCount !== undefined && taskCount !== 0) {
    const count = typeof taskCount === 'string' ? Number(taskCount) : taskCount;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_TASKS) throw new JobsRequestError(400, `overrides.taskCount: expected an integer from 1 to ${MAX_TASKS}, got ${JSON.stringify(taskCount)}.`);
    result.taskCount = count;
  }
  if (overrides.timeout !== undefined && overrides.timeout !== null) {
    const seconds = parseDurationSeconds(overrides.timeout);
    if (seconds === null || seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) throw new JobsRequestError(400, `overrides.timeout: expected a duration such as "600s" from 1s to ${MAX_TIMEOUT_SECONDS}s, got ${JSON.stringify(overrides.timeout)}.`);
    result.timeoutSeconds = seconds;
  }
  return result;
}

/** A google.protobuf.Duration in proto3 JSON ("600s", "1.5s") or as {seconds, nanos}; whole seconds, rounded up. */
function parseDurationSeconds(value: unknown): number | null {
  if (typeof value === 'string') {
    const match = /^(\d+)(\.\d{1,9})?s$/.exec(value);
    return match ? Math.ceil(Number(`${match[1]}${match[2] ?? ''}`)) : null;
  }
  if (isObject(value)) {
    const seconds = Number(value.seconds ?? 0);
    const nanos = Number(value.nanos ?? 0);
    return Number.isFinite(seconds) && Number.isFinite(nanos) ? Math.ceil(seconds + nanos / 1e9) : null;
  }
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
