import * as vscode from 'vscode';
import type { ServiceConfig } from '../../core/config';
import type { DeployPhase } from '../../core/deploy/runner';
import { missingPathProblems } from '../../core/verdicts/missingPaths';
import type { ServiceVerdict } from '../../core/model';
import { DEPLOYING_ICON, deployingDescription, withDeployingFlag } from '../deploy/deployPresentation';
import type { DeploymentHistoryStore } from '../deploy/historyStore';
import type { RefreshFailure } from '../session/driftSession';
import { displayStatus, isStaleData, listedCommits, serviceContextValue, statusLabel, uncheckedDescription } from '../views/presentation';
import { KIND_LABELS, unitDescription, unitIcon } from '../views/unitPresentation';
import { CommitNode } from './commitNode';
import { ConfigProblemNode } from './configProblemNode';
import { DeploymentsNode } from './deploymentsNode';
import { ExecutionNode } from './executionNode';
import { FailedRevisionNode } from './failedRevisionNode';
import { themeIcon, untrustedMarkdown } from './icons';
import { OlderCommitsNode } from './olderCommitsNode';
import { RevisionNode } from './revisionNode';
import { serviceTooltipMarkdown } from './tooltip';
import type { DriftTreeNode, ServiceScoped } from './treeNode';

export interface ServiceNodeInput {
  /** The repository the service belongs to (its session's root). */
  root: string;
  service: ServiceConfig;
  /** The cloud-run-drift.json the service comes from: where its path problems point. */
  configFile: string;
  verdict: ServiceVerdict | undefined;
  /** When the result holding `verdict` was computed. */
  checkedAt: string | null;
  /** What that result could not find out (CheckResult.warnings). */
  warnings: readonly string[];
  failure: RefreshFailure | undefined;
  refreshing: boolean;
  now: Date;
  /** Set while a deploy of the service runs: its phase (null before the first progress). */
  deploying?: { phase: DeployPhase | null };
  /** Where the Deployments child reads the history; without it there is no such child. */
  history?: DeploymentHistoryStore;
}

/**
 * A configured unit (a Cloud Run service, function or job) with its verdict; children are what
 * explains the verdict (a job's: its undeployed commits and recent executions). One instance per
 * unit for the tree's life, updated in place (see ServicesTreeProvider).
 */
export class ServiceNode implements DriftTreeNode, ServiceScoped {
  constructor(private input: ServiceNodeInput) {}

  update(input: ServiceNodeInput): void {
    this.input = input;
  }

  get serviceName(): string {
    return this.input.service.name;
  }

  get root(): string {
    return this.input.root;
  }

  getTreeItem(): vscode.TreeItem {
    const { service, verdict, failure, refreshing, now } = this.input;
    const status = displayStatus(verdict);
    const staleData = isStaleData(failure, verdict !== undefined);
    const hasChildren = this.hasChildren();
    const item = new vscode.TreeItem(
      service.name,
      hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = `service:${service.name}`;
    const deploying = this.input.deploying;
    item.iconPath = themeIcon(deploying ? DEPLOYING_ICON : unitIcon(service.kind, status, refreshing));
    if (deploying) item.description = deployingDescription(deploying.phase);
    else item.description = verdict ? unitDescription(verdict, now, staleData) : uncheckedDescription(refreshing);
    item.tooltip = untrustedMarkdown(
      serviceTooltipMarkdown({
        name: service.name,
        kind: service.kind,
        project: service.project,
        region: service.region,
        paths: service.paths,
        status,
        verdict,
        checkedAt: this.input.checkedAt,
        warnings: this.input.warnings,
        failure: failure && { message: failure.message, at: failure.at, dataCheckedAt: verdict ? this.input.checkedAt : null },
        now,
      }),
    );
    item.contextValue = withDeployingFlag(serviceContextValue(verdict, staleData, service.kind), deploying !== undefined);
    // A service's accessible name stays `<name>: <verdict>`; other kinds say what they are.
    const kind = service.kind === 'service' ? '' : `, ${KIND_LABELS[service.kind]}`;
    item.accessibilityInformation = { label: `${service.name}: ${statusLabel(status)}${kind}${staleData ? ', stale data' : ''}` };
    return item;
  }

  /** Whether getChildren() would return anything, without building the (possibly dozens of) nodes. */
  private hasChildren(): boolean {
    const { verdict } = this.input;
    if (!verdict) return false;
    return verdict.missingPaths.length > 0 || Boolean(verdict.failedRevision) || verdict.serving.length > 0 || this.hasDeployments() || verdict.commits.length > 0 || (verdict.executions?.length ?? 0) > 0;
  }

  /** Deployments lists a service's revisions: a job has none, and a unit Cloud Run does not have has none to list. */
  private hasDeployments(): boolean {
    const { service, verdict, history } = this.input;
    return Boolean(history) && service.kind === 'service' && verdict !== undefined && verdict.status !== 'not-found';
  }

  getChildren(): DriftTreeNode[] {
    const { service, verdict, now } = this.input;
    if (!verdict) return [];
    const children: DriftTreeNode[] = [];
    // First: until the configuration is fixed, nothing below is the whole story.
    missingPathProblems(service, verdict.missingPaths).forEach((problem, i) => children.push(new ConfigProblemNode(this.input.configFile, problem, `problem:${service.name}:${i}`)));
    if (verdict.failedRevision) children.push(new FailedRevisionNode(this.root, service.name, verdict.failedRevision, now));
    for (const serving of verdict.serving) children.push(new RevisionNode(this.root, service.name, serving, now));
    // Before the undeployed commits, which can run to dozens (a hundred are listed). A service Cloud Run does not have has no revisions to list.
    if (this.input.history && this.hasDeployments()) children.push(new DeploymentsNode(this.root, service.name, this.input.history));
    const { listed, older } = listedCommits(verdict.commits);
    for (const commit of listed) children.push(new CommitNode(this.root, service.name, commit, now));
    if (older) children.push(new OlderCommitsNode(this.root, service.name, older));
    // A job's recent executions, newest first: what ran, on which code, and how it ended.
    for (const execution of verdict.executions ?? []) children.push(new ExecutionNode(this.root, service.name, execution, now));
    return children;
  }
}
