// The cloud-run-drift command: the same core as the extension, for CI and terminals.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { checkServices, selectServices, UnknownServiceError } from '../core/check';
import { defaultCacheDir } from '../core/platform/cacheDir';
import { saveCodeCaches } from '../core/platform/codeCache';
import { createCloudRunReader, type CloudRunReader, type ReaderOptions } from '../core/google/cloudrun';
import { ConfigError, findConfigFile, formatConfigProblem, jsonPath, loadConfig, CONFIG_FILE_NAME, type DataJobConfig, type DriftConfig, type ServiceConfig } from '../core/config';
import { credentialPolicy, normalizeAllowedHost, type CredentialPolicy } from '../core/google/credentialPolicy';
import { ageSpan, formatDuration, LISTED_COMMITS, STATUS_LABELS } from '../core/verdicts/format';
import { GitError, GitRepository } from '../core/git/repository';
import { likelyServiceName } from '../core/google/functions';
import { cliJson, composeFilter, createLogSource, FilterCompositionError, GrpcStatus, jobLogScope, openLogStream, parseSeverity, parseSince, terminalLogLine, type LogQuery, type LogScope } from '../core/logs';
import { verdictPathProblems } from '../core/verdicts/missingPaths';
import { UNCHECKABLE, UNIT_KINDS, type CheckResult, type CommitInfo, type ExecutionFacts, type ExecutionVerdict, type ServiceVerdict, type UnitKind, type VerdictStatus } from '../core/model';
import { RECENT_EXECUTIONS } from '../core/google/runJobs';
import { useSdkCodeCache } from '../core/google/sdk';
import { ownValue } from '../core/platform/own';
import { closestMatch } from '../core/text/suggest';
import { short } from '../core/verdicts/verdict';
import { MIN_POLL_MS, verifyDeployment } from '../core/deploy/verify';
import { rollbackConfirmation } from '../core/rollback/plan';
import { prepareRollback, rollbackRefusal } from '../core/rollback/prepare';
import { rollBack } from '../core/rollback/run';
import { describeTraffic } from '../core/verdicts/traffic';
import { createBigQueryReader } from '../core/jobs/bigquery';
import { DEFAULT_BIGQUERY_TIMEOUT_MS } from '../core/jobs/bigqueryTimeout';
import { scoreboardCsv } from '../core/jobs/csv';
import { addDays, DateRangeError, parseDateRange, scoreboardRange, utcToday, type DateRange } from '../core/jobs/dates';
import { checkJobGuards, describeGuardReport } from '../core/jobs/guards';
import { executionResultLine, executionStartedLine, followEventLines } from '../core/jobs/executionText';
import { executionExitCode, followExecution, type ExecutionClock, type ExecutionResult } from '../core/jobs/followExecution';
import { findJob, jobCommandLine, jobExecutionArgs, readScoreboard, UnknownJobError } from '../core/jobs/job';
import { heldExecution, heldRuns, newestRun } from '../core/jobs/runs';
import { formatQueryTable } from '../core/jobs/table';
import { TemplateError } from '../core/text/shellTemplate';
import { askWhere } from '../core/where/ask';
import { repositoryPath, WhereQuestionError, type WhereQuestion } from '../core/where/facts';
import { whereLines } from '../core/where/format';
import { whereOutcome, type WhereAnswer } from '../core/where/live';
import { styled, terminalLines, terminalSafe, type TerminalText } from '../core/text/terminalText';
import { cacheReaderOptions, expectedServingLabels, openCheckCache, openHistoryFile, saveCheckCache } from './checkCache';
import { terminalOutput, type Output, type TerminalOutput } from './output';
import { errorText } from '../core/text/messageText';
import { WalkStore } from '../core/git/walkStore';
import { DEFAULT_LOGS_TIMEOUT_SECONDS, helpAnswer, USAGE } from './usage';

export const EXIT = { ok: 0, drift: 1, usage: 2, unchecked: 3, refused: 4 } as const;

/** A Cloud Run job execution's short name (`<job>-<suffix>`). */
const EXECUTION_NAME = /^[a-z](?:[-a-z0-9]{0,70}[a-z0-9])?$/;

/** A Cloud Run revision's short name (`<service>-<number>-<suffix>`, or any name a deploy gave it). */
const REVISION_NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** Colors on a terminal unless NO_COLOR is set to anything but the empty string (no-color.org). */
export function colorWanted(isTTY: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(isTTY) && !env.NO_COLOR;
}

class UsageError extends Error {}


/** A --timeout value in milliseconds; a usage error names the flag unless it is a positive number of seconds. */
function timeoutFlag(value: string | undefined, defaultSeconds: number): number {
  const seconds = value === undefined ? defaultSeconds : Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout expects a positive number of seconds, got "${value}"`);
  return seconds * 1000;
}

/** What a test may put in place of the process's own: the clock a followed execution is read by, Ctrl-C. */
export interface CliRuntime {
  clock?: ExecutionClock;
  /** Aborted: as Ctrl-C (SIGINT) while `job` follows an execution. */
  interrupt?: AbortSignal;
}

export async function main(argv: string[], streams: Output = defaultOutput(), runtime: CliRuntime = {}): Promise<number> {
  // Every command writes through this: human text escaped for the terminal, --json exact.
  const output = terminalOutput(streams);
  const [command, ...rest] = argv;
  try {
    const help = helpAnswer(argv);
    if (help) {
      output.out(help.text);
      return help.code;
    }
    switch (command) {
      case 'check':
        return await runCheck(rest, output);
      case 'verify':
        return await runVerify(rest, output);
      case 'where':
        return await runWhere(rest, output);
      case 'rollback':
        return await runRollback(rest, output);
      case 'logs':
        return await runLogs(rest, output);
      case 'job':
        return await runJob(rest, output, runtime);
      case 'scoreboard':
        return await runScoreboard(rest, output);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof WhereQuestionError) {
      output.err(`cloud-run-drift: ${err.message}`);
      return EXIT.usage;
    }
    if (err instanceof UsageError || err instanceof UnknownServiceError || err instanceof FilterCompositionError || err instanceof UnknownJobError || err instanceof DateRangeError) {
      output.err(`cloud-run-drift: ${err.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (err instanceof ConfigError || err instanceof GitError || err instanceof TemplateError) {
      output.err(`cloud-run-drift: ${err.message}`);
      return EXIT.usage;
    }
    output.err(`cloud-run-drift: ${errorText(err)}`);
    return EXIT.unchecked;
  }
}

