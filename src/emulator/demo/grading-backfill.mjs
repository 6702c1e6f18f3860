#!/usr/bin/env node
// Grading backfill for prediction_accuracy, as the demo workspace ships it
// (backfill_jobs/grading/...): the Node twin of prediction_accuracy_grading_backfill.py that runs
// against the local Cloud Run Drift emulator. Plain Node, no dependencies.
//
//   node grading-backfill.mjs --start-date 2026-01-24 --end-date 2026-01-28 [--system catboost_v8] [--project nba-props-platform]
//
// For each date it grades the system's predictions into prediction_accuracy (grading.mjs: the same code
// the emulator's Cloud Run job grading-backfill runs), prints the date's graded count, MAE, bias and
// accuracy, and appends log lines to Cloud Logging through the emulator's control API. Re-grading a
// date whose rows are still in the streaming buffer is refused by BigQuery; the date is reported as a
// conflict and the script exits 1.
//
// The emulator: $CLOUD_RUN_DRIFT_EMULATOR (http://127.0.0.1:PORT), else endpoints.bigquery in the
// nearest cloud-run-drift.json above this file. Exit codes: 0 all dates graded, 1 a date failed, 2 usage.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BigQueryError, describeFailure, describeResult, driveAsync, formatSigned, gradeDate, parseArguments, UsageError, USAGE } from './grading.mjs';

const CONFIG_FILE_NAME = 'cloud-run-drift.json';

// ---------------------------------------------------------------------------------------------
// Where the emulator is.

/** cloud-run-drift.json may carry comments and trailing commas (the extension reads it as JSONC). */
function parseJsonc(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (char === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (char === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2);
      if (i < 0) break;
      i++;
    } else {
      out += char;
    }
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

function findEmulatorUrl() {
  const fromEnvironment = process.env.CLOUD_RUN_DRIFT_EMULATOR;
  if (fromEnvironment) return { url: fromEnvironment, source: 'CLOUD_RUN_DRIFT_EMULATOR' };
  // The script lives a few folders below the workspace root (backfill_jobs/grading/...); look upward.
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const candidate = join(directory, CONFIG_FILE_NAME);
    if (existsSync(candidate)) {
      const config = parseJsonc(readFileSync(candidate, 'utf8'));
      const url = config?.endpoints?.bigquery;
      if (typeof url !== 'string') throw new UsageError(`${candidate} has no endpoints.bigquery; start the emulator (npm run emulator) and add its URL`);
      return { url, source: candidate };
    }
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  throw new UsageError(`no emulator: set CLOUD_RUN_DRIFT_EMULATOR=http://127.0.0.1:PORT or add endpoints.bigquery to ${CONFIG_FILE_NAME}`);
}

function checkLoopback(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`emulator URL ${JSON.stringify(url)} is not a URL`);
  }
  // This job only ever talks to the local emulator; it has no credentials for Google Cloud.
  if (parsed.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) {
    throw new UsageError(`emulator URL must be http://127.0.0.1:PORT (the local emulator), got ${url}`);
  }
  return parsed.origin;
}

// ---------------------------------------------------------------------------------------------
// BigQuery REST.

/** One HTTP request to the emulator: its status and JSON body. */
async function request(base, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, json: text ? JSON.parse(text) : {} };
  } catch {
    return { status: response.status, json: { error: { message: text } } };
  }
}

async function call(base, method, path, body) {
  const { status, json } = await request(base, method, path, body);
  if (status >= 400) throw new BigQueryError(status, json?.error?.message ?? `HTTP ${status}`, json?.error?.errors?.[0]?.reason);
  return json;
}

