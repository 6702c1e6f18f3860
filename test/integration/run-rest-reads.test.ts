// `check` and `where` read Cloud Run and Cloud Functions over their REST surfaces without the client
// libraries (src/core/google/runRest.ts, functionsRest.ts). For the same state of the emulator, and for
// the same error answers of a plain server on 127.0.0.1, what those reads decode must be what the real
// @google-cloud/run and @google-cloud/functions clients decode, as the reader's facts see it: serving
// revisions, revision facts, the settled-revision check, functions, jobs and their executions,
// revision histories page by page, and each failure's code and message after the same retries.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { v2 as functionsV2 } from '@google-cloud/functions';
import { v2, type protos } from '@google-cloud/run';
import type { CallOptions } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';
import { describeApiError } from '../../src/core/google/apiErrors';
import { createCloudRunReader, RETRIED_CODES } from '../../src/core/google/cloudrun';
import { agreesWithService, revisionFacts, servingRevisions } from '../../src/core/google/serviceFacts';
import { functionFacts } from '../../src/core/google/functions';
import { FunctionsRestReads } from '../../src/core/google/functionsRest';
import { executionFacts, jobFacts } from '../../src/core/google/runJobs';
import { plainSend } from '../../src/core/google/restTransport';
import { RunRestReads, SERVICE_FIELDS, type ApiService } from '../../src/core/google/runRest';
import type { RunningEmulator } from '../../src/emulator/server';
import { startRunEmulator } from '../helpers/emulatorCheck';

const PROJECT = 'rest-project';
const REGION = 'us-west2';
const PARENT = `projects/${PROJECT}/locations/${REGION}`;
const sha = (n: number): { 'commit-sha': string } => ({ 'commit-sha': `${n}`.repeat(8).slice(0, 8) });

/** The reader's call options (core/google/cloudrun.ts read()), with backoffs short enough for a test. */
function callOptions(signal?: AbortSignal): CallOptions {
  const backoffSettings = { initialRetryDelayMillis: 5, retryDelayMultiplier: 2, maxRetryDelayMillis: 20, initialRpcTimeoutMillis: 5_000, rpcTimeoutMultiplier: 1, maxRpcTimeoutMillis: 5_000, maxRetries: 3 };
  return { timeout: 5_000, retry: { retryCodes: [...RETRIED_CODES], backoffSettings }, ...(signal ? { signal } : {}) } as CallOptions;
}

/**
 * Everything the reader takes from a Service read over REST (core/google/cloudrun.ts lookupService,
 * with serviceFacts.ts's agreesWithService). trafficState reads the SDK's answers only (readTraffic, the traffic changes).
 */
