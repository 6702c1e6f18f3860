// A query's rows as a plain-text table (the CLI's scoreboard): numbers right-aligned, null as "-",
// and the totals row, when there is one, under a rule of its own.
import { terminalSafe } from '../text/terminalText';
import type { Cell, QueryTable } from './bigquery';

/** A query's rows, with the totals row when the scoreboard has one. */
export type ShownTable = QueryTable & { totals?: Cell[] | null };

function cellText(cell: Cell): string {
  if (cell === null) return '-';
  return String(cell);
}

/** Digits after the point for a column of numbers: as many as its most precise value has (at most 6), so 40 and 58.9 line up as 40.0 and 58.9. */
function columnDecimals(values: readonly Cell[]): number {
  let decimals = 0;
  for (const value of values) {
    if (typeof value !== 'number' || Number.isInteger(value) || !Number.isFinite(value)) continue;
    decimals = Math.max(decimals, Math.min(6, (String(value).split('.')[1] ?? '').length));
  }
  return decimals;
}

function numberText(cell: Cell, decimals: number): string {
  return typeof cell === 'number' && Number.isFinite(cell) ? cell.toFixed(decimals) : cellText(cell);
}

/** Every cell as text, numbers with their column's decimals: what the CLI and the scoreboard view show. */
export function cellTexts(table: QueryTable): string[][] {
  const decimals = table.columns.map((_, i) => columnDecimals(table.rows.map((row) => row[i]!)));
  return table.rows.map((row) => row.map((cell, i) => numberText(cell, decimals[i]!)));
}

/**
 * The totals row as text, with the decimals of its column's rows: a weighted mean such as 5.6155… shows
 * as 5.62 beside daily figures of two decimals. A fraction in a column of whole numbers gets two.
 */
export function totalsTexts(table: QueryTable, totals: readonly Cell[]): string[] {
  return table.columns.map((_, i) => {
    const cell = totals[i] ?? null;
    const decimals = columnDecimals(table.rows.map((row) => row[i]!));
    return numberText(cell, decimals === 0 && typeof cell === 'number' && !Number.isInteger(cell) ? 2 : decimals);
  });
}

/** Columns whose every value is a number (or NULL): right-aligned. */
export function numericColumns(table: QueryTable): boolean[] {
  return table.columns.map((_, i) => table.rows.length > 0 && table.rows.every((row) => row[i] === null || typeof row[i] === 'number'));
}

/**
 * The table for a terminal. Cells and column names are escaped here already (../text/terminalText.ts), so
 * that columns line up as shown: a control character takes four columns written as \x1b, not zero.
 */
export function formatQueryTable(table: ShownTable): string {
  if (table.columns.length === 0) return '(no rows)';
  const columns = table.columns.map(terminalSafe);
  const texts = cellTexts(table).map((row) => row.map(terminalSafe));
  const totals = table.totals ? totalsTexts(table, table.totals).map(terminalSafe) : null;
  const all = totals ? [...texts, totals] : texts;
  const widths = columns.map((column, i) => Math.max(column.length, ...all.map((row) => row[i]!.length)));
  const numeric = numericColumns(table);
  const line = (cells: string[]): string => cells.map((text, i) => (numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(columns), rule, ...texts.map(line), ...(totals ? [rule, line(totals)] : [])].join('\n');
}
