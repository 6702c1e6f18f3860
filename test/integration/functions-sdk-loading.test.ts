// The Cloud Functions client lives in the Run SDK bundle but runs only when the scaffolding lists a
// region's functions: a check reads functions over REST (functionsRest.ts) and never evaluates it.
// Its own process (node --test runs each file in one), so nothing else has loaded the client before.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CloudRunReader } from '../../src/core/google/cloudrun';
import { releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';

const PROJECT = 'demo-project';
const REGION = 'us-west2';

const functionsClientLoaded = (): boolean => Object.keys(require.cache).some((file) => file.includes('function_service_client'));

describe('loading the Cloud Functions client', () => {
  let emulator: RunEmulator;
  let reader: CloudRunReader;

  before(async () => {
    emulator = await startRunEmulator({
      project: PROJECT,
      region: REGION,
      services: [
        { name: 'api', revisions: [{ name: 'api-00001-aaa', labels: {} }] },
        { name: 'grading', revisions: [{ name: 'grading-00001-aaa', labels: {} }] },
      ],
      functions: [{ name: 'grading', labels: {} }],
    });
    ({ reader } = emulator);
  });

  after(() => releaseAll(emulator));

  it('waits for the first list of a region\'s functions', async () => {
    const service = await reader.lookupService({ project: PROJECT, region: REGION, name: 'api' });
    assert.equal(service.kind, 'found', JSON.stringify(service));
    assert.equal(functionsClientLoaded(), false, 'reading a service loaded the Cloud Functions client');

    const fn = await reader.lookupFunction!({ project: PROJECT, region: REGION, name: 'grading' });
    assert.equal(fn.kind, 'found', JSON.stringify(fn));
    assert.equal(functionsClientLoaded(), false, 'reading a function loaded the Cloud Functions client');

    assert.deepEqual((await reader.listFunctions!(PROJECT, REGION)).map((f) => f.name), ['grading']);
    assert.equal(functionsClientLoaded(), true);
  });
});
