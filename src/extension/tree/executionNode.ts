import * as vscode from 'vscode';
import type { ExecutionVerdict } from '../../core/model';
import { CONTEXT_VALUES } from '../views/presentation';
import { executionIcon, executionLine } from '../views/unitPresentation';
import { themeIcon, untrustedMarkdown } from './icons';
import { executionTooltipMarkdown } from './tooltip';
import type { DriftTreeNode, ServiceScoped } from './treeNode';

/** One recent execution of a Cloud Run job: its status, tasks, when, how long and the commit it ran. Open Logs shows its entries. */
export class ExecutionNode implements DriftTreeNode, ServiceScoped {
  constructor(
    readonly root: string,
    /** The job's name (service-taking commands accept this node as the job). */
    readonly serviceName: string,
    readonly execution: ExecutionVerdict,
    private readonly now: Date,
  ) {}

  get executionName(): string {
    return this.execution.name;
  }

  getTreeItem(): vscode.TreeItem {
    const e = this.execution;
    const item = new vscode.TreeItem(e.name, vscode.TreeItemCollapsibleState.None);
    item.id = `service:${this.serviceName}/execution:${e.name}`;
    item.iconPath = themeIcon(executionIcon(e.status));
    item.description = executionLine(e, this.now);
    item.tooltip = untrustedMarkdown(executionTooltipMarkdown(e, this.now));
    item.contextValue = CONTEXT_VALUES.execution;
    item.accessibilityInformation = { label: `${e.name}: ${e.status}` };
    return item;
  }

  getChildren(): DriftTreeNode[] {
    return [];
  }
}
