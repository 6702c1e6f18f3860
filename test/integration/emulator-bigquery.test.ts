// The emulated BigQuery v2 REST API, exercised only through the real @google-cloud/bigquery client
// (plus the control API and the demo's grading backfill script, as the demo uses them).
import { BigQuery, type Job, type Query, type TableField } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ScenarioError } from '../../src/emulator/api';
import type { BigQueryScenarioSection } from '../../src/emulator/bigquery/scenario';
import { BACKFILLED_DATES, DEMO_GRADING_DAYS, DEMO_PREDICTION_COUNTS, buildDemoBigQuerySection } from '../../src/emulator/demo/bigquery-seed';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';

const run = promisify(execFile);
const PROJECT = 'test-project';
const NOW = '2026-01-30T23:00:00Z';
const BACKFILL_SCRIPT = path.resolve(__dirname, '../../src/emulator/demo/grading-backfill.mjs');

function client(emulator: RunningEmulator, projectId = PROJECT): BigQuery {
  // No automatic retries: an injected 5xx must surface instead of being retried away. (maxRetries: 0
  // would be ignored: the client treats 0 as "not set".)
  return new BigQuery({ projectId, apiEndpoint: emulator.httpUrl, authClient: new PassThroughClient(), retryOptions: { autoRetry: false } });
}

function errorOf(err: unknown): { name: string; message: string; code?: number; errors?: Array<{ reason?: string; message?: string }> } {
  assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
  return err as Error & { code?: number; errors?: Array<{ reason?: string }> };
}

async function rejection(promise: Promise<unknown>): Promise<ReturnType<typeof errorOf>> {
  try {
    await promise;
  } catch (err) {
    return errorOf(err);
  }
  assert.fail('expected the call to fail');
}

const GAMES_SECTION: BigQueryScenarioSection = {
  streamingBufferMinutes: 90,
  datasets: {
    [`${PROJECT}.sports`]: {
      tables: {
        games: {
          schema: [
            { name: 'game_id', type: 'STRING', mode: 'REQUIRED' },
            { name: 'game_date', type: 'DATE' },
            { name: 'points', type: 'INT64' },
            { name: 'rating', type: 'FLOAT64' },
            { name: 'payout', type: 'NUMERIC' },
            { name: 'final', type: 'BOOL' },
            { name: 'started_at', type: 'TIMESTAMP' },
            { name: 'local_start', type: 'DATETIME' },
          ],
          rows: [
            { game_id: 'g1', game_date: '2026-01-24', points: 101, rating: 1.5, payout: '12.345', final: true, started_at: '2026-01-24T19:30:00.123456Z', local_start: '2026-01-24T11:30:00' },
            { game_id: 'g2', game_date: '2026-01-24', points: 99, rating: 2.25, payout: 3, final: false, started_at: '2026-01-24 22:00:00 UTC', local_start: '2026-01-24 14:00:00' },
            { game_id: 'g3', game_date: '2026-01-25', points: '120', rating: 3, payout: '0.5', final: null, started_at: '2026-01-25T01:00:00-08:00', local_start: null },
            { game_id: 'g4', game_date: '2026-01-26', points: 88, rating: null, payout: null, final: true, started_at: null, local_start: null },
            { game_id: 'g5', game_date: '2026-01-26', points: 130, rating: 4.75, payout: '1e2', final: true, started_at: '2026-01-26T18:00:00Z', local_start: null },
          ],
        },
        streamed_boxscores: {
          schema: [
            { name: 'game_id', type: 'STRING' },
            { name: 'player', type: 'STRING' },
            { name: 'points', type: 'INT64' },
          ],
          rows: [{ game_id: 'old', player: 'a', points: 1 }],
          streamedRows: [
            { game_id: '20260124_CLE_ORL', player: 'b', points: 2 },
            { game_id: '20260124_CLE_ORL', player: 'c', points: 3 },
          ],
          streamedMinutesAgo: 10,
        },
      },
    },
  },
};

