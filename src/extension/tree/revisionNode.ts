import * as vscode from 'vscode';
import type { ServingVerdict } from '../../core/model';
import { short } from '../../core/verdicts/verdict';
import { CONTEXT_VALUES, statusLabel, verdictIcon } from '../views/presentation';
import { themeIcon, untrustedMarkdown } from './icons';
import { revisionTooltipMarkdown } from './tooltip';
import type { DriftTreeNode, ServiceScoped } from './treeNode';

/** A revision receiving traffic, with its share and its own verdict (a split can mix verdicts). */
export class RevisionNode implements DriftTreeNode, ServiceScoped {
  constructor(
    readonly root: string,
    readonly serviceName: string,
    readonly serving: ServingVerdict,
    private readonly now: Date,
  ) {}

  getTreeItem(): vscode.TreeItem {
    const s = this.serving;
    const item = new vscode.TreeItem(s.revision, vscode.TreeItemCollapsibleState.None);
    item.id = `service:${this.serviceName}/revision:${s.revision}`;
    item.iconPath = themeIcon(verdictIcon(s.status));
    const commit = s.commit ? short(s.commit) : s.commitLabel ? `label ${s.commitLabel}` : 'no commit label';
    item.description = `${s.percent}% · ${commit} · ${statusLabel(s.status)}`;
    item.tooltip = untrustedMarkdown(revisionTooltipMarkdown(s, this.now));
    item.contextValue = CONTEXT_VALUES.revision;
    return item;
  }

  getChildren(): DriftTreeNode[] {
    return [];
  }
}
