import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import * as protobuf from 'protobufjs';
import { pruneRunProtos } from '../../build/prune-run-protos.mjs';

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