describe('BigQuery emulator through @google-cloud/bigquery', () => {
  let emulator: RunningEmulator;
  let bigquery: BigQuery;

  before(async () => {
    emulator = await startEmulator({ scenario: { now: NOW, bigquery: GAMES_SECTION }, port: 0, modules: { logging: false } });
    bigquery = client(emulator);
  });
  after(async () => {
    await emulator?.close();
  });

  test('query with named parameters decodes every type the emulator stores', async () => {
    const [rows] = await bigquery.query({
      query:
        'SELECT game_id, game_date, points, rating, payout, final, started_at, local_start FROM `test-project.sports.games` ' +
        'WHERE game_date BETWEEN @first AND @last AND points >= @min_points AND game_id != @skip AND started_at < @before ORDER BY started_at',
      params: { first: bigquery.date('2026-01-24'), last: bigquery.date('2026-01-25'), min_points: 90, skip: 'nobody', before: new Date('2026-01-26T00:00:00Z') },
    });
    assert.deepEqual(
      rows.map((r: Record<string, unknown>) => r.game_id),
      ['g1', 'g2', 'g3'],
    );
    const [first, , third] = rows as Array<Record<string, { value?: string; toString(): string } | number | boolean | null | string>>;
    assert.equal((first!.game_date as { value: string }).value, '2026-01-24');
    assert.equal(first!.points, 101);
    assert.equal(first!.rating, 1.5);
    assert.equal(String(first!.payout), '12.345');
    assert.equal(first!.final, true);
    assert.equal((first!.started_at as { value: string }).value, '2026-01-24T19:30:00.123456000Z', 'microseconds survive');
    assert.equal((first!.local_start as { value: string }).value, '2026-01-24T11:30:00');
    assert.equal(third!.points, 120, 'INT64 given as a decimal string');
    assert.equal(third!.final, null);
    assert.equal((third!.started_at as { value: string }).value, '2026-01-25T09:00:00.000Z', 'offset -08:00 converted to UTC');
  });

  test('wire encoding: schema types, TIMESTAMP as int64 microseconds, totalRows as a string', async () => {
    const [job] = await bigquery.createQueryJob({ query: "SELECT game_id, started_at, points, payout, final FROM sports.games WHERE game_id = 'g1'" });
    const [rows, , response] = await job.getQueryResults({ skipParsing: true });
    const fields = (response?.schema?.fields ?? []) as TableField[];
    assert.deepEqual(
      fields.map((f) => [f.name, f.type]),
      [['game_id', 'STRING'], ['started_at', 'TIMESTAMP'], ['points', 'INTEGER'], ['payout', 'NUMERIC'], ['final', 'BOOLEAN']],
    );
    assert.equal(response?.totalRows, '1');
    assert.deepEqual(rows, [{ f: [{ v: 'g1' }, { v: '1769283000123456' }, { v: '101' }, { v: '12.345' }, { v: 'true' }] }]);
  });

  test('aggregates: COUNT, SUM, AVG, ROUND, COUNTIF, SAFE_DIVIDE, MIN/MAX keep BigQuery types and names', async () => {
    const [rows] = await bigquery.query({
      query: `SELECT game_date, COUNT(*) AS games, SUM(points) AS total, ROUND(AVG(rating), 2) AS avg_rating, COUNTIF(final) AS finals,
                     SAFE_DIVIDE(COUNTIF(final), COUNT(*)) AS final_share, SAFE_DIVIDE(1, 0) AS nothing, MAX(started_at) AS last_start,
                     SUM(payout) AS payout, points / 2 > 50 AS big, COUNT(DISTINCT game_id)
              FROM \`test-project.sports.games\` GROUP BY game_date ORDER BY game_date`,
    });
    assert.equal(rows.length, 3);
    const [day24, day25, day26] = rows as Array<Record<string, unknown>>;
    assert.equal((day24!.game_date as { value: string }).value, '2026-01-24');
    assert.equal(day24!.games, 2);
    assert.equal(day24!.total, 200);
    assert.equal(day24!.avg_rating, 1.88);
    assert.equal(day24!.finals, 1);
    assert.equal(day24!.final_share, 0.5);
    assert.equal(day24!.nothing, null);
    assert.equal((day24!.last_start as { value: string }).value, '2026-01-24T22:00:00.000Z');
    assert.equal(String(day24!.payout), '15.345');
    assert.equal(day24!.f0_, 2, 'an unnamed column is f0_');
    assert.equal(day25!.finals, 0, 'COUNTIF over NULL counts nothing');
    assert.equal(day26!.avg_rating, 4.75, 'AVG skips NULL');
    const [[shape]] = await bigquery.query('SELECT 7 / 2 AS ratio, DATE_SUB(DATE "2026-01-30", INTERVAL 7 DAY) AS week_ago, CURRENT_DATE() AS today, DATE_DIFF(DATE "2026-01-30", DATE "2026-01-24", DAY) AS days, EXTRACT(DAYOFWEEK FROM DATE "2026-01-30") AS weekday, IF(TRUE, "yes", "no") AS answer, CAST("42" AS INT64) AS parsed, FORMAT_DATE("%b %d", DATE "2026-01-24") AS label');
    assert.equal(shape.ratio, 3.5, 'division is FLOAT64');
    assert.equal(shape.week_ago.value, '2026-01-23');
    assert.equal(shape.today.value, '2026-01-30', 'CURRENT_DATE follows the emulator clock');
    assert.equal(shape.days, 6);
    assert.equal(shape.weekday, 6, 'Friday');
    assert.equal(shape.answer, 'yes');
    assert.equal(shape.parsed, 42);
    assert.equal(shape.label, 'Jan 24');
  });

  test('positional parameters, array parameters with IN UNNEST, and a default dataset', async () => {
    const [positional] = await bigquery.query({ query: 'SELECT game_id FROM sports.games WHERE points > ? AND final = ? ORDER BY game_id', params: [100, true] });
    assert.deepEqual(positional.map((r: { game_id: string }) => r.game_id), ['g1', 'g5']);
    const [inList] = await bigquery.query({ query: 'SELECT game_id FROM sports.games WHERE game_id IN UNNEST(@ids) ORDER BY game_id', params: { ids: ['g2', 'g4', 'zz'] } });
    assert.deepEqual(inList.map((r: { game_id: string }) => r.game_id), ['g2', 'g4']);
    const [withDefault] = await bigquery.query({ query: 'SELECT COUNT(*) AS n FROM games', defaultDataset: { projectId: PROJECT, datasetId: 'sports' } });
    assert.equal(withDefault[0].n, 5);
  });

  test('paging through getQueryResults with maxResults and pageToken', async () => {
    const [job] = await bigquery.createQueryJob({ query: 'SELECT game_id FROM `test-project.sports.games` ORDER BY game_id' });
    const seen: string[] = [];
    let options: Record<string, unknown> | null = { maxResults: 2, autoPaginate: false };
    let pages = 0;
    while (options) {
      const [rows, nextQuery, response] = (await (job as Job).getQueryResults(options)) as [Array<{ game_id: string }>, Record<string, unknown> | null, { totalRows?: string }];
      assert.equal(response.totalRows, '5');
      seen.push(...rows.map((r) => r.game_id));
      options = nextQuery ? { ...nextQuery, autoPaginate: false } : null;
      pages++;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, ['g1', 'g2', 'g3', 'g4', 'g5']);
    // query() pages on its own when jobs.query returned a first page only.
    const [all] = await bigquery.query({ query: 'SELECT game_id FROM sports.games', maxResults: 2 } as Query);
    assert.equal(all.length, 5);
  });

  test('SQL errors answer 400 invalidQuery with BigQuery-style messages', async () => {
    const syntax = await rejection(bigquery.query('SELEC game_id FROM sports.games'));
    assert.equal(syntax.code, 400);
    assert.match(syntax.message, /^Syntax error: Unexpected identifier "SELEC" at \[1:1\]/);
    assert.equal(syntax.errors?.[0]?.reason, 'invalidQuery');
    const column = await rejection(bigquery.query('SELECT nope FROM sports.games'));
    assert.equal(column.message, 'Unrecognized name: nope at [1:8]');
    const table = await rejection(bigquery.query('SELECT 1 FROM sports.missing'));
    assert.match(table.message, /^Not found: Table test-project:sports\.missing was not found/);
    assert.equal(table.code, 404);
    const parameter = await rejection(bigquery.query({ query: 'SELECT @absent', params: { present: 1 } }));
    assert.match(parameter.message, /Query parameter 'absent' not found/);
    const whereless = await rejection(bigquery.query('DELETE FROM sports.games'));
    assert.match(whereless.message, /DELETE must have a WHERE clause/);
  });

  test('tables.get: schema, numRows, and a streamingBuffer after insertAll until it drains', async () => {
    const table = bigquery.dataset('sports').table('streamed_boxscores');
    const [before] = await table.getMetadata();
    assert.deepEqual(before.schema.fields.map((f: TableField) => f.type), ['STRING', 'STRING', 'INTEGER']);
    assert.equal(before.numRows, '1', 'numRows leaves out the streaming buffer');
    assert.equal(before.streamingBuffer.estimatedRows, '2');
    // The emulator clock starts at NOW and keeps ticking, so the load happened a moment after NOW.
    const oldest = Number(before.streamingBuffer.oldestEntryTime) - (Date.parse(NOW) - 10 * 60_000);
    assert.ok(oldest >= 0 && oldest < 5_000, `oldestEntryTime is when the rows were streamed (off by ${oldest} ms)`);

    await table.insert([{ game_id: '20260125_BOS_MIA', player: 'd', points: 9 }]);
    const [afterInsert] = await table.getMetadata();
    assert.equal(afterInsert.streamingBuffer.estimatedRows, '3');
    assert.ok(Number(afterInsert.streamingBuffer.estimatedBytes) > 0);
    const [[{ n }]] = await bigquery.query('SELECT COUNT(*) AS n FROM sports.streamed_boxscores');
    assert.equal(n, 4, 'queries see buffered rows');

    await emulator.control('clock', { advanceMs: 91 * 60_000 });
    try {
      const [drained] = await table.getMetadata();
      assert.equal(drained.streamingBuffer, undefined);
      assert.equal(drained.numRows, '4');
    } finally {
      await emulator.control('clock', { now: NOW });
    }
  });

  test('DML over rows in the streaming buffer is refused; other rows change; the buffer drains', async () => {
    const refused = await rejection(bigquery.query("DELETE FROM sports.streamed_boxscores WHERE game_id = '20260124_CLE_ORL'"));
    assert.equal(refused.code, 400);
    assert.equal(refused.message, 'UPDATE or DELETE statement over table test-project.sports.streamed_boxscores would affect rows in the streaming buffer, which is not supported');
    const refusedUpdate = await rejection(bigquery.query("UPDATE sports.streamed_boxscores SET points = 0 WHERE player = 'b'"));
    assert.match(refusedUpdate.message, /would affect rows in the streaming buffer/);
    const refusedMerge = await rejection(
      bigquery.query(`MERGE sports.streamed_boxscores T USING (SELECT 'c' AS player, 30 AS points) S ON T.player = S.player
                      WHEN MATCHED THEN UPDATE SET points = S.points`),
    );
    assert.match(refusedMerge.message, /would affect rows in the streaming buffer/);

    const [job] = await bigquery.createQueryJob({ query: "UPDATE sports.streamed_boxscores SET points = points + 1 WHERE game_id = 'old'" });
    const [metadata] = await job.getMetadata();
    assert.equal(metadata.statistics.query.statementType, 'UPDATE');
    assert.equal(metadata.statistics.query.numDmlAffectedRows, '1');

    await emulator.control('clock', { advanceMs: 2 * 60 * 60_000 });
    try {
      const [, , response] = (await bigquery.query("DELETE FROM sports.streamed_boxscores WHERE game_id = '20260124_CLE_ORL'")) as unknown as [unknown, unknown, { numDmlAffectedRows?: string }];
      assert.equal(response.numDmlAffectedRows, '2');
    } finally {
      await emulator.control('clock', { now: NOW });
    }
  });

  test('MERGE updates, inserts and deletes like BigQuery, and refuses duplicate matches', async () => {
    await emulator.control('create-table', {
      table: `${PROJECT}.sports.standings`,
      schema: [
        { name: 'team', type: 'STRING' },
        { name: 'wins', type: 'INT64' },
        { name: 'updated_at', type: 'TIMESTAMP' },
      ],
      rows: [
        { team: 'CLE', wins: 30, updated_at: '2026-01-29T00:00:00Z' },
        { team: 'ORL', wins: 25, updated_at: '2026-01-29T00:00:00Z' },
        { team: 'OLD', wins: 1, updated_at: '2025-01-01T00:00:00Z' },
      ],
    });
    const [job] = await bigquery.createQueryJob({
      query: `MERGE \`test-project.sports.standings\` AS T
              USING (SELECT 'CLE' AS team, 31 AS wins UNION ALL SELECT 'BOS', 33) AS S
              ON T.team = S.team
              WHEN MATCHED THEN UPDATE SET wins = S.wins, updated_at = TIMESTAMP '2026-01-30 22:59:00'
              WHEN NOT MATCHED THEN INSERT (team, wins, updated_at) VALUES (S.team, S.wins, CURRENT_TIMESTAMP())
              WHEN NOT MATCHED BY SOURCE AND T.wins < 5 THEN DELETE`,
    });
    const [metadata] = await job.getMetadata();
    assert.equal(metadata.statistics.query.statementType, 'MERGE');
    assert.equal(metadata.statistics.query.numDmlAffectedRows, '3');
    assert.deepEqual(metadata.statistics.query.dmlStats, { insertedRowCount: '1', updatedRowCount: '1', deletedRowCount: '1' });
    const [rows] = await bigquery.query('SELECT team, wins, updated_at FROM sports.standings ORDER BY team');
    assert.deepEqual(
      rows.map((r: { team: string; wins: number; updated_at: { value: string } }) => [r.team, r.wins, r.updated_at.value.slice(0, 16)]),
      [
        ['BOS', 33, '2026-01-30T23:00'], // CURRENT_TIMESTAMP(): the emulator clock
        ['CLE', 31, '2026-01-30T22:59'],
        ['ORL', 25, '2026-01-29T00:00'],
      ],
    );
    const duplicate = await rejection(
      bigquery.query(`MERGE sports.standings T USING (SELECT 'CLE' AS team UNION ALL SELECT 'CLE') S ON T.team = S.team WHEN MATCHED THEN UPDATE SET wins = 0`),
    );
    assert.equal(duplicate.message, 'UPDATE/MERGE must match at most one source row for each target row');
  });

  test('insertAll: rows that do not fit the schema come back as insertErrors; insertIds de-duplicate', async () => {
    const table = bigquery.dataset('sports').table('games');
    const bad = await rejection(
      table.insert([
        { game_id: 'g6', points: 'many' },
        { game_id: 'g7', game_date: '2026-02-30' },
        { game_id: 'g8', unknown_column: 1 },
        { game_id: 'g9' },
      ]),
    );
    assert.equal(bad.name, 'PartialFailureError');
    const failures = (bad as unknown as { errors: Array<{ errors: Array<{ reason: string; message: string }>; row: { game_id: string } }> }).errors;
    assert.deepEqual(
      failures.map((f) => [f.row.game_id, f.errors[0]!.reason]),
      [['g6', 'invalid'], ['g7', 'invalid'], ['g8', 'invalid'], ['g9', 'stopped']],
    );
    assert.match(failures[2]!.errors[0]!.message, /no such field: unknown_column/);
    const [[{ n: unchanged }]] = await bigquery.query("SELECT COUNT(*) AS n FROM sports.games WHERE game_id IN ('g6','g7','g8','g9')");
    assert.equal(unchanged, 0, 'nothing is inserted when a row is invalid');

    const row = { insertId: 'same-id', json: { game_id: 'g10', points: 1 } };
    await table.insert([row, row], { raw: true });
    await table.insert([row], { raw: true });
    const [[{ n }]] = await bigquery.query("SELECT COUNT(*) AS n FROM sports.games WHERE game_id = 'g10'");
    assert.equal(n, 1);
  });

  test('faults: injected errors and latency on query, getTable and insertAll', async () => {
    await emulator.control('faults', { rules: [{ api: 'bigquery', operation: 'query', httpStatus: 503, message: 'backend is down', times: 1 }] });
    const unavailable = await rejection(bigquery.query('SELECT 1'));
    assert.equal(unavailable.code, 503);
    assert.equal(unavailable.message, 'backend is down');
    const [[{ ok }]] = await bigquery.query('SELECT TRUE AS ok');
    assert.equal(ok, true, 'the rule expired after one request');

    await emulator.control('faults', { rules: [{ api: 'bigquery', operation: 'getTable', httpStatus: 403, message: 'Access Denied: Table test-project:sports.games', times: 1 }] });
    const denied = await rejection(bigquery.dataset('sports').table('games').getMetadata());
    assert.equal(denied.code, 403);
    assert.equal(denied.errors?.[0]?.reason, 'accessDenied');

    await emulator.control('faults', { rules: [{ api: 'bigquery', operation: 'insertAll', latencyMs: 300, times: 1 }] });
    const started = Date.now();
    await bigquery.dataset('sports').table('games').insert([{ game_id: 'slow' }]);
    assert.ok(Date.now() - started >= 290, 'latency applied');
    await emulator.control('clear-faults');
  });

  test('datasets and tables: get, list, create through the client', async () => {
    const [datasets] = await bigquery.getDatasets();
    assert.deepEqual(datasets.map((d) => d.id), ['sports']);
    const [created] = await bigquery.dataset('sports').createTable('made_by_client', { schema: 'name:STRING, score:FLOAT, seen:TIMESTAMP' });
    await created.insert([{ name: 'x', score: 1.5, seen: bigquery.timestamp('2026-01-30T10:00:00Z') }]);
    const [[row]] = await bigquery.query('SELECT name, score, seen FROM sports.made_by_client');
    assert.equal(row.seen.value, '2026-01-30T10:00:00.000Z');
    const [tables] = await bigquery.dataset('sports').getTables();
    assert.ok(tables.map((t) => t.id).includes('made_by_client'));
    const [tableRows] = await created.getRows();
    assert.equal((tableRows[0] as { name: string }).name, 'x');
    const missing = await rejection(bigquery.dataset('nope').table('t').getMetadata());
    assert.equal(missing.code, 404);
  });

  test('control actions validate payloads and add rows (streamed or not)', async () => {
    const added = (await emulator.control('rows', {
      table: `${PROJECT}.sports.streamed_boxscores`,
      rows: [{ game_id: 'x', player: 'y', points: 5 }],
      streamed: true,
    })) as { inserted: number; streamingBuffer: { estimatedRows: number } | null };
    assert.equal(added.inserted, 1);
    assert.ok(added.streamingBuffer && added.streamingBuffer.estimatedRows >= 1);
    await assert.rejects(emulator.control('rows', { table: `${PROJECT}.sports.streamed_boxscores`, rows: [{ points: 'lots' }] }), (err: unknown) => {
      assert.ok(err instanceof ScenarioError);
      assert.equal(err.jsonPath, '$.rows[0].points');
      return true;
    });
    await assert.rejects(emulator.control('rows', { table: 'not-a-table', rows: [] }), /\$\.table: expected a table name/);
    const flushed = (await emulator.control('flush-streaming-buffer', { table: `${PROJECT}.sports.streamed_boxscores` })) as { flushedRows: number };
    assert.ok(flushed.flushedRows >= 1);
    const [metadata] = await bigquery.dataset('sports').table('streamed_boxscores').getMetadata();
    assert.equal(metadata.streamingBuffer, undefined);
  });
});

