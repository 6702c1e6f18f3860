// The emulator's scenario: the JSON document that seeds every emulated API, and its validation.
//
// Shape (every key optional unless marked required):
//
//   {
//     "description": "free text, ignored",
//     "now": "2026-01-30T23:00:00Z",            // the emulator's clock starts here and keeps ticking
//     "run": {                                  // Cloud Run Admin API v2
//       "project": "p", "region": "us-west2",   // defaults for the services below
//       "projects": ["empty-project"],          // projects that exist but have no services (others answer 404)
//       "services": [{
//         "project": "p", "region": "us-west2", // required unless defaulted above
//         "name": "svc",                        // required; a Cloud Run service name
//         "labels": {"team": "predictions"},    // service labels (Google label rules apply)
//         "reconciling": false,                 // true: the service reports a rollout in progress
//         "createTime": "ISO",                  // default: the first revision's createTime
//         "revisions": [{                       // oldest first; the last one is latestCreatedRevision
//           "name": "svc-00001-abc",            // default generated as svc-000NN-xyz; must start with "svc-"
//           "labels": {"commit-sha": "1a2b3c4"},
//           "image": "us-west2-docker.pkg.dev/p/repo/svc:tag", // default: a per-revision digest
//           "ready": true,                      // false: a failed revision (Ready condition CONDITION_FAILED)
//           "message": "why it failed",         // the Ready condition message
//           "createTime": "ISO"                 // default: spread hourly before "now"
//         }],
//         "traffic": [                          // default [{"latest": true, "percent": 100}]
//           {"revision": "svc-00001-abc", "percent": 90, "tag": "stable"},
//           {"latest": true, "percent": 10}      // LATEST follows latestReadyRevision
//         ]
//       }],
//       "jobs": [...]                           // Cloud Run jobs: see jobs/scenario.ts
//     },
//     "functions": { ... },                     // Cloud Run functions: see functions-scenario.ts
//     "logging": { ... },                       // validated by the Logging module
//     "bigquery": { ... }                       // validated by the BigQuery module
//   }
//
// Validation failures throw ScenarioError naming the JSON path (`$.run.services[2].traffic[0].percent`)
// and what was expected there; a scenario read from a file also names the file and line.
import * as fs from 'node:fs';
import { findNodeAtLocation, parse, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { ScenarioError } from './api';

export interface ScenarioRevision {
  name?: string;
  labels?: Record<string, string>;
  image?: string;
  ready?: boolean;
  message?: string;
  createTime?: string;
}

export type ScenarioTrafficTarget =
  | { revision: string; percent: number; tag?: string }
  | { latest: true; percent: number; tag?: string };

export interface ScenarioService {
  project?: string;
  region?: string;
  name: string;
  labels?: Record<string, string>;
  reconciling?: boolean;
  createTime?: string;
  revisions?: ScenarioRevision[];
  traffic?: ScenarioTrafficTarget[];
}

export interface ScenarioRunSection {
  project?: string;
  region?: string;
  projects?: string[];
  services?: ScenarioService[];
  /** Cloud Run jobs, checked by jobs/scenario.ts (parseJobsSection). */
  jobs?: Record<string, unknown>[];
}

export interface Scenario {
  description?: string;
  now?: string;
  run?: ScenarioRunSection;
  functions?: unknown;
  logging?: unknown;
  bigquery?: unknown;
  /** Sections of extra modules (StartOptions.modules.extra) are keyed by module name. */
  [section: string]: unknown;
}

/** A scenario problem located in a file: `file:line: $.path: expected ...`. */
export class ScenarioFileError extends ScenarioError {
  constructor(
    readonly file: string,
    jsonPath: string,
    expected: string,
    readonly line: number | null,
  ) {
    super(jsonPath, expected);
    this.name = 'ScenarioFileError';
    this.message = `${file}${line !== null ? `:${line}` : ''}: ${jsonPath}: expected ${expected}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Patterns. Project IDs are looser than Google's (6–30 chars) so small test scenarios can say "p".

export const PROJECT_PATTERN = /^([a-z0-9.-]+:)?[a-z][-a-z0-9]{0,62}$/;
export const REGION_PATTERN = /^[a-z]+-[a-z]+[0-9]+$/;
export const SERVICE_NAME_PATTERN = /^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/;
// Google label rules: keys start with a lowercase letter; keys and values use lowercase letters,
// digits, "_" and "-", at most 63 characters. An ISO timestamp is NOT a valid label value.
const LABEL_KEY_PATTERN = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE_PATTERN = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
const TRAFFIC_TAG_PATTERN = /^[a-z](?:[-a-z0-9]{0,45}[a-z0-9])?$/;
const RFC3339_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export const PROJECT_EXPECTED = 'a Google Cloud project ID (lowercase letters, digits and hyphens, starting with a letter)';
export const REGION_EXPECTED = 'a Cloud Run region such as "us-west2"';
export const SERVICE_EXPECTED =
  'a Cloud Run service name (lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 49 characters)';

// ---------------------------------------------------------------------------------------------
// Small typed readers: each either returns the narrowed value or throws ScenarioError at `path`.

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

export function expectObject(value: unknown, path: string, expected = 'an object'): JsonObject {
  if (!isJsonObject(value)) throw new ScenarioError(path, `${expected}, got ${describeJson(value)}`);
  return value;
}

/** Rejects keys outside `allowed`, so a typo ("revison") fails loudly instead of being ignored. */
export function expectKnownKeys(object: JsonObject, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      throw new ScenarioError(childPath(path, key), `one of the keys ${allowed.map((k) => `"${k}"`).join(', ')} (unknown key "${key}")`);
    }
  }
}

export function expectString(value: unknown, path: string, pattern?: RegExp, expected?: string): string {
  if (typeof value !== 'string' || (pattern !== undefined && !pattern.test(value))) {
    throw new ScenarioError(path, `${expected ?? 'a string'}, got ${describeJson(value)}`);
  }
  return value;
}

export function optionalString(value: unknown, path: string, pattern?: RegExp, expected?: string): string | undefined {
  return value === undefined ? undefined : expectString(value, path, pattern, expected);
}

export function expectBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new ScenarioError(path, `true or false, got ${describeJson(value)}`);
  return value;
}

export function optionalBoolean(value: unknown, path: string): boolean | undefined {
  return value === undefined ? undefined : expectBoolean(value, path);
}

export function expectInteger(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ScenarioError(path, `an integer from ${min} to ${max}, got ${describeJson(value)}`);
  }
  return value;
}

export function expectArray(value: unknown, path: string, expected = 'an array'): unknown[] {
  if (!Array.isArray(value)) throw new ScenarioError(path, `${expected}, got ${describeJson(value)}`);
  return value;
}

/** An RFC 3339 timestamp ("2026-01-30T22:59:00Z"); returns epoch milliseconds. */
export function expectTimestamp(value: unknown, path: string): number {
  const text = expectString(value, path, RFC3339_PATTERN, 'an RFC 3339 timestamp such as "2026-01-30T22:59:00Z"');
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ScenarioError(path, `a real date and time, got ${JSON.stringify(text)}`);
  return ms;
}

export function expectLabels(value: unknown, path: string): Record<string, string> {
  const object = expectObject(value, path, 'an object of label key → value strings');
  const labels: Record<string, string> = {};
  const keys = Object.keys(object);
  if (keys.length > 64) throw new ScenarioError(path, `at most 64 labels, got ${keys.length}`);
  for (const key of keys) {
    const keyPath = childPath(path, key);
    if (!LABEL_KEY_PATTERN.test(key)) {
      throw new ScenarioError(keyPath, `a label key of lowercase letters, digits, "_" and "-" starting with a letter (at most 63 characters), got key ${JSON.stringify(key)}`);
    }
    labels[key] = expectString(
      object[key],
      keyPath,
      LABEL_VALUE_PATTERN,
      'a label value of lowercase letters, digits, "_" and "-" (at most 63 characters; timestamps need encoding such as "2026-01-30t22-59-00z")',
    );
  }
  return labels;
}

export function describeJson(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

// ---------------------------------------------------------------------------------------------
// The Cloud Run section.

const RUN_SECTION_KEYS = ['project', 'region', 'projects', 'services', 'jobs'] as const;
const SERVICE_KEYS = ['project', 'region', 'name', 'labels', 'reconciling', 'createTime', 'revisions', 'traffic'] as const;
const REVISION_KEYS = ['name', 'labels', 'image', 'ready', 'message', 'createTime'] as const;
const TRAFFIC_KEYS = ['revision', 'latest', 'percent', 'tag'] as const;

export interface RunSectionDefaults {
  project?: string;
  region?: string;
}

export function parseRunSection(value: unknown, path = '$.run'): ScenarioRunSection {
  if (value === undefined) return {};
  const object = expectObject(value, path, 'an object like {"services": [...]}');
  expectKnownKeys(object, path, RUN_SECTION_KEYS);
  const defaults: RunSectionDefaults = {
    project: optionalString(object.project, childPath(path, 'project'), PROJECT_PATTERN, PROJECT_EXPECTED),
    region: optionalString(object.region, childPath(path, 'region'), REGION_PATTERN, REGION_EXPECTED),
  };
  const projects =
    object.projects === undefined
      ? undefined
      : expectArray(object.projects, childPath(path, 'projects'), 'an array of project IDs').map((p, i) =>
          expectString(p, childPath(childPath(path, 'projects'), i), PROJECT_PATTERN, PROJECT_EXPECTED),
        );
  const servicesPath = childPath(path, 'services');
  const rawServices = object.services === undefined ? [] : expectArray(object.services, servicesPath, 'an array of services');
  const services = rawServices.map((s, i) => parseServiceSpec(s, childPath(servicesPath, i), defaults));
  const seen = new Map<string, number>();
  services.forEach((s, i) => {
    const key = `${s.project}/${s.region}/${s.name}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new ScenarioError(childPath(childPath(servicesPath, i), 'name'), `a service name not already used by ${servicesPath}[${earlier}] in the same project and region`);
    }
    seen.set(key, i);
  });
  return { ...defaults, projects, services };
}

