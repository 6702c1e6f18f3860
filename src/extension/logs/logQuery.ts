// The log view's filter picker as plain data: which choices it offers and what each means to core's
// composeFilter. No vscode import, so the mapping is unit-tested without an editor.
import type { LogQuery, LogScope, Severity } from '../../core/logs';

/** What the user picked in the filter quick-pick. */
export type FilterChoice =
  | { kind: 'all' }
  | { kind: 'saved'; name: string; query: string }
  | { kind: 'severity'; severity: Severity }
  | { kind: 'text'; text: string }
  | { kind: 'raw'; query: string };

export interface FilterPickItem {
  label: string;
  description?: string;
  /** A complete choice, or which input box must follow to complete it. */
  choice: FilterChoice | { kind: 'askText' } | { kind: 'askRaw' } | { kind: 'askSeverity' };
}

export const LOG_WINDOWS = ['15m', '1h', '6h', '1d'] as const;
export type LogWindow = (typeof LOG_WINDOWS)[number];

export const WINDOW_LABELS: Record<LogWindow, string> = {
  '15m': 'Last 15 minutes',
  '1h': 'Last hour',
  '6h': 'Last 6 hours',
  '1d': 'Last day',
};

/** Saved filters come first: they are the team's own queries and the likeliest pick. */
export function filterPickItems(logFilters: Readonly<Record<string, string>>): FilterPickItem[] {
  const saved: FilterPickItem[] = Object.entries(logFilters).map(([name, query]) => ({
    label: name,
    description: query,
    choice: { kind: 'saved', name, query },
  }));
  return [
    { label: 'All entries', description: 'no filter', choice: { kind: 'all' } },
    ...saved,
    { label: 'Errors only', description: 'severity>=ERROR', choice: { kind: 'severity', severity: 'ERROR' } },
    { label: 'Minimum severity…', choice: { kind: 'askSeverity' } },
    { label: 'Text…', description: 'substring of textPayload or jsonPayload.message', choice: { kind: 'askText' } },
    { label: 'Logging query…', description: 'a raw Cloud Logging query, narrowing the service scope', choice: { kind: 'askRaw' } },
  ];
}

/**
 * The query core composes. User text goes to `text` (core quotes it) and never into `raw`, so a typed
 * `") OR (` stays text to look for. The window is not part of the filter: the stream takes `since` itself.
 */
export function logQueryFor(scope: LogScope, choice: FilterChoice): LogQuery {
  switch (choice.kind) {
    case 'all':
      return { scope };
    case 'saved':
      return { scope, savedFilter: choice.query };
    case 'severity':
      return { scope, minSeverity: choice.severity };
    case 'text':
      return { scope, text: choice.text };
    case 'raw':
      return { scope, raw: choice.query };
  }
}

/** A short description of the choice for the panel title and status line. */
export function describeChoice(choice: FilterChoice): string {
  switch (choice.kind) {
    case 'all':
      return 'all entries';
    case 'saved':
      return choice.name;
    case 'severity':
      return `${choice.severity} and above`;
    case 'text':
      return `“${choice.text}”`;
    case 'raw':
      return choice.query;
  }
}

/** "1h" → "since 1h ago"; an RFC 3339 start → "since 2026-01-30T22:59:00Z". */
export function describeWindow(window: string): string {
  return /^\d+[a-z]+$/i.test(window.trim()) ? `since ${window.trim()} ago` : `since ${window.trim()}`;
}
