// The fields the REST reads ask for (the `fields` system parameter) must each name a field of the
// API's message: Google refuses a selection naming one that does not exist (400 INVALID_ARGUMENT),
// where the emulator, which does not know every message, selects nothing. Each path is resolved here
// against the protos the client libraries ship.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import * as protobuf from 'protobufjs';
import { FUNCTION_FIELDS } from '../../src/core/google/functionsRest';
import { EXECUTION_FIELDS, JOB_FIELDS, REVISION_FIELDS, SERVICE_FIELDS } from '../../src/core/google/runRest';

const load = createRequire(__filename);

function rootOf(json: string): protobuf.Root {
  return protobuf.Root.fromJSON(load(json) as protobuf.INamespace);
}

/** Where `path` (names joined by `.`) fails to resolve from `message`, or null when every name is a field. */
function unresolved(message: protobuf.Type, path: string): string | null {
  let type: protobuf.Type | null = message;
  const names = path.split('.');
  for (const [i, name] of names.entries()) {
    const field: protobuf.Field | undefined = type?.fields[name];
    if (!type || !field) return `${names.slice(0, i + 1).join('.')} is not a field of ${type?.fullName ?? 'a scalar'}`;
    const resolved: protobuf.Type | protobuf.Enum | null = field.resolve().resolvedType;
    type = resolved instanceof protobuf.Type ? resolved : null;
  }
  return null;
}

describe('the fields the REST reads ask for', () => {
  const run = rootOf('@google-cloud/run/build/protos/protos.json');
  const functions = rootOf('@google-cloud/functions/build/protos/protos.json');
  const cases: [string, protobuf.Type, readonly string[]][] = [
    ['Service', run.lookupType('google.cloud.run.v2.Service'), SERVICE_FIELDS],
    ['Revision', run.lookupType('google.cloud.run.v2.Revision'), REVISION_FIELDS],
    ['Job', run.lookupType('google.cloud.run.v2.Job'), JOB_FIELDS],
    ['Execution', run.lookupType('google.cloud.run.v2.Execution'), EXECUTION_FIELDS],
    ['Function', functions.lookupType('google.cloud.functions.v2.Function'), FUNCTION_FIELDS],
  ];

  for (const [name, message, paths] of cases) {
    it(`each of ${name}'s is a field of ${message.fullName}`, () => {
      assert.ok(paths.length > 0);
      assert.deepEqual(
        paths.map((path) => unresolved(message, path)).filter((problem) => problem !== null),
        [],
      );
    });
  }

  it('a name that is not a field is caught', () => {
    const service = run.lookupType('google.cloud.run.v2.Service');
    assert.equal(unresolved(service, 'template.label'), 'template.label is not a field of .google.cloud.run.v2.RevisionTemplate');
    assert.equal(unresolved(service, 'name.first'), 'name.first is not a field of a scalar');
  });
});
