// Benchmark for drift checks (issue targets):
//  1. `cloud-run-drift check` on 13 services over loopback, including process start: well under 1 s.
//  2. 73 services with 100 ms added to every API response: about two dependent round trips + process start.
//  3. A warm in-editor refresh of the same 73: within 1.5x of two round trips plus git time.
//  4. 73 units, a third of them Cloud Run functions and a tenth Cloud Run jobs, with 100 ms added to every
//     API response: within 1.3x of 73 services alone (`--units` runs this case alone).
//  5. 20 services configured in a region of 500: no slower than in a region of 20 (`--region`; add `--tls` for HTTPS and credentials, as against Google).
//  6. "Where is this commit live?" over 73 units with the verdicts held (as the editor asks for the
//     cursor line): under 100 ms; and `cloud-run-drift where` against `check` (`--where` runs this case alone).
//  7. `--history` alone: a generated history of 100,000 commits, 20 services deployed up to 99,000
//     commits ago (bench/history.ts).
// Beside each repeat run: the SDK alone reading the same services as a check does, one list of the
// region (sdk-alone.cjs), and plain node:http requests for them (rest-alone.cjs), each also with a get
// per service, so the figures show which part of a check is the SDK's own work.
// The emulator runs in its own process so it never shares an event loop with what is measured.
// Usage: npm run bench   (builds first; prints a table and writes bench/results.json when --write is given)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkServices, rangePaths } from '../src/core/check';
import { createCloudRunReader } from '../src/core/google/cloudrun';
import { SERVICE_FIELDS } from '../src/core/google/runRest';
import { loadConfig } from '../src/core/config';
import { GitRepository } from '../src/core/git/repository';
import { openAsEditor } from './editorGit';
import { WhereAnswers } from '../src/core/where/answers';
import { TEST_CA_FILE } from '../test/helpers/credentialTrap';
import { createTempRepo, fastImportCommits, type TempRepo } from '../test/helpers/repo';
import { control, startEmulatorProcess, type Emulator } from './emulatorProcess';
import { measureHistory, printHistory } from './history';

const ROOT = path.resolve(__dirname, '..');
/** The CLI measured: this build's, or another's (BENCH_CLI=path/to/dist/cli.js, e.g. main's, for a before and after). */
const CLI = process.env.BENCH_CLI ? path.resolve(process.env.BENCH_CLI) : path.join(ROOT, 'dist', 'cli.js');
const SDK_ALONE = path.join(__dirname, 'sdk-alone.cjs');
const REST_ALONE = path.join(__dirname, 'rest-alone.cjs');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const PROJECT = 'bench-project';
const REGION = 'us-west2';

type UnitKind = 'service' | 'function' | 'job';

/**
 * A monorepo with `count` units, 2,000 commits of history, deployed from a handful of commits.
 * `kinds[i]` is unit i's kind (a service when absent): a function runs on the Cloud Run service of
 * its name, whose revision carries the same commit label as the function; a job's template carries
 * it, with two executions (the older on the commit deployed before).
 */
function buildWorkspace(count: number, kinds: readonly UnitKind[] = []): { repo: TempRepo; scenario: unknown; labels: string[] } {
  const repo = createTempRepo('crd-bench-');
  const files: Record<string, string> = { 'shared/lib.py': '0' };
  for (let i = 0; i < count; i++) files[`services/svc-${i}/main.py`] = '0';
  repo.commit('initial layout', files);
  const history = fastImportCommits(repo, 2000, 'shared/generated');
  for (let i = 0; i < 20; i++) repo.commit(`svc-${i}: change`, { [`services/svc-${i}/main.py`]: '1' });
  const deployedFrom = [history[500]!, history[1500]!, history[1999]!, repo.head()];
  const kindOf = (i: number): UnitKind => kinds[i] ?? 'service';
  const labelOf = (i: number): string => deployedFrom[i % deployedFrom.length]!.slice(0, 8);
  const indices = Array.from({ length: count }, (_, i) => i);
  const services = indices
    .filter((i) => kindOf(i) !== 'job')
    .map((i) => ({
      project: PROJECT,
      region: REGION,
      name: `svc-${i}`,
      revisions: [{ name: `svc-${i}-00001-abc`, labels: { 'commit-sha': labelOf(i) } }],
    }));
  const functions = indices.filter((i) => kindOf(i) === 'function').map((i) => ({ project: PROJECT, region: REGION, name: `svc-${i}`, labels: { 'commit-sha': labelOf(i) } }));
  const jobs = indices
    .filter((i) => kindOf(i) === 'job')
    .map((i) => ({
      project: PROJECT,
      region: REGION,
      name: `svc-${i}`,
      labels: { 'commit-sha': labelOf(i) },
      executions: [
        { labels: { 'commit-sha': labelOf(i + 1) }, createTime: '2026-01-01T10:00:00Z', taskDurationMs: 1000 },
        { createTime: '2026-01-02T10:00:00Z', taskDurationMs: 1000 },
      ],
    }));
  const config = {
    project: PROJECT,
    region: REGION,
    services: Object.fromEntries(indices.map((i) => [`svc-${i}`, { ...(kindOf(i) === 'service' ? {} : { kind: kindOf(i) }), paths: [`services/svc-${i}`, 'shared'] }])),
  };
  fs.writeFileSync(path.join(repo.dir, 'cloud-run-drift.json'), JSON.stringify(config));
  const scenario = { run: { services, ...(jobs.length > 0 ? { jobs } : {}) }, ...(functions.length > 0 ? { functions: { functions } } : {}) };
  return { repo, scenario, labels: [...new Set(indices.map(labelOf))] };
}

/**
 * The git phase of a check on its own, as the CLI runs it: the repository opened afresh (nothing
 * cached), HEAD and `git status`, the serving labels resolved, then their ranges, their commits and
 * one service's last commit, as checkServices asks for them. No Cloud Run, so only git is timed.
 */