describe('BigQuery state and reset', () => {
  test('reset restores the loaded rows and forgets jobs; state shows tables and the streaming buffer', async () => {
    const emulator = await startEmulator({ scenario: { now: NOW, bigquery: GAMES_SECTION }, port: 0, modules: { logging: false } });
    try {
      const bigquery = client(emulator);
      await bigquery.query("DELETE FROM sports.games WHERE game_id = 'g1'");
      const [job] = await bigquery.createQueryJob({ query: 'SELECT 1' });
      const state = (await emulator.control('state')) as { bigquery: { datasets: Record<string, { tables: Record<string, { numRows: number; streamingBuffer: unknown }> }>; jobs: number } };
      assert.equal(state.bigquery.datasets[`${PROJECT}.sports`]!.tables.games!.numRows, 4);
      assert.ok(state.bigquery.datasets[`${PROJECT}.sports`]!.tables.streamed_boxscores!.streamingBuffer);
      assert.equal(state.bigquery.jobs, 2);

      await emulator.control('reset');
      const [[{ n }]] = await bigquery.query('SELECT COUNT(*) AS n FROM sports.games');
      assert.equal(n, 5);
      const gone = await rejection(job.getQueryResults());
      assert.equal(gone.code, 404);
      const badSchema = await rejection(bigquery.dataset('sports').createTable('broken', { schema: [{ name: 'x', type: 'GEOGRAPHY' }] }));
      assert.equal(badSchema.code, 400);
      assert.match(badSchema.message, /\$\.schema\.fields\[0\]\.type/);
    } finally {
      await emulator.close();
    }
  });
});

