// The emulator's Cloud Run Admin API v2 and control API, exercised through the real
// @google-cloud/run client in REST mode and real HTTP requests.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { v2 } from '@google-cloud/run';
import { PassThroughClient } from 'google-auth-library';
import { ScenarioError, type EmulatedApiModule } from '../../src/emulator/api';
import { ScenarioFileError, type Scenario } from '../../src/emulator/scenario';
import { startEmulator, type RunningEmulator, type StartOptions } from '../../src/emulator/server';

const REPO_ROOT = path.resolve(__dirname, '../..');
const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/emulator/run-basic.json');
const PROJECT = 'nba-props-platform';
const REGION = 'us-west2';
const PARENT = `projects/${PROJECT}/locations/${REGION}`;
const COORDINATOR = `${PARENT}/services/prediction-coordinator`;
const WORKER = `${PARENT}/services/prediction-worker`;

// These tests are about Cloud Run and the core; the Logging and BigQuery modules have their own.
const RUN_ONLY: Pick<StartOptions, 'modules'> = { modules: { logging: false, bigquery: false } };

interface Clients {
  services: v2.ServicesClient;
  revisions: v2.RevisionsClient;
}

function clientsFor(emulator: RunningEmulator): Clients {
  const options = { apiEndpoint: '127.0.0.1', port: emulator.httpPort, protocol: 'http', fallback: true, authClient: new PassThroughClient() };
  return { services: new v2.ServicesClient(options), revisions: new v2.RevisionsClient(options) };
}

async function closeClients(clients: Clients): Promise<void> {
  await Promise.all([clients.services.close(), clients.revisions.close()]);
}

