// Benchmark for live log tailing (its targets):
//  1. Sustained ingest of >= 20,000 entries/s from the emulator, through the real @google-cloud/logging client over
//     gRPC (TailLogEntries), the LogStream (dedup + reorder window) and into the view model (LogBuffer, cap 10,000),
//     without blocking this process's event loop for more than 50 ms at a time (perf_hooks monitorEventLoopDelay).
//  2. Memory flat at the cap: heapUsed after a full GC once 100,000 entries have gone through, and again at the end.
//  3. Append-to-visible latency (entry timestamp at append in the emulator → in the buffer) under 1 s plus the
//     tail's buffer window.
// This process plays the extension host. The emulator and the load generator run in a child process, so their
// work never shares our event loop (as the real Logging API would not). They still share the machine's CPUs, so
// the end-to-end figures also depend on what else runs; the bench prints the load average beside them.
// A second phase, "view path", streams 1,000 entries/s (BENCH_VIEW_RATE) through the log view's controller
// (src/extension/logs/logController.ts, the editor's side of the view without the editor) and times each entry from
// its arrival at the emulator (its timestamp) to the moment the controller posts its row to the webview (the
// postMessage call): target p99 within the buffer window plus 0.5 s. Beyond the post are the editor's message channel
// and the webview's drawing, which only the real editor has: test/e2e/ui/logLatency.ts measures those to the row on
// screen.
// A third phase, "model only", feeds decoded-shaped messages straight into normalization, the sequencer and the
// buffer at 40,000 entries/s in-process: the cost of our own code, without gRPC decoding or the emulator.
// Usage: node --import tsx --expose-gc bench/logs.bench.ts
//   (env BENCH_RATE=22000 BENCH_SECONDS=12 BENCH_BUFFER_WINDOW_MS=1000 BENCH_VIEW_RATE=1000 BENCH_VIEW_SECONDS=10;
//    BENCH_PHASES=ingest,view,model runs only those)
import { fork, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { LogBuffer } from '../src/core/logs/buffer';
import { normalizeApiEntry, parseInstant } from '../src/core/logs/entry';
import { EntrySequencer } from '../src/core/logs/sequencer';
import { composeFilter } from '../src/core/logs/filter';
import { createLogSource } from '../src/core/logs/source';
import { openLogStream } from '../src/core/logs/stream';
import type { LogStreamEvent } from '../src/core/logs/streamApi';
import { LogController } from '../src/extension/logs/logController';
import { DEFAULT_VIEW_QUERY } from '../src/extension/logs/logQuery';

const PROJECT = 'bench-logs';
const REGION = 'us-west2';
const SERVICE = 'ingest';
// Offered 10% above the target: the measured rate is what arrives in the view model, which can only be as high as
// what the feeder (sharing this machine's CPUs) manages to append; offering exactly 20,000/s measured the feeder's
// shortfall (19,8xx/s with a 150 ms lag) rather than ours.
const RATE = Number(process.env.BENCH_RATE ?? 22_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 12);
/** The server-side tail buffer window, as the view would use it (the stream's default). */
const BUFFER_WINDOW_MS = Number(process.env.BENCH_BUFFER_WINDOW_MS ?? 1000);
const REORDER_WINDOW_MS = 250;
const CAPACITY = 10_000;
const TARGETS = { rate: 20_000, maxBlockMs: 50, latencyMs: 1000 + BUFFER_WINDOW_MS, heapGrowthMb: 5, viewP99Ms: BUFFER_WINDOW_MS + 500 };
const VIEW_RATE = Number(process.env.BENCH_VIEW_RATE ?? 1000);
const VIEW_SECONDS = Number(process.env.BENCH_VIEW_SECONDS ?? 10);
/** The view path's entries go to their own service, so its stream sees none of the ingest phase's. */
const VIEW_SERVICE = 'viewpath';
const PHASES = new Set((process.env.BENCH_PHASES ?? 'ingest,view,model').split(',').map((p) => p.trim()));

type FeederMessage =
  | { type: 'ready'; grpcAddress: string }
  | { type: 'fed'; appended: number; elapsedMs: number; maxLagMs: number; cpuMs: number };

// ---------------------------------------------------------------------------------------------------------------
// Child: emulator + load generator

async function feeder(): Promise<void> {
  const { startEmulator } = await import('../src/emulator/server');
  const emulator = await startEmulator({ port: 0, scenario: { logging: { project: PROJECT, location: REGION } }, modules: { bigquery: false } });
  const send = (message: FeederMessage): void => void process.send?.(message);
  process.on('message', (message: { type: string; rate?: number; seconds?: number; service?: string }) => {
    if (message.type === 'stop') {
      void emulator.close().then(() => process.exit(0));
      return;
    }
    if (message.type !== 'feed') return;
    const rate = message.rate!;
    const durationMs = message.seconds! * 1000;
    const service = message.service ?? SERVICE;
    const started = Date.now();
    const cpuBefore = process.cpuUsage();
    let appended = 0;
    let maxLagMs = 0;
    let counter = 0;
    const tick = async (): Promise<void> => {
      const elapsed = Date.now() - started;
      const due = Math.min(Math.floor((rate * Math.min(elapsed, durationMs)) / 1000), Math.floor((rate * durationMs) / 1000));
      // How far behind the schedule the generator itself is (a slow feeder would understate the rate).
      maxLagMs = Math.max(maxLagMs, ((due - appended) / rate) * 1000);
      while (appended < due) {
        const count = Math.min(2000, due - appended);
        const entries = Array.from({ length: count }, () => {
          counter += 1;
          return { service, revision: `${service}-00001-aaa`, severity: counter % 50 === 0 ? 'ERROR' : 'INFO', textPayload: `GET /predict/${counter} 200 served in ${counter % 97} ms` };
        });
        await emulator.control('logs', { entries });
        appended += count;
      }
      if (elapsed < durationMs) setTimeout(() => void tick(), 20);
      else {
        const cpu = process.cpuUsage(cpuBefore);
        send({ type: 'fed', appended, elapsedMs: Date.now() - started, maxLagMs, cpuMs: (cpu.user + cpu.system) / 1000 });
      }
    };
    void tick();
  });
  send({ type: 'ready', grpcAddress: emulator.grpcAddress });
}

// ---------------------------------------------------------------------------------------------------------------
// Parent: the "extension host"

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Event-loop delay (perf_hooks monitorEventLoopDelay) that can be paused, e.g. around a forced GC the bench itself
 * runs. Pausing cannot be disable() + enable() of one histogram: Node keeps its last sample time, so the first
 * sample after enable() spans the whole pause and the bench's own GC would count as our blocking. Each resume()
 * starts a fresh histogram instead; the one interval a fresh histogram does not record (from enable to its first
 * sample) is measured by a timer of the same resolution and counted, so nothing our code does goes unmeasured.
 */
class LoopDelay {
  private readonly segments: IntervalHistogram[] = [];
  private current: IntervalHistogram | null = null;
  /** The first interval of each segment, in ns (the histograms' unit). */
  private readonly gaps: number[] = [];
  /** Time spent paused, in ms (reported, not counted). */
  pausedMs = 0;
  private pausedAt = 0;

  constructor(private readonly resolutionMs = 5) {}

  resume(): void {
    if (this.current) return;
    if (this.pausedAt > 0) this.pausedMs += performance.now() - this.pausedAt;
    this.current = monitorEventLoopDelay({ resolution: this.resolutionMs });
    this.current.enable();
    const at = performance.now();
    setTimeout(() => this.gaps.push((performance.now() - at) * 1e6), this.resolutionMs);
    this.segments.push(this.current);
  }

  pause(): void {
    this.current?.disable();
    this.current = null;
    this.pausedAt = performance.now();
  }

  get maxMs(): number {
    return Math.max(0, ...this.segments.map((h) => h.max), ...this.gaps) / 1e6;
  }

  /** Exact: the segments' means weighted by their sample counts. */
  get meanMs(): number {
    let sum = 0;
    let count = 0;
    for (const h of this.segments) {
      sum += h.mean * h.count;
      count += h.count;
    }
    for (const gap of this.gaps) sum += gap;
    count += this.gaps.length;
    return count === 0 ? Number.NaN : sum / count / 1e6;
  }

  /** The largest of the segments' percentiles: an upper bound of the whole run's (histograms cannot be merged). */
  percentileMs(p: number): number {
    return Math.max(0, ...this.segments.filter((h) => h.count > 0).map((h) => h.percentile(p))) / 1e6;
  }
}

function heapMb(): number {
  global.gc?.();
  global.gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

/** Our code alone: API-shaped messages → normalizeApiEntry → EntrySequencer → LogBuffer, paced at `rate`. */
async function modelOnly(rate: number, seconds: number): Promise<{ perEntryUs: number; maxBlockMs: number; p99Ms: number; heapBefore: number; heapAfter: number; entries: number; achievedRate: number }> {
  const buffer = new LogBuffer({ capacity: CAPACITY });
  let ourNs = 0;
  const sequencer = new EntrySequencer({
    windowMs: REORDER_WINDOW_MS,
    dedupCapacity: 50_000,
    dedupRetentionMs: 62_000,
    emit: (entries) => {
      const t = process.hrtime.bigint();
      buffer.append(entries);
      ourNs += Number(process.hrtime.bigint() - t);
    },
  });
  const batchSize = 1000;
  let counter = 0;
  // Shaped like what the generated client yields for a Cloud Run stdout line (defaults filled in).
  const message = (): unknown => {
    counter += 1;
    const ms = Date.now();
    return {
      labels: {}, insertId: `m${counter.toString(36).padStart(10, '0')}`, httpRequest: null, operation: null, trace: '', spanId: '', traceSampled: false, split: null, sourceLocation: null,
      resource: { labels: { project_id: PROJECT, location: REGION, service_name: SERVICE, configuration_name: SERVICE, revision_name: `${SERVICE}-00001-aaa` }, type: 'cloud_run_revision' },
      timestamp: { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 + (counter % 1000) }, receiveTimestamp: { seconds: String(Math.floor(ms / 1000)), nanos: 0 },
      severity: 'INFO', logName: `projects/${PROJECT}/logs/run.googleapis.com%2Fstdout`, textPayload: `GET /predict/${counter} 200 served in ${counter % 97} ms`, payload: 'textPayload',
    };
  };
  const loopDelay = new LoopDelay();
  let heapBefore = 0;
  const total = rate * seconds;
  loopDelay.resume();
  const started = Date.now();
  // One message of 1000 per task (as a tail response arrives), as often as the schedule asks.
  while (counter < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) * rate) / 1000));
    if (counter < due) {
      const batch = Array.from({ length: Math.min(batchSize, total - counter) }, message);
      const t = process.hrtime.bigint();
      sequencer.offer(batch.map(normalizeApiEntry));
      ourNs += Number(process.hrtime.bigint() - t);
    }
    if (heapBefore === 0 && counter >= 100_000) {
      loopDelay.pause();
      heapBefore = heapMb();
      loopDelay.resume();
    }
    await new Promise((resolve) => (counter < due ? setImmediate(resolve) : setTimeout(resolve, 5)));
  }
  const elapsedMs = Date.now() - started;
  await new Promise((resolve) => setTimeout(resolve, REORDER_WINDOW_MS * 2));
  loopDelay.pause();
  sequencer.dispose();
  return {
    perEntryUs: ourNs / 1000 / total,
    maxBlockMs: loopDelay.maxMs,
    p99Ms: loopDelay.percentileMs(99),
    heapBefore,
    heapAfter: heapMb(),
    entries: buffer.status().totalAppended,
    achievedRate: (total / elapsedMs) * 1000,
  };
}

