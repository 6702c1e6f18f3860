// A scoreboard as CSV (RFC 4180): the Export CSV button and `cloud-run-drift scoreboard --csv`.
//
// API (no vscode import):
//
//   scoreboardCsv(table, newline?) → the header, one line per row, and the totals row last (labeled Total);
//                                    every line ends with `newline` (default CRLF, as RFC 4180 has it; the
//                                    CLI writes LF). NULL is an empty field; numbers are written as the
//                                    query returned them, the computed totals with their column's decimals.
import type { Cell } from './bigquery';
import { totalsTexts, type ShownTable } from './table';

/** One field: quoted when it holds a comma, a quote, a line break or edge spaces; quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function rawText(cell: Cell): string {
  if (cell === null) return '';
  return String(cell);
}

export function scoreboardCsv(table: ShownTable, newline: '\r\n' | '\n' = '\r\n'): string {
  const lines = [table.columns, ...table.rows.map((row) => row.map(rawText))];
  if (table.totals) {
    const texts = totalsTexts(table, table.totals);
    lines.push(table.totals.map((cell, i) => (cell === null ? '' : texts[i]!)));
  }
  return lines.map((cells) => `${cells.map(csvField).join(',')}${newline}`).join('');
}
