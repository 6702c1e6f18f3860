// A check reads Cloud Run over the Admin API v2 REST surface without the client library
// (src/core/google/runRest.ts). For the same state of the emulator, and for the same error answers of a
// plain server on 127.0.0.1, what those reads decode must be what the real @google-cloud/run clients
// decode, as the reader's facts see it: serving revisions, traffic, revision facts, the settled-revision
// check, and each failure's code and message after the same retries.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { v2, type protos } from '@google-cloud/run';
import type { CallOptions } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';
import { agreesWithService, describeApiError, RETRIED_CODES, revisionFacts, servingRevisions, trafficState } from '../../src/core/google/cloudrun';
import { plainSend, RunRestReads, type ApiService } from '../../src/core/google/runRest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';

const PROJECT = 'rest-project';
const REGION = 'us-west2';
const PARENT = `projects/${PROJECT}/locations/${REGION}`;
const sha = (n: number): { 'commit-sha': string } => ({ 'commit-sha': `${n}`.repeat(8).slice(0, 8) });

/** The reader's call options (core/google/cloudrun.ts read()), with backoffs short enough for a test. */
function callOptions(signal?: AbortSignal): CallOptions {
  const backoffSettings = { initialRetryDelayMillis: 5, retryDelayMultiplier: 2, maxRetryDelayMillis: 20, initialRpcTimeoutMillis: 5_000, rpcTimeoutMultiplier: 1, maxRpcTimeoutMillis: 5_000, maxRetries: 3 };
  return { timeout: 5_000, retry: { retryCodes: [...RETRIED_CODES], backoffSettings }, ...(signal ? { signal } : {}) } as CallOptions;
}

/** Everything the reader takes from a Service (core/google/cloudrun.ts lookupService, trafficState, agreesWithService). */
function serviceView(service: ApiService): unknown {
  return {
    serving: servingRevisions(service),
    traffic: trafficState(service),
    templateLabels: service.template?.labels ?? {},
    uid: service.uid,
    uri: service.uri || null,
    reconciling: Boolean(service.reconciling),
    latestCreated: service.latestCreatedRevision,
    latestReady: service.latestReadyRevision,
    name: service.name,
  };
}

interface Sdk {
  services: v2.ServicesClient;
  revisions: v2.RevisionsClient;
}

function sdkFor(origin: string): Sdk {
  const url = new URL(origin);
  const options = { apiEndpoint: url.hostname, port: Number(url.port), protocol: 'http', fallback: true, authClient: new PassThroughClient() };
  return { services: new v2.ServicesClient(options), revisions: new v2.RevisionsClient(options) };
}

/** The failure of `call` as the reader reports it (describeApiError), or a failure of the test when it succeeds. */
async function failure(call: Promise<unknown>): Promise<{ message: string; code: number | null }> {
  try {
    await call;
  } catch (err) {
    return describeApiError(err);
  }
  assert.fail('the call succeeded');
}

