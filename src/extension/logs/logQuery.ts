// The log view's query: which entries (a filter preset, a minimum severity, text, a raw Logging query) and how far
// back (the window). The view's controls edit it, the workspace remembers the last one, core's composeFilter turns it
// into a Logging query. Plain data and pure functions, no vscode import, so all of it is unit-tested.
import { checkedQuery, FilterCompositionError, parseSeverity, parseSince, SEVERITIES, type LogQuery, type LogScope, type Severity } from '../../core/logs';

export const LOG_WINDOWS = ['15m', '1h', '6h', '1d'] as const;
export type LogWindow = (typeof LOG_WINDOWS)[number];

export const WINDOW_LABELS: Record<LogWindow, string> = {
  '15m': 'Last 15 minutes',
  '1h': 'Last hour',
  '6h': 'Last 6 hours',
  '1d': 'Last day',
};

export interface LogViewQuery {
  /** The id of a FilterPreset; '' for all entries. */
  preset: string;
  /** Minimum severity; '' for any. */
  severity: Severity | '';
  /** Text to find in textPayload or jsonPayload.message (core quotes it); '' for none. */
  text: string;
  /** A raw Logging query that narrows the scope; '' for none. */
  raw: string;
  /** A LOG_WINDOWS preset, or a custom start parseSince accepts (90m, 2d, 2026-01-30T22:59:00Z). */
  window: string;
}

/** What a view opens with when nothing was used before: every entry of the last hour. */
export const DEFAULT_VIEW_QUERY: Readonly<LogViewQuery> = { preset: '', severity: '', text: '', raw: '', window: '1h' };

/** Longest values the view accepts (its inputs have the same maxlength). */
export const QUERY_LIMITS = { preset: 200, text: 500, raw: 4000, window: 64 } as const;

/** A named query offered by the view's filter control: a config `logFilters` entry or a built-in one. */
export interface FilterPreset {
  id: string;
  label: string;
  query: string;
}

const BUILT_IN_PRESETS: readonly FilterPreset[] = [{ id: 'builtin:errors', label: 'Errors only', query: 'severity>=ERROR' }];

/**
 * The config's saved filters first (the team's own queries), then the built-in ones. A query offered twice (a saved
 * "Errors" and the built-in "Errors only" are both severity>=ERROR) appears once, under its first name.
 */
export function filterPresets(logFilters: Readonly<Record<string, string>>): FilterPreset[] {
  const saved = Object.entries(logFilters).map(([name, query]) => ({ id: `saved:${name}`, label: name, query }));
  const seen = new Set<string>();
  const presets: FilterPreset[] = [];
  for (const preset of [...saved, ...BUILT_IN_PRESETS]) {
    const key = normalizeQuery(preset.query);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    presets.push(preset);
  }
  return presets;
}

/**
 * A query's spelling reduced to what it means for comparison: outside string literals, whitespace runs become one
 * space and none is kept around comparison operators, so `severity >= ERROR` and `severity>=ERROR` are one query.
 */
export function normalizeQuery(query: string): string {
  // Literals (with their escapes) stay as written; only what lies between them is respaced.
  return query
    .split(/("(?:[^"\\]|\\.)*"?)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\s+/g, ' ').replace(/ ?(!=|>=|<=|=~|!~|[=<>:]) ?/g, '$1')))
    .join('')
    .trim();
}

export function presetById(presets: readonly FilterPreset[], id: string): FilterPreset | undefined {
  return presets.find((p) => p.id === id);
}

/** The preset offering this query (config filters with the same query were merged into one). */
export function presetForQuery(presets: readonly FilterPreset[], query: string): FilterPreset | undefined {
  const key = normalizeQuery(query);
  return presets.find((p) => normalizeQuery(p.query) === key);
}

/**
 * The query core composes. User text goes to `text` (core quotes it) and never into `raw`, so a typed `") OR (`
 * stays text to look for. The window is not part of the filter: the stream takes `since` itself.
 */
export function logQueryFor(scope: LogScope, query: LogViewQuery, presets: readonly FilterPreset[]): LogQuery {
  const out: LogQuery = { scope };
  const preset = presetById(presets, query.preset);
  if (preset) out.savedFilter = preset.query;
  if (query.severity !== '') out.minSeverity = query.severity;
  if (query.text !== '') out.text = query.text;
  if (query.raw !== '') out.raw = query.raw;
  return out;
}

/** A short description for the status line: "Errors · WARNING and above · “timeout”", or "all entries". */
export function describeQuery(query: LogViewQuery, presets: readonly FilterPreset[]): string {
  const parts: string[] = [];
  const preset = presetById(presets, query.preset);
  if (preset) parts.push(preset.label);
  if (query.severity !== '') parts.push(`${query.severity} and above`);
  if (query.text !== '') parts.push(`“${query.text}”`);
  if (query.raw !== '') parts.push(query.raw);
  return parts.length === 0 ? 'all entries' : parts.join(' · ');
}

/** "1h" → "since 1h ago"; an RFC 3339 start → "since 2026-01-30T22:59:00Z". */
export function describeWindow(window: string): string {
  return /^\d+[a-z]+$/i.test(window.trim()) ? `since ${window.trim()} ago` : `since ${window.trim()}`;
}

