// Logging's REST surface: POST /v2/entries:list and POST /v2/entries:write, in proto3 JSON. Also answers the
// gax REST transport (`fallback: true`), which asks for integer enums with `$alt=json;enum-encoding=int`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScenarioError } from '../api';
import { googleErrorBody, httpStatusForGrpc } from '../faults';
import { SEVERITY_VALUES, type LogEntryInput, type StoredLogEntry } from './entry';
import type { LoggingBackend } from './grpc';
import { GrpcCode, LoggingApiError, type ListEntriesRequest } from './store';

const ENTRIES_PATH_PREFIX = '/v2/entries:';

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof LoggingApiError) {
    sendJson(res, error.httpStatus ?? httpStatusForGrpc(error.grpcCode), googleErrorBody(error.httpStatus ?? httpStatusForGrpc(error.grpcCode), error.message));
  } else if (error instanceof ScenarioError) {
    sendJson(res, 400, googleErrorBody(400, error.message));
  } else {
    sendJson(res, 500, googleErrorBody(500, `Internal emulator error: ${error instanceof Error ? error.message : String(error)}`));
  }
}

function parseBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, `Invalid JSON payload received. ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, 'Invalid JSON payload received: expected an object');
  }
  return parsed as Record<string, unknown>;
}

/** Reads a field by its proto3 JSON name or its proto name (both are accepted by Google's REST front end). */
function field(body: Record<string, unknown>, jsonName: string, protoName: string): unknown {
  return body[jsonName] ?? body[protoName];
}

function listRequestFromJson(body: Record<string, unknown>): ListEntriesRequest {
  const resourceNames = field(body, 'resourceNames', 'resource_names');
  const filter = field(body, 'filter', 'filter');
  const orderBy = field(body, 'orderBy', 'order_by');
  const pageSize = field(body, 'pageSize', 'page_size');
  const pageToken = field(body, 'pageToken', 'page_token');
  if (resourceNames !== undefined && !(Array.isArray(resourceNames) && resourceNames.every((name) => typeof name === 'string'))) {
    throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, 'resourceNames: expected an array of strings');
  }
  if (filter !== undefined && typeof filter !== 'string') throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, 'filter: expected a string');
  if (orderBy !== undefined && typeof orderBy !== 'string') throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, 'orderBy: expected a string');
  if (pageToken !== undefined && typeof pageToken !== 'string') throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, 'pageToken: expected a string');
  // int32 may arrive as a JSON number or a decimal string.
  const pageSizeNumber = pageSize === undefined ? 0 : typeof pageSize === 'number' ? pageSize : typeof pageSize === 'string' && /^-?\d+$/.test(pageSize) ? Number(pageSize) : NaN;
  if (Number.isNaN(pageSizeNumber)) throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, 'pageSize: expected an integer');
  return {
    resourceNames: resourceNames as string[] | undefined,
    filter: filter as string | undefined,
    orderBy: orderBy as string | undefined,
    pageSize: pageSizeNumber,
    pageToken: pageToken as string | undefined,
  };
}

function entryToJson(entry: StoredLogEntry, integerEnums: boolean): unknown {
  return integerEnums ? { ...entry.json, severity: SEVERITY_VALUES[entry.json.severity] } : entry.json;
}

/** entries:write in REST: LogEntry JSON is the LogEntryInput shape, with request-level logName/resource/labels. */
function writeEntriesFromJson(body: Record<string, unknown>): LogEntryInput[] {
  const entries = body['entries'];
  if (!Array.isArray(entries) || entries.length === 0) throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, 'entries: at least one log entry is required');
  const logName = field(body, 'logName', 'log_name');
  const resource = body['resource'];
  const labels = body['labels'];
  return entries.map((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new ScenarioError(`entries[${index}]`, 'a LogEntry object');
    const withDefaults: Record<string, unknown> = { ...entry };
    if (withDefaults['logName'] === undefined && typeof logName === 'string') withDefaults['logName'] = logName;
    if (withDefaults['resource'] === undefined && resource !== undefined) withDefaults['resource'] = resource;
    if (typeof labels === 'object' && labels !== null) {
      withDefaults['labels'] = { ...(labels as Record<string, unknown>), ...((withDefaults['labels'] as Record<string, unknown> | undefined) ?? {}) };
    }
    if (withDefaults['logName'] === undefined) {
      throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, `entries[${index}].logName: a log name is required (on the entry or the request)`);
    }
    return withDefaults as LogEntryInput;
  });
}

/** Answers Logging REST requests; false for paths that are not Logging's. */
export async function handleLoggingHttp(
  backend: LoggingBackend,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
): Promise<boolean> {
  if (!url.pathname.startsWith(ENTRIES_PATH_PREFIX)) return false;
  const method = url.pathname.slice(ENTRIES_PATH_PREFIX.length);
  const integerEnums = (url.searchParams.get('$alt') ?? '').includes('enum-encoding=int');
  try {
    if (method === 'list' || method === 'write') {
      if (req.method !== 'POST') {
        throw new LoggingApiError(5, `The requested URL ${url.pathname} was not found on this server for method ${req.method ?? ''} (use POST).`, 404);
      }
      const parsed = parseBody(body);
      if (method === 'list') {
        const result = await backend.list(listRequestFromJson(parsed));
        const response = {
          entries: result.entries.map((entry) => entryToJson(entry, integerEnums)),
          // proto3 JSON leaves out empty strings.
          ...(result.nextPageToken ? { nextPageToken: result.nextPageToken } : {}),
        };
        sendJson(res, 200, JSON.stringify(response));
      } else {
        backend.write(writeEntriesFromJson(parsed));
        sendJson(res, 200, '{}');
      }
    } else {
      throw new LoggingApiError(
        GrpcCode.UNIMPLEMENTED,
        `entries:${method} is not served over REST by the Cloud Run Drift emulator (TailLogEntries is gRPC-only; use entries:list or entries:write)`,
      );
    }
  } catch (error) {
    sendError(res, error);
  }
  return true;
}
