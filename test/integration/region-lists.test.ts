// A check reads each region with one list per kind once it holds more than a couple of configured
// units (its first page only), through the real @google-cloud/run and @google-cloud/functions
// clients against the emulator, behind a recording proxy that shows which requests were sent.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { checkServices } from '../../src/core/check';
import { createCloudRunReader, type CloudRunReader } from '../../src/core/google/cloudrun';
import { parseConfig, type DriftConfig } from '../../src/core/config';
import { GitRepository } from '../../src/core/git/repository';
import type { CheckResult } from '../../src/core/model';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { startRecordingProxy, type RecordingProxy } from '../helpers/net';
import { createTempRepo, type TempRepo } from '../helpers/repo';

const PROJECT = 'demo-project';
const WEST = 'us-west2';
const EAST = 'us-east1';
/** A region far larger than the configuration: its three configured services among 600 others. */
const BIG = 'europe-west1';
const UNCONFIGURED = 600;
/** A region of a few hundred: its three configured services listed after 200 others. */
const MID = 'asia-east1';
const MID_OTHERS = 200;

describe('region lists against the emulator', () => {
  let repo: TempRepo;
  let emulator: RunningEmulator;
  let proxy: RecordingProxy;
  let reader: CloudRunReader;
  let config: DriftConfig;
  let head: string;

  const westServices = ['api', 'grading', 'scheduler', 'gone'];
  const check = async (names?: string[]): Promise<CheckResult> =>
    checkServices(config, { reader, git: await GitRepository.open(repo.dir) }, names ? { services: names } : {});
  const sent = (): string[] => proxy.requests.map((r) => r.path.replace(`/v2/projects/${PROJECT}/locations/`, ''));
  const status = (result: CheckResult, name: string): string => result.services.find((s) => s.name === name)!.status;
  const message = (result: CheckResult, name: string): string => result.services.find((s) => s.name === name)!.message;

  before(async () => {
    repo = createTempRepo();
    head = repo.commit('initial layout', { 'services/main.py': '1', 'jobs/main.py': '1', 'functions/main.py': '1' });
    const label = { 'commit-sha': head.slice(0, 8) };
    const service = (region: string, name: string) => ({ project: PROJECT, region, name, revisions: [{ name: `${name}-00001-aaa`, labels: label }] });
    const filler = Array.from({ length: UNCONFIGURED }, (_, i) => service(BIG, `other-${String(i).padStart(3, '0')}`));
    const midFiller = Array.from({ length: MID_OTHERS }, (_, i) => service(MID, `a-other-${String(i).padStart(3, '0')}`));
    emulator = await startEmulator({
      port: 0,
      modules: { logging: false, bigquery: false },
      scenario: {
        run: {
          services: [
            ...filler,
            ...midFiller,
            ...['mid-a', 'mid-b', 'mid-c'].map((n) => service(MID, n)),
            ...['api', 'grading', 'scheduler'].map((n) => service(WEST, n)),
            ...['fn-a', 'fn-b', 'fn-c'].map((n) => service(WEST, n)),
            ...['east-a', 'east-b', 'east-c'].map((n) => service(EAST, n)),
            ...['big-a', 'big-b', 'big-c'].map((n) => service(BIG, n)),
          ],
          jobs: ['job-a', 'job-b', 'job-c'].map((name) => ({ project: PROJECT, region: WEST, name, labels: label })),
        },
        functions: { functions: ['fn-a', 'fn-b', 'fn-c'].map((name) => ({ project: PROJECT, region: WEST, name, labels: label })) },
      },
    });
    proxy = await startRecordingProxy(emulator.httpUrl);
    const services: Record<string, unknown> = {};
    for (const name of westServices) services[name] = { paths: ['services'] };
    for (const name of ['fn-a', 'fn-b', 'fn-c']) services[name] = { kind: 'function', paths: ['functions'] };
    for (const name of ['job-a', 'job-b', 'job-c']) services[name] = { kind: 'job', paths: ['jobs'] };
    for (const name of ['east-a', 'east-b', 'east-c']) services[name] = { region: EAST, paths: ['services'] };
    for (const name of ['big-a', 'big-b', 'big-c']) services[name] = { region: BIG, paths: ['services'] };
    for (const name of ['mid-a', 'mid-b', 'mid-c']) services[name] = { region: MID, paths: ['services'] };
    config = parseConfig(JSON.stringify({ project: PROJECT, region: WEST, services, endpoints: { run: proxy.url, functions: proxy.url } }), `${repo.dir}/cloud-run-drift.json`);
    reader = createCloudRunReader(config.endpoints);
  });

  afterEach(async () => {
    await emulator.control('clear-faults');
    proxy.requests.length = 0;
  });

  after(async () => {
    await reader?.close();
    await proxy?.close();
    await emulator?.close();
    repo?.cleanup();
  });

  it('reads each kind of each region with one list, not one get per unit; a region far larger than its units only once', async () => {
    const fresh = createCloudRunReader(config.endpoints);
    const all = ['api', 'grading', 'scheduler', 'fn-a', 'fn-b', 'fn-c', 'job-a', 'job-b', 'job-c', 'east-a', 'east-b', 'east-c', 'big-a', 'big-b', 'big-c'];
    const gets = (): string[] => sent().filter((p) => /\/(services|functions|jobs)\/[^/]+$/.test(p));
    try {
      let result = await checkServices(config, { reader: fresh, git: await GitRepository.open(repo.dir) });
      for (const name of all) assert.equal(status(result, name), 'up-to-date', `${name}: ${message(result, name)}`);
      assert.deepEqual(
        sent().filter((p) => /\/(services|functions|jobs)$/.test(p)).sort(),
        [`${MID}/services`, `${BIG}/services`, `${EAST}/services`, `${WEST}/functions`, `${WEST}/jobs`, `${WEST}/services`],
        'one list per kind and region, its first page only',
      );
      assert.ok(gets().includes(`${WEST}/services/gone`), 'the unit its list lacks is read with its own get');
      assert.ok(!gets().some((p) => p.startsWith(`${WEST}/`) && !p.endsWith('/gone')), `no other west unit is read with a get: ${gets().join(', ')}`);
      const bigGets = gets().filter((p) => p.startsWith(`${BIG}/`));
      assert.ok(bigGets.length <= 3, 'units not on the big region\'s first page are read with gets');

      proxy.requests.length = 0;
      result = await checkServices(config, { reader: fresh, git: await GitRepository.open(repo.dir) });
      for (const name of all) assert.equal(status(result, name), 'up-to-date', `${name}: ${message(result, name)}`);
      assert.ok(!sent().includes(`${BIG}/services`), 'a region found larger than one page is not listed again');
      assert.deepEqual(gets().filter((p) => p.startsWith(`${BIG}/`)).sort(), [`${BIG}/services/big-a`, `${BIG}/services/big-b`, `${BIG}/services/big-c`]);
      assert.ok(sent().includes(`${WEST}/services`), 'the other regions are still listed');
    } finally {
      await fresh.close();
    }
  });

  it('a first check finds its units on a region of a few hundred with one list, then remembers the region as large', async () => {
    const fresh = createCloudRunReader(config.endpoints);
    const mid = ['mid-a', 'mid-b', 'mid-c'];
    // The region's service list and gets (the revisions are read either way).
    const midRequests = (): string[] => sent().filter((p) => p.startsWith(`${MID}/services`) && !p.includes('/revisions'));
    try {
      let result = await checkServices(config, { reader: fresh, git: await GitRepository.open(repo.dir) }, { services: mid });
      for (const name of mid) assert.equal(status(result, name), 'up-to-date', `${name}: ${message(result, name)}`);
      // Nothing known of the region yet: one round trip finds them, as in a small region.
      assert.deepEqual(midRequests(), [`${MID}/services`], 'one list, no get: its units are on the first page');
      proxy.requests.length = 0;
      result = await checkServices(config, { reader: fresh, git: await GitRepository.open(repo.dir) }, { services: mid });
      for (const name of mid) assert.equal(status(result, name), 'up-to-date', `${name}: ${message(result, name)}`);
      assert.deepEqual(midRequests().sort(), mid.map((name) => `${MID}/services/${name}`), 'far more services than units: read with gets from now on');
    } finally {
      await fresh.close();
    }
  });

  it('confirms a unit the list lacks with its own get: not-found, or that get\'s error', async () => {
    let result = await check();
    assert.equal(status(result, 'gone'), 'not-found');
    await emulator.control('faults', { rules: [{ api: 'run', operation: 'getService', service: 'gone', httpStatus: 500, message: 'backend exploded' }] });
    result = await check();
    assert.equal(status(result, 'gone'), 'error');
    assert.match(message(result, 'gone'), /backend exploded/);
    assert.equal(status(result, 'api'), 'up-to-date');
  });

  it('falls back to a get per unit when the list is refused', async () => {
    await emulator.control('faults', { rules: [{ api: 'run', operation: 'listServices', region: WEST, httpStatus: 403, message: "Permission 'run.services.list' denied" }] });
    const result = await check();
    for (const name of ['api', 'grading', 'scheduler', 'fn-a', 'east-a']) assert.equal(status(result, name), 'up-to-date', `${name}: ${message(result, name)}`);
    assert.equal(status(result, 'gone'), 'not-found');
    assert.ok(sent().includes(`${WEST}/services`), 'the list was asked for first');
    const gets = sent().filter((p) => p.startsWith(`${WEST}/services/`) && !p.includes('/revisions'));
    for (const name of ['api', 'grading', 'scheduler', 'gone', 'fn-a']) assert.ok(gets.includes(`${WEST}/services/${name}`), `no get of ${name}: ${gets.join(', ')}`);
  });

  it('gives each unit of a region whose list fails that failure, and leaves other regions alone', async () => {
    await emulator.control('faults', { rules: [{ api: 'run', operation: 'listServices', region: EAST, httpStatus: 400, message: 'east is having a bad day' }] });
    const result = await check();
    for (const name of ['east-a', 'east-b', 'east-c']) {
      assert.equal(status(result, name), 'error');
      assert.match(message(result, name), /east is having a bad day/);
    }
    for (const name of ['api', 'fn-a', 'job-a']) assert.equal(status(result, name), 'up-to-date', `${name}: ${message(result, name)}`);
    assert.ok(!sent().some((p) => p.startsWith(`${EAST}/services/`)), 'a failed list is not retried as gets');
  });

  it('reads a region holding only a couple of the checked units with gets', async () => {
    const result = await check(['api', 'grading']);
    assert.deepEqual(result.services.map((s) => s.status), ['up-to-date', 'up-to-date']);
    assert.deepEqual(sent().filter((p) => !p.includes('/revisions')).sort(), [`${WEST}/services/api`, `${WEST}/services/grading`]);
  });
});
