// The large-monorepo case of `npm run bench -- --history`: a generated history of 100,000 commits
// (git fast-import, side branches merged back every 1,000 commits), 20 services deployed from 100 to
// 99,000 commits ago. Measures `cloud-run-drift check --json` (wall time; peak RSS of the process
// or any of its git children, from /usr/bin/time, and of the process alone), an in-editor refresh with the repository's caches warm,
// one with them empty (a repository opened afresh), and one after a commit with the repository kept
// (its walk continued), the longest event-loop stall during each refresh and the longest pause of
// the garbage collector that began in it.
// Every verdict's commit count is checked against `git rev-list --count --no-merges --full-history
// deployed..HEAD -- <paths>`, the count the product defines (commitsTouching in src/core/verdicts/verdict.ts).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { checkServices } from '../src/core/check';
import { createCloudRunReader } from '../src/core/google/cloudrun';
import { loadConfig } from '../src/core/config';
import type { GitRepository } from '../src/core/git/repository';
import { openAsEditor } from './editorGit';
import type { CheckResult } from '../src/core/model';
import { createTempRepo, fastImportMonorepo, type TempRepo } from '../test/helpers/repo';
import { startEmulatorProcess } from './emulatorProcess';

/** BENCH_CLI: another build's CLI (e.g. the code before a change), for a before and after. */
const CLI = process.env.BENCH_CLI ? path.resolve(process.env.BENCH_CLI) : path.join(__dirname, '..', 'dist', 'cli.js');
const PROJECT = 'bench-project';
const REGION = 'us-west2';
/** How many first-parent commits below HEAD each service was deployed from. */
const DEPLOYED_AGO = [100, 150, 250, 400, 600, 1000, 1500, 2500, 4000, 6000, 10_000, 15_000, 20_000, 30_000, 40_000, 50_000, 60_000, 75_000, 90_000, 99_000];

interface Workspace {
  repo: TempRepo;
  services: { name: string; paths: string[]; deployed: string }[];
  scenario: unknown;
}

/** The generated monorepo: 40 service folders, 20 of them configured (the even ones also with `shared`). */
function buildWorkspace(commits: number): Workspace {
  const repo = createTempRepo('crd-bench-history-');
  repo.commit('initial layout', { 'README.md': 'monorepo' });
  const { mainline } = fastImportMonorepo(repo, { commits, services: 40, mergeEvery: 1000, sideLength: 5 });
  const services = DEPLOYED_AGO.map((ago, i) => ({
    name: `svc-${i}`,
    paths: i % 2 === 0 ? [`services/svc-${i}`, 'shared'] : [`services/svc-${i}`],
    deployed: mainline[mainline.length - 1 - Math.min(ago, mainline.length - 1)]!,
  }));
  const scenario = {
    run: {
      services: services.map((s) => ({
        project: PROJECT,
        region: REGION,
        name: s.name,
        revisions: [{ name: `${s.name}-00001-abc`, labels: { 'commit-sha': s.deployed.slice(0, 12) } }],
      })),
    },
  };
  const config = { project: PROJECT, region: REGION, services: Object.fromEntries(services.map((s) => [s.name, { paths: s.paths }])) };
  fs.writeFileSync(path.join(repo.dir, 'cloud-run-drift.json'), JSON.stringify(config));
  return { repo, services, scenario };
}

/**
 * What each service's count must be: non-merge commits in deployed..HEAD that change its paths,
 * side branches included. Read with a commit-graph and its changed-path filters (written for this
 * and removed after, so the measured runs read the repository as fast-import left it).
 */
