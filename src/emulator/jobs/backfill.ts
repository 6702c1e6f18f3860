// The work of a Cloud Run job whose workload is "demo-grading": each execution runs the demo's grading
// backfill (demo/grading.mjs, the code the local command runs too) with the execution's arguments
// (`--start-date=YYYY-MM-DD --end-date=YYYY-MM-DD`, optionally `--system`, `--project`). Its dates are
// its tasks' steps (date i goes to task i mod taskCount, as a job shards by CLOUD_RUN_TASK_INDEX), one
// run-plan taskDurationMs each; a date is graded into BigQuery when its step is done.
import { describeFailure, describeResult, driveSync, gradeDate, parseArguments, USAGE, UsageError } from '../demo/grading.mjs';
import type { InProcessBigQuery } from '../api';
import type { BackfillRun, ExecutionRecord, RunPlan } from './state';

/**
 * Plans a new execution's backfill: its steps and duration, the injected faults (failDate: the task
 * fails as it reaches that date; retryTasks: the first attempt fails on its first date). Arguments the
 * backfill refuses fail every task as it starts, with the backfill's own usage message.
 */
export function planGradingBackfill(execution: ExecutionRecord, run: RunPlan): void {
  const plan = execution.plan;
  let refusal: string | null = null;
  let options: Exclude<ReturnType<typeof parseArguments>, 'help'> | null = null;
  try {
    const parsed = parseArguments(execution.args);
    if (parsed === 'help') refusal = 'grading-backfill: --help only prints the usage; give --start-date and --end-date';
    else options = parsed;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    refusal = `grading-backfill: ${err.message}`;
  }
  if (!options) {
    const message = `${refusal}. ${USAGE}`;
    for (let task = 0; task < plan.taskCount; task++) plan.failures.set(task, { message, atMs: plan.startTimeMs });
    plan.retries = new Map();
    return;
  }
  const datesByTask = Array.from({ length: plan.taskCount }, (_, task) => options.dates.filter((_date, i) => i % plan.taskCount === task));
  plan.steps = datesByTask.map((dates) => dates.length);
  plan.taskDurationMs = run.taskDurationMs * Math.max(1, ...plan.steps);
  plan.retries = new Map([...(plan.retries ?? new Map<number, { message: string }>()).keys()].map((task) => [task, { message: describeFailure(datesByTask[task]?.[0] ?? options.startDate, run.failMessage) }]));
  if (run.failDate !== null) {
    datesByTask.forEach((dates, task) => {
      const step = dates.indexOf(run.failDate!);
      if (step >= 0) plan.failures.set(task, { message: describeFailure(run.failDate!, run.failMessage), atMs: null, atStep: step });
    });
  }
  execution.backfill = { project: options.project, system: options.system, datesByTask };
}

/**
 * Grades the date of a step that is done, at `atMs` (its graded_at): the line it logs, or the failure
 * that ends its task (a BigQuery error, or rows of that date still in the streaming buffer).
 */
export function runBackfillStep(backfill: BackfillRun, task: number, step: number, atMs: number, bigquery: InProcessBigQuery | undefined): { line: string } | { failure: string } {
  const date = backfill.datesByTask[task]?.[step];
  if (date === undefined) return { failure: `Task ${task} has no step ${step}.` };
  if (!bigquery) return { failure: describeFailure(date, 'BigQuery is not available (the emulator runs without its BigQuery module).') };
  try {
    const result = driveSync(gradeDate({ project: backfill.project, system: backfill.system, date, gradedAt: new Date(atMs).toISOString() }), (request) =>
      bigquery.request(request.method, request.path, request.body),
    );
    const line = describeResult(result, backfill.system);
    return result.status === 'conflict' ? { failure: line } : { line };
  } catch (err) {
    return { failure: describeFailure(date, err instanceof Error ? err.message : String(err)) };
  }
}
