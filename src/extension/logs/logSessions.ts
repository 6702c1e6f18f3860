// The open log panels: opens a stream for a scope and filter, keeps the list for the test API, closes them all
// on deactivation. Commands reach it as CommandServices.logs.
import * as vscode from 'vscode';
import type { DriftConfig } from '../../core/config';
import {
  composeFilter,
  FilterCompositionError,
  LogApiError,
  openLogStream,
  parseSince,
  type LogScope,
} from '../../core/logs';
import { UserFacingError } from '../platform/errors';
import type { Logger } from '../platform/logger';
import type { DriftSettings } from '../platform/settings';
import type { ApiClients } from '../session/apiClients';
import { LogPanel } from './logPanel';
import { describeChoice, describeWindow, logQueryFor, type FilterChoice } from './logQuery';

export interface LogSessionInfo {
  service: string;
  /** The panel's title (its tab). */
  title: string;
  /** Where the history starts (ISO 8601). */
  since: string;
  entries: number;
  status: string;
}

export interface OpenLogsRequest {
  config: DriftConfig;
  scope: LogScope;
  /** Projects whose logs to read: every configured service's project the scope covers. */
  projects: string[];
  label: string;
  /** The panel's title; `Logs: <label>` when absent. */
  title?: string;
  choice: FilterChoice;
  /** A preset (15m, 1h, 6h, 1d) or a custom start parseSince accepts. */
  window: string;
}

export class LogSessions implements vscode.Disposable {
  private readonly panels = new Set<LogPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly logger: Logger,
    /** The settings the extension already holds (kept current on change), not a fresh read per panel. */
    private readonly settings: () => DriftSettings,
    private readonly clients: Pick<ApiClients, 'logSource'>,
  ) {}

  list(): LogSessionInfo[] {
    return [...this.panels].map((p) => p.snapshot());
  }

  async open(request: OpenLogsRequest): Promise<void> {
    let filter: string;
    let since: Date;
    try {
      filter = composeFilter(logQueryFor(request.scope, request.choice));
      since = parseSince(request.window);
    } catch (err) {
      if (err instanceof FilterCompositionError) throw new UserFacingError(err.message, [], 'warning');
      throw err;
    }
    const capacity = this.settings()['logs.maxEntries'];
    let source;
    try {
      source = await this.clients.logSource({ projects: [...new Set(request.projects)], endpoint: request.config.endpoints.logging });
    } catch (err) {
      if (err instanceof LogApiError) throw new UserFacingError(`Cannot read logs: ${err.message}`);
      throw err;
    }
    const stream = openLogStream(source, { filter, since, historyLimit: capacity });
    const description = `${describeChoice(request.choice)} · ${describeWindow(request.window)} · ${source.description}`;
    this.logger.info(`opening logs for ${request.label}: ${filter}`);
    const panel = new LogPanel({
      title: request.title ?? `Logs: ${request.label}`,
      service: request.label,
      since,
      description,
      capacity,
      repoRoot: request.config.root,
      extensionUri: this.extensionUri,
      source,
      stream,
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
