// Cloud Run jobs and their executions as the emulator holds them, and every change to them: a deploy
// (a new template), RunJob, CancelExecution and injected failures. Time-dependent facts (is a deploy
// still reconciling? how far has an execution got?) follow from the clock (timeline.ts); `settle`
// reports each execution event once its time has come, in time order, to the observers (the log writer).
import { createHash, randomUUID } from 'node:crypto';
import { executionEvents, progressAt, taskTimelines, type ExecutionEvent, type ExecutionPlan, type ExecutionProgress, type TaskFailure } from './timeline';

export interface JobTemplate {
  /** Labels every execution starts with (the commit label among them). */
  labels: Record<string, string>;
  image: string;
  args: string[];
  taskCount: number;
  parallelism: number;
  timeoutSeconds: number;
}

/** How executions started from now on behave: the control API's "delay" and "fail" knobs. */
export interface RunPlan {
  startDelayMs: number;
  taskDurationMs: number;
  /** Task indexes that fail, with the message their failure reports; empty: every task succeeds. */
  failTasks: number[];
  failMessage: string;
  /** Task indexes whose first attempt fails (with failMessage) and whose retry succeeds. */
  retryTasks: number[];
  /** A backfill workload's task fails when it reaches this date (YYYY-MM-DD), with failMessage. */
  failDate: string | null;
}

/** What an execution runs: the demo's grading backfill (backfill.ts), or nothing but time passing. */
export const JOB_WORKLOADS = ['demo-grading'] as const;
export type JobWorkload = (typeof JOB_WORKLOADS)[number];

export interface JobRecord {
  project: string;
  region: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  template: JobTemplate;
  createTimeMs: number;
  updateTimeMs: number;
  generation: number;
  /** The last deploy settles (terminal condition Ready) at this time; until then the job reconciles. */
  settlesAtMs: number;
  /** What the last deploy settles to: ready, or failed with `message`. */
  ready: boolean;
  message: string | null;
  /** The scenario's `reconciling: true` pins the job in a rollout until the next change. */
  pinnedReconciling: boolean;
  run: RunPlan;
  workload: JobWorkload | null;
  /** Oldest first. */
  executions: ExecutionRecord[];
}

export interface ExecutionRecord {
  /** Short name, `<job>-<5 letters>`. */
  name: string;
  uid: string;
  /** The template's labels when it started: the commit it runs. */
  labels: Record<string, string>;
  image: string;
  args: string[];
  plan: ExecutionPlan & { failures: Map<number, TaskFailure> };
  /** The backfill it runs (a job with a workload, started by RunJob; see backfill.ts). */
  backfill: BackfillRun | null;
  /** Keys of the events already reported (timeline.ts executionEvents). */
  reported: Set<string>;
}

export interface BackfillRun {
  project: string;
  system: string;
  /** The dates each task grades, by task index. */
  datesByTask: string[][];
}

export interface JobSpec {
  project: string;
  region: string;
  name: string;
  labels?: Record<string, string>;
  template?: Partial<JobTemplate>;
  createTime?: string;
  ready?: boolean;
  message?: string;
  reconciling?: boolean;
  run?: Partial<RunPlan>;
  workload?: JobWorkload;
  executions?: ExecutionSpec[];
}

export interface ExecutionSpec {
  name?: string;
  labels?: Record<string, string>;
  args?: string[];
  createTime?: string;
  taskCount?: number;
  parallelism?: number;
  startDelayMs?: number;
  taskDurationMs?: number;
  timeoutSeconds?: number;
  failTasks?: number[];
  failMessage?: string;
  cancelTime?: string;
}

export interface DeployJobRequest {
  project: string;
  region: string;
  job: string;
  /** Merged over the job's and its template's labels, as `gcloud run jobs deploy --update-labels` does. */
  labels?: Record<string, string>;
  image?: string;
  args?: string[];
  ready?: boolean;
  message?: string;
  reconcilingMs?: number;
}

export interface RunOverrides {
  /** Replace the container's arguments (Run v2 `overrides.containerOverrides[0].args`). */
  args?: string[];
  taskCount?: number;
  timeoutSeconds?: number;
}

export const DEFAULT_RUN_PLAN: RunPlan = {
  startDelayMs: 2_000,
  taskDurationMs: 20_000,
  failTasks: [],
  failMessage: 'The container exited with an error.',
  retryTasks: [],
  failDate: null,
};
const DEFAULT_TIMEOUT_SECONDS = 600;
const HOUR_MS = 3_600_000;

