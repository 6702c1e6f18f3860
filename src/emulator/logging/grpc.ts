// The LoggingServiceV2 gRPC server, built from the very protos the client library ships, so the real
// @google-cloud/logging client talks to it unchanged. Converts between stored entries (REST/proto3 JSON shape)
// and gRPC message objects (google.protobuf.Struct, Timestamp, Duration).
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ScenarioError } from '../api';
import { formatInstant, parseInstant, type JsonObject, type JsonValue, type LogEntryInput, type StoredLogEntry } from './entry';
import { GrpcCode, LoggingApiError, type ListEntriesRequest, type ListEntriesResult } from './store';
import type { TailManager, TailRequest, TailSession, TailTransport } from './tail';

/** What the gRPC methods are served by (the module in api.ts). */
export interface LoggingBackend {
  list(request: ListEntriesRequest): Promise<ListEntriesResult>;
  /** WriteLogEntries: entries already in LogEntryInput shape; throws LoggingApiError or ScenarioError. */
  write(entries: LogEntryInput[]): void;
  tails: TailManager;
}

const LOGGING_PROTO = 'google/logging/v2/logging.proto';
const SERVICE_NAME = 'google.logging.v2.LoggingServiceV2';

/** Where the protos live: @google-cloud/logging-api's own, plus google-gax's (google/api, google/protobuf, ...). */
function protoIncludeDirs(): string[] {
  const loggingApiPackageJson = require.resolve('@google-cloud/logging-api/package.json');
  const loggingProtos = path.join(path.dirname(loggingApiPackageJson), 'build', 'protos');
  // Resolve google-gax from logging-api's location: that is the copy whose protos match it.
  const gaxMain = createRequire(loggingApiPackageJson).resolve('google-gax');
  const gaxProtos = path.resolve(path.dirname(gaxMain), '..', 'protos');
  return [loggingProtos, gaxProtos];
}

let serviceDefinitionPromise: Promise<grpc.ServiceDefinition> | undefined;

/** Loads (once per process: parsing the protos takes a few hundred ms) the LoggingServiceV2 definition. */
function loadServiceDefinition(): Promise<grpc.ServiceDefinition> {
  serviceDefinitionPromise ??= protoLoader
    .load(LOGGING_PROTO, { includeDirs: protoIncludeDirs(), keepCase: false, longs: String, enums: String, defaults: true, oneofs: true })
    .then((packageDefinition) => {
      const definition = packageDefinition[SERVICE_NAME];
      if (!definition || !('TailLogEntries' in definition)) throw new Error(`${SERVICE_NAME} not found in ${LOGGING_PROTO}`);
      // proto-loader's ServiceDefinition is structurally grpc-js's (grpc.loadPackageDefinition does the same hand-over).
      return definition as unknown as grpc.ServiceDefinition;
    });
  serviceDefinitionPromise.catch(() => {
    serviceDefinitionPromise = undefined;
  });
  return serviceDefinitionPromise;
}

// ---------------------------------------------------------------------------------------------------------------
// Conversions

type StructValue =
  | { nullValue: 'NULL_VALUE' }
  | { numberValue: number }
  | { stringValue: string }
  | { boolValue: boolean }
  | { structValue: { fields: Record<string, StructValue> } }
  | { listValue: { values: StructValue[] } };

function toStructValue(value: JsonValue): StructValue {
  if (value === null) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(toStructValue) } };
  return { structValue: toStruct(value) };
}

