import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import * as protobuf from 'protobufjs';
import { pruneFunctionsProtos, pruneRunProtos } from '../../build/prune-run-protos.mjs';

const require = createRequire(__filename);
const full = require('@google-cloud/run/build/protos/protos.json') as protobuf.INamespace;
/** protobuf.js descriptors as plain data (its toJSON mixes null-prototype objects in). */
const plain = (reflection: protobuf.ReflectionObject): unknown => JSON.parse(JSON.stringify(reflection.toJSON()));

describe('the Run bundle keeps only the protos its clients use', () => {
  const original = protobuf.Root.fromJSON(full);
  const pruned = protobuf.Root.fromJSON(pruneRunProtos(full));

  it('keeps the Services, Revisions, Jobs and Executions APIs and every type they reach, unchanged', () => {
    pruned.resolveAll();
    for (const name of ['google.cloud.run.v2.Services', 'google.cloud.run.v2.Revisions', 'google.cloud.run.v2.Jobs', 'google.cloud.run.v2.Executions']) {
      assert.deepEqual(plain(pruned.lookupService(name)), plain(original.lookupService(name)), name);
    }
    for (const name of [
      'google.cloud.run.v2.Service',
      'google.cloud.run.v2.Revision',
      'google.cloud.run.v2.TrafficTargetStatus',
      'google.cloud.run.v2.Condition',
      'google.cloud.run.v2.Job',
      'google.cloud.run.v2.Execution',
      'google.cloud.run.v2.RunJobRequest',
      'google.longrunning.Operation',
      'google.rpc.Status',
    ]) {
      assert.deepEqual(plain(pruned.lookupType(name)), plain(original.lookupType(name)), name);
    }
  });

  it('drops the other Cloud Run APIs', () => {
    for (const name of ['google.cloud.run.v2.Builds', 'google.cloud.run.v2.Tasks', 'google.cloud.run.v2.WorkerPools']) {
      assert.ok(original.lookup(name), `${name} is in the package`);
      assert.equal(pruned.lookup(name), null, `${name} is pruned`);
    }
  });
});

describe('the Functions bundle keeps only FunctionService v2', () => {
  const fullFunctions = require('@google-cloud/functions/build/protos/protos.json') as protobuf.INamespace;
  const original = protobuf.Root.fromJSON(fullFunctions);
  const pruned = protobuf.Root.fromJSON(pruneFunctionsProtos(fullFunctions));

  it('keeps the v2 FunctionService and every type it reaches, unchanged', () => {
    pruned.resolveAll();
    assert.deepEqual(plain(pruned.lookupService('google.cloud.functions.v2.FunctionService')), plain(original.lookupService('google.cloud.functions.v2.FunctionService')));
    for (const name of ['google.cloud.functions.v2.Function', 'google.cloud.functions.v2.ServiceConfig', 'google.cloud.functions.v2.BuildConfig', 'google.cloud.functions.v2.StateMessage', 'google.cloud.functions.v2.ListFunctionsResponse', 'google.longrunning.Operation']) {
      assert.deepEqual(plain(pruned.lookupType(name)), plain(original.lookupType(name)), name);
    }
  });

  it('drops the v1, v2alpha and v2beta APIs', () => {
    for (const name of ['google.cloud.functions.v1.CloudFunctionsService', 'google.cloud.functions.v2alpha.FunctionService', 'google.cloud.functions.v2beta.FunctionService']) {
      assert.ok(original.lookup(name), `${name} is in the package`);
      assert.equal(pruned.lookup(name), null, `${name} is pruned`);
    }
    assert.ok(JSON.stringify(pruneFunctionsProtos(fullFunctions)).length < JSON.stringify(fullFunctions).length / 2);
  });
});

describe('the pruned protos keep what the clients look up when constructed', () => {
  it('keeps the result and metadata types their long-running methods name in options', () => {
    const functions = protobuf.Root.fromJSON(pruneFunctionsProtos(require('@google-cloud/functions/build/protos/protos.json') as protobuf.INamespace));
    assert.ok(functions.lookup('google.cloud.functions.v2.OperationMetadata'), 'FunctionService v2 LRO metadata');
    const run = protobuf.Root.fromJSON(pruneRunProtos(full));
    for (const name of ['google.cloud.run.v2.Service', 'google.cloud.run.v2.Revision']) assert.ok(run.lookup(name), name);
  });
});
