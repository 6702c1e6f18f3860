// Benchmark for data jobs on the demo (no issue states a target yet; these are the figures to keep):
//  - process start (`help`), for reference;
//  - `job --dry-run` while the coordinator is stale: the guards alone (one service's verdict and the
//    table's streaming buffer, read at once), refused;
//  - the same once the coordinator is deployed: the guards pass;
//  - `scoreboard` over five days;
//  - the whole `job` over Jan 24-28 (guards, the grading script's 489 rows, the scoreboard), with the
//    streaming buffer flushed before each run.
// The CLI runs as a child process (async, so the in-process emulator keeps answering).
// Usage: npm run bench:jobs   (BENCH_RUNS=N runs per case, default 7)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_PATH, startDemo } from '../src/emulator/demo';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TABLE = 'nba-props-platform.nba_predictions.prediction_accuracy';
const RANGE = ['--start-date', '2026-01-24', '--end-date', '2026-01-28'];

function timed(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, expectedCodes: number[]): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (!expectedCodes.includes(code ?? -1)) reject(new Error(`${path.basename(file)} ${args.join(' ')} exited ${code}, expected ${expectedCodes.join(' or ')}:\n${output}`));
      else resolve(ms);
    });
  });
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]!);
}

async function main(): Promise<void> {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-bench-jobs-cache-'));
  const demo = await startDemo({ port: 0 });
  const dir = demo.workspace.dir;
  const env = { CLOUD_RUN_DRIFT_CACHE_DIR: cacheDir };
  const cli = (args: string[], codes: number[]): Promise<number> => timed(process.execPath, [CLI_PATH, ...args], dir, env, codes);
  const results: [string, number[]][] = [];
  const run = async (name: string, once: () => Promise<number>): Promise<void> => {
    await once(); // warm-up: fills the V8 code cache as a second run on a machine would have it
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(await once());
    results.push([name, samples]);
  };
  try {
    await run('process start (help)', () => cli(['help'], [0]));
    await run('job --dry-run, refused (coordinator stale)', () => cli(['job', ...RANGE, '--dry-run'], [4]));
    await timed(path.join(dir, 'bin/deploy-service.sh'), ['prediction-coordinator'], dir, env, [0]);
    await run('job --dry-run, guards pass', () => cli(['job', ...RANGE, '--dry-run'], [0]));
    await run('scoreboard, 5 days', () => cli(['scoreboard', ...RANGE], [0]));
    await run('job, 5 days graded (489 rows) + scoreboard', async () => {
      await demo.emulator.control('flush-streaming-buffer', { table: TABLE });
      return cli(['job', ...RANGE], [0]);
    });
  } finally {
    await demo.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  console.log(`data jobs on the demo, ${RUNS} runs each (median, min–max ms):`);
  for (const [name, samples] of results) console.log(`  ${name.padEnd(46)} ${String(median(samples)).padStart(5)}   ${Math.round(Math.min(...samples))}–${Math.round(Math.max(...samples))}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