function expectedCounts(workspace: Workspace): Map<string, number> {
  const { repo } = workspace;
  repo.git('commit-graph', 'write', '--reachable', '--changed-paths');
  try {
    return new Map(
      workspace.services.map((s) => [s.name, Number(repo.git('rev-list', '--count', '--no-merges', '--full-history', `${s.deployed}..HEAD`, '--', ...s.paths.map((p) => `:(literal)${p}`)))]),
    );
  } finally {
    fs.rmSync(path.join(repo.dir, '.git', 'objects', 'info', 'commit-graph'), { force: true });
    fs.rmSync(path.join(repo.dir, '.git', 'objects', 'info', 'commit-graphs'), { recursive: true, force: true });
  }
}

/** What is wrong with the verdicts' counts (none when every service is stale by exactly its expected count). */
function wrongCounts(result: Pick<CheckResult, 'services'>, expected: ReadonlyMap<string, number>, what: string): string[] {
  const wrong: string[] = [];
  for (const [name, count] of expected) {
    const verdict = result.services.find((s) => s.name === name);
    if (verdict?.commitsBehind !== count) wrong.push(`${what}: ${name} is ${verdict?.status ?? 'missing'} (${verdict?.commitsBehind ?? '-'} commits behind, git rev-list --count says ${count}): ${verdict?.message}`);
  }
  return wrong;
}

interface CliRun {
  ms: number;
  /** Peak resident set of the CLI or any git it ran, whichever was largest (kB, GNU time's %M). */
  peakRssKb: number | null;
  /** Peak resident set of the CLI's own process (kB, from bench/peak-rss.cjs). */
  nodePeakRssKb: number | null;
  result: CheckResult;
}

function runCli(cwd: string, cacheDir: string): CliRun {
  const timed = fs.existsSync('/usr/bin/time');
  const command = timed ? '/usr/bin/time' : process.execPath;
  const node = ['-r', path.join(__dirname, 'peak-rss.cjs'), CLI, 'check', '--json'];
  const args = timed ? ['-f', 'peak-rss-kb %M', process.execPath, ...node] : node;
  const start = process.hrtime.bigint();
  const run = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, CLOUD_RUN_DRIFT_CACHE_DIR: cacheDir } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // 1: some unit is stale; 3: some verdict is an error (e.g. git ran past its deadline), which the counts then report.
  if (run.status !== 0 && run.status !== 1 && run.status !== 3) throw new Error(`cli exited ${run.status}: ${run.stderr}${run.stdout.slice(0, 2000)}`);
  const rss = /^peak-rss-kb (\d+)$/m.exec(run.stderr);
  const nodeRss = /^node-peak-rss-kb (\d+)$/m.exec(run.stderr);
  return { ms, peakRssKb: rss ? Number(rss[1]) : null, nodePeakRssKb: nodeRss ? Number(nodeRss[1]) : null, result: JSON.parse(run.stdout) as CheckResult };
}

/**
 * How long one in-editor refresh took, the longest the event loop was kept from turning during it,
 * and the longest pause of V8's garbage collector that began during it (a stall about as long as
 * that pause was most likely it).
 */
interface RefreshFigures {
  ms: number;
  longestStallMs: number;
  longestCollectionMs: number;
}

/** Runs `work` and reports its RefreshFigures. */
async function withStallProbe<T>(work: () => Promise<T>): Promise<RefreshFigures & { value: T }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  const gcEntries: PerformanceEntry[] = [];
  const collections = new PerformanceObserver((list) => gcEntries.push(...list.getEntries()));
  collections.observe({ entryTypes: ['gc'] });
  histogram.enable();
  const start = performance.now();
  const value = await work();
  const end = performance.now();
  histogram.disable();
  // Those not handed to the callback yet are taken here.
  gcEntries.push(...collections.takeRecords());
  const pauses = gcEntries.filter((entry) => entry.startTime >= start && entry.startTime <= end);
  collections.disconnect();
  return { ms: end - start, longestStallMs: histogram.max / 1e6, longestCollectionMs: Math.max(0, ...pauses.map((entry) => entry.duration)), value };
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]! * 10) / 10;
}

function max(samples: number[]): number {
  return Math.round(Math.max(...samples) * 10) / 10;
}

