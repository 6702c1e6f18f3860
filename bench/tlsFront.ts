// The emulator as Google's front end would serve it: TLS (HTTP/2, or HTTP/1.1 for a client that asks
// for it) on 127.0.0.1 with the tests' certificate, every request handed on to the emulator's plain
// HTTP; and a metadata server handing out an access token, for Application Default Credentials.
// A process of its own (the bench times the CLI with spawnSync, which holds the bench's event loop).
// Prints one JSON line: {"url": "https://127.0.0.1:PORT", "metadataHost": "127.0.0.1:PORT"}.
// With a round trip in ms as its second argument, both are reached through a relay that holds every
// chunk for half of it each way, as a network between the CLI and Google would (the TCP handshake
// itself is not held): a TLS handshake then costs a round trip, and so does the token.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { startMetadataServer, TEST_CA_FILE } from '../test/helpers/credentialTrap';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

async function main(): Promise<void> {
  const target = new URL(process.argv[2]!);
  const agent = new http.Agent({ keepAlive: true });
  const server = http2.createSecureServer(
    { key: fs.readFileSync(path.join(path.dirname(TEST_CA_FILE), 'key.pem')), cert: fs.readFileSync(TEST_CA_FILE), allowHTTP1: true },
    (req, res) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) if (!name.startsWith(':') && !HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
      const forward = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers, agent }, (answer) => {
        const back: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) back[name] = value;
        res.writeHead(answer.statusCode ?? 502, back);
        answer.pipe(res);
      });
      forward.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      req.pipe(forward);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const metadata = await startMetadataServer();
  const roundTripMs = Number(process.argv[3] ?? 0);
  const apiPort = (server.address() as AddressInfo).port;
  const metadataPort = Number(metadata.host.split(':')[1]);
  const [api, token] = roundTripMs > 0 ? await Promise.all([delayedRelay(apiPort, roundTripMs / 2), delayedRelay(metadataPort, roundTripMs / 2)]) : [apiPort, metadataPort];
  console.log(JSON.stringify({ url: `https://127.0.0.1:${api}`, metadataHost: `127.0.0.1:${token}` }));
}

/** A port on 127.0.0.1 relaying each connection to `port`, every chunk held `delayMs` on its way (in order, each way). */
async function delayedRelay(port: number, delayMs: number): Promise<number> {
  const relay = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    const forward = (from: net.Socket, to: net.Socket): void => {
      from.on('data', (chunk: Buffer) => setTimeout(() => to.write(chunk), delayMs));
      from.on('end', () => setTimeout(() => to.end(), delayMs));
      from.on('error', () => to.destroy());
    };
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return (relay.address() as AddressInfo).port;
}

void main();