/** One service in the scenario shape (also the payload of the control API's `service` action). */
export function parseServiceSpec(value: unknown, path: string, defaults: RunSectionDefaults = {}): ScenarioService & { project: string; region: string } {
  const object = expectObject(value, path, 'a service object like {"name": "svc", "revisions": [...]}');
  expectKnownKeys(object, path, SERVICE_KEYS);
  const name = expectString(object.name, childPath(path, 'name'), SERVICE_NAME_PATTERN, SERVICE_EXPECTED);
  const project =
    optionalString(object.project, childPath(path, 'project'), PROJECT_PATTERN, PROJECT_EXPECTED) ??
    defaults.project ??
    fail(childPath(path, 'project'), `${PROJECT_EXPECTED} (or a "project" default on the run section)`);
  const region =
    optionalString(object.region, childPath(path, 'region'), REGION_PATTERN, REGION_EXPECTED) ??
    defaults.region ??
    fail(childPath(path, 'region'), `${REGION_EXPECTED} (or a "region" default on the run section)`);
  const revisionsPath = childPath(path, 'revisions');
  const revisions = (object.revisions === undefined ? [] : expectArray(object.revisions, revisionsPath, 'an array of revisions')).map((r, i) =>
    parseRevisionSpec(r, childPath(revisionsPath, i), name),
  );
  const names = new Set<string>();
  revisions.forEach((r, i) => {
    if (r.name === undefined) return;
    if (names.has(r.name)) throw new ScenarioError(childPath(childPath(revisionsPath, i), 'name'), `a revision name not used twice, "${r.name}" repeats`);
    names.add(r.name);
  });
  const createTimePath = childPath(path, 'createTime');
  if (object.createTime !== undefined) expectTimestamp(object.createTime, createTimePath);
  const traffic =
    object.traffic === undefined ? undefined : parseTrafficSpec(object.traffic, childPath(path, 'traffic'), names, revisions.length > 0);
  return {
    project,
    region,
    name,
    labels: object.labels === undefined ? undefined : expectLabels(object.labels, childPath(path, 'labels')),
    reconciling: optionalBoolean(object.reconciling, childPath(path, 'reconciling')),
    createTime: object.createTime as string | undefined,
    revisions,
    traffic,
  };
}