/** Runs node's argument parser, turning its complaints into usage errors (exit 2). */
function parsing<T>(parseFn: () => T): T {
  try {
    return parseFn();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Node's argument parser with our rules (strict, positionals allowed), its complaints as usage errors (exit 2). */
function parseCommand<const Options extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: Options) {
  return parsing(() => parseArgs({ args, strict: true, allowPositionals: true, options }));
}

/** Every command that calls a Google API takes it. */
const CREDENTIAL_OPTIONS = { 'allow-credentials-to': { type: 'string', multiple: true } } as const;

/** Google's API hosts, plus those the flags and the environment allow. */
function credentialsFrom(values: { 'allow-credentials-to'?: string[] | undefined }): CredentialPolicy {
  const hosts = values['allow-credentials-to'] ?? [];
  const bad = hosts.find((host) => normalizeAllowedHost(host) === null);
  if (bad !== undefined) throw new UsageError(`--allow-credentials-to expects a host such as "run.example.com" or "*.example.com", got "${bad}"`);
  return credentialPolicy(hosts, process.env);
}

/** --config, or the nearest cloud-run-drift.json from `startDir` upward. */
async function findAndLoadConfig(configFlag: string | undefined, startDir: string): Promise<DriftConfig> {
  const file = configFlag ? path.resolve(configFlag) : await findConfigFile(startDir);
  if (!file) throw new UsageError(`no ${CONFIG_FILE_NAME} found in ${startDir} or above it up to the repository's top level (use --config FILE)`);
  return loadConfig(file);
}

function configuredService(config: DriftConfig, name: string): ServiceConfig {
  return selectServices(config, [name])[0]!;
}

async function loadContext(
  configFlag: string | undefined,
  repoFlag: string | undefined,
  readerOptions: ReaderOptions & { credentials: CredentialPolicy },
): Promise<{ config: DriftConfig; git: GitRepository; reader: CloudRunReader }> {
  const config = await findAndLoadConfig(configFlag, repoFlag ?? process.cwd());
  const git = await openRepository(config, repoFlag);
  return { config, git, reader: cliReader(config, readerOptions) };
}

/**
 * A check's repository opening and its reader, for `check` and `where`: Cloud Run is read while
 * git finds the top level. The opening is marked handled: a repository that cannot be opened fails
 * the command when the check (or the command) awaits it, with git's error.
 */
function openContext(config: DriftConfig, repoFlag: string | undefined, readerOptions: ReaderOptions & { credentials: CredentialPolicy }): { opening: Promise<GitRepository>; reader: CloudRunReader } {
  const opening = openRepository(config, repoFlag);
  opening.catch(() => undefined);
  return { opening, reader: cliReader(config, readerOptions) };
}

/** The repository `--repo` names, else the one holding the configuration. */
function openRepository(config: DriftConfig, repoFlag: string | undefined): Promise<GitRepository> {
  // Walks of the history kept between runs: a check walks only the commits made since the last.
  return GitRepository.open(repoFlag ? path.resolve(repoFlag) : config.root, { walkStore: WalkStore.inCacheDir(defaultCacheDir()) });
}

/** The CLI's reads from Google go over one HTTP/2 session per API origin (see core/google/http2Send.ts). */
function cliReader(config: Pick<DriftConfig, 'endpoints'>, options: ReaderOptions & { credentials: CredentialPolicy }): CloudRunReader {
  return createCloudRunReader(config.endpoints, { ...options, http2: true });
}

async function runCheck(args: string[], output: TerminalOutput): Promise<number> {
  const { values } = parsing(() =>
    parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        repo: { type: 'string' },
        service: { type: 'string', multiple: true },
        kind: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', short: 'v', default: false },
        'max-commits': { type: 'string' },
        ...CREDENTIAL_OPTIONS,
      },
    }),
  );
  const kinds = kindsFlag(values.kind);
  const maxCommits = maxCommitsFlag(values['max-commits']);
  const credentials = credentialsFrom(values);
  const timing = process.env.CLOUD_RUN_DRIFT_TIMING ? phaseTimer(output) : undefined;
  // What earlier runs learned: settled revisions spare this one its second round trip, and the
  // labels last seen serving let its git work start before Cloud Run answers (see core/google/revisionStore.ts).
  const cache = openCheckCache();
  const config = await findAndLoadConfig(values.config, values.repo ?? process.cwd());
  const selected = selectServices(config, values.service).filter((unit) => kinds === null || kinds.includes(unit.kind));
  const expectedLabels = expectedServingLabels(cache, config.endpoints, selected);
  const { opening, reader } = openContext(config, values.repo, { credentials, ...cacheReaderOptions(cache) });
  timing?.('setup');
  try {
    const result = selected.length === 0 ? await nothingToCheck(await opening, kinds, values.service, output) : await checkServices(config, { reader, git: opening }, { services: selected.map((unit) => unit.name), expectedLabels, ...(timing ? { onPhase: timing } : {}) });
    timing?.('verdicts');
    saveCheckCache(cache, config.endpoints, result.services);
    if (values.json) output.exact(JSON.stringify(toJson(result, maxCommits), null, output.interactive ? 2 : undefined));
    else output.out(formatHuman(result, Boolean(values.verbose), new Date(), maxCommits));
    for (const problem of verdictPathProblems(config.services, result.services)) output.err(`cloud-run-drift: ${formatConfigProblem(config.file, problem)}`);
    timing?.('output');
    return exitCodeFor(result.services);
  } finally {
    await reader.close();
  }
}

