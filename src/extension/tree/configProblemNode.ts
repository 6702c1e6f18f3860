import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigProblem } from '../../core/config';
import { COMMAND_IDS } from '../commandIds';
import { CONTEXT_VALUES } from '../views/presentation';
import { untrustedMarkdown } from './icons';
import { escapeMarkdown } from './tooltip';
import type { DriftTreeNode, RepoScoped } from './treeNode';

/** Where "Open Config" should land: commands accept these from problem nodes. */
export interface ConfigLocation {
  readonly file: string;
  readonly line: number | null;
}

export function isConfigLocation(value: unknown): value is ConfigLocation {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { file?: unknown; line?: unknown };
  return typeof candidate.file === 'string' && (candidate.line === null || typeof candidate.line === 'number');
}

/**
 * One problem in an invalid cloud-run-drift.json. The tree lists them (instead of a welcome view,
 * whose text is static) so the user sees each error and clicks straight to its line.
 */
export class ConfigProblemNode implements DriftTreeNode, ConfigLocation, RepoScoped {
  constructor(
    readonly file: string,
    private readonly problem: ConfigProblem,
    /** Unique in the tree: `problem:<n>` for the file's own problems. */
    private readonly id: string,
  ) {}

  get line(): number | null {
    return this.problem.line;
  }

  /** The configuration's repository: the file's directory. */
  get root(): string {
    return path.dirname(this.file);
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.problem.message, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    item.description = this.problem.line ? `${this.problem.jsonPath} · line ${this.problem.line}` : this.problem.jsonPath;
    const where = `${path.basename(this.file)}${this.problem.line ? `:${this.problem.line}` : ''}`;
    item.tooltip = untrustedMarkdown(`**${escapeMarkdown(where)}** ${escapeMarkdown(this.problem.jsonPath)}\n\n${escapeMarkdown(this.problem.message)}`);
    item.contextValue = CONTEXT_VALUES.configProblem;
    item.command = { command: COMMAND_IDS.openConfig, title: 'Open Config', arguments: [this] };
    return item;
  }

  getChildren(): DriftTreeNode[] {
    return [];
  }
}