function parseRevisionSpec(value: unknown, path: string, serviceName: string): ScenarioRevision {
  const object = expectObject(value, path, 'a revision object like {"labels": {"commit-sha": "1a2b3c4"}}');
  expectKnownKeys(object, path, REVISION_KEYS);
  const namePath = childPath(path, 'name');
  const name = optionalString(object.name, namePath, /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/, 'a revision name of lowercase letters, digits and hyphens');
  // Cloud Run requires revision names to carry the service name as prefix.
  if (name !== undefined && !name.startsWith(`${serviceName}-`)) {
    throw new ScenarioError(namePath, `a revision name starting with "${serviceName}-", got ${JSON.stringify(name)}`);
  }
  const createTimePath = childPath(path, 'createTime');
  if (object.createTime !== undefined) expectTimestamp(object.createTime, createTimePath);
  return {
    name,
    labels: object.labels === undefined ? undefined : expectLabels(object.labels, childPath(path, 'labels')),
    image: optionalString(object.image, childPath(path, 'image'), /^\S+$/, 'a container image reference'),
    ready: optionalBoolean(object.ready, childPath(path, 'ready')),
    message: optionalString(object.message, childPath(path, 'message')),
    createTime: object.createTime as string | undefined,
  };
}

/**
 * Traffic targets. `knownRevisions` holds explicit revision names; generated names cannot be
 * targeted by name (they are unknown to the author), so `latest` is the way to reach them.
 */