/** A check that selects no unit: HEAD alone, once the repository has opened (outside one, git's error is the only line). */
async function nothingToCheck(git: GitRepository, kinds: readonly UnitKind[] | null, services: readonly string[] | undefined, output: TerminalOutput): Promise<CheckResult> {
  output.err(`cloud-run-drift: no configured unit is a ${kinds!.join(' or ')}${services ? ` among ${services.join(', ')}` : ''}; nothing to check`);
  return { head: await git.head(), checkedAt: new Date().toISOString(), services: [], warnings: [] };
}

/** `--max-commits`: how many undeployed commits each unit lists (`all`: every one). */
function maxCommitsFlag(value: string | undefined): number {
  if (value === undefined) return LISTED_COMMITS;
  if (value === 'all') return Infinity;
  const count = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(count)) throw new UsageError(`--max-commits expects a whole number (0 or more) or "all", got "${value}"`);
  return count;
}

/** The kinds `--kind` names (each once), or null for every kind; a usage error names a kind that is not one. */
function kindsFlag(values: string[] | undefined): UnitKind[] | null {
  if (values === undefined) return null;
  for (const kind of values) {
    if ((UNIT_KINDS as readonly string[]).includes(kind)) continue;
    const near = closestMatch(kind, UNIT_KINDS);
    throw new UsageError(`--kind expects ${UNIT_KINDS.join(', ')}, got "${kind}"${near ? `; did you mean "${near}"?` : ''}`);
  }
  return [...new Set(values as UnitKind[])];
}

/**
 * CLOUD_RUN_DRIFT_TIMING=1: each phase's end, in ms since the process started, on stderr
 * (`setup` includes node's own start and loading the config; `api` includes loading the auth library or SDK when one is needed).
 */
function phaseTimer(output: TerminalOutput): (phase: string) => void {
  const mark = (phase: string): void => output.err(`timing ${phase} ${Math.round(performance.now())} ms`);
  // What follows the output: closing the clients, saving caches, Node's own teardown.
  process.once('exit', () => mark('exit'));
  return mark;
}

/** A configured path missing at HEAD is a configuration error, reported before anything else. */
export function exitCodeFor(verdicts: readonly Pick<ServiceVerdict, 'status' | 'missingPaths'>[]): number {
  if (verdicts.some((v) => v.missingPaths.length > 0)) return EXIT.usage;
  const statuses = verdicts.map((v) => v.status);
  if (statuses.some((s) => UNCHECKABLE.has(s))) return EXIT.unchecked;
  if (statuses.some((s) => s !== 'up-to-date')) return EXIT.drift;
  return EXIT.ok;
}

/**
 * `check --json`. Each unit lists its newest `maxCommits` undeployed commits; `commitsBehind` counts
 * them all and `commitsOmitted` says how many were left out. A unit thousands of commits behind would
 * otherwise put megabytes into every run's output (37,478 commits made 3 MB for 73 services).
 */
export function toJson(result: CheckResult, maxCommits: number = LISTED_COMMITS): unknown {
  return {
    head: result.head,
    services: result.services.map((s) => ({
      name: s.name,
      kind: s.kind,
      project: s.project,
      region: s.region,
      status: s.status,
      deployedCommit: s.deployedCommit,
      commitLabel: s.commitLabel,
      commitsBehind: s.commitsBehind,
      commits: s.commits.slice(0, maxCommits).map((c) => ({ sha: c.sha, subject: c.subject })),
      commitsOmitted: Math.max(0, s.commits.length - maxCommits),
      driftSince: s.driftSince,
      deployedAt: s.deployedAt,
      dirty: s.dirty,
      serving: s.serving.map((r) => ({ revision: r.revision, percent: r.percent, commit: r.commit })),
      latestCreatedRevision: s.latestCreatedRevision,
      missingPaths: s.missingPaths,
      message: s.message,
      ...(s.function ? { function: s.function } : {}),
      ...(s.rolledBackTo ? { rolledBackTo: s.rolledBackTo } : {}),
      ...(s.kind === 'job' ? { lastExecution: s.lastExecution ? executionJson(s.lastExecution) : null } : {}),
    })),
    warnings: result.warnings,
  };
}

function executionJson(e: ExecutionVerdict): unknown {
  return {
    name: e.name,
    status: e.status,
    commit: e.commit,
    commitLabel: e.commitLabel,
    commitsBehind: e.commitsBehind,
    startTime: e.startTime,
    completionTime: e.completionTime,
    tasks: { succeeded: e.tasks.succeeded, failed: e.tasks.failed, total: e.tasks.total },
    message: e.message,
  };
}

const SYMBOLS: Record<VerdictStatus, string> = {
  'up-to-date': '✓',
  stale: '✗',
  diverged: '⑂',
  'unknown-commit': '?',
  'path-missing': '!',
  unlabeled: '?',
  'deploy-failed': '✗',
  'not-found': '∅',
  error: '!',
  deploying: '…',
};
const COLORS: Record<VerdictStatus, number> = {
  'up-to-date': 32,
  stale: 33,
  diverged: 35,
  'unknown-commit': 33,
  'path-missing': 31,
  unlabeled: 33,
  'deploy-failed': 31,
  'not-found': 31,
  error: 31,
  deploying: 36,
};