export function jobKey(project: string, region: string, name: string): string {
  return `${project}/${region}/${name}`;
}

export function jobResourceName(job: Pick<JobRecord, 'project' | 'region' | 'name'>): string {
  return `projects/${job.project}/locations/${job.region}/jobs/${job.name}`;
}

export function executionResourceName(job: Pick<JobRecord, 'project' | 'region' | 'name'>, execution: string): string {
  return `${jobResourceName(job)}/executions/${execution}`;
}

/** `Resource 'x' of kind 'JOB' in region 'r' in project 'p' does not exist.`, as the API says it. */
export function jobNotFoundMessage(kind: 'JOB' | 'EXECUTION', name: string, region: string, project: string): string {
  return `Resource '${name}' of kind '${kind}' in region '${region}' in project '${project}' does not exist.`;
}

/** A failure the API answers with (HTTP status), raised by a state change the request asked for. */
export class JobsRequestError extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
    this.name = 'JobsRequestError';
  }
}

export type ExecutionObserver = (job: JobRecord, execution: ExecutionRecord, event: ExecutionEvent) => void;

export class JobsState {
  private jobs = new Map<string, JobRecord>();
  private readonly observers: ExecutionObserver[] = [];

  constructor(private readonly now: () => number) {}

  /** Called with each execution event once its time has come (see settle). */
  observe(observer: ExecutionObserver): void {
    this.observers.push(observer);
  }

  load(specs: readonly JobSpec[]): void {
    this.jobs.clear();
    for (const spec of specs) this.putJob(spec);
  }

  list(project: string, region: string): JobRecord[] {
    return [...this.jobs.values()].filter((j) => j.project === project && j.region === region);
  }

  all(): JobRecord[] {
    return [...this.jobs.values()];
  }

  get(project: string, region: string, name: string): JobRecord | undefined {
    return this.jobs.get(jobKey(project, region, name));
  }

  delete(project: string, region: string, name: string): boolean {
    return this.jobs.delete(jobKey(project, region, name));
  }

  /** Creates or replaces a job from the scenario shape. Its executions' past events are reported at the next settle. */
  putJob(spec: JobSpec): JobRecord {
    const now = this.now();
    const labels = { ...(spec.labels ?? {}) };
    const template: JobTemplate = {
      labels: { ...(spec.template?.labels ?? labels) },
      image: spec.template?.image ?? defaultJobImage(spec.project, spec.region, spec.name),
      args: [...(spec.template?.args ?? [])],
      taskCount: spec.template?.taskCount ?? 1,
      parallelism: spec.template?.parallelism ?? spec.template?.taskCount ?? 1,
      timeoutSeconds: spec.template?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    };
    const executionSpecs = spec.executions ?? [];
    const createTimeMs = spec.createTime !== undefined ? Date.parse(spec.createTime) : now - (executionSpecs.length + 1) * HOUR_MS;
    const job: JobRecord = {
      project: spec.project,
      region: spec.region,
      name: spec.name,
      uid: randomUUID(),
      labels,
      template,
      createTimeMs,
      updateTimeMs: createTimeMs,
      generation: 1,
      settlesAtMs: createTimeMs,
      ready: spec.ready ?? true,
      message: spec.ready === false ? (spec.message ?? defaultDeployFailure(template.image)) : null,
      pinnedReconciling: spec.reconciling ?? false,
      run: { ...DEFAULT_RUN_PLAN, ...(spec.run ?? {}) },
      workload: spec.workload ?? null,
      executions: [],
    };
    executionSpecs.forEach((e, i) => {
      // Undated executions are spread an hour apart, the newest an hour before now.
      const created = e.createTime !== undefined ? Date.parse(e.createTime) : now - (executionSpecs.length - i) * HOUR_MS;
      job.executions.push(this.newExecution(job, created, e));
    });
    const existing = this.jobs.get(jobKey(spec.project, spec.region, spec.name));
    if (existing) {
      job.createTimeMs = existing.createTimeMs;
      job.generation = existing.generation + 1;
      job.updateTimeMs = now;
    }
    this.jobs.set(jobKey(spec.project, spec.region, spec.name), job);
    return job;
  }

