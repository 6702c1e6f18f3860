import * as vscode from 'vscode';
import type { DataJobConfig } from '../../core/config';
import { COMMAND_IDS } from '../commandIds';
import { jobRunRow, type JobRow, type JobRunRow } from '../jobs/jobPresentation';
import type { JobRunRecord } from '../../core/jobs/runs';
import { themeIcon } from './icons';
import type { DriftTreeNode, JobScoped } from './treeNode';

/** A data job of the configuration: its last run in this window, its guards in the tooltip; its last runs below it. */
export class JobNode implements DriftTreeNode, JobScoped {
  readonly jobName: string;
  /** Its last runs, newest first. */
  public runs: JobRunRecord[] = [];

  constructor(
    readonly root: string,
    public job: DataJobConfig,
    public row: JobRow,
  ) {
    this.jobName = job.name;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.job.name, this.runs.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
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
    const now = new Date();
    return this.runs.map((run, i) => new JobRunNode(this.root, this.job.name, run, jobRunRow(run, now), i));
  }
}

/** One of a job's last runs; a failed or cancelled one can be run again for its range (Run Data Job with this row). */
export class JobRunNode implements DriftTreeNode, JobScoped {
  constructor(
    readonly root: string,
    readonly jobName: string,
    readonly run: JobRunRecord,
    private readonly row: JobRunRow,
    private readonly index: number,
  ) {}

  /** The range Run Data Job runs again when invoked on this row. */
  get range(): { start: string; end: string } {
    return { start: this.run.range.start, end: this.run.range.end };
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.row.label, vscode.TreeItemCollapsibleState.None);
    // An execution keeps its row (and the row its place) from running to ended.
    item.id = this.run.execution ? `job:${this.jobName}/execution:${this.run.execution.name}` : `job:${this.jobName}/run:${this.run.startedAt ?? this.run.endedAt}/${this.index}`;
    item.description = this.row.description;
    item.iconPath = themeIcon(this.row.icon);
    item.tooltip = this.row.tooltip;
    item.contextValue = this.row.contextValue;
    item.accessibilityInformation = { label: `${this.jobName} ${this.row.label}: ${this.row.description}` };
    return item;
  }

  getChildren(): DriftTreeNode[] {
    return [];
  }
}
