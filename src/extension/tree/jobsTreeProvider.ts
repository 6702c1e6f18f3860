import * as vscode from 'vscode';
import { jobRow } from '../jobs/jobPresentation';
import type { JobRuns } from '../jobs/jobRuns';
import { Disposable } from '../platform/disposable';
import type { DriftSession } from '../session/driftSession';
import { JobNode } from './jobNode';
import type { DriftTreeNode } from './treeNode';

/**
 * The Data Jobs view: one row per configured job. Rows are kept per job and updated in place, and
 * only a change of the job list redraws the whole tree, for the reason ServicesTreeProvider gives:
 * a row's inline action clicked during a whole-tree redraw would reach its command with no row.
 */
export class JobsTreeProvider extends Disposable implements vscode.TreeDataProvider<DriftTreeNode> {
  private readonly changeEmitter = this._register(new vscode.EventEmitter<DriftTreeNode | DriftTreeNode[] | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly nodes = new Map<string, JobNode>();
  private shownNames = '';

  constructor(
    private readonly session: DriftSession,
    private readonly runs: JobRuns,
  ) {
    super();
    this._register(session.onDidChange(() => this.changed()));
    this._register(runs.onDidChange(() => this.changed()));
  }

  getTreeItem(node: DriftTreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getChildren(node?: DriftTreeNode): DriftTreeNode[] | Promise<DriftTreeNode[]> {
    if (node) return node.getChildren();
    const rows = this.rows();
    this.shownNames = rows.map((r) => r.jobName).join('\n');
    return rows;
  }

  private changed(): void {
    const rows = this.rows();
    const names = rows.map((r) => r.jobName).join('\n');
    if (names !== this.shownNames || rows.length === 0) this.changeEmitter.fire(undefined);
    else this.changeEmitter.fire(rows);
  }

  private rows(): JobNode[] {
    const state = this.session.state;
    const jobs = state.kind === 'ready' ? state.config.jobs : [];
    const now = new Date();
    const rows = jobs.map((job) => {
      const row = jobRow(job, this.runs.get(job.name), (name) => this.session.verdict(name), now);
      const node = this.nodes.get(job.name);
      if (!node) {
        const created = new JobNode(job, row);
        this.nodes.set(job.name, created);
        return created;
      }
      node.job = job;
      node.row = row;
      return node;
    });
    for (const name of [...this.nodes.keys()]) if (!jobs.some((j) => j.name === name)) this.nodes.delete(name);
    return rows;
  }
}
