import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';
import { deployStatusItem } from '../deploy/deployPresentation';
import type { DeployStates } from '../deploy/deployState';
import { Disposable } from '../platform/disposable';

/**
 * `$(loading~spin) Deploying <service>` in the status bar while deploys run, whoever started them (a click, the
 * palette, Retry, Deploy All Stale); a click opens the deploying service's logs since its deploy started.
 */
export class DeployStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(private readonly states: DeployStates) {
    super();
    // Just right of the drift summary.
    this.item = this._register(vscode.window.createStatusBarItem('cloudRunDrift.deploying', vscode.StatusBarAlignment.Left, -1));
    this.item.name = 'Cloud Run Drift Deploys';
    this._register(states.onDidChange(() => this.update()));
    this.update();
  }

  private update(): void {
    const view = deployStatusItem(this.states.list());
    if (!view) {
      this.item.hide();
      return;
    }
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.accessibilityInformation = { label: view.accessibilityLabel };
    this.item.command = { command: COMMAND_IDS.openDeployLogs, title: 'Open Deploy Logs', arguments: view.service === null ? [] : [view.service] };
    this.item.show();
  }
}
