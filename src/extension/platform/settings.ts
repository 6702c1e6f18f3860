// Typed access to the `cloudRunDrift.*` settings: the only module that reads them.
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, normalizeInterval, SETTINGS_SECTION, type DriftSettings } from './settingsDefaults';

export type { DriftSettings } from './settingsDefaults';

export function readSettings(): DriftSettings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  // A hand-edited settings.json can hold any JSON; a value of the wrong type falls back to the default.
  const get = <K extends keyof DriftSettings>(key: K): DriftSettings[K] => {
    const value: unknown = config.get(key);
    return typeof value === typeof DEFAULT_SETTINGS[key] ? (value as DriftSettings[K]) : DEFAULT_SETTINGS[key];
  };
  return {
    refreshIntervalSeconds: normalizeInterval(get('refreshIntervalSeconds')),
    refreshOnFocus: get('refreshOnFocus'),
    refreshOnRepositoryChange: get('refreshOnRepositoryChange'),
    showStatusBarItem: get('showStatusBarItem'),
    scaffoldRunEndpoint: get('scaffoldRunEndpoint').trim(),
    'deploy.skipConfirmationWhenClean': get('deploy.skipConfirmationWhenClean'),
    'deploy.verifyTimeoutSeconds': get('deploy.verifyTimeoutSeconds'),
    'deploy.concurrency': get('deploy.concurrency'),
    'deploy.settleSeconds': get('deploy.settleSeconds'),
    'logs.maxEntries': Math.min(1_000_000, Math.max(100, Math.round(get('logs.maxEntries')))),
    'where.statusBar': get('where.statusBar'),
    'where.lineAnnotation': get('where.lineAnnotation'),
    // Machine scope: VS Code ignores a workspace's value, so only the user (or the remote machine) sets it.
    'credentials.allowHosts': stringList(config.get('credentials.allowHosts')),
  };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Fires with the new settings when any `cloudRunDrift.*` setting changes. */
export function onDidChangeSettings(listener: (settings: DriftSettings) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SETTINGS_SECTION)) listener(readSettings());
  });
}
