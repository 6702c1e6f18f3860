// Where log entries come from: a LogSource over the Cloud Logging API (the SDK, loaded lazily), transport-neutral
// for stream.ts. No vscode import.
//
// API:
//   createLogSource(options): Promise<LogSource>
//       options.projects       projects whose logs to read (resourceNames projects/{p})
//       options.endpoint       config `endpoints.logging` (host:port). Loopback: plain gRPC, no credentials
//                              (PassThroughClient). Google's API, or a host options.credentials allows: TLS with
//                              Application Default Credentials. Any other host is refused before they are looked up.
//       options.transport      'grpc' (default; can tail) or 'rest' (HTTP/1.1; cannot tail → the stream polls)
//       options.restEndpoint   REST base URL for transport 'rest' (http://127.0.0.1:PORT only for loopback)
//       options.callTimeoutMs  per list call (default 20 s), with at most 2 retries of UNAVAILABLE/INTERNAL
//       options.credentials    which hosts get credentials (default: Google's, and those the environment allows)
//     Rejects with LogApiError: no/expired credentials → the message names the fix
//     (`gcloud auth application-default login`), a bad endpoint → says what is expected.
//   interface LogSource { list(request), tail(request), canTail, description, close() }
//   LogApiError { code: gRPC status code | null, message: the API's own words }
//   describeLogError(error): LogApiError
//   GrpcStatus: the status codes we act on
//   readTail(call, handlers, options): TailHandle   what tail() reads a call with, and normalizeInSlices(items,
//                              decoder) what list() normalizes a page with: a slice of entries per macrotask
//                              (see "Reading responses a slice at a time" below)
//
// Unhandled rejections (the library's pitfalls, and how each is avoided here):
//   - Without credentials the generated client rejects inside initialize() promises it does not await: we
//     resolve credentials first (ADC) or pass PassThroughClient, then await initialize() ourselves, and drop the
//     client if that fails, so no later call can re-trigger the rejected promise.
//   - In REST mode tailLogEntries throws (synchronously for the generated client, inside a promise for the
//     Logging class, which we do not use): tail() checks the transport first and throws a LogApiError.
//   - A tail's server errors arrive as 'error' events: listeners are attached before the request is written.
import { credentialPolicy, decideCredentials, endpointTarget, urlTarget, type CredentialPolicy } from '../google/credentialPolicy';
import { applicationDefaultCredentials, CREDENTIALS_FIX, type AdcClient } from '../google/credentials';
import { firstLine } from '../text/messageText';
import { nextTurn } from '../platform/slices';
import { loadLoggingSdk, type LoggingSdk } from '../google/sdk';
import { normalizeApiEntry, type TimedEntry } from './entry';
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
  /** Cancels the call (gax cancels the RPC; the call rejects with CANCELLED). */
  signal?: AbortSignal;
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
  credentials?: CredentialPolicy;
}

export async function createLogSource(options: LogSourceOptions): Promise<LogSource> {
  const projects = [...new Set(options.projects)];
  if (projects.length === 0) throw new LogApiError('no project to read logs from', null);
  const sdk = loadLoggingSdk();
  const transport = options.transport ?? 'grpc';
  const { client, description } = await buildClient(sdk, projects[0]!, transport, options);
  let decoder: ResponseDecoder | null = null;
  try {
    await client.initialize();
    if (transport === 'grpc') {
      const undecoded = await sdk.undecodedResponses(client);
      if (undecoded.tail || undecoded.list) decoder = sdk.createResponseDecoder();
    }
  } catch (error) {
    await client.close().catch(() => undefined);
    throw describeLogError(error, 'setup');
  }
  return new SdkLogSource(client, projects, transport === 'grpc', description, options.callTimeoutMs ?? 20_000, decoder);
}

