// The CLI's GETs to Google over one HTTP/2 session per API origin, as Google's gRPC clients reach
// it. Over HTTP/1.1, each read running beside others opens a TLS connection of its own: a check
// reading 20 services at once paid 20 handshakes, which put a repeat check of 20 services in a region
// of 500 at 1.14-1.17x one in a region of 20 (`npm run bench -- --region --tls`; 1.06x over one
// session). An origin that does not choose HTTP/2 when the TLS connection is made (a host the user
// allowed, behind something that only speaks HTTP/1.1) is read through `fallback` from then on.
// Proxies are not known here: the caller sends through `fallback` where one applies (useHttp2).
import type * as Http2 from 'node:http2';
import { isIP } from 'node:net';
import type * as Tls from 'node:tls';
import * as zlib from 'node:zlib';
import { raceAbort } from '../platform/deadline';
import { requestFailed } from './httpFetch';
import type { RestAnswer } from './restTransport';

/** One GET: the answer's status and body text; rejects when no answer came or `signal` aborted. */
export type HeaderedGet = (url: string, headers: Readonly<Record<string, string>>, signal: AbortSignal) => Promise<RestAnswer>;

// Loaded with the first session: node:http2 takes 12-13 ms after node:https here, and a check against
// the emulator needs neither.
let http2Module: typeof Http2 | undefined;
let tlsModule: typeof Tls | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const http2 = (): typeof Http2 => (http2Module ??= require('node:http2') as typeof Http2);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tls = (): typeof Tls => (tlsModule ??= require('node:tls') as typeof Tls);

/** A TLS connection that has not completed by then is given up (the reads waiting for it end at their own deadlines). */
const CONNECT_TIMEOUT_MS = 30_000;
/** A session without any frame for this long is closed: one left half-open (a laptop asleep, a NAT forgetting it) would answer nothing. */
const IDLE_TIMEOUT_MS = 60_000;
/**
 * The receive window, of the session and of each stream: with Node's default of 64 KiB for either,
 * a page of 500 services (about 300 KB as uncompressed JSON, as the bench's fronts send it) took a
 * round trip for each 64 KiB of it.
 */
const WINDOW_BYTES = 16 << 20;

interface Origin {
  session: Http2.ClientHttp2Session;
  /** Requests in flight: the session keeps the process alive only while there are some. */
  active: number;
}

interface Connecting {
  origin: Promise<Origin | null>;
  /** What it came to, once it has: the session, or null when the origin does not speak HTTP/2. */
  ready?: Origin | null;
  /** Reads waiting for it: when the last gives up while it is still connecting, the connection is given up too. */
  waiting: number;
  giveUp(): void;
  /** Whether the connection keeps the process alive: while it is opening, as long as reads wait for it. */
  hold(held: boolean): void;
}

/**
 * Whether a GET to `url` may go over HTTP/2 from here: https, and no proxy set in the environment
 * (HTTPS_PROXY, HTTP_PROXY, either case), which only the HTTP/1.1 path (gaxios) honors.
 */
