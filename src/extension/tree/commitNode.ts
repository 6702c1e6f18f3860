import * as vscode from 'vscode';
import type { CommitInfo } from '../../core/model';
import { short } from '../../core/verdicts/verdict';
import { COMMAND_IDS } from '../commandIds';
import { CONTEXT_VALUES, formatAge } from '../views/presentation';
import { untrustedMarkdown } from './icons';
import { commitTooltipMarkdown } from './tooltip';
import type { DriftTreeNode, ServiceScoped } from './treeNode';

/** An undeployed commit touching the service's paths; opening it shows its patch limited to them. */
export class CommitNode implements DriftTreeNode, ServiceScoped {
  constructor(
    readonly root: string,
    readonly serviceName: string,
    readonly commit: CommitInfo,
    private readonly now: Date,
  ) {}

  get sha(): string {
    return this.commit.sha;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.commit.subject || short(this.commit.sha), vscode.TreeItemCollapsibleState.None);
    item.id = `service:${this.serviceName}/commit:${this.commit.sha}`;
    item.iconPath = new vscode.ThemeIcon('git-commit');
    item.description = [short(this.commit.sha), this.commit.author, formatAge(this.commit.date, this.now)].filter(Boolean).join(' · ');
    item.tooltip = untrustedMarkdown(commitTooltipMarkdown(this.commit, this.now));
    item.contextValue = CONTEXT_VALUES.commit;
    item.command = { command: COMMAND_IDS.showCommitPatch, title: 'Show Commit Patch', arguments: [this] };
    return item;
  }

  getChildren(): DriftTreeNode[] {
    return [];
  }
}