export function parseTrafficSpec(value: unknown, path: string, knownRevisions: ReadonlySet<string>, hasRevisions: boolean): ScenarioTrafficTarget[] {
  const targets = expectArray(value, path, 'an array of traffic targets like [{"latest": true, "percent": 100}]').map((t, i) => {
    const targetPath = childPath(path, i);
    const object = expectObject(t, targetPath, 'a traffic target like {"revision": "svc-00001-abc", "percent": 100} or {"latest": true, "percent": 100}');
    expectKnownKeys(object, targetPath, TRAFFIC_KEYS);
    const percent = expectInteger(object.percent, childPath(targetPath, 'percent'), 0, 100);
    const tag = optionalString(object.tag, childPath(targetPath, 'tag'), TRAFFIC_TAG_PATTERN, 'a traffic tag of lowercase letters, digits and hyphens');
    if (object.latest !== undefined) {
      if (object.latest !== true) throw new ScenarioError(childPath(targetPath, 'latest'), `true (or use "revision"), got ${describeJson(object.latest)}`);
      if (object.revision !== undefined) throw new ScenarioError(targetPath, 'either "latest": true or "revision", not both');
      return tag === undefined ? { latest: true as const, percent } : { latest: true as const, percent, tag };
    }
    const revisionPath = childPath(targetPath, 'revision');
    const revision = expectString(object.revision, revisionPath, /^\S+$/, 'a revision name (or "latest": true)');
    if (!knownRevisions.has(revision)) {
      const known = [...knownRevisions];
      throw new ScenarioError(revisionPath, `the name of one of this service's revisions (${known.length > 0 ? known.map((n) => `"${n}"`).join(', ') : 'none are named'}), got ${JSON.stringify(revision)}`);
    }
    return tag === undefined ? { revision, percent } : { revision, percent, tag };
  });
  if (targets.length > 0) {
    const total = targets.reduce((sum, t) => sum + t.percent, 0);
    if (total !== 100) throw new ScenarioError(path, `traffic percentages that add up to 100, got ${total}`);
    if (!hasRevisions) throw new ScenarioError(path, 'no traffic on a service without revisions');
  }
  const latestIndexes = targets.flatMap((t, i) => ('latest' in t ? [i] : []));
  if (latestIndexes.length > 1) throw new ScenarioError(childPath(path, latestIndexes[1]!), 'at most one "latest" traffic target');
  const tags = new Set<string>();
  targets.forEach((t, i) => {
    if (t.tag === undefined) return;
    if (tags.has(t.tag)) throw new ScenarioError(childPath(childPath(path, i), 'tag'), `a tag not used twice, "${t.tag}" repeats`);
    tags.add(t.tag);
  });
  return targets;
}

