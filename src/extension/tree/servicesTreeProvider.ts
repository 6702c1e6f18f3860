import * as vscode from 'vscode';
import type { DeployStates } from '../deploy/deployState';
import type { DeploymentHistoryStore } from '../deploy/historyStore';
import { Disposable } from '../disposable';
import type { DriftSession } from '../driftSession';
import type { TreeRefreshCounts } from '../platform/testHooks';
import { ConfigProblemNode } from './configProblemNode';
import { DeploymentsNode } from './deploymentsNode';
import { ServiceNode, type ServiceNodeInput } from './serviceNode';
import type { DriftTreeNode } from './treeNode';

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

export class ServicesTreeProvider extends Disposable implements vscode.TreeDataProvider<DriftTreeNode> {
  private readonly changeEmitter = this._register(new vscode.EventEmitter<DriftTreeNode | DriftTreeNode[] | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  /** One node per service, updated in place: VS Code keeps resolving a row to the same element. */
  private readonly serviceNodes = new Map<string, ServiceNode>();
  /** The root rows VS Code last asked for (see rootShape). */
  private shownShape: string | undefined;

  constructor(
    private readonly session: DriftSession,
    /** Deploy state for the spinner and the Deployments children; absent, the tree shows verdicts only. */
    private readonly deploys?: { states: DeployStates; history: DeploymentHistoryStore },
    /** Kept only when the extension runs for tests (see platform/testHooks.ts). */
    private readonly counts?: TreeRefreshCounts,
  ) {
    super();
    this._register(session.onDidChange(() => this.changed()));
    if (deploys) this._register(deploys.states.onDidChange(() => this.changed()));
  }

  getTreeItem(node: DriftTreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getChildren(node?: DriftTreeNode): DriftTreeNode[] | Promise<DriftTreeNode[]> {
    if (node) return node.getChildren();
    const { nodes, shape } = this.rootNodes();
    this.shownShape = shape;
    if (this.counts) this.counts.rootFetches += 1;
    return nodes;
  }

  /**
   * Redraws only the service rows when the rows themselves stay (the common case: a refresh, a
   * deploy's progress). A whole-tree redraw makes VS Code forget every row's element until it has
   * asked for them again, and a row action clicked in that moment reaches its command with no
   * row at all (the command then asks which service), so it is kept for real changes of rows.
   */
  private changed(): void {
    const { nodes, shape } = this.rootNodes();
    if (shape !== this.shownShape || nodes.length === 0) {
      if (this.counts) this.counts.root += 1;
      this.changeEmitter.fire(undefined);
    } else {
      if (this.counts) this.counts.rows += 1;
      this.changeEmitter.fire(nodes);
    }
  }

  /**
   * Services come from the configuration (so a new service shows at once, unchecked) and verdicts
   * from the last successful result, which a failed refresh never clears. An empty list lets the
   * welcome view for the state show. `shape` names the rows and their order.
   */
  private rootNodes(): { nodes: DriftTreeNode[]; shape: string } {
    const state = this.session.state;
    if (state.kind === 'invalidConfig') {
      this.serviceNodes.clear();
      return { nodes: state.problems.map((p, i) => new ConfigProblemNode(state.file, p, `problem:${i}`)), shape: `invalid:${JSON.stringify(state.problems)}` };
    }
    if (state.kind !== 'ready') {
      this.serviceNodes.clear();
      return { nodes: [], shape: state.kind };
    }
    const result = this.session.lastResult;
    const now = new Date();
    const names = new Set(state.config.services.map((s) => s.name));
    for (const name of this.serviceNodes.keys()) if (!names.has(name)) this.serviceNodes.delete(name);
    const nodes = state.config.services.map((service) => {
      const input: ServiceNodeInput = {
        service,
        configFile: state.config.file,
        verdict: this.session.verdict(service.name),
        checkedAt: result?.checkedAt ?? null,
        warnings: result?.warnings ?? [],
        failure: this.session.failure,
        refreshing: this.session.refreshing,
        now,
        deploying: this.deploys?.states.isDeploying(service.name) ? { phase: this.deploys.states.phase(service.name) } : undefined,
        history: this.deploys?.history,
      };
      const existing = this.serviceNodes.get(service.name);
      if (existing) {
        existing.update(input);
        return existing;
      }
      const created = new ServiceNode(input);
      this.serviceNodes.set(service.name, created);
      return created;
    });
    return { nodes, shape: `ready:${[...names].join('\n')}` };
  }

  /** Deployments rows appear once an expansion loaded them: a snapshot never waits for, nor starts, a fetch. */
  snapshot(nodes: DriftTreeNode[] = this.rootNodes().nodes): TreeSnapshotNode[] {
    return nodes.map((node) => {
      const children = node instanceof DeploymentsNode ? node.loadedChildren() : node.getChildren();
      const item = node.getTreeItem();
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