async function main(): Promise<void> {
  if (!global.gc) {
    console.error('Run with --expose-gc (node --import tsx --expose-gc bench/logs.bench.ts) so heap figures are after a full GC.');
    process.exitCode = 2;
    return;
  }
  const child: ChildProcess = fork(__filename, ['--feeder'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const messages: FeederMessage[] = [];
  const waiters: ((message: FeederMessage) => void)[] = [];
  child.on('message', (message: FeederMessage) => {
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else messages.push(message);
  });
  const next = (): Promise<FeederMessage> => new Promise((resolve) => (messages.length > 0 ? resolve(messages.shift()!) : waiters.push(resolve)));

  const ready = await next();
  if (ready.type !== 'ready') throw new Error('feeder did not start');
  const feeder: Feeder = { child, next };
  const failures: string[] = [];
  if (PHASES.has('ingest')) failures.push(...(await ingest(feeder, ready.grpcAddress)));
  if (PHASES.has('view')) failures.push(...(await viewPath(feeder, ready.grpcAddress)));
  if (PHASES.has('model')) {
    const model = await modelOnly(40_000, 5);
    console.log(`\nModel only (normalize → sequencer → buffer, in-process, 40,000 entries/s for 5 s)`);
    console.log(`  ${model.entries} entries at ${model.achievedRate.toFixed(0)}/s; our code ${model.perEntryUs.toFixed(2)} µs per entry; event loop max block ${model.maxBlockMs.toFixed(1)} ms (p99 ${model.p99Ms.toFixed(1)}); heapUsed after GC at 100k / at end ${model.heapBefore.toFixed(1)} / ${model.heapAfter.toFixed(1)} MB`);
  }
  child.send({ type: 'stop' });
  console.log(failures.length === 0 ? '\nall targets met' : `\nMISSED: ${failures.join('; ')}`);
  if (failures.length > 0) process.exitCode = 1;
}

interface Feeder {
  child: ChildProcess;
  next(): Promise<FeederMessage>;
}

/** Phase 1: RATE entries/s through the real client, the stream and the buffer; returns the targets missed. */
async function ingest({ child, next }: Feeder, grpcAddress: string): Promise<string[]> {
  const source = await createLogSource({ projects: [PROJECT], endpoint: grpcAddress });
  const buffer = new LogBuffer({ capacity: CAPACITY });
  const filter = composeFilter({ scope: { kind: 'services', services: [{ name: SERVICE, region: REGION }] } });
  const stream = openLogStream(source, { filter, since: new Date(Date.now() - 60_000), bufferWindowMs: BUFFER_WINDOW_MS, reorderWindowMs: REORDER_WINDOW_MS });

  let received = 0;
  let firstAt = 0;
  let lastAt = 0;
  const latencies: number[] = [];
  let heapAt100k = null as number | null;
  let heapAt100kPending = false;
  const connected = new Promise<void>((resolve) => {
    stream.on((event: LogStreamEvent) => {
      if (event.type === 'connected') resolve();
      if (event.type !== 'entries') {
        if (event.type !== 'history-complete') console.log(`  stream: ${JSON.stringify(event)}`);
        buffer.applyEvent(event);
        return;
      }
      const before = buffer.nextSeq;
      buffer.applyEvent(event);
      const now = Date.now();
      if (received === 0) firstAt = now;
      received += event.entries.length;
      lastAt = now;
      // Append-to-visible: the entry's own timestamp is when the feeder appended it (emulator clock = real time).
      for (let seq = before; seq < buffer.nextSeq; seq += 97) {
        const entry = buffer.at(seq);
        const instant = entry ? parseInstant(entry.timestamp) : undefined;
        if (instant) latencies.push(buffer.arrivedAt(seq)! - (instant.seconds * 1000 + instant.nanos / 1e6));
      }
      if (received >= 100_000 && heapAt100k === null) heapAt100kPending = true;
    });
  });
  stream.start();
  await connected;

  const loopDelay = new LoopDelay();
  // Heap at 100k is taken outside the event handler, with the delay monitor paused: the forced GC is the bench's,
  // not the extension's (it would otherwise be counted as our own blocking).
  const heapProbe = setInterval(() => {
    if (heapAt100kPending && heapAt100k === null) {
      loopDelay.pause();
      heapAt100k = heapMb();
      loopDelay.resume();
    }
  }, 100);
  loopDelay.resume();
  const cpuBefore = process.cpuUsage();
  const wallBefore = Date.now();
  child.send({ type: 'feed', rate: RATE, seconds: SECONDS });
  const fed = await next();
  if (fed.type !== 'fed') throw new Error('feeder did not finish');
  // Everything appended must arrive: wait while entries keep coming (a starved machine may lag far behind).
  let progressAt = Date.now();
  let seen = received;
  while (received < fed.appended && Date.now() - progressAt < 10_000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (received !== seen) {
      seen = received;
      progressAt = Date.now();
    }
  }
  loopDelay.pause();
  const cpu = process.cpuUsage(cpuBefore);
  const parentCpuMs = (cpu.user + cpu.system) / 1000;
  const parentWallMs = Date.now() - wallBefore;
  clearInterval(heapProbe);
  const heapAtEnd = heapMb();

  const stats = stream.stats();
  await stream.stop();
  await source.close();

  latencies.sort((a, b) => a - b);
  const steadyRate = received / ((lastAt - firstAt) / 1000);
  const maxBlockMs = loopDelay.maxMs;
  const heapGrowth = heapAt100k === null ? Number.NaN : heapAtEnd - heapAt100k;
  const status = buffer.status();
  const rows: [string, string, string][] = [
    ['entries appended by the emulator', String(fed.appended), `in ${(fed.elapsedMs / 1000).toFixed(1)} s (feeder max lag ${fed.maxLagMs.toFixed(0)} ms)`],
    ['CPU: this process / emulator+feeder', `${((parentCpuMs / parentWallMs) * 100).toFixed(0)}% / ${((fed.cpuMs / fed.elapsedMs) * 100).toFixed(0)}% of a core`, `${((parentCpuMs * 1000) / Math.max(1, received)).toFixed(1)} µs per entry here; machine load ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`],
    ['entries in the view model', String(received), received === fed.appended ? 'all, none twice' : `MISSING ${fed.appended - received} (server-suppressed ${stats.suppressedNotConsumed + stats.suppressedRateLimit})`],
    ['duplicates dropped / late', `${stats.duplicates} / ${stats.late}`, `reconnects ${stats.reconnects}; suppressed by the server: not consumed ${stats.suppressedNotConsumed}, rate limit ${stats.suppressedRateLimit}`],
    ['sustained ingest (entries/s)', steadyRate.toFixed(0), `target >= ${TARGETS.rate}`],
    ['event loop: max block (ms)', maxBlockMs.toFixed(1), `target <= ${TARGETS.maxBlockMs}; p99 ${loopDelay.percentileMs(99).toFixed(1)}, mean ${loopDelay.meanMs.toFixed(1)}; not counted: the heap probe's forced GC ${loopDelay.pausedMs.toFixed(0)} ms`],
    ['append-to-visible latency (ms)', `p50 ${percentile(latencies, 50).toFixed(0)}, p99 ${percentile(latencies, 99).toFixed(0)}, max ${percentile(latencies, 100).toFixed(0)}`, `target < ${TARGETS.latencyMs} (1 s + ${BUFFER_WINDOW_MS} ms buffer window; reorder window ${REORDER_WINDOW_MS} ms)`],
    ['heapUsed after GC at 100k / at end (MB)', `${heapAt100k?.toFixed(1) ?? '-'} / ${heapAtEnd.toFixed(1)}`, `growth ${heapGrowth.toFixed(1)} MB, target < ${TARGETS.heapGrowthMb}; buffer ${status.size}/${status.capacity}`],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`\nLog tailing benchmark: ${RATE} entries/s for ${SECONDS} s, Node ${process.version}`);
  for (const [name, value, note] of rows) console.log(`  ${name.padEnd(width)}  ${value.padEnd(34)} ${note}`);
  return [
    received !== fed.appended ? 'not every entry arrived exactly once' : '',
    steadyRate < TARGETS.rate ? 'ingest below 20,000 entries/s' : '',
    maxBlockMs > TARGETS.maxBlockMs ? 'event loop blocked for more than 50 ms' : '',
    percentile(latencies, 100) >= TARGETS.latencyMs ? 'latency above 1 s + buffer window' : '',
    !(heapGrowth < TARGETS.heapGrowthMb) ? 'memory grew at the cap' : '',
  ].filter(Boolean);
}

/**
 * Phase 2: VIEW_RATE entries/s into a log view's controller, as the editor runs it (the real client, stream, buffer,
 * rows, slices and throttling); each entry timed from its arrival at the emulator to the post of its row.
 */
async function viewPath({ child, next }: Feeder, grpcAddress: string): Promise<string[]> {
  const latencies: number[] = [];
  let posts = 0;
  let largestPost = 0;
  const controller = new LogController({
    label: VIEW_SERVICE,
    scope: { kind: 'services', services: [{ name: VIEW_SERVICE, region: REGION }] },
    presets: [],
    capacity: CAPACITY,
    query: { ...DEFAULT_VIEW_QUERY, window: '15m' },
    openSource: () => createLogSource({ projects: [PROJECT], endpoint: grpcAddress }),
    exists: () => false,
    tuning: { bufferWindowMs: BUFFER_WINDOW_MS },
    post: (message) => {
      if (message.type !== 'append') return;
      const now = Date.now();
      posts += 1;
      largestPost = Math.max(largestPost, message.rows.length);
      for (const row of message.rows) latencies.push(now - Date.parse(row.timestamp));
    },
  });
  await controller.handle({ type: 'ready' });
  const liveBy = Date.now() + 30_000;
  while (controller.buffer.status().connection !== 'live') {
    if (Date.now() > liveBy) throw new Error(`the view's stream did not go live: ${controller.buffer.status().connection}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const loopDelay = new LoopDelay();
  loopDelay.resume();
  child.send({ type: 'feed', rate: VIEW_RATE, seconds: VIEW_SECONDS, service: VIEW_SERVICE });
  const fed = await next();
  if (fed.type !== 'fed') throw new Error('feeder did not finish');
  const doneBy = Date.now() + 10_000;
  while (latencies.length < fed.appended && Date.now() < doneBy) await new Promise((resolve) => setTimeout(resolve, 50));
  loopDelay.pause();
  await controller.dispose();
  latencies.sort((a, b) => a - b);
  const p99 = percentile(latencies, 99);
  console.log(`\nView path: ${VIEW_RATE} entries/s for ${VIEW_SECONDS} s, buffer window ${BUFFER_WINDOW_MS} ms (machine load ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs)`);
  console.log(`  rows posted to the webview      ${latencies.length} of ${fed.appended}, in ${posts} posts of at most ${largestPost} rows`);
  console.log(
    `  emulator → posted (ms)          p50 ${percentile(latencies, 50).toFixed(0)}, p99 ${p99.toFixed(0)}, max ${percentile(latencies, 100).toFixed(0)}   target p99 <= ${TARGETS.viewP99Ms} (buffer window + 500 ms)`,
  );
  console.log(`  event loop: max block (ms)      ${loopDelay.maxMs.toFixed(1)} (p99 ${loopDelay.percentileMs(99).toFixed(1)})`);
  return [latencies.length !== fed.appended ? 'the view path lost or doubled rows' : '', !(p99 <= TARGETS.viewP99Ms) ? 'view path p99 above buffer window + 0.5 s' : ''].filter(Boolean);
}

if (process.argv.includes('--feeder')) {
  feeder().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