export function formatHuman(result: CheckResult, verbose: boolean, now: Date = new Date(), maxCommits: number = LISTED_COMMITS): TerminalText {
  const paint = (status: VerdictStatus, text: string): TerminalText => styled(String(COLORS[status]), text);
  const nameWidth = Math.max(...result.services.map((s) => s.name.length), 7);
  const lines: TerminalText[] = [`HEAD ${short(result.head)}`, ...result.warnings.map((w) => `warning: ${w}`)];
  for (const s of result.services) {
    const status = STATUS_LABELS[s.status].padEnd(14);
    const deployed = (s.deployedCommit ? short(s.deployedCommit) : s.commitLabel ? short(s.commitLabel) : '-').padEnd(8);
    const behind = s.commitsBehind ? `${s.commitsBehind} behind${s.driftSince ? ` for ${ageSpan(s.driftSince, now, 'long')}` : ''}` : '';
    const missing = s.missingPaths.length > 0 && s.status !== 'path-missing' ? `${s.missingPaths.length} path${s.missingPaths.length === 1 ? '' : 's'} missing` : '';
    const kind = s.kind === 'service' ? '' : s.function?.commitFromFunctionLabel ? `${s.kind}, commit from its label` : s.kind;
    const rolledBack = s.rolledBackTo ? `rolled back to ${s.rolledBackTo.revision}` : '';
    const extras = [kind, behind, rolledBack, missing, s.dirty ? 'dirty' : s.dirty === null ? 'dirty unknown' : '', s.serving.length > 1 ? `split ${s.serving.map((r) => `${r.percent}%`).join('/')}` : ''].filter(Boolean).join(', ');
    lines.push([paint(s.status, `${SYMBOLS[s.status]} ${s.name.padEnd(nameWidth)}  ${status}`), ` ${deployed}  ${extras}`.trimEnd()]);
    if (s.status !== 'up-to-date' || s.missingPaths.length > 0 || s.function?.commitFromFunctionLabel || verbose) lines.push(`    ${s.message}`);
    if (s.kind === 'job') lines.push(...lastExecutionLines(s.lastExecution ?? null));
    if (verbose) lines.push(...commitLines(s.commits, maxCommits));
  }
  lines.push(summary(result.services));
  return terminalLines(lines);
}

/** `--verbose`: the newest `maxCommits` undeployed commits, and how many older ones are not listed. */
function commitLines(commits: readonly CommitInfo[], maxCommits: number): string[] {
  const lines = commits.slice(0, maxCommits).map((c) => `    ${short(c.sha)} ${c.subject} (${c.author}, ${c.date.slice(0, 10)})`);
  const omitted = commits.length - lines.length;
  if (omitted > 0) lines.push(`    … and ${omitted.toLocaleString('en-US')} older commit${omitted === 1 ? '' : 's'} (--max-commits all lists them)`);
  return lines;
}

/** A job's last execution: `last run x-abcde failed (2/3 tasks, 1 failed), ran 1a2b3c4d (40 commits old), 2026-02-09 10:00 UTC, 5m 0s`. */
export function lastExecutionLines(e: ExecutionVerdict | null): string[] {
  if (!e) return ['    last run: none'];
  const done = e.tasks.succeeded + e.tasks.failed + e.tasks.cancelled;
  const tasks = `${e.status === 'running' ? done : e.tasks.succeeded}/${e.tasks.total} task${e.tasks.total === 1 ? '' : 's'}${e.status === 'running' ? ' done' : ''}${e.tasks.failed > 0 ? `, ${e.tasks.failed} failed` : ''}`;
  const ran = e.commit ? short(e.commit) : e.commitLabel ? short(e.commitLabel) : 'no commit label';
  const age = e.commitsBehind === null ? '' : e.commitsBehind === 0 ? ' (current code)' : ` (${e.commitsBehind} commit${e.commitsBehind === 1 ? '' : 's'} old)`;
  const when = e.startTime ?? e.createTime;
  const parts = [`    last run ${e.name} ${e.status} (${tasks}), ran ${ran}${age}`];
  if (when) parts.push(`${when.slice(0, 16).replace('T', ' ')} UTC`);
  if (e.durationMs !== null) parts.push(formatDuration(e.durationMs));
  const lines = [parts.join(', ')];
  if (e.message) lines.push(`      ${e.message}`);
  return lines;
}