  /** A new template, as `gcloud run jobs deploy` makes: the next execution runs it. */
  deploy(request: DeployJobRequest): { job: JobRecord; created: boolean } {
    const now = this.now();
    let job = this.get(request.project, request.region, request.job);
    const created = job === undefined;
    if (!job) {
      job = this.putJob({ project: request.project, region: request.region, name: request.job, createTime: new Date(now).toISOString() });
    }
    job.labels = { ...job.labels, ...(request.labels ?? {}) };
    job.template = {
      ...job.template,
      labels: { ...job.template.labels, ...(request.labels ?? {}) },
      image: request.image ?? job.template.image,
      args: request.args ? [...request.args] : job.template.args,
    };
    job.generation += created ? 0 : 1;
    job.updateTimeMs = now;
    job.settlesAtMs = now + (request.reconcilingMs ?? 0);
    job.ready = request.ready ?? true;
    job.message = job.ready ? null : (request.message ?? defaultDeployFailure(job.template.image));
    job.pinnedReconciling = false;
    return { job, created };
  }

  setRunPlan(job: JobRecord, plan: Partial<RunPlan>): void {
    job.run = { ...job.run, ...plan };
  }

  /** RunJob: a new execution of the job's current template (with the overrides), started now; `prepare` plans its work. */
  run(job: JobRecord, overrides: RunOverrides = {}, prepare?: (execution: ExecutionRecord) => void): ExecutionRecord {
    const now = this.now();
    if (this.terminalState(job) === 'CONDITION_FAILED') {
      throw new JobsRequestError(400, `Job '${job.name}' is not ready and cannot be executed. ${job.message ?? ''}`.trim());
    }
    const execution = this.newExecution(job, now, {
      args: overrides.args ?? job.template.args,
      ...(overrides.taskCount !== undefined ? { taskCount: overrides.taskCount, parallelism: Math.min(job.template.parallelism, overrides.taskCount) } : {}),
      ...(overrides.timeoutSeconds !== undefined ? { timeoutSeconds: overrides.timeoutSeconds } : {}),
    });
    prepare?.(execution);
    job.executions.push(execution);
    this.settle();
    return execution;
  }

  /** CancelExecution: tasks running or waiting stop now. Cancelling a finished execution is refused, as the API does. */
  cancel(execution: ExecutionRecord): void {
    const now = this.now();
    const progress = progressAt(execution.plan, now);
    if (progress.completionTimeMs !== null) {
      throw new JobsRequestError(400, `Execution '${execution.name}' has already completed (${progress.status}) and cannot be cancelled.`);
    }
    // What happened before now is reported as it was planned; the cancellation changes only what follows.
    this.settle();
    execution.plan.cancelTimeMs ??= now;
    this.settle();
  }

  /**
   * Makes a running execution's task fail now with `message` (default: its first task that has not
   * ended); a task that has not started yet fails as it starts.
   */
  failExecution(execution: ExecutionRecord, options: { task?: number; message?: string }): number {
    const now = this.now();
    this.settle();
    const progress = progressAt(execution.plan, now);
    if (progress.completionTimeMs !== null) {
      throw new JobsRequestError(409, `Execution '${execution.name}' has already completed (${progress.status}); start another to fail it.`);
    }
    const task = options.task ?? firstUnfinishedTask(execution, now);
    if (task >= execution.plan.taskCount) {
      throw new JobsRequestError(400, `Execution '${execution.name}' has ${execution.plan.taskCount} task${execution.plan.taskCount === 1 ? '' : 's'}; there is no task ${task}.`);
    }
    execution.plan.failures.set(task, { message: options.message ?? DEFAULT_RUN_PLAN.failMessage, atMs: now });
    this.settle();
    return task;
  }

  /** What an execution's work found while it ran: its task `task` fails at `atMs` (an event being reported now). */
  failTask(execution: ExecutionRecord, task: number, message: string, atMs: number): void {
    execution.plan.failures.set(task, { message, atMs });
    this.replanned = true;
  }

  progress(execution: ExecutionRecord): ExecutionProgress {
    return progressAt(execution.plan, this.now());
  }

  isReconciling(job: JobRecord): boolean {
    return job.pinnedReconciling || this.now() < job.settlesAtMs;
  }

