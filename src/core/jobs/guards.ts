// The guards a data job runs behind, the ways the operations log lost work:
//   - stale code: a backfill started while a service it depends on still served old code;
//   - a stale Cloud Run job: a backfill executed on a job image built from old code (the job a data
//     job executes must carry HEAD's code for its paths: "Deploy the job first");
//   - the streaming buffer: rows streamed into the job's table recently cannot be deleted, updated
//     or merged until BigQuery flushes them, so a re-run collides with the previous one.
//
// API (no vscode import):
//
//   checkJobGuards(config, job, deps, now)      → JobGuardReport (reads Cloud Run, git and BigQuery at once)
//   evaluateJobGuards(job, verdicts, buffer, now) → JobGuardReport (the decision alone, pure)
//   describeGuardReport(report)                 → lines for a terminal or a dialog
//   blockedDecision(report)                     → what a refused run offers (Deploy (then run), Run Anyway)
//
// A guard that cannot be checked (an API failure) is a blocker too: the job never runs on an
// assumption. Every blocker can be overridden knowingly (the CLI's --force, the editor's "Run Anyway").
import { checkServices, type CheckDeps } from '../check';
import type { DataJobConfig, DriftConfig } from '../config';
import { relativeTime, STATUS_LABELS } from '../verdicts/format';
import type { ServiceVerdict } from '../model';
import { short } from '../verdicts/verdict';
import { BigQueryApiError, type BigQueryReader, type StreamingBuffer } from './bigquery';
import { errorText } from '../text/messageText';

export type JobBlocker =
  | { kind: 'stale-code'; subject: string; message: string }
  /**
   * The Cloud Run job a data job executes is not up to date: its next execution would run other
   * code than HEAD's. `deployable`: deploying it would fix that (false while a deploy is in progress).
   */
  | { kind: 'stale-job'; subject: string; message: string; deployable: boolean }
  | { kind: 'streaming-buffer'; subject: string; message: string; estimatedRows: number; oldestEntryTime: string | null }
  | { kind: 'unchecked'; subject: string; message: string };

export interface JobGuardReport {
  job: string;
  /** Empty: the job may run. */
  blockers: JobBlocker[];
  /** What was checked and found fine, one line each. */
  passed: string[];
}

/** `missing`: the table does not exist (yet), so nothing can be buffered in it; the job may create it. */
export type BufferReading = { table: string; buffer: StreamingBuffer | null; missing?: boolean } | { table: string; error: string };

export interface JobGuardDeps extends CheckDeps {
  bigquery: BigQueryReader;
}

export async function checkJobGuards(config: DriftConfig, job: DataJobConfig, deps: JobGuardDeps, now: () => Date = () => new Date()): Promise<JobGuardReport> {
  const table = job.table;
  const units = [...new Set([...job.requires, ...(job.cloudRunJob ? [job.cloudRunJob.unit] : [])])];
  const [verdicts, buffer] = await Promise.all([
    units.length > 0 ? checkServices(config, deps, { services: units }).then((r) => r.services) : Promise.resolve([]),
    table === undefined
      ? Promise.resolve(undefined)
      : deps.bigquery.streamingBuffer(table).then(
          (state): BufferReading => ({ table, buffer: state }),
          (err: unknown): BufferReading =>
            err instanceof BigQueryApiError && err.status === 404 ? { table, buffer: null, missing: true } : { table, error: errorText(err) },
        ),
  ]);
  return evaluateJobGuards(job, verdicts, buffer, now());
}