export function sameQuery(a: LogViewQuery, b: LogViewQuery): boolean {
  return a.preset === b.preset && a.severity === b.severity && a.text === b.text && a.raw === b.raw && a.window === b.window;
}

/** The query's fields as the view or a memento sent them: strings, not yet checked. */
export type QueryFields = Record<keyof LogViewQuery, string>;

/**
 * Checks fields from an untrusted place (the webview, a stored memento) against the presets offered: a known preset,
 * a severity name, a window parseSince accepts, a raw query that keeps to its parentheses, every value within
 * QUERY_LIMITS. The error names the field and what to change.
 */
export function checkViewQuery(fields: QueryFields, presets: readonly FilterPreset[]): { query: LogViewQuery } | { error: string } {
  const preset = fields.preset.trim();
  if (preset !== '' && !presetById(presets, preset)) return { error: `Filter: "${preset.slice(0, 80)}" is not one of the saved filters offered` };
  const severityText = fields.severity.trim();
  const severity = severityText === '' ? '' : parseSeverity(severityText);
  if (severity === undefined) return { error: `Severity: "${severityText.slice(0, 40)}" is not one of ${SEVERITIES.join(', ')}` };
  const text = fields.text.trim();
  if (text.length > QUERY_LIMITS.text) return { error: `Text: at most ${QUERY_LIMITS.text} characters` };
  const raw = fields.raw.trim();
  if (raw.length > QUERY_LIMITS.raw) return { error: `Logging query: at most ${QUERY_LIMITS.raw} characters` };
  if (raw !== '') {
    try {
      checkedQuery(raw, 'the query');
    } catch (err) {
      if (err instanceof FilterCompositionError) return { error: `Logging query: ${err.message}` };
      throw err;
    }
  }
  const window = fields.window.trim();
  if (window.length > QUERY_LIMITS.window) return { error: `Window: at most ${QUERY_LIMITS.window} characters` };
  try {
    parseSince(window);
  } catch (err) {
    if (err instanceof FilterCompositionError) return { error: `Window: ${err.message}` };
    throw err;
  }
  return { query: { preset, severity, text, raw, window } };
}

/** The fields of `value` when it has every field as a string within QUERY_LIMITS (else null). */
export function queryFields(value: unknown): QueryFields | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const out: Partial<QueryFields> = {};
  for (const key of Object.keys(QUERY_LIMITS) as (keyof typeof QUERY_LIMITS)[]) {
    const field = v[key];
    if (typeof field !== 'string' || field.length > QUERY_LIMITS[key]) return null;
    out[key] = field;
  }
  if (typeof v['severity'] !== 'string' || v['severity'].length > 20) return null;
  out.severity = v['severity'];
  return out as QueryFields;
}

/**
 * The last used query once a view's controls changed its query from `before` to `applied`: the fields the user changed,
 * over `last` (what the workspace remembered). A field the user left alone keeps the remembered value, so a view that
 * opened with a query of its own (a deploy's logs, from the deploy's start) does not hand its window to the next view.
 */
export function nextRemembered(last: LogViewQuery, before: LogViewQuery, applied: LogViewQuery): LogViewQuery {
  const changed = <K extends keyof LogViewQuery>(key: K): LogViewQuery[K] => (applied[key] !== before[key] ? applied[key] : last[key]);
  return { preset: changed('preset'), severity: changed('severity'), text: changed('text'), raw: changed('raw'), window: changed('window') };
}

/** What the workspace remembers of a view's query: the query, and its preset's own query (to find it renamed). */
export function rememberedQuery(query: LogViewQuery, presets: readonly FilterPreset[]): LogViewQuery & { presetQuery: string } {
  return { ...query, presetQuery: presetById(presets, query.preset)?.query ?? '' };
}

/**
 * The query a view opens with from what the workspace remembered: the last query when it still checks, else each field
 * that still does, the rest from DEFAULT_VIEW_QUERY. A preset no longer offered under its id (renamed in the config,
 * or a built-in now merged into a saved filter with the same query, or the reverse) is restored by its query.
 */
export function restoreViewQuery(value: unknown, presets: readonly FilterPreset[]): LogViewQuery {
  const fields = queryFields(value);
  if (!fields) return { ...DEFAULT_VIEW_QUERY };
  if (fields.preset !== '' && !presetById(presets, fields.preset)) {
    const remembered = (value as Record<string, unknown>)['presetQuery'];
    const query = BUILT_IN_PRESETS.find((p) => p.id === fields.preset)?.query ?? (typeof remembered === 'string' ? remembered : '');
    const offered = query.trim() === '' ? undefined : presetForQuery(presets, query);
    if (offered) fields.preset = offered.id;
  }
  const whole = checkViewQuery(fields, presets);
  if ('query' in whole) return whole.query;
  const fieldAlone = <K extends keyof LogViewQuery>(key: K): LogViewQuery[K] => {
    const one = checkViewQuery({ ...DEFAULT_VIEW_QUERY, [key]: fields[key] }, presets);
    return 'query' in one ? one.query[key] : DEFAULT_VIEW_QUERY[key];
  };
  return { preset: fieldAlone('preset'), severity: fieldAlone('severity'), text: fieldAlone('text'), raw: fieldAlone('raw'), window: fieldAlone('window') };
}
