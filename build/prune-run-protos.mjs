// Shrinks @google-cloud/run's protos.json to what the clients we bundle can use (and
// @google-cloud/functions' to its v2 client: pruneFunctionsProtos; @google-cloud/logging-api's to
// LoggingServiceV2: pruneLoggingProtos).
// The file describes every Cloud Run v2 API (builds, jobs, executions, tasks, worker pools...); each
// client parses all of it (protobuf.Root.fromJSON) when it is constructed, and hashes its JSON text to
// look it up in gax's cache. Keeping only the types reachable from the Services, Revisions, Jobs and
// Executions services, plus the shared google.api/protobuf/rpc/longrunning packages the clients' long-running
// operations and errors use, halves the file and the parse.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const protobuf = require('protobufjs');

const SERVICES = ['google.cloud.run.v2.Services', 'google.cloud.run.v2.Revisions', 'google.cloud.run.v2.Jobs', 'google.cloud.run.v2.Executions'];
const WHOLE_PACKAGES = ['google.api', 'google.protobuf', 'google.rpc', 'google.longrunning'];

export function pruneRunProtos(json) {
  return pruneProtos(json, SERVICES, '@google-cloud/run');
}

/** The Functions bundle's protos: FunctionService v2 only (the package also describes v1, v2alpha and v2beta). */
export function pruneFunctionsProtos(json) {
  return pruneProtos(json, ['google.cloud.functions.v2.FunctionService'], '@google-cloud/functions');
}

/** The Logging bundle's protos: LoggingServiceV2 only (the package also describes the Config and Metrics services). */
export function pruneLoggingProtos(json) {
  return pruneProtos(json, ['google.logging.v2.LoggingServiceV2'], '@google-cloud/logging-api');
}

/** Keeps the `services` of a package's protos.json, every type they reach and the shared packages. */
export function pruneProtos(json, services, packageName) {
  const root = protobuf.Root.fromJSON(json);
  root.resolveAll();
  const keep = new Set();
  const mark = (object) => {
    if (!object || keep.has(object)) return;
    keep.add(object);
    for (let parent = object.parent; parent; parent = parent.parent) keep.add(parent);
    if (object instanceof protobuf.Type) {
      for (const field of object.fieldsArray) mark(field.resolvedType);
      for (const nested of object.nestedArray) mark(nested);
    }
    if (object instanceof protobuf.Service) {
      for (const method of object.methodsArray) {
        mark(method.resolvedRequestType);
        mark(method.resolvedResponseType);
        // A long-running method names its result and metadata types only in an option; the client
        // looks both up when it is constructed.
        for (const key of ['(google.longrunning.operation_info).response_type', '(google.longrunning.operation_info).metadata_type']) {
          const name = method.options?.[key];
          if (name) mark(object.parent.lookupType(name));
        }
      }
    }
  };
  const markAll = (object) => {
    mark(object);
    for (const nested of object.nestedArray ?? []) markAll(nested);
  };
  for (const name of services) {
    const service = root.lookup(name);
    if (!service) throw new Error(`protos.json has no ${name}: ${packageName} changed; update build/prune-run-protos.mjs`);
    mark(service);
  }
  for (const name of WHOLE_PACKAGES) {
    const pkg = root.lookup(name);
    if (pkg) markAll(pkg);
  }
  const prune = (namespace) => {
    for (const nested of [...(namespace.nestedArray ?? [])]) {
      if (keep.has(nested)) prune(nested);
      else namespace.remove(nested);
    }
  };
  prune(root);
  return root.toJSON();
}
