// The reads' GETs to Google over one HTTP/2 session per origin (src/core/google/http2Send.ts), against
// real TLS servers on 127.0.0.1 with the tests' certificate: HTTP/2, and HTTP/1.1 alone.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { Http2Sessions, useHttp2, type HeaderedGet } from '../../src/core/google/http2Send';
import { runChild } from '../helpers/childRun';
import { TEST_CA_FILE } from '../helpers/credentialTrap';

const ca = fs.readFileSync(TEST_CA_FILE);
const key = fs.readFileSync(path.join(path.dirname(TEST_CA_FILE), 'key.pem'));
const neverCalled: HeaderedGet = () => assert.fail('the HTTP/1.1 fallback was used');

/** A server that takes a connection and never answers its TLS handshake: `connection` is the first it took. */
async function silentServer(): Promise<{ origin: string; connection: Promise<net.Socket>; close(): void }> {
  let accepted!: (socket: net.Socket) => void;
  const connection = new Promise<net.Socket>((resolve) => (accepted = resolve));
  const server = net.createServer((socket) => accepted(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, connection, close: () => server.close() };
}

describe('Http2Sessions', () => {
  let server: http2.Http2SecureServer;
  let origin: string;
  const sessions: http2.ServerHttp2Session[] = [];
  /** What to do with the next request for /hang (its response, to answer or not). */
  const hanging: ((res: http2.Http2ServerResponse) => void)[] = [];

  before(async () => {
    server = http2.createSecureServer({ key, cert: ca }, (req, res) => {
      if (req.url === '/hang') return hanging.shift()?.(res);
      if (req.url === '/cut') {
        // Half an answer, then the stream canceled: no 'end' and no 'error' reach the client.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"half":');
        return setImmediate(() => res.stream.close(http2.constants.NGHTTP2_CANCEL));
      }
      const body = JSON.stringify({ path: req.url, authorization: req.headers.authorization ?? null, encoding: req.headers['accept-encoding'] ?? null });
      if (req.url.startsWith('/gzip')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(zlib.gzipSync(body));
      } else {
        res.writeHead(req.url.startsWith('/missing') ? 404 : 200, { 'content-type': 'application/json' });
        res.end(body);
      }
    });
    server.on('session', (session) => sessions.push(session));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    for (const session of sessions) session.destroy();
    server.close();
  });

  it('sends concurrent reads over one session, with their headers; answers gzip-decoded, any status', async () => {
    const client = new Http2Sessions(neverCalled, { ca });
    const before = sessions.length;
    const signal = new AbortController().signal;
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => client.get(`${origin}/${i % 2 ? 'gzip' : 'plain'}/${i}?fields=a%2Cb`, { authorization: 'Bearer t' }, signal)));
    assert.equal(sessions.length - before, 1);
    answers.forEach((answer, i) => {
      assert.equal(answer.status, 200);
      assert.deepEqual(JSON.parse(answer.body), { path: `/${i % 2 ? 'gzip' : 'plain'}/${i}?fields=a%2Cb`, authorization: 'Bearer t', encoding: 'gzip' });
    });
    const missing = await client.get(`${origin}/missing`, {}, signal);
    assert.equal(missing.status, 404);
    assert.equal(sessions.length - before, 1);
    // Each stream may receive 16 MiB before the server waits for a window update (Node's default: 64 KiB).
    assert.equal(sessions.at(-1)!.remoteSettings.initialWindowSize, 16 << 20);
  });

  it('an aborted read rejects with its reason and cancels its stream; the session serves the next', async () => {
    const client = new Http2Sessions(neverCalled, { ca });
    await client.get(`${origin}/plain/first`, {}, new AbortController().signal);
    const before = sessions.length;
    const controller = new AbortController();
    const reason = new Error('deadline');
    hanging.push(() => controller.abort(reason));
    await assert.rejects(client.get(`${origin}/hang`, {}, controller.signal), (err) => err === reason);
    assert.equal((await client.get(`${origin}/plain/after`, {}, new AbortController().signal)).status, 200);
    assert.equal(sessions.length, before);
  });

  it('a session the server ends is left: a later read opens another', async () => {
    const client = new Http2Sessions(neverCalled, { ca });
    const signal = new AbortController().signal;
    await client.get(`${origin}/plain/one`, {}, signal);
    const ended = sessions[sessions.length - 1]!;
    await new Promise<void>((resolve) => ended.close(resolve));
    // A read sent before the client saw the session end fails (the reads' caller retries it); the next succeeds.
    let answer = await client.get(`${origin}/plain/two`, {}, signal).catch(() => null);
    answer ??= await client.get(`${origin}/plain/two`, {}, signal);
    assert.equal(answer.status, 200);
    assert.ok(sessions[sessions.length - 1] !== ended, 'a new session');
  });

  it('a stream canceled in the middle of its answer rejects the read at once (the caller retries it)', async () => {
    const client = new Http2Sessions(neverCalled, { ca });
    await assert.rejects(client.get(`${origin}/cut`, {}, new AbortController().signal), /failed, reason: the HTTP\/2 stream closed before its answer ended \(code 8\)/);
    assert.equal((await client.get(`${origin}/plain/after-cut`, {}, new AbortController().signal)).status, 200);
  });

  it('a connection that never completes is given up when the last read waiting for it gives up', { timeout: 10_000 }, async () => {
    const silent = await silentServer();
    try {
      const client = new Http2Sessions(neverCalled, { ca });
      const controller = new AbortController();
      const read = client.get(`${silent.origin}/x`, {}, controller.signal);
      const socket = await silent.connection;
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      controller.abort(new Error('deadline'));
      await assert.rejects(read, /deadline/);
      await closed;
    } finally {
      silent.close();
    }
  });

  it('a connection opened ahead of the reads is the one they use', async () => {
    const client = new Http2Sessions(neverCalled, { ca });
    const before = sessions.length;
    const opened = new Promise<void>((resolve) => server.once('session', () => resolve()));
    client.preconnect(`${origin}/v2/anything`);
    await opened;
    const signal = new AbortController().signal;
    const answers = await Promise.all([1, 2, 3].map((i) => client.get(`${origin}/plain/${i}`, {}, signal)));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
    assert.equal(sessions.length - before, 1, 'no other session');
  });

  it('close() ends a connection still opening, and the read waiting for it fails at once', { timeout: 10_000 }, async () => {
    const silent = await silentServer();
    try {
      const client = new Http2Sessions(neverCalled, { ca });
      client.preconnect(`${silent.origin}/x`);
      const socket = await silent.connection;
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      // A read whose own deadline (5 s) is far off: the connection's end must end it first.
      const read = client.get(`${silent.origin}/x`, {}, AbortSignal.timeout(5_000));
      client.close();
      await assert.rejects(read, /failed, reason: the connection was closed before it was made/);
      await closed;
    } finally {
      silent.close();
    }
  });

  it('an origin that does not offer HTTP/2 is read through the fallback, and asked only once', async () => {
    let connections = 0;
    const http1 = https.createServer({ key, cert: ca }, (_req, res) => res.end('{}'));
    http1.on('connection', () => connections++);
    await new Promise<void>((resolve) => http1.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(http1.address() as AddressInfo).port}/v2/x`;
      const fallen: string[] = [];
      const client = new Http2Sessions(async (target, headers) => (fallen.push(`${target} ${headers.authorization}`), { status: 200, body: 'over HTTP/1.1' }), { ca });
      const signal = new AbortController().signal;
      assert.deepEqual(await client.get(url, { authorization: 'Bearer t' }, signal), { status: 200, body: 'over HTTP/1.1' });
      await client.get(url, { authorization: 'Bearer t' }, signal);
      assert.deepEqual(fallen, [`${url} Bearer t`, `${url} Bearer t`]);
      assert.equal(connections, 1);
    } finally {
      http1.close();
    }
  });

  it('goes over HTTP/2 only to https, and not when the environment sets a proxy (only the HTTP/1.1 path honors one)', () => {
    assert.equal(useHttp2('https://run.googleapis.com/v2/x', {}), true);
    assert.equal(useHttp2('http://127.0.0.1:8123/v2/x', {}), false);
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) assert.equal(useHttp2('https://run.googleapis.com/v2/x', { [name]: 'http://proxy:3128' }), false, name);
  });

  it('a connection refused rejects the read, in words that name the endpoint', async () => {
    const closed = http2.createSecureServer({ key, cert: ca });
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = new Http2Sessions(neverCalled, { ca });
    await assert.rejects(client.get(`https://127.0.0.1:${port}/x`, {}, new AbortController().signal), new RegExp(`request to https://127.0.0.1:${port}/x failed, reason: .*ECONNREFUSED`));
  });

  /** Runs `use` (a script given `client`, an Http2Sessions trusting the tests' certificate) in a child; its exit code and output, or null once killed after 20 s. */
  const inChild = async (use: string): Promise<{ code: number | null; out: string }> => {
    const script = `
      const { Http2Sessions } = require(${JSON.stringify(path.resolve(__dirname, '../../src/core/google/http2Send.ts'))});
      const client = new Http2Sessions(() => { throw new Error('fallback'); }, { ca: require('node:fs').readFileSync(${JSON.stringify(TEST_CA_FILE)}) });
      ${use}`;
    const { code, stdout, stderr } = await runChild(process.execPath, ['--import', 'tsx', '-e', script]);
    return { code, out: (stdout + stderr).trim() };
  };
  const readHang = `client.get(${JSON.stringify('ORIGIN/hang')}, {}, new AbortController().signal).then((a) => console.log(a.status), (e) => console.log(String(e)));`;

  it('a session keeps the process alive while a read is in flight, and not once it is idle', async () => {
    // The answer comes 300 ms after the request: a child its session did not hold would have exited
    // with nothing printed by then. Once answered, the idle session must let it exit (else: killed).
    hanging.push((res) => setTimeout(() => res.end('{}'), 300));
    const { code, out } = await inChild(readHang.replace('ORIGIN', origin));
    assert.equal(code, 0, `the child did not exit by itself: ${out}`);
    assert.equal(out, '200');
  });

  it('a connection opened ahead of the reads holds the process only while a read waits for it', { timeout: 30_000 }, async () => {
    // Alone, one that never completes (a server that takes it and never answers) lets the process
    // exit: held, it would have lasted 30 s, and the child been killed at 20.
    const silent = await silentServer();
    try {
      const alone = await inChild(`client.preconnect('${silent.origin}/x'); console.log('started');`);
      assert.equal(alone.code, 0, `the child did not exit by itself: ${alone.out}`);
      assert.equal(alone.out, 'started');
    } finally {
      silent.close();
    }
    // With a read waiting for it (the answer 300 ms after the request), the child waits for the answer.
    hanging.push((res) => setTimeout(() => res.end('{}'), 300));
    const read = await inChild(`client.preconnect(${JSON.stringify(origin)}); ${readHang.replace('ORIGIN', origin)}`);
    assert.equal(read.code, 0, `the child did not exit by itself: ${read.out}`);
    assert.equal(read.out, '200');
  });
});