function summary(services: ServiceVerdict[]): string {
  const counts = new Map<VerdictStatus, number>();
  for (const s of services) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${STATUS_LABELS[status]}`).join(', ');
}

async function runVerify(args: string[], output: TerminalOutput): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    config: { type: 'string' },
    repo: { type: 'string' },
    commit: { type: 'string' },
    timeout: { type: 'string', default: '300' },
    interval: { type: 'string', default: '2' },
    ...CREDENTIAL_OPTIONS,
  });
  if (positionals.length !== 1) throw new UsageError('verify takes exactly one SERVICE');
  const timeoutSeconds = Number(values.timeout);
  const intervalSeconds = Number(values.interval);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) throw new UsageError(`--timeout expects seconds, got "${values.timeout}"`);
  if (!Number.isFinite(intervalSeconds) || intervalSeconds * 1000 < MIN_POLL_MS) throw new UsageError(`--interval expects seconds, at least ${MIN_POLL_MS / 1000}, got "${values.interval}"`);
  const { config, git, reader } = await loadContext(values.config, values.repo, { credentials: credentialsFrom(values) });
  try {
    const service = configuredService(config, positionals[0]!);
    let expected: string;
    if (values.commit) {
      const resolution = (await git.resolveLabels([values.commit])).get(values.commit);
      if (resolution?.kind !== 'found') throw new UsageError(`--commit ${values.commit}: ${resolution?.kind === 'ambiguous' ? 'ambiguous; give more characters' : 'no such commit in this repository'}`);
      expected = resolution.sha;
    } else {
      expected = await git.head();
    }
    output.err(`Waiting up to ${timeoutSeconds}s for ${service.kind === 'job' ? `${service.name}'s template to carry` : `${service.name} to serve`} ${short(expected)}…`);
    const outcome = await verifyDeployment({ service, commitLabel: config.commitLabel, expectedCommit: expected, reader, git, timeoutMs: timeoutSeconds * 1000, pollMs: intervalSeconds * 1000 });
    (outcome.kind === 'verified' ? output.out : output.err)(outcome.message);
    if (outcome.kind === 'verified') return EXIT.ok;
    return outcome.kind === 'error' ? EXIT.unchecked : EXIT.drift;
  } finally {
    await reader.close();
  }
}

async function runWhere(args: string[], output: TerminalOutput): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    config: { type: 'string' },
    repo: { type: 'string' },
    file: { type: 'string' },
    line: { type: 'string' },
    json: { type: 'boolean', default: false },
    ...CREDENTIAL_OPTIONS,
  });
  const byLine = values.file !== undefined || values.line !== undefined;
  if (byLine && positionals.length > 0) throw new UsageError('where takes a COMMIT or --file PATH --line N, not both');
  if (!byLine && positionals.length !== 1) throw new UsageError('where takes exactly one COMMIT (or --file PATH --line N)');
  if (byLine && (values.file === undefined || values.line === undefined)) throw new UsageError('where --file PATH needs --line N (and --line N needs --file PATH)');
  const line = values.line === undefined ? 0 : Number(values.line);
  if (byLine && (!Number.isInteger(line) || line < 1)) throw new UsageError(`--line expects a line number (1 or more), got "${values.line}"`);
  const credentials = credentialsFrom(values);
  const timing = process.env.CLOUD_RUN_DRIFT_TIMING ? phaseTimer(output) : undefined;
  // The check `where` runs is `check`'s: it keeps and reuses the same file; the revision histories are kept beside it.
  const cache = openCheckCache();
  const histories = openHistoryFile();
  const config = await findAndLoadConfig(values.config, values.repo ?? process.cwd());
  const { opening, reader } = openContext(config, values.repo, { credentials, ...cacheReaderOptions(cache) });
  timing?.('setup');
  try {
    // A line's question names its file from the top level: it waits for the repository before asking.
    const question: WhereQuestion = byLine ? { kind: 'line', file: repositoryPath((await opening).root, values.file!, process.cwd()), line } : { kind: 'commit', commitish: positionals[0]! };
    const { target, answer, result } = await askWhere(config, { reader, git: opening }, question, {
      expectedLabels: expectedServingLabels(cache, config.endpoints, config.services),
      ...(histories ? { histories } : {}),
      ...(timing ? { onPhase: timing } : {}),
    });
    timing?.('answer');
    saveCheckCache(cache, config.endpoints, result.services);
    histories?.save();
    if (answer === null) {
      const why = target.kind === 'not-committed' && target.reason === 'untracked' ? 'git does not track the file' : 'it has uncommitted changes';
      const message = `Line ${line} of ${target.kind === 'not-committed' ? target.file : values.file} is not committed (${why}), so it is live nowhere.`;
      if (values.json) output.exact(JSON.stringify({ commit: null, units: [], message }, null, output.interactive ? 2 : undefined));
      else output.out(message);
      return EXIT.drift;
    }
    if (values.json) output.exact(JSON.stringify(whereJson(answer), null, output.interactive ? 2 : undefined));
    else output.out(terminalLines(whereLines(answer, new Date())));
    timing?.('output');
    const outcome = whereOutcome(answer);
    return outcome === 'live' ? EXIT.ok : outcome === 'not-live' ? EXIT.drift : EXIT.unchecked;
  } finally {
    await reader.close();
  }
}

async function runRollback(args: string[], output: TerminalOutput): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    config: { type: 'string' },
    repo: { type: 'string' },
    to: { type: 'string' },
    yes: { type: 'boolean', short: 'y', default: false },
    timeout: { type: 'string', default: '300' },
    interval: { type: 'string', default: '2' },
    ...CREDENTIAL_OPTIONS,
  });
  if (positionals.length !== 1) throw new UsageError('rollback takes exactly one SERVICE');
  if (values.to === undefined || values.to === '') throw new UsageError('rollback needs --to REVISION (a revision name, as the Deployments history or `gcloud run revisions list` shows it)');
  if (!REVISION_NAME.test(values.to)) throw new UsageError(`--to expects a revision name such as ${positionals[0]}-00042-abc, got "${values.to}"`);
  const timeoutMs = timeoutFlag(values.timeout, 300);
  const intervalSeconds = Number(values.interval);
  if (!Number.isFinite(intervalSeconds) || intervalSeconds * 1000 < MIN_POLL_MS) throw new UsageError(`--interval expects seconds, at least ${MIN_POLL_MS / 1000}, got "${values.interval}"`);
  const { config, git, reader } = await loadContext(values.config, values.repo, { credentials: credentialsFrom(values) });
  try {
    const service = configuredService(config, positionals[0]!);
    const refusal = rollbackRefusal(service);
    if (refusal) throw new UsageError(refusal);
    const plan = await prepareRollback({ service, revision: values.to, commitLabel: config.commitLabel, reader, git });
    if (plan.blocked) {
      output.err(`cloud-run-drift: ${plan.blocked} Nothing changed.`);
      return EXIT.refused;
    }
    if (plan.alreadyServing) {
      output.out(`${values.to} already serves all of ${service.name}'s traffic; nothing to do.`);
      return EXIT.ok;
    }
    const confirmation = rollbackConfirmation(plan);
    output.err(terminalLines([confirmation.title, confirmation.detail]));
    if (!values.yes) {
      if (!output.confirm) throw new UsageError('not confirmed: stdin is not a terminal, so nobody can answer; pass --yes to route the traffic without asking');
      if (!(await output.confirm(`${confirmation.confirmLabel}? [y/N] `))) {
        output.err('Nothing changed.');
        return EXIT.refused;
      }
    }
    const { outcome, update } = await rollBack({
      service,
      reader,
      revision: values.to,
      timeoutMs,
      pollMs: intervalSeconds * 1000,
      onProgress: (text) => output.err(text),
    });
    if (outcome.kind === 'verified') {
      output.out(outcome.message);
      if (update) output.err(`Before: ${describeTraffic(update.previous)}.`);
      return EXIT.ok;
    }
    output.err(`cloud-run-drift: ${outcome.message}`);
    return outcome.kind === 'update-failed' || outcome.kind === 'error' ? EXIT.unchecked : EXIT.drift;
  } finally {
    await reader.close();
  }
}

/** `where --json`: the commit, and every unit's answer (the touched ones first). */
export function whereJson(answer: WhereAnswer): unknown {
  return {
    commit: answer.commit.sha,
    subject: answer.commit.subject,
    units: answer.units.map((u) => ({
      name: u.name,
      kind: u.kind,
      state: u.state,
      since: u.since,
      revision: u.revision,
      percent: u.percent,
      deployedCommit: u.deployedCommit,
      commitsBehind: u.commitsBehind,
      driftSince: u.driftSince,
      reason: u.reason,
      message: u.message,
    })),
  };
}

