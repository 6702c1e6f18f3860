import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';
import { deployStatusItem } from '../deploy/deployPresentation';
import { Disposable } from '../platform/disposable';
import type { Repo } from '../session/repo';
import { RepoListeners } from '../session/repoListeners';
import type { RepoList } from '../session/repoSessions';

/**
 * `$(loading~spin) Deploying <service>` in the status bar while deploys run in any repository, whoever started them
 * (a click, the palette, Retry, Deploy All Stale); a click opens the deploying service's logs since its deploy started.
 */
export class DeployStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly listeners = this._register(new RepoListeners<Repo>((repo) => repo.deploys.states.onDidChange(() => this.update())));

  constructor(private readonly repos: RepoList) {
    super();
    // Just right of the drift summary.
    this.item = this._register(vscode.window.createStatusBarItem('cloudRunDrift.deploying', vscode.StatusBarAlignment.Left, -1));
    this.item.name = 'Cloud Run Drift Deploys';
    this._register(repos.onDidChange(() => this.listen()));
    this.listen();
  }

  /** Follows the deploy states of the repositories there are now. */
  private listen(): void {
    this.listeners.sync(this.repos.list());
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