async function timeGitPhase(dir: string, labels: string[], paths: string[]): Promise<number> {
  const everyPath = rangePaths((await loadConfig(path.join(dir, 'cloud-run-drift.json'))).services);
  const start = process.hrtime.bigint();
  const git = await GitRepository.open(dir);
  const [head] = await Promise.all([git.head(), git.changedPaths()]);
  const resolved = await git.resolveLabels(labels);
  const shas = [...new Set([...resolved.values()].flatMap((r) => (r.kind === 'found' ? [r.sha] : [])))];
  if (shas.length !== labels.length) throw new Error(`git phase: ${labels.length - shas.length} labels did not resolve`);
  await Promise.all([git.ranges(shas, head, { paths: everyPath }), git.describeCommits(shas), git.lastCommitTouching(paths, head)]);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

interface CliRun {
  ms: number;
  /** CPU time (user + system) of the run and the processes it waited for (git), NaN where /proc is not there. */
  cpuMs: number;
  /** When each check phase ended (ms since the process started), from CLOUD_RUN_DRIFT_TIMING. */
  phases: Record<string, number>;
}

/** CPU time (ms) of this process's children that have been waited for, and of theirs: /proc/self/stat's cutime and cstime (Linux, 100 ticks a second). */
function childrenCpuMs(): number {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
    // After the name: state is field 3; cutime and cstime are fields 16 and 17.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return NaN;
  }
}

function cpu(runs: CliRun[]): number {
  return stats(runs.map((r) => r.cpuMs)).median;
}

function timeCli(args: string[], cwd: string, cacheDir: string, cli = CLI, env: NodeJS.ProcessEnv = {}): CliRun & { out: string } {
  const cpuBefore = childrenCpuMs();
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...env, CLOUD_RUN_DRIFT_TIMING: '1', CLOUD_RUN_DRIFT_CACHE_DIR: cacheDir },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpuMs = childrenCpuMs() - cpuBefore;
  if (result.status !== 0 && result.status !== 1) throw new Error(`cli exited ${result.status}: ${result.stderr}${result.stdout}`);
  const phases = Object.fromEntries([...result.stderr.matchAll(/^timing (\S+) (\d+) ms$/gm)].map((m) => [m[1]!, Number(m[2])]));
  return { ms, cpuMs, phases, out: result.stdout };
}

/**
 * A process that only reads the services (sdk-alone.cjs or rest-alone.cjs), for comparison; with
 * `fields` (rest-alone.cjs only), it asks for those fields of each service, as a check does.
 */