export async function measureHistory(runs: number, commits = 100_000): Promise<Record<string, unknown>> {
  const buildStart = Date.now();
  const workspace = buildWorkspace(commits);
  const buildMs = Date.now() - buildStart;
  const oracleStart = Date.now();
  const expected = expectedCounts(workspace);
  const oracleMs = Date.now() - oracleStart;
  const scenarioFile = path.join(os.tmpdir(), `crd-bench-history-${process.pid}.json`);
  fs.writeFileSync(scenarioFile, JSON.stringify(workspace.scenario));
  const emulator = await startEmulatorProcess(scenarioFile);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-bench-cache-'));
  try {
    const configPath = path.join(workspace.repo.dir, 'cloud-run-drift.json');
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(configPath, JSON.stringify({ ...config, endpoints: { run: emulator.url } }));

    // Wrong counts are reported with the figures, not thrown: a check that ran out of time is a result too.
    const wrong = wrongCounts(runCli(workspace.repo.dir, cacheDir).result, expected, 'CLI check'); // writes the code cache; not counted
    // The first check of the repository on this machine: no walk kept (the code cache is).
    const walks = path.join(cacheDir, 'walks');
    const firstRuns = Array.from({ length: runs }, () => {
      fs.rmSync(walks, { recursive: true, force: true });
      return runCli(workspace.repo.dir, cacheDir);
    });
    for (const run of firstRuns) wrong.push(...wrongCounts(run.result, expected, 'CLI first check'));
    // Repeat checks: the walk kept by the one before.
    const cliRuns = Array.from({ length: runs }, () => runCli(workspace.repo.dir, cacheDir));
    for (const run of cliRuns) wrong.push(...wrongCounts(run.result, expected, 'CLI check'));
    // A commit since the last check (in a folder no service has: the counts stay), each run one more,
    // dated after HEAD as a commit made now is (see the editor's case below).
    const head = workspace.repo.head();
    const headTime = Number(workspace.repo.git('log', '-1', '--format=%ct', head)) * 1000;
    const configText = fs.readFileSync(configPath, 'utf8');
    const newCommitRuns = Array.from({ length: runs }, (_, i) => {
      workspace.repo.commit(`docs: note ${i}`, { [`docs/note-${i}.md`]: `${i}` }, new Date(headTime + (i + 1) * 60_000));
      return runCli(workspace.repo.dir, cacheDir);
    });
    for (const run of newCommitRuns) wrong.push(...wrongCounts(run.result, expected, 'CLI check after a commit'));
    // Back to the history the counts are of (the commits took the configuration file with them).
    workspace.repo.git('reset', '-q', '--hard', head);
    fs.writeFileSync(configPath, configText);

    // In the editor: one long-lived reader; the repository kept (warm) or opened afresh (its caches
    // empty, as after a commit moves HEAD). The first check loads the SDK and is not counted.
    const loaded = await loadConfig(configPath);
    const reader = createCloudRunReader(loaded.endpoints);
    // Each refresh's result is checked, then let go, as the editor lets go of the result a refresh
    // replaces. Kept here, the results would be tens of MB that the editor never holds (each holds
    // thousands of commits), and the collections of that heap would be measured as stalls.
    const refresh = async (what: string, git: GitRepository): Promise<RefreshFigures> => {
      const { value, ...figures } = await withStallProbe(() => checkServices(loaded, { reader, git }));
      wrong.push(...wrongCounts(value, expected, what));
      return figures;
    };
    const emptied: RefreshFigures[] = [];
    const warm: RefreshFigures[] = [];
    const afterCommit: RefreshFigures[] = [];
    try {
      const git = await openAsEditor(workspace.repo.dir);
      wrong.push(...wrongCounts(await checkServices(loaded, { reader, git }), expected, 'refresh'));
      for (let i = 0; i < runs; i++) {
        const fresh = await openAsEditor(workspace.repo.dir);
        emptied.push(await refresh('refresh with empty caches', fresh));
        warm.push(await refresh('warm refresh', fresh));
      }
      // The repository kept, a commit (in docs/, which no service has) before each refresh: the walk
      // it holds is continued by that commit. Dated after HEAD, as a commit made now is (the
      // helper's clock is behind the generated history's, and git, limiting a walk by date, then
      // reads the whole history to find where an older-dated commit's walk ends).
      for (let i = 0; i < runs; i++) {
        workspace.repo.commit(`docs: editor note ${i}`, { [`docs/editor-note-${i}.md`]: `${i}` }, new Date(headTime + (runs + i + 1) * 60_000));
        afterCommit.push(await refresh('refresh after a commit', git));
      }
    } finally {
      await reader.close();
      workspace.repo.git('reset', '-q', '--hard', head);
      fs.writeFileSync(configPath, configText);
    }
    const peakRss = (measured: CliRun[]): { median: number; max: number } | null => {
      const mb = measured.flatMap((r) => (r.peakRssKb === null ? [] : [r.peakRssKb / 1024]));
      return mb.length > 0 ? { median: median(mb), max: max(mb) } : null;
    };
    const rss = cliRuns.flatMap((r) => (r.peakRssKb === null ? [] : [r.peakRssKb / 1024]));
    const nodeRss = cliRuns.flatMap((r) => (r.nodePeakRssKb === null ? [] : [r.nodePeakRssKb / 1024]));
    return {
      commits: Number(workspace.repo.git('rev-list', '--count', 'HEAD')),
      services: workspace.services.length,
      deployedAgo: DEPLOYED_AGO,
      runs,
      loadAverage: os.loadavg().map((n) => Math.round(n * 10) / 10),
      buildMs,
      oracleMs,
      expectedCounts: Object.fromEntries(expected),
      wrongCounts: wrong,
      cliCheckMs: { median: median(cliRuns.map((r) => r.ms)), max: max(cliRuns.map((r) => r.ms)) },
      cliFirstCheckMs: { median: median(firstRuns.map((r) => r.ms)), max: max(firstRuns.map((r) => r.ms)) },
      cliFirstCheckPeakRssMb: peakRss(firstRuns),
      cliNewCommitCheckMs: { median: median(newCommitRuns.map((r) => r.ms)), max: max(newCommitRuns.map((r) => r.ms)) },
      cliPeakRssMb: rss.length > 0 ? { median: median(rss), max: max(rss) } : null,
      cliNodePeakRssMb: { median: median(nodeRss), max: max(nodeRss) },
      refreshEmptyCachesMs: { median: median(emptied.map((r) => r.ms)), max: max(emptied.map((r) => r.ms)) },
      refreshEmptyCachesLongestStallMs: { median: median(emptied.map((r) => r.longestStallMs)), max: max(emptied.map((r) => r.longestStallMs)) },
      refreshEmptyCachesStallsMs: emptied.map((r) => Math.round(r.longestStallMs * 10) / 10),
      refreshEmptyCachesCollectionsMs: emptied.map((r) => Math.round(r.longestCollectionMs * 10) / 10),
      refreshAfterCommitMs: { median: median(afterCommit.map((r) => r.ms)), max: max(afterCommit.map((r) => r.ms)) },
      refreshAfterCommitLongestStallMs: { median: median(afterCommit.map((r) => r.longestStallMs)), max: max(afterCommit.map((r) => r.longestStallMs)) },
      refreshAfterCommitStallsMs: afterCommit.map((r) => Math.round(r.longestStallMs * 10) / 10),
      refreshAfterCommitCollectionsMs: afterCommit.map((r) => Math.round(r.longestCollectionMs * 10) / 10),
      refreshWarmMs: { median: median(warm.map((r) => r.ms)), max: max(warm.map((r) => r.ms)) },
      refreshWarmLongestStallMs: { median: median(warm.map((r) => r.longestStallMs)), max: max(warm.map((r) => r.longestStallMs)) },
      refreshWarmStallsMs: warm.map((r) => Math.round(r.longestStallMs * 10) / 10),
      refreshWarmCollectionsMs: warm.map((r) => Math.round(r.longestCollectionMs * 10) / 10),
    };
  } finally {
    emulator.process.kill('SIGTERM');
    fs.rmSync(scenarioFile, { force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
    workspace.repo.cleanup();
  }
}

export function printHistory(r: Record<string, unknown>): void {
  type Figure = { median: number; max: number };
  const f = (key: string): Figure => r[key] as Figure;
  const rss = r.cliPeakRssMb as Figure | null;
  const firstRss = r.cliFirstCheckPeakRssMb as Figure | null;
  console.log(
    `${r.commits} commits, ${r.services} services deployed ${(r.deployedAgo as number[])[0]} to ${(r.deployedAgo as number[]).at(-1)} commits ago, median of ${r.runs} ` +
      `(load average ${(r.loadAverage as number[]).join(', ')}; generated in ${r.buildMs} ms, counts checked against git rev-list, read in ${r.oracleMs} ms):\n` +
      `    CLI check --json:             median ${f('cliCheckMs').median} ms (max ${f('cliCheckMs').max}); peak RSS ${rss ? `median ${rss.median} MB (max ${rss.max})` : 'unknown (no /usr/bin/time)'} (target 2,500 ms, 150 MB)\n` +
      `    CLI first check (no kept walk): median ${f('cliFirstCheckMs').median} ms (max ${f('cliFirstCheckMs').max}); peak RSS ${firstRss ? `median ${firstRss.median} MB (max ${firstRss.max})` : 'unknown'}\n` +
      `    CLI check after a new commit: median ${f('cliNewCommitCheckMs').median} ms (max ${f('cliNewCommitCheckMs').max})\n` +
      `    CLI process alone, peak RSS:  median ${f('cliNodePeakRssMb').median} MB (max ${f('cliNodePeakRssMb').max}; the figure above is the largest of it and the git processes it ran)\n` +
      `    refresh, caches warm:         median ${f('refreshWarmMs').median} ms (max ${f('refreshWarmMs').max}); longest stall median ${f('refreshWarmLongestStallMs').median} ms (max ${f('refreshWarmLongestStallMs').max}) (target 1,000 ms, 50 ms)\n` +
      `    refresh, caches empty:        median ${f('refreshEmptyCachesMs').median} ms (max ${f('refreshEmptyCachesMs').max}); longest stall median ${f('refreshEmptyCachesLongestStallMs').median} ms (max ${f('refreshEmptyCachesLongestStallMs').max}) (target 50 ms)\n` +
      `    refresh after a commit (repository kept): median ${f('refreshAfterCommitMs').median} ms (max ${f('refreshAfterCommitMs').max}); longest stall median ${f('refreshAfterCommitLongestStallMs').median} ms (max ${f('refreshAfterCommitLongestStallMs').max}) (target 50 ms)\n` +
      `    longest stall of each refresh (ms): warm ${(r.refreshWarmStallsMs as number[]).join(' ')}; empty caches ${(r.refreshEmptyCachesStallsMs as number[]).join(' ')}; after a commit ${(r.refreshAfterCommitStallsMs as number[]).join(' ')}\n` +
      `    longest collection in each (ms):    warm ${(r.refreshWarmCollectionsMs as number[]).join(' ')}; empty caches ${(r.refreshEmptyCachesCollectionsMs as number[]).join(' ')}; after a commit ${(r.refreshAfterCommitCollectionsMs as number[]).join(' ')}\n` +
      `    verdicts: ${(r.wrongCounts as string[]).length === 0 ? 'every commit count equals git rev-list --count' : `${(r.wrongCounts as string[]).length} WRONG:\n      ${(r.wrongCounts as string[]).slice(0, 10).join('\n      ')}`}`,
  );
}
