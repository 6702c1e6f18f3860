import * as vscode from 'vscode';
import type { DataJobConfig } from '../../core/config';
import { COMMAND_IDS } from '../commandIds';
import type { JobRow } from '../jobs/jobPresentation';
import { themeIcon } from './icons';
import type { DriftTreeNode, JobScoped } from './treeNode';

/** A data job of the configuration: its last run in this window, its guards in the tooltip. */
export class JobNode implements DriftTreeNode, JobScoped {
  readonly jobName: string;

  constructor(
    readonly root: string,
    public job: DataJobConfig,
    public row: JobRow,
  ) {
    this.jobName = job.name;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.job.name, vscode.TreeItemCollapsibleState.None);
    item.id = `job:${this.job.name}`;
    item.description = this.row.description;
    item.iconPath = themeIcon(this.row.icon);
    // A plain string: nothing in it is rendered as markdown or links.
    item.tooltip = this.row.tooltip;
    item.contextValue = this.row.contextValue;
    item.accessibilityInformation = { label: `${this.job.name}: ${this.row.description || 'data job'}` };
    if (this.job.scoreboard !== undefined) {
      item.command = { command: COMMAND_IDS.showScoreboard, title: 'Show Data Job Scoreboard', arguments: [this] };
    }
    return item;
  }

  getChildren(): DriftTreeNode[] {
    return [];
  }
}
