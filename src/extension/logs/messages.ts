// The messages between the log panel (extension host) and its webview (media/logs/logs.js). Plain data only;
// no vscode import. Everything the webview shows is inserted as text there (log text is untrusted).
import type { LogBufferStatus, LogEntry } from '../../core/logs';
import { stackTraceLinks, type TextLink } from './stackLinks';

export interface WebviewRow {
  seq: number;
  /** The entry's own timestamp. */
  timestamp: string;
  severity: string;
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

export type ToWebview =
  | { type: 'append'; rows: WebviewRow[]; skipped: number }
  | { type: 'reset'; rows: WebviewRow[]; note: string | null }
  | { type: 'status'; line: string; paused: boolean; stopped: boolean };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'search'; text: string }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'clear' }
  | { type: 'stop' }
  | { type: 'export'; format: 'log' | 'jsonl' }
  | { type: 'openFile'; file: string; line: number };

/** Validates a webview message: the webview is a separate, less trusted context. */
export function parseFromWebview(value: unknown): FromWebview | null {
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  switch (m['type']) {
    case 'ready':
    case 'pause':
    case 'resume':
    case 'clear':
    case 'stop':
      return { type: m['type'] };
    case 'search':
      return typeof m['text'] === 'string' ? { type: 'search', text: m['text'] } : null;
    case 'export':
      return m['format'] === 'log' || m['format'] === 'jsonl' ? { type: 'export', format: m['format'] } : null;
    case 'openFile':
      return typeof m['file'] === 'string' && typeof m['line'] === 'number' && Number.isInteger(m['line'])
        ? { type: 'openFile', file: m['file'], line: m['line'] }
        : null;
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
    revision: entry.revision ?? '',
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

/** The status line: rates, reconnects, suppression, and why we poll when we cannot tail. */
export function statusLine(status: LogBufferStatus, description: string): string {
  const parts = [`${status.size.toLocaleString('en-US')} entries`, `${status.entriesPerSecond.toFixed(1)}/s`];
  const state =
    status.connection === 'polling'
      ? `polling (tailing unavailable${status.message ? `: ${status.message}` : ''})`
      : status.connection === 'reconnecting' || status.connection === 'error'
        ? `${status.connection}${status.message ? `: ${status.message}` : ''}`
        : status.connection === 'connecting'
          ? 'history loaded, connecting'
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
