// The scoreboard through the real @google-cloud/bigquery client against the emulator, on the demo's
// grading data: the Total row from GROUP BY ROLLUP and from "totals" rules, the change a real grading
// run makes (the demo's backfill script), and BigQuery's own message when the query fails. Expected
// figures are computed by hand from the handoff's grading table (the seed of the demo's data).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { createBigQueryReader, type BigQueryReader } from '../../src/core/jobs/bigquery';
import type { DateRange } from '../../src/core/jobs/dates';
import { readScoreboard } from '../../src/core/jobs/job';
import { scoreboardCsv } from '../../src/core/jobs/csv';
import { compareScoreboards } from '../../src/core/jobs/scoreboardChange';
import { totalsTexts } from '../../src/core/jobs/table';
import { buildDemoBigQuerySection } from '../../src/emulator/demo/bigquery-seed';
import { HANDOFF_GRADING_TABLE } from '../../src/emulator/demo/history';
import { DEMO_SCOREBOARD_SQL } from '../../src/emulator/demo/workspace';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';

const NOW = '2026-01-30T23:00:00Z';
const PROJECT = 'nba-props-platform';
const TABLE = `\`${PROJECT}.nba_predictions.prediction_accuracy\``;
const BACKFILL = path.resolve(__dirname, '../../src/emulator/demo/grading-backfill.mjs');
const JAN_24_28: DateRange = { start: '2026-01-24', end: '2026-01-28', days: 5 };
const JAN_24_29: DateRange = { start: '2026-01-24', end: '2026-01-29', days: 6 };
/** The demo's query without ROLLUP, plus the count accuracy is over (decided = OVER/UNDER calls). */
const PER_DATE_SQL = DEMO_SCOREBOARD_SQL.replace('GROUP BY ROLLUP(game_date)', 'GROUP BY game_date').replace(' AS accuracy', ' AS accuracy, COUNTIF(prediction_correct IS NOT NULL) AS decided');

/** The handoff's table as written: per-date rows ["2026-01-24", 22, 4.52, 0.16, 40] and its own Total row. */
function handoffTable(): { rows: Array<[string, number, number, number, number]>; total: number[] } {
  const lines = HANDOFF_GRADING_TABLE.trim().split('\n').slice(2).map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim().replace(/\*\*/g, '').replace('%', '')));
  const rows = lines.slice(0, -1).map(([date, ...figures]) => [`2026-01-${date!.slice(4).padStart(2, '0')}`, ...figures.map(Number)] as [string, number, number, number, number]);
  return { rows, total: lines[lines.length - 1]!.slice(1).map(Number) };
}

async function startWith(includeBackfilledGrades: boolean): Promise<{ emulator: RunningEmulator; reader: BigQueryReader }> {
  const emulator = await startEmulator({ scenario: { now: NOW, bigquery: buildDemoBigQuerySection(new Date(NOW), undefined, { includeBackfilledGrades }) }, port: 0, modules: { logging: false } });
  return { emulator, reader: createBigQueryReader({ project: PROJECT, endpoint: emulator.httpUrl }) };
}

