// Believable recent Cloud Run logs for the demo, modelled on the session-43 story: the stale
// prediction-coordinator keeps failing its consolidation MERGE ("updated_at assigned more than once"),
// with Python tracebacks pointing into the repository, while the other services log ordinary traffic.
// Deterministic for a given `now` and service list, so the demo and its screenshots are reproducible.
import type { LogEntryInput } from '../logging/entry';

export interface DemoService {
  name: string;
  /** The revision the logs come from (the one serving traffic). */
  revision: string;
}

export interface DemoLogOptions {
  /** Project for every entry; omit to take the scenario section's `logging.project`. */
  project?: string;
  /** Location label; omit to take the section's `logging.location`. */
  location?: string;
  /** How far back the logs reach (default 6 hours). */
  hours?: number;
}

const COORDINATOR = 'prediction-coordinator';
const MERGE_ERROR =
  'MERGE failed: UPDATE/MERGE must match at most one source row for each target row. ' +
  'Column updated_at assigned more than once in the same statement (job consolidation_merge_{batch})';

/** A small seeded PRNG (mulberry32): the same inputs give the same logs. */
function seededRandom(seedText: string): () => number {
  let seed = 0;
  for (const char of seedText) seed = (Math.imul(seed, 31) + char.charCodeAt(0)) | 0;
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mergeTraceback(batchId: string): string {
  return [
    `Consolidation failed for batch ${batchId}`,
    'Traceback (most recent call last):',
    '  File "/app/predictions/coordinator/coordinator.py", line 212, in consolidate',
    '    result = self.consolidator.run_merge(batch_id, staging_tables)',
    '  File "/app/predictions/coordinator/batch_consolidator.py", line 148, in run_merge',
    '    merge_job.result(timeout=300)',
    '  File "/usr/local/lib/python3.11/site-packages/google/cloud/bigquery/job/query.py", line 1681, in result',
    '    do_get_result()',
    '  File "/usr/local/lib/python3.11/site-packages/google/api_core/retry/retry_unary.py", line 293, in retry_wrapped_func',
    '    return retry_target(',
    'google.api_core.exceptions.BadRequest: 400 UPDATE/MERGE must match at most one source row for each target row; ' +
      'updated_at assigned more than once',
  ].join('\n');
}

/** Ordinary per-service chatter: what each kind of service says while it works. */
function routineLines(service: string, gameDate: string, random: () => number): { severity: string; text: string } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  if (service.includes('coordinator')) {
    return pick([
      { severity: 'INFO', text: `Received completion event from prediction-worker (${1 + Math.floor(random() * 12)}/12 workers done)` },
      { severity: 'INFO', text: `Dispatched ${100 + Math.floor(random() * 150)} prediction requests for game date ${gameDate}` },
      { severity: 'WARNING', text: 'Batch state document updated concurrently; retrying transaction' },
    ]);
  }
  if (service.includes('scraper')) {
    return pick([
      { severity: 'INFO', text: `Scraped ${10 + Math.floor(random() * 30)} box scores from balldontlie in ${(1 + random() * 4).toFixed(1)}s` },
      { severity: 'INFO', text: 'Published scrape-complete message to nba-phase1-scrapers-complete' },
      { severity: 'WARNING', text: `Rate limited by upstream API; retrying in ${2 + Math.floor(random() * 8)}s` },
    ]);
  }
  if (service.includes('worker')) {
    return pick([
      { severity: 'INFO', text: `Generated predictions for ${80 + Math.floor(random() * 80)} players (model catboost_v8)` },
      { severity: 'INFO', text: 'Wrote predictions to staging table player_prop_predictions_staging' },
      { severity: 'WARNING', text: 'Feature store row missing for 3 players; using rolling averages' },
    ]);
  }
  if (service.includes('orchestrator') || service.includes('grading')) {
    return pick([
      { severity: 'INFO', text: `Received Pub/Sub message for game date ${gameDate}` },
      { severity: 'INFO', text: service.includes('grading') ? `Graded ${150 + Math.floor(random() * 150)} props for ${gameDate}` : `Phase 3 complete for ${gameDate}: triggered phase 4` },
      { severity: 'WARNING', text: `Waiting for ${1 + Math.floor(random() * 3)} upstream processors before continuing` },
    ]);
  }
  if (service.includes('analytics') || service.includes('precompute') || service.includes('processor')) {
    return pick([
      { severity: 'INFO', text: `Processed ${200 + Math.floor(random() * 400)} rows for game date ${gameDate}` },
      { severity: 'INFO', text: 'Dependency check passed: upstream tables fresh' },
      { severity: 'WARNING', text: 'WARNING: Game 20260124_CLE_ORL has 34 recent rows in streaming buffer' },
    ]);
  }
  return pick([
    { severity: 'INFO', text: 'Request completed' },
    { severity: 'INFO', text: 'Health check OK' },
    { severity: 'WARNING', text: 'Slow response from BigQuery (4.2s)' },
  ]);
}

