// The log entry the CLI and the log view show, and its normalization from what the Logging API answers.
// Pure: no SDK import (the API's message is read as `unknown`), no vscode.
//
// API:
//   interface LogEntry      the normalized entry (below); plain data, JSON-serializable, safe to postMessage
//   normalizeApiEntry(raw)  a decoded google.logging.v2.LogEntry (gRPC or REST transport of the gapic client, or a
//                           protobufjs message before toObject, as the tail reader decodes them)
//                           → TimedEntry: the LogEntry plus its exact (seconds, nanos) for ordering
//   compareTimed(a, b)      the API's order: timestamp, then insertId
//   formatInstant(instant)  RFC 3339 UTC with 0/3/6/9 fractional digits, as the API prints timestamps
//   entryText(entry)        one line of text for a payload (text, jsonPayload.message, or compact JSON)
//
// Why timestamps are kept as (seconds, nanos) beside the RFC 3339 string: Cloud Logging timestamps carry
// nanoseconds, entries of a burst share milliseconds, and ordering/dedup must not collapse them; a JS Date would.

import type { Severity } from './filter';
import { SEVERITIES } from './filter';
import { ownValue } from '../platform/own';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** What a request's httpRequest said, only the fields that were set (the API fills the rest with zero values). */
export interface HttpRequestInfo {
  requestMethod?: string;
  requestUrl?: string;
  status?: number;
  /** Duration as the API prints it, e.g. "0.250s". */
  latency?: string;
  userAgent?: string;
  remoteIp?: string;
  responseSize?: string;
  protocol?: string;
}

export interface SourceLocation {
  file: string;
  line?: number;
  function?: string;
}

export interface LogEntry {
  insertId: string;
  /**
   * The entry's own timestamp (not its arrival), RFC 3339 UTC with 0, 3, 6 or 9 fractional digits as the API prints
   * it. Do not sort these strings ("…:52Z" > "…:52.036Z"); entries arrive in order, or use parseInstant.
   */
  timestamp: string;
  severity: Severity;
  /** resource.labels.service_name; null for entries of other resource types. */
  service: string | null;
  /** resource.labels.revision_name; null when absent. */
  revision: string | null;
  /** The log id, e.g. "run.googleapis.com/stdout", "run.googleapis.com/requests". */
  log: string;
  /** Exactly one of text/json is set for text and structured payloads; neither for an empty entry. */
  text?: string;
  json?: JsonObject;
  /** e.g. "projects/p/traces/0123abcd" */
  trace?: string;
  spanId?: string;
  httpRequest?: HttpRequestInfo;
  sourceLocation?: SourceLocation;
  labels?: Record<string, string>;
}

/** A LogEntry with its exact instant, as the stream orders and de-duplicates them. */
export interface TimedEntry {
  entry: LogEntry;
  seconds: number;
  nanos: number;
}

export interface Instant {
  seconds: number;
  nanos: number;
}

export function compareInstants(a: Instant, b: Instant): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanos - b.nanos;
}

export function compareTimed(a: TimedEntry, b: TimedEntry): number {
  if (a.seconds !== b.seconds) return a.seconds - b.seconds;
  if (a.nanos !== b.nanos) return a.nanos - b.nanos;
  const x = a.entry.insertId;
  const y = b.entry.insertId;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function instantFromDate(date: Date): Instant {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1e6 };
}

/** Adds (or with a negative value subtracts) milliseconds. */
export function shiftInstant(instant: Instant, ms: number): Instant {
  const total = instant.nanos + Math.round(ms * 1e6);
  const carry = Math.floor(total / 1e9);
  return { seconds: instant.seconds + carry, nanos: total - carry * 1e9 };
}

// Entries of a burst share their second; toISOString is the costly part of formatting, so reuse it.
let cachedSeconds = Number.NaN;
let cachedBase = '';

