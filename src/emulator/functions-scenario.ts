// The scenario's `functions` section: Cloud Run functions (gen2 Cloud Functions) as the Cloud
// Functions v2 API reports them, each running on a Cloud Run service of the `run` section.
//
//   "functions": {
//     "project": "p", "region": "us-west2",        // defaults for the functions below
//     "functions": [{
//       "name": "phase5b-grading",                 // required; a function name (letters, digits, "-", "_")
//       "service": "phase5b-grading",              // the Cloud Run service it runs on; default: the name in
//                                                  // lowercase with "_" as "-" (the emulator's convention)
//       "labels": {"commit-sha": "1a2b3c4"},       // the function's own labels
//       "revision": "phase5b-grading-00002-abc",   // serviceConfig.revision; default: the service's latest
//                                                  // ready revision when the scenario loads
//       "state": "ACTIVE",                         // ACTIVE (default), FAILED, DEPLOYING or UNKNOWN
//       "stateMessages": [{"severity": "ERROR", "type": "BuildFailed", "message": "Build failed: ..."}],
//       "build": "2f0c…",                          // id of the last successful build; default generated
//       "updateTime": "ISO"                        // default: "now" when loaded
//     }]
//   }
import { ScenarioError } from './api';
import {
  childPath,
  expectArray,
  expectKnownKeys,
  expectLabels,
  expectObject,
  expectString,
  expectTimestamp,
  optionalString,
  PROJECT_EXPECTED,
  PROJECT_PATTERN,
  REGION_EXPECTED,
  REGION_PATTERN,
  SERVICE_EXPECTED,
  SERVICE_NAME_PATTERN,
} from './scenario';

export const FUNCTION_STATES = ['ACTIVE', 'FAILED', 'DEPLOYING', 'UNKNOWN'] as const;
export type FunctionState = (typeof FUNCTION_STATES)[number];
export const MESSAGE_SEVERITIES = ['ERROR', 'WARNING', 'INFO'] as const;
export type MessageSeverity = (typeof MESSAGE_SEVERITIES)[number];

export interface ScenarioStateMessage {
  severity: MessageSeverity;
  type: string;
  message: string;
}

export interface ScenarioFunction {
  project: string;
  region: string;
  name: string;
  service?: string;
  labels?: Record<string, string>;
  revision?: string;
  state?: FunctionState;
  stateMessages?: ScenarioStateMessage[];
  build?: string;
  updateTime?: string;
}

export interface ScenarioFunctionsSection {
  functions: ScenarioFunction[];
}

export const FUNCTION_NAME_PATTERN = /^[A-Za-z][-A-Za-z0-9_]{0,62}$/;
export const FUNCTION_EXPECTED = 'a function name (letters, digits, hyphens and underscores, starting with a letter, at most 63 characters)';
const BUILD_ID_PATTERN = /^[-a-z0-9]{1,64}$/;

const SECTION_KEYS = ['project', 'region', 'functions'] as const;
const FUNCTION_KEYS = ['project', 'region', 'name', 'service', 'labels', 'revision', 'state', 'stateMessages', 'build', 'updateTime'] as const;
const MESSAGE_KEYS = ['severity', 'type', 'message'] as const;

/** The Cloud Run service a function runs on when the scenario names none. */
export function defaultServiceName(functionName: string): string {
  return functionName.toLowerCase().replace(/_/g, '-');
}

export function parseFunctionsSection(value: unknown, path = '$.functions'): ScenarioFunctionsSection {
  if (value === undefined) return { functions: [] };
  const object = expectObject(value, path, 'an object like {"functions": [...]}');
  expectKnownKeys(object, path, SECTION_KEYS);
  const defaults = {
    project: optionalString(object.project, childPath(path, 'project'), PROJECT_PATTERN, PROJECT_EXPECTED),
    region: optionalString(object.region, childPath(path, 'region'), REGION_PATTERN, REGION_EXPECTED),
  };
  const listPath = childPath(path, 'functions');
  const functions = (object.functions === undefined ? [] : expectArray(object.functions, listPath, 'an array of functions')).map((f, i) =>
    parseFunctionSpec(f, childPath(listPath, i), defaults),
  );
  const seen = new Map<string, number>();
  functions.forEach((f, i) => {
    const key = `${f.project}/${f.region}/${f.name}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) throw new ScenarioError(childPath(childPath(listPath, i), 'name'), `a function name not already used by ${listPath}[${earlier}] in the same project and region`);
    seen.set(key, i);
  });
  return { functions };
}

/** One function in the scenario shape (also the payload of the control API's `function` action). */
export function parseFunctionSpec(value: unknown, path: string, defaults: { project?: string | undefined; region?: string | undefined } = {}): ScenarioFunction {
  const object = expectObject(value, path, 'a function object like {"name": "fn", "labels": {...}}');
  expectKnownKeys(object, path, FUNCTION_KEYS);
  const name = expectString(object.name, childPath(path, 'name'), FUNCTION_NAME_PATTERN, FUNCTION_EXPECTED);
  const project = optionalString(object.project, childPath(path, 'project'), PROJECT_PATTERN, PROJECT_EXPECTED) ?? defaults.project;
  if (project === undefined) throw new ScenarioError(childPath(path, 'project'), `${PROJECT_EXPECTED} (or a "project" default on the functions section)`);
  const region = optionalString(object.region, childPath(path, 'region'), REGION_PATTERN, REGION_EXPECTED) ?? defaults.region;
  if (region === undefined) throw new ScenarioError(childPath(path, 'region'), `${REGION_EXPECTED} (or a "region" default on the functions section)`);
  const spec: ScenarioFunction = { project, region, name };
  const service = optionalString(object.service, childPath(path, 'service'), SERVICE_NAME_PATTERN, SERVICE_EXPECTED);
  if (service !== undefined) spec.service = service;
  if (object.labels !== undefined) spec.labels = expectLabels(object.labels, childPath(path, 'labels'));
  const revision = optionalString(object.revision, childPath(path, 'revision'), /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/, 'a revision name of lowercase letters, digits and hyphens');
  if (revision !== undefined) spec.revision = revision;
  if (object.state !== undefined) spec.state = expectOneOf(object.state, childPath(path, 'state'), FUNCTION_STATES);
  if (object.stateMessages !== undefined) {
    const messagesPath = childPath(path, 'stateMessages');
    spec.stateMessages = expectArray(object.stateMessages, messagesPath, 'an array of state messages').map((m, i) => parseStateMessage(m, childPath(messagesPath, i)));
  }
  const build = optionalString(object.build, childPath(path, 'build'), BUILD_ID_PATTERN, 'a build id of lowercase letters, digits and hyphens');
  if (build !== undefined) spec.build = build;
  if (object.updateTime !== undefined) {
    expectTimestamp(object.updateTime, childPath(path, 'updateTime'));
    spec.updateTime = object.updateTime as string;
  }
  return spec;
}

function parseStateMessage(value: unknown, path: string): ScenarioStateMessage {
  const object = expectObject(value, path, 'a state message like {"severity": "ERROR", "type": "BuildFailed", "message": "..."}');
  expectKnownKeys(object, path, MESSAGE_KEYS);
  return {
    severity: expectOneOf(object.severity, childPath(path, 'severity'), MESSAGE_SEVERITIES),
    type: expectString(object.type ?? '', childPath(path, 'type')),
    message: expectString(object.message, childPath(path, 'message')),
  };
}

export function expectOneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ScenarioError(path, `one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return value as T;
}