describe('BigQuery scenario validation', () => {
  test('a malformed bigquery section names the JSON path and what was expected', async () => {
    const attempt = (bigquery: unknown): Promise<RunningEmulator> => startEmulator({ scenario: { bigquery }, port: 0, modules: { logging: false } });
    await assert.rejects(attempt({ datasets: { nodot: {} } }), (err: unknown) => err instanceof ScenarioError && err.jsonPath === '$.bigquery.datasets.nodot');
    await assert.rejects(
      attempt({ datasets: { 'p.d': { tables: { t: { schema: [{ name: 'x', type: 'GEOGRAPHY' }] } } } } }),
      (err: unknown) => err instanceof ScenarioError && err.jsonPath === '$.bigquery.datasets["p.d"].tables.t.schema[0].type',
    );
    await assert.rejects(
      attempt({ datasets: { 'p.d': { tables: { t: { schema: [{ name: 'd', type: 'DATE' }], rows: [{ d: '2026-13-01' }] } } } } }),
      (err: unknown) => err instanceof ScenarioError && err.jsonPath === '$.bigquery.datasets["p.d"].tables.t.rows[0].d' && /DATE as "YYYY-MM-DD"/.test(err.message),
    );
  });
});

describe('demo BigQuery seed and grading backfill', () => {
  let emulator: RunningEmulator;
  let bigquery: BigQuery;
  const METRICS_SQL = `SELECT game_date, COUNT(*) AS graded, ROUND(AVG(absolute_error), 2) AS mae, ROUND(AVG(signed_error), 2) AS bias,
      ROUND(100 * SAFE_DIVIDE(COUNTIF(prediction_correct), COUNTIF(prediction_correct IS NOT NULL)), 1) AS accuracy
    FROM \`nba-props-platform.nba_predictions.prediction_accuracy\` WHERE system_id = 'catboost_v8' GROUP BY game_date ORDER BY game_date`;

  before(async () => {
    // With the Logging module: the backfill appends its log lines through POST /control/logs.
    emulator = await startEmulator({ scenario: { now: NOW, bigquery: buildDemoBigQuerySection(new Date(NOW)) }, port: 0 });
    bigquery = client(emulator, 'nba-props-platform');
  });
  after(async () => {
    await emulator?.close();
  });

  test("per-date graded count, MAE, bias and accuracy reproduce the handoff's table", async () => {
    const [rows] = await bigquery.query(METRICS_SQL);
    const actual = rows.map((r: { game_date: { value: string }; graded: number; mae: number; bias: number; accuracy: number }) => [r.game_date.value, r.graded, r.mae, r.bias, r.accuracy]);
    assert.deepEqual(actual, [
      ['2026-01-24', 22, 4.52, 0.16, 40.0],
      ['2026-01-25', 99, 5.45, 1.14, 58.9],
      ['2026-01-26', 118, 5.59, 0.23, 55.3],
      ['2026-01-27', 105, 6.12, 0.19, 45.9],
      ['2026-01-28', 145, 5.55, -0.15, 45.0],
      ['2026-01-29', 90, 5.31, -0.42, 50.0],
    ]);
    assert.equal(DEMO_GRADING_DAYS.length, 6);
    // The handoff's Total row averages the per-date metrics of Jan 24-28.
    const [[total]] = await bigquery.query({
      query: `SELECT SUM(graded) AS graded, ROUND(AVG(mae), 2) AS mae, ROUND(AVG(bias), 2) AS bias, ROUND(AVG(accuracy), 1) AS accuracy
              FROM (${METRICS_SQL.replace('GROUP BY', 'AND game_date BETWEEN @first AND @last GROUP BY').replace(/ROUND\(/g, 'ROUND(')})`,
      params: { first: bigquery.date(BACKFILLED_DATES[0]), last: bigquery.date(BACKFILLED_DATES[BACKFILLED_DATES.length - 1]!) },
    });
    assert.deepEqual([total.graded, total.mae, total.bias, total.accuracy], [489, 5.45, 0.31, 49.0]);
  });

  test("player_prop_predictions has the handoff's per-date predictions and players", async () => {
    const [rows] = await bigquery.query('SELECT game_date, COUNT(*) AS predictions, COUNT(DISTINCT player_lookup) AS players FROM nba_predictions.player_prop_predictions GROUP BY game_date ORDER BY game_date');
    const byDate = Object.fromEntries(rows.map((r: { game_date: { value: string }; predictions: number; players: number }) => [r.game_date.value, { predictions: r.predictions, players: r.players }]));
    assert.deepEqual(byDate, DEMO_PREDICTION_COUNTS);
    assert.equal(byDate['2026-01-28'].predictions, 2816);
    assert.equal(byDate['2026-01-27'].players, 236);
    const [boxscores] = await bigquery.dataset('nba_raw').table('bdl_player_boxscores').getMetadata();
    assert.equal(boxscores.streamingBuffer.estimatedRows, '34');
  });

  test('grading-backfill.mjs grades, streams, prints the table, and hits the streaming buffer on a re-run', async () => {
    await emulator.control('load', {
      now: NOW,
      bigquery: buildDemoBigQuerySection(new Date(NOW), undefined, { includeBackfilledGrades: false }),
    });
    const env = { ...process.env, CLOUD_RUN_DRIFT_EMULATOR: emulator.httpUrl };
    const args = [BACKFILL_SCRIPT, '--start-date', '2026-01-24', '--end-date', '2026-01-28'];
    const first = await run(process.execPath, args, { env });
    assert.match(first.stdout, /2026-01-24: graded 22 \| MAE 4\.52 \| bias 0\.16 \| accuracy 40\.0%/);
    assert.match(first.stdout, /\| Jan 28 \| 145 \| 5\.55 \| -0\.15 \| 45\.0% \|/);
    assert.match(first.stdout, /\| \*\*Total\*\* \| \*\*489\*\* \| \*\*5\.45\*\* \| \*\*0\.31\*\* \| \*\*49\.0%\*\* \|/);
    const [rows] = await bigquery.query(METRICS_SQL);
    assert.equal(rows.length, 6);
    const [metadata] = await bigquery.dataset('nba_predictions').table('prediction_accuracy').getMetadata();
    assert.equal(metadata.streamingBuffer.estimatedRows, '489', 'the graded rows were streamed');
    const logged = JSON.stringify(await emulator.control('state'));
    assert.match(logged, /Graded 22 predictions for 2026-01-24: MAE 4\.52, bias 0\.16, accuracy 40\.0%/);
    assert.match(logged, /prediction-coordinator/);

    const second = await rejection(run(process.execPath, args, { env }));
    const failed = second as unknown as { code: number; stdout: string };
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /WARNING: 2026-01-24 has 489 recent rows in streaming buffer/);
  });

  test('grading-backfill.mjs rejects bad dates with exit code 2', async () => {
    const failed = (await rejection(run(process.execPath, [BACKFILL_SCRIPT, '--start-date', '2026-01-32', '--end-date', '2026-01-28'], { env: { ...process.env, CLOUD_RUN_DRIFT_EMULATOR: emulator.httpUrl } }))) as unknown as {
      code: number;
      stderr: string;
    };
    assert.equal(failed.code, 2);
    assert.match(failed.stderr, /--start-date must be a real date as YYYY-MM-DD, got "2026-01-32"/);
  });
});
