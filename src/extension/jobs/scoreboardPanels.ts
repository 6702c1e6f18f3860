// One scoreboard webview per data job, revealed again (with the new read) when it is already open. The
// view's range picker and Refresh read again through the job's source; Export CSV saves what is shown.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { scoreboardCsv } from '../../core/jobs/csv';
import { DateRangeError, parseDateRange, utcToday, type DateRange } from '../../core/jobs/dates';
import type { Scoreboard } from '../../core/jobs/totals';
import { errorText } from '../../core/text/messageText';
import { newNonce } from '../logs/logViewHtml';
import { Disposable } from '../platform/disposable';
import type { Logger } from '../platform/logger';
import { scoreboardHtml, type ScoreboardRead } from './scoreboardHtml';

export const SCOREBOARD_VIEW_TYPE = 'cloudRunDrift.scoreboard';

/** The longest range the view reads: reading is harmless, so it may span more than one run's maxDays. */
export const SCOREBOARD_MAX_DAYS = 366;

/** Where a panel reads from: the job's scoreboard query. */
export interface ScoreboardSource {
  job: string;
  /** Reads the range; rejects with BigQuery's own message when the query fails. */
  read(range: DateRange): Promise<Scoreboard>;
  /** A range the user picked in the view and read: remembered for next time. */
  rangePicked?(range: DateRange): void;
  /** The folder Export CSV proposes (the repository's root). */
  exportFolder: string;
}

/** What one panel shows; `before` only until its range changes. */
interface PanelState {
  source: ScoreboardSource;
  range: DateRange;
  current: ScoreboardRead;
  before?: ScoreboardRead;
  picker?: { start: string; end: string };
  notice?: string;
}

interface OpenPanel {
  panel: vscode.WebviewPanel;
  state: PanelState;
}

/** Reads a range for the view: the scoreboard, or the query's error message (shown in the view). */
export async function readForView(source: ScoreboardSource, range: DateRange, now: () => Date = () => new Date()): Promise<ScoreboardRead> {
  try {
    const board = await source.read(range);
    return { kind: 'read', board, readAt: now() };
  } catch (err) {
    return { kind: 'failed', error: errorText(err), readAt: now() };
  }
}

export class ScoreboardPanels extends Disposable {
  private readonly panels = new Map<string, OpenPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** Shows one read of the range, or two (before a run and after it: each row then shows its change). */
  show(source: ScoreboardSource, range: DateRange, current: ScoreboardRead, before?: ScoreboardRead): void {
    const state: PanelState = { source, range, current, ...(before ? { before } : {}) };
    const open = this.panels.get(source.job);
    if (open) {
      open.state = state;
      open.panel.reveal(undefined, true);
      this.render(open);
      return;
    }
    const title = `Scoreboard: ${source.job}`;
    const mediaRoot = this.mediaRoot();
    const panel = vscode.window.createWebviewPanel(SCOREBOARD_VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: true }, { enableScripts: true, localResourceRoots: [mediaRoot] });
    const opened: OpenPanel = { panel, state };
    this.panels.set(source.job, opened);
    panel.webview.onDidReceiveMessage((message: unknown) => {
      void this.handle(opened, message).catch((err: unknown) => this.logger.warn(`${source.job}: scoreboard view: ${errorText(err)}`));
    });
    panel.onDidDispose(() => {
      if (this.panels.get(source.job) === opened) this.panels.delete(source.job);
    });
    this.render(opened);
  }

  private mediaRoot(): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'media', 'scoreboard');
  }

  private render(open: OpenPanel): void {
    const webview = open.panel.webview;
    const { state } = open;
    webview.html = scoreboardHtml({
      title: `Scoreboard: ${state.source.job}`,
      range: state.range,
      current: state.current,
      ...(state.before ? { before: state.before } : {}),
      ...(state.picker ? { picker: state.picker } : {}),
      ...(state.notice ? { notice: state.notice } : {}),
      cspSource: webview.cspSource,
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.mediaRoot(), 'scoreboard.css')).toString(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.mediaRoot(), 'scoreboard.js')).toString(),
      nonce: newNonce(),
    });
  }

  /** Messages from the page are checked here: it may send anything. */
  private async handle(open: OpenPanel, message: unknown): Promise<void> {
    const record = (typeof message === 'object' && message !== null ? message : {}) as { type?: unknown; start?: unknown; end?: unknown };
    if (record.type === 'refresh' && typeof record.start === 'string' && typeof record.end === 'string') {
      const typed = { start: record.start.slice(0, 32), end: record.end.slice(0, 32) };
      let range: DateRange;
      try {
        range = parseDateRange(typed.start, typed.end, { maxDays: SCOREBOARD_MAX_DAYS, today: utcToday() });
      } catch (err) {
        if (!(err instanceof DateRangeError)) throw err;
        open.state = { ...open.state, picker: typed, notice: `Not read: ${err.message}.` };
        this.render(open);
        return;
      }
      const current = await readForView(open.state.source, range);
      // The before read belongs to its range: a refresh of the same range keeps it, another drops it.
      const same = range.start === open.state.range.start && range.end === open.state.range.end;
      open.state = { source: open.state.source, range, current, ...(same && open.state.before ? { before: open.state.before } : {}) };
      if (current.kind === 'read') open.state.source.rangePicked?.(range);
      this.render(open);
      return;
    }
    if (record.type === 'exportCsv') await this.exportCsv(open);
  }

  private async exportCsv(open: OpenPanel): Promise<void> {
    const { state } = open;
    if (state.current.kind !== 'read') return;
    const board = state.current.board;
    const name = `${state.source.job.replace(/[^\w.-]+/g, '_')}-${state.range.start}-${state.range.end}.csv`;
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(state.source.exportFolder, name)),
      filters: { CSV: ['csv'] },
      saveLabel: 'Export CSV',
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(scoreboardCsv(board), 'utf8'));
    const rows = board.rows.length + (board.totals ? 1 : 0);
    void vscode.window.showInformationMessage(`Exported ${rows} row${rows === 1 ? '' : 's'} of ${state.source.job}'s scoreboard to ${path.basename(target.fsPath)}.`);
  }

  override dispose(): void {
    for (const { panel } of this.panels.values()) panel.dispose();
    this.panels.clear();
    super.dispose();
  }
}