describe('scoreboard against the emulated BigQuery', () => {
  let emulator: RunningEmulator;
  let reader: BigQueryReader;
  before(async () => ({ emulator, reader } = await startWith(true)));
  after(async () => emulator?.close());

  test('the demo query’s ROLLUP row is the Total over the 489 predictions, beside the handoff’s rows and its averaged Total', async () => {
    const board = await readScoreboard(reader, DEMO_SCOREBOARD_SQL, JAN_24_28);
    const handoff = handoffTable();
    assert.deepEqual(board.columns, ['game_date', 'graded', 'mae', 'bias', 'accuracy']);
    assert.deepEqual(board.rows, handoff.rows, 'every per-date row is the handoff’s');
    assert.equal(board.totalsSource, 'query');
    // Over the rows: |errors| sum to 2746.4 and errors to 141.8 over 489 graded; 226 of 451 decided calls right.
    assert.deepEqual(board.totals, ['Total', 489, Math.round((2746.4 / 489) * 100) / 100, Math.round((141.8 / 489) * 100) / 100, Math.round((1000 * 226) / 451) / 10]);
    assert.deepEqual(board.totals, ['Total', 489, 5.62, 0.29, 50.1]);
    assert.deepEqual(handoff.total, [489, 5.45, 0.31, 49], 'the handoff’s Total averages the daily figures');
  });

  test('"totals" rules over the per-date rows give the same Total row (accuracy weighted by the decided calls)', async () => {
    const board = await readScoreboard(reader, PER_DATE_SQL, JAN_24_28, { graded: 'sum', mae: { weightedBy: 'graded' }, bias: { weightedBy: 'graded' }, accuracy: { weightedBy: 'decided' }, decided: 'sum' });
    assert.equal(board.totalsSource, 'config');
    assert.deepEqual(board.totalsProblems, []);
    // 2745.96 / 489 = 5.6155, 141.72 / 489 = 0.2898, 22595.1 / 451 = 50.10 (from the rounded daily figures).
    assert.deepEqual(totalsTexts(board, board.totals!), ['Total', '489', '5.62', '0.29', '50.1', '451']);
    const wrongWeight = await readScoreboard(reader, PER_DATE_SQL, JAN_24_28, { accuracy: { weightedBy: 'graded' } });
    assert.equal(totalsTexts(wrongWeight, wrongWeight.totals!)[4], '50.3', 'weighted by graded, accuracy is off: its days average over the decided calls');
  });

  test('ROLLUP with HAVING, ORDER BY and LIMIT, over two columns; unsupported forms say what the emulator supports', async () => {
    const two = await reader.query(`SELECT game_date, system_id, COUNT(*) AS n FROM ${TABLE} WHERE game_date BETWEEN '2026-01-24' AND '2026-01-25' GROUP BY ROLLUP(game_date, system_id) ORDER BY game_date, system_id`, {});
    assert.deepEqual(two.rows, [[null, null, 121], ['2026-01-24', null, 22], ['2026-01-24', 'catboost_v8', 22], ['2026-01-25', null, 99], ['2026-01-25', 'catboost_v8', 99]]);
    const having = await reader.query(`SELECT game_date, COUNT(*) AS n FROM ${TABLE} GROUP BY ROLLUP(game_date) HAVING COUNT(*) > 100 ORDER BY n DESC LIMIT 3`, {});
    assert.deepEqual(having.rows, [[null, 579], ['2026-01-28', 145], ['2026-01-26', 118]]);
    await assert.rejects(reader.query(`SELECT game_date, COUNT(*) AS n FROM ${TABLE} GROUP BY system_id, ROLLUP(game_date)`, {}), /supports ROLLUP only as the outermost query's whole GROUP BY, e\.g\. GROUP BY ROLLUP\(game_date\) at \[1:\d+\]/);
    await assert.rejects(reader.query(`SELECT FORMAT_DATE('%d', game_date) AS d, COUNT(*) AS n FROM ${TABLE} GROUP BY ROLLUP(game_date)`, {}), /ROLLUP needs game_date selected as itself/);
  });

  test('CSV: a text cell that would open as a formula is neutralized; numbers, NUMERIC ones the client sends as text included, are not', async () => {
    const table = await reader.query("SELECT '=HYPERLINK(\"http://x.example\")' AS note, '-2+3' AS formula, CAST('-0.29' AS NUMERIC) AS numeric_bias, -0.29 AS bias, CAST(-5 AS INT64) AS delta", {});
    assert.deepEqual(table.rows, [['=HYPERLINK("http://x.example")', '-2+3', '-0.29', -0.29, -5]], 'NUMERIC arrives as text, FLOAT64 and INT64 as numbers');
    assert.equal(scoreboardCsv(table, '\n'), `note,formula,numeric_bias,bias,delta\n"'=HYPERLINK(""http://x.example"")",'-2+3,-0.29,-0.29,-5\n`);
  });

  test('a failing scoreboard query rejects with BigQuery’s own message', async () => {
    await assert.rejects(readScoreboard(reader, `SELECT game_date, COUNT(*) AS graded, AVG(absolut_error) AS mae FROM ${TABLE} WHERE game_date BETWEEN @startDate AND @endDate GROUP BY ROLLUP(game_date)`, JAN_24_28), {
      name: 'BigQueryApiError',
      message: 'BigQuery: the query failed: Unrecognized name: absolut_error at [1:43]',
    });
  });
});

describe('scoreboard before and after a grading run', () => {
  let emulator: RunningEmulator;
  let reader: BigQueryReader;
  before(async () => ({ emulator, reader } = await startWith(false)));
  after(async () => emulator?.close());

  test('read before, the backfill grades Jan 24-28, read after: five new rows, Jan 29 unchanged, the totals’ change', async () => {
    const beforeRun = await readScoreboard(reader, DEMO_SCOREBOARD_SQL, JAN_24_29);
    // Only Jan 29 was graded: 90 predictions, MAE 5.31, bias -0.42, 41 of 82 decided right.
    assert.deepEqual(beforeRun.rows, [['2026-01-29', 90, 5.31, -0.42, 50]]);
    assert.deepEqual(beforeRun.totals, ['Total', 90, 5.31, -0.42, 50]);

    await promisify(execFile)(process.execPath, [BACKFILL, '--start-date', '2026-01-24', '--end-date', '2026-01-28'], { env: { ...process.env, CLOUD_RUN_DRIFT_EMULATOR: emulator.httpUrl }, timeout: 30_000 });

    const afterRun = await readScoreboard(reader, DEMO_SCOREBOARD_SQL, JAN_24_29);
    const change = compareScoreboards(beforeRun, afterRun);
    assert.deepEqual(change.rows.map((row) => [row.key, row.before === null ? 'new' : row.change]), [
      ['2026-01-24', 'new'],
      ['2026-01-25', 'new'],
      ['2026-01-26', 'new'],
      ['2026-01-27', 'new'],
      ['2026-01-28', 'new'],
      ['2026-01-29', [null, 0, 0, 0, 0]],
    ]);
    // After: 489 + 90 = 579 graded; |errors| 2746.4 + 478.0 = 3224.4 → MAE 5.57; errors 141.8 − 37.8 = 104.0 →
    // bias 0.18; (226 + 41) / (451 + 82) = 267 / 533 = 50.1%. Change: +489, 5.57 − 5.31, 0.18 + 0.42, +0.1.
    assert.deepEqual(afterRun.totals, ['Total', 579, 5.57, 0.18, 50.1]);
    assert.deepEqual(change.totals!.change, [null, 489, 0.26, 0.6, 0.1]);
  });
});
