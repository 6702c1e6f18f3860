// Two reads of one scoreboard range, before a job run and after it: the change per row and in the totals.
//
// API (no vscode import):
//
//   compareScoreboards(before, after)  → ScoreboardChange: every row of either read (matched by its first
//                                        cell, e.g. the date), both reads' cells and after − before per
//                                        numeric column (numbers as text included); the same for the totals rows.
import type { Cell } from './bigquery';
import { decimalDifference, isNumberCell } from './decimal';
import type { Scoreboard } from './totals';

export interface ChangeRow {
  /** The first cell as text: what rows are matched by. */
  key: string;
  /** The row as read before the run (aligned with the change's columns), or null when it had none. */
  before: Cell[] | null;
  after: Cell[] | null;
  /** after − before for each column where both are numbers or numbers as text (rounded to their decimals, at most 6), else null. */
  change: Array<number | null>;
}

export interface ScoreboardChange {
  /** The after read's columns. */
  columns: string[];
  rows: ChangeRow[];
  /** Null when neither read has a totals row. */
  totals: ChangeRow | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function compareScoreboards(before: Scoreboard, after: Scoreboard): ScoreboardChange {
  const columns = after.columns.length > 0 ? after.columns : before.columns;
  // The before read's cells in the after read's column order (a column it lacks reads as NULL).
  const beforeIndex = columns.map((column) => before.columns.indexOf(column));
  const align = (row: Cell[]): Cell[] => beforeIndex.map((index) => (index < 0 ? null : (row[index] ?? null)));
  const afterAligned = (row: Cell[]): Cell[] => (after.columns.length > 0 ? row : align(row));
  const keyOf = (row: Cell[]): string => String(row[0] ?? '');

  const beforeRows = new Map(before.rows.map((row) => [keyOf(row), align(row)]));
  const rows: ChangeRow[] = after.rows.map((row) => {
    const key = keyOf(row);
    const previous = beforeRows.get(key) ?? null;
    beforeRows.delete(key);
    return changeRow(key, previous, afterAligned(row));
  });
  for (const [key, row] of beforeRows) rows.push(changeRow(key, row, null));
  if (rows.every((row) => DATE.test(row.key))) rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const totals = before.totals || after.totals ? changeRow(String((after.totals ?? before.totals)![0] ?? ''), before.totals ? align(before.totals) : null, after.totals ? afterAligned(after.totals) : null) : null;
  return { columns, rows, totals };
}

function changeRow(key: string, before: Cell[] | null, after: Cell[] | null): ChangeRow {
  const width = (after ?? before ?? []).length;
  const change = Array.from({ length: width }, (_, i) => {
    if (i === 0) return null;
    const a = after?.[i];
    const b = before?.[i];
    if (!isNumberCell(a) || !isNumberCell(b)) return null;
    if (typeof a === 'string' || typeof b === 'string') {
      // NUMERIC and BIGNUMERIC, as text: subtracted exactly, then shown as a number.
      const { text, decimals } = decimalDifference(a, b);
      return Number(Number(text).toFixed(Math.min(6, decimals)));
    }
    const decimals = Math.min(6, Math.max(decimalsOf(a), decimalsOf(b)));
    return Number((a - b).toFixed(decimals));
  });
  return { key, before, after, change };
}

function decimalsOf(value: number): number {
  return Number.isInteger(value) ? 0 : (String(value).split('.')[1] ?? '').length;
}
