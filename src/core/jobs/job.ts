// Choosing a configured data job and turning a date range into its command line.
//
// API (no vscode import):
//
//   findJob(config, name?)                 → DataJobConfig; throws UnknownJobError (none, unknown, or a choice needed)
//   jobCommandLine(config, job, range)     → the bash command line; throws TemplateError with the JSON path
//   jobExecutionArgs(config, job, range)   → a Cloud Run job execution's arguments; throws TemplateError likewise
//   readScoreboard(reader, sql, range, totals?) → a job's scoreboard for the range: its rows and totals row
//                                                (the CLI and the editor; totals.ts says where the totals come from)
import type { DataJobConfig, DriftConfig, TotalsRules } from '../config';
import { jsonPath } from '../config';
import { TemplateError } from '../text/shellTemplate';
import type { BigQueryCallOptions, BigQueryReader } from './bigquery';
import { expandJobArgs } from './args';
import { expandJobCommand } from './command';
import type { DateRange } from './dates';
import { scoreboardOf, type Scoreboard } from './totals';

export class UnknownJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownJobError';
  }
}

export function findJob(config: DriftConfig, name: string | undefined): DataJobConfig {
  const names = config.jobs.map((j) => j.name);
  if (names.length === 0) throw new UnknownJobError(`${config.file} configures no data jobs (add one under "jobs")`);
  if (name === undefined) {
    if (names.length === 1) return config.jobs[0]!;
    throw new UnknownJobError(`name the job: ${names.join(', ')}`);
  }
  const job = config.jobs.find((j) => j.name === name);
  if (!job) throw new UnknownJobError(`no data job "${name}" (configured: ${names.join(', ')})`);
  return job;
}

export function jobCommandLine(config: DriftConfig, job: DataJobConfig, range: DateRange): string {
  if (job.command === undefined) throw new TemplateError(`${config.file}: ${jsonPath(['jobs', job.name])}: ${job.name} executes the Cloud Run job ${job.cloudRunJob?.unit ?? '(none)'}; it has no command`, null);
  try {
    return expandJobCommand(job.command, { startDate: range.start, endDate: range.end, project: job.project, workspaceFolder: config.root }).commandLine;
  } catch (err) {
    if (err instanceof TemplateError) throw new TemplateError(`${config.file}: ${jsonPath(['jobs', job.name, 'command'])}: ${err.message}`, err.variable);
    throw err;
  }
}

/** The arguments of the Cloud Run job execution a data job starts for `range`; throws TemplateError with the JSON path. */
export function jobExecutionArgs(config: DriftConfig, job: DataJobConfig, range: DateRange): string[] {
  if (job.cloudRunJob === undefined) throw new TemplateError(`${config.file}: ${jsonPath(['jobs', job.name])}: ${job.name} runs a command; it executes no Cloud Run job`, null);
  try {
    return expandJobArgs(job.cloudRunJob.args, { startDate: range.start, endDate: range.end, project: job.project });
  } catch (err) {
    if (err instanceof TemplateError) throw new TemplateError(`${config.file}: ${jsonPath(['jobs', job.name, 'args'])}: ${err.message}`, err.variable);
    throw err;
  }
}

/** Runs a job's scoreboard query with the range as its @startDate and @endDate; the totals row as the query or `totals` gives it. */
export async function readScoreboard(reader: BigQueryReader, scoreboardSql: string, range: DateRange, totals?: TotalsRules, options?: BigQueryCallOptions): Promise<Scoreboard> {
  const table = await reader.query(scoreboardSql, { startDate: range.start, endDate: range.end }, options);
  return scoreboardOf(table, scoreboardSql, totals);
}