async function buildClient(
  sdk: LoggingSdk,
  projectId: string,
  transport: 'grpc' | 'rest',
  options: LogSourceOptions,
): Promise<{ client: LoggingServiceClient; description: string }> {
  const policy = options.credentials ?? credentialPolicy();
  if (transport === 'rest') {
    const target = options.restEndpoint ? parseUrl(options.restEndpoint) : null;
    const decision = decideCredentials(target && urlTarget('the Cloud Logging REST endpoint', options.restEndpoint!, target), policy);
    if (decision.kind === 'refused') throw new LogApiError(decision.message, null);
    if (target && decision.kind === 'emulator') {
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
    const authClient = await loggingCredentials(sdk, policy);
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
    // gRPC to a loopback host is plain (the emulator); to any other host it is TLS.
    const target = match && endpointTarget('logging', options.endpoint);
    if (!match || !target) throw new LogApiError(`endpoints.logging "${options.endpoint}": expected host:port such as "127.0.0.1:8124"`, null);
    const [, host, port] = match;
    const decision = decideCredentials(target, policy);
    if (decision.kind === 'refused') throw new LogApiError(decision.message, null);
    if (decision.kind === 'emulator') {
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
    const authClient = await loggingCredentials(sdk, policy);
    return { client: new sdk.LoggingServiceV2Client({ projectId, apiEndpoint: host!, port: Number(port), authClient }), description: `Cloud Logging at ${options.endpoint} (gRPC)` };
  }
  const authClient = await loggingCredentials(sdk, policy);
  return { client: new sdk.LoggingServiceV2Client({ projectId, authClient }), description: 'Cloud Logging (gRPC)' };
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new LogApiError(`"${text}" is not a URL such as http://127.0.0.1:8123`, null);
  }
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

class SdkLogSource implements LogSource {
  private closed = false;
  private readonly resourceNames: string[];

  constructor(
    private readonly client: LoggingServiceClient,
    readonly projects: readonly string[],
    readonly canTail: boolean,
    readonly description: string,
    private readonly callTimeoutMs: number,
    /** Set when the client yields undecoded responses (see "Reading responses a slice at a time" below). */
    private readonly decoder: ResponseDecoder | null,
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
        { autoPaginate: false, timeout: this.callTimeoutMs, maxRetries: 2, ...(request.signal ? { signal: request.signal } : {}) },
      );
      return { entries: await normalizeInSlices(entries, this.decoder), nextPageToken: response?.nextPageToken ?? '' };
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
    // Listeners first (readTail attaches them), then the request: no event can be missed.
    const handle = readTail(call, handlers, { decoder: this.decoder });
    const windowMs = Math.max(0, Math.min(60_000, Math.round(request.bufferWindowMs)));
    call.write({
      resourceNames: this.resourceNames,
      filter: request.filter,
      bufferWindow: { seconds: Math.floor(windowMs / 1000), nanos: (windowMs % 1000) * 1_000_000 },
    });
    return handle;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading responses a slice at a time
//
// The generated client decodes each response whole and converts it with toObject before anyone sees it, so a page
// or tail response of a thousand entries was one task of ~10 ms warm and several times that cold (with a GC on
// top, more). With undecoded responses (undecodedResponses in src/sdk/logging.ts), each macrotask decodes and
// normalizes at most SLICE_ENTRIES entries or for about SLICE_BUDGET_MS, whichever comes first, then yields
// (setImmediate). Decoded responses (another SDK shape, the REST transport) are read the same way, only without the
// decoding.
//
// A tail (readTail): responses queue in arrival order; beyond `maxQueued` the call is paused (gRPC flow control
// then holds the server back), so memory stays bounded. Suppression counts go with the first slice of their
// response. A response that cannot be decoded ends the call with INTERNAL, as the client library would.

/** The SDK's ResponseDecoder (src/sdk/logging.ts), structurally. */
export interface ResponseDecoder {
  split(message: Uint8Array): { entries: number[]; suppression: { reason: number; count: number }[] };
  entry(message: Uint8Array, start: number, end: number): unknown;
  listed(item: unknown): unknown;
}

const SLICE_ENTRIES = 250;
/** Cold code is many times slower than warm: the budget keeps its slices short too. */
const SLICE_BUDGET_MS = 8;
/** How often (in entries) the budget is checked: reading the clock per entry would cost more than a small entry. */
const BUDGET_CHECK_EVERY = 16;

/** A ListLogEntries page's entries, decoded (when undecoded) and normalized a slice per macrotask. */
export async function normalizeInSlices(items: readonly unknown[], decoder: Pick<ResponseDecoder, 'listed'> | null): Promise<TimedEntry[]> {
  const out = new Array<TimedEntry>(items.length);
  let i = 0;
  while (i < items.length) {
    const started = performance.now();
    const end = Math.min(items.length, i + SLICE_ENTRIES);
    while (i < end) {
      try {
        out[i] = normalizeApiEntry(decoder ? decoder.listed(items[i]) : items[i]);
      } catch (error) {
        throw new LogApiError(`Response message parsing error: ${describeLogError(error, 'list').message}`, GrpcStatus.INTERNAL, 'list');
      }
      i += 1;
      if (i % BUDGET_CHECK_EVERY === 0 && performance.now() - started >= SLICE_BUDGET_MS) break;
    }
    if (i < items.length) await nextTurn();
  }
  return out;
}

/** What readTail needs of the call (a grpc-js/gax ClientDuplexStream). */
export interface TailCallLike {
  on(event: 'data', listener: (message: unknown) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
  cancel(): void;
}

export interface TailReaderOptions {
  /** Decodes undecoded (Uint8Array) responses; without one, only decoded objects can be read. */
  decoder?: Pick<ResponseDecoder, 'split' | 'entry'> | null;
  /** Most entries handled per macrotask (default SLICE_ENTRIES). */
  sliceEntries?: number;
  /** Stop a slice after about this long even if it is not full (default SLICE_BUDGET_MS). */
  sliceBudgetMs?: number;
  /** Responses waiting beyond this pause the call (default 4). */
  maxQueued?: number;
  /** Clock for the budget (tests). */
  now?: () => number;
}

const SUPPRESSION_RATE_LIMIT = new Set<unknown>(['RATE_LIMIT', 1]);
const SUPPRESSION_NOT_CONSUMED = new Set<unknown>(['NOT_CONSUMED', 2]);

/** One response being read: its entries (byte ranges, or decoded objects) and how far we got. */
interface Pending {
  bytes: Uint8Array | null;
  /** [start, end) pairs into `bytes`, or null for a decoded response. */
  ranges: number[] | null;
  decoded: readonly unknown[] | null;
  count: number;
  next: number;
  suppressed: { rateLimit: number; notConsumed: number } | null;
}

export function readTail(call: TailCallLike, handlers: TailHandlers, options: TailReaderOptions = {}): TailHandle {
  const decoder = options.decoder ?? null;
  const sliceEntries = Math.max(1, options.sliceEntries ?? SLICE_ENTRIES);
  const budgetMs = options.sliceBudgetMs ?? SLICE_BUDGET_MS;
  const maxQueued = Math.max(1, options.maxQueued ?? 4);
  const now = options.now ?? (() => performance.now());

  const queue: Pending[] = [];
  let scheduled: NodeJS.Immediate | null = null;
  let pausedByUser = false;
  let backlogged = false;
  let callPaused = false;
  let over = false;
  let cancelled = false;
  /** undefined: the call has not ended; null: it ended cleanly; else how it failed. */
  let ending: LogApiError | null | undefined;
  let endTimer: NodeJS.Immediate | null = null;

  const updateFlow = (): void => {
    if (queue.length >= maxQueued) backlogged = true;
    else if (queue.length <= maxQueued >> 1) backlogged = false;
    const pause = pausedByUser || backlogged;
    if (pause === callPaused) return;
    callPaused = pause;
    if (pause) call.pause();
    else call.resume();
  };

  const schedule = (): void => {
    if (scheduled === null && !over && !pausedByUser && queue.length > 0) scheduled = setImmediate(step);
  };

  /** Tells the end once everything that arrived before it has been handed on. */
  const finishIfDone = (): void => {
    if (over || ending === undefined || queue.length > 0) return;
    over = true;
    if (!cancelled) handlers.end(ending);
  };

  /**
   * A response that cannot be decoded ends the call with INTERNAL, as the client library would. What arrived before
   * it is still handed on; the rest of a response that broke halfway, and anything after it, is left to the
   * reconnection's backfill (handing on later entries first would move the backfill's starting point past them).
   */
  const failParsing = (error: unknown, dropQueued: boolean): void => {
    if (dropQueued) queue.length = 0;
    ending = new LogApiError(`Response message parsing error: ${describeLogError(error, 'tail').message}`, GrpcStatus.INTERNAL, 'tail');
    call.cancel();
    finishIfDone();
  };

  function step(): void {
    scheduled = null;
    const pending = queue[0];
    if (over || pausedByUser || !pending) return;
    const entries: TimedEntry[] = [];
    const started = now();
    try {
      while (pending.next < pending.count && entries.length < sliceEntries) {
        const i = pending.next;
        const raw = pending.ranges ? decoder!.entry(pending.bytes!, pending.ranges[2 * i]!, pending.ranges[2 * i + 1]!) : pending.decoded![i];
        entries.push(normalizeApiEntry(raw));
        pending.next = i + 1;
        if (entries.length % BUDGET_CHECK_EVERY === 0 && now() - started >= budgetMs) break;
      }
    } catch (error) {
      failParsing(error, true);
      return;
    }
    const suppressed = pending.suppressed;
    pending.suppressed = null;
    if (pending.next >= pending.count) {
      queue.shift();
      updateFlow();
    }
    schedule();
    if (entries.length > 0 || suppressed) handlers.response({ entries, suppressed: suppressed ?? { rateLimit: 0, notConsumed: 0 } });
    finishIfDone();
  }

  const enqueue = (message: unknown): void => {
    let pending: Pending;
    const suppressed = { rateLimit: 0, notConsumed: 0 };
    const count = (reason: unknown, n: number): void => {
      if (SUPPRESSION_RATE_LIMIT.has(reason)) suppressed.rateLimit += n;
      else if (SUPPRESSION_NOT_CONSUMED.has(reason)) suppressed.notConsumed += n;
    };
    if (message instanceof Uint8Array) {
      if (!decoder) throw new Error('an undecoded response, and no decoder');
      const split = decoder.split(message);
      for (const info of split.suppression) count(info.reason, info.count);
      pending = { bytes: message, ranges: split.entries, decoded: null, count: split.entries.length / 2, next: 0, suppressed };
    } else {
      const record = (typeof message === 'object' && message !== null ? message : {}) as { entries?: unknown; suppressionInfo?: unknown };
      const decoded: readonly unknown[] = Array.isArray(record.entries) ? record.entries : [];
      if (Array.isArray(record.suppressionInfo)) {
        for (const info of record.suppressionInfo as { reason?: unknown; suppressedCount?: unknown }[]) count(info.reason, Number(info.suppressedCount ?? 0));
      }
      pending = { bytes: null, ranges: null, decoded, count: decoded.length, next: 0, suppressed };
    }
    // Counts only when there are some; a response with nothing at all is still told (the tail is live).
    if (pending.count > 0 && suppressed.rateLimit === 0 && suppressed.notConsumed === 0) pending.suppressed = null;
    queue.push(pending);
    updateFlow();
    schedule();
  };

  call.on('data', (message: unknown) => {
    if (over || ending !== undefined) return;
    try {
      enqueue(message);
    } catch (error) {
      failParsing(error, false);
    }
  });
  call.on('error', (error: unknown) => {
    if (over) return;
    // The status arrives last, possibly after end/close: an error wins over a clean end not yet told.
    if (!ending) ending = describeLogError(error, 'tail');
    finishIfDone();
  });
  const endCleanly = (): void => {
    if (over || ending !== undefined || endTimer !== null) return;
    endTimer = setImmediate(() => {
      endTimer = null;
      if (ending === undefined) ending = null;
      finishIfDone();
    });
  };
  call.on('end', endCleanly);
  call.on('close', endCleanly);

  return {
    pause: () => {
      pausedByUser = true;
      updateFlow();
    },
    resume: () => {
      pausedByUser = false;
      updateFlow();
      schedule();
    },
    cancel: () => {
      if (over) return;
      cancelled = true;
      over = true;
      queue.length = 0;
      if (scheduled !== null) clearImmediate(scheduled);
      if (endTimer !== null) clearImmediate(endTimer);
      scheduled = null;
      endTimer = null;
      call.cancel();
    },
  };
}

function loggingCredentials(sdk: LoggingSdk, policy: CredentialPolicy): Promise<AdcClient> {
  return applicationDefaultCredentials(sdk.GoogleAuth, 'https://www.googleapis.com/auth/logging.read', policy, (message) => new LogApiError(message, GrpcStatus.UNAUTHENTICATED));
}
