// The emulator's Cloud Functions v2 API and its control actions, through the real
// @google-cloud/functions client in REST mode, over the same state as the Cloud Run API.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { v2 as functionsV2 } from '@google-cloud/functions';
import { v2 as runV2 } from '@google-cloud/run';
import { PassThroughClient } from 'google-auth-library';
import type { Scenario } from '../../src/emulator/scenario';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';

const PROJECT = 'nba-props-platform';
const REGION = 'us-west2';
const PARENT = `projects/${PROJECT}/locations/${REGION}`;

const SCENARIO: Scenario = {
  now: '2026-01-30T23:00:00Z',
  run: {
    project: PROJECT,
    region: REGION,
    services: [
      { name: 'phase5b-grading', labels: { 'goog-managed-by': 'cloudfunctions' }, revisions: [{ name: 'phase5b-grading-00001-aaa', labels: { 'commit-sha': '1111111' } }] },
      { name: 'phase3-to-phase4-orchestrator', revisions: [{ name: 'phase3-to-phase4-orchestrator-00007-bbb' }] },
    ],
  },
  functions: {
    project: PROJECT,
    region: REGION,
    functions: [
      { name: 'phase5b-grading', labels: { 'commit-sha': '1111111' } },
      {
        name: 'Phase3_To_Phase4_Orchestrator',
        service: 'phase3-to-phase4-orchestrator',
        labels: { 'commit-sha': '2222222' },
        stateMessages: [{ severity: 'WARNING', type: 'RuntimeDeprecation', message: 'python38 is deprecated' }],
        updateTime: '2026-01-30T20:00:00Z',
      },
    ],
  },
};

