// A scoreboard as CSV (RFC 4180): the Export CSV button and `cloud-run-drift scoreboard --csv`.
//
// API (no vscode import):
//
//   scoreboardCsv(table, newline?) → the header, one line per row, and the totals row last (labeled Total);
//                                    every line ends with `newline` (default CRLF, as RFC 4180 has it; the
//                                    CLI writes LF). NULL is an empty field; numbers are written as the
//                                    query returned them, the computed totals with their column's decimals.
//                                    Text a spreadsheet would read as a formula gets a leading ' (formulaSafe).
//   csvField(text)                 → one field, quoted as RFC 4180 needs
//   formulaSafe(cell, text)        → the text of a cell as a spreadsheet may open it
import type { Cell } from './bigquery';
import { PLAIN_NUMBER } from './decimal';
import { totalsTexts, type ShownTable } from './table';

/** One field: quoted when it holds a comma, a quote, a line break or edge spaces; quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** What spreadsheet apps read as the start of a formula (OWASP, CSV Injection): = + - @, a tab, a carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;


/**
 * A cell's text as a spreadsheet may open it: text that would start a formula gets a leading single
 * quote, which spreadsheet apps take as "this is text" (OWASP's advice against CSV injection). Numbers
 * are never altered: a number cell, and text that is a plain number (the client's INT64 and NUMERIC
 * values, a negative bias such as -0.29), are written as they are. The query's schema types are not
 * at hand here, so a number is told by its type or its text.
 */
export function formulaSafe(cell: Cell, text: string): string {
  if (typeof cell !== 'string' || !FORMULA_START.test(text) || PLAIN_NUMBER.test(text)) return text;
  return `'${text}`;
}

function rawText(cell: Cell): string {
  if (cell === null) return '';
  return String(cell);
}

export function scoreboardCsv(table: ShownTable, newline: '\r\n' | '\n' = '\r\n'): string {
  const lines = [table.columns.map((column) => formulaSafe(column, column)), ...table.rows.map((row) => row.map((cell) => formulaSafe(cell, rawText(cell))))];
  if (table.totals) {
    const texts = totalsTexts(table, table.totals);
    lines.push(table.totals.map((cell, i) => (cell === null ? '' : formulaSafe(cell, texts[i]!))));
  }
  return lines.map((cells) => `${cells.map(csvField).join(',')}${newline}`).join('');
}
