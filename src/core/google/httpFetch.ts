// A small fetch for the Cloud Run SDK's REST calls, on node:http(s) directly.
//
// gaxios (under google-gax's REST transport) makes every request through node-fetch unless it is
// given a `fetchImplementation`. node-fetch builds WHATWG Request, Headers, Body and Response objects
// and pipes every body through a PassThrough; measured on the 73-service bench that is about 1 ms of
// main-thread CPU per call, the largest single cost of a check after the network itself. This
// implements only what gax's unary calls use: method, headers, a buffered body, the caller's agent
// and abort signal, gzip/deflate responses, and a Response with status, headers and a body to read
// once. Redirects are not followed (Google APIs do not redirect); the response is returned as is.
import * as http from 'node:http';
import * as https from 'node:https';
import { pipeline, Readable } from 'node:stream';
import * as zlib from 'node:zlib';

/** What gaxios hands its fetch implementation (a subset of its prepared options). */
export interface HttpFetchInit {
  method?: string;
  headers?: ConstructorParameters<typeof Headers>[0];
  body?: unknown;
  signal?: AbortSignal | null;
  /** An agent, or node-fetch's form: a function of the URL choosing one. */
  agent?: http.Agent | ((url: URL) => http.Agent | undefined) | null;
}

export class HttpFetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  private headerList: Headers | undefined;
  private used = false;
  private decoded: Readable | undefined;

  constructor(
    private readonly message: http.IncomingMessage,
    readonly url: string,
  ) {
    this.status = message.statusCode ?? 0;
    this.ok = this.status >= 200 && this.status < 300;
    this.statusText = message.statusMessage ?? '';
  }

  /**
   * Built on first use: the first WHATWG Headers of a process loads Node's fetch implementation
   * (undici, 45-56 ms of one core here), which callers that read only the status and the body never need.
   */
  get headers(): Headers {
    if (!this.headerList) {
      const headers = new Headers();
      const raw = this.message.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
      this.headerList = headers;
    }
    return this.headerList;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  /**
   * The decoded body as a Node stream. gaxios hands this on as the response's data (its
   * `responseType: 'stream'`) and gax then reads the same body with arrayBuffer(), so getting the
   * stream does not consume it; reading it does, once.
   */
  get body(): Readable {
    if (!this.decoded) {
      const decoder = decoderFor(this.message.headers['content-encoding'] ?? null);
      // pipeline, not pipe: a connection lost mid-body must fail the decoded stream, not stall it.
      this.decoded = decoder ? pipeline(this.message, decoder, () => undefined) : this.message;
    }
    return this.decoded;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  private async bytes(): Promise<Buffer> {
    if (this.used) throw new TypeError('the response body was already read');
    this.used = true;
    const chunks: Buffer[] = [];
    for await (const chunk of this.body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks);
  }
}

function decoderFor(contentEncoding: string | null): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null {
  switch ((contentEncoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return null;
  }
}

/** Sends one request; resolves when the response headers arrive (the body is read from the Response). */
export function httpFetch(input: string | URL, init: HttpFetchInit = {}): Promise<HttpFetchResponse> {
  return new Promise((resolve, reject) => {
    let url: URL;
    let body: string | Buffer | Readable | undefined;
    try {
      url = new URL(String(input));
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`unsupported protocol ${url.protocol}`);
      body = requestBody(init.body);
    } catch (err) {
      reject(err);
      return;
    }
    if (init.signal?.aborted) {
      reject(abortError(init.signal));
      return;
    }
    const headers = headerRecord(init.headers);
    headers['accept-encoding'] ??= 'gzip, deflate';
    if (typeof body === 'string' || Buffer.isBuffer(body)) headers['content-length'] ??= String(Buffer.byteLength(body));
    const agent = typeof init.agent === 'function' ? init.agent(url) : init.agent ?? undefined;
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: init.method ?? 'GET', headers, agent, ...(init.signal ? { signal: init.signal } : {}) }, (message) =>
      resolve(new HttpFetchResponse(message, url.href)),
    );
    request.on('error', (err) => reject(init.signal?.aborted ? abortError(init.signal) : requestFailed(url, err)));
    if (body instanceof Readable) body.pipe(request);
    else request.end(body);
  });
}

/**
 * The request's headers as node:http takes them, named in lowercase, repeated ones joined with ", "
 * as Headers joins them; a plain record or pairs are read without building a Headers (see headers).
 */
function headerRecord(init: HttpFetchInit['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  const add = (value: string, key: string): void => {
    const name = key.toLowerCase();
    headers[name] = Object.hasOwn(headers, name) ? `${headers[name]}, ${value}` : value;
  };
  if (init === undefined || init === null) return headers;
  if (Array.isArray(init)) for (const [key, value] of init) add(value!, key!);
  else if (typeof (init as Headers).forEach === 'function') (init as Headers).forEach(add);
  else for (const [key, value] of Object.entries(init)) add(value, key);
  return headers;
}

function requestBody(body: unknown): string | Buffer | Readable | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || Buffer.isBuffer(body) || body instanceof Readable) return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError(`unsupported request body: ${Object.prototype.toString.call(body)}`);
}

/**
 * node-fetch's wording ("request to URL failed, reason: ..."), which names the endpoint that could not
 * be reached; the socket error's code stays on it for gaxios's retry decision.
 */
export function requestFailed(url: URL, cause: NodeJS.ErrnoException): Error {
  const error = Object.assign(new Error(`request to ${url.origin}${url.pathname} failed, reason: ${cause.message}`, { cause }), {
    code: cause.code,
    errno: cause.errno,
    syscall: cause.syscall,
  });
  error.name = 'FetchError';
  return error;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}
