// Context keys for `when` clauses in package.json, all namespaced under `cloudRunDrift.`.
import * as vscode from 'vscode';
import type { WorkspaceStateKind } from '../session/sessionRegistry';

export const CONTEXT_KEYS = {
  /** 'noConfig' | 'invalidConfig' | 'ready' for the workspace (unset while loading, so no welcome flashes first). */
  state: 'cloudRunDrift.state',
  /** true when a loaded configuration has data jobs: the Data Jobs view shows. */
  hasJobs: 'cloudRunDrift.hasJobs',
} as const;

export type ContextKey = (typeof CONTEXT_KEYS)[keyof typeof CONTEXT_KEYS];

export function setContext(key: ContextKey, value: unknown): void {
  void vscode.commands.executeCommand('setContext', key, value);
}

export function stateContextValue(kind: WorkspaceStateKind): Exclude<WorkspaceStateKind, 'loading'> | undefined {
  return kind === 'loading' ? undefined : kind;
}
