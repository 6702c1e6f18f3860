import * as vscode from 'vscode';
import { jobRow } from '../jobs/jobPresentation';
import { Disposable } from '../platform/disposable';
import type { Repo } from '../session/repo';
import { RepoListeners } from '../session/repoListeners';
import type { RepoList } from '../session/repoSessions';
import { JobNode } from './jobNode';
import { RepositoryNode } from './repositoryNode';
import type { DriftTreeNode } from './treeNode';

/**
 * The Data Jobs view: one row per configured job; with jobs in two or more repositories, a group row
 * per repository (named after its folder) holds its jobs. Rows are kept per job and updated in place,
 * and only a change of the job list redraws the whole tree, for the reason ServicesTreeProvider gives:
 * a row's inline action clicked during a whole-tree redraw would reach its command with no row.
 */
export class JobsTreeProvider extends Disposable implements vscode.TreeDataProvider<DriftTreeNode> {
  private readonly changeEmitter = this._register(new vscode.EventEmitter<DriftTreeNode | DriftTreeNode[] | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  /** Per repository root, per job name. */
  private readonly nodes = new Map<string, Map<string, JobNode>>();
  private readonly groups = new Map<string, RepositoryNode>();
  private readonly runListeners = this._register(new RepoListeners<Repo>((repo) => repo.jobs.runs.onDidChange(() => this.changed())));
  private shownShape = '';
  private grouped = false;

  constructor(private readonly repos: RepoList) {
    super();
    this._register(repos.onDidChange(() => this.changed()));
    this.listenToRuns();
  }

  getTreeItem(node: DriftTreeNode): vscode.TreeItem {
    const item = node.getTreeItem();
    if (this.grouped && node instanceof JobNode && item.id !== undefined) item.id = `repository:${node.root}/${item.id}`;
    return item;
  }

  getChildren(node?: DriftTreeNode): DriftTreeNode[] | Promise<DriftTreeNode[]> {
    if (node) return node.getChildren();
    const { nodes, shape } = this.top();
    this.shownShape = shape;
    return nodes;
  }

  private changed(): void {
    this.listenToRuns();
    const { nodes, shape } = this.top();
    if (shape !== this.shownShape || nodes.length === 0) this.changeEmitter.fire(undefined);
    else this.changeEmitter.fire(this.grouped ? [...nodes, ...nodes.flatMap((n) => n.getChildren() as DriftTreeNode[])] : nodes);
  }

  private listenToRuns(): void {
    this.runListeners.sync(this.repos.list());
  }

  private top(): { nodes: DriftTreeNode[]; shape: string } {
    const withJobs = this.repos.list().filter((repo) => this.rows(repo).length > 0);
    for (const root of [...this.nodes.keys()]) if (!withJobs.some((r) => r.root === root)) this.nodes.delete(root);
    this.grouped = withJobs.length > 1;
    if (!this.grouped) {
      const rows = withJobs[0] ? this.rows(withJobs[0]) : [];
      return { nodes: rows, shape: rows.map((r) => r.jobName).join('\n') };
    }
    const nodes = withJobs.map((repo) => {
      const count = this.rows(repo).length;
      const input = { name: repo.name, description: `${count} ${count === 1 ? 'job' : 'jobs'}`, state: repo.session.state.kind, folders: repo.folders.map((f) => f.name), rows: () => this.rows(repo) };
      const group = this.groups.get(repo.root);
      if (group) {
        group.update(input);
        return group;
      }
      const created = new RepositoryNode(repo.root, input);
      this.groups.set(repo.root, created);
      return created;
    });
    for (const root of [...this.groups.keys()]) if (!withJobs.some((r) => r.root === root)) this.groups.delete(root);
    return { nodes, shape: withJobs.map((r) => `${r.root}:${this.rows(r).map((n) => n.jobName).join(',')}`).join('\n') };
  }

  private rows(repo: Repo): JobNode[] {
    const state = repo.session.state;
    const jobs = state.kind === 'ready' ? state.config.jobs : [];
    const now = new Date();
    let cache = this.nodes.get(repo.root);
    if (!cache) {
      cache = new Map();
      this.nodes.set(repo.root, cache);
    }
    const rows = jobs.map((job) => {
      // This window's runs and, for a Cloud Run job's data job, its executions as the last check read them.
      const state = repo.jobs.stateOf(job);
      const row = jobRow(job, state, (name) => repo.session.verdict(name), now);
      let node = cache.get(job.name);
      if (!node) {
        node = new JobNode(repo.root, job, row);
        cache.set(job.name, node);
      }
      node.job = job;
      node.row = row;
      node.runs = state.recent;
      return node;
    });
    for (const name of [...cache.keys()]) if (!jobs.some((j) => j.name === name)) cache.delete(name);
    return rows;
  }
}
