// The reads' GETs to Google over one HTTP/2 session per API origin, as Google's gRPC clients and
// gcloud reach it. Over HTTP/1.1, each read running beside others opens a TLS connection of its own:
// a check reading 20 services at once paid 20 handshakes, which put a repeat check of 20 services in
// a region of 500 at 1.14x one in a region of 20 (`npm run bench -- --region --tls`). An origin that
// does not offer HTTP/2 when the TLS connection is made (a host the user allowed, behind something
// that only speaks HTTP/1.1) is read through `fallback` from then on.
import type * as Http2 from 'node:http2';
import { isIP } from 'node:net';
import type * as Tls from 'node:tls';
import * as zlib from 'node:zlib';
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

const CONNECT_TIMEOUT_MS = 30_000;

interface Origin {
  session: Http2.ClientHttp2Session;
  /** Requests in flight: the session keeps the process alive only while there are some. */
  active: number;
}

export class Http2Sessions {
  /** By origin: its session once connected, or null when the origin does not speak HTTP/2. */
  private readonly origins = new Map<string, Promise<Origin | null>>();

  constructor(
    private readonly fallback: HeaderedGet,
    /** Options of the TLS connection (tests pass their certificate authority). */
    private readonly tlsOptions: Tls.ConnectionOptions = {},
  ) {}

  readonly get: HeaderedGet = async (url, headers, signal) => {
    const target = new URL(url);
    const origin = await untilAborted(this.originOf(target), signal);
    return origin ? requestOn(origin, target, headers, signal) : this.fallback(url, headers, signal);
  };

  private originOf(target: URL): Promise<Origin | null> {
    let pending = this.origins.get(target.origin);
    if (!pending) {
      pending = connect(target, this.tlsOptions);
      this.origins.set(target.origin, pending);
      const forget = (): void => {
        if (this.origins.get(target.origin) === pending) this.origins.delete(target.origin);
      };
      pending.then((origin) => {
        // A session Google ends (GOAWAY) or that fails is left; the next read opens another.
        origin?.session.once('goaway', forget).once('close', forget).on('error', forget);
      }, forget);
    }
    return pending;
  }
}

/** A TLS connection to `target` offering HTTP/2 and HTTP/1.1: a session when the server chose HTTP/2, else null. */
function connect(target: URL, tlsOptions: Tls.ConnectionOptions): Promise<Origin | null> {
  return new Promise((resolve, reject) => {
    const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
    const socket = tls().connect({ host, port: Number(target.port || 443), ...(isIP(host) ? {} : { servername: host }), ALPNProtocols: ['h2', 'http/1.1'], ...tlsOptions });
    socket.once('error', reject);
    // Reads give up at their own deadlines; a connection that never completes is given up here, so
    // that the origin is connected afresh for later reads.
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error(`the TLS connection to ${target.host} did not complete within ${CONNECT_TIMEOUT_MS / 1000} s`)));
    socket.once('secureConnect', () => {
      socket.off('error', reject);
      socket.setTimeout(0);
      if (socket.alpnProtocol !== 'h2') {
        socket.destroy();
        resolve(null);
        return;
      }
      const session = http2().connect(target.origin, { createConnection: () => socket });
      session.on('error', () => undefined); // each stream reports it
      session.unref();
      resolve({ session, active: 0 });
    });
  });
}

function requestOn(origin: Origin, target: URL, headers: Readonly<Record<string, string>>, signal: AbortSignal): Promise<RestAnswer> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const { session } = origin;
    if (origin.active++ === 0) session.ref();
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (--origin.active === 0 && !session.destroyed) session.unref();
      return true;
    };
    const stream = session.request({ ':method': 'GET', ':path': `${target.pathname}${target.search}`, accept: 'application/json', 'accept-encoding': 'gzip', ...headers });
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
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (err) => {
      if (settle()) reject(err);
    });
    stream.on('end', () => {
      if (!settle()) return;
      const bytes = Buffer.concat(chunks);
      if (!gzip) return resolve({ status, body: bytes.toString('utf8') });
      zlib.gunzip(bytes, (err, plain) => (err ? reject(err) : resolve({ status, body: plain.toString('utf8') })));
    });
  });
}

/** `work`, or the signal's reason once it aborts first. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}
