// Grading one date of predictions into prediction_accuracy: what the demo's grading backfill does,
// whether it runs as a local command (grading_backfill.mjs) or as the emulator's Cloud Run job
// `grading-backfill`. Plain Node, no dependencies, no I/O of its own.
//
// `gradeDate` is a generator of BigQuery REST requests ({method, path, body}, path under /bigquery/v2):
// the caller sends each one and resumes it with the JSON answer (or throws a BigQueryError into it),
// over HTTP (`driveAsync`) or inside the emulator (`driveSync`). One date: read the system's active
// predictions joined with the players' actual points, replace the date's rows (DELETE, then
// tabledata.insertAll, so they sit in the streaming buffer afterwards), read back its metrics.
// Re-grading a date whose rows are still in the streaming buffer is refused by BigQuery; that date
// is reported as a conflict.

export const USAGE = 'Usage: node grading-backfill.mjs --start-date YYYY-MM-DD --end-date YYYY-MM-DD [--system catboost_v8] [--project nba-props-platform]';
const MAX_DATES = 62;
const INSERT_BATCH_ROWS = 500;

export class UsageError extends Error {}

export class BigQueryError extends Error {
  constructor(status, message, reason) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

/** The command line (`--flag value` or `--flag=value`): the options and the dates, or 'help'; throws UsageError. */
export function parseArguments(argv) {
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
// Requests.

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

/** A query with named parameters ([name, type, value]); every page of its rows. */
function* query(project, sql, parameters) {
  const response = yield {
    method: 'POST',
    path: `/projects/${project}/queries`,
    body: {
      query: sql,
      useLegacySql: false,
      parameterMode: 'NAMED',
      queryParameters: parameters.map(([name, type, value]) => ({ name, parameterType: { type }, parameterValue: { value } })),
      formatOptions: { useInt64Timestamp: true },
    },
  };
  let rows = response.schema ? decodeRows(response.schema, response.rows) : [];
  let pageToken = response.pageToken;
  while (pageToken) {
    const page = yield {
      method: 'GET',
      path: `/projects/${project}/queries/${encodeURIComponent(response.jobReference.jobId)}?pageToken=${encodeURIComponent(pageToken)}&formatOptions.useInt64Timestamp=true`,
    };
    rows = rows.concat(decodeRows(page.schema, page.rows));
    pageToken = page.pageToken;
  }
  return rows;
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

/**
 * Grades `date` (requests as described above). Resolves to one of
 *   {status: 'graded', date, graded, mae, bias, accuracy}
 *   {status: 'empty', date}                        no predictions with final box scores
 *   {status: 'conflict', date, buffered, message}  earlier rows still in the streaming buffer
 * Any other BigQuery error is thrown.
 */
export function* gradeDate({ project, system, date, gradedAt }) {
  const table = `\`${project}.nba_predictions.prediction_accuracy\``;
  const dateParameters = [['game_date', 'DATE', date], ['system_id', 'STRING', system]];
  const predictions = yield* query(
    project,
    `SELECT p.game_date, p.game_id, p.player_lookup, p.system_id, p.predicted_points, p.line_value, p.recommendation, a.points AS actual_points
     FROM \`${project}.nba_predictions.player_prop_predictions\` AS p
     JOIN \`${project}.nba_analytics.player_game_summary\` AS a ON a.game_date = p.game_date AND a.player_lookup = p.player_lookup
     WHERE p.game_date = @game_date AND p.system_id = @system_id AND p.is_active
     ORDER BY p.player_lookup`,
    dateParameters,
  );
  if (predictions.length === 0) return { status: 'empty', date };
  // Re-grading replaces the date's rows; BigQuery refuses while earlier rows sit in the streaming buffer.
  try {
    yield* query(project, `DELETE FROM ${table} WHERE game_date = @game_date AND system_id = @system_id`, dateParameters);
  } catch (err) {
    if (!(err instanceof BigQueryError) || !/streaming buffer/i.test(err.message)) throw err;
    let buffered = 'recent rows';
    try {
      const metadata = yield { method: 'GET', path: `/projects/${project}/datasets/nba_predictions/tables/prediction_accuracy` };
      if (metadata.streamingBuffer) buffered = `${metadata.streamingBuffer.estimatedRows} recent rows`;
    } catch {
      // The table's metadata only makes the message more precise.
    }
    return { status: 'conflict', date, buffered, message: err.message };
  }
  const graded = predictions.map((prediction) => grade(prediction, gradedAt));
  for (let start = 0; start < graded.length; start += INSERT_BATCH_ROWS) {
    const batch = graded.slice(start, start + INSERT_BATCH_ROWS);
    const response = yield {
      method: 'POST',
      path: `/projects/${project}/datasets/nba_predictions/tables/prediction_accuracy/insertAll`,
      // The insertId de-duplicates retries of this batch only: BigQuery drops rows whose insertId it saw in the last
      // minute or so, so an id without the run's graded_at would silently drop a re-grade that follows closely.
      body: { rows: batch.map((row) => ({ insertId: `${row.game_date}:${row.system_id}:${row.player_lookup}:${gradedAt}`, json: row })) },
    };
    if (response.insertErrors?.length) {
      throw new Error(`insertAll rejected ${response.insertErrors.length} rows: ${JSON.stringify(response.insertErrors[0])}`);
    }
  }
  const [metrics] = yield* query(
    project,
    `SELECT COUNT(*) AS graded, ROUND(AVG(absolute_error), 2) AS mae, ROUND(AVG(signed_error), 2) AS bias,
            ROUND(100 * SAFE_DIVIDE(COUNTIF(prediction_correct), COUNTIF(prediction_correct IS NOT NULL)), 1) AS accuracy
     FROM ${table} WHERE game_date = @game_date AND system_id = @system_id`,
    dateParameters,
  );
  return { status: 'graded', date, graded: metrics.graded, mae: metrics.mae, bias: metrics.bias, accuracy: metrics.accuracy ?? 0 };
}

/** A send's answer: the JSON body, or a BigQueryError thrown into the generator for a status of 400 or more. */
function resume(requests, answer) {
  if (answer.status < 400) return requests.next(answer.json);
  const error = answer.json?.error;
  return requests.throw(new BigQueryError(answer.status, error?.message ?? `HTTP ${answer.status}`, error?.errors?.[0]?.reason));
}

/** Runs the requests with `send(request) => {status, json}` (synchronous); returns the generator's result. */
export function driveSync(requests, send) {
  let step = requests.next();
  while (!step.done) step = resume(requests, send(step.value));
  return step.value;
}

/** Runs the requests with `send(request) => Promise<{status, json}>`. */
export async function driveAsync(requests, send) {
  let step = requests.next();
  while (!step.done) step = resume(requests, await send(step.value));
  return step.value;
}

// ---------------------------------------------------------------------------------------------
// What each date's result says, in the output and the logs of both ways of running.

export function formatSigned(value) {
  return value.toFixed(2);
}

/** The log line of a date's result. */
export function describeResult(result, system) {
  switch (result.status) {
    case 'graded':
      return `Graded ${result.graded} predictions for ${result.date}: MAE ${result.mae.toFixed(2)}, bias ${formatSigned(result.bias)}, accuracy ${result.accuracy.toFixed(1)}%`;
    case 'empty':
      return `${result.date}: nothing to grade (no ${system} predictions with final box scores)`;
    default:
      return `Grading backfill: ${result.date} has ${result.buffered} in streaming buffer, re-grade refused: ${result.message}`;
  }
}

/** The log line of a date that failed. */
export function describeFailure(date, message) {
  return `Grading backfill failed for ${date}: ${message}`;
}
