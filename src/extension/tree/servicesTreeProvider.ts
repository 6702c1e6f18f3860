import * as vscode from 'vscode';
import { Disposable } from '../platform/disposable';
import type { TreeRefreshCounts } from '../platform/testHooks';
import type { Repo } from '../session/repo';
import { RepoListeners } from '../session/repoListeners';
import type { RepoList } from '../session/repoSessions';
import { repoSummary } from '../views/presentation';
import { repoStatus } from '../views/repoStatus';
import { ConfigProblemNode } from './configProblemNode';
import { DeploymentsNode } from './deploymentsNode';
import { RepositoryNode } from './repositoryNode';
import { ServiceNode, type ServiceNodeInput } from './serviceNode';
import { isRepoScoped, type DriftTreeNode } from './treeNode';

/** What a tree item shows, as plain data: for e2e tests (through the API) and debugging. */
export interface TreeSnapshotNode {
  id: string | undefined;
  label: string;
  description: string | undefined;
  icon: string | undefined;
  color: string | undefined;
  contextValue: string | undefined;
  tooltip: string | undefined;
  command: string | undefined;
  children: TreeSnapshotNode[];
}

/** A repository's rows as last built, and the shape VS Code last fetched them in. */
interface RepoRows {
  services: Map<string, ServiceNode>;
  group: RepositoryNode | undefined;
  /** The group's children VS Code last asked for (names and order), and the group's description then. */
  shownShape: string | undefined;
  shownDescription: string | undefined;
}

/**
 * The Services tree. With one repository (or none) its rows are the top level, as they always were;
 * with two or more, each repository is a group row named after its folder, holding its rows. Item
 * ids are the rows' own (`service:<name>`…), prefixed with the group's id when grouped, so a
 * service of the same name in two repositories stays two rows.
 */
