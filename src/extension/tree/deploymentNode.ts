import * as vscode from 'vscode';
import type { DeploymentEntry } from '../../core/deploy/history';
import { DEPLOY_CONTEXT_VALUES, deploymentRow } from '../deploy/deployPresentation';
import { canTakeAllTraffic } from '../../core/deploy/history';
import { themeIcon, untrustedMarkdown } from './icons';
import type { DriftTreeNode, ServiceScoped } from './treeNode';

/** One revision in a service's Deployments history (labels and messages are API text: shown, never run). */
export class DeploymentNode implements DriftTreeNode, ServiceScoped {
  constructor(
    readonly root: string,
    readonly serviceName: string,
    readonly entry: DeploymentEntry,
    private readonly now: number,
  ) {}

  getTreeItem(): vscode.TreeItem {
    const row = deploymentRow(this.entry, this.now);
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = `service:${this.serviceName}/deployment:${this.entry.revision}`;
    item.iconPath = themeIcon(row.icon);
    item.description = row.description;
    item.tooltip = untrustedMarkdown(row.tooltip);
    item.contextValue = canTakeAllTraffic(this.entry) ? DEPLOY_CONTEXT_VALUES.routableDeployment : DEPLOY_CONTEXT_VALUES.deployment;
    return item;
  }

  getChildren(): DriftTreeNode[] {
    return [];
  }
}
