// Data jobs in the editor: guards (with a progress notification), the job as a Task in the
// integrated terminal (or, for a data job that executes a Cloud Run job, the execution followed in a
// terminal of its own), then its scoreboard: read just before the run starts and again when it
// succeeds, shown with the change per row and in the totals. The decisions are core's (core/jobs);
// this class owns what lives in the window: the running tasks and the scoreboard panels.
import * as vscode from 'vscode';
import type { DataJobConfig, DriftConfig } from '../../core/config';
import type { BigQueryReader } from '../../core/jobs/bigquery';
import { scoreboardRange, utcToday, type DateRange } from '../../core/jobs/dates';
import type { CloudRunReader } from '../../core/google/cloudrun';
import type { DeployResult } from '../../core/deploy/runner';
import { executionDurationMs, executionResultLine, executionStartedLine, followEventLines } from '../../core/jobs/executionText';
import { executionExitCode, followExecution, type ExecutionResult } from '../../core/jobs/followExecution';
import { blockedDecision, checkJobGuards, describeGuardReport, type BlockedChoice, type JobGuardDeps, type JobGuardReport } from '../../core/jobs/guards';
import { jobCommandLine, jobExecutionArgs, readScoreboard } from '../../core/jobs/job';
import { heldRuns, newestRun, withHeldRuns, type HeldExecution, type JobRunRecord, type JobRunResult, type JobRunState } from '../../core/jobs/runs';
import type { Scoreboard } from '../../core/jobs/totals';
import type { LogSource } from '../../core/logs';
import type { ExecutionFacts } from '../../core/model';
import { ownValue } from '../../core/platform/own';
import type { ExecutionRef } from '../../core/google/runJobs';
import { TemplateError } from '../../core/text/shellTemplate';
import { errorText } from '../../core/text/messageText';
import { COMMAND_IDS } from '../commandIds';
import { Disposable } from '../platform/disposable';
import { UserFacingError } from '../platform/errors';
import type { Logger } from '../platform/logger';
import { runShellTask, showTaskTerminal } from '../tasks/shellTask';
import { ExecutionTerminal } from './executionTerminal';
import { rememberedRange, rememberRange } from './jobInputs';
import { JobRuns } from './jobRuns';
import type { ScoreboardRead } from './scoreboardHtml';
import { readForView, ScoreboardPanels, type ScoreboardSource } from './scoreboardPanels';

/** A template problem is the configuration's: said with the way to it. */
function fromTemplate<T>(expand: () => T): T {
  try {
    return expand();
  } catch (err) {
    if (err instanceof TemplateError) throw new UserFacingError(err.message, [{ title: 'Open Config', run: () => vscode.commands.executeCommand(COMMAND_IDS.openConfig) }]);
    throw err;
  }
}

/** How a finished run is recorded for the Data Jobs view; a Cloud Run job execution's start is its own. */
function runEndOf(outcome: Extract<DataJobOutcome, { kind: 'finished' }>, commitLabel: string, startedAt: string): Pick<JobRunRecord, 'startedAt' | 'result' | 'execution'> {
  const result: JobRunResult = outcome.execution?.outcome === 'cancelled' ? { kind: 'cancelled' } : outcome.exitCode === 0 ? { kind: 'succeeded' } : { kind: 'failed', exitCode: outcome.exitCode };
  const execution = outcome.execution?.execution;
  if (!execution) return { startedAt, result };
  return {
    startedAt: execution.startTime ?? execution.createTime ?? startedAt,
    result,
    execution: { name: execution.name, commit: ownValue(execution.labels, commitLabel) ?? null, durationMs: executionDurationMs(execution) },
  };
}

/** The task type of data job tasks; contributed in package.json so VS Code knows the definition. */
export const JOB_TASK_TYPE = 'cloudRunDrift.job';

/** What to do when a guard fails: ask (a modal with Run Anyway), refuse, or run regardless. */
export type WhenBlocked = 'ask' | 'refuse' | 'run';

