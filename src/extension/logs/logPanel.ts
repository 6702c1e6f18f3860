// One log view in one webview panel: the controller (logController.ts) runs the stream and decides what to post; the
// panel is the editor's side of it: the webview and its HTML, the save dialog of Export, opening stack-trace files.
// It opens at once; the stream's client is created meanwhile. Closing the panel stops the stream and closes the client.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LogScope, LogSource } from '../../core/logs';
import { errorText } from '../../core/text/messageText';
import type { Logger } from '../platform/logger';
import { LogController } from './logController';
import type { FilterPreset, LogViewQuery } from './logQuery';
import { logViewHtml, newNonce } from './logViewHtml';
import { parseFromWebview, type FromWebview } from './messages';
import { cachedExists } from './stackLinks';

export interface LogPanelOptions {
  title: string;
  /** Names the stream in getLogSessions() (a service, "service/revision" or "all services"). */
  service: string;
  scope: LogScope;
  presets: readonly FilterPreset[];
  query: LogViewQuery;
  capacity: number;
  repoRoot: string;
  extensionUri: vscode.Uri;
  openSource(): Promise<LogSource>;
  /** The controls changed the query from `before`: the next view opens with what the user changed. */
  remember(query: LogViewQuery, before: LogViewQuery): void;
  logger: Logger;
}

export class LogPanel {
  private readonly panel: vscode.WebviewPanel;
  private readonly controller: LogController;
  private readonly exists: (relative: string) => boolean;
  private disposed = false;
  private readonly disposeListeners = new Set<() => void>();

  constructor(private readonly options: LogPanelOptions) {
    const root = options.repoRoot;
    this.exists = cachedExists((relative) => {
      try {
        return fs.statSync(path.join(root, relative)).isFile();
      } catch {
        return false;
      }
    });
    const mediaRoot = vscode.Uri.joinPath(options.extensionUri, 'media', 'logs');
    this.panel = vscode.window.createWebviewPanel('cloudRunDrift.logs', options.title, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [mediaRoot],
    });
    this.panel.webview.html = this.html(mediaRoot);
    this.controller = new LogController({
      label: options.service,
      scope: options.scope,
      presets: options.presets,
      capacity: options.capacity,
      query: options.query,
      openSource: options.openSource,
      exists: this.exists,
      post: (message) => void this.panel.webview.postMessage(message),
      onQueryApplied: options.remember,
      onFatalError: (message) => void vscode.window.showErrorMessage(message),
      log: (message) => options.logger.info(message),
    });
    this.panel.webview.onDidReceiveMessage((raw: unknown) => {
      const message = parseFromWebview(raw);
      if (!message) return;
      this.handle(message).catch((err: unknown) => {
        options.logger.error(`log view action ${message.type} failed`, err);
        void vscode.window.showErrorMessage(`Logs: ${message.type} failed: ${errorText(err)}`);
      });
    });
    this.panel.onDidDispose(() => this.dispose());
  }

  onDidDispose(listener: () => void): void {
    this.disposeListeners.add(listener);
  }

  snapshot(): { service: string; title: string; since: string; entries: number; status: string; query: LogViewQuery } {
    return { service: this.options.service, title: this.options.title, ...this.controller.snapshot() };
  }

  private async handle(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'export':
        await this.export(message.format);
        return;
      case 'openFile':
        await this.openFile(message.file, message.line);
        return;
      default:
        await this.controller.handle(message);
    }
  }

  private async export(format: 'log' | 'jsonl'): Promise<void> {
    const buffer = this.controller.buffer;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(this.options.repoRoot, `${this.options.service.replace(/[^\w.-]+/g, '_')}-${stamp}.${format}`)),
      filters: format === 'log' ? { 'Log file': ['log'] } : { 'JSON Lines': ['jsonl'] },
      saveLabel: 'Export Logs',
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(buffer.export(format), 'utf8'));
    void vscode.window.showInformationMessage(`Exported ${buffer.size} entries to ${path.basename(target.fsPath)}.`);
  }

  /** Only files the link detector resolved inside the repository are opened; the webview cannot name others. */
  private async openFile(file: string, line: number): Promise<void> {
    if (file.split('/').some((s) => s === '..' || s === '') || !this.exists(file)) return;
    const uri = vscode.Uri.file(path.join(this.options.repoRoot, file));
    const position = new vscode.Position(Math.max(0, line - 1), 0);
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position), preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  private html(mediaRoot: vscode.Uri): string {
    const webview = this.panel.webview;
    return logViewHtml({
      title: this.options.title,
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'logs.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'logs.css')).toString(),
      nonce: newNonce(),
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.controller.dispose().catch((err: unknown) => this.options.logger.debug(`stopping the log stream: ${String(err)}`));
    this.panel.dispose();
    for (const listener of this.disposeListeners) listener();
  }
}