async function runLogs(args: string[], output: TerminalOutput): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    config: { type: 'string' },
    execution: { type: 'string' },
    filter: { type: 'string' },
    text: { type: 'string' },
    severity: { type: 'string' },
    since: { type: 'string', default: '1h' },
    follow: { type: 'boolean', short: 'f', default: false },
    json: { type: 'boolean', default: false },
    ...CREDENTIAL_OPTIONS,
    timeout: { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('logs takes exactly one SERVICE');
  const historyTimeoutMs = timeoutFlag(values.timeout, DEFAULT_LOGS_TIMEOUT_SECONDS);
  const minSeverity = values.severity === undefined ? undefined : parseSeverity(values.severity);
  if (values.severity !== undefined && !minSeverity) throw new UsageError(`--severity expects a level such as ERROR, got "${values.severity}"`);
  const since = parseSince(values.since ?? '1h');
  const credentials = credentialsFrom(values);
  // Logs need the configuration (project, region, endpoints) but not git, so this does not go through loadContext.
  const config = await findAndLoadConfig(values.config, process.cwd());
  const service = configuredService(config, positionals[0]!);
  if (values.execution !== undefined && service.kind !== 'job') throw new UsageError(`--execution names an execution of a Cloud Run job; ${service.name} is a ${service.kind}`);
  if (values.execution !== undefined && !EXECUTION_NAME.test(values.execution)) throw new UsageError(`--execution expects an execution name such as ${service.name}-x7k2p, got "${values.execution}"`);
  const scope: LogScope =
    service.kind === 'function'
      ? await functionLogScope(config, service, credentials, output)
      : service.kind === 'job'
        ? jobLogScope({ name: service.name, region: service.region }, values.execution)
        : { kind: 'services', services: [{ name: service.name, region: service.region }] };
  const query: LogQuery = { scope };
  if (values.filter !== undefined) {
    // A saved filter's name picks it from logFilters; anything else is a Logging query.
    const saved = ownValue(config.logFilters, values.filter);
    if (saved !== undefined) query.savedFilter = saved;
    else query.raw = values.filter;
  }
  if (values.text !== undefined) query.text = values.text;
  if (minSeverity) query.minSeverity = minSeverity;
  const filter = composeFilter(query);

  const source = await createLogSource({ projects: [service.project], endpoint: config.endpoints.logging, credentials });
  const stream = openLogStream(source, { filter, since, follow: Boolean(values.follow), historyTimeoutMs });
  const interrupt = (): void => void stream.stop();
  if (values.follow) process.once('SIGINT', interrupt);
  // `logs … | head` closes the pipe: stop quietly instead of dying on EPIPE.
  const onStdoutError = (error: NodeJS.ErrnoException): void => {
    if (error.code === 'EPIPE') void stream.stop();
  };
  process.stdout.on('error', onStdoutError);
  let failed = false;
  try {
    for await (const event of stream.start()) {
      switch (event.type) {
        case 'entries': {
          if (values.json) output.exact(event.entries.map((entry) => JSON.stringify(cliJson(entry))).join('\n'));
          else output.out(terminalLines(event.entries.map(terminalLogLine)));
          await output.waitForDrain?.();
          break;
        }
        case 'history-complete':
          if (values.follow && !values.json) output.err(`-- ${event.count} entries since ${since.toISOString()}; following ${values.execution ?? service.name} (Ctrl-C to stop) --`);
          break;
        case 'reconnecting':
          output.err(`cloud-run-drift: ${event.reason}; reconnecting in ${(event.delayMs / 1000).toFixed(1)} s`);
          break;
        case 'polling':
          output.err(`cloud-run-drift: ${event.reason}`);
          break;
        case 'suppressed':
          output.err(`cloud-run-drift: Cloud Logging did not send ${event.rateLimit + event.notConsumed} matching entries (rate limit ${event.rateLimit}, not consumed ${event.notConsumed})`);
          break;
        case 'error':
          output.err(`cloud-run-drift: ${event.message}${event.fatal && event.code === GrpcStatus.DEADLINE_EXCEEDED ? ' (allow more with --timeout SECONDS, or read less with --since)' : ''}`);
          if (event.fatal) failed = true;
          break;
        case 'end':
          if (event.reason === 'failed') failed = true;
          break;
        case 'connected':
          break;
      }
    }
  } finally {
    process.off('SIGINT', interrupt);
    process.stdout.off('error', onStdoutError);
    await stream.stop();
    await source.close();
  }
  return failed ? EXIT.unchecked : EXIT.ok;
}

/** How long `logs` waits to learn which Cloud Run service a function runs on. */
const FUNCTION_LOOKUP_TIMEOUT_MS = 15_000;

/**
 * A function's logs: its Cloud Run service's entries (the service the function names, read from the
 * Cloud Functions API) and its own cloud_function entries. When the function cannot be read, the
 * service it most likely runs on, and a note saying so.
 */
async function functionLogScope(config: DriftConfig, unit: ServiceConfig, credentials: CredentialPolicy, output: TerminalOutput): Promise<LogScope> {
  const reader = cliReader(config, { credentials, timeoutMs: FUNCTION_LOOKUP_TIMEOUT_MS });
  try {
    const lookup = await reader.lookupFunction!(unit, { timeoutMs: FUNCTION_LOOKUP_TIMEOUT_MS });
    const service = lookup.kind === 'found' ? lookup.facts.service : null;
    if (service === null) {
      const guess = likelyServiceName(unit.name);
      output.err(`cloud-run-drift: could not read which Cloud Run service ${unit.name} runs on (${lookup.kind === 'found' ? 'the function names none' : lookup.message}); showing ${guess}'s entries`);
      return { kind: 'function', function: { name: unit.name, region: unit.region }, service: guess };
    }
    return { kind: 'function', function: { name: unit.name, region: unit.region }, service };
  } finally {
    await reader.close();
  }
}

