import * as vscode from 'vscode';
import { credentialsFix } from '../../core/google/credentials';
import { SERVICES_VIEW_ID } from '../commandIds';
import { Disposable } from '../platform/disposable';
import type { Repo } from '../session/repo';
import type { RepoList } from '../session/repoSessions';
import type { ServicesTreeProvider } from '../tree/servicesTreeProvider';
import type { DriftTreeNode } from '../tree/treeNode';
import { badgeFor, viewMessage } from './presentation';
import { repoStatus } from './repoStatus';

/** The Services tree view: its badge (every repository's services) and the message line above it follow the sessions. */
export class ServicesView extends Disposable {
  private readonly view: vscode.TreeView<DriftTreeNode>;

  constructor(
    private readonly provider: ServicesTreeProvider,
    private readonly repos: RepoList,
  ) {
    super();
    this.view = this._register(vscode.window.createTreeView(SERVICES_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true }));
    this._register(repos.onDidChange(() => this.update()));
    this.update();
  }

  /** Shows a unit's row, selected and focused; false when no row stands for it. */
  async reveal(root: string, name: string): Promise<boolean> {
    const row = this.provider.unitRow(root, name);
    if (!row) return false;
    await this.view.reveal(row, { select: true, focus: true, expand: false });
    return true;
  }

  private update(): void {
    const repos = this.repos.list();
    const now = new Date();
    this.view.badge = badgeFor(repos.flatMap((repo) => repoStatus(repo).rows));
    const messages = repos.flatMap((repo) => {
      const message = messageOf(repo, now);
      // With several repositories, each message names its own.
      return message === undefined ? [] : [repos.length > 1 ? `${repo.name}: ${message}` : message];
    });
    this.view.message = messages.length > 0 ? messages.join(' · ') : undefined;
  }
}

function messageOf(repo: Repo, now: Date): string | undefined {
  const { session } = repo;
  const state = session.state;
  return viewMessage({
    configProblemCount: state.kind === 'invalidConfig' ? state.problems.length : null,
    rows: repoStatus(repo).rows,
    lastResultAt: session.lastResult?.checkedAt ?? null,
    failure: state.kind === 'ready' ? session.failure : undefined,
    now,
    credentialsFix: credentialsFix(),
  });
}