function toStruct(object: JsonObject): { fields: Record<string, StructValue> } {
  const fields: Record<string, StructValue> = {};
  for (const [key, value] of Object.entries(object)) fields[key] = toStructValue(value);
  return { fields };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Decoded google.protobuf.Value (with `oneofs: true` the set member is named by `kind`) → JSON. */
function fromStructValue(value: unknown): JsonValue {
  if (!isRecord(value)) return null;
  switch (value['kind']) {
    case 'numberValue':
      return Number(value['numberValue']);
    case 'stringValue':
      return String(value['stringValue']);
    case 'boolValue':
      return Boolean(value['boolValue']);
    case 'structValue':
      return fromStruct(value['structValue']);
    case 'listValue': {
      const list = value['listValue'];
      return isRecord(list) && Array.isArray(list['values']) ? list['values'].map(fromStructValue) : [];
    }
    default:
      return null;
  }
}

function fromStruct(struct: unknown): JsonObject {
  const out: JsonObject = {};
  const fields = isRecord(struct) ? struct['fields'] : undefined;
  if (isRecord(fields)) for (const [key, value] of Object.entries(fields)) out[key] = fromStructValue(value);
  return out;
}

/** "1.5s" (proto3 JSON Duration) → {seconds, nanos}. */
function durationFromJson(text: string): { seconds: number; nanos: number } | undefined {
  const match = /^(-?\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (!match) return undefined;
  return { seconds: Number(match[1]), nanos: match[2] ? Number(match[2].padEnd(9, '0')) : 0 };
}

function durationToJson(duration: unknown): string | undefined {
  if (!isRecord(duration)) return undefined;
  const seconds = Number(duration['seconds'] ?? 0);
  const nanos = Number(duration['nanos'] ?? 0);
  if (seconds === 0 && nanos === 0) return undefined;
  return nanos === 0 ? `${seconds}s` : `${seconds}.${String(nanos).padStart(9, '0').replace(/0+$/, '')}s`;
}

/** The gRPC message object for an entry, cached on it (a busy tail sends the same entry to several sessions). */
export function toGrpcEntry(entry: StoredLogEntry): unknown {
  if (entry.grpcForm !== undefined) return entry.grpcForm;
  const json = entry.json;
  const httpRequest = json.httpRequest
    ? {
        ...json.httpRequest,
        ...(typeof json.httpRequest['latency'] === 'string' ? { latency: durationFromJson(json.httpRequest['latency']) ?? null } : {}),
      }
    : undefined;
  const form = {
    logName: json.logName,
    resource: json.resource,
    timestamp: entry.timestamp,
    receiveTimestamp: parseInstant(json.receiveTimestamp),
    severity: json.severity,
    insertId: json.insertId,
    labels: json.labels ?? {},
    ...(json.textPayload !== undefined ? { textPayload: json.textPayload } : {}),
    ...(json.jsonPayload !== undefined ? { jsonPayload: toStruct(json.jsonPayload) } : {}),
    ...(json.trace !== undefined ? { trace: json.trace } : {}),
    ...(json.spanId !== undefined ? { spanId: json.spanId } : {}),
    ...(json.traceSampled !== undefined ? { traceSampled: json.traceSampled } : {}),
    ...(httpRequest !== undefined ? { httpRequest } : {}),
    ...(json.sourceLocation !== undefined ? { sourceLocation: json.sourceLocation } : {}),
    ...(json.operation !== undefined ? { operation: json.operation } : {}),
  };
  entry.grpcForm = form;
  return form;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string') out[key] = item;
  return Object.keys(out).length > 0 ? out : undefined;
}

function timestampToJson(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  return formatInstant({ seconds: Number(value['seconds'] ?? 0), nanos: Number(value['nanos'] ?? 0) });
}

/** A decoded WriteLogEntriesRequest → entries in LogEntryInput shape (request-level defaults applied). */
export function entriesFromWriteRequest(request: unknown): LogEntryInput[] {
  const body = isRecord(request) ? request : {};
  const entries = Array.isArray(body['entries']) ? body['entries'] : [];
  if (entries.length === 0) throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, 'entries: at least one log entry is required');
  const defaultLogName = nonEmptyString(body['logName']);
  const defaultResource = isRecord(body['resource']) ? body['resource'] : undefined;
  const defaultLabels = stringMap(body['labels']);
  return entries.map((raw: unknown, index): LogEntryInput => {
    const entry = isRecord(raw) ? raw : {};
    const logName = nonEmptyString(entry['logName']) ?? defaultLogName;
    const resource = isRecord(entry['resource']) ? entry['resource'] : defaultResource;
    if (!logName) throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, `entries[${index}].logName: a log name is required (on the entry or the request)`);
    if (!resource) throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, `entries[${index}].resource: a monitored resource is required`);
    const labels = { ...(defaultLabels ?? {}), ...(stringMap(entry['labels']) ?? {}) };
    const input: LogEntryInput = {
      logName,
      resource: { type: nonEmptyString(resource['type']) ?? 'global', labels: stringMap(resource['labels']) ?? {} },
    };
    const insertId = nonEmptyString(entry['insertId']);
    if (insertId) input.insertId = insertId;
    const timestamp = timestampToJson(entry['timestamp']);
    if (timestamp && timestamp !== formatInstant({ seconds: 0, nanos: 0 })) input.timestamp = timestamp;
    if (typeof entry['severity'] === 'string' || typeof entry['severity'] === 'number') input.severity = entry['severity'];
    if (Object.keys(labels).length > 0) input.labels = labels;
    if (entry['payload'] === 'textPayload') input.textPayload = String(entry['textPayload'] ?? '');
    if (entry['payload'] === 'jsonPayload') input.jsonPayload = fromStruct(entry['jsonPayload']);
    const trace = nonEmptyString(entry['trace']);
    if (trace) input.trace = trace;
    const spanId = nonEmptyString(entry['spanId']);
    if (spanId) input.spanId = spanId;
    if (entry['traceSampled'] === true) input.traceSampled = true;
    if (isRecord(entry['httpRequest'])) {
      const http: JsonObject = {};
      for (const [key, value] of Object.entries(entry['httpRequest'])) {
        if (key === 'latency') {
          const latency = durationToJson(value);
          if (latency) http[key] = latency;
        } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
          if (value !== '' && value !== '0' && value !== 0 && value !== false) http[key] = value;
        }
      }
      input.httpRequest = http;
    }
    if (isRecord(entry['sourceLocation'])) {
      const location = entry['sourceLocation'];
      input.sourceLocation = {
        ...(nonEmptyString(location['file']) ? { file: String(location['file']) } : {}),
        ...(location['line'] !== undefined && String(location['line']) !== '0' ? { line: String(location['line']) } : {}),
        ...(nonEmptyString(location['function']) ? { function: String(location['function']) } : {}),
      };
    }
    return input;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Server

function grpcError(code: number, message: string): grpc.ServiceError {
  return Object.assign(new Error(message), { code, details: message, metadata: new grpc.Metadata() });
}

function toServiceError(error: unknown): grpc.ServiceError {
  if (error instanceof LoggingApiError) return grpcError(error.grpcCode, error.message);
  if (error instanceof ScenarioError) return grpcError(GrpcCode.INVALID_ARGUMENT, error.message);
  return grpcError(13, `Internal emulator error: ${error instanceof Error ? error.message : String(error)}`);
}

function listRequestFrom(request: unknown): ListEntriesRequest {
  const body = isRecord(request) ? request : {};
  return {
    resourceNames: Array.isArray(body['resourceNames']) ? body['resourceNames'].map(String) : [],
    filter: typeof body['filter'] === 'string' ? body['filter'] : '',
    orderBy: typeof body['orderBy'] === 'string' ? body['orderBy'] : '',
    pageSize: typeof body['pageSize'] === 'number' ? body['pageSize'] : 0,
    pageToken: typeof body['pageToken'] === 'string' ? body['pageToken'] : '',
  };
}

function tailRequestFrom(request: unknown): TailRequest {
  const body = isRecord(request) ? request : {};
  const window = body['bufferWindow'];
  return {
    resourceNames: Array.isArray(body['resourceNames']) ? body['resourceNames'].map(String) : [],
    filter: typeof body['filter'] === 'string' ? body['filter'] : '',
    bufferWindow: isRecord(window)
      ? { seconds: typeof window['seconds'] === 'number' ? window['seconds'] : String(window['seconds'] ?? '0'), nanos: Number(window['nanos'] ?? 0) }
      : null,
  };
}

function serveTail(call: grpc.ServerDuplexStream<unknown, unknown>, backend: LoggingBackend): void {
  let session: TailSession | undefined;
  let requested = false;
  let finished = false;
  const transport: TailTransport = {
    send: (batch) =>
      call.write({ entries: batch.entries.map(toGrpcEntry), suppressionInfo: batch.suppressionInfo }),
    onceDrained: (listener) => call.once('drain', listener),
    fail: (code, message) => {
      if (finished) return;
      finished = true;
      // grpc-js turns an 'error' event on a server stream into the call's status, sent after pending writes.
      call.emit('error', grpcError(code, message));
    },
  };
  const stop = (): void => {
    finished = true;
    session?.close();
  };
  call.on('cancelled', stop);
  call.on('close', stop);
  call.on('data', (request: unknown) => {
    // The API reads only the first request of a session; the client library sends exactly one.
    if (requested) return;
    requested = true;
    backend.tails.open(tailRequestFrom(request), transport).then(
      (opened) => {
        if (finished) opened.close();
        else session = opened;
      },
      (error: unknown) => {
        const serviceError = toServiceError(error);
        transport.fail(serviceError.code, serviceError.details);
      },
    );
  });
}

export class LoggingGrpcServer {
  private server: grpc.Server | undefined;

  constructor(private readonly backend: LoggingBackend) {}

  async start(host: string, port: number): Promise<number> {
    const definition = await loadServiceDefinition();
    const server = new grpc.Server();
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const [methodName, method] of Object.entries(definition)) {
      // Explicit UNIMPLEMENTED answers name the emulator, so a confused developer knows who refused.
      const message = `${methodName} is not implemented by the Cloud Run Drift emulator (it serves ListLogEntries, TailLogEntries and WriteLogEntries)`;
      if (method.requestStream || method.responseStream) {
        implementation[methodName] = (call: grpc.ServerWritableStream<unknown, unknown>) => call.emit('error', grpcError(GrpcCode.UNIMPLEMENTED, message));
      } else {
        implementation[methodName] = (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) =>
          callback(grpcError(GrpcCode.UNIMPLEMENTED, message));
      }
    }
    implementation['ListLogEntries'] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      this.backend.list(listRequestFrom(call.request)).then(
        (result) => callback(null, { entries: result.entries.map(toGrpcEntry), nextPageToken: result.nextPageToken }),
        (error: unknown) => callback(toServiceError(error)),
      );
    };
    implementation['WriteLogEntries'] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      try {
        this.backend.write(entriesFromWriteRequest(call.request));
        callback(null, {});
      } catch (error) {
        callback(toServiceError(error));
      }
    };
    implementation['TailLogEntries'] = (call: grpc.ServerDuplexStream<unknown, unknown>) => serveTail(call, this.backend);
    server.addService(definition, implementation);

    const boundPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, actualPort) =>
        error ? reject(error) : resolve(actualPort),
      );
    });
    this.server = server;
    return boundPort;
  }

  /** Ends open tails, then shuts down: gracefully when calls finish quickly, forcibly after a short grace. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.backend.tails.closeAll(GrpcCode.UNAVAILABLE, 'the emulator is shutting down');
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 250);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}