async function runJob(args: string[], output: TerminalOutput, runtime: CliRuntime): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    config: { type: 'string' },
    repo: { type: 'string' },
    'start-date': { type: 'string' },
    'end-date': { type: 'string' },
    force: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    'no-wait': { type: 'boolean', default: false },
    ...CREDENTIAL_OPTIONS,
  });
  if (positionals.length > 1) throw new UsageError('job takes at most one JOB');
  if (values['start-date'] === undefined || values['end-date'] === undefined) throw new UsageError('job needs --start-date and --end-date (YYYY-MM-DD)');
  const credentials = credentialsFrom(values);
  const { config, git, reader } = await loadContext(values.config, values.repo, { credentials });
  try {
    const job = findJob(config, positionals[0]);
    if (values['no-wait'] && job.cloudRunJob === undefined) throw new UsageError(`--no-wait is for a data job that executes a Cloud Run job; ${job.name} runs a command`);
    const range = parseDateRange(values['start-date'], values['end-date'], { maxDays: job.maxDays, today: utcToday() });
    // Expanded before any guard runs: a template problem is a configuration error, found at once,
    // and a value that is not what its variable may be never reaches a shell or the Run API.
    const commandLine = job.cloudRunJob === undefined ? jobCommandLine(config, job, range) : null;
    const executionArgs = job.cloudRunJob === undefined ? null : jobExecutionArgs(config, job, range);
    const bigquery = createBigQueryReader({ project: job.project, endpoint: config.endpoints.bigquery, credentials });
    const report = await checkJobGuards(config, job, { reader, git, bigquery });
    for (const line of describeGuardReport(report)) output.err(line);
    if (report.blockers.length > 0 && !values.force) {
      const refused = report.blockers.some((b) => b.kind !== 'unchecked');
      output.err(`cloud-run-drift: ${job.name} was not started (${refused ? 'refused by its guards' : 'its guards could not be checked'}); --force runs it anyway`);
      return refused ? EXIT.refused : EXIT.unchecked;
    }
    if (report.blockers.length > 0) output.err(`cloud-run-drift: --force: running ${job.name} despite ${report.blockers.length} failed guard${report.blockers.length === 1 ? '' : 's'}`);
    if (values['dry-run']) {
      output.out(executionArgs ? JSON.stringify(executionArgs) : commandLine!);
      return EXIT.ok;
    }

    if (executionArgs) {
      const exitCode = await executeCloudRunJob(config, job, executionArgs, reader, output, { wait: !values['no-wait'], credentials, ...runtime });
      if (exitCode !== EXIT.ok || values['no-wait']) return exitCode;
    } else {
      output.err(`$ ${commandLine}`);
      const exitCode = await runInheritingTerminal(commandLine!, config.root);
      if (exitCode !== 0) {
        output.err(`cloud-run-drift: ${job.name} failed (${exitCode === null ? 'killed by a signal' : `exit code ${exitCode}`})`);
        return EXIT.drift;
      }
    }
    if (job.scoreboard !== undefined) {
      try {
        output.out(formatQueryTable(await readScoreboard(bigquery, job.scoreboard, range, job.totals)));
      } catch (err) {
        output.err(`cloud-run-drift: ${job.name} succeeded, but its scoreboard could not be read: ${(err as Error).message}`);
      }
    }
    return EXIT.ok;
  } finally {
    await reader.close();
  }
}

/**
 * Starts an execution of the data job's Cloud Run job with `args` and, unless told not to wait,
 * follows it to its end: status changes and log entries on stderr and stdout. Ctrl-C stops following;
 * the execution goes on (it runs in Cloud Run, not here). Returns the exit code.
 */
async function executeCloudRunJob(
  config: DriftConfig,
  job: DataJobConfig,
  args: string[],
  reader: CloudRunReader,
  output: TerminalOutput,
  options: CliRuntime & { wait: boolean; credentials: CredentialPolicy },
): Promise<number> {
  const unit = configuredService(config, job.cloudRunJob!.unit);
  const ref = { project: unit.project, region: unit.region, name: unit.name };
  let started: ExecutionFacts;
  try {
    started = await reader.runJob!(ref, { args, taskCount: job.cloudRunJob!.taskCount, timeoutSeconds: job.cloudRunJob!.timeoutSeconds });
  } catch (err) {
    output.err(`cloud-run-drift: ${job.name}: could not start an execution of ${unit.name}: ${(err as Error).message}`);
    return EXIT.unchecked;
  }
  if (!options.wait) {
    output.out(started.name);
    return EXIT.ok;
  }
  output.err(executionStartedLine(started, unit, args));
  const interrupt = new AbortController();
  const onSigint = (): void => interrupt.abort();
  const onAbort = (): void => interrupt.abort();
  process.once('SIGINT', onSigint);
  if (options.interrupt?.aborted) interrupt.abort();
  options.interrupt?.addEventListener('abort', onAbort, { once: true });
  const logs = await createLogSource({ projects: [unit.project], endpoint: config.endpoints.logging, credentials: options.credentials }).catch((err: unknown) => {
    output.err(`cloud-run-drift: the execution's log entries cannot be read (${(err as Error).message}); following its status only`);
    return null;
  });
  try {
    const result = await followExecution(
      { getExecution: (execution, call) => reader.getExecution!(execution, call), logs, ...(options.clock ? { clock: options.clock } : {}) },
      { ...ref, execution: started.name },
      {
        started,
        signal: interrupt.signal,
        onEvent: (event) => {
          const { kind, lines } = followEventLines(event);
          if (lines.length > 0) (kind === 'log' ? output.out : output.err)(terminalLines(lines));
        },
      },
    );
    return reportExecutionResult(job, unit, started.name, result, output);
  } finally {
    process.off('SIGINT', onSigint);
    options.interrupt?.removeEventListener('abort', onAbort);
    await logs?.close();
  }
}

/** The last line of a followed execution, and the exit code: 0 succeeded, 1 failed or cancelled, 3 unknown. */
function reportExecutionResult(job: DataJobConfig, unit: ServiceConfig, name: string, result: ExecutionResult, output: TerminalOutput): number {
  const line = executionResultLine(job.name, unit, name, result);
  output.err(result.outcome === 'succeeded' ? line : ['cloud-run-drift: ', line]);
  return executionExitCode(result.outcome);
}

