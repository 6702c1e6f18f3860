#!/usr/bin/env node
// Grading backfill for prediction_accuracy, as the demo workspace ships it
// (backfill_jobs/grading/...): the Node twin of prediction_accuracy_grading_backfill.py that runs
// against the local Cloud Run Drift emulator. Plain Node, no dependencies.
//
//   node grading-backfill.mjs --start-date 2026-01-24 --end-date 2026-01-28 [--system catboost_v8] [--project nba-props-platform]
//
// For each date it reads the active predictions of the system joined with the players' actual points,
// replaces that date's rows in prediction_accuracy (DELETE, then streaming the graded rows with
// tabledata.insertAll, so they sit in the streaming buffer afterwards), prints the date's graded count,
// MAE, bias and accuracy, and appends log lines to Cloud Logging through the emulator's control API.
// Re-grading a date whose rows are still in the streaming buffer is refused by BigQuery; the date is
// reported as a conflict and the script exits 1.
//
// The emulator: $CLOUD_RUN_DRIFT_EMULATOR (http://127.0.0.1:PORT), else endpoints.bigquery in the
// nearest cloud-run-drift.json above this file. Exit codes: 0 all dates graded, 1 a date failed, 2 usage.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const USAGE = 'Usage: node grading-backfill.mjs --start-date YYYY-MM-DD --end-date YYYY-MM-DD [--system catboost_v8] [--project nba-props-platform]';
const MAX_DATES = 62;
const INSERT_BATCH_ROWS = 500;
const CONFIG_FILE_NAME = 'cloud-run-drift.json';

class UsageError extends Error {}

