// lookupFunction's reading order and its reading of the API's answer, with the reads it is given.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { functionFacts, likelyServiceName, lookupFunction, type FunctionReadDeps, type FunctionRef } from '../../src/core/google/functions';
import type { ServiceLookup } from '../../src/core/model';

const REF: FunctionRef = { project: 'p-123456', region: 'us-west2', name: 'Grade_Player_Props' };

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const serviceLookup = (name: string): ServiceLookup => ({ kind: 'not-found', message: name });

describe('lookupFunction', () => {
  it('asks for the service it most likely runs on while the function is being read', async () => {
    const calls: string[] = [];
    const fn = deferred<Awaited<ReturnType<FunctionReadDeps['getFunction']>>>();
    const deps: FunctionReadDeps = {
      getFunction: (name) => (calls.push(`getFunction ${name}`), fn.promise),
      lookupService: async (ref) => (calls.push(`lookupService ${ref.name}`), serviceLookup(ref.name)),
      describeError: () => ({ message: 'x', code: null }),
    };
    const lookup = lookupFunction(deps, REF);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, ['lookupService grade-player-props', 'getFunction projects/p-123456/locations/us-west2/functions/Grade_Player_Props']);
    fn.resolve({ serviceConfig: { service: 'projects/p-123456/locations/us-west2/services/grade-player-props' } });
    const found = await lookup;
    assert.equal(found.kind === 'found' && found.service.kind === 'not-found' && found.service.message, 'grade-player-props');
    assert.equal(calls.length, 2, 'the service read early is the one used');
  });

  it('reads the service the function names when it is another one', async () => {
    const calls: string[] = [];
    const deps: FunctionReadDeps = {
      getFunction: async () => ({ serviceConfig: { service: 'projects/p-123456/locations/us-west2/services/grading-v2', revision: 'grading-v2-00004-abc' } }),
      lookupService: async (ref) => (calls.push(ref.name), serviceLookup(ref.name)),
      describeError: () => ({ message: 'x', code: null }),
    };
    const found = await lookupFunction(deps, REF);
    assert.deepEqual(calls, ['grade-player-props', 'grading-v2']);
    assert.equal(found.kind === 'found' && found.service.kind === 'not-found' && found.service.message, 'grading-v2');
  });

  it('confines a failure to the function: not-found by code 5, anything else an error with its message', async () => {
    const failing = (code: number): FunctionReadDeps => ({
      getFunction: async () => {
        throw Object.assign(new Error('boom'), { code });
      },
      lookupService: async (ref) => serviceLookup(ref.name),
      describeError: (err) => ({ message: `described: ${(err as Error).message}`, code: (err as { code: number }).code }),
    });
    assert.deepEqual(await lookupFunction(failing(5), REF), { kind: 'not-found', message: 'Grade_Player_Props does not exist in Cloud Functions (p-123456/us-west2)' });
    assert.deepEqual(await lookupFunction(failing(7), REF), { kind: 'error', message: 'described: boom', code: 7 });
  });

  it('tells the caller the function\'s labels once it is read', async () => {
    const seen: Record<string, string>[] = [];
    await lookupFunction(
      { getFunction: async () => ({ labels: { 'commit-sha': 'abc1234' } }), lookupService: async (ref) => serviceLookup(ref.name), describeError: () => ({ message: '', code: null }), onFunctionRead: (labels) => seen.push({ ...labels }) },
      REF,
    );
    assert.deepEqual(seen, [{ 'commit-sha': 'abc1234' }]);
  });
});

describe('functionFacts', () => {
  it('reads enums as numbers or names, resource names as their last segment, and timestamps as ISO', () => {
    const facts = functionFacts(REF, {
      state: 2 as never,
      stateMessages: [{ severity: 1 as never, type: 'BuildFailed', message: 'Build failed' }, { severity: 'WARNING' as never, type: 't', message: 'm' }],
      labels: { 'commit-sha': 'abc1234' },
      updateTime: { seconds: 1767225600, nanos: 500_000_000 },
      buildConfig: { build: 'projects/123/locations/us-west2/builds/0f1e' },
      serviceConfig: { service: 'projects/p-123456/locations/us-west2/services/grade-player-props', revision: 'grade-player-props-00003-ccc' },
    });
    assert.deepEqual(facts, {
      name: 'Grade_Player_Props',
      project: 'p-123456',
      region: 'us-west2',
      state: 'FAILED',
      stateMessages: [{ severity: 'ERROR', type: 'BuildFailed', message: 'Build failed' }, { severity: 'WARNING', type: 't', message: 'm' }],
      labels: { 'commit-sha': 'abc1234' },
      updateTime: '2026-01-01T00:00:00.500Z',
      build: '0f1e',
      service: 'grade-player-props',
      revision: 'grade-player-props-00003-ccc',
    });
    assert.equal(functionFacts(REF, { state: 'DEPLOYING' as never }).state, 'DEPLOYING');
    assert.equal(functionFacts(REF, { state: 'SOMETHING_NEW' as never }).state, 'STATE_UNSPECIFIED');
    assert.deepEqual(functionFacts(REF, {}).service, null);
  });

  it('guesses a service name Cloud Run allows', () => {
    assert.equal(likelyServiceName('Grade_Player_Props'), 'grade-player-props');
    assert.equal(likelyServiceName('phase3-to-phase4-orchestrator'), 'phase3-to-phase4-orchestrator');
  });
});
