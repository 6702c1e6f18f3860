import * as vscode from 'vscode';
import { FOCUS_SERVICES_VIEW_COMMAND } from '../commandIds';
import { Disposable } from '../platform/disposable';
import type { DriftSettings } from '../platform/settings';
import type { RepoList } from '../session/repoSessions';
import { statusBarView } from './presentation';
import { repoStatus } from './repoStatus';

/** `$(cloud) 1 stale · 4 ok` in the status bar, every repository's services counted; a click reveals the Services view. */
export class StatusBarSummary extends Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(
    private readonly repos: RepoList,
    private settings: DriftSettings,
  ) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('cloudRunDrift.summary', vscode.StatusBarAlignment.Left, 0));
    this.item.name = 'Cloud Run Drift';
    this.item.command = { command: FOCUS_SERVICES_VIEW_COMMAND, title: 'Show Cloud Run Drift Services' };
    this._register(repos.onDidChange(() => this.update()));
    this.update();
  }

  applySettings(settings: DriftSettings): void {
    this.settings = settings;
    this.update();
  }

  private update(): void {
    // A repository whose configuration is still being read has nothing to say yet.
    const shown = this.repos.list().filter((r) => r.session.state.kind !== 'loading');
    if (!this.settings.showStatusBarItem || shown.length === 0) {
      this.item.hide();
      return;
    }
    const view = statusBarView(shown.map(repoStatus), new Date());
    this.item.text = view.text;
    this.item.tooltip = view.tooltip.join('\n');
    this.item.accessibilityInformation = { label: `Cloud Run Drift: ${view.tooltip.slice(1, -1).join('. ')}` };
    this.item.show();
  }
}