export type DataJobOutcome =
  | { kind: 'refused'; job: string; range: DateRange; report: JobGuardReport }
  | {
      kind: 'finished';
      job: string;
      range: DateRange;
      report: JobGuardReport;
      exitCode: number | undefined;
      /** The scoreboard read when the run succeeded, and the one read just before it started. */
      scoreboard: ScoreboardResult | undefined;
      scoreboardBefore: ScoreboardResult | undefined;
      /** A data job that executes a Cloud Run job: how its execution ended. */
      execution?: ExecutionResult;
    };

/** One read of a scoreboard as a run's outcome reports it. */
export type ScoreboardResult = Scoreboard | { error: string };

export interface DataJobDeps {
  /** Cloud Run and git as the session has them (endpoints already filtered for trust). */
  coreContext(): Promise<Omit<JobGuardDeps, 'bigquery'>>;
  createBigQueryReader(job: DataJobConfig, config: DriftConfig): BigQueryReader;
  /** Where a Cloud Run job execution's log entries are read (endpoints filtered for trust as the others). */
  createLogSource(config: DriftConfig, project: string): Promise<LogSource>;
  /** Deploys a unit and proves it live (Deploy (then run) on a stale Cloud Run job). */
  deploy(unit: string): Promise<DeployResult>;
  /** The extension's folder (the scoreboard view's script and stylesheet are under media/scoreboard/). */
  extensionUri: vscode.Uri;
  /** Where the range last picked for each job is remembered. */
  memento: vscode.Memento;
  /** A Cloud Run job unit's recent executions as the last check read them (none before a check). */
  executionsOf(unit: string): readonly HeldExecution[];
}

const RUN_ANYWAY = 'Run Anyway';
const DEPLOY_THEN_RUN = 'Deploy (then run)';
const SHOW_TERMINAL = 'Show Terminal';
const CANCEL_EXECUTION = 'Cancel Execution';

export class DataJobs extends Disposable {
  private readonly running = new Map<string, vscode.TaskExecution>();
  /** Per job: stops following its execution (with the window: the execution goes on in Cloud Run). */
  private readonly following = new Map<string, AbortController>();
  /** Per job: the terminal its last execution was followed in. */
  private readonly executionTerminals = new Map<string, vscode.Terminal>();
  /** The task name each job last ran with: its terminal's name. */
  private readonly lastTaskNames = new Map<string, string>();
  private readonly scoreboards: ScoreboardPanels;
  /** This window's runs: running now and how the last ones ended, per job (stateOf adds Cloud Run's). */
  readonly runs = this._register(new JobRuns());

  constructor(
    private readonly deps: DataJobDeps,
    private readonly logger: Logger,
  ) {
    super();
    this.scoreboards = this._register(new ScoreboardPanels(deps.extensionUri, logger));
  }

  async run(config: DriftConfig, job: DataJobConfig, range: DateRange, whenBlocked: WhenBlocked): Promise<DataJobOutcome> {
    // One run per job at a time, from the guard check on: two runs of a backfill would collide.
    if (this.runs.get(job.name).phase !== 'idle') {
      throw new UserFacingError(`${job.name} is already running.`, [{ title: SHOW_TERMINAL, run: () => this.showTerminal(job.name) }], 'warning');
    }
    this.runs.setPhase(job.name, 'checking');
    const startedAt = new Date().toISOString();
    let outcome: DataJobOutcome | undefined;
    try {
      outcome = await this.guardAndRun(config, job, range, whenBlocked);
      return outcome;
    } finally {
      const endedAt = new Date().toISOString();
      if (outcome?.kind === 'refused') this.runs.finish(job.name, { range, startedAt, endedAt, result: { kind: 'refused', blockers: outcome.report.blockers.map((b) => b.message) } });
      else if (outcome?.kind === 'finished') this.runs.finish(job.name, { range, endedAt, ...runEndOf(outcome, config.commitLabel, startedAt) });
      // Failed before its task (a template or API error): the last run stays what it was.
      else this.runs.setPhase(job.name, 'idle');
    }
  }

