import * as vscode from 'vscode';
import { credentialsFix } from '../../core/credentials';
import { SERVICES_VIEW_ID } from '../commandIds';
import { Disposable } from '../platform/disposable';
import type { DriftSession } from '../session/driftSession';
import type { ServicesTreeProvider } from '../tree/servicesTreeProvider';
import type { DriftTreeNode } from '../tree/treeNode';
import { badgeFor, serviceRows, viewMessage } from './presentation';

/** The Services tree view: its badge and the message line above it follow the session. */
export class ServicesView extends Disposable {
  private readonly view: vscode.TreeView<DriftTreeNode>;

  constructor(
    provider: ServicesTreeProvider,
    private readonly session: DriftSession,
  ) {
    super();
    this.view = this._register(vscode.window.createTreeView(SERVICES_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true }));
    this._register(session.onDidChange(() => this.update()));
    this.update();
  }

  private update(): void {
    const state = this.session.state;
    const names = state.kind === 'ready' ? state.config.services.map((s) => s.name) : [];
    const rows = serviceRows(names, this.session.lastResult);
    this.view.badge = badgeFor(rows);
    this.view.message = viewMessage({
      configProblemCount: state.kind === 'invalidConfig' ? state.problems.length : null,
      rows,
      lastResultAt: this.session.lastResult?.checkedAt ?? null,
      failure: state.kind === 'ready' ? this.session.failure : undefined,
      now: new Date(),
      credentialsFix: credentialsFix(),
    });
  }
}