function timeReadAlone(script: string, emulatorUrl: string, count: number, cwd: string, variant: 'list' | 'gets' = 'list', fields?: readonly string[]): CliRun {
  const services = Array.from({ length: count }, (_, i) => `svc-${i}`);
  const selection = fields ? ['--fields', fields.join(',')] : [];
  const cpuBefore = childrenCpuMs();
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [script, ...(variant === 'gets' ? ['--gets'] : []), ...selection, emulatorUrl, PROJECT, REGION, ...services], { cwd, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${path.basename(script)} exited ${result.status}: ${result.stderr}`);
  const phases = Object.fromEntries([...result.stderr.matchAll(/^timing (\S+) (\d+) ms$/gm)].map((m) => [m[1]!, Number(m[2])]));
  return { ms, cpuMs: childrenCpuMs() - cpuBefore, phases };
}

/**
 * Every unit just deployed: the CLI's cache file (check-cache-v1.json) forgets the settled revisions
 * and the labels last seen serving. What it learned of the regions' size (largeGroups) is kept: a
 * deploy does not change it.
 */
function forgetRevisions(cacheDir: string): void {
  const file = path.join(cacheDir, 'check-cache-v1.json');
  let largeGroups: unknown;
  try {
    largeGroups = (JSON.parse(fs.readFileSync(file, 'utf8')) as { largeGroups?: unknown }).largeGroups;
  } catch {
    return;
  }
  fs.writeFileSync(file, JSON.stringify(Array.isArray(largeGroups) ? { largeGroups } : {}));
}

/**
 * As if every unit had been deployed since `where` kept its revision histories (where-histories-v1.json):
 * each one's newest revision no longer has the latest created revision's creation time, so each is read
 * again after the check. Nothing to do for a build that keeps no histories.
 */
function staleHistories(cacheDir: string): void {
  const file = path.join(cacheDir, 'where-histories-v1.json');
  if (!fs.existsSync(file)) return;
  const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as { histories: [string, { revisions: { createTime: string | null }[] }][] };
  for (const [, history] of kept.histories) history.revisions[0]!.createTime = '2000-01-01T00:00:00.000Z';
  fs.writeFileSync(file, JSON.stringify(kept), { mode: 0o600 });
}

function phaseMedians(runs: CliRun[]): Record<string, number> {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.phases)))];
  return Object.fromEntries(names.map((name) => [name, stats(runs.map((r) => r.phases[name] ?? NaN)).median]));
}

interface Stats {
  median: number;
  p90: number;
  min: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: round(at(0.5)), p90: round(at(0.9)), min: round(sorted[0]!) };
}

/** `a`'s median over `b`'s, to two places. */
function ratioOf(a: Pick<Stats, 'median'>, b: Pick<Stats, 'median'>): number {
  return Math.round((a.median / b.median) * 100) / 100;
}

/** By how many ms `a`'s median exceeds `b`'s (negative: it is under). */
function moreMs(a: Pick<Stats, 'median'>, b: Pick<Stats, 'median'>): number {
  return round(a.median - b.median);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

async function measure(count: number, latencyMs: number): Promise<Record<string, unknown>> {
  const { repo, scenario, labels } = buildWorkspace(count);
  const scenarioFile = path.join(os.tmpdir(), `crd-bench-${process.pid}-${count}.json`);
  fs.writeFileSync(scenarioFile, JSON.stringify(scenario));
  const emulator = await startEmulatorProcess(scenarioFile);
  try {
    const configPath = path.join(repo.dir, 'cloud-run-drift.json');
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(configPath, JSON.stringify({ ...config, endpoints: { run: emulator.url } }));
    if (latencyMs > 0) await control(emulator.url, 'faults', { rules: [], globalLatencyMs: latencyMs });

    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-bench-cache-'));
    const processStart = stats(Array.from({ length: RUNS }, () => timeCli(['help'], repo.dir, '').ms));
    timeCli(['check'], repo.dir, cacheDir); // warms the OS file cache and writes the V8 code cache; not counted
    // Repeat runs: the code cache and the settled revisions of the run before (one round trip).
    // Each beside a run of the SDK alone reading the same services (the floor; see sdk-alone.cjs),
    // interleaved so that a slow moment of the machine weighs on both.
    const repeatRuns: CliRun[] = [];
    const sdkAloneRuns: CliRun[] = [];
    const restAloneRuns: CliRun[] = [];
    const sdkGetsRuns: CliRun[] = [];
    const restGetsRuns: CliRun[] = [];
    const repeatHumanRuns: CliRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      repeatRuns.push(timeCli(['check', '--json'], repo.dir, cacheDir));
      repeatHumanRuns.push(timeCli(['check'], repo.dir, cacheDir));
      sdkAloneRuns.push(timeReadAlone(SDK_ALONE, emulator.url, count, repo.dir));
      restAloneRuns.push(timeReadAlone(REST_ALONE, emulator.url, count, repo.dir));
      sdkGetsRuns.push(timeReadAlone(SDK_ALONE, emulator.url, count, repo.dir, 'gets'));
      restGetsRuns.push(timeReadAlone(REST_ALONE, emulator.url, count, repo.dir, 'gets'));
    }
    const repeatHuman = stats(repeatHumanRuns.map((r) => r.ms));
    // Revisions not seen before (every service just deployed): the code cache only, two round trips.
    const newRevisionRuns = Array.from({ length: RUNS }, () => {
      forgetRevisions(cacheDir);
      return timeCli(['check', '--json'], repo.dir, cacheDir);
    });
    // What the added latency itself costs: the same runs with and without it, interleaved. The
    // difference is the part of the budget's "two round trips" a check really spends waiting; the
    // rest of its time is process start and CPU.
    const withLatency = { repeat: [] as number[], newRevisions: [] as number[] };
    const withoutLatency = { repeat: [] as number[], newRevisions: [] as number[] };
    if (latencyMs > 0) {
      for (let i = 0; i < RUNS; i++) {
        for (const [latency, samples] of [[latencyMs, withLatency], [0, withoutLatency]] as const) {
          await control(emulator.url, 'faults', { rules: [], globalLatencyMs: latency });
          samples.repeat.push(timeCli(['check', '--json'], repo.dir, cacheDir).ms);
          forgetRevisions(cacheDir);
          samples.newRevisions.push(timeCli(['check', '--json'], repo.dir, cacheDir).ms);
        }
      }
      await control(emulator.url, 'faults', { rules: [], globalLatencyMs: latencyMs });
    }
    // No cache at all: the first run on a machine, or CLOUD_RUN_DRIFT_CACHE_DIR set empty.
    const firstRuns = Array.from({ length: RUNS }, () => timeCli(['check', '--json'], repo.dir, ''));
    fs.rmSync(cacheDir, { recursive: true, force: true });

    // In-editor refresh: one long-lived reader and repository, as the extension keeps them.
    const loaded = await loadConfig(configPath);
    const reader = createCloudRunReader(loaded.endpoints);
    const git = await openAsEditor(repo.dir);
    const coldStart = process.hrtime.bigint();
    await checkServices(loaded, { reader, git });
    const cold = Number(process.hrtime.bigint() - coldStart) / 1e6;
    const warmSamples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = process.hrtime.bigint();
      await checkServices(loaded, { reader, git });
      warmSamples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    // The git part of a warm refresh: HEAD, status and label resolution (ranges are cached).
    const gitSamples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = process.hrtime.bigint();
      await Promise.all([git.head(), git.changedPaths(), git.resolveLabels(['deadbeef'])]);
      gitSamples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    await reader.close();
    const gitPhaseSamples: number[] = [];
    for (let i = 0; i < 3 * RUNS; i++) gitPhaseSamples.push(await timeGitPhase(repo.dir, labels, ['services/svc-0', 'shared']));
    const warm = stats(warmSamples);
    const gitTime = stats(gitSamples);
    return {
      services: count,
      addedLatencyMs: latencyMs,
      processStartMs: processStart.median,
      cliRepeatMs: stats(repeatRuns.map((r) => r.ms)),
      cliRepeatHumanOutputMs: repeatHuman,
      sdkAloneMs: stats(sdkAloneRuns.map((r) => r.ms)),
      sdkAloneAnsweredMs: stats(sdkAloneRuns.map((r) => r.phases.answered ?? NaN)).median,
      sdkAloneLoadedMs: stats(sdkAloneRuns.map((r) => r.phases.loaded ?? NaN)).median,
      sdkAloneClientMs: stats(sdkAloneRuns.map((r) => r.phases.client ?? NaN)).median,
      restAloneMs: stats(restAloneRuns.map((r) => r.ms)),
      restAloneAnsweredMs: stats(restAloneRuns.map((r) => r.phases.answered ?? NaN)).median,
      sdkAloneGetsMs: stats(sdkGetsRuns.map((r) => r.ms)),
      restAloneGetsMs: stats(restGetsRuns.map((r) => r.ms)),
      cliNewRevisionsMs: stats(newRevisionRuns.map((r) => r.ms)),
      cliFirstRunMs: stats(firstRuns.map((r) => r.ms)),
      cliPhaseEndsMs: { repeat: phaseMedians(repeatRuns), newRevisions: phaseMedians(newRevisionRuns), firstRun: phaseMedians(firstRuns) },
      latencyCost:
        latencyMs > 0
          ? {
              repeatWithoutLatencyMs: stats(withoutLatency.repeat).median,
              repeatAddedMs: moreMs(stats(withLatency.repeat), stats(withoutLatency.repeat)),
              newRevisionsWithoutLatencyMs: stats(withoutLatency.newRevisions).median,
              newRevisionsAddedMs: moreMs(stats(withLatency.newRevisions), stats(withoutLatency.newRevisions)),
            }
          : null,
      cliBudgetMs: latencyMs > 0 ? round(2 * latencyMs + processStart.median) : null,
      refreshColdMs: round(cold),
      refreshWarmMs: warm,
      gitMs: gitTime.median,
      gitPhaseMs: stats(gitPhaseSamples),
      gitPhaseLabels: labels.length,
      refreshBudgetMs: latencyMs > 0 ? round(1.5 * (2 * latencyMs + gitTime.median)) : null,
    };
  } finally {
    emulator.process.kill('SIGTERM');
    fs.rmSync(scenarioFile, { force: true });
    repo.cleanup();
  }
}

/** Unit i's kind in the mixed workspace: the first `functions` are functions, the next `jobs` jobs, the rest services. */
function mixedKinds(count: number, functions: number, jobs: number): UnitKind[] {
  return Array.from({ length: count }, (_, i) => (i < functions ? 'function' : i < functions + jobs ? 'job' : 'service'));
}

/** Starts the emulator for a workspace, points its configuration at it and adds the latency. */
async function serveWorkspace(workspace: { repo: TempRepo; scenario: unknown }, latencyMs: number): Promise<Emulator> {
  const scenarioFile = path.join(os.tmpdir(), `crd-bench-${process.pid}-${path.basename(workspace.repo.dir)}.json`);
  fs.writeFileSync(scenarioFile, JSON.stringify(workspace.scenario));
  try {
    const emulator = await startEmulatorProcess(scenarioFile);
    const configPath = path.join(workspace.repo.dir, 'cloud-run-drift.json');
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(configPath, JSON.stringify({ ...config, endpoints: { run: emulator.url, functions: emulator.url } }));
    await control(emulator.url, 'faults', { rules: [], globalLatencyMs: latencyMs });
    return emulator;
  } finally {
    fs.rmSync(scenarioFile, { force: true });
  }
}

/** With `--tls`, the network's round trip between the CLI and the fronts (`--rtt MS`; 0: none), as between the CLI and Google. */
const ROUND_TRIP_MS = roundTripOption(process.argv);

function roundTripOption(argv: readonly string[]): number {
  if (!argv.includes('--rtt')) return 0;
  const ms = Number(argv[argv.indexOf('--rtt') + 1]);
  if (!argv.includes('--tls')) throw new Error('--rtt MS is for --tls (the round trip between the CLI and the TLS fronts)');
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`--rtt takes a round trip in ms (a number above 0), not ${JSON.stringify(argv[argv.indexOf('--rtt') + 1] ?? '')}`);
  return ms;
}

/** bench/tlsFront.ts in a process of its own, in front of the emulator at `emulatorUrl`. */
async function startTlsFront(emulatorUrl: string, roundTripMs: number): Promise<{ url: string; metadataHost: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'tlsFront.ts'), emulatorUrl, String(roundTripMs)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`tlsFront exited ${code}: ${out}`)));
  });
  return { ...(JSON.parse(line) as { url: string; metadataHost: string }), process: child };
}

/**
 * Every kind of unit against services alone: one check over `count` units of which `functions`
 * are Cloud Run functions and `jobs` Cloud Run jobs, and one over `count` services, each against
 * its own emulator with `latencyMs` added to every response. Runs alternate between the two, so a
 * slow moment of the machine weighs on both; repeat runs (settled revisions cached) and runs after
 * every unit was just deployed (no settled revisions).
 */
async function measureUnits(count: number, functions: number, jobs: number, latencyMs: number, runs: number): Promise<Record<string, unknown>> {
  const mixed = buildWorkspace(count, mixedKinds(count, functions, jobs));
  const alone = buildWorkspace(count);
  const emulators: Emulator[] = [];
  const cacheDirs: string[] = [];
  try {
    for (const workspace of [mixed, alone]) emulators.push(await serveWorkspace(workspace, latencyMs));
    const cases = [mixed, alone].map((workspace) => {
      const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-bench-cache-'));
      cacheDirs.push(cacheDir);
      return { dir: workspace.repo.dir, cacheDir, repeat: [] as CliRun[], newRevisions: [] as CliRun[] };
    });
    for (const c of cases) timeCli(['check'], c.dir, c.cacheDir); // warms the file and code caches; not counted
    for (let i = 0; i < runs; i++) {
      for (const c of cases) c.repeat.push(timeCli(['check', '--json'], c.dir, c.cacheDir));
      for (const c of cases) {
        forgetRevisions(c.cacheDir);
        c.newRevisions.push(timeCli(['check', '--json'], c.dir, c.cacheDir));
      }
    }
    const [withKinds, servicesOnly] = cases as [(typeof cases)[0], (typeof cases)[0]];
    const repeatMixed = stats(withKinds.repeat.map((r) => r.ms));
    const repeatServices = stats(servicesOnly.repeat.map((r) => r.ms));
    const newMixed = stats(withKinds.newRevisions.map((r) => r.ms));
    const newServices = stats(servicesOnly.newRevisions.map((r) => r.ms));
    return {
      units: count,
      functions,
      jobs,
      services: count - functions - jobs,
      addedLatencyMs: latencyMs,
      runs,
      loadAverage: os.loadavg().map(round),
      repeat: { mixedMs: repeatMixed, servicesAloneMs: repeatServices, ratio: ratioOf(repeatMixed, repeatServices) },
      newRevisions: { mixedMs: newMixed, servicesAloneMs: newServices, ratio: ratioOf(newMixed, newServices) },
      phaseEndsMs: {
        repeat: { mixed: phaseMedians(withKinds.repeat), servicesAlone: phaseMedians(servicesOnly.repeat) },
        newRevisions: { mixed: phaseMedians(withKinds.newRevisions), servicesAlone: phaseMedians(servicesOnly.newRevisions) },
      },
    };
  } finally {
    for (const emulator of emulators) emulator.process.kill('SIGTERM');
    for (const dir of cacheDirs) fs.rmSync(dir, { recursive: true, force: true });
    mixed.repo.cleanup();
    alone.repo.cleanup();
  }
}

function printUnits(r: Record<string, unknown>): void {
  type Side = { mixedMs: { median: number; p90: number }; servicesAloneMs: { median: number; p90: number }; ratio: number };
  const phases = r.phaseEndsMs as Record<string, Record<string, Record<string, number>>>;
  const phaseLine = (name: string, side: string): string => Object.entries(phases[name]![side]!).map(([phase, at]) => `${phase} ${at}`).join(', ');
  const line = (label: string, name: string): string => {
    const side = r[name] as Side;
    return (
      `    ${label}: ${side.mixedMs.median} ms (p90 ${side.mixedMs.p90}) against ${side.servicesAloneMs.median} ms (p90 ${side.servicesAloneMs.p90}): ${side.ratio}x (target 1.3x)\n` +
      `      phases end at, every kind: ${phaseLine(name, 'mixed')}\n` +
      `      phases end at, services:   ${phaseLine(name, 'servicesAlone')}\n`
    );
  };
  console.log(
    `${r.units} units (${r.functions} functions, ${r.jobs} jobs, ${r.services} services) against ${r.units} services, +${r.addedLatencyMs} ms/response, median of ${r.runs} (load average ${(r.loadAverage as number[]).join(', ')}):\n` +
      line('CLI check --json, repeat run   ', 'repeat') +
      line('CLI check --json, new revisions', 'newRevisions'),
  );
}

/** `configured` services in a region that holds `regionSize` services: the other services come first, as a list would return them. */
function buildLargeRegion(configured: number, regionSize: number): ReturnType<typeof buildWorkspace> {
  const large = buildWorkspace(configured);
  const label = large.labels[0]!;
  const filler = Array.from({ length: regionSize - configured }, (_, i) => ({
    project: PROJECT,
    region: REGION,
    name: `other-${i}`,
    revisions: [{ name: `other-${i}-00001-abc`, labels: { 'commit-sha': label } }],
  }));
  const largeScenario = large.scenario as { run: { services: unknown[] } };
  largeScenario.run.services = [...filler, ...largeScenario.run.services];
  return large;
}

/**
 * As against Google: each workspace's emulator behind a TLS front (its config's endpoints point
 * there), with Application Default Credentials (a token from a metadata server) sent to 127.0.0.1,
 * allowed for it. Returns the CLI's environment; the fronts and the home folder are pushed for the
 * caller to end and remove.
 */
async function frontWithCredentials(workspaces: { repo: TempRepo }[], emulators: Emulator[], fronts: ChildProcess[], dirs: string[]): Promise<NodeJS.ProcessEnv> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-bench-home-'));
  dirs.push(home);
  const metadataHosts: string[] = [];
  for (const [i, workspace] of workspaces.entries()) {
    const front = await startTlsFront(emulators[i]!.url, ROUND_TRIP_MS);
    fronts.push(front.process);
    metadataHosts.push(front.metadataHost);
    const configPath = path.join(workspace.repo.dir, 'cloud-run-drift.json');
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(configPath, JSON.stringify({ ...config, endpoints: { run: front.url, functions: front.url } }));
  }
  // One metadata server hands out the token for all (each front runs one).
  return {
    HOME: home,
    CLOUDSDK_CONFIG: path.join(home, 'gcloud'),
    GOOGLE_APPLICATION_CREDENTIALS: '',
    GCE_METADATA_HOST: metadataHosts[0]!,
    METADATA_SERVER_DETECTION: 'assume-present',
    GOOGLE_CLOUD_PROJECT: PROJECT,
    NODE_EXTRA_CA_CERTS: TEST_CA_FILE,
    CLOUD_RUN_DRIFT_ALLOW_CREDENTIALS_TO: '127.0.0.1',
  };
}

/**
 * A region far larger than the configuration: `configured` services checked in a region of
 * `regionSize` (the list takes several pages of what the API answers) against the same services in
 * a region of just them, each against its own emulator with `latencyMs` added to every response.
 * Runs alternate: repeat runs, runs with new revisions, and first runs with no cache. With `tls`
 * (`--tls`), the CLI reaches each emulator as it reaches Google: over HTTPS (bench/tlsFront.ts, the
 * tests' certificate), with Application Default Credentials from a metadata server. Without it,
 * beside each repeat run, the requests alone (rest-alone.cjs, no code of ours): the GETs a repeat
 * run sends in the large region, one list in the small one, and one list of the whole large region,
 * which put a floor under what any reader of the same requests can come to.
 */
async function measureRegionSize(configured: number, regionSize: number, latencyMs: number, runs: number, tls = false): Promise<Record<string, unknown>> {
  const large = buildLargeRegion(configured, regionSize);
  const small = buildWorkspace(configured);
  const emulators: Emulator[] = [];
  const cacheDirs: string[] = [];
  const fronts: ChildProcess[] = [];
  let env: NodeJS.ProcessEnv = {};
  try {
    for (const workspace of [large, small]) emulators.push(await serveWorkspace(workspace, latencyMs));
    if (tls) env = await frontWithCredentials([large, small], emulators, fronts, cacheDirs);
    const cases = [large, small].map((workspace) => {
      const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-bench-cache-'));
      cacheDirs.push(cacheDir);
      return { dir: workspace.repo.dir, cacheDir, repeat: [] as number[], newRevisions: [] as number[], first: [] as number[] };
    });
    for (const c of cases) timeCli(['check'], c.dir, c.cacheDir, CLI, env); // warms the file and code caches; not counted
    const alone = { getsInLarge: [] as number[], listInSmall: [] as number[], listOfLarge: [] as number[] };
    const [largeUrl, smallUrl] = emulators.map((emulator) => emulator.url) as [string, string];
    for (let i = 0; i < runs; i++) {
      for (const c of cases) c.repeat.push(timeCli(['check', '--json'], c.dir, c.cacheDir, CLI, env).ms);
      if (!tls) {
        alone.getsInLarge.push(timeReadAlone(REST_ALONE, largeUrl, configured, large.repo.dir, 'gets', SERVICE_FIELDS).ms);
        alone.listInSmall.push(timeReadAlone(REST_ALONE, smallUrl, configured, small.repo.dir, 'list', SERVICE_FIELDS).ms);
        alone.listOfLarge.push(timeReadAlone(REST_ALONE, largeUrl, configured, large.repo.dir, 'list', SERVICE_FIELDS).ms);
      }
      for (const c of cases) {
        forgetRevisions(c.cacheDir);
        c.newRevisions.push(timeCli(['check', '--json'], c.dir, c.cacheDir, CLI, env).ms);
      }
      for (const c of cases) c.first.push(timeCli(['check', '--json'], c.dir, '', CLI, env).ms);
    }
    const [inLarge, inSmall] = cases as [(typeof cases)[0], (typeof cases)[0]];
    const side = (name: 'repeat' | 'newRevisions' | 'first') => {
      const largeMs = stats(inLarge[name]);
      const smallMs = stats(inSmall[name]);
      return { largeRegionMs: largeMs, smallRegionMs: smallMs, ratio: ratioOf(largeMs, smallMs), moreMs: moreMs(largeMs, smallMs) };
    };
    const requestsAlone = tls
      ? null
      : (() => {
          const [gets, list, listOfLarge] = [alone.getsInLarge, alone.listInSmall, alone.listOfLarge].map(stats) as [Stats, Stats, Stats];
          return { getsInLargeMs: gets, listInSmallMs: list, listOfLargeMs: listOfLarge, getsRatio: ratioOf(gets, list), getsMoreMs: moreMs(gets, list), listOfLargeRatio: ratioOf(listOfLarge, list), listOfLargeMoreMs: moreMs(listOfLarge, list) };
        })();
    return { configured, regionSize, addedLatencyMs: latencyMs, runs, tls, roundTripMs: tls ? ROUND_TRIP_MS : 0, loadAverage: os.loadavg().map(round), repeat: side('repeat'), newRevisions: side('newRevisions'), firstRun: side('first'), requestsAlone };
  } finally {
    for (const front of fronts) front.kill('SIGTERM');
    for (const emulator of emulators) emulator.process.kill('SIGTERM');
    for (const dir of cacheDirs) fs.rmSync(dir, { recursive: true, force: true });
    large.repo.cleanup();
    small.repo.cleanup();
  }
}

function printRegionSize(r: Record<string, unknown>): void {
  type Side = { largeRegionMs: Stats; smallRegionMs: Stats; ratio: number; moreMs: number };
  type Alone = { getsInLargeMs: Stats; listInSmallMs: Stats; listOfLargeMs: Stats; getsRatio: number; getsMoreMs: number; listOfLargeRatio: number; listOfLargeMoreMs: number };
  const signed = (ms: number): string => `${ms < 0 ? '' : '+'}${ms} ms`;
  const line = (label: string, name: string): string => {
    const side = r[name] as Side;
    return `    ${label}: ${side.largeRegionMs.median} ms (p90 ${side.largeRegionMs.p90}) against ${side.smallRegionMs.median} ms (p90 ${side.smallRegionMs.p90}): ${side.ratio}x, ${signed(side.moreMs)} (target: no slower)\n`;
  };
  const alone = r.requestsAlone as Alone | null;
  const floor = alone
    ? `    the requests alone (rest-alone.cjs), ${r.configured} GETs in the large region against one list of the small: ${alone.getsInLargeMs.median} ms (p90 ${alone.getsInLargeMs.p90}) against ${alone.listInSmallMs.median} ms (p90 ${alone.listInSmallMs.p90}): ${alone.getsRatio}x, ${signed(alone.getsMoreMs)}\n` +
      `    the requests alone, one list of the large region's ${r.regionSize} against the same:               ${alone.listOfLargeMs.median} ms (p90 ${alone.listOfLargeMs.p90}): ${alone.listOfLargeRatio}x, ${signed(alone.listOfLargeMoreMs)}\n`
    : '';
  console.log(
    `${r.configured} services configured in a region of ${r.regionSize} against a region of ${r.configured}, +${r.addedLatencyMs} ms/response${r.tls ? `, over HTTPS with credentials${r.roundTripMs ? ` and a ${r.roundTripMs} ms round trip` : ''}` : ''}, median of ${r.runs} (load average ${(r.loadAverage as number[]).join(', ')}):\n` +
      line('CLI check --json, repeat run   ', 'repeat') +
      line('CLI check --json, new revisions', 'newRevisions') +
      line('CLI check --json, no cache     ', 'firstRun') +
      floor,
  );
}

/**
 * `where` over `count` units, every kind, with `latencyMs` added to every response: in the editor (a
 * held check result, a long-lived repository, nothing cached for the commit asked about: the first
 * question about each), for an old commit, one some units serve and HEAD; and the CLI's `where`
 * against its `check`, interleaved.
 */
async function measureWhere(count: number, latencyMs: number, runs: number): Promise<Record<string, unknown>> {
  const workspace = buildWorkspace(count, mixedKinds(count, Math.floor(count / 3), Math.floor(count / 10)));
  const emulator = await serveWorkspace(workspace, latencyMs);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-bench-cache-'));
  try {
    const { repo } = workspace;
    const loaded = await loadConfig(path.join(repo.dir, 'cloud-run-drift.json'));
    const reader = createCloudRunReader(loaded.endpoints);
    const git = await openAsEditor(repo.dir);
    const result = await checkServices(loaded, { reader, git });
    await reader.close();
    const commits = { old: repo.git('rev-list', '-1', '--skip=1900', 'HEAD'), served: repo.git('rev-parse', 'HEAD~5'), head: repo.head() };
    const editor: Record<string, { median: number; p90: number; min: number }> = {};
    for (const [name, sha] of Object.entries(commits)) {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const answers = new WhereAnswers();
        const start = process.hrtime.bigint();
        await answers.answer(git, result, sha);
        samples.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      editor[name] = stats(samples);
    }
    timeCli(['check'], repo.dir, cacheDir); // warms the file and code caches; not counted
    // `where` for a commit some units serve (HEAD~5: not yet live in the one it touches) and for the
    // old one (live in every unit: each one's revision history is needed), between checks; the old
    // one twice: with the histories the run before kept, and with each of them gone stale.
    const check: CliRun[] = [];
    const where: CliRun[] = [];
    const whereLive: CliRun[] = [];
    const whereStale: CliRun[] = [];
    for (let i = 0; i < runs; i++) {
      check.push(timeCli(['check', '--json'], repo.dir, cacheDir));
      where.push(timeCli(['where', commits.served, '--json'], repo.dir, cacheDir));
      whereLive.push(timeCli(['where', commits.old, '--json'], repo.dir, cacheDir));
      staleHistories(cacheDir);
      whereStale.push(timeCli(['where', commits.old, '--json'], repo.dir, cacheDir));
    }
    const ms = (samples: CliRun[]): { median: number; p90: number; min: number } => stats(samples.map((r) => r.ms));
    // BENCH_CLI_BEFORE: another build's answers (with a cache folder of its own) against this one's, for each commit.
    const before = process.env.BENCH_CLI_BEFORE ? path.resolve(process.env.BENCH_CLI_BEFORE) : null;
    const beforeCache = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-bench-cache-'));
    const sameAnswers = before
      ? Object.fromEntries(
          Object.entries(commits).map(([name, sha]) => {
            const theirs = [timeCli(['where', sha, '--json'], repo.dir, beforeCache, before).out, timeCli(['where', sha, '--json'], repo.dir, beforeCache, before).out];
            const ours = timeCli(['where', sha, '--json'], repo.dir, cacheDir).out;
            return [name, theirs.every((out) => out === ours)];
          }),
        )
      : null;
    fs.rmSync(beforeCache, { recursive: true, force: true });
    return {
      units: count,
      ...(sameAnswers ? { sameAnswersAsBefore: sameAnswers } : {}),
      addedLatencyMs: latencyMs,
      runs,
      loadAverage: os.loadavg().map(round),
      editorMs: editor,
      cliCheckMs: ms(check),
      cliWhereMs: ms(where),
      cliWhereLiveMs: ms(whereLive),
      cliWhereStaleMs: ms(whereStale),
      cliCpuMs: { check: cpu(check), where: cpu(where), whereLive: cpu(whereLive), whereStale: cpu(whereStale) },
      cliPhaseEndsMs: { check: phaseMedians(check), where: phaseMedians(where), whereLive: phaseMedians(whereLive), whereStale: phaseMedians(whereStale) },
    };
  } finally {
    emulator.process.kill('SIGTERM');
    fs.rmSync(cacheDir, { recursive: true, force: true });
    workspace.repo.cleanup();
  }
}

function printWhere(r: Record<string, unknown>): void {
  const editor = r.editorMs as Record<string, { median: number; p90: number }>;
  const cli = (key: string): { median: number; p90: number } => r[key] as { median: number; p90: number };
  const ratio = (key: string): number => ratioOf(cli(key), cli('cliCheckMs'));
  console.log(
    `where over ${r.units} units, +${r.addedLatencyMs} ms/response, median of ${r.runs} (load average ${(r.loadAverage as number[]).join(', ')}):\n` +
      `    in the editor, verdicts held (target 100 ms): ${Object.entries(editor).map(([name, s]) => `${name} commit ${s.median} ms (p90 ${s.p90})`).join(', ')}\n` +
      `    CLI check --json ${cli('cliCheckMs').median} ms (p90 ${cli('cliCheckMs').p90}); where --json: served commit ${cli('cliWhereMs').median} ms (p90 ${cli('cliWhereMs').p90}, ${ratio('cliWhereMs')}x), ` +
      `old commit live in every unit ${cli('cliWhereLiveMs').median} ms (p90 ${cli('cliWhereLiveMs').p90}, ${ratio('cliWhereLiveMs')}x), ` +
      `the same with every kept history stale ${cli('cliWhereStaleMs').median} ms (p90 ${cli('cliWhereStaleMs').p90}, ${ratio('cliWhereStaleMs')}x)\n` +
      `      CPU (user + system, git included), median: ${Object.entries(r.cliCpuMs as Record<string, number>).map(([name, at]) => `${name} ${at} ms`).join(', ')}\n` +
      Object.entries(r.cliPhaseEndsMs as Record<string, Record<string, number>>).map(([name, ends]) => `      ${name} phases end at: ${Object.entries(ends).map(([phase, at]) => `${phase} ${at}`).join(', ')}`).join('\n') +
      (r.sameAnswersAsBefore ? `\n    where --json the same as BENCH_CLI_BEFORE's (first run and repeat): ${JSON.stringify(r.sameAnswersAsBefore)}` : ''),
  );
}

/**
 * `--serve`: the 73-service workspace with its emulator (+`latencyMs` per response) left up until
 * Ctrl-C, for profiling or timing a build by hand; prints how to run the CLI against it.
 */
async function serve(count: number, latencyMs: number, kinds: readonly UnitKind[] = []): Promise<void> {
  const workspace = buildWorkspace(count, kinds);
  const emulator = await serveWorkspace(workspace, latencyMs);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-bench-cache-'));
  console.log(`${count} services, +${latencyMs} ms/response: emulator ${emulator.url}\n  cd ${workspace.repo.dir} && CLOUD_RUN_DRIFT_CACHE_DIR=${cacheDir} CLOUD_RUN_DRIFT_TIMING=1 node ${CLI} check --json\nCtrl-C ends it.`);
  await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
  emulator.process.kill('SIGTERM');
  fs.rmSync(cacheDir, { recursive: true, force: true });
  workspace.repo.cleanup();
}

/** `--serve --region [--tls]`: as `--serve`, `configured` services in a region of `regionSize` beside the same services alone in theirs; with `tls`, as `--region --tls` reaches them. */
async function serveRegion(configured: number, regionSize: number, latencyMs: number, tls: boolean): Promise<void> {
  const workspaces = [buildLargeRegion(configured, regionSize), buildWorkspace(configured)];
  const emulators = await Promise.all(workspaces.map((workspace) => serveWorkspace(workspace, latencyMs)));
  const cacheDirs = workspaces.map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'crd-bench-cache-')));
  const fronts: ChildProcess[] = [];
  const env = tls ? await frontWithCredentials(workspaces, emulators, fronts, cacheDirs) : {};
  const vars = Object.entries(env).map(([name, value]) => `${name}=${value} `).join('');
  const how = (i: number): string => `cd ${workspaces[i]!.repo.dir} && ${vars}CLOUD_RUN_DRIFT_CACHE_DIR=${cacheDirs[i]} CLOUD_RUN_DRIFT_TIMING=1 node ${CLI} check --json`;
  console.log(`${configured} services, +${latencyMs} ms/response, in a region of ${regionSize}:\n  ${how(0)}\nin a region of ${configured}:\n  ${how(1)}\nCtrl-C ends it.`);
  await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
  for (const front of fronts) front.kill('SIGTERM');
  for (const emulator of emulators) emulator.process.kill('SIGTERM');
  for (const dir of cacheDirs) fs.rmSync(dir, { recursive: true, force: true });
  for (const workspace of workspaces) workspace.repo.cleanup();
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js missing: run npm run build');
  if (process.argv.includes('--serve')) {
    // With --where: the units of `--where` (every kind), to run `where` by hand; with --region: the 20 services of `--region` in its region of 500.
    if (process.argv.includes('--region')) await serveRegion(20, 500, 100, process.argv.includes('--tls'));
    else await serve(73, 100, process.argv.includes('--where') ? mixedKinds(73, Math.floor(73 / 3), Math.floor(73 / 10)) : []);
    return;
  }
  const resultsFile = path.join(__dirname, 'results.json');
  if (process.argv.includes('--where')) {
    printWhere(await measureWhere(73, 100, Number(process.env.BENCH_RUNS ?? 9)));
    return;
  }
  if (process.argv.includes('--history')) {
    const history = await measureHistory(Number(process.env.BENCH_RUNS ?? 5), Number(process.env.BENCH_COMMITS ?? 100_000));
    printHistory(history);
    if (process.argv.includes('--write')) {
      const kept = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(resultsFile, JSON.stringify({ ...kept, history: { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, ...history } }, null, 2) + '\n');
    }
    return;
  }
  const unitsOnly = process.argv.includes('--units');
  const unitRuns = Number(process.env.BENCH_RUNS ?? 9);
  if (process.argv.includes('--region')) {
    const region = await measureRegionSize(20, 500, 100, unitRuns, process.argv.includes('--tls'));
    printRegionSize(region);
    if (process.argv.includes('--write')) {
      const kept = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(resultsFile, JSON.stringify({ ...kept, regionSize: { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, ...region } }, null, 2) + '\n');
    }
    return;
  }
  if (unitsOnly) {
    const units = await measureUnits(73, 24, 7, 100, unitRuns);
    printUnits(units);
    if (process.argv.includes('--write')) {
      const kept = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(resultsFile, JSON.stringify({ ...kept, units: { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, ...units } }, null, 2) + '\n');
    }
    return;
  }
  const results = [await measure(13, 0), await measure(73, 100)];
  // `--services`: the two cases above alone.
  const servicesOnly = process.argv.includes('--services');
  const units = servicesOnly ? null : await measureUnits(73, 24, 7, 100, unitRuns);
  const where = servicesOnly ? null : await measureWhere(73, 100, unitRuns);
  for (const r of results) {
    const ms = (key: string): { median: number; p90: number } => r[key] as { median: number; p90: number };
    const phases = r.cliPhaseEndsMs as Record<string, Record<string, number>>;
    const phaseLine = (name: string): string => Object.entries(phases[name]!).map(([phase, at]) => `${phase} ${at}`).join(', ');
    const warm = ms('refreshWarmMs');
    const cost = r.latencyCost as { repeatWithoutLatencyMs: number; repeatAddedMs: number; newRevisionsWithoutLatencyMs: number; newRevisionsAddedMs: number } | null;
    console.log(
      `${String(r.services).padStart(3)} services, +${r.addedLatencyMs} ms/response (process start ${r.processStartMs}${r.cliBudgetMs ? `; budget 2 RTT + start = ${r.cliBudgetMs}` : ''}):\n` +
        `    CLI check --json, repeat run:    median ${ms('cliRepeatMs').median} ms (p90 ${ms('cliRepeatMs').p90}); without --json ${ms('cliRepeatHumanOutputMs').median}\n` +
        `      phases end at: ${phaseLine('repeat')}\n` +
        `    the SDK alone, one list of the region:  median ${ms('sdkAloneMs').median} ms (p90 ${ms('sdkAloneMs').p90}; SDK loaded at ${r.sdkAloneLoadedMs}, client at ${r.sdkAloneClientMs}, last answer at ${r.sdkAloneAnsweredMs}); a get per service ${ms('sdkAloneGetsMs').median}\n` +
        `    plain node:http, one list of the region: median ${ms('restAloneMs').median} ms (p90 ${ms('restAloneMs').p90}; last answer at ${r.restAloneAnsweredMs}); a GET per service ${ms('restAloneGetsMs').median}\n` +
        `    CLI check --json, new revisions: median ${ms('cliNewRevisionsMs').median} ms (p90 ${ms('cliNewRevisionsMs').p90})\n` +
        `      phases end at: ${phaseLine('newRevisions')}\n` +
        `    CLI check --json, no cache:      median ${ms('cliFirstRunMs').median} ms (p90 ${ms('cliFirstRunMs').p90})\n` +
        (cost
          ? `    what the +${r.addedLatencyMs} ms costs (interleaved with runs at +0): repeat run +${cost.repeatAddedMs} ms over ${cost.repeatWithoutLatencyMs} (1 round trip), ` +
            `new revisions +${cost.newRevisionsAddedMs} ms over ${cost.newRevisionsWithoutLatencyMs} (2 round trips)\n`
          : '') +
        `    in-editor refresh cold ${r.refreshColdMs} ms, warm median ${warm.median} ms (p90 ${warm.p90}; git ${r.gitMs}` +
        `${r.refreshBudgetMs ? `; budget 1.5 x (2 RTT + git) = ${r.refreshBudgetMs}` : ''})\n` +
        `    git phase alone (opened afresh; HEAD, status, ${r.gitPhaseLabels} labels, their ranges and commits): median ${ms('gitPhaseMs').median} ms (p90 ${ms('gitPhaseMs').p90})`,
    );
  }
  if (units) printUnits(units);
  if (where) printWhere(where);
  if (process.argv.includes('--write') && units) {
    const date = new Date().toISOString();
    const machine = { node: process.version, cpus: os.cpus().length };
    fs.writeFileSync(resultsFile, JSON.stringify({ date, ...machine, results, units: { date, ...machine, ...units } }, null, 2) + '\n');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