function fail(path: string, expected: string): never {
  throw new ScenarioError(path, expected);
}

// ---------------------------------------------------------------------------------------------
// The whole document.

export const CORE_SECTIONS = ['description', 'now', 'run', 'functions', 'logging', 'bigquery'] as const;

/**
 * Checks the top level (known sections, "now") and the run section. Other sections are checked by
 * their modules' `load`. `extraSections` are the names of extra modules' sections.
 */
export function parseScenario(value: unknown, extraSections: readonly string[] = []): Scenario {
  const object = expectObject(value, '$', 'a scenario object like {"run": {"services": [...]}}');
  expectKnownKeys(object, '$', [...CORE_SECTIONS, ...extraSections]);
  optionalString(object.description, '$.description');
  if (object.now !== undefined) expectTimestamp(object.now, '$.now');
  const run = parseRunSection(object.run, '$.run');
  return { ...object, run } as Scenario;
}

export function readScenarioText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioFileError(file, '$', `a readable scenario file (${(err as Error).message})`, null);
  }
}

export function parseScenarioText(text: string, file: string, extraSections: readonly string[] = []): Scenario {
  const syntaxErrors: ParseError[] = [];
  const raw: unknown = parse(text, syntaxErrors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const firstSyntaxError = syntaxErrors[0];
  if (firstSyntaxError !== undefined) {
    const { line, column } = positionOf(text, firstSyntaxError.offset);
    throw new ScenarioFileError(file, '$', `valid JSON (${printParseErrorCode(firstSyntaxError.error)} at line ${line}, column ${column})`, line);
  }
  try {
    return parseScenario(raw, extraSections);
  } catch (err) {
    throw locateScenarioError(err, text, file);
  }
}

/** Adds file and line to a ScenarioError raised while validating `text` (other errors pass through). */
export function locateScenarioError(err: unknown, text: string, file: string): unknown {
  if (!(err instanceof ScenarioError) || err instanceof ScenarioFileError) return err;
  const tree = parseTree(text);
  let line: number | null = null;
  if (tree) {
    const segments = jsonPathSegments(err.jsonPath);
    for (let n = segments.length; n >= 0 && line === null; n--) {
      const node = findNodeAtLocation(tree, segments.slice(0, n));
      // For a property, point at its key (the parent "property" node) so unknown keys are located too.
      if (node) line = positionOf(text, node.parent?.type === 'property' ? node.parent.offset : node.offset).line;
    }
  }
  return new ScenarioFileError(file, err.jsonPath, err.expected, line);
}

/** `$.run.services[0].labels["commit-sha"]` → ['run', 'services', 0, 'labels', 'commit-sha']. */
export function jsonPathSegments(jsonPath: string): (string | number)[] {
  const segments: (string | number)[] = [];
  const pattern = /\.([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const match of jsonPath.slice(1).matchAll(pattern)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[3] !== undefined) segments.push(JSON.parse(match[3]) as string);
  }
  return segments;
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
