import * as vscode from 'vscode';
import type { DeployStates } from '../deploy/deployState';
import type { DeploymentHistoryStore } from '../deploy/historyStore';
import { Disposable } from '../disposable';
import type { DriftSession } from '../driftSession';
import { ConfigProblemNode } from './configProblemNode';
import { DeploymentsNode } from './deploymentsNode';
import { ServiceNode } from './serviceNode';
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
  private readonly changeEmitter = this._register(new vscode.EventEmitter<DriftTreeNode | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;

  constructor(
    private readonly session: DriftSession,
    /** Deploy state for the spinner and the Deployments children; absent, the tree shows verdicts only. */
    private readonly deploys?: { states: DeployStates; history: DeploymentHistoryStore },
  ) {
    super();
    this._register(session.onDidChange(() => this.changeEmitter.fire(undefined)));
    if (deploys) this._register(deploys.states.onDidChange(() => this.changeEmitter.fire(undefined)));
  }

  getTreeItem(node: DriftTreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getChildren(node?: DriftTreeNode): DriftTreeNode[] | Promise<DriftTreeNode[]> {
    return node ? node.getChildren() : this.rootNodes();
  }

  /**
   * Services come from the configuration (so a new service shows at once, unchecked) and verdicts
   * from the last successful result, which a failed refresh never clears. An empty list lets the
   * welcome view for the state show.
   */
  private rootNodes(): DriftTreeNode[] {
    const state = this.session.state;
    if (state.kind === 'invalidConfig') return state.problems.map((p, i) => new ConfigProblemNode(state.file, p, i));
    if (state.kind !== 'ready') return [];
    const result = this.session.lastResult;
    const now = new Date();
    return state.config.services.map(
      (service) =>
        new ServiceNode({
          service,
          verdict: this.session.verdict(service.name),
          checkedAt: result?.checkedAt ?? null,
          failure: this.session.failure,
          refreshing: this.session.refreshing,
          now,
          deploying: this.deploys?.states.isDeploying(service.name) ? { phase: this.deploys.states.phase(service.name) } : undefined,
          history: this.deploys?.history,
        }),
    );
  }

  /** Deployments rows appear once an expansion loaded them: a snapshot never waits for, nor starts, a fetch. */
  snapshot(nodes: DriftTreeNode[] = this.rootNodes()): TreeSnapshotNode[] {
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
