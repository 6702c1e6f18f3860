// Text and JSON forms of log entries: the CLI's output and the view's export. Pure; no vscode.
//
// API:
//   formatLogLine(entry)              "timestamp severity revision text" (a job's entries: its execution for the
//                                     revision), exactly as the entry has it (the .log export)
//   terminalLogLine(entry)            the same line as TerminalText (the CLI's human output): the severity in its
//                                     color, the text escaped when rendered (../terminalText.ts)
//   cliJson(entry)                    the CLI's --json object: {insertId, timestamp, severity, revision, execution?, text|json}
//   SEVERITY_ANSI                     the ANSI color per severity (the view can map the same buckets to theme colors)
import { styled, type TerminalText } from '../text/terminalText';
import { entryText, type JsonObject, type LogEntry } from './entry';
import { EXECUTION_NAME_LABEL, type Severity } from './filter';

export const SEVERITY_ANSI: Record<Severity, string> = {
  DEFAULT: '39',
  DEBUG: '90',
  INFO: '34',
  NOTICE: '36',
  WARNING: '33',
  ERROR: '31',
  CRITICAL: '1;31',
  ALERT: '1;35',
  EMERGENCY: '1;41',
};

/** The longest severity name, so columns line up. */
const SEVERITY_WIDTH = 9;

export function formatLogLine(entry: LogEntry): string {
  return `${entry.timestamp} ${entry.severity.padEnd(SEVERITY_WIDTH)} ${sourceOf(entry)} ${entryText(entry)}`;
}

export function terminalLogLine(entry: LogEntry): TerminalText {
  return [`${entry.timestamp} `, styled(SEVERITY_ANSI[entry.severity], entry.severity.padEnd(SEVERITY_WIDTH)), ` ${sourceOf(entry)} ${entryText(entry)}`];
}

/** What wrote the entry: a service's revision, a job's execution, else the service. */
function sourceOf(entry: LogEntry): string {
  return entry.revision ?? entry.labels?.[EXECUTION_NAME_LABEL] ?? entry.service ?? '-';
}

export interface CliJsonEntry {
  insertId: string;
  timestamp: string;
  severity: Severity;
  revision: string | null;
  /** A Cloud Run job execution's entries: its name. */
  execution?: string;
  text?: string;
  json?: JsonObject;
}

export function cliJson(entry: LogEntry): CliJsonEntry {
  const out: CliJsonEntry = { insertId: entry.insertId, timestamp: entry.timestamp, severity: entry.severity, revision: entry.revision };
  const execution = entry.labels?.[EXECUTION_NAME_LABEL];
  if (execution !== undefined) out.execution = execution;
  if (entry.json !== undefined) out.json = entry.json;
  else out.text = entry.text ?? entryText(entry);
  return out;
}
