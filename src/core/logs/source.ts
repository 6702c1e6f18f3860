// Where log entries come from: a LogSource over the Cloud Logging API (the SDK, loaded lazily), transport-neutral
// for stream.ts. No vscode import.
//
// API:
//   createLogSource(options): Promise<LogSource>
//       options.projects       projects whose logs to read (resourceNames projects/{p})
//       options.endpoint       config `endpoints.logging` (host:port). Loopback: plain gRPC, no credentials
//                              (PassThroughClient). Another host: TLS with Application Default Credentials.
//       options.transport      'grpc' (default; can tail) or 'rest' (HTTP/1.1; cannot tail → the stream polls)
//       options.restEndpoint   REST base URL for transport 'rest' (http://127.0.0.1:PORT only for loopback)
//       options.callTimeoutMs  per list call (default 20 s), with at most 2 retries of UNAVAILABLE/INTERNAL
//     Rejects with LogApiError: no/expired credentials → the message names the fix
//     (`gcloud auth application-default login`), a bad endpoint → says what is expected.
//   interface LogSource { list(request), tail(request), canTail, description, close() }
//   LogApiError { code: gRPC status code | null, message: the API's own words }
//   describeLogError(error): LogApiError
//   GrpcStatus: the status codes we act on
//
// Unhandled rejections (the library's pitfalls, and how each is avoided here):
//   - Without credentials the generated client rejects inside initialize() promises it does not await: we
//     resolve credentials first (ADC) or pass PassThroughClient, then await initialize() ourselves, and drop the
//     client if that fails, so no later call can re-trigger the rejected promise.
//   - In REST mode tailLogEntries throws (synchronously for the generated client, inside a promise for the
//     Logging class, which we do not use): tail() checks the transport first and throws a LogApiError.
//   - A tail's server errors arrive as 'error' events: listeners are attached before the request is written.
import { CREDENTIALS_FIX } from '../cloudrun';
import { loadLoggingSdk, type LoggingSdk } from '../sdk';
import { normaliseApiEntry, type TimedEntry } from './entry';
import type { LoggingServiceClient, TailCall } from '../../sdk/logging';

export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export class LogApiError extends Error {
  constructor(
    message: string,
    /** gRPC status code; null when the failure is not the API's (e.g. the client could not be built). */
    readonly code: number | null,
    /** Which call failed: the history/backfill/poll listing, or the live tail. */
    readonly call: 'list' | 'tail' | 'setup' = 'setup',
  ) {
    super(message);
    this.name = 'LogApiError';
  }
}

export interface ListRequest {
  /** The complete filter, window included. */
  filter: string;
  orderBy: 'timestamp asc' | 'timestamp desc';
  pageSize: number;
  pageToken?: string;
}

export interface ListPage {
  entries: TimedEntry[];
  /** '' when there are no more pages. */
  nextPageToken: string;
}

export interface TailRequest {
  filter: string;
  /** TailLogEntries buffer_window: how long the server holds entries to send them in order (0–60 000 ms). */
  bufferWindowMs: number;
}

export interface TailResponse {
  entries: TimedEntry[];
  /** Entries the server matched but did not send (TailLogEntriesResponse.suppression_info). */
  suppressed: { rateLimit: number; notConsumed: number };
}

export interface TailHandlers {
  response(response: TailResponse): void;
  /** Once: null when the server ended the stream cleanly, else why it failed. Not called after cancel(). */
  end(error: LogApiError | null): void;
}

export interface TailHandle {
  pause(): void;
  resume(): void;
  cancel(): void;
}

export interface LogSource {
  /** e.g. "Cloud Logging (gRPC)" or "emulator 127.0.0.1:8124 (gRPC)"; for status lines. */
  readonly description: string;
  /** False for the REST transport: TailLogEntries is a gRPC bidi stream only. */
  readonly canTail: boolean;
  readonly projects: readonly string[];
  list(request: ListRequest): Promise<ListPage>;
  /** Opens a live tail. Throws LogApiError (UNIMPLEMENTED) where tailing is impossible. */
  tail(request: TailRequest, handlers: TailHandlers): TailHandle;
  close(): Promise<void>;
}

export interface LogSourceOptions {
  projects: readonly string[];
  endpoint?: string;
  transport?: 'grpc' | 'rest';
  restEndpoint?: string;
  callTimeoutMs?: number;
}

