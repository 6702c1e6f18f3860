// Two servers on 127.0.0.1 that show where Google credentials go: a fake GCE metadata server, through which
// Application Default Credentials resolve to a recognizable token, and a recording TLS server (HTTP/1.1 and
// HTTP/2, so REST and gRPC clients alike) standing in for a host that is not Google's. The recording server
// answers every call with "permission denied" and keeps each request's Authorization header.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** A self-signed certificate for 127.0.0.1, localhost and NOT_GOOGLE_HOST, valid until 2126 (test/fixtures/tls). */
export const TEST_CA_FILE = path.resolve(__dirname, '../fixtures/tls/cert.pem');
const TEST_KEY_FILE = path.resolve(__dirname, '../fixtures/tls/key.pem');

export interface MetadataServer {
  /** host:port, for GCE_METADATA_HOST. */
  host: string;
  /** The access token it hands out. */
  token: string;
  /** How many tokens it has handed out. */
  tokensIssued(): number;
  /** How many times it was asked for the project's id. */
  projectIdsAsked(): number;
  close(): Promise<void>;
}

/** `beforeToken`, when given, is waited for before each token is handed out. */
export async function startMetadataServer(token = `ya29.canary-${process.pid}-${Date.now()}`, beforeToken?: () => Promise<void>): Promise<MetadataServer> {
  let issued = 0;
  let projectIdsAsked = 0;
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://metadata');
    const reply = (status: number, body: string, type = 'application/text'): void => {
      res.writeHead(status, { 'Metadata-Flavor': 'Google', 'Content-Type': type });
      res.end(body);
    };
    if (req.headers['metadata-flavor'] !== 'Google') return reply(403, 'missing Metadata-Flavor');
    if (url.pathname === '/computeMetadata/v1/instance/service-accounts/default/token') {
      await beforeToken?.();
      issued += 1;
      return reply(200, JSON.stringify({ access_token: token, expires_in: 3600, token_type: 'Bearer' }), 'application/json');
    }
    if (url.pathname === '/computeMetadata/v1/project/project-id') {
      projectIdsAsked += 1;
      return reply(200, 'metadata-project');
    }
    return reply(404, 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    tokensIssued: () => issued,
    projectIdsAsked: () => projectIdsAsked,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface RecordedRequest {
  /** '1.1' or '2.0'. */
  httpVersion: string;
  method: string;
  path: string;
  /** The Authorization header as received; null when none was sent. */
  authorization: string | null;
  userAgent: string | null;
}

export interface RecordingServer {
  port: number;
  requests: RecordedRequest[];
  /** Requests that carried an Authorization header. */
  withCredentials(): RecordedRequest[];
  /** Resolves once a TLS connection has been made to it (at once if one has). */
  connected(): Promise<void>;
  close(): Promise<void>;
}

/** A TLS server (HTTP/1.1 and HTTP/2) that records every request and refuses it: 403, or PERMISSION_DENIED over gRPC. */
export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server = http2.createSecureServer({ key: fs.readFileSync(TEST_KEY_FILE), cert: fs.readFileSync(TEST_CA_FILE), allowHTTP1: true }, (req, res) => {
    const authorization = req.headers.authorization;
    const userAgent = req.headers['user-agent'];
    requests.push({ httpVersion: req.httpVersion, method: req.method ?? '', path: req.url ?? '', authorization: typeof authorization === 'string' ? authorization : null, userAgent: userAgent ?? null });
    req.resume();
    req.on('end', () => {
      if (String(req.headers['content-type'] ?? '').startsWith('application/grpc')) {
        res.writeHead(200, { 'content-type': 'application/grpc' });
        res.addTrailers({ 'grpc-status': '7', 'grpc-message': 'recorded by the test server' });
        res.end();
        return;
      }
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 403, message: 'recorded by the test server', status: 'PERMISSION_DENIED', errors: [{ reason: 'accessDenied', message: 'recorded by the test server' }] } }));
    });
  });
  let secureConnection!: () => void;
  const connected = new Promise<void>((resolve) => (secureConnection = resolve));
  server.on('secureConnection', () => secureConnection());
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    withCredentials: () => requests.filter((r) => r.authorization !== null),
    connected: () => connected,
    close: () =>
      new Promise((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The environment of a child process whose Application Default Credentials come from `metadata` only (no key
 * file, no gcloud login) and which trusts the recording server's certificate.
 */
export function trapEnvironment(metadata: MetadataServer, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    CLOUDSDK_CONFIG: path.join(home, 'gcloud'),
    GCE_METADATA_HOST: metadata.host,
    METADATA_SERVER_DETECTION: 'assume-present',
    // Else the auth library asks the gcloud CLI for a project (seconds, when it is installed).
    GOOGLE_CLOUD_PROJECT: 'metadata-project',
    NODE_EXTRA_CA_CERTS: TEST_CA_FILE,
    CLOUD_RUN_DRIFT_CACHE_DIR: path.join(home, 'cache'),
    NO_COLOR: '1',
  };
}

/**
 * A host that is neither Google's nor loopback, for the gRPC client (a gRPC endpoint on a loopback host is the
 * emulator: plain, no credentials). `.test` never resolves (RFC 6761): only startConnectProxy reaches it.
 */
export const NOT_GOOGLE_HOST = 'not-google.test';

export interface ConnectProxy {
  /** http://127.0.0.1:PORT, for `grpc_proxy`. */
  url: string;
  /** Every CONNECT target asked for (host:port), refused ones too. */
  targets: string[];
  close(): Promise<void>;
}

/**
 * An HTTP CONNECT proxy on 127.0.0.1 (gRPC clients use one named by `grpc_proxy`) that tunnels NOT_GOOGLE_HOST:port
 * to 127.0.0.1:port and refuses every other target: TLS then runs end to end, from the client to the recording
 * server, and checks its certificate against NOT_GOOGLE_HOST.
 */
export async function startConnectProxy(port: number): Promise<ConnectProxy> {
  const targets: string[] = [];
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = http.createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    track(client);
    client.on('error', () => client.destroy());
    const target = req.url ?? '';
    targets.push(target);
    if (target !== `${NOT_GOOGLE_HOST}:${port}`) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function emptyHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'crd-trap-home-'));
}
