// Misbehaving endpoints on 127.0.0.1 for deadline and retry tests: one that accepts connections
// and never answers, and a recording proxy in front of a real server (the emulator).
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SilentServer {
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT (a gRPC endpoint) */
  hostPort: string;
  /** Connections accepted so far. */
  connections(): number;
  /** Connections still open: a client that gave up closed its side. */
  open(): number;
  close(): Promise<void>;
}

/** Accepts TCP connections, reads what arrives and never answers: HTTP and gRPC clients wait. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    connections: () => accepted,
    open: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  status: number;
  /** When it arrived (Date.now()). */
  at: number;
}

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Forwards every request to `upstream` and records it with the status it got. */
export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const at = Date.now();
    const forwarded = http.request({ hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      requests.push({ method: req.method ?? '', path: (req.url ?? '').split('?')[0]!, status: answer.statusCode ?? 0, at });
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
