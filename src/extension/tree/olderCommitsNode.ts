import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';
import type { DriftTreeNode, ServiceScoped } from './treeNode';

/** The row after a unit's listed undeployed commits (listedCommits) that counts the older ones; opening it picks from all of them. */
export class OlderCommitsNode implements DriftTreeNode, ServiceScoped {
  constructor(
    readonly root: string,
    readonly serviceName: string,
    private readonly row: { label: string; tooltip: string },
  ) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.row.label, vscode.TreeItemCollapsibleState.None);
    item.id = `service:${this.serviceName}/commits:older`;
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.tooltip = this.row.tooltip;
    // VS Code reads a plain-text tooltip to a screen reader in place of the label: the label is what the row says.
    item.accessibilityInformation = { label: this.row.label };
    // The unit's row, not a commit's: Show Commit Patch then picks from every undeployed commit.
    item.command = { command: COMMAND_IDS.showCommitPatch, title: 'Show Commit Patch', arguments: [this] };
    return item;
  }

  getChildren(): DriftTreeNode[] {
    return [];
  }
}
