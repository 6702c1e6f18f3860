import * as vscode from 'vscode';
import type { SessionStateKind } from '../session/driftSession';
import { repositoryContextValue } from '../views/presentation';
import type { DriftTreeNode, RepoScoped } from './treeNode';

export interface RepositoryNodeInput {
  /** The folder's name. */
  name: string;
  /** A summary: the services' counts (Services view) or the number of jobs (Data Jobs view). */
  description: string;
  state: SessionStateKind;
  /** The workspace folders that found the repository's configuration. */
  folders: readonly string[];
  /** The repository's rows as the tree keeps them. */
  rows(): DriftTreeNode[];
}

/**
 * A repository's group of rows, shown when the workspace holds two or more repositories with a
 * configuration: named after its folder, with its summary. One instance per repository and view, updated in place.
 */
export class RepositoryNode implements DriftTreeNode, RepoScoped {
  constructor(
    readonly root: string,
    private input: RepositoryNodeInput,
  ) {}

  update(input: RepositoryNodeInput): void {
    this.input = input;
  }

  get description(): string {
    return this.input.description;
  }

  getTreeItem(): vscode.TreeItem {
    const { name, description, state, folders } = this.input;
    const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `repository:${this.root}`;
    item.iconPath = new vscode.ThemeIcon('repo');
    item.description = description;
    // Plain text: folder names come from the workspace file.
    item.tooltip = [this.root, `Workspace folder${folders.length === 1 ? '' : 's'}: ${folders.join(', ')}`].join('\n');
    item.contextValue = repositoryContextValue(state);
    item.accessibilityInformation = { label: `${name}: ${description}` };
    return item;
  }

  getChildren(): DriftTreeNode[] {
    return this.input.rows();
  }
}