  private async guardAndRun(config: DriftConfig, job: DataJobConfig, range: DateRange, whenBlocked: WhenBlocked): Promise<DataJobOutcome> {
    if (job.cloudRunJob) return this.guardAndExecute(config, job, range, whenBlocked);
    const commandLine = fromTemplate(() => jobCommandLine(config, job, range));
    const bigquery = this.deps.createBigQueryReader(job, config);
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Checking ${job.name}'s guards…` },
      async () => checkJobGuards(config, job, { ...(await this.deps.coreContext()), bigquery }),
    );
    for (const line of describeGuardReport(report)) this.logger.info(`${job.name}: ${line}`);
    if (report.blockers.length > 0) {
      const proceed = whenBlocked === 'run' || (whenBlocked === 'ask' && (await this.askToRunAnyway(job, report)));
      if (!proceed) return { kind: 'refused', job: job.name, range, report };
      this.logger.warn(`${job.name}: running despite ${report.blockers.length} failed guard(s)`);
    }

    const taskName = `${job.name} ${range.start}..${range.end}`;
    this.lastTaskNames.set(job.name, taskName);
    const around = await this.runWithScoreboard(config, job, range, bigquery, () => this.runTask(config, job, taskName, commandLine, range), (exitCode) => exitCode === 0);
    const exitCode = around.result;
    return { kind: 'finished', job: job.name, range, report, exitCode, scoreboard: resultOf(around.after), scoreboardBefore: resultOf(around.before) };
  }

  /**
   * Runs a data job with its scoreboard around it: reads the range just before `run` starts the job,
   * and when the run ends and `succeeded` says it did, reads it again and opens the view with both
   * reads (the change per row and in the totals). A job without a scoreboard just runs. Whatever kind
   * of run `run` starts (a local command, a Cloud Run job execution), it owns its own notifications.
   */
  async runWithScoreboard<T>(
    config: DriftConfig,
    job: DataJobConfig,
    range: DateRange,
    reader: BigQueryReader,
    run: () => Promise<T>,
    succeeded: (result: T) => boolean,
  ): Promise<{ result: T; before: ScoreboardRead | undefined; after: ScoreboardRead | undefined }> {
    const source = job.scoreboard === undefined ? undefined : this.scoreboardSource(config, job, reader);
    const before = source ? await readForView(source, range) : undefined;
    if (before?.kind === 'failed') this.logger.warn(`${job.name}: the scoreboard could not be read before the run: ${before.error}`);
    const result = await run();
    if (!source || !succeeded(result)) return { result, before, after: undefined };
    const after = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Reading ${job.name}'s scoreboard…` }, () => readForView(source, range));
    this.scoreboards.show(source, range, after, before);
    if (after.kind === 'failed') void vscode.window.showWarningMessage(`${job.name} finished, but its scoreboard could not be read: ${after.error}`);
    return { result, before, after };
  }

  private async runTask(config: DriftConfig, job: DataJobConfig, taskName: string, commandLine: string, range: DateRange): Promise<number | undefined> {
    const { exitCode } = await runShellTask(
      {
        // The root tells apart jobs of the same name in two repositories of the workspace.
        definition: { type: JOB_TASK_TYPE, job: job.name, root: config.root },
        isOwn: (d) => d.type === JOB_TASK_TYPE && (d as { job?: unknown }).job === job.name && (d as { root?: unknown }).root === config.root,
        taskName,
        commandLine,
        cwd: config.root,
        // Stopped from its terminal (kill, Ctrl-C) like any task, or with the window (dispose).
        signal: new AbortController().signal,
        onStarted: (execution) => {
          this.running.set(job.name, execution);
          this.runs.setPhase(job.name, 'running');
        },
      },
      this.logger,
    ).finally(() => this.running.delete(job.name));

    this.announceEnd(job, range, exitCode, () => this.showTerminal(job.name));
    return exitCode;
  }

  /**
   * How every run that ran ends, a command's or a Cloud Run job execution's: its message, with Show
   * Terminal. `exitCode` undefined: it was stopped. (runWithScoreboard then shows the scoreboard.)
   */
  private announceEnd(job: DataJobConfig, range: DateRange, exitCode: number | undefined, showTerminal: () => void, execution?: ExecutionResult): void {
    if (exitCode !== 0) {
      const how = execution?.outcome === 'cancelled' ? 'was cancelled' : exitCode === undefined ? 'was stopped' : `failed (exit code ${exitCode})`;
      void vscode.window.showErrorMessage(`${job.name} ${how} for ${range.start} to ${range.end}.`, SHOW_TERMINAL).then((choice) => {
        if (choice === SHOW_TERMINAL) showTerminal();
      });
      return;
    }
    void vscode.window.showInformationMessage(`${job.name} finished for ${range.start} to ${range.end}.`, SHOW_TERMINAL).then((choice) => {
      if (choice === SHOW_TERMINAL) showTerminal();
    });
  }

  /**
   * A data job that executes a Cloud Run job: the guards (the job itself up to date among them; a
   * stale one offers Deploy (then run)), then RunJob with the arguments as overrides, and the
   * execution followed live in a terminal of its own until it ends.
   */
  private async guardAndExecute(config: DriftConfig, job: DataJobConfig, range: DateRange, whenBlocked: WhenBlocked): Promise<DataJobOutcome> {
    const run = job.cloudRunJob!;
    // Expanded before anything is read: a value its variable cannot have never reaches the API.
    const args = fromTemplate(() => jobExecutionArgs(config, job, range));
    const unit = config.services.find((s) => s.name === run.unit)!;
    const bigquery = this.deps.createBigQueryReader(job, config);
    const context = await this.deps.coreContext();
    const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Checking ${job.name}'s guards…` }, () =>
      checkJobGuards(config, job, { ...context, bigquery }),
    );
    for (const line of describeGuardReport(report)) this.logger.info(`${job.name}: ${line}`);
    if (report.blockers.length > 0) {
      const choice = whenBlocked === 'run' ? 'run-anyway' : whenBlocked === 'refuse' ? null : await this.askWhenBlocked(job, report);
      if (choice === 'deploy-then-run') {
        const target = blockedDecision(report).deploy!;
        const deployed = await this.deps.deploy(target);
        this.logger.info(`${job.name}: deploy of ${target}: ${deployed.kind} (${deployed.message})`);
        if (deployed.kind !== 'verified') {
          void vscode.window.showErrorMessage(`${job.name} was not started: the deploy of ${target} did not verify (${deployed.message}).`);
          return { kind: 'refused', job: job.name, range, report };
        }
        // The guards again, against what is live now.
        return this.guardAndExecute(config, job, range, whenBlocked);
      }
      if (choice !== 'run-anyway') return { kind: 'refused', job: job.name, range, report };
      this.logger.warn(`${job.name}: running despite ${report.blockers.length} failed guard(s)`);
    }

    const reader = context.reader;
    const ref = { project: unit.project, region: unit.region, name: unit.name };
    const around = await this.runWithScoreboard(config, job, range, bigquery, () => this.executeAndFollow(config, job, range, reader, ref, args), (ended) => ended.exitCode === 0);
    const { exitCode, result } = around.result;
    return { kind: 'finished', job: job.name, range, report, exitCode, execution: result, scoreboard: resultOf(around.after), scoreboardBefore: resultOf(around.before) };
  }

  /** Starts the execution with its arguments and follows it in a terminal of its own until it ends. */
  private async executeAndFollow(
    config: DriftConfig,
    job: DataJobConfig,
    range: DateRange,
    reader: CloudRunReader,
    ref: { project: string; region: string; name: string },
    args: string[],
  ): Promise<{ exitCode: number | undefined; result: ExecutionResult }> {
    const run = job.cloudRunJob!;
    const unit = config.services.find((s) => s.name === run.unit)!;
    let started: ExecutionFacts;
    try {
      started = await reader.runJob!(ref, { args, taskCount: run.taskCount, timeoutSeconds: run.timeoutSeconds });
    } catch (err) {
      throw new UserFacingError(`${job.name}: could not start an execution of ${unit.name}: ${errorText(err)}`);
    }
    this.runs.setPhase(job.name, 'running');
    this.logger.info(`${job.name}: started ${started.name} of ${unit.name} with ${JSON.stringify(args)}`);

    const stop = new AbortController();
    this.following.set(job.name, stop);
    const executionRef = { ...ref, execution: started.name };
    const pty = new ExecutionTerminal({
      onInterrupt: () => void this.askToCancel(reader, executionRef, pty),
      onClosedEarly: () => stop.abort(),
    });
    const terminal = vscode.window.createTerminal({ name: `${job.name} ${range.start}..${range.end}`, pty, iconPath: new vscode.ThemeIcon('run') });
    this.executionTerminals.get(job.name)?.dispose();
    this.executionTerminals.set(job.name, terminal);
    terminal.show(true);
    pty.writeLines([executionStartedLine(started, unit, args), 'Ctrl-C asks whether to cancel the execution; closing this terminal stops following it.']);
    const logs = await this.deps.createLogSource(config, unit.project).catch((err: unknown) => {
      pty.writeLines([`cloud-run-drift: the execution's log entries cannot be read (${errorText(err)}); following its status only`]);
      return null;
    });
    let result: ExecutionResult;
    try {
      result = await followExecution({ getExecution: (r, o) => reader.getExecution!(r, o), logs }, executionRef, {
        started,
        signal: stop.signal,
        onEvent: (event) => pty.writeLines(followEventLines(event).lines),
      });
    } finally {
      this.following.delete(job.name);
      await logs?.close();
    }
    const exitCode = executionExitCode(result.outcome);
    pty.finish(executionResultLine(job.name, unit, started.name, result), exitCode);
    // Not followed to its end (the terminal was closed): how it ended is not known, so no run is recorded as ended.
    const recorded = result.outcome === 'detached' || result.outcome === 'unknown' ? undefined : exitCode;
    this.announceEnd(job, range, recorded, () => terminal.show(), result);
    return { exitCode: recorded, result };
  }

  /** Ctrl-C in an execution's terminal: cancel the execution, or keep it running. */
  private async askToCancel(reader: CloudRunReader, ref: ExecutionRef, pty: ExecutionTerminal): Promise<void> {
    const choice = await vscode.window.showWarningMessage(`Cancel ${ref.execution}?`, { modal: true, detail: `The execution of ${ref.name} runs in Cloud Run; cancelling it stops its tasks that are still running.` }, CANCEL_EXECUTION);
    if (choice !== CANCEL_EXECUTION) return;
    try {
      await reader.cancelExecution!(ref);
      pty.writeLines([`Cancellation of ${ref.execution} requested.`]);
    } catch (err) {
      pty.writeLines([`cloud-run-drift: ${ref.execution} could not be cancelled: ${errorText(err)}`]);
    }
  }

  /** A refused run of a data job that executes a Cloud Run job: Deploy (then run) when it helps, Run Anyway, or nothing. */
  private async askWhenBlocked(job: DataJobConfig, report: JobGuardReport): Promise<BlockedChoice | null> {
    const decision = blockedDecision(report);
    const titles: Record<BlockedChoice, string> = { 'deploy-then-run': DEPLOY_THEN_RUN, 'run-anyway': RUN_ANYWAY };
    const failed = report.blockers.length;
    const stale = report.blockers.some((b) => b.kind === 'stale-job' && b.deployable);
    const choice = await vscode.window.showWarningMessage(
      stale ? `${job.name} was not started: Deploy the job first.` : `${job.name} was not started: ${failed} guard${failed === 1 ? '' : 's'} failed.`,
      { modal: true, detail: describeGuardReport(report).join('\n') },
      ...decision.choices.map((c) => titles[c]),
    );
    return decision.choices.find((c) => titles[c] === choice) ?? null;
  }

  /**
   * A job's runs as the Data Jobs view shows them: this window's, and for a data job that executes a
   * Cloud Run job, its executions as the last check read them (from any window, the CLI or gcloud,
   * finished or still running), newest first.
   */
  stateOf(job: DataJobConfig): JobRunState {
    const held = job.cloudRunJob ? heldRuns(job, this.deps.executionsOf(job.cloudRunJob.unit)) : [];
    return withHeldRuns(this.runs.get(job.name), held);
  }

  /**
   * The range the scoreboard opens with when none is given: the range of the run that started last
   * (this window's or one Cloud Run holds), the last picked, the configured, or the last 7 days.
   */
  defaultScoreboardRange(job: DataJobConfig): DateRange {
    return scoreboardRange({ lastRun: newestRun(this.stateOf(job).recent)?.range, remembered: rememberedRange(this.deps.memento, job.name), configured: job.scoreboardRange }, utcToday());
  }

  /**
   * Reads the job's scoreboard for the range (default: defaultScoreboardRange) and shows it; a failed
   * query shows BigQuery's message in the view. Resolves with the read.
   */
  async showScoreboard(config: DriftConfig, job: DataJobConfig, range = this.defaultScoreboardRange(job), reader = this.deps.createBigQueryReader(job, config)): Promise<ScoreboardResult> {
    if (job.scoreboard === undefined) throw new UserFacingError(`${job.name} has no "scoreboard" query in cloud-run-drift.json.`, [], 'warning');
    const source = this.scoreboardSource(config, job, reader);
    const read = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Reading ${job.name}'s scoreboard…` }, () => readForView(source, range));
    this.scoreboards.show(source, range, read);
    return resultOf(read)!;
  }

  private scoreboardSource(config: DriftConfig, job: DataJobConfig, reader: BigQueryReader): ScoreboardSource {
    const sql = job.scoreboard!;
    return {
      job: job.name,
      read: (range) => readScoreboard(reader, sql, range, job.totals),
      rangePicked: (range) => void rememberRange(this.deps.memento, job.name, range),
      exportFolder: config.root,
    };
  }

  private showTerminal(job: string): void {
    showTaskTerminal(this.lastTaskNames.get(job));
  }

  private async askToRunAnyway(job: DataJobConfig, report: JobGuardReport): Promise<boolean> {
    const failed = report.blockers.length;
    const choice = await vscode.window.showWarningMessage(
      `${job.name} was not started: ${failed} guard${failed === 1 ? '' : 's'} failed.`,
      { modal: true, detail: describeGuardReport(report).join('\n') },
      RUN_ANYWAY,
    );
    // Cancel is the answer to the dialog's question: the run ends refused, as the guards said.
    return choice === RUN_ANYWAY;
  }

  override dispose(): void {
    // Jobs started from this window do not outlive it half-watched: stop them with it.
    for (const execution of this.running.values()) execution.terminate();
    this.running.clear();
    // An execution runs in Cloud Run, not here: stop following it, and leave it running.
    for (const stop of this.following.values()) stop.abort();
    this.following.clear();
    super.dispose();
  }
}

function resultOf(read: ScoreboardRead | undefined): ScoreboardResult | undefined {
  if (!read) return undefined;
  return read.kind === 'read' ? read.board : { error: read.error };
}
