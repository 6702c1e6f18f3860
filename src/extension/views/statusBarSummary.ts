import * as vscode from 'vscode';
import { FOCUS_SERVICES_VIEW_COMMAND } from '../commandIds';
import { Disposable } from '../platform/disposable';
import type { DriftSettings } from '../platform/settings';
import type { DriftSession } from '../session/driftSession';
import { countByStatus, formatAge, isStaleData, oneLine, serviceRows, statusBarText, summaryText } from './presentation';

/** `$(cloud) 1 stale · 4 ok` in the status bar; a click reveals the Services view. */
export class StatusBarSummary extends Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(
    private readonly session: DriftSession,
    private settings: DriftSettings,
  ) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('cloudRunDrift.summary', vscode.StatusBarAlignment.Left, 0));
    this.item.name = 'Cloud Run Drift';
    this.item.command = { command: FOCUS_SERVICES_VIEW_COMMAND, title: 'Show Cloud Run Drift Services' };
    this._register(session.onDidChange(() => this.update()));
    this.update();
  }

  applySettings(settings: DriftSettings): void {
    this.settings = settings;
    this.update();
  }

  private update(): void {
    const state = this.session.state;
    if (!this.settings.showStatusBarItem || state.kind === 'loading' || state.kind === 'noConfig') {
      this.item.hide();
      return;
    }
    const names = state.kind === 'ready' ? state.config.services.map((s) => s.name) : [];
    const rows = serviceRows(names, this.session.lastResult);
    const result = this.session.lastResult;
    const failure = this.session.failure;
    const staleData = isStaleData(failure, result !== undefined);
    this.item.text = statusBarText({ rows, refreshing: this.session.refreshing, staleData, configInvalid: state.kind === 'invalidConfig' });

    const lines = ['Cloud Run Drift'];
    if (state.kind === 'invalidConfig') lines.push('cloud-run-drift.json has problems: see the Services view.');
    else if (rows.some((r) => r.verdict)) lines.push(summaryText(countByStatus(rows)));
    if (result) lines.push(`Checked ${formatAge(result.checkedAt, new Date()) ?? 'earlier'}`);
    if (failure && state.kind === 'ready') lines.push(`Last refresh failed: ${oneLine(failure.message)}`);
    lines.push('Click to show the Services view');
    this.item.tooltip = lines.join('\n');
    this.item.accessibilityInformation = { label: `Cloud Run Drift: ${lines.slice(1, -1).join('. ')}` };
    this.item.show();
  }
}