export function useHttp2(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return url.startsWith('https:') && !['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => env[name]);
}

export class Http2Sessions {
  private readonly origins = new Map<string, Connecting>();

  constructor(
    private readonly fallback: HeaderedGet,
    /** Options of the TLS connection (tests pass their certificate authority). */
    private readonly tlsOptions: Tls.ConnectionOptions = {},
  ) {}

  /**
   * Starts connecting to `url`'s origin before any read needs it (the reads' caller does while it
   * finds the credentials). Once its TCP connection is made, it keeps the process alive only while
   * a read waits for it.
   */
  preconnect(url: string): void {
    const target = new URL(url);
    if (!this.origins.has(target.origin)) this.connect(target);
  }

  /** Ends every connection, open or opening; the reads in flight on them or waiting for them fail. */
  close(): void {
    for (const connecting of this.origins.values()) connecting.giveUp();
    this.origins.clear();
  }

  readonly get: HeaderedGet = async (url, headers, signal) => {
    const target = new URL(url);
    const origin = await this.originOf(target, signal);
    return origin ? requestOn(origin, target, headers, signal) : this.fallback(url, headers, signal);
  };

  /** The origin's session (null: it does not speak HTTP/2), connecting when there is none that is open. */
  private async originOf(target: URL, signal: AbortSignal): Promise<Origin | null> {
    let connecting = this.origins.get(target.origin);
    // A session closing or closed whose 'close' has not been seen yet: left for a new one.
    if (connecting?.ready && (connecting.ready.session.closed || connecting.ready.session.destroyed)) connecting = undefined;
    connecting ??= this.connect(target);
    if (connecting.ready !== undefined) return connecting.ready;
    if (connecting.waiting++ === 0) connecting.hold(true);
    try {
      return await raceAbort(connecting.origin, signal);
    } finally {
      // Once connected, the session holds the process while it has reads in flight (requestOn).
      if (--connecting.waiting === 0 && connecting.ready === undefined) {
        connecting.hold(false);
        if (signal.aborted) connecting.giveUp();
      }
    }
  }

  private connect(target: URL): Connecting {
    const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
    const socket = tls().connect({ host, port: Number(target.port || 443), ...(isIP(host) ? {} : { servername: host }), ALPNProtocols: ['h2', 'http/1.1'], ...this.tlsOptions });
    // Held (ref) only while reads wait for it: a connection opened ahead of them must not keep the
    // process alive (its DNS lookup and TCP connect hold the event loop until they end, as any do).
    socket.unref();
    const origin = new Promise<Origin | null>((resolve, reject) => {
      const failed = (err: NodeJS.ErrnoException): void => reject(requestFailed(target, err));
      socket.once('error', failed);
      // Closed before it was made without an error (close(), giveUp): the reads waiting for it fail at once.
      const closed = (): void => failed(Object.assign(new Error('the connection was closed before it was made'), { code: 'ECONNRESET' }));
      socket.once('close', closed);
      socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(Object.assign(new Error(`the TLS connection did not complete within ${CONNECT_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
      socket.once('secureConnect', () => {
        socket.off('error', failed).off('close', closed);
        socket.setTimeout(0);
        if (socket.alpnProtocol !== 'h2') {
          socket.destroy();
          resolve(null);
          return;
        }
        const session = http2().connect(target.origin, { createConnection: () => socket, settings: { initialWindowSize: WINDOW_BYTES } });
        // A session's failure reaches its streams (requestOn); one without streams is simply left.
        session.on('error', () => undefined);
        session.setTimeout(IDLE_TIMEOUT_MS, () => session.close());
        session.once('connect', () => session.setLocalWindowSize(WINDOW_BYTES));
        session.unref();
        resolve({ session, active: 0 });
      });
    });
    const connecting: Connecting = { origin, waiting: 0, giveUp: () => socket.destroy(), hold: (held) => (held ? socket.ref() : socket.unref()) };
    this.origins.set(target.origin, connecting);
    const forget = (): void => {
      if (this.origins.get(target.origin) === connecting) this.origins.delete(target.origin);
    };
    // A session Google ends (GOAWAY), that fails or times out is left; the next read opens another.
    origin.then((ready) => {
      connecting.ready = ready;
      ready?.session.once('goaway', forget).once('close', forget);
    }, forget);
    return connecting;
  }
}

function requestOn(origin: Origin, target: URL, headers: Readonly<Record<string, string>>, signal: AbortSignal): Promise<RestAnswer> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const { session } = origin;
    let stream: Http2.ClientHttp2Stream;
    try {
      stream = session.request({ ':method': 'GET', ':path': `${target.pathname}${target.search}`, accept: 'application/json', 'accept-encoding': 'gzip', ...headers });
    } catch (err) {
      // The session closed since it was found (its 'close' not yet emitted): like a refused stream, retried by the caller.
      return reject(requestFailed(target, err as NodeJS.ErrnoException));
    }
    if (origin.active++ === 0) session.ref();
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (--origin.active === 0 && !session.destroyed) session.unref();
      return true;
    };
    const onAbort = (): void => {
      if (!settle()) return;
      stream.close(http2().constants.NGHTTP2_CANCEL);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    let status = 0;
    let gzip = false;
    const chunks: Buffer[] = [];
    stream.on('response', (answer) => {
      status = Number(answer[':status']);
      gzip = String(answer['content-encoding'] ?? '').trim().toLowerCase() === 'gzip';
    });
    let ended = false;
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => (ended = true));
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (settle()) reject(requestFailed(target, err));
    });
    // The answer is whole once the stream closes without a reset after its end. A stream the server
    // cancels, or whose connection goes, closes without an 'error' (and may still 'end').
    stream.on('close', () => {
      if (!settle()) return;
      if (!ended || stream.rstCode !== http2().constants.NGHTTP2_NO_ERROR) {
        reject(requestFailed(target, Object.assign(new Error(`the HTTP/2 stream closed before its answer ended (code ${stream.rstCode ?? 'none'})`), { code: 'ECONNRESET' })));
        return;
      }
      const bytes = Buffer.concat(chunks);
      if (!gzip) return resolve({ status, body: bytes.toString('utf8') });
      zlib.gunzip(bytes, (err, plain) => (err ? reject(err) : resolve({ status, body: plain.toString('utf8') })));
    });
  });
}
