// Reads of a Google API's REST surface without its client library: one httpFetch and one JSON.parse
// per call (runRest.ts for Cloud Run, functionsRest.ts for Cloud Functions). The client libraries'
// own work (loading google-gax and the API's protos, building a client, encoding each request and
// decoding each answer through protobuf's proto3 JSON) was most of a repeat check's CPU
// (bench/README.md).
//
// What a read answers is the API's JSON: enums by name (the SDK's decoding gives names too), int64
// fields as decimal strings, timestamps as RFC 3339 strings where the SDK gives {seconds, nanos}
// (timestampToIso reads both). Failures are what the SDK throws for the same answer: the
// google.rpc.Status of the body (its `status` name, else the HTTP status mapped as gax maps it) as
// `code`, its message as `message`, so describeApiError and the retries (RETRIED_CODES) treat both alike.
import type { CallOptions } from 'google-gax';
import { httpFetch } from './httpFetch';

/** One request's answer: its HTTP status and body text. */
export interface RestAnswer {
  status: number;
  body: string;
}

/**
 * Sends one GET to `url` (an absolute URL on the API's origin), rejecting when no answer came (a
 * socket error, the signal). The emulator's is httpFetch alone; Google's adds the credentials.
 */
export type RestSend = (url: string, signal: AbortSignal) => Promise<RestAnswer>;

/** The plain sender: no credentials (a loopback emulator). */
export const plainSend: RestSend = async (url, signal) => {
  const response = await httpFetch(url, { method: 'GET', headers: { accept: 'application/json' }, signal });
  return { status: response.status, body: await response.text() };
};

/** A failed call as the SDK reports it: the gRPC code and the server's message. */
export class RestCallError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
  ) {
    super(message);
    this.name = 'RestCallError';
  }
}

// google.rpc.Code by name, as in a Status body's `status`.
const CODES: Record<string, number> = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, OUT_OF_RANGE: 11, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14, DATA_LOSS: 15, UNAUTHENTICATED: 16,
};

const UNAVAILABLE = 14;

// HTTP statuses as gax maps them onto gRPC codes (its rpcCodeFromHttpStatusCode).
const HTTP_CODES: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 10, 416: 11, 429: 8, 499: 1, 501: 12, 503: 14, 504: 4 };

/** The gRPC code gax gives an HTTP status without a usable body. */
export function codeOfHttpStatus(status: number): number {
  const known = HTTP_CODES[status];
  if (known !== undefined) return known;
  if (status >= 200 && status < 300) return 0;
  if (status >= 400 && status < 500) return CODES.FAILED_PRECONDITION!;
  if (status >= 500 && status < 600) return CODES.INTERNAL!;
  return CODES.UNKNOWN!;
}

/** The error of a non-2xx answer: its google.rpc.Status (name first, then its numeric code), as gax reads it. */
export function answerError(what: string, answer: RestAnswer): RestCallError {
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    const shown = answer.body.length > 200 ? `${answer.body.slice(0, 200)}… (truncated)` : answer.body;
    const detail = answer.body === '' ? 'the response body was empty' : `the response body is not JSON: ${shown}`;
    return new RestCallError(`Error response from RPC ${what} with status ${answer.status} could not be decoded: ${detail}`, codeOfHttpStatus(answer.status));
  }
  const found = Array.isArray(json) ? json.find((item: unknown) => typeof item === 'object' && item !== null && 'error' in item) : json;
  if (typeof found !== 'object' || found === null) {
    return new RestCallError(`Error response from RPC ${what} with status ${answer.status} could not be decoded: the response body is not a JSON error object`, codeOfHttpStatus(answer.status));
  }
  const status = ((found as { error?: unknown }).error ?? found) as { code?: unknown; message?: unknown; status?: unknown };
  const named = typeof status.status === 'string' && status.status !== 'OK' ? CODES[status.status] : undefined;
  const code = named ?? (typeof status.code === 'number' && status.code !== 0 ? codeOfHttpStatus(status.code) : null);
  return new RestCallError(typeof status.message === 'string' ? status.message : '', code);
}

