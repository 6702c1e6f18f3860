// One log stream in one webview panel: core's stream feeds core's buffer; the panel posts what changed to the
// webview at most every 100 ms. Closing the panel stops the stream and closes its source.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LogBuffer, type LogSource, type LogStream } from '../../core/logs';
import type { Logger } from '../platform/logger';
import { FlushBatcher, planAppend } from './batcher';
import { parseFromWebview, rowFor, statusLine, type FromWebview, type ToWebview, type WebviewRow } from './messages';
import { cachedExists } from './stackLinks';

/** Rows the webview keeps in its DOM: the buffer holds more (maxEntries), search reaches all of them. */
export const MAX_DOM_ROWS = 3000;
const FLUSH_MS = 100;
const STATUS_MS = 1000;

export interface LogPanelOptions {
  title: string;
  /** Names the stream in getLogSessions() (a service, "service/revision" or "all"). */
  service: string;
  /** Where the stream's history starts. */
  since: Date;
  description: string;
  capacity: number;
  repoRoot: string;
  extensionUri: vscode.Uri;
  source: LogSource;
  stream: LogStream;
  logger: Logger;
}

export class LogPanel {
  readonly buffer: LogBuffer;
  private readonly panel: vscode.WebviewPanel;
  private readonly batcher: FlushBatcher;
  private readonly exists: (relative: string) => boolean;
  private readonly unsubscribes: (() => void)[] = [];
  private lastSentSeq = 0;
  private search = '';
  private searchDirty = false;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private disposed = false;
  private ready = false;
  private readonly disposeListeners = new Set<() => void>();
  private readonly statusTimer: ReturnType<typeof setInterval>;

