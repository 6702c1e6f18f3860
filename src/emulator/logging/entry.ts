// The log entry model of the emulated Cloud Logging API: what scenarios and control calls give us
// (LogEntryInput), how it is validated and normalized (StoredLogEntry), timestamps with nanosecond
// precision, and severities with their ranks.
import { randomBytes } from 'node:crypto';
import { ScenarioError } from '../api';

/** LogSeverity from google/logging/type/log_severity.proto: name → numeric value (which is also its rank). */
export const SEVERITY_VALUES = {
  DEFAULT: 0,
  DEBUG: 100,
  INFO: 200,
  NOTICE: 300,
  WARNING: 400,
  ERROR: 500,
  CRITICAL: 600,
  ALERT: 700,
  EMERGENCY: 800,
} as const;

export type SeverityName = keyof typeof SEVERITY_VALUES;

const SEVERITY_BY_VALUE = new Map<number, SeverityName>(
  (Object.entries(SEVERITY_VALUES) as [SeverityName, number][]).map(([name, value]) => [value, name]),
);

/** A severity name (any case) or its numeric value; undefined when it is neither. */
export function parseSeverity(raw: string | number): SeverityName | undefined {
  if (typeof raw === 'number') return SEVERITY_BY_VALUE.get(raw);
  const upper = raw.trim().toUpperCase();
  if (upper in SEVERITY_VALUES) return upper as SeverityName;
  if (/^\d+$/.test(upper)) return SEVERITY_BY_VALUE.get(Number(upper));
  return undefined;
}

/** An instant with the nanosecond precision google.protobuf.Timestamp carries (JS Dates stop at milliseconds). */
export interface PreciseInstant {
  seconds: number;
  nanos: number;
}

export function compareInstants(a: PreciseInstant, b: PreciseInstant): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanos - b.nanos;
}

