// Composing Cloud Logging queries for Cloud Run logs. Pure: no SDK, no I/O, no vscode.
//
// API (for the CLI and the extension's log view):
//   composeFilter(query: LogQuery): string
//       The whole Logging query: a scope (cloud_run_revision + one service, several services OR'ed, one revision, or a
//       function: its Cloud Run service's entries OR its cloud_function entries; cloud_run_job + one job, or one of its
//       executions), then each optional part the user chose, every part parenthesized and joined with AND:
//         - savedFilter  a query from config `logFilters` (validated, parenthesized)
//         - text         free text → (textPayload:"..." OR jsonPayload.message:"...") with " and \ escaped
//         - raw          a raw Logging query (validated, parenthesized)
//         - minSeverity  severity>=LEVEL
//         - since/until  timestamp>="RFC 3339" / timestamp<="RFC 3339"
//       Throws FilterCompositionError (a usage problem, not an API one) for an unknown severity, an empty scope or
//       a saved/raw query whose quotes or parentheses do not balance.
//   quoteFilterString(text)       a Logging query string literal that means exactly `text`
//   textMatchClause(text)         the free-text clause alone
//   scopeClause(scope)            the scope alone
//   parseSince(text, now)         "15m" | "1h" | "6h" | "1d" | "90s" | "2w" | RFC 3339 → Date
//   parseSeverity(text)           "error" → "ERROR" (undefined when not a LogSeverity name)
//
// Why user text is never spliced: the query language has no parameters, so the only safe way to put text into a
// query is a string literal whose every `"` and `\` is escaped (control characters too, so a pasted newline stays
// inside the literal). `) OR (resource.type="gce_instance"` typed into the search box is then just text to look
// for. A *raw* query is the user's own query language and is meant to be spliced, but it is parenthesized and
// checked for balance first, so it can narrow the scope but never widen it past the service.
//
// Precedence note: in the Logging query language OR binds tighter than implicit AND and explicit AND binds
// loosest, so `a AND (b) AND (c OR d)` with every part in parentheses means what it says.

export const SEVERITIES = ['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Which Cloud Run logs: services (one stream for one or several), one revision of a service, or a
 * Cloud Run function: its Cloud Run service's revision entries and its `cloud_function` entries; or a
 * Cloud Run job (resource cloud_run_job), all its executions or one.
 */
export type LogScope =
  | { kind: 'services'; services: readonly ScopedService[] }
  | { kind: 'revision'; service: ScopedService; revision: string }
  | { kind: 'function'; function: ScopedService; service: string }
  | { kind: 'job'; job: ScopedService; execution?: string };

/** The entry label Cloud Run writes a job execution's (short) name in. */
export const EXECUTION_NAME_LABEL = 'run.googleapis.com/execution_name';

export interface ScopedService {
  name: string;
  /** Restricts to this region (resource.labels.location): the same service name may exist in several. */
  region?: string;
}

export interface LogQuery {
  scope: LogScope;
  /** A Logging query from config `logFilters` (already chosen by name). */
  savedFilter?: string;
  /** Free text to find in textPayload or jsonPayload.message (case-insensitive substring, as `:` is). */
  text?: string;
  /** A raw Logging query typed by the user. */
  raw?: string;
  minSeverity?: Severity;
  since?: Date;
  until?: Date;
}

/** A query that cannot be composed; the message says what to change. Not an API error. */
export class FilterCompositionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterCompositionError';
  }
}

