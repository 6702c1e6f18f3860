import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { httpFetch } from '../../src/core/google/httpFetch';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('httpFetch (the Run SDK transport)', () => {
  let server: http.Server;
  let base: string;
  const seen: Seen[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const payload = JSON.stringify({ path: req.url, greeting: 'héllo' });
        if (req.url === '/gzip') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          res.end(zlib.gzipSync(payload));
        } else if (req.url === '/deflate') {
          res.writeHead(200, { 'content-encoding': 'deflate' });
          res.end(zlib.deflateSync(payload));
        } else if (req.url === '/missing') {
          res.writeHead(404, 'Not Found', { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
          res.end('{"error":{"code":404}}');
        } else if (req.url === '/redirect') {
          res.writeHead(302, { location: '/elsewhere' });
          res.end();
        } else if (req.url === '/hang') {
          // Never answers: only an abort ends this request.
        } else if (req.url === '/cut') {
          res.writeHead(200, { 'content-length': '1000' });
          res.write('partial');
          setTimeout(() => res.socket?.destroy(), 20);
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(payload);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends method, headers and a string body; reads status, headers and JSON', async () => {
    const response = await httpFetch(new URL(`${base}/v2/things?$alt=json`), {
      method: 'POST',
      headers: new Headers({ 'x-goog-api-client': 'gax/1', 'content-type': 'application/json' }),
      body: '{"name":"ü"}',
    });
    assert.equal(response.status, 200);
    assert.equal(response.ok, true);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.deepEqual(await response.json(), { path: '/v2/things?$alt=json', greeting: 'héllo' });
    const request = seen.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(request.headers['x-goog-api-client'], 'gax/1');
    assert.equal(request.headers['content-length'], String(Buffer.byteLength('{"name":"ü"}')), 'length in bytes, not characters');
    assert.equal(request.headers['accept-encoding'], 'gzip, deflate');
    assert.equal(request.body, '{"name":"ü"}');
  });

  it('sends Buffer, Uint8Array and URLSearchParams bodies; GET sends none', async () => {
    await (await httpFetch(`${base}/a`, { method: 'PUT', body: Buffer.from('buf') })).text();
    assert.equal(seen.at(-1)!.body, 'buf');
    await (await httpFetch(`${base}/b`, { method: 'PUT', body: new Uint8Array([0x68, 0x69]).subarray(1) })).text();
    assert.equal(seen.at(-1)!.body, 'i', 'a view sends only its own bytes');
    await (await httpFetch(`${base}/c`, { method: 'POST', body: new URLSearchParams({ a: '1 2' }) })).text();
    assert.equal(seen.at(-1)!.body, 'a=1+2');
    await (await httpFetch(`${base}/d`)).text();
    assert.equal(seen.at(-1)!.method, 'GET');
    assert.equal(seen.at(-1)!.body, '');
  });

  it('decodes gzip and deflate bodies, through arrayBuffer and through the body stream', async () => {
    const viaBuffer = await httpFetch(`${base}/gzip`);
    assert.equal(Buffer.from(await viaBuffer.arrayBuffer()).toString('utf8'), JSON.stringify({ path: '/gzip', greeting: 'héllo' }));
    const viaStream = await httpFetch(`${base}/deflate`);
    const chunks: Buffer[] = [];
    for await (const chunk of viaStream.body) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).toString('utf8'), JSON.stringify({ path: '/deflate', greeting: 'héllo' }));
  });

  it('lets the body stream be handed on and read once (gaxios passes it on, gax reads it)', async () => {
    const response = await httpFetch(`${base}/once`);
    assert.equal(response.body, response.body, 'the same stream each time');
    assert.equal(response.bodyUsed, false);
    assert.equal((await response.text()).includes('/once'), true);
    assert.equal(response.bodyUsed, true);
    await assert.rejects(response.text(), /already read/);
  });

  it('returns error statuses and redirects as they are, with repeated headers', async () => {
    const missing = await httpFetch(`${base}/missing`);
    assert.equal(missing.status, 404);
    assert.equal(missing.ok, false);
    assert.equal(missing.statusText, 'Not Found');
    assert.equal(missing.headers.get('x-multi'), 'a, b');
    assert.equal(await missing.text(), '{"error":{"code":404}}');
    const moved = await httpFetch(`${base}/redirect`);
    assert.equal(moved.status, 302, 'not followed');
    assert.equal(moved.headers.get('location'), '/elsewhere');
  });

  it('uses the agent it is given, or the one an agent function picks for the URL', async () => {
    const agent = new http.Agent({ keepAlive: true });
    const asked: string[] = [];
    try {
      await (await httpFetch(`${base}/agent`, { agent: (url) => (asked.push(url.pathname), agent) })).text();
      assert.deepEqual(asked, ['/agent']);
      assert.equal(seen.at(-1)!.headers.connection, 'keep-alive');
    } finally {
      agent.destroy();
    }
  });

  it('takes headers as a record or pairs too: lowercase names, repeated ones joined as Headers joins them', async () => {
    await (await httpFetch(`${base}/record`, { headers: { Accept: 'application/json', 'X-Two': 'a', 'x-two': 'b', constructor: 'c' } })).text();
    let request = seen.at(-1)!;
    assert.deepEqual([request.headers.accept, request.headers['x-two'], request.headers.constructor], ['application/json', 'a, b', 'c']);
    await (await httpFetch(`${base}/pairs`, { headers: [['X-Pair', '1'], ['x-pair', '2']] })).text();
    request = seen.at(-1)!;
    assert.equal(request.headers['x-pair'], '1, 2');
  });

  it("reads a gzip answer's status and body without loading Node's fetch (undici): WHATWG Headers only once asked for", async () => {
    const script = `
      const { httpFetch } = require(${JSON.stringify(require.resolve('../../src/core/google/httpFetch'))});
      httpFetch(${JSON.stringify(`${base}/gzip`)}, { headers: { accept: 'application/json' } }).then(async (response) => {
        const body = JSON.parse(await response.text());
        const before = process.moduleLoadList.some((m) => m.includes('undici'));
        const type = response.headers.get('content-type');
        const after = process.moduleLoadList.some((m) => m.includes('undici'));
        console.log(JSON.stringify({ status: response.status, greeting: body.greeting, before, type, after }));
      });`;
    // In another process (this one has loaded undici long ago), asynchronously (the server is this process's).
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { timeout: 10_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 0, stderr);
    assert.deepEqual(JSON.parse(stdout), { status: 200, greeting: 'héllo', before: false, type: 'application/json', after: true });
  });

  it('rejects when aborted before sending, while waiting, and fails a body cut short', async () => {
    const early = new AbortController();
    early.abort();
    await assert.rejects(httpFetch(`${base}/hang`, { signal: early.signal }), { name: 'AbortError' });
    const late = new AbortController();
    const pending = httpFetch(`${base}/hang`, { signal: late.signal });
    setTimeout(() => late.abort(), 30);
    await assert.rejects(pending, { name: 'AbortError' });
    const timedOut = httpFetch(`${base}/hang`, { signal: AbortSignal.timeout(30) });
    await assert.rejects(timedOut, { name: 'TimeoutError' });
    const cut = await httpFetch(`${base}/cut`);
    await assert.rejects(cut.arrayBuffer());
  });

  it('refuses what it cannot send rather than sending something else', async () => {
    await assert.rejects(httpFetch('file:///etc/passwd'), /unsupported protocol file:/);
    await assert.rejects(httpFetch(`${base}/x`, { method: 'POST', body: { not: 'serialized' } }), /unsupported request body/);
    await assert.rejects(httpFetch('http://127.0.0.1:1/refused?key=secret'), {
      name: 'FetchError',
      code: 'ECONNREFUSED',
      message: 'request to http://127.0.0.1:1/refused failed, reason: connect ECONNREFUSED 127.0.0.1:1',
    });
  });
});