/** bash -c with this process's terminal: the job's own output, prompts and Ctrl-C reach it directly. */
function runInheritingTerminal(commandLine: string, cwd: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', commandLine], { cwd, stdio: 'inherit' });
    child.on('error', (err) => reject(new Error(`cannot run bash: ${err.message}`)));
    child.on('close', (code) => resolve(code));
  });
}

/**
 * The range of the data job's newest run as Cloud Run holds it: the execution of its Cloud Run job,
 * with this job's arguments, that started last (finished or not). When the executions cannot be read,
 * stderr says so and there is none.
 */
async function lastExecutionRange(config: DriftConfig, job: DataJobConfig, credentials: CredentialPolicy, timeoutMs: number, output: TerminalOutput): Promise<DateRange | undefined> {
  const unit = configuredService(config, job.cloudRunJob!.unit);
  const reader = cliReader(config, { credentials, timeoutMs });
  try {
    const executions = await reader.listExecutions!({ project: unit.project, region: unit.region, name: unit.name }, RECENT_EXECUTIONS);
    return newestRun(heldRuns(job, executions.map((e) => heldExecution(e, config.commitLabel))))?.range;
  } catch (err) {
    output.err(`cloud-run-drift: ${job.name}: the executions of ${unit.name} could not be read (${(err as Error).message}), so the scoreboard does not open on the last run's range; --start-date and --end-date choose one`);
    return undefined;
  } finally {
    await reader.close();
  }
}

async function runScoreboard(args: string[], output: TerminalOutput): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    config: { type: 'string' },
    'start-date': { type: 'string' },
    'end-date': { type: 'string' },
    json: { type: 'boolean', default: false },
    csv: { type: 'boolean', default: false },
    ...CREDENTIAL_OPTIONS,
    timeout: { type: 'string' },
  });
  if (positionals.length > 1) throw new UsageError('scoreboard takes at most one JOB');
  if (values.json && values.csv) throw new UsageError('scoreboard takes --csv or --json, not both');
  const credentials = credentialsFrom(values);
  const timeoutMs = timeoutFlag(values.timeout, DEFAULT_BIGQUERY_TIMEOUT_MS / 1000);
  const config = await findAndLoadConfig(values.config, process.cwd());
  const job = findJob(config, positionals[0]);
  if (job.scoreboard === undefined) throw new UsageError(`${job.name} has no "scoreboard" query in ${config.file}`);
  const today = utcToday();
  let range;
  if (values['start-date'] === undefined && values['end-date'] === undefined) {
    // As in the editor: the range of the run that started last (here: the Cloud Run job's executions), else the configured one.
    const lastRun = job.cloudRunJob === undefined ? undefined : await lastExecutionRange(config, job, credentials, timeoutMs, output);
    range = scoreboardRange({ lastRun, configured: job.scoreboardRange }, today);
  } else {
    const end = values['end-date'] ?? today;
    range = parseDateRange(values['start-date'] ?? addDays(end, -6), end, { maxDays: Number.MAX_SAFE_INTEGER, today });
  }
  const bigquery = createBigQueryReader({ project: job.project, endpoint: config.endpoints.bigquery, credentials, timeoutMs });
  const table = await readScoreboard(bigquery, job.scoreboard, range, job.totals);
  for (const problem of table.totalsProblems) output.err(`cloud-run-drift: ${config.file}: ${jsonPath(['jobs', job.name, 'totals'])}: ${problem}`);
  if (values.json) {
    const rows = [...table.rows, ...(table.totals ? [table.totals] : [])].map((row) => Object.fromEntries(table.columns.map((column, i) => [column, row[i]])));
    output.exact(JSON.stringify(rows, null, output.interactive ? 2 : undefined));
  } else if (values.csv) {
    // Exact for a program; for a person at a terminal, control characters in cells are shown escaped.
    const csv = scoreboardCsv(table, '\n').slice(0, -1);
    if (output.interactive) output.out(csv);
    else output.exact(csv);
  } else {
    output.out(formatQueryTable(table));
  }
  return EXIT.ok;
}

/** A y/N question on the terminal (stderr), read from stdin; only "y" or "yes" is a yes. */
async function askOnTerminal(question: string): Promise<boolean> {
  const readline = await import('node:readline/promises');
  const terminal = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes)$/i.test((await terminal.question(question)).trim());
  } finally {
    terminal.close();
  }
}

function defaultOutput(): Output {
  return {
    ...(process.stdin.isTTY ? { confirm: askOnTerminal } : {}),
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    color: colorWanted(process.stdout.isTTY),
    interactive: Boolean(process.stdout.isTTY),
    waitForDrain: () => (process.stdout.writableNeedDrain ? new Promise((resolve) => process.stdout.once('drain', () => resolve())) : Promise.resolve()),
  };
}

/**
 * The process's command: main() with its exit code, then the code caches this run filled saved
 * (the SDK bundles', and the caller's `saveCaches`).
 */
export function run(argv: string[], saveCaches: () => void = () => undefined): void {
  useSdkCodeCache(defaultCacheDir());
  main(argv).then(
    (code) => {
      process.exitCode = code;
      saveCodeCaches();
      saveCaches();
      exitOnceWritten();
    },
    (err: unknown) => {
      process.stderr.write(`cloud-run-drift: ${terminalSafe(String(err))}\n`);
      process.exitCode = EXIT.unchecked;
    },
  );
}

/**
 * Ends the process once everything written to stdout and stderr has been handed to the system. The
 * command is done; what Node would do before exiting on its own (tear down a heap of a hundred MB
 * or more, wait for git processes whose answers are no longer needed) only delays the shell.
 */
function exitOnceWritten(): void {
  let open = 2;
  const written = (): void => {
    if (--open === 0) process.exit();
  };
  process.stdout.write('', written);
  process.stderr.write('', written);
}