export function evaluateJobGuards(job: DataJobConfig, verdicts: readonly ServiceVerdict[], buffer: BufferReading | undefined, now: Date): JobGuardReport {
  const blockers: JobBlocker[] = [];
  const passed: string[] = [];
  const executed = job.cloudRunJob?.unit;
  if (executed !== undefined) judgeExecutedJob(executed, verdicts.find((v) => v.name === executed), blockers, passed);
  for (const name of job.requires) {
    if (name === executed) continue;
    const verdict = verdicts.find((v) => v.name === name);
    if (!verdict) {
      blockers.push({ kind: 'unchecked', subject: name, message: `${name}: no verdict (it was not checked)` });
    } else if (verdict.missingPaths.length > 0) {
      // Up to date for the paths that exist says nothing of the one meant by the misspelt path.
      blockers.push({ kind: 'unchecked', subject: name, message: `${name}: could not be checked: ${verdict.message}` });
    } else if (verdict.status === 'up-to-date') {
      passed.push(`${name} serves HEAD's code for its paths${verdict.deployedCommit ? ` (${short(verdict.deployedCommit)})` : ''}`);
    } else if (verdict.status === 'error') {
      blockers.push({ kind: 'unchecked', subject: name, message: `${name}: could not be checked: ${verdict.message}` });
    } else {
      const behind = verdict.status === 'stale' && verdict.commitsBehind !== null ? `, ${verdict.commitsBehind} commit${verdict.commitsBehind === 1 ? '' : 's'} behind` : '';
      blockers.push({ kind: 'stale-code', subject: name, message: `${name} is ${STATUS_LABELS[verdict.status]}${behind}: ${verdict.message} Deploy it before running ${job.name}.` });
    }
  }
  if (buffer && 'error' in buffer) {
    blockers.push({ kind: 'unchecked', subject: buffer.table, message: `${buffer.table}: streaming buffer could not be checked: ${buffer.error}` });
  } else if (buffer && buffer.buffer) {
    const { estimatedRows, oldestEntryTime } = buffer.buffer;
    const oldest = oldestEntryTime ? `, the oldest streamed ${relativeTime(oldestEntryTime.toISOString(), now)} (${oldestEntryTime.toISOString().slice(0, 16).replace('T', ' ')} UTC)` : '';
    blockers.push({
      kind: 'streaming-buffer',
      subject: buffer.table,
      estimatedRows,
      oldestEntryTime: oldestEntryTime?.toISOString() ?? null,
      message: `${buffer.table} has about ${estimatedRows} row${estimatedRows === 1 ? '' : 's'} in its streaming buffer${oldest}. BigQuery refuses DELETE, UPDATE and MERGE on them until it flushes the buffer; run ${job.name} once the buffer is empty.`,
    });
  } else if (buffer) {
    passed.push(buffer.missing ? `${buffer.table} does not exist yet, so nothing is in its streaming buffer` : `${buffer.table}: the streaming buffer is empty`);
  }
  return { job: job.name, blockers, passed };
}

/** The Cloud Run job a data job executes must carry HEAD's code for its paths: what its next execution runs. */
function judgeExecutedJob(name: string, verdict: ServiceVerdict | undefined, blockers: JobBlocker[], passed: string[]): void {
  if (!verdict) {
    blockers.push({ kind: 'unchecked', subject: name, message: `${name}: no verdict (it was not checked)` });
  } else if (verdict.missingPaths.length > 0 || verdict.status === 'error') {
    blockers.push({ kind: 'unchecked', subject: name, message: `${name}: could not be checked: ${verdict.message}` });
  } else if (verdict.status === 'up-to-date') {
    passed.push(`the Cloud Run job ${name} runs HEAD's code for its paths${verdict.deployedCommit ? ` (${short(verdict.deployedCommit)})` : ''}`);
  } else if (verdict.status === 'deploying') {
    blockers.push({ kind: 'stale-job', subject: name, deployable: false, message: `The Cloud Run job ${name} is being deployed: ${verdict.message} Run it once the deploy has settled.` });
  } else {
    const behind = verdict.status === 'stale' && verdict.commitsBehind !== null ? `, ${verdict.commitsBehind} commit${verdict.commitsBehind === 1 ? '' : 's'} behind` : '';
    blockers.push({ kind: 'stale-job', subject: name, deployable: true, message: `The Cloud Run job ${name} is ${STATUS_LABELS[verdict.status]}${behind}: ${verdict.message} Deploy the job first.` });
  }
}

/** What a refused run may offer: deploy the stale Cloud Run job and then run; run anyway. */
export type BlockedChoice = 'deploy-then-run' | 'run-anyway';

export interface BlockedDecision {
  choices: BlockedChoice[];
  /** The unit Deploy (then run) deploys, when offered. */
  deploy: string | null;
}

/**
 * The choices after the guards refused a run. Deploy (then run) is offered when the Cloud Run job the
 * data job executes is stale and deploying it would help: the run's guards are checked again after
 * the deploy, so other blockers still have their say. Run Anyway is always offered.
 */
export function blockedDecision(report: JobGuardReport): BlockedDecision {
  const stale = report.blockers.find((b): b is Extract<JobBlocker, { kind: 'stale-job' }> => b.kind === 'stale-job' && b.deployable);
  return stale ? { choices: ['deploy-then-run', 'run-anyway'], deploy: stale.subject } : { choices: ['run-anyway'], deploy: null };
}

export function describeGuardReport(report: JobGuardReport): string[] {
  return [...report.passed.map((line) => `✓ ${line}`), ...report.blockers.map((b) => `✗ ${b.message}`)];
}
