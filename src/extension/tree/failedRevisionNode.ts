import * as vscode from 'vscode';
import type { RevisionFacts } from '../../core/model';
import { firstLine } from '../../core/text/messageText';
import { CONTEXT_VALUES, verdictIcon } from '../views/presentation';
import { themeIcon, untrustedMarkdown } from './icons';
import { failedRevisionTooltipMarkdown } from './tooltip';
import type { DriftTreeNode, ServiceScoped } from './treeNode';

/** The latest created revision that failed to become ready, even while an older one still serves. */
export class FailedRevisionNode implements DriftTreeNode, ServiceScoped {
  constructor(
    readonly root: string,
    readonly serviceName: string,
    readonly revision: RevisionFacts,
    private readonly now: Date,
  ) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.revision.name, vscode.TreeItemCollapsibleState.None);
    item.id = `service:${this.serviceName}/failed:${this.revision.name}`;
    item.iconPath = themeIcon(verdictIcon('deploy-failed'));
    item.description = `failed: ${firstLine(this.revision.readyMessage ?? 'not ready', 120)}`;
    item.tooltip = untrustedMarkdown(failedRevisionTooltipMarkdown(this.revision, this.now));
    item.contextValue = CONTEXT_VALUES.failedRevision;
    return item;
  }

  getChildren(): DriftTreeNode[] {
    return [];
  }
}
