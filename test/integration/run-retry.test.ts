// Every Cloud Run read the check makes retries 429, 500 and 503 with backoff, and ends by its
// deadline: the real @google-cloud/run clients against the emulator (its faults answer the
// statuses) behind a proxy that counts the requests, and against a server that never answers.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createCloudRunReader, type CloudRunReader } from '../../src/core/google/cloudrun';
import { startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { startRecordingProxy, startSilentServer, type RecordingProxy, type SilentServer } from '../helpers/net';

const PROJECT = 'retry-project';
const REGION = 'us-west2';
const SERVICE_PATH = `/v2/projects/${PROJECT}/locations/${REGION}/services/api`;
const REVISION_PATH = `${SERVICE_PATH}/revisions/api-00001-aaa`;
const ref = { project: PROJECT, region: REGION, name: 'api' };
/** Bounds each test: on code without a deadline a silent endpoint holds a read for 20 s or more. */
const TEST_TIMEOUT_MS = 10_000;

describe('Cloud Run reader: retries and deadlines', () => {
  let emulator: RunEmulator;
  let proxy: RecordingProxy;
  let silent: SilentServer;

  /** A fresh reader per test: nothing is kept from an earlier lookup (settled revisions). */
  const withReader = async <T>(endpoint: string, use: (reader: CloudRunReader) => Promise<T>, timeoutMs?: number): Promise<T> => {
    const reader = createCloudRunReader({ run: endpoint }, timeoutMs === undefined ? {} : { timeoutMs });
    try {
      return await use(reader);
    } finally {
      await reader.close();
    }
  };
  const statusesOf = (path: string): number[] => proxy.requests.filter((r) => r.path === path).map((r) => r.status);

  before(async () => {
    emulator = await startRunEmulator({ project: PROJECT, region: REGION, services: [{ name: 'api', revisions: [{ name: 'api-00001-aaa', labels: { 'commit-sha': 'c0ffee12' } }] }] });
    proxy = await startRecordingProxy(emulator.httpUrl);
    silent = await startSilentServer();
  });
  beforeEach(async () => {
    await emulator.control('clear-faults', {});
    proxy.requests.length = 0;
  });
  after(async () => {
    await proxy?.close();
    await silent?.close();
    await emulator?.close();
  });

  for (const status of [503, 429, 500]) {
    it(`getService and getRevision each answered ${status} once are read on the second request`, { timeout: TEST_TIMEOUT_MS }, async () => {
      await emulator.control('faults', {
        rules: [
          { api: 'run', operation: 'getService', httpStatus: status, message: 'try again', times: 1 },
          { api: 'run', operation: 'getRevision', httpStatus: status, message: 'try again', times: 1 },
        ],
      });
      const lookup = await withReader(proxy.url, (reader) => reader.lookupService(ref));
      assert.equal(lookup.kind, 'found', JSON.stringify(lookup));
      assert.deepEqual(lookup.kind === 'found' ? lookup.facts.revisions['api-00001-aaa']?.labels : null, { 'commit-sha': 'c0ffee12' });
      assert.deepEqual(statusesOf(SERVICE_PATH), [status, 200]);
      assert.deepEqual(statusesOf(REVISION_PATH), [status, 200]);
    });
  }

  it('a service that keeps failing is tried three times, then reported with the API\'s words, within a second', { timeout: TEST_TIMEOUT_MS }, async () => {
    await emulator.control('faults', { rules: [{ api: 'run', operation: 'getService', httpStatus: 503, message: 'backend down' }] });
    const started = Date.now();
    const lookup = await withReader(proxy.url, (reader) => reader.lookupService(ref));
    assert.deepEqual(lookup, { kind: 'error', message: 'backend down', code: 14 });
    assert.deepEqual(statusesOf(SERVICE_PATH), [503, 503, 503]);
    assert.ok(Date.now() - started < 1_500, `took ${Date.now() - started} ms`);
  });

  it('a refusal (403) is not retried', { timeout: TEST_TIMEOUT_MS }, async () => {
    await emulator.control('faults', { rules: [{ api: 'run', operation: 'getService', httpStatus: 403, message: "Permission 'run.services.get' denied" }] });
    const lookup = await withReader(proxy.url, (reader) => reader.lookupService(ref));
    assert.equal(lookup.kind, 'error');
    assert.deepEqual(statusesOf(SERVICE_PATH), [403]);
  });

  it('listRevisions retries a 503 too', { timeout: TEST_TIMEOUT_MS }, async () => {
    await emulator.control('faults', { rules: [{ api: 'run', operation: 'listRevisions', httpStatus: 503, times: 1 }] });
    const listed = await withReader(proxy.url, (reader) => reader.listRevisions!(ref, 5));
    assert.deepEqual(listed.map((r) => r.name), ['api-00001-aaa']);
    assert.deepEqual(statusesOf(`${SERVICE_PATH}/revisions`), [503, 200]);
  });

  it("a lookup against an endpoint that never answers ends at the caller's deadline, naming it", { timeout: TEST_TIMEOUT_MS }, async () => {
    const started = Date.now();
    const lookup = await withReader(silent.url, (reader) => reader.lookupService(ref, { timeoutMs: 400 }));
    const elapsed = Date.now() - started;
    assert.deepEqual(lookup, { kind: 'error', message: `the Cloud Run API at ${silent.url} did not answer getService in the time left`, code: 4 });
    assert.ok(elapsed >= 350 && elapsed < 1_400, `ended after ${elapsed} ms`);
  });

  it("and at the reader's own deadline when the caller gives none", { timeout: TEST_TIMEOUT_MS }, async () => {
    const started = Date.now();
    const lookup = await withReader(silent.url, (reader) => reader.lookupService(ref), 300);
    assert.equal(lookup.kind, 'error');
    assert.match(lookup.kind === 'error' ? lookup.message : '', /did not answer getService within 0\.3 s/);
    assert.ok(Date.now() - started < 1_300);
  });

  it("the caller's signal cancels a lookup in flight with the signal's reason", { timeout: TEST_TIMEOUT_MS }, async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('verification canceled')), 100);
    const started = Date.now();
    await assert.rejects(
      withReader(silent.url, (reader) => reader.lookupService(ref, { signal: controller.signal })),
      /verification canceled/,
    );
    assert.ok(Date.now() - started < 1_000);
  });
});