  constructor(private readonly options: LogPanelOptions) {
    this.buffer = new LogBuffer({ capacity: options.capacity });
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
    this.batcher = new FlushBatcher(() => this.flush(), FLUSH_MS);
    this.panel.webview.onDidReceiveMessage((raw: unknown) => {
      const message = parseFromWebview(raw);
      if (!message) return;
      this.handle(message).catch((err: unknown) => {
        options.logger.error(`log view action ${message.type} failed`, err);
        void vscode.window.showErrorMessage(`Logs: ${message.type} failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    });
    // The rate decays while a stream is quiet; without a periodic status the line would freeze at the last burst.
    this.statusTimer = setInterval(() => this.batcher.notify(), STATUS_MS);
    this.panel.onDidDispose(() => this.dispose());
    this.unsubscribes.push(
      this.buffer.onDidChange(() => {
        // Any change (new entries, a resume releasing queued ones, a clear) can change what a search matches.
        if (this.search !== '') this.searchDirty = true;
        this.batcher.notify();
      }),
    );
    this.unsubscribes.push(
      options.stream.on((event) => {
        this.buffer.applyEvent(event);
        if (event.type === 'error') {
          options.logger.info(`${options.service}: ${event.message}${event.fatal ? '' : ' (retrying)'}`);
          // A fatal error (a bad filter, no permission) ends the stream: say so where the user looks, in the API's words.
          if (event.fatal) void vscode.window.showErrorMessage(`Logs of ${options.service}: ${event.message}`);
        }
        if (event.type === 'end') {
          this.stopped = true;
          this.batcher.notify();
        }
      }),
    );
    options.stream.start();
  }

  onDidDispose(listener: () => void): void {
    this.disposeListeners.add(listener);
  }

  snapshot(): { service: string; title: string; since: string; entries: number; status: string } {
    const status = this.buffer.status();
    return { service: this.options.service, title: this.options.title, since: this.options.since.toISOString(), entries: status.totalAppended, status: status.connection };
  }

  private post(message: ToWebview): void {
    if (!this.ready || this.disposed) return;
    void this.panel.webview.postMessage(message);
  }

  private rows(fromSeq: number, toSeq: number): WebviewRow[] {
    return this.buffer.slice(fromSeq, toSeq).map((entry, i) => rowFor(fromSeq + i, entry, this.exists));
  }

  private flush(): void {
    if (!this.ready || this.disposed) return;
    if (this.search !== '') {
      if (this.searchDirty) this.sendSearch();
    } else {
      const plan = planAppend(this.lastSentSeq, this.buffer.firstSeq, this.buffer.nextSeq, MAX_DOM_ROWS);
      if (plan) {
        this.post({ type: 'append', rows: this.rows(plan.fromSeq, plan.toSeq), skipped: plan.skipped });
        this.lastSentSeq = plan.toSeq;
      }
    }
    this.post({ type: 'status', line: statusLine(this.buffer.status(), this.options.description), paused: this.buffer.paused, stopped: this.stopped });
  }

  /** Search runs over the whole buffer (core's search), not only the rows the DOM holds. */
  private sendSearch(): void {
    this.searchDirty = false;
    let seqs: number[];
    try {
      seqs = this.buffer.search(this.search, { limit: MAX_DOM_ROWS });
    } catch {
      seqs = [];
    }
    const rows = seqs.flatMap((seq) => {
      const entry = this.buffer.at(seq);
      return entry ? [rowFor(seq, entry, this.exists)] : [];
    });
    this.post({ type: 'reset', rows, note: `${rows.length}${rows.length === MAX_DOM_ROWS ? '+' : ''} matching “${this.search}”` });
  }

  /** Re-sends the newest rows (after clear, or when a search is cleared). */
  private sendTail(): void {
    const from = Math.max(this.buffer.firstSeq, this.buffer.nextSeq - MAX_DOM_ROWS);
    this.post({ type: 'reset', rows: this.rows(from, this.buffer.nextSeq), note: null });
    this.lastSentSeq = this.buffer.nextSeq;
  }

  private async handle(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.sendTail();
        this.flush();
        return;
      case 'search':
        this.search = message.text.trim();
        if (this.search === '') this.sendTail();
        else this.sendSearch();
        return;
      case 'pause':
        this.buffer.pause();
        return;
      case 'resume':
        this.buffer.resume();
        return;
      case 'clear':
        this.buffer.clear();
        if (this.search === '') this.sendTail();
        else this.sendSearch();
        return;
      case 'stop':
        await this.stop();
        return;
      case 'export':
        await this.export(message.format);
        return;
      case 'openFile':
        await this.openFile(message.file, message.line);
        return;
    }
  }

  /** Stop (toolbar) and close (dispose) both end here; the stream and source are released once. */
  stop(): Promise<void> {
    this.stopped = true;
    this.stopping ??= (async () => {
      try {
        await this.options.stream.stop();
      } finally {
        await this.options.source.close().catch((err: unknown) => this.options.logger.debug(`closing the log source: ${String(err)}`));
      }
    })();
    this.batcher.notify();
    return this.stopping;
  }

  private async export(format: 'log' | 'jsonl'): Promise<void> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(this.options.repoRoot, `${this.options.service.replace(/[^\w.-]+/g, '_')}-${stamp}.${format}`)),
      filters: format === 'log' ? { 'Log file': ['log'] } : { 'JSON Lines': ['jsonl'] },
      saveLabel: 'Export Logs',
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(this.buffer.export(format), 'utf8'));
    void vscode.window.showInformationMessage(`Exported ${this.buffer.size} entries to ${path.basename(target.fsPath)}.`);
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
    const nonce = Array.from({ length: 32 }, () => Math.floor(Math.random() * 36).toString(36)).join('');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'logs.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'logs.css'));
    // No remote resources: scripts by nonce, styles and fonts only from the extension's own media folder.
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>${escapeHtml(this.options.title)}</title>
</head>
<body>
<div id="toolbar">
  <input id="search" type="search" placeholder="Search all buffered entries" aria-label="Search">
  <button id="pause" type="button">Pause</button>
  <button id="clear" type="button">Clear</button>
  <button id="stop" type="button">Stop</button>
  <button id="export-log" type="button">Export .log</button>
  <button id="export-jsonl" type="button">Export .jsonl</button>
</div>
<div id="note" hidden></div>
<div id="rows" role="log" aria-live="off"></div>
<div id="status">starting…</div>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.statusTimer);
    this.batcher.dispose();
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    void this.stop().catch((err: unknown) => this.options.logger.debug(`stopping the log stream: ${String(err)}`));
    this.panel.dispose();
    for (const listener of this.disposeListeners) listener();
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