/** POST /control/<action> over HTTP, as the deploy script and tests in other processes do. */
async function postControl(emulator: RunningEmulator, action: string, payload: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${emulator.httpUrl}/control/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function errorMessageOf(body: Record<string, unknown>): string {
  const error = body.error as { message?: unknown } | undefined;
  return String(error?.message ?? '');
}

/** The gRPC-style code the client library puts on a rejected call. */
async function rejectionCode(call: Promise<unknown>): Promise<{ code: unknown; message: string }> {
  try {
    await call;
  } catch (err) {
    return { code: (err as { code?: unknown }).code, message: (err as Error).message };
  }
  assert.fail('expected the call to fail');
}

function stateOf(value: unknown): string | null | undefined {
  // The client decodes enums to their names, whether the server sent numbers or names.
  return value as string | null | undefined;
}

function tempFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-run-test-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('Cloud Run Admin API v2 through @google-cloud/run', () => {
  let emulator: RunningEmulator;
  let clients: Clients;

  before(async () => {
    emulator = await startEmulator({ scenario: FIXTURE, port: 0, ...RUN_ONLY });
    clients = clientsFor(emulator);
  });
  after(async () => {
    await closeClients(clients);
    await emulator.close();
  });

  test('getService reports labels, template, latest revisions and resolved traffic statuses', async () => {
    const [coordinator] = await clients.services.getService({ name: COORDINATOR });
    assert.equal(coordinator.name, COORDINATOR);
    assert.deepEqual(coordinator.labels, { team: 'predictions' });
    assert.equal(coordinator.latestReadyRevision, `${COORDINATOR}/revisions/prediction-coordinator-00117-m5r`);
    assert.equal(coordinator.latestCreatedRevision, `${COORDINATOR}/revisions/prediction-coordinator-00117-m5r`);
    assert.deepEqual(coordinator.template?.labels, { 'commit-sha': '2de48c04' });
    assert.match(coordinator.template?.containers?.[0]?.image ?? '', /^us-west2-docker\.pkg\.dev\/nba-props-platform\//);
    assert.equal(coordinator.reconciling, false);
    assert.equal(stateOf(coordinator.terminalCondition?.state), 'CONDITION_SUCCEEDED');
    assert.equal(coordinator.trafficStatuses?.length, 1);
    assert.equal(stateOf(coordinator.trafficStatuses?.[0]?.type), 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST');
    assert.equal(coordinator.trafficStatuses?.[0]?.revision, 'prediction-coordinator-00117-m5r');
    assert.equal(coordinator.trafficStatuses?.[0]?.percent, 100);
    assert.equal(coordinator.createTime?.seconds, String(Date.parse('2026-01-28T10:00:00Z') / 1000));
    assert.match(coordinator.uri ?? '', /^https:\/\/prediction-coordinator-\d+\.us-west2\.run\.app$/);

    const [worker] = await clients.services.getService({ name: WORKER });
    // The third revision has a generated name and failed: LATEST keeps serving the last ready one.
    assert.match(worker.latestCreatedRevision ?? '', /\/revisions\/prediction-worker-00043-[a-z0-9]{3}$/);
    assert.equal(worker.latestReadyRevision, `${WORKER}/revisions/prediction-worker-00042-bbb`);
    assert.equal(stateOf(worker.terminalCondition?.state), 'CONDITION_FAILED');
    assert.match(worker.terminalCondition?.message ?? '', /Container failed to start\./);
    assert.deepEqual(
      worker.trafficStatuses?.map((t) => [stateOf(t.type), t.revision, t.percent, t.tag]),
      [
        ['TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', 'prediction-worker-00041-aaa', 10, 'old'],
        ['TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', 'prediction-worker-00042-bbb', 90, ''],
      ],
    );
    assert.deepEqual(
      worker.traffic?.map((t) => [stateOf(t.type), t.revision, t.percent]),
      [
        ['TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', 'prediction-worker-00041-aaa', 10],
        ['TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', '', 90],
      ],
    );
  });

  test('enums are numbers when the client asks for enum-encoding=int, names otherwise', async () => {
    const asInts = (await (await fetch(`${emulator.httpUrl}/v2/${WORKER}?$alt=json%3Benum-encoding=int`)).json()) as {
      trafficStatuses: { type: unknown }[];
      terminalCondition: { state: unknown };
    };
    assert.deepEqual(asInts.trafficStatuses.map((t) => t.type), [2, 1]);
    assert.equal(asInts.terminalCondition.state, 3);
    const asNames = (await (await fetch(`${emulator.httpUrl}/v2/${WORKER}`)).json()) as { trafficStatuses: { type: unknown }[] };
    assert.deepEqual(asNames.trafficStatuses.map((t) => t.type), ['TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST']);
  });

  test('listRevisions lists newest first with labels and Ready conditions; getRevision answers one', async () => {
    const [revisions] = await clients.revisions.listRevisions({ parent: WORKER });
    assert.equal(revisions.length, 3);
    assert.match(revisions[0]?.name ?? '', /prediction-worker-00043-[a-z0-9]{3}$/);
    assert.deepEqual(revisions.map((r) => r.labels?.['commit-sha']), ['de13464d', '81147d04', '77c4d056']);
    const failedReady = revisions[0]?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(stateOf(failedReady?.state), 'CONDITION_FAILED');
    assert.equal(failedReady?.message, 'Container failed to start.');
    assert.equal(revisions[0]?.service, WORKER);

    const [revision] = await clients.revisions.getRevision({ name: `${WORKER}/revisions/prediction-worker-00042-bbb` });
    assert.deepEqual(revision.labels, { 'commit-sha': '81147d04' });
    assert.equal(stateOf(revision.conditions?.find((c) => c.type === 'Ready')?.state), 'CONDITION_SUCCEEDED');
    assert.ok(revision.containers?.[0]?.image);
    assert.ok(Number(revision.createTime?.seconds) > 0);
  });

  test('unknown service, revision and project answer NOT_FOUND (code 5); locations/- is INVALID_ARGUMENT', async () => {
    const missingService = await rejectionCode(clients.services.getService({ name: `${PARENT}/services/no-such-service` }));
    assert.equal(missingService.code, 5);
    assert.match(missingService.message, /no-such-service/);
    const missingRevision = await rejectionCode(clients.revisions.getRevision({ name: `${WORKER}/revisions/prediction-worker-00099-zzz` }));
    assert.equal(missingRevision.code, 5);
    const missingProject = await rejectionCode(clients.services.listServices({ parent: `projects/nope-project/locations/${REGION}` }));
    assert.equal(missingProject.code, 5);
    const revisionsOfMissingService = await rejectionCode(clients.revisions.listRevisions({ parent: `${PARENT}/services/ghost` }));
    assert.equal(revisionsOfMissingService.code, 5);
    const allLocations = await rejectionCode(clients.services.listServices({ parent: `projects/${PROJECT}/locations/-` }));
    assert.equal(allLocations.code, 3);
    // A known project in a region without services lists nothing.
    const [none] = await clients.services.listServices({ parent: `projects/${PROJECT}/locations/europe-west1` });
    assert.deepEqual(none, []);
  });

  test('an unknown path answers a Google-style 404; write methods answer 501', async () => {
    const unknown = await fetch(`${emulator.httpUrl}/v9/nothing`);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { status: string } }).error.status, 'NOT_FOUND');
    const write = await fetch(`${emulator.httpUrl}/v2/${COORDINATOR}`, { method: 'DELETE' });
    assert.equal(write.status, 501);
  });
});