export function formatInstant(instant: Instant): string {
  if (instant.seconds !== cachedSeconds) {
    cachedSeconds = instant.seconds;
    cachedBase = new Date(instant.seconds * 1000).toISOString().slice(0, 19);
  }
  const base = cachedBase;
  if (instant.nanos === 0) return `${base}Z`;
  const digits = String(instant.nanos).padStart(9, '0');
  const fraction = digits.endsWith('000000') ? digits.slice(0, 3) : digits.endsWith('000') ? digits.slice(0, 6) : digits;
  // join builds one flat string; concatenation would keep a chain of string pieces alive in every buffered entry
  // (~75 bytes more each, all of which the young-generation GC copies while a busy tail fills the view).
  return [base, '.', fraction, 'Z'].join('');
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;

/** Parses RFC 3339 keeping nanoseconds. */
export function parseInstant(text: string): Instant | undefined {
  const match = RFC3339.exec(text.trim());
  if (!match) return undefined;
  const ms = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return { seconds: Math.floor(ms / 1000), nanos: match[2] ? Number(match[2].padEnd(9, '0')) : 0 };
}

const SEVERITY_BY_NUMBER = new Map<number, Severity>(SEVERITIES.map((name, index) => [index * 100, name]));

function severityOf(raw: unknown): Severity {
  if (typeof raw === 'number') return SEVERITY_BY_NUMBER.get(raw) ?? 'DEFAULT';
  if (typeof raw === 'string') {
    if ((SEVERITIES as readonly string[]).includes(raw)) return raw as Severity;
    if (/^\d+$/.test(raw)) return SEVERITY_BY_NUMBER.get(Number(raw)) ?? 'DEFAULT';
  }
  return 'DEFAULT';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * int64 fields arrive as strings (longs: String), numbers, or Long objects ({low, high, unsigned}: what protobufjs
 * decodes, which the tail reader hands over without toObject). A Long is read from its two halves: its toString
 * does long division, the costliest part of converting a decoded entry.
 */
function int64(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  if (isRecord(value)) {
    const low = value['low'];
    const high = value['high'];
    if (typeof low === 'number' && typeof high === 'number') return (value['unsigned'] === true ? high >>> 0 : high) * 4294967296 + (low >>> 0);
    if (typeof value['toString'] === 'function') return Number(String(value));
  }
  return 0;
}

function instantOf(value: unknown): Instant | undefined {
  if (typeof value === 'string') return parseInstant(value);
  if (!isRecord(value)) return undefined;
  return { seconds: int64(value['seconds']), nanos: Number(value['nanos'] ?? 0) };
}

function durationText(value: unknown): string | undefined {
  if (typeof value === 'string') return value || undefined;
  if (!isRecord(value)) return undefined;
  const seconds = int64(value['seconds']);
  const nanos = Number(value['nanos'] ?? 0);
  if (seconds === 0 && nanos === 0) return undefined;
  if (nanos === 0) return `${seconds}s`;
  // proto3 JSON prints 3, 6 or 9 fractional digits ("0.250s"), as the REST API does.
  const digits = String(nanos).padStart(9, '0');
  return `${seconds}.${digits.endsWith('000000') ? digits.slice(0, 3) : digits.endsWith('000') ? digits.slice(0, 6) : digits}s`;
}

/** google.protobuf.Value as decoded (with `kind` naming the set member, or just the member present) → JSON. */
function fromProtoValue(value: unknown): JsonValue {
  if (!isRecord(value)) return null;
  const kind = typeof value['kind'] === 'string' ? value['kind'] : undefined;
  if (kind === 'stringValue' || (kind === undefined && typeof value['stringValue'] === 'string')) return String(value['stringValue']);
  if (kind === 'numberValue' || (kind === undefined && value['numberValue'] !== undefined && value['numberValue'] !== null)) return Number(value['numberValue']);
  if (kind === 'boolValue' || (kind === undefined && typeof value['boolValue'] === 'boolean')) return Boolean(value['boolValue']);
  if (kind === 'structValue' || (kind === undefined && isRecord(value['structValue']))) return fromProtoStruct(value['structValue']);
  if (kind === 'listValue' || (kind === undefined && isRecord(value['listValue']))) {
    const list = value['listValue'];
    const values = isRecord(list) ? list['values'] : undefined;
    return Array.isArray(values) ? values.map(fromProtoValue) : [];
  }
  return null;
}

/** google.protobuf.Struct → JSON object. A plain object without `fields` is taken as already JSON. */
function fromProtoStruct(struct: unknown): JsonObject {
  if (!isRecord(struct)) return {};
  const fields = struct['fields'];
  if (!isRecord(fields)) return struct as JsonObject;
  // Object.fromEntries keeps every key as an own property: assigning a "__proto__" key would swap the prototype.
  return Object.fromEntries(Object.keys(fields).map((key) => [key, fromProtoValue(fields[key])]));
}

function httpRequestOf(raw: unknown): HttpRequestInfo | undefined {
  if (!isRecord(raw)) return undefined;
  const info: HttpRequestInfo = {};
  const method = nonEmptyString(raw['requestMethod']);
  if (method) info.requestMethod = method;
  const url = nonEmptyString(raw['requestUrl']);
  if (url) info.requestUrl = url;
  const status = Number(raw['status'] ?? 0);
  if (status) info.status = status;
  const latency = durationText(raw['latency']);
  if (latency) info.latency = latency;
  const userAgent = nonEmptyString(raw['userAgent']);
  if (userAgent) info.userAgent = userAgent;
  const remoteIp = nonEmptyString(raw['remoteIp']);
  if (remoteIp) info.remoteIp = remoteIp;
  const responseSize = isRecord(raw['responseSize']) ? int64(raw['responseSize']) : raw['responseSize'];
  if (responseSize !== undefined && responseSize !== null && String(responseSize) !== '0' && String(responseSize) !== '') info.responseSize = String(responseSize);
  const protocol = nonEmptyString(raw['protocol']);
  if (protocol) info.protocol = protocol;
  return Object.keys(info).length > 0 ? info : undefined;
}

function sourceLocationOf(raw: unknown): SourceLocation | undefined {
  if (!isRecord(raw)) return undefined;
  const file = nonEmptyString(raw['file']);
  if (!file) return undefined;
  const location: SourceLocation = { file };
  const line = int64(raw['line']);
  if (line > 0) location.line = line;
  const functionName = nonEmptyString(raw['function']);
  if (functionName) location.function = functionName;
  return location;
}

const internedNames = new Map<string, string>();

/**
 * One string per service or revision name instead of a fresh copy in every entry (decoding makes one per entry):
 * a view holding 10,000 entries of a few revisions keeps a few names, and the GC has less to copy.
 */
function interned(name: string | undefined): string | null {
  if (name === undefined) return null;
  const known = internedNames.get(name);
  if (known !== undefined) return known;
  if (internedNames.size < 1000) internedNames.set(name, name);
  return name;
}

const decodedLogIds = new Map<string, string>();

/** "projects/p/logs/run.googleapis.com%2Fstdout" → "run.googleapis.com/stdout" (cached: a stream has few logs). */
function logIdOf(logName: string): string {
  let id = decodedLogIds.get(logName);
  if (id === undefined) {
    const at = logName.indexOf('/logs/');
    const encoded = at >= 0 ? logName.slice(at + 6) : logName;
    try {
      id = decodeURIComponent(encoded);
    } catch {
      id = encoded;
    }
    if (decodedLogIds.size < 1000) decodedLogIds.set(logName, id);
  }
  return id;
}

function stringMapOf(raw: unknown): Record<string, string> | undefined {
  if (!isRecord(raw)) return undefined;
  const strings = Object.entries(raw).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return strings.length > 0 ? Object.fromEntries(strings) : undefined;
}

/**
 * A decoded LogEntry message → TimedEntry. Works on what the gapic client yields over gRPC and over REST
 * (both decode into the same protobufjs object shape: Timestamps as {seconds, nanos}, Structs as {fields}), and on
 * a protobufjs message as decoded, before toObject (int64 as Long, enums as numbers, defaults on the prototype).
 */
export function normalizeApiEntry(raw: unknown): TimedEntry {
  const message = isRecord(raw) ? raw : {};
  const instant = instantOf(message['timestamp']) ?? instantOf(message['receiveTimestamp']) ?? { seconds: 0, nanos: 0 };
  const resource = isRecord(message['resource']) ? message['resource'] : {};
  const resourceLabels = isRecord(resource['labels']) ? resource['labels'] : {};
  const entry: LogEntry = {
    insertId: typeof message['insertId'] === 'string' ? message['insertId'] : '',
    timestamp: formatInstant(instant),
    severity: severityOf(message['severity']),
    service: interned(nonEmptyString(resourceLabels['service_name'])),
    revision: interned(nonEmptyString(resourceLabels['revision_name'])),
    log: logIdOf(typeof message['logName'] === 'string' ? message['logName'] : ''),
  };
  // `payload` names the oneof member that is set; fall back to presence for shapes without it. Presence means an
  // own property: a decoded protobufjs message keeps field defaults (textPayload "") on its prototype.
  const payload = typeof message['payload'] === 'string' ? message['payload'] : undefined;
  if (payload === 'textPayload' || (payload === undefined && typeof ownValue(message, 'textPayload') === 'string')) {
    entry.text = String(message['textPayload'] ?? '');
  } else if (payload === 'jsonPayload' || (payload === undefined && isRecord(ownValue(message, 'jsonPayload')))) {
    entry.json = fromProtoStruct(message['jsonPayload']);
  } else if (payload === 'protoPayload' || (payload === undefined && isRecord(ownValue(message, 'protoPayload')))) {
    // An Any (audit logs); its type cannot be decoded without the message's proto, so say what it is.
    const any = isRecord(message['protoPayload']) ? message['protoPayload'] : {};
    entry.text = `[protoPayload ${String(any['type_url'] ?? any['typeUrl'] ?? '')}]`;
  }
  const trace = nonEmptyString(message['trace']);
  if (trace) entry.trace = trace;
  const spanId = nonEmptyString(message['spanId']);
  if (spanId) entry.spanId = spanId;
  const httpRequest = httpRequestOf(message['httpRequest']);
  if (httpRequest) entry.httpRequest = httpRequest;
  const sourceLocation = sourceLocationOf(message['sourceLocation']);
  if (sourceLocation) entry.sourceLocation = sourceLocation;
  const labels = stringMapOf(message['labels']);
  if (labels) entry.labels = labels;
  return { entry, seconds: instant.seconds, nanos: instant.nanos };
}

/** One line of text for the payload: the text, a structured log's message (with the other fields), or JSON. */
export function entryText(entry: LogEntry): string {
  if (entry.text !== undefined) return entry.text;
  if (entry.json !== undefined) {
    const message = ownValue(entry.json, 'message');
    if (typeof message === 'string') {
      const rest = Object.keys(entry.json).filter((key) => key !== 'message');
      if (rest.length === 0) return message;
      const json = entry.json;
      return `${message} ${JSON.stringify(Object.fromEntries(rest.map((key) => [key, json[key]])))}`;
    }
    return JSON.stringify(entry.json);
  }
  if (entry.httpRequest) {
    const h = entry.httpRequest;
    return [h.requestMethod, h.requestUrl, h.status, h.latency].filter((part) => part !== undefined).join(' ');
  }
  return '';
}
