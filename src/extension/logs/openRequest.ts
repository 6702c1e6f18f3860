// Arguments of the Open Logs commands beyond the tree node: scripts, tests and the deploy flow pass a service
// name and, optionally, options that skip the pickers. No vscode import.
import { parseSeverity, parseSince } from '../../core/logs';
import { ownValue } from '../../core/own';
import type { FilterChoice } from './logQuery';

export interface OpenLogsOptions {
  choice?: FilterChoice;
  /** 15m, 1h, 6h, 1d, any duration or an RFC 3339 start (whatever core's parseSince accepts). */
  window?: string;
}

/**
 * `{ text?, query?, severity?, filterName?, window? }` from executeCommand; unknown keys are ignored, bad
 * values are dropped (and the picker asks instead).
 */
export function parseOpenLogsOptions(value: unknown, logFilters: Readonly<Record<string, string>>): OpenLogsOptions {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  const options: OpenLogsOptions = {};
  const window = v['window'];
  if (typeof window === 'string' && acceptedSince(window)) options.window = window.trim();
  const filterName = v['filterName'];
  const severity = typeof v['severity'] === 'string' ? parseSeverity(v['severity']) : undefined;
  const saved = typeof filterName === 'string' ? ownValue(logFilters, filterName) : undefined;
  if (typeof filterName === 'string' && saved !== undefined) options.choice = { kind: 'saved', name: filterName, query: saved };
  else if (typeof v['text'] === 'string' && v['text'].trim() !== '') options.choice = { kind: 'text', text: v['text'].trim() };
  else if (typeof v['query'] === 'string' && v['query'].trim() !== '') options.choice = { kind: 'raw', query: v['query'].trim() };
  else if (severity) options.choice = { kind: 'severity', severity };
  else if (v['all'] === true) options.choice = { kind: 'all' };
  return options;
}

/** A revision tree node ({ serviceName, serving: { revision } }) or { service, revision } from a script. */
export function revisionTarget(value: unknown): { service: string; revision: string } | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const serving = v['serving'];
  if (typeof v['serviceName'] === 'string' && typeof serving === 'object' && serving !== null) {
    const revision = (serving as Record<string, unknown>)['revision'];
    if (typeof revision === 'string') return { service: v['serviceName'], revision };
  }
  if (typeof v['service'] === 'string' && typeof v['revision'] === 'string') return { service: v['service'], revision: v['revision'] };
  return null;
}

/** Whether `text` is a window core's parseSince accepts (15m, 1h, an RFC 3339 time...). */
export function acceptedSince(text: string): boolean {
  try {
    parseSince(text);
    return true;
  } catch {
    return false;
  }
}
