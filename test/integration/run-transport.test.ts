// The reader's REST transport: the real @google-cloud/run clients, their calls made through
// core's httpFetch (not gaxios's node-fetch), against the emulator behind a proxy that records
// what arrives and compresses what it sends back, as Google's front ends do.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { createCloudRunReader, type CloudRunReader } from '../../src/core/google/cloudrun';
import { startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';

const PROJECT = 'transport-project';
const REGION = 'us-west2';

describe('Cloud Run reader transport', () => {
  let emulator: RunEmulator;
  let proxy: http.Server;
  let reader: CloudRunReader;
  const arrived: { url: string; acceptEncoding: string | undefined; compressed: boolean }[] = [];

  before(async () => {
    emulator = await startRunEmulator({
      project: PROJECT,
      region: REGION,
      services: [{ name: 'api', revisions: [{ name: 'api-00001-aaa', labels: { 'commit-sha': 'c0ffee12' }, createTime: '2026-01-01T00:00:30Z' }] }],
    });
    const upstream = new URL(emulator.httpUrl);
    proxy = http.createServer((req, res) => {
      const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      arrived.push({ url: req.url!, acceptEncoding: req.headers['accept-encoding'], compressed: gzip });
      const forward = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, 'accept-encoding': 'identity' } }, (answer) => {
        const headers = { ...answer.headers };
        delete headers['content-length'];
        if (gzip) headers['content-encoding'] = 'gzip';
        res.writeHead(answer.statusCode ?? 502, headers);
        if (gzip) answer.pipe(zlib.createGzip()).pipe(res);
        else answer.pipe(res);
      });
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    reader = createCloudRunReader({ run: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
  });
  after(async () => {
    await reader?.close();
    proxy?.closeAllConnections();
    await new Promise((resolve) => proxy?.close(resolve));
    await emulator?.close();
  });

  it('sends the API calls through httpFetch and decodes gzip answers through the SDK', async () => {
    const lookup = await reader.lookupService({ project: PROJECT, region: REGION, name: 'api' });
    assert.equal(lookup.kind, 'found');
    assert.equal(lookup.kind === 'found' && lookup.facts.revisions['api-00001-aaa']?.labels['commit-sha'], 'c0ffee12');
    const calls = arrived.filter((a) => a.url.startsWith('/v2/'));
    assert.deepEqual(
      calls.map((c) => c.url.split('?')[0]),
      [`/v2/projects/${PROJECT}/locations/${REGION}/services/api`, `/v2/projects/${PROJECT}/locations/${REGION}/services/api/revisions/api-00001-aaa`],
    );
    // httpFetch's own header; gaxios's node-fetch would have sent "gzip, deflate, br".
    assert.deepEqual(
      calls.map((c) => c.acceptEncoding),
      ['gzip, deflate', 'gzip, deflate'],
    );
    assert.ok(calls.every((c) => c.compressed));
  });

  it('decodes a compressed Google error body into the per-service verdict', async () => {
    await emulator.control('faults', { rules: [{ api: 'run', service: 'api', httpStatus: 403, message: "Permission 'run.services.get' denied on api" }] });
    try {
      const lookup = await reader.lookupService({ project: PROJECT, region: REGION, name: 'api' });
      assert.equal(lookup.kind, 'error');
      assert.equal(lookup.kind === 'error' && lookup.message, "Permission denied: Permission 'run.services.get' denied on api");
      const missing = await reader.lookupService({ project: PROJECT, region: REGION, name: 'gone' });
      assert.equal(missing.kind, 'not-found');
    } finally {
      await emulator.control('clear-faults', {});
    }
  });

  it('names an endpoint it cannot reach, for that service only', async () => {
    const unreachable = createCloudRunReader({ run: 'http://127.0.0.1:1' });
    try {
      const lookup = await unreachable.lookupService({ project: PROJECT, region: REGION, name: 'api' });
      // UNAVAILABLE, the failure's own code (retried, then reported), not the retry wrapper's DEADLINE_EXCEEDED.
      assert.deepEqual(lookup, { kind: 'error', message: 'cannot reach http://127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1)', code: 14 });
    } finally {
      await unreachable.close();
    }
  });
});
