import * as vscode from 'vscode';
import type { DeploymentHistory } from '../../core/deploy/history';
import { DEPLOY_CONTEXT_VALUES, deploymentsMessage } from '../deploy/deployPresentation';
import type { DeploymentHistoryStore } from '../deploy/historyStore';
import { DeploymentNode } from './deploymentNode';
import { DeploymentsMessageNode } from './deploymentsMessageNode';
import type { DriftTreeNode, ServiceScoped } from './treeNode';

/**
 * "Deployments" under a service: its last revisions. Lazy: revisions are listed only when the node
 * is expanded (VS Code asks a collapsed node for nothing), and the store keeps them until the next
 * check or deploy of the service, so the tree's frequent rebuilds reuse them.
 */
export class DeploymentsNode implements DriftTreeNode, ServiceScoped {
  constructor(
    readonly root: string,
    readonly serviceName: string,
    private readonly history: DeploymentHistoryStore,
  ) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Deployments', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `service:${this.serviceName}/deployments`;
    item.iconPath = new vscode.ThemeIcon('history');
    item.tooltip = `The last revisions of ${this.serviceName}: commit, age, traffic and readiness`;
    item.contextValue = DEPLOY_CONTEXT_VALUES.deployments;
    return item;
  }

  getChildren(): DriftTreeNode[] | Promise<DriftTreeNode[]> {
    const loaded = this.history.peek(this.serviceName);
    if (loaded) return this.rows(loaded);
    return this.history.get(this.serviceName).then((history) => this.rows(history));
  }

  /** The rows already loaded, without starting a fetch (for snapshots); empty before the first expansion. */
  loadedChildren(): DriftTreeNode[] {
    const loaded = this.history.peek(this.serviceName);
    return loaded ? this.rows(loaded) : [];
  }

  private rows(history: DeploymentHistory): DriftTreeNode[] {
    const message = deploymentsMessage(history);
    if (message) return [new DeploymentsMessageNode(this.root, this.serviceName, message.text, message.error)];
    if (history.kind !== 'ok') return [];
    const now = Date.now();
    return history.entries.map((entry) => new DeploymentNode(this.root, this.serviceName, entry, now));
  }
}
