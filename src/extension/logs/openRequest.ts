// Arguments of the Open Logs commands beyond the tree node: scripts, tests and the deploy flow pass a service
// name and, optionally, which entries and how far back. No vscode import.
import type { ServiceConfig } from '../../core/config';
import { likelyServiceName } from '../../core/google/functions';
import { jobLogScope, parseSeverity, parseSince, type LogScope } from '../../core/logs';
import type { ServiceVerdict } from '../../core/model';
import { ownValue } from '../../core/platform/own';
import { DEFAULT_VIEW_QUERY, presetForQuery, type FilterPreset, type LogViewQuery } from './logQuery';

export interface OpenLogsOptions {
  /** Which entries (every filter field: what is not given is off); absent: the ones the last view used. */
  filter?: Omit<LogViewQuery, 'window'>;
  /** 15m, 1h, 6h, 1d, any duration or an RFC 3339 start (whatever core's parseSince accepts); absent: the last one. */
  window?: string;
}

/**
 * `{ text?, query?, severity?, filterName?, all?, window? }` from executeCommand; unknown keys are ignored, bad values
 * are dropped (and the view opens with the last used query instead). `filterName` names a config `logFilters` entry.
 */
export function parseOpenLogsOptions(value: unknown, logFilters: Readonly<Record<string, string>>, presets: readonly FilterPreset[]): OpenLogsOptions {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  const options: OpenLogsOptions = {};
  const window = v['window'];
  if (typeof window === 'string' && acceptedSince(window)) options.window = window.trim();
  const filter: Omit<LogViewQuery, 'window'> = { preset: '', severity: '', text: '', raw: '' };
  let given = v['all'] === true;
  const filterName = v['filterName'];
  const saved = typeof filterName === 'string' ? ownValue(logFilters, filterName) : undefined;
  const preset = saved === undefined ? undefined : presetForQuery(presets, saved);
  if (preset) {
    filter.preset = preset.id;
    given = true;
  }
  const severity = typeof v['severity'] === 'string' ? parseSeverity(v['severity']) : undefined;
  if (severity) {
    filter.severity = severity;
    given = true;
  }
  if (typeof v['text'] === 'string' && v['text'].trim() !== '') {
    filter.text = v['text'].trim();
    given = true;
  }
  if (typeof v['query'] === 'string' && v['query'].trim() !== '') {
    filter.raw = v['query'].trim();
    given = true;
  }
  if (given) options.filter = filter;
  return options;
}

/** What a view opens with: the options' filter and window where given, the last used query for the rest. */
export function openingQuery(options: OpenLogsOptions, last: LogViewQuery = DEFAULT_VIEW_QUERY): LogViewQuery {
  const filter = options.filter ?? { preset: last.preset, severity: last.severity, text: last.text, raw: last.raw };
  return { ...filter, window: options.window ?? last.window };
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

/**
 * Which entries Open Logs shows for a configured unit: a service's revisions'; a function's Cloud
 * Run service's and its own cloud_function entries (the service its last check named, else the one
 * it most likely runs on); a Cloud Run job's executions', or one execution's.
 */
export function unitLogScopeOf(unit: Pick<ServiceConfig, 'name' | 'region' | 'kind'>, verdict: ServiceVerdict | undefined, execution?: string): LogScope {
  if (unit.kind === 'function') {
    return { kind: 'function', function: { name: unit.name, region: unit.region }, service: verdict?.function?.service ?? likelyServiceName(unit.name) };
  }
  if (unit.kind === 'job') return jobLogScope({ name: unit.name, region: unit.region }, execution);
  return { kind: 'services', services: [{ name: unit.name, region: unit.region }] };
}

/** The execution a tree node stands for (a job's execution row: `{ serviceName, executionName }`), or undefined. */
export function executionTarget(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const name = (value as Record<string, unknown>)['executionName'];
  return typeof name === 'string' && name !== '' ? name : undefined;
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
