// The messages between the log panel (extension host) and its webview (media/logs/logs.js). Plain data only;
// no vscode import. Everything the webview shows is inserted as text there (log text is untrusted).
import { EXECUTION_NAME_LABEL, type LogBufferStatus, type LogEntry } from '../../core/logs';
import { queryFields, type LogViewQuery, type QueryFields } from './logQuery';
import { stackTraceLinks, type TextLink } from './stackLinks';

export interface WebviewRow {
  seq: number;
  /** The entry's own timestamp. */
  timestamp: string;
  severity: string;
  /** The revision that wrote it; for a Cloud Run job's entry, its execution. */
  revision: string;
  service: string;
  /** The line shown: text payload, or a structured entry's message (or compact JSON). */
  text: string;
  /** Pretty JSON for structured entries, shown in an expandable <details>. */
  json?: string;
  /** Spans of `text` that name repository files. */
  links: TextLink[];
  trace?: string;
  request?: string;
}

/** Entries per time bucket and severity band (core's histogram.ts), for the bars above the list. */
export interface WebviewHistogram {
  startMs: number;
  bucketMs: number;
  /** counts[bucket] = [debug, info, warning, error]. */
  counts: number[][];
}

export interface WebviewControls {
  presets: { id: string; label: string; query: string }[];
  severities: string[];
  windows: { value: string; label: string }[];
}

export type ToWebview =
  | { type: 'append'; rows: WebviewRow[]; skipped: number }
  /** Replaces every row; with focusSeq the view shows that row (and stops following new ones). */
  | { type: 'reset'; rows: WebviewRow[]; note: string | null; focusSeq?: number }
  | { type: 'status'; line: string; paused: boolean; stopped: boolean; browsing: boolean }
  | { type: 'controls'; controls: WebviewControls }
  /** The query the stream now runs: the controls show it. */
  | { type: 'query'; query: LogViewQuery }
  /** Why the query the controls asked for was refused; the stream runs on with the one before. */
  | { type: 'queryError'; message: string }
  | { type: 'histogram'; histogram: WebviewHistogram };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'search'; text: string }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'clear' }
  | { type: 'stop' }
  | { type: 'export'; format: 'log' | 'jsonl' }
  | { type: 'openFile'; file: string; line: number }
  /** The controls changed: restart the stream with these fields (checked against the presets by the panel). */
  | { type: 'query'; fields: QueryFields }
  /** A histogram bar was clicked: show the entries from this time (ms). */
  | { type: 'jump'; at: number }
  /** Back from showing older entries to following new ones. */
  | { type: 'live' };

/** Longest search text and file path a message may carry; longer ones are not from our page. */
export const MAX_SEARCH = 1000;
const MAX_PATH = 1024;
/** Years 0–9999 in ms: any instant a histogram can show. */
const MAX_TIME_MS = 253_402_300_800_000;

/**
 * Validates a webview message: the webview runs log text from the network, so it is a less trusted context. Types,
 * lengths and allowed values are checked here; anything else is dropped (null).
 */
export function parseFromWebview(value: unknown): FromWebview | null {
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  switch (m['type']) {
    case 'ready':
    case 'pause':
    case 'resume':
    case 'clear':
    case 'stop':
    case 'live':
      return { type: m['type'] };
    case 'search':
      return typeof m['text'] === 'string' && m['text'].length <= MAX_SEARCH ? { type: 'search', text: m['text'] } : null;
    case 'export':
      return m['format'] === 'log' || m['format'] === 'jsonl' ? { type: 'export', format: m['format'] } : null;
    case 'openFile': {
      const file = m['file'];
      const line = m['line'];
      return typeof file === 'string' && file.length > 0 && file.length <= MAX_PATH && typeof line === 'number' && Number.isInteger(line) && line >= 1 && line <= 10_000_000
        ? { type: 'openFile', file, line }
        : null;
    }
    case 'query': {
      const fields = queryFields(m['query']);
      return fields ? { type: 'query', fields } : null;
    }
    case 'jump': {
      const at = m['at'];
      return typeof at === 'number' && Number.isFinite(at) && Math.abs(at) <= MAX_TIME_MS ? { type: 'jump', at } : null;
    }
    default:
      return null;
  }
}

/** Long payloads are cut for the row; the full entry stays in the buffer (and in exports). */
const MAX_TEXT = 20_000;

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length - MAX_TEXT} more characters)` : text;
}

export function rowFor(seq: number, entry: LogEntry, exists: (relative: string) => boolean): WebviewRow {
  const message = entry.json && typeof entry.json['message'] === 'string' ? entry.json['message'] : undefined;
  const text = clip(entry.text ?? message ?? (entry.json ? JSON.stringify(entry.json) : ''));
  const row: WebviewRow = {
    seq,
    timestamp: entry.timestamp,
    severity: entry.severity,
    revision: entry.revision ?? entry.labels?.[EXECUTION_NAME_LABEL] ?? '',
    service: entry.service ?? '',
    text,
    links: stackTraceLinks(text, exists),
  };
  if (entry.json) row.json = clip(JSON.stringify(entry.json, null, 2));
  if (entry.trace) row.trace = entry.trace;
  const http = entry.httpRequest;
  if (http && (http.requestMethod || http.requestUrl)) {
    row.request = [http.requestMethod, http.requestUrl, http.status, http.latency].filter((v) => v !== undefined && v !== '').join(' ');
  }
  return row;
}

/**
 * The status line: rates, reconnects, suppression, and why we poll when we cannot tail. `restarted`: the controls
 * changed the query, and this stream replaced the view's earlier one.
 */
export function statusLine(status: LogBufferStatus, description: string, restarted = false): string {
  const parts = [`${status.size.toLocaleString('en-US')} entries`, `${status.entriesPerSecond.toFixed(1)}/s`];
  const state =
    status.connection === 'polling'
      ? `polling (tailing unavailable${status.message ? `: ${status.message}` : ''})`
      : status.connection === 'reconnecting' || status.connection === 'error'
        ? `${status.connection}${status.message ? `: ${status.message}` : ''}`
        : status.connection === 'connecting'
          ? 'history loaded, connecting'
          : status.connection === 'idle'
            ? `${restarted ? 'restarted, ' : ''}loading history`
            : status.connection;
  parts.push(state);
  parts.push(`${status.reconnects} reconnect${status.reconnects === 1 ? '' : 's'}`);
  const suppressed = status.suppressedRateLimit + status.suppressedNotConsumed;
  if (suppressed > 0) parts.push(`suppressed ${status.suppressedRateLimit} by rate limit, ${status.suppressedNotConsumed} not consumed`);
  if (status.paused) parts.push(`paused, ${status.pendingWhilePaused} waiting${status.droppedWhilePaused ? `, ${status.droppedWhilePaused} dropped` : ''}`);
  if (status.evicted > 0) parts.push(`${status.evicted} oldest dropped at the ${status.capacity} cap`);
  parts.push(description);
  return parts.join(' · ');
}
