// One scoreboard webview per data job, revealed again (with the new rows) when it is already open.
import * as vscode from 'vscode';
import type { QueryTable } from '../../core/jobs/bigquery';
import type { DateRange } from '../../core/jobs/dates';
import { Disposable } from '../platform/disposable';
import { scoreboardHtml } from './scoreboardHtml';

export const SCOREBOARD_VIEW_TYPE = 'cloudRunDrift.scoreboard';

export class ScoreboardPanels extends Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();

  show(job: string, range: DateRange, table: QueryTable, readAt: Date): void {
    const title = `Scoreboard: ${job}`;
    let panel = this.panels.get(job);
    if (panel) {
      panel.reveal(undefined, true);
    } else {
      // No scripts: the page is a static table.
      panel = vscode.window.createWebviewPanel(SCOREBOARD_VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: true }, { enableScripts: false, localResourceRoots: [] });
      const opened = panel;
      this.panels.set(job, opened);
      opened.onDidDispose(() => {
        if (this.panels.get(job) === opened) this.panels.delete(job);
      });
    }
    const rows = `${table.rows.length} row${table.rows.length === 1 ? '' : 's'}`;
    panel.webview.html = scoreboardHtml({
      title,
      subtitle: `${range.start} to ${range.end} · ${rows} · read ${readAt.toISOString().slice(11, 19)} UTC`,
      table,
    });
  }

  override dispose(): void {
    for (const panel of this.panels.values()) panel.dispose();
    this.panels.clear();
    super.dispose();
  }
}