describe('Cloud Functions v2 API through @google-cloud/functions', () => {
  let emulator: RunningEmulator;
  let functions: functionsV2.FunctionServiceClient;
  let services: runV2.ServicesClient;

  before(async () => {
    emulator = await startEmulator({ port: 0, scenario: SCENARIO, modules: { logging: false, bigquery: false } });
    const options = { apiEndpoint: '127.0.0.1', port: emulator.httpPort, protocol: 'http', fallback: true, authClient: new PassThroughClient() };
    functions = new functionsV2.FunctionServiceClient(options);
    services = new runV2.ServicesClient(options);
  });
  after(async () => {
    await Promise.all([functions.close(), services.close()]);
    await emulator.close();
  });
  beforeEach(async () => {
    await emulator.control('reset');
  });

  test('gets a function with its state, labels, build and the Cloud Run service and revision it runs on', async () => {
    const [fn] = await functions.getFunction({ name: `${PARENT}/functions/phase5b-grading` });
    assert.equal(fn.name, `${PARENT}/functions/phase5b-grading`);
    assert.equal(fn.state, 'ACTIVE');
    assert.deepEqual(fn.labels, { 'commit-sha': '1111111' });
    assert.equal(fn.environment, 'GEN_2');
    assert.equal(fn.serviceConfig?.service, `${PARENT}/services/phase5b-grading`);
    // By default the revision serving when the scenario loaded.
    assert.equal(fn.serviceConfig?.revision, 'phase5b-grading-00001-aaa');
    assert.match(fn.buildConfig?.build ?? '', /^projects\/\d+\/locations\/us-west2\/builds\/[0-9a-f]{32}$/);
    assert.equal(new Date(Number(fn.updateTime?.seconds) * 1000).toISOString(), '2026-01-30T23:00:00.000Z');
    const [named] = await functions.getFunction({ name: `${PARENT}/functions/Phase3_To_Phase4_Orchestrator` });
    assert.equal(named.serviceConfig?.service, `${PARENT}/services/phase3-to-phase4-orchestrator`);
    assert.deepEqual(named.stateMessages?.map((m) => [m.severity, m.type, m.message]), [['WARNING', 'RuntimeDeprecation', 'python38 is deprecated']]);
    assert.equal(new Date(Number(named.updateTime?.seconds) * 1000).toISOString(), '2026-01-30T20:00:00.000Z');
  });

  test('lists functions page by page, one region or all of them', async () => {
    await emulator.control('function', { project: PROJECT, region: 'us-east1', name: 'elsewhere' });
    const [page, next] = await functions.listFunctions({ parent: PARENT, pageSize: 1 }, { autoPaginate: false });
    assert.deepEqual(page.map((f) => f.name), [`${PARENT}/functions/phase5b-grading`]);
    assert.ok(next?.pageToken);
    const [rest] = await functions.listFunctions({ parent: PARENT, pageSize: 1, pageToken: next.pageToken }, { autoPaginate: false });
    assert.deepEqual(rest.map((f) => f.name), [`${PARENT}/functions/Phase3_To_Phase4_Orchestrator`]);
    const [all] = await functions.listFunctions({ parent: `projects/${PROJECT}/locations/-` });
    assert.deepEqual(all.map((f) => f.name?.split('/').pop()), ['phase5b-grading', 'Phase3_To_Phase4_Orchestrator', 'elsewhere']);
  });

  test('answers NOT_FOUND for a missing function or project, and applies fault rules by function', async () => {
    await assert.rejects(functions.getFunction({ name: `${PARENT}/functions/nope` }), (err: { code?: number; message: string }) => err.code === 5 && /functions\/nope' was not found/.test(err.message));
    await assert.rejects(functions.getFunction({ name: `projects/other-project/locations/${REGION}/functions/x` }), (err: { code?: number }) => err.code === 5);
    await emulator.control('faults', { rules: [{ api: 'functions', service: 'phase5b-grading', httpStatus: 403, message: 'Permission cloudfunctions.functions.get denied' }] });
    await assert.rejects(functions.getFunction({ name: `${PARENT}/functions/phase5b-grading` }), (err: { code?: number; message: string }) => err.code === 7 && /cloudfunctions\.functions\.get denied/.test(err.message));
    const [other] = await functions.getFunction({ name: `${PARENT}/functions/Phase3_To_Phase4_Orchestrator` });
    assert.equal(other.state, 'ACTIVE');
  });

  test('a deploy is DEPLOYING for its build time, then ACTIVE on a new revision carrying its labels', async () => {
    const deployed = (await emulator.control('deploy-function', { project: PROJECT, region: REGION, function: 'phase5b-grading', labels: { 'commit-sha': '3333333' }, buildMs: 60_000 })) as { state: string };
    assert.equal(deployed.state, 'DEPLOYING');
    let [fn] = await functions.getFunction({ name: `${PARENT}/functions/phase5b-grading` });
    assert.equal(fn.state, 'DEPLOYING');
    assert.deepEqual(fn.labels, { 'commit-sha': '3333333' });
    assert.equal(fn.serviceConfig?.revision, 'phase5b-grading-00001-aaa');
    const [rolling] = await services.getService({ name: `${PARENT}/services/phase5b-grading` });
    assert.equal(rolling.reconciling, true);
    await emulator.control('clock', { advanceMs: 60_000 });
    [fn] = await functions.getFunction({ name: `${PARENT}/functions/phase5b-grading` });
    assert.equal(fn.state, 'ACTIVE');
    assert.match(fn.serviceConfig?.revision ?? '', /^phase5b-grading-00002-[a-z0-9]{3}$/);
    const [service] = await services.getService({ name: `${PARENT}/services/phase5b-grading` });
    assert.equal(service.latestReadyRevision, `${PARENT}/services/phase5b-grading/revisions/${fn.serviceConfig?.revision}`);
    assert.equal(service.template?.labels?.['commit-sha'], '3333333');
  });

  test('labels kept off the revisions stay on the function only', async () => {
    await emulator.control('deploy-function', { project: PROJECT, region: REGION, function: 'phase5b-grading', labels: { 'commit-sha': '4444444' }, revisionLabels: false });
    const [fn] = await functions.getFunction({ name: `${PARENT}/functions/phase5b-grading` });
    assert.equal(fn.labels?.['commit-sha'], '4444444');
    const [service] = await services.getService({ name: `${PARENT}/services/phase5b-grading` });
    assert.equal(service.template?.labels?.['commit-sha'], undefined);
    assert.equal(service.template?.labels?.['goog-managed-by'], 'cloudfunctions');
  });

  test('a failed build leaves the old revision serving and says FAILED with the build\'s message', async () => {
    const [before] = await functions.getFunction({ name: `${PARENT}/functions/phase5b-grading` });
    await emulator.control('deploy-function', { project: PROJECT, region: REGION, function: 'phase5b-grading', labels: { 'commit-sha': '5555555' }, buildMs: 1_000, failBuild: 'Build failed: pip install exited 1' });
    let [fn] = await functions.getFunction({ name: `${PARENT}/functions/phase5b-grading` });
    assert.equal(fn.state, 'DEPLOYING');
    await emulator.control('clock', { advanceMs: 1_000 });
    [fn] = await functions.getFunction({ name: `${PARENT}/functions/phase5b-grading` });
    assert.equal(fn.state, 'FAILED');
    assert.deepEqual(fn.stateMessages?.map((m) => [m.severity, m.message]), [['ERROR', 'Build failed: pip install exited 1']]);
    assert.equal(fn.labels?.['commit-sha'], '5555555');
    assert.equal(fn.serviceConfig?.revision, 'phase5b-grading-00001-aaa');
    assert.equal(fn.buildConfig?.build, before.buildConfig?.build);
    const [service] = await services.getService({ name: `${PARENT}/services/phase5b-grading` });
    assert.equal(service.latestCreatedRevision, `${PARENT}/services/phase5b-grading/revisions/phase5b-grading-00001-aaa`);
    assert.equal(service.reconciling, false);
    // The next good deploy clears it.
    await emulator.control('deploy-function', { project: PROJECT, region: REGION, function: 'phase5b-grading', labels: { 'commit-sha': '6666666' } });
    [fn] = await functions.getFunction({ name: `${PARENT}/functions/phase5b-grading` });
    assert.equal(fn.state, 'ACTIVE');
    assert.deepEqual(fn.stateMessages, []);
  });

  test('refuses malformed control payloads naming the field', async () => {
    await assert.rejects(emulator.control('deploy-function', { project: PROJECT, region: REGION, function: '9lives' }), /\$\.function: expected a function name/);
    await assert.rejects(emulator.control('deploy-function', { project: PROJECT, region: REGION, function: 'f', buildMs: -1 }), /\$\.buildMs: expected an integer/);
    await assert.rejects(emulator.control('function', { project: PROJECT, region: REGION, name: 'f', state: 'RUNNING' }), /\$\.state: expected one of "ACTIVE", "FAILED", "DEPLOYING", "UNKNOWN"/);
    await assert.rejects(startEmulator({ port: 0, scenario: { functions: { functions: [{ name: 'f' }] } } }), /\$\.functions\.functions\[0\]\.project: expected/);
  });
});