export async function createLogSource(options: LogSourceOptions): Promise<LogSource> {
  const projects = [...new Set(options.projects)];
  if (projects.length === 0) throw new LogApiError('no project to read logs from', null);
  const sdk = loadLoggingSdk();
  const transport = options.transport ?? 'grpc';
  const { client, description } = await buildClient(sdk, projects[0]!, transport, options);
  try {
    await client.initialize();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw asSetupError(error);
  }
  return new SdkLogSource(client, projects, transport === 'grpc', description, options.callTimeoutMs ?? 20_000);
}

async function buildClient(
  sdk: LoggingSdk,
  projectId: string,
  transport: 'grpc' | 'rest',
  options: LogSourceOptions,
): Promise<{ client: LoggingServiceClient; description: string }> {
  if (transport === 'rest') {
    const target = options.restEndpoint ? parseUrl(options.restEndpoint) : null;
    if (target && target.protocol === 'http:') {
      if (!isLoopback(target.hostname)) throw new LogApiError(`${options.restEndpoint}: plain http is only allowed to a loopback emulator`, null);
      const client = new sdk.LoggingServiceV2Client({
        projectId,
        apiEndpoint: target.hostname,
        port: Number(target.port || 80),
        protocol: 'http',
        fallback: true,
        authClient: new sdk.PassThroughClient(),
      });
      return { client, description: `emulator ${target.host} (REST)` };
    }
    const authClient = await applicationDefaultCredentials(sdk);
    const client = new sdk.LoggingServiceV2Client({
      projectId,
      fallback: true,
      authClient,
      ...(target ? { apiEndpoint: target.hostname, port: Number(target.port || 443) } : {}),
    });
    return { client, description: `Cloud Logging${target ? ` at ${target.host}` : ''} (REST)` };
  }
  if (options.endpoint) {
    const match = /^([^/\s:]+):(\d{1,5})$/.exec(options.endpoint);
    if (!match) throw new LogApiError(`endpoints.logging "${options.endpoint}": expected host:port such as "127.0.0.1:8124"`, null);
    const [, host, port] = match;
    if (isLoopback(host!)) {
      // A local emulator: no credentials, so none are looked up, stored or sent.
      const client = new sdk.LoggingServiceV2Client({
        projectId,
        apiEndpoint: host!,
        port: Number(port),
        sslCreds: sdk.insecureChannelCredentials(),
        authClient: new sdk.PassThroughClient(),
      });
      return { client, description: `emulator ${options.endpoint} (gRPC)` };
    }
    const authClient = await applicationDefaultCredentials(sdk);
    return { client: new sdk.LoggingServiceV2Client({ projectId, apiEndpoint: host!, port: Number(port), authClient }), description: `Cloud Logging at ${options.endpoint} (gRPC)` };
  }
  const authClient = await applicationDefaultCredentials(sdk);
  return { client: new sdk.LoggingServiceV2Client({ projectId, authClient }), description: 'Cloud Logging (gRPC)' };
}

/** Resolves ADC once, up front: the SDK would otherwise reject inside a promise nobody awaits. */
async function applicationDefaultCredentials(sdk: LoggingSdk): Promise<InstanceType<LoggingSdk['PassThroughClient']> | Awaited<ReturnType<InstanceType<LoggingSdk['GoogleAuth']>['getClient']>>> {
  const auth = new sdk.GoogleAuth({ scopes: ['https://www.googleapis.com/auth/logging.read'] });
  try {
    const client = await auth.getClient();
    await client.getAccessToken();
    return client;
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const message = /default credentials/i.test(text)
      ? `No Google Cloud credentials found. Run: ${CREDENTIALS_FIX}`
      : `Google Cloud credentials were rejected (${firstLine(text)}). Run: ${CREDENTIALS_FIX}`;
    throw new LogApiError(message, GrpcStatus.UNAUTHENTICATED);
  }
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new LogApiError(`"${text}" is not a URL such as http://127.0.0.1:8123`, null);
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

function asSetupError(error: unknown): LogApiError {
  const described = describeLogError(error, 'setup');
  return described;
}

/** The API's own message (gRPC `details`), without the "3 INVALID_ARGUMENT: " prefix; credentials → the fix. */
export function describeLogError(error: unknown, call: LogApiError['call'] = 'setup'): LogApiError {
  if (error instanceof LogApiError) return error;
  const record = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; details?: unknown; message?: unknown };
  const code = typeof record.code === 'number' ? record.code : null;
  const details = typeof record.details === 'string' && record.details.trim() !== '' ? record.details : undefined;
  const raw = details ?? (typeof record.message === 'string' ? record.message : String(error));
  if (code === GrpcStatus.UNAUTHENTICATED || /invalid_grant|reauth|invalid_rapt/i.test(raw)) {
    return new LogApiError(`Google Cloud credentials were rejected or expired. Run: ${CREDENTIALS_FIX}`, GrpcStatus.UNAUTHENTICATED, call);
  }
  if (/default credentials/i.test(raw)) return new LogApiError(`No Google Cloud credentials found. Run: ${CREDENTIALS_FIX}`, GrpcStatus.UNAUTHENTICATED, call);
  // gax wraps retried failures: keep the cause's own words.
  const cause = raw
    .replace(/^(Total timeout|Exceeded maximum number of retries)[\s\S]*?retrying error (Error: )?/, '')
    .replace(/\s*: Previous errors[\s\S]*$/, '')
    .replace(/\s+before any response was received\.?$/, '')
    .replace(/^\d+ [A-Z_]+: /, '');
  const message = firstLine(cause) || 'Cloud Logging call failed';
  return new LogApiError(code === GrpcStatus.PERMISSION_DENIED ? `Permission denied: ${message}` : message, code, call);
}

