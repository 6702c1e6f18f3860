// The log view's page (media/logs/ draws into it): the controls, the toolbar, the histogram, the rows and the status
// line, under a content security policy that loads nothing from outside the extension and runs only the script that
// carries this page's nonce. The title is escaped; everything else the page shows is set as text by logs.js.
// No vscode import: unit-tested as a string.
import { randomBytes } from 'node:crypto';
import { escapeHtml, webviewPageStart } from '../platform/html';
import { QUERY_LIMITS } from './logQuery';
import { MAX_SEARCH } from './messages';

export interface LogViewPage {
  /** The panel's title (`Logs: <stream>`): the document title, which tests find the view by. */
  title: string;
  /** The webview's `cspSource`: where the stylesheet and fonts may come from. */
  cspSource: string;
  /** media/logs/logs.js and logs.css as webview URIs. */
  scriptUri: string;
  styleUri: string;
  /** A fresh newNonce() per page. */
  nonce: string;
}

/** 128 random bits, base64 (a CSP nonce must not be guessable by content the page shows). */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export function logViewHtml(page: LogViewPage): string {
  const nonce = escapeHtml(page.nonce);
  return `${webviewPageStart({ ...page, fonts: true })}
<form id="controls" aria-label="Which entries">
  <label>Filter <select id="preset"><option value="">All entries</option></select></label>
  <label>Severity <select id="severity"><option value="">Any</option></select></label>
  <input id="text" type="text" maxlength="${QUERY_LIMITS.text}" placeholder="Text in the message" aria-label="Text in the message (restarts the stream)">
  <input id="raw" type="text" maxlength="${QUERY_LIMITS.raw}" placeholder="Logging query, e.g. jsonPayload.event_type=&quot;MERGE&quot;" aria-label="Logging query (restarts the stream)">
  <label>From <select id="window"><option value="custom">Custom start…</option></select></label>
  <input id="since" type="text" maxlength="${QUERY_LIMITS.window}" placeholder="90m, 2d or 2026-01-30T22:59:00Z" aria-label="Custom start" hidden>
  <button type="submit">Apply</button>
  <div id="query-error" role="alert" hidden></div>
</form>
<div id="toolbar">
  <input id="search" type="search" maxlength="${MAX_SEARCH}" placeholder="Search the entries held" aria-label="Search">
  <button id="pause" type="button">Pause</button>
  <button id="clear" type="button">Clear</button>
  <button id="stop" type="button">Stop</button>
  <button id="export-log" type="button">Export .log</button>
  <button id="export-jsonl" type="button">Export .jsonl</button>
</div>
<div id="histogram" role="group" aria-label="Entries over time (click a bar to show its entries)"></div>
<div id="histogram-caption"></div>
<div id="note-bar"><div id="note" hidden></div><button id="live" type="button" hidden>Back to live</button></div>
<div id="rows" role="log" aria-live="off"></div>
<div id="status">starting…</div>
<script nonce="${nonce}" src="${escapeHtml(page.scriptUri)}"></script>
</body>
</html>`;
}
