import type * as vscode from 'vscode';

/** One node kind per class; the provider only asks nodes for their item and children. */
export interface DriftTreeNode {
  getTreeItem(): vscode.TreeItem;
  /** A promise only where children are fetched on expansion (Deployments). */
  getChildren(): DriftTreeNode[] | Promise<DriftTreeNode[]>;
}

/** Nodes that belong to a repository (its session's root): commands act on that repository. */
export interface RepoScoped {
  readonly root: string;
}

export function isRepoScoped(value: unknown): value is RepoScoped {
  return typeof value === 'object' && value !== null && typeof (value as { root?: unknown }).root === 'string';
}

/** Nodes that belong to a service; service-taking commands accept any of them as their argument. */
export interface ServiceScoped extends RepoScoped {
  readonly serviceName: string;
}

export function isServiceScoped(value: unknown): value is { serviceName: string; root?: string } {
  return typeof value === 'object' && value !== null && typeof (value as { serviceName?: unknown }).serviceName === 'string';
}

/** Nodes that stand for a data job; job-taking commands accept them as their argument. */
export interface JobScoped extends RepoScoped {
  readonly jobName: string;
}

export function isJobScoped(value: unknown): value is { jobName: string; root?: string } {
  return typeof value === 'object' && value !== null && typeof (value as { jobName?: unknown }).jobName === 'string';
}
