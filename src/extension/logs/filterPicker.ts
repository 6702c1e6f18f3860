// The quick-picks before a stream opens: which entries (filter) and how far back (window).
import * as vscode from 'vscode';
import { parseSince, SEVERITIES } from '../../core/logs';
import { UserCancelledError } from '../platform/errors';
import { filterPickItems, LOG_WINDOWS, WINDOW_LABELS, type FilterChoice, type LogWindow } from './logQuery';

export async function pickFilter(logFilters: Readonly<Record<string, string>>, target: string): Promise<FilterChoice> {
  const items = filterPickItems(logFilters).map((item) => ({ label: item.label, description: item.description, item }));
  const picked = await vscode.window.showQuickPick(items, { placeHolder: `Which log entries of ${target}?`, matchOnDescription: true });
  if (!picked) throw new UserCancelledError();
  const choice = picked.item.choice;
  switch (choice.kind) {
    case 'askText': {
      const text = await vscode.window.showInputBox({
        prompt: 'Text to find in textPayload or jsonPayload.message (a substring; quoted for you)',
        validateInput: (v) => (v.trim() === '' ? 'Type some text' : null),
      });
      if (text === undefined) throw new UserCancelledError();
      return { kind: 'text', text: text.trim() };
    }
    case 'askRaw': {
      const query = await vscode.window.showInputBox({
        prompt: 'A Cloud Logging query, e.g. jsonPayload.event_type="MERGE" (it narrows the service scope, never widens it)',
        validateInput: (v) => (v.trim() === '' ? 'Type a query' : null),
      });
      if (query === undefined) throw new UserCancelledError();
      return { kind: 'raw', query: query.trim() };
    }
    case 'askSeverity': {
      const picked = await vscode.window.showQuickPick(
        SEVERITIES.filter((s) => s !== 'DEFAULT').map((severity) => ({ label: severity, severity })),
        { placeHolder: 'Minimum severity' },
      );
      if (!picked) throw new UserCancelledError();
      return { kind: 'severity', severity: picked.severity };
    }
    default:
      return choice;
  }
}

/** A preset window, or a custom start: any duration or RFC 3339 time core's parseSince accepts. */
export async function pickWindow(): Promise<string> {
  const items: { label: string; description?: string; window: LogWindow | null }[] = [
    ...LOG_WINDOWS.map((window) => ({ label: WINDOW_LABELS[window], description: window, window })),
    { label: 'Custom start…', description: 'a duration (90m, 2d) or a time (2026-01-30T22:59:00Z)', window: null },
  ];
  const picked = await vscode.window.showQuickPick(items, { placeHolder: 'History from how far back? (then live)' });
  if (!picked) throw new UserCancelledError();
  if (picked.window !== null) return picked.window;
  const custom = await vscode.window.showInputBox({
    prompt: 'Start of the history: a duration back from now, or an RFC 3339 time',
    validateInput: (v) => {
      try {
        parseSince(v);
        return null;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    },
  });
  if (custom === undefined) throw new UserCancelledError();
  return custom.trim();
}