const SUPPRESSION_RATE_LIMIT = new Set<unknown>(['RATE_LIMIT', 1]);
const SUPPRESSION_NOT_CONSUMED = new Set<unknown>(['NOT_CONSUMED', 2]);

class SdkLogSource implements LogSource {
  private closed = false;
  private readonly resourceNames: string[];

  constructor(
    private readonly client: LoggingServiceClient,
    readonly projects: readonly string[],
    readonly canTail: boolean,
    readonly description: string,
    private readonly callTimeoutMs: number,
  ) {
    this.resourceNames = projects.map((p) => `projects/${p}`);
  }

  async list(request: ListRequest): Promise<ListPage> {
    try {
      const [entries, , response] = await this.client.listLogEntries(
        {
          resourceNames: this.resourceNames,
          filter: request.filter,
          orderBy: request.orderBy,
          pageSize: request.pageSize,
          ...(request.pageToken ? { pageToken: request.pageToken } : {}),
        },
        { autoPaginate: false, timeout: this.callTimeoutMs, maxRetries: 2 },
      );
      return { entries: entries.map(normaliseApiEntry), nextPageToken: response?.nextPageToken ?? '' };
    } catch (error) {
      throw describeLogError(error, 'list');
    }
  }

  tail(request: TailRequest, handlers: TailHandlers): TailHandle {
    if (!this.canTail) {
      throw new LogApiError('live tailing needs gRPC (TailLogEntries is a bidirectional stream); this connection uses REST', GrpcStatus.UNIMPLEMENTED, 'tail');
    }
    let call: TailCall;
    try {
      call = this.client.tailLogEntries();
    } catch (error) {
      throw describeLogError(error, 'tail');
    }
    let over = false;
    let cancelled = false;
    const end = (error: LogApiError | null): void => {
      if (over) return;
      over = true;
      if (!cancelled) handlers.end(error);
    };
    call.on('data', (message: unknown) => {
      if (over) return;
      handlers.response(tailResponseOf(message));
    });
    call.on('error', (error: unknown) => end(describeLogError(error, 'tail')));
    // A failed call may signal end/close before its 'error' (the status arrives last): let the error win.
    const endCleanly = (): void => void setImmediate(() => end(null));
    call.on('end', endCleanly);
    call.on('close', endCleanly);
    const windowMs = Math.max(0, Math.min(60_000, Math.round(request.bufferWindowMs)));
    call.write({
      resourceNames: this.resourceNames,
      filter: request.filter,
      bufferWindow: { seconds: Math.floor(windowMs / 1000), nanos: (windowMs % 1000) * 1_000_000 },
    });
    return {
      pause: () => call.pause(),
      resume: () => call.resume(),
      cancel: () => {
        if (over || cancelled) return;
        cancelled = true;
        over = true;
        call.cancel();
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close().catch(() => undefined);
  }
}

function tailResponseOf(message: unknown): TailResponse {
  const record = (typeof message === 'object' && message !== null ? message : {}) as { entries?: unknown; suppressionInfo?: unknown };
  const entries = Array.isArray(record.entries) ? record.entries.map(normaliseApiEntry) : [];
  const suppressed = { rateLimit: 0, notConsumed: 0 };
  if (Array.isArray(record.suppressionInfo)) {
    for (const info of record.suppressionInfo as { reason?: unknown; suppressedCount?: unknown }[]) {
      const count = Number(info.suppressedCount ?? 0);
      if (SUPPRESSION_RATE_LIMIT.has(info.reason)) suppressed.rateLimit += count;
      else if (SUPPRESSION_NOT_CONSUMED.has(info.reason)) suppressed.notConsumed += count;
    }
  }
  return { entries, suppressed };
}