function parseArguments(argv) {
  const options = { startDate: undefined, endDate: undefined, system: 'catboost_v8', project: 'nba-props-platform' };
  const flags = { '--start-date': 'startDate', '--end-date': 'endDate', '--system': 'system', '--project': 'project' };
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--help' || argument === '-h') return 'help';
    const [flag, inline] = argument.includes('=') ? [argument.slice(0, argument.indexOf('=')), argument.slice(argument.indexOf('=') + 1)] : [argument, undefined];
    const key = flags[flag];
    if (!key) throw new UsageError(`unknown argument ${JSON.stringify(argument)}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    options[key] = value;
  }
  if (!options.startDate) throw new UsageError('--start-date is required');
  if (!options.endDate) throw new UsageError('--end-date is required');
  for (const [flag, value] of [['--start-date', options.startDate], ['--end-date', options.endDate]]) {
    if (!isRealDate(value)) throw new UsageError(`${flag} must be a real date as YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  if (options.startDate > options.endDate) throw new UsageError(`--start-date ${options.startDate} is after --end-date ${options.endDate}`);
  const dates = datesBetween(options.startDate, options.endDate);
  if (dates.length > MAX_DATES) throw new UsageError(`at most ${MAX_DATES} dates per run, got ${dates.length}`);
  if (!/^[A-Za-z0-9_]+$/.test(options.system)) throw new UsageError(`--system must be a system id such as catboost_v8, got ${JSON.stringify(options.system)}`);
  if (!/^[a-z][-a-z0-9]{0,62}$/.test(options.project)) throw new UsageError(`--project must be a project id, got ${JSON.stringify(options.project)}`);
  return { ...options, dates };
}

function isRealDate(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

function datesBetween(start, end) {
  const dates = [];
  for (let ms = Date.parse(`${start}T00:00:00Z`); ms <= Date.parse(`${end}T00:00:00Z`); ms += 86_400_000) dates.push(new Date(ms).toISOString().slice(0, 10));
  return dates;
}

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

class BigQueryError extends Error {
  constructor(status, message, reason) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

async function call(base, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { error: { message: text } };
  }
  if (!response.ok) throw new BigQueryError(response.status, json?.error?.message ?? `HTTP ${response.status}`, json?.error?.errors?.[0]?.reason);
  return json;
}

/** Rows as objects; every cell is decoded by its schema type. */
function decodeRows(schema, rows) {
  return (rows ?? []).map((row) => {
    const object = {};
    schema.fields.forEach((field, index) => {
      const value = row.f[index]?.v ?? null;
      if (value === null) object[field.name] = null;
      else if (['INTEGER', 'INT64', 'FLOAT', 'FLOAT64', 'NUMERIC'].includes(field.type)) object[field.name] = Number(value);
      else if (['BOOLEAN', 'BOOL'].includes(field.type)) object[field.name] = value === 'true';
      else object[field.name] = value;
    });
    return object;
  });
}

async function query(base, project, sql, parameters = []) {
  const response = await call(base, 'POST', `/bigquery/v2/projects/${project}/queries`, {
    query: sql,
    useLegacySql: false,
    parameterMode: 'NAMED',
    queryParameters: parameters.map(([name, type, value]) => ({ name, parameterType: { type }, parameterValue: { value } })),
    formatOptions: { useInt64Timestamp: true },
  });
  let rows = response.schema ? decodeRows(response.schema, response.rows) : [];
  let pageToken = response.pageToken;
  while (pageToken) {
    const page = await call(
      base,
      'GET',
      `/bigquery/v2/projects/${project}/queries/${encodeURIComponent(response.jobReference.jobId)}?pageToken=${encodeURIComponent(pageToken)}&formatOptions.useInt64Timestamp=true`,
    );
    rows = rows.concat(decodeRows(page.schema, page.rows));
    pageToken = page.pageToken;
  }
  return { rows, affected: Number(response.numDmlAffectedRows ?? 0) };
}

// ---------------------------------------------------------------------------------------------
// Grading (the same rule the demo seed uses): OVER is right when the actual beats the line, UNDER
// when it stays below; PASS and pushes are not graded for accuracy.

function grade(prediction, gradedAt) {
  const signedError = Math.round((prediction.predicted_points - prediction.actual_points) * 10) / 10;
  let correct = null;
  if (prediction.recommendation === 'OVER' && prediction.actual_points !== prediction.line_value) correct = prediction.actual_points > prediction.line_value;
  if (prediction.recommendation === 'UNDER' && prediction.actual_points !== prediction.line_value) correct = prediction.actual_points < prediction.line_value;
  return {
    game_date: prediction.game_date,
    player_lookup: prediction.player_lookup,
    game_id: prediction.game_id,
    system_id: prediction.system_id,
    predicted_points: prediction.predicted_points,
    actual_points: prediction.actual_points,
    line_value: prediction.line_value,
    recommendation: prediction.recommendation,
    absolute_error: Math.abs(signedError),
    signed_error: signedError,
    prediction_correct: correct,
    graded_at: gradedAt,
  };
}

function formatSigned(value) {
  return value.toFixed(2);
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
  const table = `\`${project}.nba_predictions.prediction_accuracy\``;
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
      const { rows: predictions } = await query(
        base,
        project,
        `SELECT p.game_date, p.game_id, p.player_lookup, p.system_id, p.predicted_points, p.line_value, p.recommendation, a.points AS actual_points
         FROM \`${project}.nba_predictions.player_prop_predictions\` AS p
         JOIN \`${project}.nba_analytics.player_game_summary\` AS a ON a.game_date = p.game_date AND a.player_lookup = p.player_lookup
         WHERE p.game_date = @game_date AND p.system_id = @system_id AND p.is_active
         ORDER BY p.player_lookup`,
        [['game_date', 'DATE', date], ['system_id', 'STRING', system]],
      );
      if (predictions.length === 0) {
        process.stdout.write(`  ${date}: nothing to grade (no ${system} predictions with final box scores)\n`);
        continue;
      }
      // Re-grading replaces the date's rows; BigQuery refuses while earlier rows sit in the streaming buffer.
      try {
        await query(base, project, `DELETE FROM ${table} WHERE game_date = @game_date AND system_id = @system_id`, [['game_date', 'DATE', date], ['system_id', 'STRING', system]]);
      } catch (err) {
        if (err instanceof BigQueryError && /streaming buffer/i.test(err.message)) {
          const metadata = await call(base, 'GET', `/bigquery/v2/projects/${project}/datasets/nba_predictions/tables/prediction_accuracy`).catch(() => ({}));
          const buffered = metadata.streamingBuffer ? `${metadata.streamingBuffer.estimatedRows} recent rows` : 'recent rows';
          const message = `WARNING: ${date} has ${buffered} in streaming buffer; cannot re-grade until the buffer clears (up to 90 minutes)`;
          process.stdout.write(`  ${message}\n`);
          log('WARNING', `Grading backfill: ${date} has ${buffered} in streaming buffer, re-grade refused: ${err.message}`);
          failures.push({ date, reason: 'streaming buffer conflict' });
          continue;
        }
        throw err;
      }
      const gradedAt = now().toISOString();
      const graded = predictions.map((prediction) => grade(prediction, gradedAt));
      for (let start = 0; start < graded.length; start += INSERT_BATCH_ROWS) {
        const batch = graded.slice(start, start + INSERT_BATCH_ROWS);
        const response = await call(base, 'POST', `/bigquery/v2/projects/${project}/datasets/nba_predictions/tables/prediction_accuracy/insertAll`, {
          // The insertId de-duplicates retries of this batch only: BigQuery drops rows whose insertId it saw in the last
          // minute or so, so an id without the run's graded_at would silently drop a re-grade that follows closely.
          rows: batch.map((row) => ({ insertId: `${row.game_date}:${row.system_id}:${row.player_lookup}:${gradedAt}`, json: row })),
        });
        if (response.insertErrors?.length) {
          throw new Error(`insertAll rejected ${response.insertErrors.length} rows: ${JSON.stringify(response.insertErrors[0])}`);
        }
      }
      const elapsedMs = performance.now() - started;
      const {
        rows: [metrics],
      } = await query(
        base,
        project,
        `SELECT COUNT(*) AS graded, ROUND(AVG(absolute_error), 2) AS mae, ROUND(AVG(signed_error), 2) AS bias,
                ROUND(100 * SAFE_DIVIDE(COUNTIF(prediction_correct), COUNTIF(prediction_correct IS NOT NULL)), 1) AS accuracy
         FROM ${table} WHERE game_date = @game_date AND system_id = @system_id`,
        [['game_date', 'DATE', date], ['system_id', 'STRING', system]],
      );
      const result = { date, graded: metrics.graded, mae: metrics.mae, bias: metrics.bias, accuracy: metrics.accuracy ?? 0 };
      results.push(result);
      process.stdout.write(`  ${date}: graded ${result.graded} | MAE ${result.mae.toFixed(2)} | bias ${formatSigned(result.bias)} | accuracy ${result.accuracy.toFixed(1)}%\n`);
      log('INFO', `Graded ${result.graded} predictions for ${date}: MAE ${result.mae.toFixed(2)}, bias ${formatSigned(result.bias)}, accuracy ${result.accuracy.toFixed(1)}% (streamed in ${elapsedMs.toFixed(1)}ms)`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      process.stdout.write(`  ERROR: ${date}: ${message}\n`);
      log('ERROR', `Grading backfill failed for ${date}: ${message}`);
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