function serviceView(service: ApiService): unknown {
  return {
    serving: servingRevisions(service),
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
    emulator = await startRunEmulator({
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
    const split = servingRevisions(await rest.getService(`${PARENT}/services/split`, callOptions()));
    assert.deepEqual(split, [
      { revision: 'split-00001-aaa', percent: 70, tag: 'stable' },
      { revision: 'split-00002-bbb', percent: 30, tag: 'canary' },
    ]);
    const failed = revisionFacts(await rest.getRevision(`${PARENT}/services/broken/revisions/broken-00002-bbb`, callOptions()));
    assert.deepEqual([failed.failed, failed.readyMessage], [true, 'The container failed to start.']);
    assert.equal(revisionFacts(await rest.getRevision(`${PARENT}/services/split/revisions/split-00001-aaa`, callOptions())).createTime, '2026-01-30T10:00:00.123Z');
    assert.equal((await rest.getService(`${PARENT}/services/rolling`, callOptions())).reconciling, true);
  });

  it('lists a region page by page as the SDK does: the same services, and whether more follow', async () => {
    for (const pageSize of [2, 4, 50]) {
      let sdkToken: string | undefined;
      let restToken: string | undefined;
      let pages = 0;
      do {
        const [sdkPage, next] = await sdk.services.listServices({ parent: PARENT, pageSize, ...(sdkToken ? { pageToken: sdkToken } : {}) }, { ...callOptions(), autoPaginate: false });
        const restPage = await rest.listServices(PARENT, pageSize, restToken, callOptions());
        assert.deepEqual(restPage.items.map(serviceView), (sdkPage as protos.google.cloud.run.v2.IService[]).map(serviceView), `pageSize ${pageSize}, page ${pages}`);
        assert.equal(restPage.nextPageToken !== null, Boolean(next?.pageToken), `pageSize ${pageSize}, page ${pages}`);
        sdkToken = next?.pageToken ?? undefined;
        restToken = restPage.nextPageToken ?? undefined;
        pages++;
      } while (sdkToken);
      assert.equal(restToken, undefined);
      if (pageSize === 2) assert.ok(pages > 1, 'more than one page of 2');
    }
  });

  it('asks for the fields the reader uses and gets nothing else; the emulator refuses a selection it cannot read', async () => {
    const name = `${PARENT}/services/split`;
    const [fromSdk] = await sdk.services.getService({ name }, callOptions());
    assert.ok(fromSdk.template?.containers?.length && fromSdk.traffic?.length && fromSdk.conditions?.length, 'the SDK reads the whole service');
    const fromRest = (await rest.getService(name, callOptions())) as Record<string, unknown>;
    assert.deepEqual(Object.keys(fromRest).sort(), [...SERVICE_FIELDS].map((path) => path.split('.')[0]!).sort());
    assert.deepEqual(Object.keys(fromRest.template as object), ['labels']);
    const listed = await rest.listServices(PARENT, 50, undefined, callOptions());
    assert.ok(listed.items.length === 4 && listed.items.every((item) => item.traffic === undefined && item.conditions === undefined && item.template?.containers === undefined));
    const refused = await fetch(`${emulator.httpUrl}/v2/${PARENT}/services?fields=services(name`);
    assert.equal(refused.status, 400);
    assert.match(((await refused.json()) as { error: { message: string } }).error.message, /^Invalid field selection "services\(name": expected "\)" at character 14\.$/);
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

describe('Functions, jobs, executions and revision histories over REST, beside the SDK', () => {
  const now = Date.now();
  const ago = (minutes: number): string => new Date(now - minutes * 60_000).toISOString();
  let emulator: RunningEmulator;
  let run: { revisions: v2.RevisionsClient; jobs: v2.JobsClient; executions: v2.ExecutionsClient };
  let functions: functionsV2.FunctionServiceClient;
  let rest: RunRestReads;
  let functionsRest: FunctionsRestReads;

  before(async () => {
    emulator = await startRunEmulator({
      project: PROJECT,
      region: REGION,
      services: [
        {
          name: 'history',
          revisions: [
            { name: 'history-00001-aaa', labels: sha(1), createTime: '2026-01-30T10:00:00.250Z' },
            { name: 'history-00002-bbb', labels: { ...sha(2), team: 'grading' }, createTime: '2026-01-30T11:00:00Z' },
            { name: 'history-00003-ccc', labels: sha(3), createTime: '2026-01-30T12:00:00Z', ready: false, message: 'The container failed to start.' },
            { name: 'history-00004-ddd', createTime: '2026-01-30T13:00:00Z' },
            { name: 'history-00005-eee', labels: sha(5), createTime: '2026-01-30T14:00:00Z' },
            { name: 'history-00006-fff', labels: sha(6), createTime: '2026-01-30T15:00:00Z' },
            { name: 'history-00007-ggg', labels: sha(7), createTime: '2026-01-30T16:00:00Z' },
          ],
        },
        { name: 'ready-fn', revisions: [{ name: 'ready-fn-00001-aaa', labels: sha(1) }] },
        { name: 'failed-fn', revisions: [{ name: 'failed-fn-00001-aaa', labels: sha(2) }] },
      ],
      jobs: [
        {
          name: 'nightly',
          labels: { ...sha(4), team: 'grading' },
          template: { image: 'us-west2-docker.pkg.dev/p/jobs/nightly:4444', args: ['--date=today'] },
          executions: [
            { name: 'nightly-succeeded', labels: sha(3), createTime: ago(300), taskCount: 2, taskDurationMs: 60_000, args: ['--date=2026-01-01'] },
            { name: 'nightly-failed', createTime: ago(240), taskCount: 3, parallelism: 3, failTasks: [1], failMessage: 'KeyError: game_date' },
            { name: 'nightly-cancelled', createTime: ago(180), taskDurationMs: 3_600_000, cancelTime: ago(170) },
            { name: 'nightly-running', createTime: ago(2), taskCount: 2, taskDurationMs: 3_600_000 },
          ],
        },
        { name: 'fresh', labels: sha(5) },
        { name: 'broken', labels: sha(6), ready: false, message: "Image 'us-west2-docker.pkg.dev/p/jobs/broken:6666' not found." },
      ],
      functions: [
        { name: 'ready-fn', labels: { ...sha(1), owner: 'grading' }, updateTime: '2026-01-30T10:00:00.500Z' },
        { name: 'failed-fn', labels: sha(2), state: 'FAILED', stateMessages: [{ severity: 'ERROR', type: 'BuildFailed', message: 'Build failed: missing requirements.txt' }] },
        { name: 'Orphan_fn', service: 'nowhere', labels: sha(3) },
      ],
    });
    const url = new URL(emulator.httpUrl);
    const options = { apiEndpoint: url.hostname, port: Number(url.port), protocol: 'http', fallback: true, authClient: new PassThroughClient() };
    run = { revisions: new v2.RevisionsClient(options), jobs: new v2.JobsClient(options), executions: new v2.ExecutionsClient(options) };
    functions = new functionsV2.FunctionServiceClient(options);
    rest = new RunRestReads(emulator.httpUrl, plainSend);
    functionsRest = new FunctionsRestReads(emulator.httpUrl, plainSend);
  });

  afterEach(async () => {
    await emulator.control('clear-faults');
  });

  after(async () => {
    await Promise.all([run?.revisions.close(), run?.jobs.close(), run?.executions.close(), functions?.close()]);
    await emulator?.close();
  });

  const ref = (name: string): { project: string; region: string; name: string } => ({ project: PROJECT, region: REGION, name });

  it('decodes each function to the same facts as the SDK (ready, failed with its messages, on a missing service)', async () => {
    for (const name of ['ready-fn', 'failed-fn', 'Orphan_fn']) {
      const resource = `${PARENT}/functions/${name}`;
      const [fromSdk] = await functions.getFunction({ name: resource }, callOptions());
      const fromRest = await functionsRest.getFunction(resource, callOptions());
      assert.deepEqual(functionFacts(ref(name), fromRest), functionFacts(ref(name), fromSdk), name);
    }
    // The cases the comparison is meant to cover are there.
    const failed = functionFacts(ref('failed-fn'), await functionsRest.getFunction(`${PARENT}/functions/failed-fn`, callOptions()));
    assert.deepEqual([failed.state, failed.stateMessages], ['FAILED', [{ severity: 'ERROR', type: 'BuildFailed', message: 'Build failed: missing requirements.txt' }]]);
    const ready = functionFacts(ref('ready-fn'), await functionsRest.getFunction(`${PARENT}/functions/ready-fn`, callOptions()));
    assert.deepEqual([ready.state, ready.service, ready.updateTime, ready.labels.owner], ['ACTIVE', 'ready-fn', '2026-01-30T10:00:00.500Z', 'grading']);
    assert.equal(functionFacts(ref('Orphan_fn'), await functionsRest.getFunction(`${PARENT}/functions/Orphan_fn`, callOptions())).service, 'nowhere');
  });

  it('lists a region\'s functions and jobs page by page as the SDK does', async () => {
    for (const pageSize of [1, 2, 50]) {
      const [sdkFunctions, nextFunctions] = await functions.listFunctions({ parent: PARENT, pageSize }, { ...callOptions(), autoPaginate: false });
      const restFunctions = await functionsRest.listFunctions(PARENT, pageSize, undefined, callOptions());
      const named = (f: { name?: string | null }): string => f.name!.split('/').pop()!;
      assert.deepEqual(
        restFunctions.items.map((f) => functionFacts(ref(named(f)), f)),
        sdkFunctions.map((f) => functionFacts(ref(named(f)), f)),
        `functions, pageSize ${pageSize}`,
      );
      assert.equal(restFunctions.nextPageToken, nextFunctions?.pageToken ?? null, `functions, pageSize ${pageSize}`);
      const [sdkJobs, nextJobs] = await run.jobs.listJobs({ parent: PARENT, pageSize }, { ...callOptions(), autoPaginate: false });
      const restJobs = await rest.listJobs(PARENT, pageSize, undefined, callOptions());
      assert.deepEqual(restJobs.items.map((j) => jobFacts(ref(named(j)), j, [], null)), sdkJobs.map((j) => jobFacts(ref(named(j)), j, [], null)), `jobs, pageSize ${pageSize}`);
      assert.equal(restJobs.nextPageToken, nextJobs?.pageToken ?? null, `jobs, pageSize ${pageSize}`);
    }
    const second = await functionsRest.listFunctions(PARENT, 2, (await functionsRest.listFunctions(PARENT, 2, undefined, callOptions())).nextPageToken!, callOptions());
    assert.deepEqual([second.items.length, second.nextPageToken], [1, null]);
  });

  it('decodes each job, and its executions (running, succeeded, failed, cancelled; the limit), to the same facts as the SDK', async () => {
    for (const job of ['nightly', 'fresh', 'broken']) {
      const name = `${PARENT}/jobs/${job}`;
      for (const limit of [2, 10]) {
        const [[sdkJob], [sdkExecutions]] = await Promise.all([run.jobs.getJob({ name }, callOptions()), run.executions.listExecutions({ parent: name, pageSize: limit }, { ...callOptions(), autoPaginate: false })]);
        const [restJob, restExecutions] = await Promise.all([rest.getJob(name, callOptions()), rest.listExecutions(name, limit, undefined, callOptions())]);
        assert.deepEqual(
          jobFacts(ref(job), restJob, restExecutions.items.map(executionFacts), null),
          jobFacts(ref(job), sdkJob, sdkExecutions.map(executionFacts), null),
          `${job}, limit ${limit}`,
        );
      }
    }
    // The cases the comparison is meant to cover are there.
    const nightly = (await rest.listExecutions(`${PARENT}/jobs/nightly`, 10, undefined, callOptions())).items.map(executionFacts);
    assert.deepEqual(
      nightly.map((e) => [e.name, e.status]),
      [['nightly-running', 'running'], ['nightly-cancelled', 'cancelled'], ['nightly-failed', 'failed'], ['nightly-succeeded', 'succeeded']],
    );
    assert.deepEqual(nightly.find((e) => e.name === 'nightly-succeeded')!.args, ['--date=2026-01-01']);
    assert.equal((await rest.listExecutions(`${PARENT}/jobs/nightly`, 2, undefined, callOptions())).items.length, 2);
    assert.deepEqual((await rest.listExecutions(`${PARENT}/jobs/fresh`, 10, undefined, callOptions())).items, []);
    assert.equal(jobFacts(ref('broken'), await rest.getJob(`${PARENT}/jobs/broken`, callOptions()), [], null).failed, true);
  });

  it('pages a revision history as the SDK does: the same revisions (labels, failed ones) and the same tokens', async () => {
    const parent = `${PARENT}/services/history`;
    for (const pageSize of [3, 7, 100]) {
      let sdkRequest: protos.google.cloud.run.v2.IListRevisionsRequest | null = { parent, pageSize };
      let restToken: string | undefined;
      let pages = 0;
      while (sdkRequest) {
        const [sdkPage, next]: [protos.google.cloud.run.v2.IRevision[], protos.google.cloud.run.v2.IListRevisionsRequest | null, unknown] = await run.revisions.listRevisions(sdkRequest, { ...callOptions(), autoPaginate: false });
        const restPage = await rest.listRevisions(parent, pageSize, restToken, callOptions());
        assert.deepEqual(restPage.items.map(revisionFacts), sdkPage.map(revisionFacts), `pageSize ${pageSize}, page ${pages}`);
        assert.equal(restPage.nextPageToken, next?.pageToken ?? null);
        sdkRequest = next?.pageToken ? { parent, pageSize, pageToken: next.pageToken } : null;
        restToken = restPage.nextPageToken ?? undefined;
        pages++;
      }
      assert.equal(pages, Math.ceil(7 / pageSize), `pageSize ${pageSize}`);
    }
  });

  it('gives the reader\'s histories and execution lists the facts the SDK\'s listing gives, up to the limit', async () => {
    const reader = createCloudRunReader({ run: emulator.httpUrl, functions: emulator.httpUrl });
    try {
      const [allRevisions] = await run.revisions.listRevisions({ parent: `${PARENT}/services/history` });
      const newestFirst = allRevisions.map(revisionFacts).sort((a, b) => (b.createTime ?? '').localeCompare(a.createTime ?? ''));
      for (const limit of [1, 3, 7, 20]) {
        assert.deepEqual(await reader.listRevisions!(ref('history'), limit), newestFirst.slice(0, limit), `limit ${limit}`);
      }
      const failed = newestFirst.find((r) => r.name === 'history-00003-ccc')!;
      assert.deepEqual([failed.failed, failed.readyMessage], [true, 'The container failed to start.']);
      const [allExecutions] = await run.executions.listExecutions({ parent: `${PARENT}/jobs/nightly` });
      const executions = allExecutions.map(executionFacts).sort((a, b) => (b.createTime ?? '').localeCompare(a.createTime ?? ''));
      for (const limit of [1, 3, 10]) {
        assert.deepEqual(await reader.listExecutions!(ref('nightly'), limit), executions.slice(0, limit), `limit ${limit}`);
      }
    } finally {
      await reader.close();
    }
  });

  it('fails as the SDK does: missing resources, 403 and 503 with their messages, after the same retries', async () => {
    type Read = (options: CallOptions) => Promise<unknown>;
    const cases: { label: string; rest: Read; sdk: Read; fault: { api: string; operation: string; service: string } }[] = [
      {
        label: 'getFunction',
        rest: (o) => functionsRest.getFunction(`${PARENT}/functions/ready-fn`, o),
        sdk: (o) => functions.getFunction({ name: `${PARENT}/functions/ready-fn` }, o),
        fault: { api: 'functions', operation: 'getFunction', service: 'ready-fn' },
      },
      {
        label: 'listFunctions',
        rest: (o) => functionsRest.listFunctions(PARENT, 2, undefined, o),
        sdk: (o) => functions.listFunctions({ parent: PARENT, pageSize: 2 }, { ...o, autoPaginate: false }),
        fault: { api: 'functions', operation: 'listFunctions', service: '' },
      },
      { label: 'getJob', rest: (o) => rest.getJob(`${PARENT}/jobs/nightly`, o), sdk: (o) => run.jobs.getJob({ name: `${PARENT}/jobs/nightly` }, o), fault: { api: 'run', operation: 'getJob', service: 'nightly' } },
      {
        label: 'listExecutions',
        rest: (o) => rest.listExecutions(`${PARENT}/jobs/nightly`, 10, undefined, o),
        sdk: (o) => run.executions.listExecutions({ parent: `${PARENT}/jobs/nightly`, pageSize: 10 }, { ...o, autoPaginate: false }),
        fault: { api: 'run', operation: 'listExecutions', service: 'nightly' },
      },
      {
        label: 'listRevisions',
        rest: (o) => rest.listRevisions(`${PARENT}/services/history`, 20, undefined, o),
        sdk: (o) => run.revisions.listRevisions({ parent: `${PARENT}/services/history`, pageSize: 20 }, { ...o, autoPaginate: false }),
        fault: { api: 'run', operation: 'listRevisions', service: 'history' },
      },
    ];
    for (const { label, rest: restRead, sdk: sdkRead, fault } of cases) {
      const target = fault.service === '' ? { api: fault.api, operation: fault.operation } : fault;
      for (const [httpStatus, message, code] of [[403, `Permission denied on ${label}`, 7], [503, 'The service is currently unavailable.', 14]] as const) {
        await emulator.control('faults', { rules: [{ ...target, httpStatus, message }] });
        const fromRest = await failure(restRead(callOptions()));
        assert.deepEqual(fromRest, await failure(sdkRead(callOptions())), `${label}, HTTP ${httpStatus}`);
        assert.equal(fromRest.code, code, label);
        assert.ok(fromRest.message.includes(message), fromRest.message);
        await emulator.control('clear-faults');
      }
      // Two transient failures are retried through; a refusal is answered to one attempt only.
      for (const read of [restRead, sdkRead]) {
        await emulator.control('faults', { rules: [{ ...target, httpStatus: 503, message: 'try again', times: 2 }] });
        await read(callOptions());
        await emulator.control('clear-faults');
        await emulator.control('faults', { rules: [{ ...target, httpStatus: 403, message: 'denied', times: 1 }] });
        assert.equal((await failure(read(callOptions()))).code, 7, label);
        await read(callOptions());
        await emulator.control('clear-faults');
      }
    }
    const missing: [string, Read, Read][] = [
      ['function', (o) => functionsRest.getFunction(`${PARENT}/functions/missing`, o), (o) => functions.getFunction({ name: `${PARENT}/functions/missing` }, o)],
      ['job', (o) => rest.getJob(`${PARENT}/jobs/missing`, o), (o) => run.jobs.getJob({ name: `${PARENT}/jobs/missing` }, o)],
      ['executions', (o) => rest.listExecutions(`${PARENT}/jobs/missing`, 10, undefined, o), (o) => run.executions.listExecutions({ parent: `${PARENT}/jobs/missing`, pageSize: 10 }, { ...o, autoPaginate: false })],
      ['revisions', (o) => rest.listRevisions(`${PARENT}/services/missing`, 20, undefined, o), (o) => run.revisions.listRevisions({ parent: `${PARENT}/services/missing`, pageSize: 20 }, { ...o, autoPaginate: false })],
    ];
    for (const [label, restRead, sdkRead] of missing) {
      const fromRest = await failure(restRead(callOptions()));
      assert.deepEqual(fromRest, await failure(sdkRead(callOptions())), label);
      assert.equal(fromRest.code, 5, label);
    }
  });

  it('ends each read when its signal aborts, with the signal\'s reason', async () => {
    await emulator.control('faults', { rules: [{ api: 'run', latencyMs: 5_000 }, { api: 'functions', latencyMs: 5_000 }] });
    const reads: ((o: CallOptions) => Promise<unknown>)[] = [
      (o) => functionsRest.getFunction(`${PARENT}/functions/ready-fn`, o),
      (o) => functionsRest.listFunctions(PARENT, 2, undefined, o),
      (o) => rest.getJob(`${PARENT}/jobs/nightly`, o),
      (o) => rest.listExecutions(`${PARENT}/jobs/nightly`, 10, undefined, o),
      (o) => rest.listRevisions(`${PARENT}/services/history`, 20, undefined, o),
    ];
    const controller = new AbortController();
    const reason = new Error('stopped by the test');
    const started = Date.now();
    const pending = reads.map((read) => read(callOptions(controller.signal)));
    setTimeout(() => controller.abort(reason), 50);
    for (const read of pending) await assert.rejects(read, (err) => err === reason);
    assert.ok(Date.now() - started < 2_000);
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
