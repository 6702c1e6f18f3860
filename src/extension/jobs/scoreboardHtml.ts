// The scoreboard webview's whole page: the range picker (Refresh, Export CSV), the chart, the table with
// its Total row, and, after a job run, the change from the read taken just before it. Every text is
// escaped; the content security policy loads the stylesheet and the one script (media/scoreboard/) from
// the extension and runs only the script carrying this page's nonce, so a cell holding markup stays text.
// No vscode import: unit-tested as a string.
import type { Cell } from '../../core/jobs/bigquery';
import { compareScoreboards, type ChangeRow } from '../../core/jobs/scoreboardChange';
import { cellTexts, numericColumns, totalsTexts } from '../../core/jobs/table';
import type { Scoreboard } from '../../core/jobs/totals';
import { escapeHtml, webviewPageStart } from '../platform/html';
import { scoreboardChartSvg } from './scoreboardChart';

/** One read of the scoreboard: its rows, or BigQuery's message when the query failed. */
export type ScoreboardRead = { kind: 'read'; board: Scoreboard; readAt: Date } | { kind: 'failed'; error: string; readAt: Date };

export interface ScoreboardPage {
  /** `Scoreboard: <job>`: the heading and the document title. */
  title: string;
  /** The range read (YYYY-MM-DD, inclusive). */
  range: { start: string; end: string };
  /** What the picker shows (a refused range stays as typed); default `range`. */
  picker?: { start: string; end: string };
  /** The read shown: after the run when `before` is given. */
  current: ScoreboardRead;
  /** The read taken just before a job run started: each row and the totals then show their change. */
  before?: ScoreboardRead;
  /** A one-line message under the picker (a refused range, an export problem). */
  notice?: string;
  /** The webview's `cspSource`, and media/scoreboard/scoreboard.css and .js as webview URIs. */
  cspSource: string;
  styleUri: string;
  scriptUri: string;
  /** A fresh newNonce() per page. */
  nonce: string;
}

export function scoreboardHtml(page: ScoreboardPage): string {
  const nonce = escapeHtml(page.nonce);
  const picker = page.picker ?? page.range;
  return `${webviewPageStart(page)}
<h1>${escapeHtml(page.title)}</h1>
<form id="range" aria-label="Date range">
  <label>From <input id="start" name="start" type="date" required value="${escapeHtml(picker.start)}"></label>
  <label>To <input id="end" name="end" type="date" required value="${escapeHtml(picker.end)}"></label>
  <button id="refresh" type="submit">Refresh</button>
  <button id="export" type="button"${page.current.kind === 'read' ? '' : ' disabled'}>Export CSV</button>
  <span id="busy" role="status"></span>
</form>
${page.notice ? `<p class="notice" role="alert">${escapeHtml(page.notice)}</p>\n` : ''}<p class="subtitle">${escapeHtml(subtitle(page))}</p>
${body(page)}
<script nonce="${nonce}" src="${escapeHtml(page.scriptUri)}"></script>
</body>
</html>`;
}

function utcTime(date: Date): string {
  return date.toISOString().slice(11, 19);
}

function subtitle(page: ScoreboardPage): string {
  const range = `${page.range.start} to ${page.range.end}`;
  const { current, before } = page;
  const rows = current.kind === 'read' ? ` · ${current.board.rows.length} row${current.board.rows.length === 1 ? '' : 's'}` : '';
  if (before) return `${range}${rows} · before the run: read ${utcTime(before.readAt)} UTC · after: read ${utcTime(current.readAt)} UTC`;
  return `${range}${rows} · read ${utcTime(current.readAt)} UTC`;
}

function body(page: ScoreboardPage): string {
  const { current, before } = page;
  if (current.kind === 'failed') return `<div class="error" role="alert"><p>The scoreboard query failed:</p><pre>${escapeHtml(current.error)}</pre></div>`;
  const board = current.board;
  const parts: string[] = [];
  if (before?.kind === 'failed') parts.push(`<p class="notice">The scoreboard could not be read before the run (${escapeHtml(before.error)}), so no change is shown.</p>`);
  if (board.totalsProblems.length > 0) {
    parts.push(`<div class="problems" role="alert"><p>Some totals could not be computed (jobs.*.totals):</p><ul>${board.totalsProblems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul></div>`);
  }
  if (board.columns.length === 0) {
    parts.push('<p class="empty">No rows for this range.</p>');
    return parts.join('\n');
  }
  const previous = before?.kind === 'read' ? before.board : null;
  const chart = scoreboardChartSvg(board, previous);
  if (chart) parts.push(`<figure class="chart-box">${chart}</figure>`);
  parts.push(previous ? changeTable(previous, board) : plainTable(board));
  return parts.join('\n');
}