describe('paging', () => {
  let emulator: RunningEmulator;
  let clients: Clients;
  const serviceNames = Array.from({ length: 25 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);

  before(async () => {
    const scenario: Scenario = {
      run: {
        project: PROJECT,
        region: REGION,
        services: [
          ...serviceNames.map((name) => ({ name, revisions: [{ labels: { 'commit-sha': 'abc1234' } }] })),
          { name: 'many-revisions', revisions: Array.from({ length: 12 }, (_, i) => ({ labels: { n: String(i + 1) } })) },
        ],
      },
    };
    emulator = await startEmulator({ scenario, port: 0, ...RUN_ONLY });
    clients = clientsFor(emulator);
  });
  after(async () => {
    await closeClients(clients);
    await emulator.close();
  });

  test('listServices pages with pageSize, pageToken and nextPageToken', async () => {
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const [page, , response] = await clients.services.listServices({ parent: PARENT, pageSize: 10, pageToken }, { autoPaginate: false });
      pages += 1;
      assert.ok(page.length <= 10);
      seen.push(...page.map((s) => s.name!.split('/').pop()!));
      pageToken = response?.nextPageToken || undefined;
    } while (pageToken);
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...serviceNames, 'many-revisions']);
  });

  test('the async iterator and auto-pagination follow every page', async () => {
    const names: string[] = [];
    for await (const service of clients.services.listServicesAsync({ parent: PARENT, pageSize: 4 })) names.push(service.name!);
    assert.equal(names.length, 26);
    const [all] = await clients.services.listServices({ parent: PARENT, pageSize: 7 });
    assert.equal(all.length, 26);
  });

  test('listRevisions pages newest first', async () => {
    const parent = `${PARENT}/services/many-revisions`;
    const [first, nextRequest] = await clients.revisions.listRevisions({ parent, pageSize: 5 }, { autoPaginate: false });
    assert.deepEqual(first.map((r) => r.labels?.n), ['12', '11', '10', '9', '8']);
    assert.ok(nextRequest?.pageToken);
    const [second] = await clients.revisions.listRevisions({ parent, pageSize: 5, pageToken: nextRequest.pageToken }, { autoPaginate: false });
    assert.deepEqual(second.map((r) => r.labels?.n), ['7', '6', '5', '4', '3']);
    const numbers: string[] = [];
    for await (const revision of clients.revisions.listRevisionsAsync({ parent, pageSize: 5 })) numbers.push(revision.labels!.n!);
    assert.equal(numbers.length, 12);
    assert.match(first[0]?.name ?? '', /many-revisions-00012-[a-z0-9]{3}$/);
  });

  test('a forged page token is INVALID_ARGUMENT (code 3)', async () => {
    const forged = await rejectionCode(clients.services.listServices({ parent: PARENT, pageToken: 'garbage' }, { autoPaginate: false }));
    assert.equal(forged.code, 3);
  });
});

