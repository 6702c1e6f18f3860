import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ErrorObject } from 'ajv';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { configValidator } from './config-validator';
import { currentUser, foreignFile, type ForeignFile, type UserIdentity } from './platform/fileOwner';
import { pathExists } from './platform/pathExists';
import { checkJobArgs } from './jobs/args';
import { dateProblem } from './jobs/dates';
import { usesRollup } from './jobs/rollup';
import { parseTableId } from './jobs/tableId';
import { UNIT_KINDS, type UnitKind } from './model';
import { closestMatch } from './text/suggest';
import { unitNameProblem } from './unitNames';

export const CONFIG_FILE_NAME = 'cloud-run-drift.json';
export const DEFAULT_COMMIT_LABEL = 'commit-sha';

/** One configured unit (`services.<name>`): a Cloud Run service, function or job, by its `kind`. */
export interface ServiceConfig {
  name: string;
  /** "service" unless the entry says otherwise. */
  kind: UnitKind;
  project: string;
  region: string;
  /** Normalized repository-relative paths; empty means the whole repository. */
  paths: string[];
  /** Where each of `paths` is written in the file, in the same order: what a problem with one points at. */
  pathSources?: JsonLocation[];
  dependsOn: string[];
}

export interface DeployCommand {
  name: string;
  template: string;
}

/** What a data job that executes a Cloud Run job (`jobs.<name>.cloudRunJob`) starts. */
export interface CloudRunJobRun {
  /** The configured unit (of kind "job") an execution is started of. */
  unit: string;
  /** Argument templates (jobs/args.ts): each becomes one argument of the execution, no shell involved. */
  args: string[];
  /** Tasks of the execution; undefined: the job's own. */
  taskCount: number | undefined;
  /** Each task's timeout in seconds; undefined: the job's own. */
  timeoutSeconds: number | undefined;
}

/**
 * A data job (`jobs.<name>`) over a date range, with the guards it runs behind: either a command
 * (run from the repository root) or an execution of a Cloud Run job; exactly one of the two is set.
 */
export interface DataJobConfig {
  name: string;
  command: string | undefined;
  cloudRunJob?: CloudRunJobRun | undefined;
  description: string | undefined;
  /** Services that must be up to date before the job runs. */
  requires: string[];
  /** Where its queries run; ${project} in its command. */
  project: string;
  /** project.dataset.table whose streaming buffer must be empty before the job runs. */
  table: string | undefined;
  maxDays: number;
  /** Standard SQL with @startDate and @endDate DATE parameters. */
  scoreboard: string | undefined;
  /** How each scoreboard column totals (absent: no totals row, unless the query has ROLLUP). */
  totals?: TotalsRules | undefined;
  /** The range the scoreboard opens with when no run is known (YYYY-MM-DD, inclusive). */
  scoreboardRange?: { start: string; end: string } | undefined;
}

/** How a scoreboard column totals: exact for sum/min/max; a weighted mean is exact only with the right weight. */
export type TotalRule = 'sum' | 'min' | 'max' | { weightedBy: string };

/** Column name → how it totals (`jobs.<name>.totals`). */
export type TotalsRules = Readonly<Record<string, TotalRule>>;

export const DEFAULT_JOB_MAX_DAYS = 31;

export interface Endpoints {
  run?: string;
  /** The Cloud Functions v2 API, for units of kind "function". */
  functions?: string;
  logging?: string;
  bigquery?: string;
}

export interface DriftConfig {
  /** Absolute path of the file the configuration came from. */
  file: string;
  /** The directory holding the file: the repository root the paths are relative to. */
  root: string;
  commitLabel: string;
  /** In the order the file lists them. */
  services: ServiceConfig[];
  /** The first is the default deploy command. Empty when the repository has none. */
  deployCommands: DeployCommand[];
  logFilters: Record<string, string>;
  /** In the order the file lists them. */
  jobs: DataJobConfig[];
  endpoints: Endpoints;
}

/** A place in the configuration file. */
export interface JsonLocation {
  /** JSON path such as `$.services["prediction-worker"].paths[0]`; `$` for the whole document. */
  jsonPath: string;
  /** 1-based line, when the location is known. */
  line: number | null;
}