/**
 * Recent logs for the given services, oldest first. The coordinator alternates consolidation MERGEs that fail
 * (ERROR, plus a traceback on stderr) and succeed; every service logs startup, routine lines, structured events
 * (jsonPayload {message, event_type}) and request logs.
 */
export function buildDemoLogEntries(now: Date, services: DemoService[], options: DemoLogOptions = {}): LogEntryInput[] {
  const nowMs = now.getTime();
  const spanMs = (options.hours ?? 6) * 3_600_000;
  const entries: LogEntryInput[] = [];
  const base = (service: DemoService): LogEntryInput => ({
    service: service.name,
    revision: service.revision,
    ...(options.project !== undefined ? { project: options.project } : {}),
    ...(options.location !== undefined ? { location: options.location } : {}),
  });
  const at = (msAgo: number): string => new Date(nowMs - Math.max(1, Math.round(msAgo))).toISOString();

  for (const service of services) {
    const random = seededRandom(`${service.name}/${service.revision}/${nowMs}`);
    const instance = Math.floor(random() * 0xffffffff).toString(16).padStart(8, '0');
    const labels = { instanceId: `00f46b9285${instance}` };

    // Container start, at the beginning of the window.
    entries.push(
      { ...base(service), timestamp: at(spanMs), severity: 'INFO', textPayload: '[INFO] Starting gunicorn 21.2.0', labels },
      { ...base(service), timestamp: at(spanMs - 150), severity: 'INFO', textPayload: '[INFO] Listening at: http://0.0.0.0:8080 (1)', labels },
      {
        ...base(service),
        timestamp: at(spanMs - 900),
        severity: 'INFO',
        jsonPayload: { message: `${service.name} ready`, event_type: 'service_start', revision: service.revision },
        labels,
      },
    );

    if (service.name === COORDINATOR) {
      // A consolidation every ~20 minutes. About half fail ("50% of completion events were still failing"); the
      // two most recent always fail so the demo shows fresh errors, and the third most recent is the handoff's
      // successful run (73 staging tables, 438 rows in 4646.0ms).
      const cyclesAgo: number[] = [];
      for (let cycleAgo = spanMs - 20 * 60_000; cycleAgo > 5 * 60_000; cycleAgo -= (15 + random() * 10) * 60_000) cyclesAgo.push(cycleAgo);
      cyclesAgo.forEach((cycleAgo, index) => {
        const fromNewest = cyclesAgo.length - 1 - index;
        const handoffRun = fromNewest === 2;
        const tables = handoffRun ? 73 : 40 + Math.floor(random() * 60);
        const batchId = `batch_${new Date(nowMs - cycleAgo).toISOString().slice(0, 10).replace(/-/g, '')}_${Math.floor(cycleAgo / 1000) % 100_000}`;
        entries.push({
          ...base(service),
          timestamp: at(cycleAgo),
          severity: 'INFO',
          textPayload: `Executing consolidation MERGE for batch with ${tables} staging tables`,
          labels,
        });
        const tookMs = handoffRun ? 4646 : 2000 + random() * 4000;
        const fails = fromNewest < 2 || (!handoffRun && random() < 0.5);
        if (fails) {
          entries.push(
            { ...base(service), timestamp: at(cycleAgo - tookMs), severity: 'ERROR', textPayload: MERGE_ERROR.replace('{batch}', batchId), labels },
            {
              ...base(service),
              log: 'run.googleapis.com/stderr',
              timestamp: at(cycleAgo - tookMs - 3),
              severity: 'ERROR',
              textPayload: mergeTraceback(batchId),
              labels,
              sourceLocation: { file: '/app/predictions/coordinator/coordinator.py', line: 212, function: 'consolidate' },
            },
            {
              ...base(service),
              timestamp: at(cycleAgo - tookMs - 40),
              severity: 'WARNING',
              jsonPayload: { message: `Completion event not published for ${batchId}`, event_type: 'completion_event_failed', batch_id: batchId },
              labels,
            },
          );
        } else {
          const rows = handoffRun ? 438 : 300 + Math.floor(random() * 200);
          entries.push(
            { ...base(service), timestamp: at(cycleAgo - tookMs), severity: 'INFO', textPayload: `MERGE complete: ${rows} rows affected in ${tookMs.toFixed(1)}ms`, labels },
            {
              ...base(service),
              timestamp: at(cycleAgo - tookMs - 25),
              severity: 'INFO',
              jsonPayload: { message: `Published completion event for ${batchId}`, event_type: 'completion_event_published', batch_id: batchId, rows },
              labels,
            },
          );
        }
      });
    }

    // Routine lines and request logs through the window.
    for (let ago = spanMs - 5 * 60_000; ago > 60_000; ago -= (8 + random() * 14) * 60_000) {
      const line = routineLines(service.name, at(ago).slice(0, 10), random);
      entries.push({ ...base(service), timestamp: at(ago), severity: line.severity, textPayload: line.text, labels });
      const status = random() < 0.93 ? 200 : 500;
      const traceId = Math.floor(random() * 2 ** 52).toString(16).padStart(32, '0');
      entries.push({
        ...base(service),
        log: 'run.googleapis.com/requests',
        timestamp: at(ago - 500 - random() * 1000),
        severity: status >= 500 ? 'ERROR' : 'INFO',
        // A trace names its project, so it is only given when the project is known here.
        ...(options.project !== undefined ? { trace: `projects/${options.project}/traces/${traceId}` } : {}),
        httpRequest: {
          requestMethod: 'POST',
          requestUrl: `https://${service.name}-f7p3g7f6ya-wl.a.run.app/process`,
          status,
          latency: `${(0.05 + random() * 3).toFixed(3)}s`,
          userAgent: 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)',
          protocol: 'HTTP/1.1',
        },
        labels,
      });
      if (random() < 0.25) {
        entries.push({
          ...base(service),
          timestamp: at(ago - 2000),
          severity: 'INFO',
          jsonPayload: { message: `Heartbeat from ${service.name}`, event_type: 'heartbeat', queue_depth: Math.floor(random() * 20) },
          labels,
        });
      }
    }
  }
  return entries.sort((a, b) => (a.timestamp! < b.timestamp! ? -1 : a.timestamp! > b.timestamp! ? 1 : 0));
}