describe('fault injection and load', () => {
  let emulator: RunningEmulator;
  let clients: Clients;

  before(async () => {
    emulator = await startEmulator({ scenario: FIXTURE, port: 0, ...RUN_ONLY });
    clients = clientsFor(emulator);
  });
  after(async () => {
    await closeClients(clients);
    await emulator.close();
  });

  test('an injected 500 for one service fails only that service (code 13)', async () => {
    const added = await postControl(emulator, 'faults', { rules: [{ api: 'run', service: 'prediction-coordinator', httpStatus: 500, message: 'backend exploded' }] });
    assert.equal(added.status, 200);
    const failed = await rejectionCode(clients.services.getService({ name: COORDINATOR }));
    assert.equal(failed.code, 13);
    assert.match(failed.message, /backend exploded/);
    const revisionsFailed = await rejectionCode(clients.revisions.listRevisions({ parent: COORDINATOR }));
    assert.equal(revisionsFailed.code, 13);
    const [worker] = await clients.services.getService({ name: WORKER });
    assert.equal(worker.name, WORKER);
    await postControl(emulator, 'clear-faults', {});
    await clients.services.getService({ name: COORDINATOR });
  });

  test('an injected 403 on one operation is PERMISSION_DENIED (code 7) and `times` expires it', async () => {
    await emulator.control('faults', { rules: [{ api: 'run', operation: 'getRevision', httpStatus: 403, times: 1 }] });
    const denied = await rejectionCode(clients.revisions.getRevision({ name: `${WORKER}/revisions/prediction-worker-00042-bbb` }));
    assert.equal(denied.code, 7);
    const [revision] = await clients.revisions.getRevision({ name: `${WORKER}/revisions/prediction-worker-00042-bbb` });
    assert.ok(revision.name);
    await clients.services.getService({ name: WORKER });
  });

  test('injected latency delays the answer', async () => {
    await emulator.control('faults', { rules: [{ api: 'run', service: 'prediction-worker', latencyMs: 300 }] });
    let started = performance.now();
    await clients.services.getService({ name: WORKER });
    assert.ok(performance.now() - started >= 280, 'the worker answer waited for the latency');
    started = performance.now();
    await clients.services.getService({ name: COORDINATOR });
    assert.ok(performance.now() - started < 250, 'other services are not delayed');
    await emulator.control('clear-faults');
  });

  test('hundreds of concurrent requests with a global latency are answered concurrently', async () => {
    await emulator.control('faults', { globalLatencyMs: 100 });
    const started = performance.now();
    const calls = Array.from({ length: 400 }, (_, i) =>
      i % 2 === 0 ? clients.services.getService({ name: i % 4 === 0 ? COORDINATOR : WORKER }) : clients.revisions.listRevisions({ parent: WORKER }),
    );
    const results = await Promise.all(calls);
    const elapsed = performance.now() - started;
    assert.equal(results.length, 400);
    // Answered one after another they would take 40 s; the bound is loose because CI machines are busy.
    assert.ok(elapsed < 15_000, `400 requests with 100 ms latency took ${Math.round(elapsed)} ms`);
    await emulator.control('clear-faults');
    const state = (await emulator.control('state')) as { faults: { rules: unknown[]; globalLatencyMs: number } };
    assert.deepEqual(state.faults, { rules: [], globalLatencyMs: 0 });
  });

  test('a malformed fault rule is refused with the field named and nothing added', async () => {
    const refused = await postControl(emulator, 'faults', { rules: [{ api: 'run', httpStatus: 500 }, { api: 'cloudsql' }] });
    assert.equal(refused.status, 400);
    assert.match(errorMessageOf(refused.body), /^\$\.rules\[1\]\.api: expected one of "run", "logging", "bigquery"/);
    const state = (await emulator.control('state')) as { faults: { rules: unknown[] } };
    assert.deepEqual(state.faults.rules, []);
  });
});