function headRow(board: Scoreboard, numeric: boolean[]): string {
  return `<thead><tr>${board.columns.map((column, i) => `<th${numeric[i] ? ' class="num"' : ''} scope="col">${escapeHtml(column)}</th>`).join('')}</tr></thead>`;
}

function totalsSource(board: Scoreboard): string {
  return board.totalsSource === 'query' ? 'the query’s ROLLUP row' : 'computed over the rows by jobs.*.totals';
}

function plainTable(board: Scoreboard): string {
  const numeric = numericColumns(board);
  const body = cellTexts(board)
    .map((row) => `<tr>${row.map((text, i) => `<td${numeric[i] ? ' class="num"' : ''}>${escapeHtml(text)}</td>`).join('')}</tr>`)
    .join('\n');
  const foot = board.totals
    ? `<tfoot><tr class="total" title="${escapeHtml(totalsSource(board))}">${totalsTexts(board, board.totals).map((text, i) => (i === 0 ? `<th scope="row">${escapeHtml(text)}</th>` : `<td${numeric[i] ? ' class="num"' : ''}>${escapeHtml(text)}</td>`)).join('')}</tr></tfoot>`
    : '';
  return `<table>${headRow(board, numeric)}<tbody>\n${body}\n</tbody>${foot}</table>`;
}

/** The after read's cells, each numeric one with its change from the before read. */
function changeTable(before: Scoreboard, after: Scoreboard): string {
  const change = compareScoreboards(before, after);
  const numeric = numericColumns(after.rows.length > 0 ? after : before);
  // The after read's formatting, so 5.6 and 5.62 line up; rows only the before read had use its own.
  const afterTexts = new Map(cellTexts(after).map((texts, i) => [String(after.rows[i]![0] ?? ''), texts]));
  const decimals = after.columns.map((_, i) => Math.max(0, ...[...afterTexts.values()].map((texts) => (texts[i]!.split('.')[1] ?? '').length)));
  const row = (entry: ChangeRow, texts: string[] | undefined, total: boolean): string => {
    const cells = change.columns.map((_, i) => {
      const text = texts?.[i] ?? (i === 0 ? entry.key : cellTextOf(entry.after?.[i] ?? null));
      if (i === 0) return total ? `<th scope="row">${escapeHtml(text)}</th>` : `<td>${escapeHtml(text)}</td>`;
      return `<td${numeric[i] ? ' class="num"' : ''}>${escapeHtml(entry.after ? text : '-')}${numeric[i] ? deltaSpan(entry, i, decimals[i]!) : ''}</td>`;
    });
    return `<tr${total ? ` class="total" title="${escapeHtml(totalsSource(after))}"` : ''}>${cells.join('')}</tr>`;
  };
  const body = change.rows.map((entry) => row(entry, afterTexts.get(entry.key), false)).join('\n');
  const foot = change.totals ? `<tfoot>${row(change.totals, after.totals ? totalsTexts(after, after.totals) : undefined, true)}</tfoot>` : '';
  return `<p class="legend">Each figure is after the run; in parentheses, its change from just before it (new: the row was not there before).</p>
<table class="change">${headRow(after, numeric)}<tbody>\n${body}\n</tbody>${foot}</table>`;
}

function deltaSpan(entry: ChangeRow, column: number, decimals: number): string {
  if (!entry.before) return ' <span class="delta new">(new)</span>';
  if (!entry.after) return ' <span class="delta gone">(removed)</span>';
  const value = entry.change[column];
  if (value === null || value === undefined) return '';
  const text = value.toFixed(decimals);
  if (Number(text) === 0) return ' <span class="delta same">(±0)</span>';
  return ` <span class="delta ${value > 0 ? 'up' : 'down'}">(${value > 0 ? '+' : '−'}${escapeHtml(Math.abs(value).toFixed(decimals))})</span>`;
}

function cellTextOf(cell: Cell): string {
  return cell === null ? '-' : String(cell);
}
