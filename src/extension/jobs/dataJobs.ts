// Data jobs in the editor: guards (with a progress notification), the job as a Task in the
// integrated terminal, then its scoreboard: read just before the run starts and again when it
// succeeds, shown with the change per row and in the totals. The decisions are core's (core/jobs);
// this class owns what lives in the window: the running tasks and the scoreboard panels.
import * as vscode from 'vscode';
import type { DataJobConfig, DriftConfig } from '../../core/config';
import type { BigQueryReader } from '../../core/jobs/bigquery';
import { scoreboardRange, utcToday, type DateRange } from '../../core/jobs/dates';
import { checkJobGuards, describeGuardReport, type JobGuardDeps, type JobGuardReport } from '../../core/jobs/guards';
import { jobCommandLine, readScoreboard } from '../../core/jobs/job';
import type { Scoreboard } from '../../core/jobs/totals';
import { TemplateError } from '../../core/shellTemplate';
import { COMMAND_IDS } from '../commandIds';
import { Disposable } from '../platform/disposable';
import { UserFacingError } from '../platform/errors';
import type { Logger } from '../platform/logger';
import { runShellTask, showTaskTerminal } from '../tasks/shellTask';
import { rememberedRange, rememberRange } from './jobInputs';
import { JobRuns } from './jobRuns';
import type { ScoreboardRead } from './scoreboardHtml';
import { readForView, ScoreboardPanels, type ScoreboardSource } from './scoreboardPanels';

/** The task type of data job tasks; contributed in package.json so VS Code knows the definition. */
export const JOB_TASK_TYPE = 'cloudRunDrift.job';

/** What to do when a guard fails: ask (a modal with Run Anyway), refuse, or run regardless. */
export type WhenBlocked = 'ask' | 'refuse' | 'run';

export type DataJobOutcome =
  | { kind: 'refused'; job: string; range: DateRange; report: JobGuardReport }
  | { kind: 'finished'; job: string; range: DateRange; report: JobGuardReport; exitCode: number | undefined; scoreboard: ScoreboardResult | undefined; scoreboardBefore: ScoreboardResult | undefined };

/** One read of a scoreboard as a run's outcome reports it. */
export type ScoreboardResult = Scoreboard | { error: string };

export interface DataJobDeps {
  /** Cloud Run and git as the session has them (endpoints already filtered for trust). */
  coreContext(): Promise<Omit<JobGuardDeps, 'bigquery'>>;
  createBigQueryReader(job: DataJobConfig, config: DriftConfig): BigQueryReader;
  /** The extension's folder (the scoreboard view's script and stylesheet are under media/scoreboard/). */
  extensionUri: vscode.Uri;
  /** Where the range last picked for each job is remembered. */
  memento: vscode.Memento;
}

const RUN_ANYWAY = 'Run Anyway';
const SHOW_TERMINAL = 'Show Terminal';

export class DataJobs extends Disposable {
  private readonly running = new Map<string, vscode.TaskExecution>();
  /** The task name each job last ran with: its terminal's name. */
  private readonly lastTaskNames = new Map<string, string>();
  private readonly scoreboards: ScoreboardPanels;
  /** Running now and the last run's end, per job: what the Data Jobs view shows. */
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
    let outcome: DataJobOutcome | undefined;
    try {
      outcome = await this.guardAndRun(config, job, range, whenBlocked);
      return outcome;
    } finally {
      const endedAt = new Date().toISOString();
      if (outcome?.kind === 'refused') this.runs.finish(job.name, { range, endedAt, end: { kind: 'refused', blockers: outcome.report.blockers.map((b) => b.message) } });
      else if (outcome?.kind === 'finished') this.runs.finish(job.name, { range, endedAt, end: outcome.exitCode === 0 ? { kind: 'succeeded' } : { kind: 'failed', exitCode: outcome.exitCode } });
      // Failed before its task (a template or API error): the last run stays what it was.
      else this.runs.setPhase(job.name, 'idle');
    }
  }

  private async guardAndRun(config: DriftConfig, job: DataJobConfig, range: DateRange, whenBlocked: WhenBlocked): Promise<DataJobOutcome> {
    let commandLine: string;
    try {
      commandLine = jobCommandLine(config, job, range);
    } catch (err) {
      if (err instanceof TemplateError) throw new UserFacingError(err.message, [{ title: 'Open Config', run: () => vscode.commands.executeCommand(COMMAND_IDS.openConfig) }]);
      throw err;
    }
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

    if (exitCode !== 0) {
      const how = exitCode === undefined ? 'was stopped' : `failed (exit code ${exitCode})`;
      void vscode.window.showErrorMessage(`${job.name} ${how} for ${range.start} to ${range.end}.`, SHOW_TERMINAL).then((choice) => {
        if (choice === SHOW_TERMINAL) this.showTerminal(job.name);
      });
      return exitCode;
    }
    void vscode.window.showInformationMessage(`${job.name} finished for ${range.start} to ${range.end}.`, SHOW_TERMINAL).then((choice) => {
      if (choice === SHOW_TERMINAL) this.showTerminal(job.name);
    });
    return exitCode;
  }

  /** The range the scoreboard opens with when none is given: the last run's, the last picked, the configured, or the last 7 days. */
  defaultScoreboardRange(job: DataJobConfig): DateRange {
    return scoreboardRange({ lastRun: this.runs.get(job.name).last?.range, remembered: rememberedRange(this.deps.memento, job.name), configured: job.scoreboardRange }, utcToday());
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
    super.dispose();
  }
}

function resultOf(read: ScoreboardRead | undefined): ScoreboardResult | undefined {
  if (!read) return undefined;
  return read.kind === 'read' ? read.board : { error: read.error };
}