/** Backoff of the retries, as gax's: a random wait up to the delay, the delay growing by the multiplier. */
function backoffDelay(options: CallOptions, attempt: number, random: () => number): number {
  const settings = options.retry?.backoffSettings;
  const initial = settings?.initialRetryDelayMillis ?? 100;
  const multiplier = settings?.retryDelayMultiplier ?? 1.3;
  const max = settings?.maxRetryDelayMillis ?? 60_000;
  return random() * Math.min(max, initial * multiplier ** (attempt - 1));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A resource name as a URL path: each segment encoded, as gax encodes a request's path fields. */
export function pathOf(resource: string): string {
  return resource.split('/').map(encodeURIComponent).join('/');
}

/**
 * The `fields` system parameter naming `paths` (`a.b`, or `a(b,c)` for several under one): the API
 * answers only those fields, which for a region's list is a fraction of its bytes and of the
 * client's parsing.
 */
export function fieldsParameter(paths: readonly string[]): string {
  return `fields=${encodeURIComponent(paths.join(','))}`;
}

/** One page of a List method: its items, and the token of the next page (null on the last). */
export interface RestPage<T> {
  items: T[];
  nextPageToken: string | null;
}

/** The GETs of one API origin, with the SDK's retries, backoff and abort. */
export class RestCaller {
  constructor(
    private readonly origin: string,
    private readonly send: RestSend,
    private readonly random: () => number = Math.random,
  ) {}

  /** The resource `name` (`projects/…`) at `/v2/`, only its `fields` (see fieldsParameter). */
  get(what: string, name: string, fields: readonly string[], options: CallOptions): Promise<unknown> {
    return this.call(what, `/v2/${pathOf(name)}?${fieldsParameter(fields)}`, options);
  }

  /**
   * One page of `collection` under `parent` (`pageSize` items at most, from `pageToken`), as the SDK
   * asks for it with autoPaginate off: the items under the answer's `collection` field, only their
   * `fields` (see fieldsParameter).
   */
  async page<T>(what: string, parent: string, collection: string, pageSize: number, pageToken: string | undefined, fields: readonly string[], options: CallOptions): Promise<RestPage<T>> {
    const selection = fieldsParameter(['nextPageToken', `${collection}(${fields.join(',')})`]);
    const query = `pageSize=${pageSize}${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}&${selection}`;
    const answer = (await this.call(what, `/v2/${pathOf(parent)}/${collection}?${query}`, options)) as Record<string, unknown>;
    const items = answer[collection];
    const next = answer.nextPageToken;
    return { items: Array.isArray(items) ? (items as T[]) : [], nextPageToken: typeof next === 'string' && next !== '' ? next : null };
  }

  /**
   * One call: up to `options.retry.backoffSettings.maxRetries` attempts while it fails with one of
   * `options.retry.retryCodes`, with gax's backoff between them; `options.signal` ends it (the
   * caller's deadline included).
   */
  private async call(what: string, pathAndQuery: string, options: CallOptions): Promise<unknown> {
    const signal = options.signal ?? new AbortController().signal;
    const attempts = Math.max(1, options.retry?.backoffSettings?.maxRetries ?? 1);
    const retried = new Set<unknown>(options.retry?.retryCodes ?? []);
    const url = `${this.origin}${pathAndQuery}`;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(what, url, signal);
      if (!(outcome instanceof RestCallError)) return outcome.json;
      if (attempt >= attempts || !retried.has(outcome.code)) throw outcome;
      await sleep(backoffDelay(options, attempt, this.random), signal);
    }
  }

  /** One request: the answer's JSON, or its failure as the SDK reports it. Rejects only once `signal` aborted. */
  private async attempt(what: string, url: string, signal: AbortSignal): Promise<{ json: unknown } | RestCallError> {
    let answer: RestAnswer;
    try {
      answer = await this.send(url, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      // No answer (the connection refused or lost): UNAVAILABLE, as gax reports it, so it is retried.
      return new RestCallError(err instanceof Error ? err.message : String(err), UNAVAILABLE);
    }
    if (answer.status >= 200 && answer.status < 300) return { json: JSON.parse(answer.body) };
    return answerError(what, answer);
  }
}
