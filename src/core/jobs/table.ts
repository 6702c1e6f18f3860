// A query's rows as a plain-text table (the CLI's scoreboard): numbers right-aligned, null as "-".
import { terminalSafe } from '../terminalText';
import type { Cell, QueryTable } from './bigquery';

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

/** Every cell as text, numbers with their column's decimals: what the CLI and the scoreboard view show. */
export function cellTexts(table: QueryTable): string[][] {
  const decimals = table.columns.map((_, i) => columnDecimals(table.rows.map((row) => row[i]!)));
  return table.rows.map((row) => row.map((cell, i) => (typeof cell === 'number' && Number.isFinite(cell) ? cell.toFixed(decimals[i]) : cellText(cell))));
}

/** Columns whose every value is a number (or NULL): right-aligned. */
export function numericColumns(table: QueryTable): boolean[] {
  return table.columns.map((_, i) => table.rows.length > 0 && table.rows.every((row) => row[i] === null || typeof row[i] === 'number'));
}

/**
 * The table for a terminal. Cells and column names are escaped here already (terminalText.ts), so
 * that columns line up as shown: a control character takes four columns written as \x1b, not zero.
 */
export function formatQueryTable(table: QueryTable): string {
  if (table.columns.length === 0) return '(no rows)';
  const columns = table.columns.map(terminalSafe);
  const texts = cellTexts(table).map((row) => row.map(terminalSafe));
  const widths = columns.map((column, i) => Math.max(column.length, ...texts.map((row) => row[i]!.length)));
  const numeric = numericColumns(table);
  const line = (cells: string[]): string => cells.map((text, i) => (numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...texts.map(line)].join('\n');
}
