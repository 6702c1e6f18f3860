// Text and JSON forms of log entries: the CLI's output and the view's export. Pure; no vscode.
//
// API:
//   formatLogLine(entry, { color? })  "timestamp severity revision text" (the CLI's human output, the .log export);
//                                     severity coloured with ANSI codes when color is true
//   cliJson(entry)                    the CLI's --json object: {insertId, timestamp, severity, revision, text|json}
//   SEVERITY_ANSI                     the ANSI colour per severity (the view can map the same buckets to theme colours)
import { entryText, type JsonObject, type LogEntry } from './entry';
import type { Severity } from './filter';

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

export function formatLogLine(entry: LogEntry, options: { color?: boolean } = {}): string {
  const severity = entry.severity.padEnd(SEVERITY_WIDTH);
  const painted = options.color ? `\x1b[${SEVERITY_ANSI[entry.severity]}m${severity}\x1b[0m` : severity;
  return `${entry.timestamp} ${painted} ${entry.revision ?? entry.service ?? '-'} ${entryText(entry)}`;
}

export interface CliJsonEntry {
  insertId: string;
  timestamp: string;
  severity: Severity;
  revision: string | null;
  text?: string;
  json?: JsonObject;
}

export function cliJson(entry: LogEntry): CliJsonEntry {
  const out: CliJsonEntry = { insertId: entry.insertId, timestamp: entry.timestamp, severity: entry.severity, revision: entry.revision };
  if (entry.json !== undefined) out.json = entry.json;
  else out.text = entry.text ?? entryText(entry);
  return out;
}