const CONTROL_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A string literal of the Logging query language meaning exactly `text`. */
export function quoteFilterString(text: string): string {
  let out = '"';
  for (const char of text) {
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (CONTROL_ESCAPES[char] !== undefined) out += CONTROL_ESCAPES[char];
    else if (char.charCodeAt(0) < 0x20 || char === '\u007f') out += `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/** Substring match on the two places Cloud Run puts a log line: stdout text, or a structured log's message. */
export function textMatchClause(text: string): string {
  const literal = quoteFilterString(text);
  return `(textPayload:${literal} OR jsonPayload.message:${literal})`;
}

export function scopeClause(scope: LogScope): string {
  if (scope.kind === 'job') return jobScopeClause(scope.job, scope.execution);
  const resourceType = 'resource.type="cloud_run_revision"';
  const service = (s: ScopedService): string => {
    if (!s.name) throw new FilterCompositionError('a service name is required');
    const name = `resource.labels.service_name=${quoteFilterString(s.name)}`;
    return s.region ? `${name} AND resource.labels.location=${quoteFilterString(s.region)}` : name;
  };
  if (scope.kind === 'function') {
    if (!scope.function.name) throw new FilterCompositionError('a function name is required');
    const region = scope.function.region;
    const revisions = `${resourceType} AND ${service({ name: scope.service, ...(region ? { region } : {}) })}`;
    const own = `resource.type="cloud_function" AND resource.labels.function_name=${quoteFilterString(scope.function.name)}${region ? ` AND resource.labels.region=${quoteFilterString(region)}` : ''}`;
    return `((${revisions}) OR (${own}))`;
  }
  if (scope.kind === 'revision') {
    if (!scope.revision) throw new FilterCompositionError('a revision name is required');
    return `${resourceType} AND ${service(scope.service)} AND resource.labels.revision_name=${quoteFilterString(scope.revision)}`;
  }
  if (scope.services.length === 0) throw new FilterCompositionError('choose at least one service');
  if (scope.services.length === 1) return `${resourceType} AND ${service(scope.services[0]!)}`;
  return `${resourceType} AND (${scope.services.map((s) => (s.region ? `(${service(s)})` : service(s))).join(' OR ')})`;
}

function jobScopeClause(job: ScopedService, execution: string | undefined): string {
  if (!job.name) throw new FilterCompositionError('a job name is required');
  const parts = ['resource.type="cloud_run_job"', `resource.labels.job_name=${quoteFilterString(job.name)}`];
  if (job.region) parts.push(`resource.labels.location=${quoteFilterString(job.region)}`);
  if (execution !== undefined) {
    if (!execution) throw new FilterCompositionError('an execution name is required');
    parts.push(`labels.${quoteFilterString(EXECUTION_NAME_LABEL)}=${quoteFilterString(execution)}`);
  }
  return parts.join(' AND ');
}

/** A Cloud Run job's logs: all its executions', or the named one's. */
export function jobLogScope(job: ScopedService, execution?: string): LogScope {
  return execution === undefined ? { kind: 'job', job } : { kind: 'job', job, execution };
}

export function parseSeverity(text: string): Severity | undefined {
  const upper = text.trim().toUpperCase();
  return (SEVERITIES as readonly string[]).includes(upper) ? (upper as Severity) : undefined;
}

/** RFC 3339 in UTC as Logging accepts it in `timestamp>="..."`. */
export function rfc3339(date: Date): string {
  return date.toISOString();
}

export function composeFilter(query: LogQuery): string {
  const parts = [scopeClause(query.scope)];
  if (query.savedFilter !== undefined && query.savedFilter.trim() !== '') parts.push(`(${checkedQuery(query.savedFilter, 'the saved filter')})`);
  if (query.raw !== undefined && query.raw.trim() !== '') parts.push(`(${checkedQuery(query.raw, 'the query')})`);
  if (query.text !== undefined && query.text !== '') parts.push(textMatchClause(query.text));
  if (query.minSeverity !== undefined) {
    const severity = parseSeverity(query.minSeverity);
    if (!severity) throw new FilterCompositionError(`unknown severity "${query.minSeverity}" (expected one of ${SEVERITIES.join(', ')})`);
    // DEFAULT is the lowest severity: ">=DEFAULT" would still exclude nothing, so leave it out.
    if (severity !== 'DEFAULT') parts.push(`severity>=${severity}`);
  }
  if (query.since) parts.push(`timestamp>=${quoteFilterString(rfc3339(checkedDate(query.since, 'since')))}`);
  if (query.until) parts.push(`timestamp<=${quoteFilterString(rfc3339(checkedDate(query.until, 'until')))}`);
  return parts.join(' AND ');
}

function checkedDate(date: Date, what: string): Date {
  if (Number.isNaN(date.getTime())) throw new FilterCompositionError(`${what}: not a valid time`);
  return date;
}

/**
 * Checks that a user-written query keeps to its parentheses: every string literal closed and every `(` matched
 * outside literals. Otherwise `x) OR (y` inside our `( ... )` would escape the scope.
 */
export function checkedQuery(text: string, what: string): string {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '(') depth += 1;
    else if (char === ')') {
      depth -= 1;
      if (depth < 0) throw new FilterCompositionError(`${what} has a ")" without a matching "(" at character ${i + 1}`);
    }
  }
  if (inString) throw new FilterCompositionError(`${what} has a string without its closing quote (")`);
  if (depth > 0) throw new FilterCompositionError(`${what} has ${depth} unclosed "("`);
  return text.trim();
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A duration such as "90s", "15m", "1h", "6h", "1d", "2w" in milliseconds; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2]!.toLowerCase()]!;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** `--since` / the window picker: a duration back from `now`, or an RFC 3339 start. */
export function parseSince(text: string, now: Date = new Date()): Date {
  const ms = parseDuration(text);
  if (ms !== undefined) return new Date(now.getTime() - ms);
  if (/^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?)?$/.test(text.trim())) {
    const parsed = new Date(text.trim());
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  throw new FilterCompositionError(`"${text}" is neither a duration (15m, 1h, 6h, 1d) nor an RFC 3339 time (2026-01-30T22:59:00Z)`);
}
