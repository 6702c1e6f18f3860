// What a data job command asks: which job (a quick pick when there are several) and its date range
// (two input boxes that say what is wrong as the user types, and remember the last range per job).
import * as vscode from 'vscode';
import type { DataJobConfig, DriftConfig } from '../../core/config';
import { addDays, DateRangeError, dateProblem, parseDateRange, utcToday, type DateRange } from '../../core/jobs/dates';
import { findJob, UnknownJobError } from '../../core/jobs/job';
import { COMMAND_IDS } from '../commandIds';
import { UserCancelledError, UserFacingError } from '../platform/errors';
import { isJobScoped } from '../tree/treeNode';

/** A repository as hasJobs and holdsJob see it: its session's configuration. */
interface ConfiguredRepo {
  readonly session: { readonly config: Pick<DriftConfig, 'jobs'> | undefined };
}

/** Whether a repository configures data jobs (for resolveRepo: the palette offers only those). */
export function hasJobs(repo: ConfiguredRepo): boolean {
  return (repo.session.config?.jobs.length ?? 0) > 0;
}

/** Whether a repository configures a data job of that name (for resolveRepo: a name picks its repository). */
export function holdsJob(repo: ConfiguredRepo, name: string): boolean {
  return repo.session.config?.jobs.some((job) => job.name === name) ?? false;
}

/** `arg`: a Data Jobs row, a job's name (tests, other commands), or nothing (a quick pick when there are several). */
export async function resolveJob(config: DriftConfig, name: unknown, placeHolder: string): Promise<DataJobConfig> {
  if (config.jobs.length === 0) {
    throw new UserFacingError('cloud-run-drift.json has no data jobs: add one under "jobs".', [
      { title: 'Open Config', run: () => vscode.commands.executeCommand(COMMAND_IDS.openConfig) },
    ], 'warning');
  }
  const given = isJobScoped(name) ? name.jobName : name;
  if (typeof given === 'string') {
    try {
      return findJob(config, given);
    } catch (err) {
      if (err instanceof UnknownJobError) throw new UserFacingError(err.message, [], 'warning');
      throw err;
    }
  }
  if (config.jobs.length === 1) return config.jobs[0]!;
  const picked = await vscode.window.showQuickPick(
    config.jobs.map((job) => ({ label: job.name, description: job.description ?? '', detail: job.requires.length > 0 ? `requires ${job.requires.join(', ')}` : undefined, job })),
    { placeHolder, ignoreFocusOut: true },
  );
  if (!picked) throw new UserCancelledError();
  return picked.job;
}

const lastRangeKey = (job: string): string => `cloudRunDrift.job.${job}.range`;

/** The range last typed or picked for the job (unchecked: scoreboardRange checks it). */
export function rememberedRange(memento: vscode.Memento, job: string): { start: string; end: string } | undefined {
  const value = memento.get<unknown>(lastRangeKey(job));
  return isRangeArgument(value) ? value : undefined;
}

export function rememberRange(memento: vscode.Memento, job: string, range: DateRange): Thenable<void> {
  return memento.update(lastRangeKey(job), { start: range.start, end: range.end });
}

/** A range handed in (tests, other commands) is checked like typed input; otherwise two input boxes ask for it. */
export async function resolveDateRange(job: DataJobConfig, given: unknown, memento: vscode.Memento, maxDays = job.maxDays): Promise<DateRange> {
  const today = utcToday();
  if (isRangeArgument(given)) {
    try {
      return parseDateRange(given.start, given.end, { maxDays, today });
    } catch (err) {
      if (err instanceof DateRangeError) throw new UserFacingError(`${job.name}: ${err.message}.`, [], 'warning');
      throw err;
    }
  }
  const last = rememberedRange(memento, job.name);
  const yesterday = addDays(today, -1);
  const start = await ask({
    title: `${job.name}: start date (1/2)`,
    prompt: `The first date to process, YYYY-MM-DD (UTC). At most ${maxDays} days per run.`,
    value: last?.start ?? yesterday,
    validateInput: (text) => dateProblem(text.trim()),
  });
  const end = await ask({
    title: `${job.name}: end date (2/2)`,
    prompt: `The last date to process, YYYY-MM-DD (UTC), from ${start}.`,
    value: last?.end && last.end >= start ? last.end : start,
    validateInput: (text) => {
      try {
        parseDateRange(start, text, { maxDays, today });
        return undefined;
      } catch (err) {
        return err instanceof DateRangeError ? err.message : String(err);
      }
    },
  });
  const range = parseDateRange(start, end, { maxDays, today });
  await rememberRange(memento, job.name, range);
  return range;
}

function isRangeArgument(value: unknown): value is { start: string; end: string } {
  const record = value as { start?: unknown; end?: unknown } | null | undefined;
  return typeof record === 'object' && record !== null && typeof record.start === 'string' && typeof record.end === 'string';
}

async function ask(options: vscode.InputBoxOptions): Promise<string> {
  const value = await vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
  if (value === undefined) throw new UserCancelledError();
  return value.trim();
}