describe('control API: deploy, traffic, service, reset', () => {
  let emulator: RunningEmulator;
  let clients: Clients;
  const coordinates = { project: PROJECT, region: REGION, service: 'prediction-coordinator' };

  before(async () => {
    emulator = await startEmulator({ scenario: FIXTURE, port: 0, ...RUN_ONLY });
    clients = clientsFor(emulator);
  });
  after(async () => {
    await closeClients(clients);
    await emulator.close();
  });

  test('deploy creates the next revision, merges labels and moves LATEST traffic to it', async () => {
    await emulator.control('reset');
    const deployed = await postControl(emulator, 'deploy', { ...coordinates, labels: { 'commit-sha': '81147d04', 'deployed-at': '2026-01-30t22-59-00z' }, image: 'us-west2-docker.pkg.dev/nba-props-platform/cloud-run/prediction-coordinator:81147d04' });
    assert.equal(deployed.status, 200);
    const revision = String(deployed.body.revision);
    assert.match(revision, /^prediction-coordinator-00118-[a-z0-9]{3}$/);
    assert.equal(deployed.body.serviceCreated, false);

    const [service] = await clients.services.getService({ name: COORDINATOR });
    assert.equal(service.latestCreatedRevision, `${COORDINATOR}/revisions/${revision}`);
    assert.equal(service.latestReadyRevision, `${COORDINATOR}/revisions/${revision}`);
    assert.deepEqual(service.trafficStatuses?.map((t) => [t.revision, t.percent]), [[revision, 100]]);
    assert.equal(service.template?.containers?.[0]?.image, 'us-west2-docker.pkg.dev/nba-props-platform/cloud-run/prediction-coordinator:81147d04');
    assert.equal(service.generation, '3');
    const [created] = await clients.revisions.getRevision({ name: `${COORDINATOR}/revisions/${revision}` });
    assert.deepEqual(created.labels, { 'commit-sha': '81147d04', 'deployed-at': '2026-01-30t22-59-00z' });
  });

  test('a deploy without labels or image keeps the previous commit label (the session-43 story)', async () => {
    await emulator.control('reset');
    const deployed = (await emulator.control('deploy', coordinates)) as { revision: string; labels: Record<string, string> };
    assert.match(deployed.revision, /-00118-/);
    assert.deepEqual(deployed.labels, { 'commit-sha': '2de48c04' });
    const [revision] = await clients.revisions.getRevision({ name: `${COORDINATOR}/revisions/${deployed.revision}` });
    assert.equal(revision.labels?.['commit-sha'], '2de48c04');
  });

  test('a failed deploy leaves traffic on the last ready revision and fails the terminal condition', async () => {
    await emulator.control('reset');
    const deployed = (await emulator.control('deploy', { ...coordinates, labels: { 'commit-sha': '81147d04' }, ready: false, message: 'Container import failed: ModuleNotFoundError: shared.merge' })) as { revision: string; ready: boolean };
    assert.equal(deployed.ready, false);
    const [service] = await clients.services.getService({ name: COORDINATOR });
    assert.equal(service.latestCreatedRevision, `${COORDINATOR}/revisions/${deployed.revision}`);
    assert.equal(service.latestReadyRevision, `${COORDINATOR}/revisions/prediction-coordinator-00117-m5r`);
    assert.deepEqual(service.trafficStatuses?.map((t) => t.revision), ['prediction-coordinator-00117-m5r']);
    assert.equal(stateOf(service.terminalCondition?.state), 'CONDITION_FAILED');
    assert.match(service.terminalCondition?.message ?? '', /is not ready and cannot serve traffic\. Container import failed/);
    const [revision] = await clients.revisions.getRevision({ name: service.latestCreatedRevision! });
    const ready = revision.conditions?.find((c) => c.type === 'Ready');
    assert.equal(stateOf(ready?.state), 'CONDITION_FAILED');
    assert.equal(ready?.message, 'Container import failed: ModuleNotFoundError: shared.merge');
  });

  test('reconcilingMs keeps the service reconciling until the rollout settles', async () => {
    await emulator.control('reset');
    const deployed = (await emulator.control('deploy', { ...coordinates, labels: { 'commit-sha': '81147d04' }, reconcilingMs: 60_000 })) as { revision: string };
    const [during] = await clients.services.getService({ name: COORDINATOR });
    assert.equal(during.reconciling, true);
    assert.equal(stateOf(during.terminalCondition?.state), 'CONDITION_RECONCILING');
    assert.equal(during.latestCreatedRevision, `${COORDINATOR}/revisions/${deployed.revision}`);
    assert.deepEqual(during.trafficStatuses?.map((t) => t.revision), ['prediction-coordinator-00117-m5r']);
    const [pending] = await clients.revisions.getRevision({ name: during.latestCreatedRevision! });
    assert.equal(stateOf(pending.conditions?.find((c) => c.type === 'Ready')?.state), 'CONDITION_RECONCILING');

    await emulator.control('clock', { advanceMs: 61_000 });
    const [settled] = await clients.services.getService({ name: COORDINATOR });
    assert.equal(settled.reconciling, false);
    assert.equal(stateOf(settled.terminalCondition?.state), 'CONDITION_SUCCEEDED');
    assert.deepEqual(settled.trafficStatuses?.map((t) => t.revision), [deployed.revision]);
  });

  test('deploy with moveTraffic false pins LATEST traffic to the revision serving it now', async () => {
    await emulator.control('reset');
    const deployed = (await emulator.control('deploy', { ...coordinates, labels: { 'commit-sha': '81147d04' }, moveTraffic: false })) as { revision: string };
    const [service] = await clients.services.getService({ name: COORDINATOR });
    assert.deepEqual(service.trafficStatuses?.map((t) => [stateOf(t.type), t.revision]), [['TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', 'prediction-coordinator-00117-m5r']]);
    assert.equal(service.latestReadyRevision, `${COORDINATOR}/revisions/${deployed.revision}`);
  });

  test('deploy creates a missing service (and project), which then lists', async () => {
    await emulator.control('reset');
    const deployed = (await emulator.control('deploy', { project: 'brand-new-project', region: 'us-east1', service: 'fresh', labels: { 'commit-sha': 'abcdef0' } })) as { revision: string; serviceCreated: boolean };
    assert.equal(deployed.serviceCreated, true);
    assert.equal(deployed.revision.slice(0, 'fresh-00001-'.length), 'fresh-00001-');
    const [services] = await clients.services.listServices({ parent: 'projects/brand-new-project/locations/us-east1' });
    assert.deepEqual(services.map((s) => s.name), ['projects/brand-new-project/locations/us-east1/services/fresh']);
    assert.equal(services[0]?.trafficStatuses?.[0]?.revision, deployed.revision);
  });

  test('traffic moves traffic between revisions; bad targets are refused naming the field', async () => {
    await emulator.control('reset');
    const moved = await postControl(emulator, 'traffic', {
      project: PROJECT,
      region: REGION,
      service: 'prediction-coordinator',
      traffic: [
        { revision: 'prediction-coordinator-00116-k2x', percent: 75 },
        { latest: true, percent: 25, tag: 'canary' },
      ],
    });
    assert.equal(moved.status, 200);
    const [service] = await clients.services.getService({ name: COORDINATOR });
    assert.deepEqual(service.trafficStatuses?.map((t) => [t.revision, t.percent, t.tag]), [
      ['prediction-coordinator-00116-k2x', 75, ''],
      ['prediction-coordinator-00117-m5r', 25, 'canary'],
    ]);

    const badSum = await postControl(emulator, 'traffic', { ...coordinates, traffic: [{ latest: true, percent: 90 }] });
    assert.equal(badSum.status, 400);
    assert.equal(errorMessageOf(badSum.body), '$.traffic: expected traffic percentages that add up to 100, got 90');
    const badRevision = await postControl(emulator, 'traffic', { ...coordinates, traffic: [{ revision: 'prediction-coordinator-00001-xxx', percent: 100 }] });
    assert.equal(badRevision.status, 400);
    assert.match(errorMessageOf(badRevision.body), /^\$\.traffic\[0\]\.revision: expected the name of one of this service's revisions/);
    const unknownService = await postControl(emulator, 'traffic', { ...coordinates, service: 'ghost', traffic: [{ latest: true, percent: 100 }] });
    assert.equal(unknownService.status, 404);
  });

  test('service creates or replaces a service; delete-service removes it; reset restores the scenario', async () => {
    await emulator.control('reset');
    const created = await postControl(emulator, 'service', {
      project: PROJECT,
      region: REGION,
      name: 'nba-phase1-scrapers',
      revisions: [{ name: 'nba-phase1-scrapers-00024-rb5', labels: { 'commit-sha': 'de13464d' } }],
    });
    assert.equal(created.status, 200);
    const [scrapers] = await clients.services.getService({ name: `${PARENT}/services/nba-phase1-scrapers` });
    assert.equal(scrapers.latestReadyRevision?.endsWith('/nba-phase1-scrapers-00024-rb5'), true);

    const deleted = await postControl(emulator, 'delete-service', coordinates);
    assert.equal(deleted.status, 200);
    assert.equal((await rejectionCode(clients.services.getService({ name: COORDINATOR }))).code, 5);

    const state = await (await fetch(`${emulator.httpUrl}/control/state`)).json() as { now: string; run: { services: { name: string }[] } };
    assert.deepEqual(state.run.services.map((s) => s.name), ['prediction-worker', 'nba-phase1-scrapers']);
    assert.ok(Date.parse(state.now) >= Date.parse('2026-01-30T23:00:00Z'));

    await postControl(emulator, 'reset', {});
    const [services] = await clients.services.listServices({ parent: PARENT });
    assert.deepEqual(services.map((s) => s.name), [COORDINATOR, WORKER]);
  });

  test('load replaces the scenario (reset returns to it); a malformed one changes nothing', async () => {
    const replacement = { run: { project: 'other-project', region: 'europe-west1', services: [{ name: 'solo', revisions: [{ labels: { 'commit-sha': 'feedbee' } }] }] } };
    const refused = await postControl(emulator, 'load', { run: { services: [{ name: 'solo' }] } });
    assert.equal(refused.status, 400);
    assert.match(errorMessageOf(refused.body), /^\$\.run\.services\[0\]\.project: expected/);
    await clients.services.getService({ name: COORDINATOR });

    assert.equal((await postControl(emulator, 'load', replacement)).status, 200);
    assert.equal((await rejectionCode(clients.services.getService({ name: COORDINATOR }))).code, 5);
    await emulator.control('deploy', { project: 'other-project', region: 'europe-west1', service: 'solo' });
    await emulator.control('reset');
    const [solo] = await clients.revisions.listRevisions({ parent: 'projects/other-project/locations/europe-west1/services/solo' });
    assert.equal(solo.length, 1);
    assert.equal(solo[0]?.labels?.['commit-sha'], 'feedbee');

    await emulator.control('load', JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as unknown);
    await clients.services.getService({ name: COORDINATOR });
  });

  test('malformed control payloads answer 400 naming the field; unknown actions 404', async () => {
    const missing = await postControl(emulator, 'deploy', { project: PROJECT, region: REGION });
    assert.equal(missing.status, 400);
    assert.match(errorMessageOf(missing.body), /^\$\.service: expected a Cloud Run service name/);
    const unknownKey = await postControl(emulator, 'deploy', { ...coordinates, lables: {} });
    assert.match(errorMessageOf(unknownKey.body), /^\$\.lables: expected one of the keys/);
    const isoLabel = await postControl(emulator, 'deploy', { ...coordinates, labels: { 'deployed-at': '2026-01-30T22:59:00Z' } });
    assert.equal(isoLabel.status, 400);
    assert.match(errorMessageOf(isoLabel.body), /^\$\.labels\["deployed-at"\]: expected a label value/);
    const notJson = await fetch(`${emulator.httpUrl}/control/deploy`, { method: 'POST', body: '{nope' });
    assert.equal(notJson.status, 400);
    const unknownAction = await postControl(emulator, 'launch-rockets', {});
    assert.equal(unknownAction.status, 404);
    await assert.rejects(emulator.control('deploy', { ...coordinates, ready: 'yes' }), (err: unknown) => err instanceof ScenarioError && err.jsonPath === '$.ready');
  });
});

describe('scenario validation', () => {
  const invalid: [string, unknown, RegExp][] = [
    ['top-level typo', { runn: {} }, /^\$\.runn: expected one of the keys/],
    ['service without a name', { run: { services: [{ project: PROJECT, region: REGION }] } }, /^\$\.run\.services\[0\]\.name: expected a Cloud Run service name/],
    ['service without a project', { run: { services: [{ region: REGION, name: 'svc' }] } }, /^\$\.run\.services\[0\]\.project: expected/],
    ['bad region', { run: { project: PROJECT, region: 'mars', services: [] } }, /^\$\.run\.region: expected a Cloud Run region/],
    ['revision name without the service prefix', { run: { project: PROJECT, region: REGION, services: [{ name: 'svc', revisions: [{ name: 'other-00001-abc' }] }] } }, /^\$\.run\.services\[0\]\.revisions\[0\]\.name: expected a revision name starting with "svc-"/],
    ['traffic to an unknown revision', { run: { project: PROJECT, region: REGION, services: [{ name: 'svc', revisions: [{}], traffic: [{ revision: 'svc-00009-abc', percent: 100 }] }] } }, /^\$\.run\.services\[0\]\.traffic\[0\]\.revision:/],
    ['traffic not adding up', { run: { project: PROJECT, region: REGION, services: [{ name: 'svc', revisions: [{}], traffic: [{ latest: true, percent: 50 }] }] } }, /^\$\.run\.services\[0\]\.traffic: expected traffic percentages that add up to 100, got 50/],
    ['label value with uppercase', { run: { project: PROJECT, region: REGION, services: [{ name: 'svc', revisions: [{ labels: { 'commit-sha': 'ABC' } }] }] } }, /^\$\.run\.services\[0\]\.revisions\[0\]\.labels\["commit-sha"\]: expected a label value/],
    ['ready not boolean', { run: { project: PROJECT, region: REGION, services: [{ name: 'svc', revisions: [{ ready: 'no' }] }] } }, /^\$\.run\.services\[0\]\.revisions\[0\]\.ready: expected true or false, got string "no"/],
    ['bad now', { now: 'yesterday' }, /^\$\.now: expected an RFC 3339 timestamp/],
    ['duplicate service', { run: { project: PROJECT, region: REGION, services: [{ name: 'svc' }, { name: 'svc' }] } }, /^\$\.run\.services\[1\]\.name: expected a service name not already used/],
  ];
  for (const [title, scenario, expected] of invalid) {
    test(`rejects ${title}`, async () => {
      await assert.rejects(startEmulator({ scenario: scenario as Scenario, port: 0, ...RUN_ONLY }), (err: unknown) => {
        assert.ok(err instanceof ScenarioError, String(err));
        assert.match(err.message, expected);
        return true;
      });
    });
  }

  test('a scenario file with a bad value names the file, line and JSON path', async () => {
    const file = tempFile('bad-value.json', '{\n  "run": {\n    "services": [\n      { "project": "p", "region": "us-west2", "name": "svc",\n        "revisions": [ { "ready": "maybe" } ] }\n    ]\n  }\n}\n');
    await assert.rejects(startEmulator({ scenario: file, port: 0, ...RUN_ONLY }), (err: unknown) => {
      assert.ok(err instanceof ScenarioFileError);
      assert.equal(err.message, `${file}:5: $.run.services[0].revisions[0].ready: expected true or false, got string "maybe"`);
      return true;
    });
  });

  test('a scenario file with broken JSON names the file and position', async () => {
    const file = tempFile('broken.json', '{\n  "run": { "services": [ }\n}\n');
    await assert.rejects(startEmulator({ scenario: file, port: 0, ...RUN_ONLY }), (err: unknown) => {
      assert.ok(err instanceof ScenarioFileError);
      assert.match(err.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: \\$: expected valid JSON \\(ValueExpected at line 2, column 26\\)`));
      return true;
    });
  });

  test('a missing scenario file is a ScenarioFileError', async () => {
    await assert.rejects(startEmulator({ scenario: '/nonexistent/scenario.json', port: 0, ...RUN_ONLY }), ScenarioFileError);
  });
});

describe('API modules', () => {
  test('other paths, control actions, scenario sections and gRPC start are delegated to modules', async () => {
    const calls: string[] = [];
    const fakeModule = (): EmulatedApiModule => {
      let loaded: unknown;
      return {
        async handleHttp(_req, res, url, body) {
          if (!url.pathname.startsWith('/fake/')) return false;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ path: url.pathname, body: body.toString('utf8'), loaded }));
          return true;
        },
        async handleControl(action, payload) {
          if (action !== 'fake-action') return undefined;
          return { echoed: payload };
        },
        load(section) {
          calls.push(`load:${JSON.stringify(section)}`);
          loaded = section;
        },
        reset() {
          calls.push('reset');
        },
        snapshot() {
          return { loaded };
        },
        async start(host, port) {
          calls.push(`start:${host}:${port}`);
          return { port: 45678 };
        },
        async close() {
          calls.push('close');
        },
      };
    };
    const emulator = await startEmulator({
      scenario: { run: { projects: [PROJECT] }, fake: { greeting: 'hi' } },
      port: 0,
      grpcPort: 0,
      modules: { logging: false, bigquery: false, extra: { fake: fakeModule } },
    });
    try {
      assert.equal(emulator.grpcAddress, '127.0.0.1:45678');
      const response = await fetch(`${emulator.httpUrl}/fake/thing`, { method: 'POST', body: 'payload' });
      assert.deepEqual(await response.json(), { path: '/fake/thing', body: 'payload', loaded: { greeting: 'hi' } });
      assert.deepEqual((await postControl(emulator, 'fake-action', { x: 1 })).body, { echoed: { x: 1 } });
      const state = (await emulator.control('state')) as { fake: unknown; run: unknown };
      assert.deepEqual(state.fake, { loaded: { greeting: 'hi' } });
      await emulator.control('reset');
    } finally {
      await emulator.close();
    }
    assert.deepEqual(calls, ['load:{"greeting":"hi"}', 'start:127.0.0.1:0', 'reset', 'close']);
  });

  test('a busy port is reported clearly', async () => {
    const first = await startEmulator({ scenario: {}, port: 0, ...RUN_ONLY });
    try {
      await assert.rejects(startEmulator({ scenario: {}, port: first.httpPort, ...RUN_ONLY }), /already in use/);
    } finally {
      await first.close();
    }
  });
});

describe('npm run emulator (main.ts)', () => {
  const mainScript = path.join(REPO_ROOT, 'src/emulator/main.ts');

  function runMain(args: string[]): { done: Promise<{ code: number | null; stdout: string; stderr: string }>; kill: () => void; stdoutUntil: (pattern: RegExp) => Promise<string> } {
    const child = spawn(process.execPath, ['--import', 'tsx', mainScript, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const waiters: { pattern: RegExp; resolve: (text: string) => void }[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(stdout)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(stdout);
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
    return {
      done,
      kill: () => child.kill('SIGTERM'),
      stdoutUntil: (pattern) => (pattern.test(stdout) ? Promise.resolve(stdout) : new Promise((resolve) => waiters.push({ pattern, resolve }))),
    };
  }

  test('a malformed scenario file exits 2 naming the file, JSON path and expectation', async () => {
    const file = tempFile('main-bad.json', JSON.stringify({ run: { services: [{ project: PROJECT, region: REGION, name: 'Bad_Name' }] } }, null, 2));
    const { code, stderr } = await runMain(['--scenario', file, '--port', '0']).done;
    assert.equal(code, 2);
    assert.match(stderr, new RegExp(`invalid scenario: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: \\$\\.run\\.services\\[0\\]\\.name: expected a Cloud Run service name`));
  });

  test('missing --scenario exits 2 with usage', async () => {
    const { code, stderr } = await runMain([]).done;
    assert.equal(code, 2);
    assert.match(stderr, /--scenario FILE is required/);
  });

  test('serves the scenario, prints its URLs and stops cleanly on SIGTERM', async () => {
    const run = runMain(['--scenario', FIXTURE, '--port', '0']);
    const stdout = await run.stdoutUntil(/Press Ctrl-C/);
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    assert.ok(url, stdout);
    const port = Number(new URL(url).port);
    const services = new v2.ServicesClient({ apiEndpoint: '127.0.0.1', port, protocol: 'http', fallback: true, authClient: new PassThroughClient() });
    try {
      const [service] = await services.getService({ name: COORDINATOR });
      assert.equal(service.trafficStatuses?.[0]?.revision, 'prediction-coordinator-00117-m5r');
    } finally {
      await services.close();
    }
    run.kill();
    const { code } = await run.done;
    assert.equal(code, 0);
  });
});
