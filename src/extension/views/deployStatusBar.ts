import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';
import { deployStatusItem } from '../deploy/deployPresentation';
import { Disposable } from '../platform/disposable';
import type { DisposableLike } from '../platform/emitter';
import type { RepoList } from '../session/repoSessions';

/**
 * `$(loading~spin) Deploying <service>` in the status bar while deploys run in any repository, whoever started them
 * (a click, the palette, Retry, Deploy All Stale); a click opens the deploying service's logs since its deploy started.
 */
export class DeployStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly listeners = new Map<string, DisposableLike>();

  constructor(private readonly repos: RepoList) {
    super();
    // Just right of the drift summary.
    this.item = this._register(vscode.window.createStatusBarItem('cloudRunDrift.deploying', vscode.StatusBarAlignment.Left, -1));
    this.item.name = 'Cloud Run Drift Deploys';
    this._register({ dispose: () => [...this.listeners.values()].forEach((l) => l.dispose()) });
    this._register(repos.onDidChange(() => this.listen()));
    this.listen();
  }

  /** Follows the deploy states of the repositories there are now. */
  private listen(): void {
    const repos = new Map(this.repos.list().map((r) => [r.root, r]));
    for (const [root, listener] of this.listeners) {
      if (repos.has(root)) continue;
      listener.dispose();
      this.listeners.delete(root);
    }
    for (const [root, repo] of repos) {
      if (!this.listeners.has(root)) this.listeners.set(root, repo.deploys.states.onDidChange(() => this.update()));
    }
    this.update();
  }

  private update(): void {
    const repos = this.repos.list();
    const view = deployStatusItem(repos.flatMap((r) => r.deploys.states.list()));
    if (!view) {
      this.item.hide();
      return;
    }
    const deploying = view.service === null ? undefined : repos.find((r) => r.deploys.states.isDeploying(view.service!));
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.accessibilityInformation = { label: view.accessibilityLabel };
    this.item.command = {
      command: COMMAND_IDS.openDeployLogs,
      title: 'Open Deploy Logs',
      arguments: view.service === null ? [] : [deploying ? { serviceName: view.service, root: deploying.root } : view.service],
    };
    this.item.show();
  }
}
