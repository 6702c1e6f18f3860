// A scoreboard's totals row, computed over the underlying rows rather than by averaging daily figures.
//
// API (no vscode import):
//
//   scoreboardOf(table, sql, rules?)         → Scoreboard: the rows, and the totals row when there is one
//   computeTotals(table, rules)              → the totals row and the problems met (a missing or non-numeric column)
//
// Two ways to a totals row:
//   - the query returns it: with GROUP BY ROLLUP(game_date), BigQuery adds a row whose game_date is NULL,
//     aggregated over every underlying row. That row is taken out of the rows and becomes the totals.
//   - the configuration names how each column totals ("totals": {"graded": "sum", "mae": {"weightedBy":
//     "graded"}}). "sum", "min" and "max" are exact. A weighted mean is exact when the weight counts the
//     rows the daily figure averages over (MAE over graded predictions, weighted by graded) and the daily
//     figures are not rounded; otherwise it is off by the rounding (at most half the last digit shown)
//     or, with the wrong weight, by more. Columns without a rule stay empty in the totals row.
import type { TotalsRules } from '../config';
import type { Cell, QueryTable } from './bigquery';
import { compareDecimals, decimalSum, isNumberCell } from './decimal';
import { usesRollup } from './rollup';

export interface Scoreboard extends QueryTable {
  /** The totals row (its first cell "Total"), aligned with `columns`; null when there is none. */
  totals: Cell[] | null;
  /** Where the totals come from: the query's ROLLUP row, or the configured rules. */
  totalsSource: 'query' | 'config' | null;
  /** Why a configured total could not be computed (one line each, naming the column). */
  totalsProblems: string[];
}

export const TOTAL_LABEL = 'Total';

export function scoreboardOf(table: QueryTable, sql: string, rules?: TotalsRules): Scoreboard {
  if (usesRollup(sql) && table.columns.length > 0) {
    // The rolled-up rows carry NULL in the grouping column; with ROLLUP(date) there is one, the grand total.
    const isTotal = (row: Cell[]): boolean => row[0] === null;
    const totalRows = table.rows.filter(isTotal);
    if (totalRows.length > 0) {
      const total = totalRows[totalRows.length - 1]!;
      return { columns: table.columns, rows: table.rows.filter((row) => !isTotal(row)), totals: [TOTAL_LABEL, ...total.slice(1)], totalsSource: 'query', totalsProblems: [] };
    }
    return { ...table, totals: null, totalsSource: null, totalsProblems: [] };
  }
  if (rules && Object.keys(rules).length > 0 && table.columns.length > 0) {
    const { totals, problems } = computeTotals(table, rules);
    return { ...table, totals, totalsSource: 'config', totalsProblems: problems };
  }
  return { ...table, totals: null, totalsSource: null, totalsProblems: [] };
}

export function computeTotals(table: QueryTable, rules: TotalsRules): { totals: Cell[]; problems: string[] } {
  const problems: string[] = [];
  const indexOf = (name: string): number => table.columns.findIndex((column) => column.toLowerCase() === name.toLowerCase());
  // A number cell, or a number as text (NUMERIC and BIGNUMERIC come as text: exact beyond a number's 15 digits).
  const numbers = (index: number, name: string): Array<number | string | null> | null => {
    const values = table.rows.map((row) => row[index] ?? null);
    if (values.some((value) => value !== null && !isNumberCell(value))) {
      problems.push(`${name}: the column holds values that are not numbers`);
      return null;
    }
    return values as Array<number | string | null>;
  };
  const totals: Cell[] = table.columns.map(() => null);
  totals[0] = TOTAL_LABEL;
  for (const [name, rule] of Object.entries(rules)) {
    const index = indexOf(name);
    if (index < 0) {
      problems.push(`${name}: the query returns no such column (columns: ${table.columns.join(', ')})`);
      continue;
    }
    if (index === 0) {
      problems.push(`${name}: the first column labels the rows; it holds "${TOTAL_LABEL}" in the totals row`);
      continue;
    }
    const values = numbers(index, name);
    if (!values) continue;
    const present = values.filter((value): value is number | string => value !== null);
    if (typeof rule === 'string') {
      if (present.length === 0) continue;
      totals[index] = exactTotal(rule, present);
      continue;
    }
    const weightIndex = indexOf(rule.weightedBy);
    if (weightIndex < 0) {
      problems.push(`${name}: weightedBy names "${rule.weightedBy}", which the query does not return (columns: ${table.columns.join(', ')})`);
      continue;
    }
    const weights = numbers(weightIndex, rule.weightedBy);
    if (!weights) continue;
    let weighted = 0;
    let weightSum = 0;
    // A mean is not exact anyway (see the top of this file): text numbers are taken as numbers.
    values.forEach((value, row) => {
      const weight = weights[row];
      if (value === null || weight === null || weight === undefined) return;
      weighted += Number(value) * Number(weight);
      weightSum += Number(weight);
    });
    totals[index] = weightSum === 0 ? null : weighted / weightSum;
  }
  return { totals, problems };
}

/** sum, min or max of numbers, as numbers; with a number as text among them, exact (a sum as text, min and max the value itself). */
function exactTotal(rule: 'sum' | 'min' | 'max', values: readonly (number | string)[]): number | string {
  if (values.every((value): value is number => typeof value === 'number')) {
    return rule === 'sum' ? values.reduce((sum, value) => sum + value, 0) : rule === 'min' ? Math.min(...values) : Math.max(...values);
  }
  if (rule === 'sum') return decimalSum(values);
  const sign = rule === 'min' ? -1 : 1;
  return values.reduce((best, value) => (compareDecimals(value, best) * sign > 0 ? value : best));
}