describe('Cloud Run reads over REST, beside the SDK', () => {
  let emulator: RunningEmulator;
  let sdk: Sdk;
  let rest: RunRestReads;

  before(async () => {
    emulator = await startEmulator({
      port: 0,
      modules: { logging: false, bigquery: false },
      scenario: {
        run: {
          project: PROJECT,
          region: REGION,
          services: [
            {
              name: 'split',
              labels: { team: 'grading' },
              revisions: [
                { name: 'split-00001-aaa', labels: sha(1), createTime: '2026-01-30T10:00:00.123Z' },
                { name: 'split-00002-bbb', labels: { ...sha(2), extra: 'yes' }, createTime: '2026-01-30T11:00:00Z' },
              ],
              traffic: [
                { revision: 'split-00001-aaa', percent: 70, tag: 'stable' },
                { latest: true, percent: 30, tag: 'canary' },
              ],
            },
            {
              name: 'broken',
              revisions: [
                { name: 'broken-00001-aaa', labels: sha(3) },
                { name: 'broken-00002-bbb', labels: sha(4), ready: false, message: 'The container failed to start.' },
              ],
            },
            { name: 'rolling', reconciling: true, revisions: [{ name: 'rolling-00001-aaa', labels: sha(5) }] },
            {
              name: 'tagged',
              revisions: [{ name: 'tagged-00001-aaa', labels: sha(6) }, { name: 'tagged-00002-bbb' }],
              traffic: [
                { revision: 'tagged-00001-aaa', percent: 100 },
                { revision: 'tagged-00002-bbb', percent: 0, tag: 'preview' },
              ],
            },
          ],
        },
      },
    });
    sdk = sdkFor(emulator.httpUrl);
    rest = new RunRestReads(emulator.httpUrl, plainSend);
  });

  afterEach(async () => {
    await emulator.control('clear-faults');
  });

  after(async () => {
    await Promise.all([sdk?.services.close(), sdk?.revisions.close()]);
    await emulator?.close();
  });

  it('decodes each service, and each of its revisions, to the same facts as the SDK (splits, tags, failed and reconciling)', async () => {
    for (const service of ['split', 'broken', 'rolling', 'tagged']) {
      const name = `${PARENT}/services/${service}`;
      const [fromSdk] = await sdk.services.getService({ name }, callOptions());
      const fromRest = await rest.getService(name, callOptions());
      assert.deepEqual(serviceView(fromRest), serviceView(fromSdk), service);
      const [listedRevisions] = await sdk.revisions.listRevisions({ parent: name }, { autoPaginate: false });
      assert.ok(listedRevisions.length >= 1);
      for (const revision of listedRevisions) {
        const [sdkRevision] = await sdk.revisions.getRevision({ name: revision.name! }, callOptions());
        const restRevision = await rest.getRevision(revision.name!, callOptions());
        const short = revision.name!.split('/').pop()!;
        assert.deepEqual(revisionFacts(restRevision), revisionFacts(sdkRevision), short);
        assert.equal(agreesWithService(revisionFacts(restRevision), short, fromRest), agreesWithService(revisionFacts(sdkRevision), short, fromSdk), short);
      }
    }
    // The cases the comparison is meant to cover are there.
    const split = trafficState(await rest.getService(`${PARENT}/services/split`, callOptions()));
    assert.deepEqual(split.serving, [
      { revision: 'split-00001-aaa', percent: 70, tag: 'stable' },
      { revision: 'split-00002-bbb', percent: 30, tag: 'canary' },
    ]);
    const failed = revisionFacts(await rest.getRevision(`${PARENT}/services/broken/revisions/broken-00002-bbb`, callOptions()));
    assert.deepEqual([failed.failed, failed.readyMessage], [true, 'The container failed to start.']);
    assert.equal(revisionFacts(await rest.getRevision(`${PARENT}/services/split/revisions/split-00001-aaa`, callOptions())).createTime, '2026-01-30T10:00:00.123Z');
    assert.equal(trafficState(await rest.getService(`${PARENT}/services/rolling`, callOptions())).reconciling, true);
  });

  it('lists a region page by page as the SDK does: the same services, and whether more follow', async () => {
    for (const pageSize of [2, 4, 50]) {
      const [sdkPage, next] = await sdk.services.listServices({ parent: PARENT, pageSize }, { ...callOptions(), autoPaginate: false });
      const restPage = await rest.listServices(PARENT, pageSize, callOptions());
      assert.deepEqual(restPage.services.map(serviceView), (sdkPage as protos.google.cloud.run.v2.IService[]).map(serviceView), `pageSize ${pageSize}`);
      assert.equal(restPage.more, Boolean(next?.pageToken), `pageSize ${pageSize}`);
    }
    assert.equal((await rest.listServices(PARENT, 2, callOptions())).more, true);
  });

  it('fails as the SDK does: a missing service, 403, 429 and 503 with their messages, after the same retries', async () => {
    const missing = `${PARENT}/services/missing`;
    const notFound = await failure(rest.getService(missing, callOptions()));
    assert.deepEqual(notFound, await failure(sdk.services.getService({ name: missing }, callOptions())));
    assert.equal(notFound.code, 5);
    const name = `${PARENT}/services/split`;
    const cases: [number, string, number][] = [
      [403, "Permission 'run.services.get' denied on resource", 7],
      [429, 'Quota exceeded for quota metric Read requests', 8],
      [503, 'The service is currently unavailable.', 14],
      [500, 'backend exploded', 13],
    ];
    for (const [httpStatus, message, code] of cases) {
      await emulator.control('faults', { rules: [{ api: 'run', operation: 'getService', service: 'split', httpStatus, message }] });
      const fromRest = await failure(rest.getService(name, callOptions()));
      const fromSdk = await failure(sdk.services.getService({ name }, callOptions()));
      assert.deepEqual(fromRest, fromSdk, `HTTP ${httpStatus}`);
      assert.equal(fromRest.code, code);
      assert.ok(fromRest.message.includes(message), fromRest.message);
      await emulator.control('clear-faults');
    }
    // Two transient failures are retried through; a refusal is not retried.
    for (const reads of [rest.getService.bind(rest), (n: string, o: CallOptions) => sdk.services.getService({ name: n }, o).then(([s]) => s)]) {
      await emulator.control('faults', { rules: [{ api: 'run', operation: 'getService', service: 'split', httpStatus: 503, message: 'try again', times: 2 }] });
      assert.equal((await reads(name, callOptions())).name, name);
      await emulator.control('clear-faults');
      await emulator.control('faults', { rules: [{ api: 'run', operation: 'getService', service: 'split', httpStatus: 403, message: 'denied', times: 1 }] });
      assert.equal((await failure(reads(name, callOptions()))).code, 7);
      assert.equal((await reads(name, callOptions())).name, name, 'the 403 was answered once, to one attempt');
      await emulator.control('clear-faults');
    }
  });

  it('ends when its signal aborts, with the signal\'s reason, and sends nothing once it has', async () => {
    await emulator.control('faults', { rules: [{ api: 'run', operation: 'getService', service: 'split', latencyMs: 5_000 }] });
    const controller = new AbortController();
    const reason = new Error('stopped by the test');
    const started = Date.now();
    const pending = rest.getService(`${PARENT}/services/split`, callOptions(controller.signal));
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(pending, (err) => err === reason);
    assert.ok(Date.now() - started < 2_000);
    await assert.rejects(rest.getService(`${PARENT}/services/split`, callOptions(controller.signal)), (err) => err === reason);
  });
});