export class ServicesTreeProvider extends Disposable implements vscode.TreeDataProvider<DriftTreeNode> {
  private readonly changeEmitter = this._register(new vscode.EventEmitter<DriftTreeNode | DriftTreeNode[] | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  /** Per repository root: one node per service, updated in place, so VS Code keeps resolving a row to the same element. */
  private readonly repoRows = new Map<string, RepoRows>();
  private readonly deployListeners = this._register(new RepoListeners<Repo>((repo) => repo.deploys.states.onDidChange(() => this.changed())));
  /** The root rows VS Code last asked for (see rootShape). */
  private shownShape: string | undefined;
  private grouped = false;

  constructor(
    private readonly repos: RepoList,
    /** Kept only when the extension runs for tests (see platform/testHooks.ts). */
    private readonly counts?: TreeRefreshCounts,
  ) {
    super();
    this._register(repos.onDidChange(() => this.changed()));
    this.listenToDeploys();
  }

  getTreeItem(node: DriftTreeNode): vscode.TreeItem {
    const item = node.getTreeItem();
    // Grouped, a row's id is unique within its repository only.
    if (this.grouped && item.id !== undefined && !(node instanceof RepositoryNode) && isRepoScoped(node)) item.id = `repository:${node.root}/${item.id}`;
    return item;
  }

  getChildren(node?: DriftTreeNode): DriftTreeNode[] | Promise<DriftTreeNode[]> {
    if (node instanceof RepositoryNode) {
      const repo = this.repos.get(node.root);
      if (!repo) return [];
      const { nodes, shape } = this.rowsOf(repo);
      const rows = this.cacheOf(node.root);
      rows.shownShape = shape;
      rows.shownDescription = node.description;
      return nodes;
    }
    if (node) return node.getChildren();
    const { nodes, shape } = this.rootNodes();
    this.shownShape = shape;
    if (this.counts) this.counts.rootFetches += 1;
    return nodes;
  }

  /**
   * Redraws only the rows when the rows themselves stay (the common case: a refresh, a deploy's
   * progress). A whole-tree redraw makes VS Code forget every row's element until it has asked for
   * them again, and a row action clicked in that moment reaches its command with no row at all (the
   * command then asks which service), so it is kept for real changes of rows. Grouped, a group is
   * redrawn (with its rows) only when its rows or its summary changed; otherwise only its rows are.
   */
  private changed(): void {
    this.listenToDeploys();
    const { nodes, shape } = this.rootNodes();
    if (shape !== this.shownShape || nodes.length === 0) {
      if (this.counts) this.counts.root += 1;
      this.changeEmitter.fire(undefined);
      return;
    }
    if (this.counts) this.counts.rows += 1;
    if (!this.grouped) {
      this.changeEmitter.fire(nodes);
      return;
    }
    const elements: DriftTreeNode[] = [];
    for (const group of nodes as RepositoryNode[]) {
      const repo = this.repos.get(group.root);
      if (!repo) continue;
      const rows = this.cacheOf(group.root);
      const children = this.rowsOf(repo);
      if (rows.shownShape !== children.shape || rows.shownDescription !== group.description) elements.push(group);
      else elements.push(...children.nodes);
    }
    if (elements.length > 0) this.changeEmitter.fire(elements);
  }

  /** Deploys draw a spinner on their row: every repository's deploy states are listened to. */
  private listenToDeploys(): void {
    this.deployListeners.sync(this.repos.list());
  }

  /**
   * Services come from the configuration (so a new service shows at once, unchecked) and verdicts
   * from the last successful result, which a failed refresh never clears. An empty list lets the
   * welcome view for the state show. `shape` names the rows and their order.
   */
  private rootNodes(): { nodes: DriftTreeNode[]; shape: string } {
    const repos = this.repos.list();
    for (const root of [...this.repoRows.keys()]) if (!repos.some((r) => r.root === root)) this.repoRows.delete(root);
    this.grouped = repos.length > 1;
    if (!this.grouped) {
      const only = repos[0];
      if (!only) return { nodes: [], shape: this.repos.state };
      return this.rowsOf(only);
    }
    const nodes = repos.map((repo) => {
      const rows = this.cacheOf(repo.root);
      const input = {
        name: repo.name,
        description: repoSummary(repoStatus(repo)),
        state: repo.session.state.kind,
        folders: repo.folders.map((f) => f.name),
        rows: () => this.rowsOf(repo).nodes,
      };
      if (rows.group) rows.group.update(input);
      else rows.group = new RepositoryNode(repo.root, input);
      return rows.group;
    });
    return { nodes, shape: `repositories:${repos.map((r) => r.root).join('\n')}` };
  }

  private cacheOf(root: string): RepoRows {
    let rows = this.repoRows.get(root);
    if (!rows) {
      rows = { services: new Map(), group: undefined, shownShape: undefined, shownDescription: undefined };
      this.repoRows.set(root, rows);
    }
    return rows;
  }

  /** One repository's rows (its services, or its configuration's problems) and their shape. */
  private rowsOf(repo: Repo): { nodes: DriftTreeNode[]; shape: string } {
    const { session, deploys } = repo;
    const cache = this.cacheOf(repo.root).services;
    const state = session.state;
    if (state.kind === 'invalidConfig') {
      cache.clear();
      return { nodes: state.problems.map((p, i) => new ConfigProblemNode(state.file, p, `problem:${i}`)), shape: `invalid:${JSON.stringify(state.problems)}` };
    }
    if (state.kind !== 'ready') {
      cache.clear();
      return { nodes: [], shape: state.kind };
    }
    const result = session.lastResult;
    const now = new Date();
    const names = new Set(state.config.services.map((s) => s.name));
    for (const name of cache.keys()) if (!names.has(name)) cache.delete(name);
    const nodes = state.config.services.map((service) => {
      const input: ServiceNodeInput = {
        root: repo.root,
        service,
        configFile: state.config.file,
        verdict: session.verdict(service.name),
        checkedAt: result?.checkedAt ?? null,
        warnings: result?.warnings ?? [],
        failure: session.failure,
        refreshing: session.refreshing,
        now,
        deploying: deploys.states.isDeploying(service.name) ? { phase: deploys.states.phase(service.name) } : undefined,
        history: deploys.history,
      };
      const existing = cache.get(service.name);
      if (existing) {
        existing.update(input);
        return existing;
      }
      const created = new ServiceNode(input);
      cache.set(service.name, created);
      return created;
    });
    return { nodes, shape: `ready:${[...names].join('\n')}` };
  }

  /** A unit's row (built when not built yet), for revealing it; undefined when the repository does not configure it. */
  unitRow(root: string, name: string): ServiceNode | undefined {
    const repo = this.repos.get(root);
    if (!repo) return undefined;
    this.rootNodes();
    this.rowsOf(repo);
    return this.cacheOf(root).services.get(name);
  }

  /** A unit's row lies under its repository's group when grouped, at the top otherwise; what lies below rows is not revealed. */
  getParent(node: DriftTreeNode): DriftTreeNode | undefined {
    if (!this.grouped || !(node instanceof ServiceNode)) return undefined;
    return this.repoRows.get(node.root)?.group;
  }

  /** One repository's rows as they show (under its group when grouped); empty for a root not open. */
  repositorySnapshot(root: string): TreeSnapshotNode[] {
    const repo = this.repos.get(root);
    if (!repo) return [];
    this.rootNodes();
    return this.snapshot(this.rowsOf(repo).nodes);
  }

  /** Deployments rows appear once an expansion loaded them: a snapshot never waits for, nor starts, a fetch. */
  snapshot(nodes: DriftTreeNode[] = this.rootNodes().nodes): TreeSnapshotNode[] {
    return nodes.map((node) => {
      const children = node instanceof DeploymentsNode ? node.loadedChildren() : node.getChildren();
      const item = this.getTreeItem(node);
      const icon = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath : undefined;
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : item.tooltip;
      return {
        id: item.id,
        label,
        description: typeof item.description === 'string' ? item.description : undefined,
        icon: icon?.id,
        color: icon?.color?.id,
        contextValue: item.contextValue,
        tooltip,
        command: item.command?.command,
        children: Array.isArray(children) ? this.snapshot(children) : [],
      };
    });
  }
}

