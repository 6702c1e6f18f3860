import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ErrorObject } from 'ajv';
import { findNodeAtLocation, parse, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { configValidator } from './config-validator';
import { currentUser, foreignFile, type ForeignFile, type UserIdentity } from './fileOwner';
import { parseTableId } from './jobs/tableId';

export const CONFIG_FILE_NAME = 'cloud-run-drift.json';
export const DEFAULT_COMMIT_LABEL = 'commit-sha';

export interface ServiceConfig {
  name: string;
  project: string;
  region: string;
  /** Normalised repository-relative paths; empty means the whole repository. */
  paths: string[];
  dependsOn: string[];
}

export interface DeployCommand {
  name: string;
  template: string;
}

/** A data job (`jobs.<name>`): a command over a date range, with the guards it runs behind. */
export interface DataJobConfig {
  name: string;
  command: string;
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
}

export const DEFAULT_JOB_MAX_DAYS = 31;

export interface Endpoints {
  run?: string;
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

export interface ConfigProblem {
  /** JSON path such as `$.services["prediction-worker"].paths[0]`; `$` for the whole document. */
  jsonPath: string;
  message: string;
  /** 1-based line, when the location is known. */
  line: number | null;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(problems.map((p) => `${file}${p.line ? `:${p.line}` : ''}: ${p.jsonPath}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

interface RawService {
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
  command: string;
  description?: string;
  requires?: string[];
  project?: string;
  table?: string;
  maxDays?: number;
  scoreboard?: string;
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
    if (await exists(path.join(dir, '.git'))) return null;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then((stat) => stat.isFile(), () => false);
}

async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(() => true, () => false);
}

/**
 * Reads and validates `file`. It decides where the user's credentials and deploy commands go, so a file `user`
 * does not own, or that others can write, is refused (fileOwner.ts); the check is made on the file opened, so
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
  const syntaxErrors: ParseError[] = [];
  const raw: unknown = parse(text, syntaxErrors, { disallowComments: true, allowTrailingComma: false });
  if (syntaxErrors.length > 0) {
    throw new ConfigError(
      file,
      syntaxErrors.slice(0, 5).map((e) => ({
        jsonPath: '$',
        line: lineOf(text, e.offset),
        message: `invalid JSON: ${describeSyntaxError(printParseErrorCode(e.error))}`,
      })),
    );
  }
  const tree = parseTree(text);
  const locate = (segments: (string | number)[]): number | null => {
    const node = tree ? findNodeAtLocation(tree, segments) ?? deepestNode(tree, segments) : undefined;
    return node ? lineOf(text, node.offset) : null;
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
      return { jsonPath: jsonPath(segments), line: locate(segments), message: describeSchemaError(e) };
    });
    throw new ConfigError(file, problems);
  }
  return resolveConfig(raw as RawConfig, file, locate);
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
    const project = svc.project ?? raw.project;
    const region = svc.region ?? raw.region;
    if (!project) problem(['services', name], 'expected a "project" here or at the top level');
    if (!region) problem(['services', name], 'expected a "region" here or at the top level');
    (svc.dependsOn ?? []).forEach((dep, i) => {
      if (!(dep in raw.services)) problem(['services', name, 'dependsOn', i], `expected the name of a configured service, got "${dep}"`);
      if (dep === name) problem(['services', name, 'dependsOn', i], 'a service cannot depend on itself');
    });
    return {
      name,
      project: project ?? '',
      region: region ?? '',
      paths: normalisePaths(svc.paths ?? []),
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
      if (!(service in raw.services)) problem(['jobs', name, 'requires', i], `expected the name of a configured service, got "${service}"`);
    });
    const project = job.project ?? raw.project ?? (job.table === undefined ? undefined : parseTableId(job.table)?.project);
    if (!project) problem(['jobs', name], 'expected a "project" here or at the top level (or a "table" that names one)');
    return {
      name,
      command: job.command,
      description: job.description,
      requires: job.requires ?? [],
      project: project ?? '',
      table: job.table,
      maxDays: job.maxDays ?? DEFAULT_JOB_MAX_DAYS,
      scoreboard: job.scoreboard,
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

/** Strips `./` and trailing slashes; `.` or an empty path means the whole repository. */
export function normalisePaths(paths: string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    const clean = path.posix.normalize(p.replace(/\\/g, '/')).replace(/\/+$/, '');
    if (clean === '.' || clean === '') return [];
    out.add(clean);
  }
  return [...out];
}

function findDependencyCycle(services: ServiceConfig[]): string[] | null {
  const byName = new Map(services.map((s) => [s.name, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | null => {
    if (state.get(name) === 'done') return null;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of byName.get(name)?.dependsOn ?? []) {
      if (!byName.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return null;
  };
  for (const s of services) {
    const cycle = visit(s.name);
    if (cycle) return cycle;
  }
  return null;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
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
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const SCHEMA_HINTS: Record<string, string> = {
  serviceName: 'a Cloud Run service name (lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 49 characters)',
  projectId: 'a Google Cloud project ID such as "my-project-123"',
  region: 'a Cloud Run region such as "us-west2"',
  tableId: 'a BigQuery table as project.dataset.table, e.g. "my-project.analytics.events"',
  jobName: 'a job name (lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen)',
};

function describeSchemaError(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  const definition = /#\/definitions\/([A-Za-z]+)/.exec(e.schemaPath)?.[1];
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown key "${String(params.additionalProperty)}" (expected one of: ${allowedKeys(e)})`;
    case 'propertyNames':
      if (e.instancePath === '/jobs') return `invalid job name "${String(params.propertyName)}": expected ${SCHEMA_HINTS.jobName}`;
      return `invalid service name "${String(params.propertyName)}": expected ${SCHEMA_HINTS.serviceName}`;
    case 'required':
      return `missing required key "${String(params.missingProperty)}"`;
    case 'type':
      return `expected ${String(params.type)}`;
    case 'pattern':
      if (definition && SCHEMA_HINTS[definition]) return `expected ${SCHEMA_HINTS[definition]}`;
      if (e.instancePath.includes('/paths/')) return 'expected a repository-relative path without ".." segments';
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

function allowedKeys(e: ErrorObject): string {
  // With `verbose`, Ajv hands us the schema object that failed, wherever a $ref led.
  const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  return Object.keys(props).filter((k) => k !== '$schema').join(', ');
}

function describeSyntaxError(code: string): string {
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