  terminalState(job: JobRecord): 'CONDITION_RECONCILING' | 'CONDITION_SUCCEEDED' | 'CONDITION_FAILED' {
    if (this.isReconciling(job)) return 'CONDITION_RECONCILING';
    return job.ready ? 'CONDITION_SUCCEEDED' : 'CONDITION_FAILED';
  }

  /**
   * Reports every event whose time has come and that was not reported yet, oldest first across all
   * jobs. An observer may change a plan as it goes (failTask): what is due is then worked out again.
   */
  settle(): void {
    const now = this.now();
    let due = this.dueEvents(now);
    while (due.length > 0) {
      this.replanned = false;
      for (const { job, execution, key, event } of due) {
        execution.reported.add(key);
        for (const observer of this.observers) observer(job, execution, event);
        if (this.replanned) break;
      }
      due = this.replanned ? this.dueEvents(now) : [];
    }
  }

  private replanned = false;

  private dueEvents(now: number): { job: JobRecord; execution: ExecutionRecord; key: string; event: ExecutionEvent }[] {
    const due: { job: JobRecord; execution: ExecutionRecord; key: string; event: ExecutionEvent }[] = [];
    for (const job of this.jobs.values()) {
      for (const execution of job.executions) {
        if (execution.reported.has('end')) continue;
        for (const { key, event } of executionEvents(execution.plan)) {
          if (event.atMs <= now && !execution.reported.has(key)) due.push({ job, execution, key, event });
        }
      }
    }
    return due.sort((a, b) => a.event.atMs - b.event.atMs);
  }

  /** When the next event not reported yet is due (null: none is pending). */
  nextEventAt(): number | null {
    let next: number | null = null;
    for (const job of this.jobs.values()) {
      for (const execution of job.executions) {
        if (execution.reported.has('end')) continue;
        for (const { key, event } of executionEvents(execution.plan)) {
          if (!execution.reported.has(key) && (next === null || event.atMs < next)) next = event.atMs;
        }
      }
    }
    return next;
  }

  private newExecution(job: JobRecord, createTimeMs: number, spec: ExecutionSpec): ExecutionRecord {
    const name = spec.name ?? `${job.name}-${executionSuffix(`${job.uid}/${job.executions.length}/${createTimeMs}`)}`;
    const taskCount = spec.taskCount ?? job.template.taskCount;
    const failTasks = spec.failTasks ?? (spec.failMessage !== undefined ? [taskCount - 1] : job.run.failTasks);
    const failMessage = spec.failMessage ?? job.run.failMessage;
    return {
      name,
      uid: randomUUID(),
      labels: { ...(spec.labels ?? job.template.labels) },
      image: job.template.image,
      args: [...(spec.args ?? job.template.args)],
      plan: {
        createTimeMs,
        startTimeMs: createTimeMs + (spec.startDelayMs ?? job.run.startDelayMs),
        taskCount,
        parallelism: Math.min(spec.parallelism ?? job.template.parallelism, taskCount),
        taskDurationMs: spec.taskDurationMs ?? job.run.taskDurationMs,
        timeoutMs: (spec.timeoutSeconds ?? job.template.timeoutSeconds) * 1000,
        failures: new Map(failTasks.filter((t) => t < taskCount).map((t) => [t, { message: failMessage, atMs: null }])),
        retries: new Map(job.run.retryTasks.filter((t) => t < taskCount).map((t) => [t, { message: failMessage }])),
        cancelTimeMs: spec.cancelTime !== undefined ? Date.parse(spec.cancelTime) : null,
      },
      backfill: null,
      reported: new Set(),
    };
  }
}

function firstUnfinishedTask(execution: ExecutionRecord, now: number): number {
  return taskTimelines(execution.plan).find((t) => t.endMs > now)?.index ?? 0;
}

export function defaultJobImage(project: string, region: string, job: string): string {
  return `${region}-docker.pkg.dev/${project}/cloud-run-source-deploy/${job}@sha256:${createHash('sha256').update(`${project}/${region}/${job}`).digest('hex')}`;
}

function defaultDeployFailure(image: string): string {
  return `Image '${image}' not found.`;
}

/** Cloud Run's five-letter execution suffix (e.g. `migrate-vnttt`). */
function executionSuffix(seed: string): string {
  const digest = createHash('sha256').update(seed).update(randomUUID()).digest();
  return Array.from(digest.subarray(0, 5), (byte) => String.fromCharCode(97 + (byte % 26))).join('');
}