export interface ConfigProblem extends JsonLocation {
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(problems.map((p) => formatConfigProblem(file, p)).join('\n'));
    this.name = 'ConfigError';
  }
}

/** `file:line: $.json.path: message`, as compilers print errors. */
export function formatConfigProblem(file: string, problem: ConfigProblem): string {
  return `${file}${problem.line ? `:${problem.line}` : ''}: ${problem.jsonPath}: ${problem.message}`;
}

interface RawService {
  kind?: UnitKind;
  paths?: string[];
  project?: string;
  region?: string;
  dependsOn?: string[];
}

interface RawConfig {
  project?: string;
  region?: string;
  commitLabel?: string;
  services: Record<string, RawService>;
  deploy?: { command?: string; commands?: Record<string, string>; default?: string };
  logFilters?: Record<string, string>;
  jobs?: Record<string, RawJob>;
  endpoints?: Endpoints;
}

interface RawJob {
  command?: string;
  cloudRunJob?: string;
  args?: string[];
  taskCount?: number;
  timeout?: number | string;
  description?: string;
  requires?: string[];
  project?: string;
  table?: string;
  maxDays?: number;
  scoreboard?: string;
  totals?: Record<string, TotalRule>;
  scoreboardRange?: { start: string; end: string };
}

/**
 * Walks up from `start` to the nearest directory holding cloud-run-drift.json, stopping at the top level of the
 * git repository `start` is in (the directory holding `.git`, a folder or, in a worktree or submodule, a file):
 * a file above the repository is not the repository's. Outside any repository it walks up to the root.
 */
export async function findConfigFile(start: string): Promise<string | null> {
  let dir = path.resolve(start);
  for (;;) {
    if (await isFile(path.join(dir, CONFIG_FILE_NAME))) return path.join(dir, CONFIG_FILE_NAME);
    if (await pathExists(path.join(dir, '.git'))) return null;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then((stat) => stat.isFile(), () => false);
}

/**
 * Reads and validates `file`. It decides where the user's credentials and deploy commands go, so a file `user`
 * does not own, or that others can write, is refused (platform/fileOwner.ts); the check is made on the file opened, so
 * it cannot be swapped in between.
 */
export async function loadConfig(file: string, user: UserIdentity | null = currentUser()): Promise<DriftConfig> {
  const absolute = path.resolve(file);
  const unreadable = (err: unknown): ConfigError => new ConfigError(absolute, [{ jsonPath: '$', line: null, message: `cannot read the file (${(err as Error).message})` }]);
  const handle = await fs.open(absolute, 'r').catch((err: unknown) => {
    throw unreadable(err);
  });
  let text: string;
  try {
    const foreign = foreignFile(await handle.stat(), user, { privateGroupMayWrite: true });
    if (foreign) throw new ConfigError(absolute, [{ jsonPath: '$', line: null, message: foreignConfigMessage(absolute, foreign) }]);
    text = await handle.readFile('utf8').catch((err: unknown) => {
      throw unreadable(err);
    });
  } finally {
    await handle.close();
  }
  return parseConfig(text, absolute);
}

/**
 * How deep `[` and `{` may nest. A valid configuration needs four levels; the JSON parser recurses
 * once per level, so without a bound a hostile file exhausts the stack instead of being refused.
 */
export const MAX_NESTING = 32;

function foreignConfigMessage(file: string, foreign: ForeignFile): string {
  const why = 'it decides where your Google credentials and deploy commands go';
  // JSON quoting: a path is shown with any control character escaped, and pastes into a shell as one word.
  if (foreign.kind === 'owner') {
    return `refusing to read a configuration owned by another user (uid ${foreign.owner}; you are uid ${foreign.user}): ${why}. If you trust it, make it yours: chown ${foreign.user} ${JSON.stringify(file)}`;
  }
  return `refusing to read a configuration that other users can write (mode ${foreign.mode}): ${why}. Run: chmod go-w ${JSON.stringify(file)}`;
}

/** Parses and validates configuration text; `file` is only used for messages and to find the root. */
export function parseConfig(text: string, file: string): DriftConfig {
  // A leading byte order mark, as some Windows editors write, is not part of the JSON.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lineOf = lineFinder(body);
  const tooDeep = nestingBeyond(body, MAX_NESTING);
  if (tooDeep !== null) {
    throw new ConfigError(file, [
      { jsonPath: '$', line: lineOf(tooDeep), message: `nested more than ${MAX_NESTING} levels deep (a configuration needs at most 4)` },
    ]);
  }
  const syntaxErrors: ParseError[] = [];
  const tree = parseTree(body, syntaxErrors, { disallowComments: true, allowTrailingComma: false });
  if (syntaxErrors.length > 0) {
    throw new ConfigError(
      file,
      syntaxErrors.slice(0, 5).map((e) => ({
        jsonPath: '$',
        line: lineOf(e.offset),
        message: `invalid JSON: ${describeSyntaxError(printParseErrorCode(e.error), body, e.offset)}`,
      })),
    );
  }
  if (!tree) throw new ConfigError(file, [{ jsonPath: '$', line: 1, message: 'invalid JSON: expected a value' }]);
  const duplicates = duplicateKeyProblems(tree, lineOf);
  if (duplicates.length > 0) throw new ConfigError(file, duplicates);
  // The text is plain JSON by now. JSON.parse makes every key an own property ("__proto__"
  // included), where assigning keys one by one would let such a key replace an object's prototype.
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (err) {
    throw new ConfigError(file, [{ jsonPath: '$', line: null, message: `invalid JSON: ${(err as Error).message}` }]);
  }
  const locate = (segments: (string | number)[]): number | null => {
    const node = findNodeAtLocation(tree, segments) ?? deepestNode(tree, segments);
    return node ? lineOf(node.offset) : null;
  };

  const validate = configValidator();
  if (!validate(raw)) {
    const problems = dedupeErrors(validate.errors ?? []).map((e) => {
      const segments = pointerSegments(e.instancePath);
      if (e.keyword === 'additionalProperties') {
        const extra = String((e.params as { additionalProperty: string }).additionalProperty);
        segments.push(extra);
      }
      if (e.keyword === 'propertyNames') {
        const bad = String((e.params as { propertyName: string }).propertyName);
        segments.push(bad);
      }
      return { jsonPath: jsonPath(segments), line: locate(segments), message: describeSchemaError(e, kindAt(raw, segments)) };
    });
    throw new ConfigError(file, problems);
  }
  return resolveConfig(raw as RawConfig, file, locate);
}

/** The offset of the first `[` or `{` nested deeper than `limit`, or null. Strings end as the JSON parser ends them. */
function nestingBeyond(text: string, limit: number): number | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22 || c === 0x0a || c === 0x0d) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) {
      depth--;
    }
  }
  return null;
}