export function instantFromMillis(ms: number): PreciseInstant {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses RFC 3339 keeping all nine fractional digits. Also accepts a bare date ("2026-01-30", midnight UTC),
 * as the Logging query language does. Undefined when the text is not a timestamp.
 */
export function parseInstant(text: string): PreciseInstant | undefined {
  const match = RFC3339.exec(text.trim());
  if (match) {
    const [, date, time, fraction, zone] = match;
    const wholeSecondsMs = Date.parse(`${date}T${time}${zone === 'z' ? 'Z' : zone}`);
    if (Number.isNaN(wholeSecondsMs)) return undefined;
    return { seconds: wholeSecondsMs / 1000, nanos: fraction ? Number(fraction.padEnd(9, '0')) : 0 };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(text.trim())) {
    const ms = Date.parse(`${text.trim()}T00:00:00Z`);
    return Number.isNaN(ms) ? undefined : instantFromMillis(ms);
  }
  return undefined;
}

const RELATIVE_TO_NOW = /^now(?:\s*([+-])\s*(\d+(?:\.\d+)?)(ms|s|m|h|d))?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * "now", "now-90m", "now+5s": lets a stored scenario keep its logs recent, which matters because
 * @google-cloud/logging's getEntries only asks for the last 24 hours.
 */
export function parseRelativeToNow(text: string, nowMs: number): PreciseInstant | undefined {
  const match = RELATIVE_TO_NOW.exec(text.trim());
  if (!match) return undefined;
  const [, sign, amount, unit] = match;
  const offset = sign && amount && unit ? Number(amount) * UNIT_MS[unit]! * (sign === '-' ? -1 : 1) : 0;
  return instantFromMillis(Math.round(nowMs + offset));
}

/** RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, the way proto3 JSON (and so the REST API) prints timestamps. */
let lastFormattedSeconds = Number.NaN;
let lastFormattedBase = '';

export function formatInstant(instant: PreciseInstant): string {
  // Entries of a burst mostly share their second; Date#toISOString is the costly part, so reuse it.
  if (instant.seconds !== lastFormattedSeconds) {
    lastFormattedSeconds = instant.seconds;
    lastFormattedBase = new Date(instant.seconds * 1000).toISOString().slice(0, 19);
  }
  const base = lastFormattedBase;
  if (instant.nanos === 0) return `${base}Z`;
  const nineDigits = String(instant.nanos).padStart(9, '0');
  const digits = nineDigits.endsWith('000000') ? nineDigits.slice(0, 3) : nineDigits.endsWith('000') ? nineDigits.slice(0, 6) : nineDigits;
  return `${base}.${digits}Z`;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * A log entry as a scenario, the control API or the demo seed states it: the REST LogEntry shape, plus
 * shorthands so that Cloud Run entries need not spell out their monitored resource and log name.
 */
export interface LogEntryInput {
  insertId?: string;
  /** Full log name; default `projects/{project}/logs/{log}`. */
  logName?: string;
  /** Shorthand: the log id when logName is absent (default `run.googleapis.com/stdout`). */
  log?: string;
  /** Shorthand for the project; falls back to resource.labels.project_id, logName, then the section's `project`. */
  project?: string;
  /** Shorthand for a cloud_run_revision resource: service_name (and configuration_name). */
  service?: string;
  /** Shorthand: revision_name. */
  revision?: string;
  /** Shorthand: the resource's location label (default: the section's `location`, else us-central1). */
  location?: string;
  resource?: { type?: string; labels?: Record<string, string> };
  /** RFC 3339; default: the emulator's now. */
  timestamp?: string;
  receiveTimestamp?: string;
  /** A LogSeverity name (any case) or number; default DEFAULT. */
  severity?: string | number;
  labels?: Record<string, string>;
  textPayload?: string;
  jsonPayload?: JsonObject;
  trace?: string;
  spanId?: string;
  traceSampled?: boolean;
  httpRequest?: JsonObject;
  sourceLocation?: { file?: string; line?: string | number; function?: string };
  operation?: { id?: string; producer?: string; first?: boolean; last?: boolean };
}

/** The REST (proto3 JSON) form of a LogEntry, exactly what entries:list answers. */
export interface LogEntryJson {
  logName: string;
  resource: { type: string; labels: Record<string, string> };
  timestamp: string;
  receiveTimestamp: string;
  severity: SeverityName;
  insertId: string;
  labels?: Record<string, string>;
  textPayload?: string;
  jsonPayload?: JsonObject;
  trace?: string;
  spanId?: string;
  traceSampled?: boolean;
  httpRequest?: JsonObject;
  sourceLocation?: { file?: string; line?: string; function?: string };
  operation?: { id?: string; producer?: string; first?: boolean; last?: boolean };
}

/** A validated entry with what filtering and ordering need precomputed. */
export interface StoredLogEntry {
  json: LogEntryJson;
  timestamp: PreciseInstant;
  severityRank: number;
  /** The project in logName (`projects/{project}/logs/...`), which resourceNames select on. */
  project: string;
  /** Lazily built gRPC message form, cached because a tail may send one entry to many sessions. */
  grpcForm?: unknown;
}

export const DEFAULT_LOG_ID = 'run.googleapis.com/stdout';
export const DEFAULT_LOCATION = 'us-central1';

/** Defaults an entry takes from where it came from (scenario section, control call). */
export interface EntryDefaults {
  project?: string;
  location?: string;
  /** Used for a missing timestamp, and for a missing receiveTimestamp when `receiveNowMs` is absent. */
  nowMs: number;
  /** When set, a missing receiveTimestamp is this instant (entries arriving now) instead of the entry's timestamp. */
  receiveNowMs?: number;
}

// insertIds sort in insertion order for equal timestamps (the API orders ties by insertId); the process tag keeps
// them distinct from ids a scenario might spell out.
const INSERT_ID_PROCESS_TAG = randomBytes(3).toString('hex');
let insertIdCounter = 0;
export function generateInsertId(): string {
  insertIdCounter += 1;
  return `${insertIdCounter.toString(36).padStart(10, '0')}${INSERT_ID_PROCESS_TAG}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isPlainObject(value) && Object.values(value).every((v) => typeof v === 'string');
}

function isJsonValue(value: unknown): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (isPlainObject(value)) return Object.values(value).every(isJsonValue);
  return false;
}

const LOG_NAME = /^(projects|organizations|folders|billingAccounts)\/([^/]+)\/logs\/(.+)$/;

/** Encodes a log id the way the API stores it in logName (slashes become %2F). */
export function encodeLogId(logId: string): string {
  return encodeURIComponent(logId).replace(/%2f/gi, '%2F');
}

export function decodeLogName(logName: string): string {
  try {
    return decodeURIComponent(logName);
  } catch {
    return logName;
  }
}

const INPUT_KEYS = new Set<string>([
  'insertId', 'logName', 'log', 'project', 'service', 'revision', 'location', 'resource', 'timestamp', 'receiveTimestamp',
  'severity', 'labels', 'textPayload', 'jsonPayload', 'trace', 'spanId', 'traceSampled', 'httpRequest', 'sourceLocation', 'operation',
]);

function optionalStringField(input: Record<string, unknown>, key: string, path: string): string | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ScenarioError(`${path}.${key}`, 'a string');
  return value;
}

function timeField(input: Record<string, unknown>, key: 'timestamp' | 'receiveTimestamp', path: string, nowMs: number): PreciseInstant | undefined {
  const text = optionalStringField(input, key, path);
  if (text === undefined) return undefined;
  const instant = parseInstant(text) ?? parseRelativeToNow(text, nowMs);
  if (!instant) throw new ScenarioError(`${path}.${key}`, 'an RFC 3339 timestamp like "2026-01-30T23:08:50.123Z" (or "now", "now-90m")');
  return instant;
}

const encodedLogIds = new Map<string, string>();

/**
 * Validates one entry (scenario, control call or WriteLogEntries) and normalizes it. Throws ScenarioError naming
 * `path` (e.g. `$.logging.entries[3].timestamp`) and what was expected.
 */
export function normalizeEntry(raw: unknown, path: string, defaults: EntryDefaults): StoredLogEntry {
  if (!isPlainObject(raw)) throw new ScenarioError(path, 'a log entry object');
  for (const key of Object.keys(raw)) {
    if (!INPUT_KEYS.has(key)) throw new ScenarioError(`${path}.${key}`, `no such LogEntry field (known: ${[...INPUT_KEYS].join(', ')})`);
  }
  const input = raw as Record<string, unknown>;
  const optionalString = (key: string): string | undefined => optionalStringField(input, key, path);

  const resourceRaw = input['resource'];
  if (resourceRaw !== undefined) {
    if (!isPlainObject(resourceRaw)) throw new ScenarioError(`${path}.resource`, 'an object like {"type": "cloud_run_revision", "labels": {...}}');
    if (resourceRaw['type'] !== undefined && typeof resourceRaw['type'] !== 'string') throw new ScenarioError(`${path}.resource.type`, 'a string');
    if (resourceRaw['labels'] !== undefined && !isStringMap(resourceRaw['labels'])) {
      throw new ScenarioError(`${path}.resource.labels`, 'an object of string values');
    }
  }
  const resourceInput = resourceRaw as { type?: string; labels?: Record<string, string> } | undefined;

  const logNameInput = optionalString('logName');
  const logNameMatch = logNameInput !== undefined ? LOG_NAME.exec(logNameInput) : null;
  if (logNameInput !== undefined && !logNameMatch) {
    throw new ScenarioError(`${path}.logName`, 'a log name like "projects/PROJECT/logs/run.googleapis.com%2Fstdout"');
  }
  const project =
    optionalString('project') ?? resourceInput?.labels?.['project_id'] ?? (logNameMatch ? logNameMatch[2] : undefined) ?? defaults.project;
  if (project === undefined || project === '') {
    throw new ScenarioError(path, 'a project: set "project", "logName", resource.labels.project_id, or the section\'s "project"');
  }
  const logId = optionalString('log') ?? DEFAULT_LOG_ID;
  // Bursts of tens of thousands of entries share a handful of log ids: encode each once.
  let encodedLogId = encodedLogIds.get(logId);
  if (encodedLogId === undefined) {
    encodedLogId = encodeLogId(logId);
    if (encodedLogIds.size < 1000) encodedLogIds.set(logId, encodedLogId);
  }
  const logName = logNameInput ?? `projects/${project}/logs/${encodedLogId}`;

  const service = optionalString('service');
  const revision = optionalString('revision');
  const location = optionalString('location') ?? resourceInput?.labels?.['location'] ?? defaults.location ?? DEFAULT_LOCATION;
  const resource = {
    type: resourceInput?.type ?? 'cloud_run_revision',
    labels: { ...(resourceInput?.labels ?? {}) },
  };
  if (resource.type === 'cloud_run_revision') {
    // Every real cloud_run_revision entry carries these labels; filling them keeps shorthand entries filterable.
    resource.labels['project_id'] ??= project;
    resource.labels['location'] ??= location;
    if (service !== undefined) {
      resource.labels['service_name'] ??= service;
      resource.labels['configuration_name'] ??= service;
    }
    if (revision !== undefined) resource.labels['revision_name'] ??= revision;
  }

  const timestamp = timeField(input, 'timestamp', path, defaults.nowMs) ?? instantFromMillis(defaults.nowMs);
  const receiveTimestamp =
    timeField(input, 'receiveTimestamp', path, defaults.nowMs) ??
    (defaults.receiveNowMs !== undefined ? instantFromMillis(defaults.receiveNowMs) : timestamp);

  const severityRaw = input['severity'];
  let severity: SeverityName = 'DEFAULT';
  if (severityRaw !== undefined) {
    const parsed = typeof severityRaw === 'string' || typeof severityRaw === 'number' ? parseSeverity(severityRaw) : undefined;
    if (!parsed) throw new ScenarioError(`${path}.severity`, `one of ${Object.keys(SEVERITY_VALUES).join(', ')}`);
    severity = parsed;
  }

  const labels = input['labels'];
  if (labels !== undefined && !isStringMap(labels)) throw new ScenarioError(`${path}.labels`, 'an object of string values');
  const textPayload = optionalString('textPayload');
  const jsonPayload = input['jsonPayload'];
  if (jsonPayload !== undefined && !(isPlainObject(jsonPayload) && isJsonValue(jsonPayload))) {
    throw new ScenarioError(`${path}.jsonPayload`, 'a JSON object');
  }
  if (textPayload !== undefined && jsonPayload !== undefined) {
    throw new ScenarioError(path, 'at most one of textPayload and jsonPayload (they are a oneof in LogEntry)');
  }
  const httpRequest = input['httpRequest'];
  if (httpRequest !== undefined && !(isPlainObject(httpRequest) && isJsonValue(httpRequest))) {
    throw new ScenarioError(`${path}.httpRequest`, 'an HttpRequest object');
  }
  const sourceLocationRaw = input['sourceLocation'];
  let sourceLocation: LogEntryJson['sourceLocation'];
  if (sourceLocationRaw !== undefined) {
    if (!isPlainObject(sourceLocationRaw)) throw new ScenarioError(`${path}.sourceLocation`, 'an object like {"file", "line", "function"}');
    const { file, line, function: functionName } = sourceLocationRaw;
    if (file !== undefined && typeof file !== 'string') throw new ScenarioError(`${path}.sourceLocation.file`, 'a string');
    if (functionName !== undefined && typeof functionName !== 'string') throw new ScenarioError(`${path}.sourceLocation.function`, 'a string');
    if (line !== undefined && !(typeof line === 'number' || (typeof line === 'string' && /^\d+$/.test(line)))) {
      throw new ScenarioError(`${path}.sourceLocation.line`, 'a line number');
    }
    sourceLocation = {
      ...(file !== undefined ? { file } : {}),
      // int64 fields print as strings in proto3 JSON.
      ...(line !== undefined ? { line: String(line) } : {}),
      ...(functionName !== undefined ? { function: functionName } : {}),
    };
  }
  const operation = input['operation'];
  if (operation !== undefined && !isPlainObject(operation)) throw new ScenarioError(`${path}.operation`, 'an object');
  const traceSampled = input['traceSampled'];
  if (traceSampled !== undefined && typeof traceSampled !== 'boolean') throw new ScenarioError(`${path}.traceSampled`, 'a boolean');

  const insertId = optionalString('insertId') ?? generateInsertId();
  const trace = optionalString('trace');
  const spanId = optionalString('spanId');
  // Plain assignments rather than conditional spreads: this runs for every entry of a benchmark burst.
  const json: LogEntryJson = {
    logName,
    resource,
    timestamp: formatInstant(timestamp),
    receiveTimestamp: formatInstant(receiveTimestamp),
    severity,
    insertId,
  };
  if (labels !== undefined) json.labels = { ...labels };
  if (textPayload !== undefined) json.textPayload = textPayload;
  if (jsonPayload !== undefined) json.jsonPayload = jsonPayload as JsonObject;
  if (trace !== undefined) json.trace = trace;
  if (spanId !== undefined) json.spanId = spanId;
  if (traceSampled !== undefined) json.traceSampled = traceSampled;
  if (httpRequest !== undefined) json.httpRequest = httpRequest as JsonObject;
  if (sourceLocation !== undefined) json.sourceLocation = sourceLocation;
  if (operation !== undefined) json.operation = operation as NonNullable<LogEntryJson['operation']>;
  const projectInLogName = LOG_NAME.exec(logName)?.[2] ?? project;
  return { json, timestamp, severityRank: SEVERITY_VALUES[severity], project: projectInLogName };
}

/** Ordering used by the store and ListLogEntries: timestamp, then insertId. */
export function compareEntries(a: StoredLogEntry, b: StoredLogEntry): number {
  const byTime = compareInstants(a.timestamp, b.timestamp);
  if (byTime !== 0) return byTime;
  return a.json.insertId < b.json.insertId ? -1 : a.json.insertId > b.json.insertId ? 1 : 0;
}