describe('Cloud Run reads over REST: answers that are not a Google error body', () => {
  let server: http.Server;
  let origin: string;

  before(async () => {
    server = http.createServer((req, res) => {
      const last = (req.url ?? '').split('?')[0]!.split('/').pop();
      if (last === 'html') {
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>Bad gateway</body></html>');
      } else if (last === 'empty') {
        res.writeHead(500).end();
      } else if (last === 'named') {
        // The status name wins over the numeric code.
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 400, message: 'named apart', status: 'FAILED_PRECONDITION' } }));
      } else if (last === 'bare') {
        res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 403, message: 'no error wrapper' }));
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify([{ error: { code: 404, message: 'in an array', status: 'NOT_FOUND' } }]));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives each the code and message the SDK gives it', async () => {
    const sdk = sdkFor(origin);
    const rest = new RunRestReads(origin, plainSend);
    try {
      for (const service of ['html', 'empty', 'named', 'bare', 'array']) {
        const name = `${PARENT}/services/${service}`;
        const fromRest = await failure(rest.getService(name, callOptions()));
        assert.deepEqual(fromRest, await failure(sdk.services.getService({ name }, callOptions())), service);
      }
    } finally {
      await Promise.all([sdk.services.close(), sdk.revisions.close()]);
    }
  });
});
