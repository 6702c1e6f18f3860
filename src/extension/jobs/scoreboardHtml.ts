// The scoreboard webview's whole page: a static table, no script. Every text is escaped, and the
// content security policy allows nothing but the inline style, so a cell holding markup stays text.
// No vscode import: unit-tested as a string.
import type { QueryTable } from '../../core/jobs/bigquery';
import { cellTexts, numericColumns } from '../../core/jobs/table';
import { escapeHtml } from '../platform/html';

export interface ScoreboardPage {
  title: string;
  /** One line under the title: the range and when it was read. */
  subtitle: string;
  table: QueryTable;
}

export function scoreboardHtml(page: ScoreboardPage): string {
  const { columns } = page.table;
  const numeric = numericColumns(page.table);
  const head = columns.map((column, i) => `<th${numeric[i] ? ' class="num"' : ''} scope="col">${escapeHtml(column)}</th>`).join('');
  const body = cellTexts(page.table)
    .map((row) => `<tr>${row.map((text, i) => `<td${numeric[i] ? ' class="num"' : ''}>${escapeHtml(text)}</td>`).join('')}</tr>`)
    .join('\n');
  const table = columns.length === 0 ? '<p class="empty">No rows for this range.</p>' : `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<title>${escapeHtml(page.title)}</title>
<style>
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px 16px; }
  h1 { font-size: 1.2em; font-weight: 600; margin: 16px 0 2px; }
  .subtitle { color: var(--vscode-descriptionForeground); margin: 0 0 12px; }
  table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th, td { padding: 3px 12px; text-align: left; border-bottom: 1px solid var(--vscode-editorWidget-border, rgba(128,128,128,.35)); }
  th { font-weight: 600; }
  .num { text-align: right; }
  .empty { color: var(--vscode-descriptionForeground); }
</style>
</head>
<body>
<h1>${escapeHtml(page.title)}</h1>
<p class="subtitle">${escapeHtml(page.subtitle)}</p>
${table}
</body>
</html>`;
}
