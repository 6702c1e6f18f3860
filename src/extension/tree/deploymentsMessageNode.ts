import * as vscode from 'vscode';
import { DEPLOY_CONTEXT_VALUES } from '../deploy/deployPresentation';
import type { DriftTreeNode, ServiceScoped } from './treeNode';

/** The one row under Deployments when there are no revisions to list, or they could not be read. */
export class DeploymentsMessageNode implements DriftTreeNode, ServiceScoped {
  constructor(
    readonly root: string,
    readonly serviceName: string,
    private readonly text: string,
    private readonly error: boolean,
  ) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.text, vscode.TreeItemCollapsibleState.None);
    item.id = `service:${this.serviceName}/deployments:message`;
    item.iconPath = this.error ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')) : new vscode.ThemeIcon('info');
    // Plain text: the message may carry API text.
    item.tooltip = this.text;
    item.contextValue = DEPLOY_CONTEXT_VALUES.deploymentsMessage;
    return item;
  }

  getChildren(): DriftTreeNode[] {
    return [];
  }
}
