// The open log views: opens one for a scope (at once, with the last used query unless the caller names one), keeps
// the list for the test API, remembers what the controls changed for the next view, and closes them all on deactivation.
// Commands reach it as CommandServices.logs.
import type * as vscode from 'vscode';
import type { DriftConfig } from '../../core/config';
import { composeFilter, FilterCompositionError, type LogScope } from '../../core/logs';
import { UserFacingError } from '../platform/errors';
import type { Logger } from '../platform/logger';
import type { DriftSettings } from '../platform/settings';
import type { ApiClients } from '../session/apiClients';
import { checkViewQuery, filterPresets, logQueryFor, nextRemembered, rememberedQuery, restoreViewQuery, type LogViewQuery } from './logQuery';
import { LogPanel } from './logPanel';
import { openingQuery, parseOpenLogsOptions } from './openRequest';

/** Workspace state key of the query the last view's controls applied. */
export const LAST_LOG_QUERY_KEY = 'cloudRunDrift.logs.lastQuery';

export interface LogSessionInfo {
  service: string;
  /** The panel's title (its tab). */
  title: string;
  /** Where the history starts (ISO 8601). */
  since: string;
  entries: number;
  status: string;
  /** The query the view's stream runs. */
  query: LogViewQuery;
}

export interface OpenLogsRequest {
  config: DriftConfig;
  scope: LogScope;
  /** Projects whose logs to read: every configured service's project the scope covers. */
  projects: string[];
  label: string;
  /** The panel's title; `Logs: <label>` when absent. */
  title?: string;
  /** The command's options (parseOpenLogsOptions): what they leave out comes from the last used query. */
  options?: unknown;
  /** A complete query (the deploy flow's "all entries since the deploy started"), overriding options and memory. */
  query?: LogViewQuery;
}

export class LogSessions implements vscode.Disposable {
  private readonly panels = new Set<LogPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly logger: Logger,
    /** The settings the extension already holds (kept current on change), not a fresh read per panel. */
    private readonly settings: () => DriftSettings,
    private readonly clients: Pick<ApiClients, 'logSource'>,
    /** Workspace state: the last query applied in a view. */
    private readonly memory: Pick<vscode.Memento, 'get' | 'update'>,
  ) {}

  list(): LogSessionInfo[] {
    return [...this.panels].map((p) => p.snapshot());
  }

  /** Opens the view at once; its stream's client is created while it shows. */
  open(request: OpenLogsRequest): void {
    const presets = filterPresets(request.config.logFilters);
    const last = restoreViewQuery(this.memory.get(LAST_LOG_QUERY_KEY), presets);
    const wanted = request.query ?? openingQuery(parseOpenLogsOptions(request.options, request.config.logFilters, presets), last);
    const checked = checkViewQuery(wanted, presets);
    if ('error' in checked) throw new UserFacingError(`Cannot open logs: ${checked.error}`, [], 'warning');
    try {
      composeFilter(logQueryFor(request.scope, checked.query, presets));
    } catch (err) {
      if (err instanceof FilterCompositionError) throw new UserFacingError(err.message, [], 'warning');
      throw err;
    }
    const projects = [...new Set(request.projects)];
    const endpoint = request.config.endpoints.logging;
    const panel = new LogPanel({
      title: request.title ?? `Logs: ${request.label}`,
      service: request.label,
      scope: request.scope,
      presets,
      query: checked.query,
      capacity: this.settings()['logs.maxEntries'],
      repoRoot: request.config.root,
      extensionUri: this.extensionUri,
      openSource: () => this.clients.logSource({ projects, endpoint }),
      remember: (query, before) => {
        const remembered = restoreViewQuery(this.memory.get(LAST_LOG_QUERY_KEY), presets);
        void this.memory.update(LAST_LOG_QUERY_KEY, rememberedQuery(nextRemembered(remembered, before, query), presets));
      },
      logger: this.logger,
    });
    this.panels.add(panel);
    panel.onDidDispose(() => this.panels.delete(panel));
  }

  dispose(): void {
    for (const panel of [...this.panels]) panel.dispose();
    this.panels.clear();
  }
}