/**
 * Every key that an object lists more than once, located at its repeat: JSON parsers keep the last
 * silently, so the first would be read and then ignored.
 */
function duplicateKeyProblems(tree: Node, lineOf: (offset: number) => number): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const pending: { node: Node; segments: (string | number)[] }[] = [{ node: tree, segments: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { node, segments } = next;
    if (node.type === 'array') {
      (node.children ?? []).forEach((child, i) => pending.push({ node: child, segments: [...segments, i] }));
      continue;
    }
    if (node.type !== 'object') continue;
    const firstLines = new Map<string, number>();
    for (const property of node.children ?? []) {
      const [keyNode, valueNode] = property.children ?? [];
      if (!keyNode) continue;
      const key = String(keyNode.value);
      const line = lineOf(keyNode.offset);
      const first = firstLines.get(key);
      if (first === undefined) firstLines.set(key, line);
      else problems.push({ jsonPath: jsonPath(segments), line, message: `duplicate key ${JSON.stringify(key)} (lines ${first} and ${line}); keep one` });
      if (valueNode) pending.push({ node: valueNode, segments: [...segments, key] });
    }
  }
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function resolveConfig(raw: RawConfig, file: string, locate: (s: (string | number)[]) => number | null): DriftConfig {
  const problems: ConfigProblem[] = [];
  const problem = (segments: (string | number)[], message: string): void => {
    problems.push({ jsonPath: jsonPath(segments), line: locate(segments), message });
  };
  const names = Object.keys(raw.services);
  if (names.length === 0) problem(['services'], 'expected at least one service');

  const services: ServiceConfig[] = names.map((name) => {
    const svc = raw.services[name]!;
    const kind = svc.kind ?? 'service';
    const badName = unitNameProblem(kind, name);
    if (badName) problem(['services', name], badName);
    const project = svc.project ?? raw.project;
    const region = svc.region ?? raw.region;
    if (!project) problem(['services', name], 'expected a "project" here or at the top level');
    if (!region) problem(['services', name], 'expected a "region" here or at the top level');
    (svc.dependsOn ?? []).forEach((dep, i) => {
      if (!Object.hasOwn(raw.services, dep)) problem(['services', name, 'dependsOn', i], `expected the name of a configured service, got "${dep}"`);
      if (dep === name) problem(['services', name, 'dependsOn', i], `a ${kind} cannot depend on itself`);
    });
    return {
      name,
      kind,
      project: project ?? '',
      region: region ?? '',
      ...pathsOf(svc.paths ?? [], ['services', name, 'paths'], locate),
      dependsOn: svc.dependsOn ?? [],
    };
  });

  const cycle = findDependencyCycle(services);
  if (cycle) problem(['services', cycle[0]!, 'dependsOn'], `expected no dependency cycle, found ${cycle.join(' → ')}`);

  const deployCommands: DeployCommand[] = [];
  const deploy = raw.deploy ?? {};
  if (deploy.command !== undefined && deploy.commands !== undefined) {
    problem(['deploy'], 'expected either "command" or "commands", not both');
  }
  if (deploy.command !== undefined) deployCommands.push({ name: 'deploy', template: deploy.command });
  if (deploy.commands !== undefined) {
    for (const [name, template] of Object.entries(deploy.commands)) deployCommands.push({ name, template });
    if (deploy.default !== undefined) {
      const index = deployCommands.findIndex((c) => c.name === deploy.default);
      if (index < 0) problem(['deploy', 'default'], `expected one of ${Object.keys(deploy.commands).map((n) => `"${n}"`).join(', ')}`);
      else deployCommands.unshift(...deployCommands.splice(index, 1));
    }
  } else if (deploy.default !== undefined) {
    problem(['deploy', 'default'], 'expected "commands" beside "default"');
  }

  const jobs: DataJobConfig[] = Object.entries(raw.jobs ?? {}).map(([name, job]) => {
    (job.requires ?? []).forEach((service, i) => {
      if (!Object.hasOwn(raw.services, service)) problem(['jobs', name, 'requires', i], `expected the name of a configured service, got "${service}"`);
    });
    const project = job.project ?? raw.project ?? (job.table === undefined ? undefined : parseTableId(job.table)?.project);
    if (!project) problem(['jobs', name], 'expected a "project" here or at the top level (or a "table" that names one)');
    const cloudRunJob = cloudRunJobOf(raw, name, job, problem);
    for (const [segments, message] of scoreboardProblems(job)) problem(['jobs', name, ...segments], message);
    return {
      name,
      command: job.command,
      ...(cloudRunJob ? { cloudRunJob } : {}),
      description: job.description,
      requires: job.requires ?? [],
      project: project ?? '',
      table: job.table,
      maxDays: job.maxDays ?? DEFAULT_JOB_MAX_DAYS,
      scoreboard: job.scoreboard,
      ...(job.totals ? { totals: job.totals } : {}),
      ...(job.scoreboardRange ? { scoreboardRange: job.scoreboardRange } : {}),
    };
  });

  if (problems.length > 0) throw new ConfigError(file, problems);
  return {
    file,
    root: path.dirname(file),
    commitLabel: raw.commitLabel ?? DEFAULT_COMMIT_LABEL,
    services,
    deployCommands,
    logFilters: raw.logFilters ?? {},
    jobs,
    endpoints: raw.endpoints ?? {},
  };
}

/** Settings that only a data job executing a Cloud Run job takes. */
const CLOUD_RUN_JOB_KEYS = ['args', 'taskCount', 'timeout'] as const;

/** A data job's `cloudRunJob` settings, checked; undefined for a command job. Problems go to `problem`. */
function cloudRunJobOf(raw: RawConfig, name: string, job: RawJob, problem: (segments: (string | number)[], message: string) => void): CloudRunJobRun | undefined {
  if (job.command !== undefined && job.cloudRunJob !== undefined) {
    problem(['jobs', name, 'cloudRunJob'], 'expected either "command" or "cloudRunJob", not both');
    return undefined;
  }
  if (job.cloudRunJob === undefined) {
    for (const key of CLOUD_RUN_JOB_KEYS) if (job[key] !== undefined) problem(['jobs', name, key], `"${key}" is for a data job that executes a Cloud Run job ("cloudRunJob"); a command takes its arguments in "command"`);
    return undefined;
  }
  const unit = job.cloudRunJob;
  const entry = Object.hasOwn(raw.services, unit) ? raw.services[unit] : undefined;
  if (!entry) {
    const jobs = Object.keys(raw.services).filter((n) => raw.services[n]!.kind === 'job');
    const near = closestMatch(unit, jobs);
    problem(['jobs', name, 'cloudRunJob'], `expected the name of a configured unit of kind "job", got "${unit}"${jobs.length > 0 ? ` (configured jobs: ${jobs.join(', ')})` : ' (add it under "services" with "kind": "job")'}${near ? `; did you mean "${near}"?` : ''}`);
  } else if ((entry.kind ?? 'service') !== 'job') {
    problem(['jobs', name, 'cloudRunJob'], `"${unit}" is a ${entry.kind ?? 'service'}, not a Cloud Run job: only a unit of kind "job" can be executed`);
  }
  if (job.args === undefined) problem(['jobs', name], 'expected "args" beside "cloudRunJob", the execution\'s arguments, e.g. ["--start-date=${startDate}", "--end-date=${endDate}"]');
  const bad = checkJobArgs(job.args ?? []);
  if (bad) problem(['jobs', name, 'args', bad.index], bad.error.message);
  let timeoutSeconds: number | undefined;
  if (job.timeout !== undefined) {
    timeoutSeconds = parseJobTimeout(job.timeout) ?? undefined;
    if (timeoutSeconds === undefined) problem(['jobs', name, 'timeout'], `expected whole seconds (3600) or a duration such as "90m", "2h" or "1h30m", from 1 second to 168h, got ${JSON.stringify(job.timeout)}`);
  }
  return { unit, args: job.args ?? [], taskCount: job.taskCount, timeoutSeconds };
}

/** Longest task timeout Cloud Run allows a job: 168 hours. */
export const MAX_JOB_TIMEOUT_SECONDS = 168 * 3600;

/** A job timeout in seconds from a number of seconds or "1h30m"-style text; null when it is neither or out of range. */
export function parseJobTimeout(value: number | string): number | null {
  let seconds: number;
  if (typeof value === 'number') {
    seconds = value;
  } else {
    const match = /^(?=\d)(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
    if (!match) return null;
    seconds = Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  }
  return Number.isInteger(seconds) && seconds >= 1 && seconds <= MAX_JOB_TIMEOUT_SECONDS ? seconds : null;
}

/** Strips `./` and trailing slashes; `.` or an empty path means the whole repository. */
/** What the schema cannot say about a job's scoreboard settings: [JSON path below the job, message]. */
function scoreboardProblems(job: RawJob): Array<[(string | number)[], string]> {
  const problems: Array<[(string | number)[], string]> = [];
  if (job.totals !== undefined) {
    if (job.scoreboard === undefined) problems.push([['totals'], 'expected a "scoreboard" query beside "totals"']);
    else if (usesRollup(job.scoreboard)) problems.push([['totals'], 'the scoreboard query computes its own Total row with GROUP BY ROLLUP; remove "totals" or the ROLLUP']);
    for (const [column, rule] of Object.entries(job.totals)) {
      if (typeof rule === 'object' && rule.weightedBy.toLowerCase() === column.toLowerCase()) {
        problems.push([['totals', column, 'weightedBy'], `a column cannot be weighted by itself; name the count column "${column}" averages over (e.g. "graded")`]);
      }
    }
  }
  const range = job.scoreboardRange;
  if (range !== undefined) {
    const start = dateProblem(range.start);
    const end = dateProblem(range.end);
    if (start) problems.push([['scoreboardRange', 'start'], start]);
    if (end) problems.push([['scoreboardRange', 'end'], end]);
    if (!start && !end && range.start > range.end) problems.push([['scoreboardRange', 'end'], `expected a date on or after the start ${range.start}, got ${range.end}`]);
  }
  return problems;
}

export function normalizePaths(paths: string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    const clean = normalizePath(p);
    if (clean === '.' || clean === '') return [];
    out.add(clean);
  }
  return [...out];
}

function normalizePath(p: string): string {
  return path.posix.normalize(p.replace(/\\/g, '/')).replace(/\/+$/, '');
}

/** A service's normalized paths, each with where the file first writes it. */
function pathsOf(raw: string[], at: (string | number)[], locate: (s: (string | number)[]) => number | null): Pick<ServiceConfig, 'paths' | 'pathSources'> {
  const paths = normalizePaths(raw);
  const written = raw.map(normalizePath);
  const pathSources = paths.map((p) => {
    const segments = [...at, written.indexOf(p)];
    return { jsonPath: jsonPath(segments), line: locate(segments) };
  });
  return { paths, pathSources };
}

function findDependencyCycle(services: ServiceConfig[]): string[] | null {
  const byName = new Map(services.map((s) => [s.name, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  // Depth first with a stack of our own: a chain of thousands of services must not exhaust the call stack.
  for (const start of services) {
    if (state.has(start.name)) continue;
    state.set(start.name, 'visiting');
    const stack: { name: string; next: number }[] = [{ name: start.name, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const deps = byName.get(top.name)?.dependsOn ?? [];
      if (top.next >= deps.length) {
        state.set(top.name, 'done');
        stack.pop();
        continue;
      }
      const dep = deps[top.next++]!;
      if (!byName.has(dep) || state.get(dep) === 'done') continue;
      if (state.get(dep) === 'visiting') {
        const names = stack.map((entry) => entry.name);
        return [...names.slice(names.indexOf(dep)), dep];
      }
      state.set(dep, 'visiting');
      stack.push({ name: dep, next: 0 });
    }
  }
  return null;
}

/** 1-based line of an offset, by binary search over the line starts (found once). */
function lineFinder(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };
}

function deepestNode(tree: Node, segments: (string | number)[]): Node | undefined {
  for (let n = segments.length - 1; n >= 0; n--) {
    const node = findNodeAtLocation(tree, segments.slice(0, n));
    if (node) return node;
  }
  return undefined;
}

function pointerSegments(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function jsonPath(segments: (string | number)[]): string {
  let out = '$';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

function dedupeErrors(errors: ErrorObject[]): ErrorObject[] {
  // A bad property name reports both the propertyNames failure and the inner pattern failure.
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (e.propertyName !== undefined && e.keyword !== 'propertyNames') return false;
    // An if/then(/else) reports its failed branch's own error, and then the "if" on top of it: keep the first.
    if (e.keyword === 'if') return false;
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const SCHEMA_HINTS: Record<string, string> = {
  unitName: 'the name of a Cloud Run service, function or job (letters, digits, hyphens and underscores, starting with a letter, at most 63 characters; see "kind" for each one\'s rules)',
  projectId: 'a Google Cloud project ID such as "my-project-123"',
  region: 'a Cloud Run region such as "us-west2"',
  tableId: 'a BigQuery table as project.dataset.table, e.g. "my-project.analytics.events"',
  jobName: 'a job name (lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen)',
};

/**
 * The kind of the unit a JSON path lies in or names (`services.<name>` and below), as its entry
 * says; null outside `services` or when the entry's kind is not one.
 */
function kindAt(raw: unknown, segments: readonly (string | number)[]): UnitKind | null {
  if (segments[0] !== 'services' || typeof segments[1] !== 'string') return null;
  const services = (raw as { services?: unknown }).services;
  const entry = typeof services === 'object' && services !== null && Object.hasOwn(services, segments[1]) ? (services as Record<string, unknown>)[segments[1]] : undefined;
  const kind = typeof entry === 'object' && entry !== null ? (entry as { kind?: unknown }).kind ?? 'service' : 'service';
  return (UNIT_KINDS as readonly unknown[]).includes(kind) ? (kind as UnitKind) : null;
}

/** Settings of a unit that serves traffic, which a Cloud Run job (it runs to completion) cannot have. */
const TRAFFIC_KEY = /^(traffic|tags?|traffic_?tags?|percent)$/i;

function describeSchemaError(e: ErrorObject, kind: UnitKind | null): string {
  const params = e.params as Record<string, unknown>;
  const definition = /#\/definitions\/([A-Za-z]+)/.exec(e.schemaPath)?.[1];
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = allowedKeys(e);
      if (kind === 'job' && e.instancePath.split('/').length === 3 && TRAFFIC_KEY.test(key)) {
        return `unknown key "${key}": a Cloud Run job serves no traffic (each execution runs to completion), so it takes no traffic settings (expected one of: ${allowed.join(', ')})`;
      }
      const near = closestMatch(key, allowed);
      return `unknown key "${key}" (expected one of: ${allowed.join(', ')})${near ? `; did you mean "${near}"?` : ''}`;
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      if (e.instancePath === '/jobs') return `invalid job name "${name}": expected ${SCHEMA_HINTS.jobName}`;
      // The entry's own kind decides which rule its name breaks; a kind that is not one is reported on its own.
      if (kind !== null) return unitNameProblem(kind, name) ?? `invalid name "${name}": expected ${SCHEMA_HINTS.unitName}`;
      return `invalid name "${name}": expected ${SCHEMA_HINTS.unitName}`;
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      const got = JSON.stringify(e.data) ?? String(e.data);
      const near = typeof e.data === 'string' ? closestMatch(e.data, (params.allowedValues as unknown[]).map(String)) : null;
      const expected = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}` : allowed.join('');
      return `expected ${expected}, got ${got}${near ? `; did you mean "${near}"?` : ''}`;
    }
    case 'required':
      if (params.missingProperty === 'command' && /^\/jobs\/[^/]+$/.test(e.instancePath)) return 'missing "command" (a command to run) or "cloudRunJob" (a Cloud Run job to execute)';
      return `missing required key "${String(params.missingProperty)}"`;
    case 'type':
      return `expected ${String(params.type)}`;
    case 'pattern':
      if (typeof e.data === 'string' && CONTROL_CHARACTER.test(e.data)) {
        return `expected no control characters, found ${describeCharacter(e.data.codePointAt(e.data.search(CONTROL_CHARACTER))!)}`;
      }
      if (definition && SCHEMA_HINTS[definition]) return `expected ${SCHEMA_HINTS[definition]}`;
      if (e.instancePath.includes('/paths/')) return 'expected a repository-relative path with "/" between folders, without ".." segments';
      if (e.instancePath.startsWith('/endpoints/logging')) return 'expected host:port such as "127.0.0.1:8124"';
      if (e.instancePath.startsWith('/endpoints/')) return 'expected a URL such as "http://127.0.0.1:8123"';
      if (e.instancePath === '/commitLabel') return 'expected a label key (lowercase letters, digits, "_" and "-", starting with a letter)';
      return `expected a string matching ${String(params.pattern)}`;
    case 'minLength':
      return 'expected a non-empty string';
    case 'minimum':
      return `expected at least ${String(params.limit)}`;
    case 'maximum':
      return `expected at most ${String(params.limit)}`;
    case 'minProperties':
      return 'expected at least one entry';
    case 'uniqueItems':
      return 'expected no duplicate entries';
    default:
      return e.message ?? 'invalid value';
  }
}

/** C0 controls, DEL and C1 controls: never part of a path, and unsafe to print raw. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** `"@"` for a printable character; `U+0000` for one that is not; the byte order mark by name. */
function describeCharacter(codePoint: number): string {
  const code = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  if (codePoint === 0xfeff) return `${code} (a byte order mark, allowed only at the start of the file)`;
  const char = String.fromCodePoint(codePoint);
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(char) ? `"${char}"` : code;
}

function allowedKeys(e: ErrorObject): string[] {
  // With `verbose`, Ajv hands us the schema object that failed, wherever a $ref led.
  const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  return Object.keys(props).filter((k) => k !== '$schema');
}

function describeSyntaxError(code: string, text: string, offset: number): string {
  if (code === 'InvalidSymbol' && offset < text.length) return `unexpected character ${describeCharacter(text.codePointAt(offset)!)}`;
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'invalid number',
    PropertyNameExpected: 'expected a property name in double quotes',
    ValueExpected: 'expected a value',
    ColonExpected: 'expected ":"',
    CommaExpected: 'expected ","',
    CloseBraceExpected: 'expected "}"',
    CloseBracketExpected: 'expected "]"',
    EndOfFileExpected: 'expected the end of the file',
    InvalidCommentToken: 'comments are not allowed',
    UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid unicode escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character',
  };
  return words[code] ?? code;
}