function shortDate(date) {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${months[Number(date.slice(5, 7)) - 1]} ${Number(date.slice(8, 10))}`;
}

async function emulatorNow(base) {
  // The emulator's clock may be set to the scenario's day; log timestamps follow it.
  try {
    const clock = await call(base, 'POST', '/control/clock', {});
    if (typeof clock.now === 'string') return Date.parse(clock.now) - Date.now();
  } catch {
    // An emulator without the clock action: use the real time.
  }
  return 0;
}

async function main(argv) {
  let options;
  let base;
  try {
    options = parseArguments(argv);
    if (options === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    base = checkLoopback(findEmulatorUrl().url);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`grading-backfill: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  const { project, system, dates } = options;
  const clockOffsetMs = await emulatorNow(base);
  const now = () => new Date(Date.now() + clockOffsetMs);
  const logs = [];
  const log = (severity, textPayload) => logs.push({
    resource: { type: 'cloud_run_revision', labels: { service_name: 'prediction-coordinator', location: 'us-west2', project_id: project } },
    severity,
    textPayload,
    timestamp: now().toISOString(),
  });

  process.stdout.write(`Grading ${system} predictions ${dates[0]} .. ${dates[dates.length - 1]} (${dates.length} date${dates.length === 1 ? '' : 's'}) on ${base}\n`);
  log('INFO', `Grading backfill started: ${dates[0]} to ${dates[dates.length - 1]} (${system})`);
  const results = [];
  const failures = [];
  for (const date of dates) {
    try {
      const started = performance.now();
      const result = await driveAsync(gradeDate({ project, system, date, gradedAt: now().toISOString() }), (r) => request(base, r.method, `/bigquery/v2${r.path}`, r.body));
      if (result.status === 'empty') {
        process.stdout.write(`  ${describeResult(result, system)}\n`);
        continue;
      }
      if (result.status === 'conflict') {
        process.stdout.write(`  WARNING: ${date} has ${result.buffered} in streaming buffer; cannot re-grade until the buffer clears (up to 90 minutes)\n`);
        log('WARNING', describeResult(result, system));
        failures.push({ date, reason: 'streaming buffer conflict' });
        continue;
      }
      const elapsedMs = performance.now() - started;
      results.push(result);
      process.stdout.write(`  ${date}: graded ${result.graded} | MAE ${result.mae.toFixed(2)} | bias ${formatSigned(result.bias)} | accuracy ${result.accuracy.toFixed(1)}%\n`);
      log('INFO', `${describeResult(result, system)} (streamed in ${elapsedMs.toFixed(1)}ms)`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      process.stdout.write(`  ERROR: ${date}: ${message}\n`);
      log('ERROR', describeFailure(date, message));
      failures.push({ date, reason: message });
    }
  }

  if (results.length > 0) {
    // The handoff's Total row averages the per-date metrics (it is not weighted by graded count).
    const average = (key) => results.reduce((sum, r) => sum + r[key], 0) / results.length;
    const total = results.reduce((sum, r) => sum + r.graded, 0);
    const lines = [
      '',
      '| Date | Graded | MAE | Bias | Accuracy |',
      '|------|--------|-----|------|----------|',
      ...results.map((r) => `| ${shortDate(r.date)} | ${r.graded} | ${r.mae.toFixed(2)} | ${formatSigned(r.bias)} | ${r.accuracy.toFixed(1)}% |`),
      `| **Total** | **${total}** | **${average('mae').toFixed(2)}** | **${formatSigned(average('bias'))}** | **${average('accuracy').toFixed(1)}%** |`,
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    log('INFO', `Grading backfill complete: ${total} predictions graded across ${results.length} date${results.length === 1 ? '' : 's'}`);
  }
  if (failures.length > 0) {
    process.stdout.write(`${failures.length} date${failures.length === 1 ? '' : 's'} not graded: ${failures.map((f) => `${f.date} (${f.reason})`).join(', ')}\n`);
  }

  try {
    await call(base, 'POST', '/control/logs', { entries: logs });
  } catch (err) {
    // Logging is a side channel: the grading itself stands.
    process.stderr.write(`grading-backfill: could not append log entries: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  return failures.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`grading-backfill: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