/**
 * What Cloud Functions logs about each function (resource `cloud_function`) besides its Cloud Run
 * service's entries: executions starting and finishing, through the same window, oldest first.
 */
export function buildDemoFunctionLogEntries(now: Date, functions: readonly string[], options: DemoLogOptions = {}): LogEntryInput[] {
  const nowMs = now.getTime();
  const spanMs = (options.hours ?? 6) * 3_600_000;
  const entries: LogEntryInput[] = [];
  for (const name of functions) {
    const random = seededRandom(`function/${name}/${nowMs}`);
    const resource = { type: 'cloud_function', labels: { function_name: name, ...(options.location !== undefined ? { region: options.location } : {}) } };
    const base = { resource, log: 'cloudfunctions.googleapis.com/cloud-functions', ...(options.project !== undefined ? { project: options.project } : {}) };
    for (let ago = spanMs - 10 * 60_000; ago > 2 * 60_000; ago -= (20 + random() * 25) * 60_000) {
      const executionId = Math.floor(random() * 2 ** 40).toString(36);
      const tookMs = Math.round(300 + random() * 2500);
      const at = (msAgo: number): string => new Date(nowMs - Math.max(1, Math.round(msAgo))).toISOString();
      entries.push(
        { ...base, timestamp: at(ago), severity: 'DEBUG', textPayload: 'Function execution started', labels: { execution_id: executionId } },
        { ...base, timestamp: at(ago - tookMs), severity: 'DEBUG', textPayload: `Function execution took ${tookMs} ms, finished with status: 'ok'`, labels: { execution_id: executionId } },
      );
    }
  }
  return entries.sort((a, b) => (a.timestamp! < b.timestamp! ? -1 : a.timestamp! > b.timestamp! ? 1 : 0));
}
