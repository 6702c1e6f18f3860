// What a followed Cloud Run job execution reads like in a terminal: the CLI's `job` and the editor's
// execution terminal print the same lines. Text only (TerminalText): the writer escapes it for the
// terminal (../terminalText.ts), so nothing the API or a log entry says reaches a terminal raw.
import type { ServiceConfig } from '../config';
import { formatDuration } from '../verdicts/format';
import { terminalLogLine } from '../logs';
import type { ExecutionFacts } from '../model';
import { styled, type TerminalText } from '../text/terminalText';
import { taskSummary, type ExecutionResult, type FollowEvent } from './followExecution';

/** `Started grading-backfill-x7k2p of grading-backfill (project/region) with ["--start-date=…"]`. */
export function executionStartedLine(execution: ExecutionFacts, unit: Pick<ServiceConfig, 'name' | 'project' | 'region'>, args: readonly string[]): string {
  return `Started ${execution.name} of ${unit.name} (${unit.project}/${unit.region}) with ${JSON.stringify(args)}`;
}

/** `grading-backfill-x7k2p: running (tasks: 1 running, 0 succeeded, 0 failed of 2)`. */
export function executionStatusLine(execution: ExecutionFacts): string {
  return `${execution.name}: ${execution.status} (tasks: ${taskSummary(execution)})`;
}

/** A follow event as lines: log entries (`log`) apart from what is said about the execution (`status`). */
export function followEventLines(event: FollowEvent): { kind: 'log' | 'status'; lines: TerminalText[] } {
  switch (event.type) {
    case 'status':
      return { kind: 'status', lines: [executionStatusLine(event.execution)] };
    case 'entries':
      return { kind: 'log', lines: event.entries.map(terminalLogLine) };
    case 'notice':
      return { kind: 'status', lines: [`cloud-run-drift: ${event.message}`] };
    case 'end':
      return { kind: 'status', lines: [] };
  }
}

/** How long the execution ran, from its start (or creation) to its completion; null until it has completed. */
export function executionDurationMs(execution: ExecutionFacts | null): number | null {
  const started = Date.parse(execution?.startTime ?? execution?.createTime ?? '');
  const completed = Date.parse(execution?.completionTime ?? '');
  return Number.isFinite(started) && Number.isFinite(completed) ? Math.max(0, completed - started) : null;
}

/** The last line of a followed execution: how it ended and, when it goes on, how to follow or cancel it. */
export function executionResultLine(job: string, unit: Pick<ServiceConfig, 'name' | 'project' | 'region'>, name: string, result: ExecutionResult): TerminalText {
  const duration = executionDurationMs(result.execution);
  const took = duration === null ? '' : ` in ${formatDuration(duration)}`;
  switch (result.outcome) {
    case 'succeeded':
      return [styled('32', `${name} succeeded`), took];
    case 'failed':
      return styled('31', `${job} failed: ${name}: ${result.message ?? 'the execution failed'}`);
    case 'cancelled':
      return styled('33', `${job} was cancelled: ${name} ended before its tasks did`);
    case 'detached':
      return `stopped following ${name}; it goes on running in Cloud Run. Follow it: cloud-run-drift logs ${unit.name} --execution ${name} --follow; cancel it: gcloud run jobs executions cancel ${name} --region ${unit.region} --project ${unit.project}`;
    case 'unknown':
      return `how ${name} ended is not known: ${result.message ?? 'its status could not be read'}`;
  }
}
