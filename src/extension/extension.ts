// Activation stays thin: a log channel and the composition root. Nothing here loads the Google SDK;
// core loads it on the first Cloud Run call, during the first refresh.
import * as vscode from 'vscode';
import { DriftExtension, type CloudRunDriftApi } from './driftExtension';
import { ChannelLogger } from './platform/logger';

export type { CloudRunDriftApi } from './driftExtension';

/** The test API when VS Code runs the extension for its tests (ExtensionMode.Test); otherwise nothing. */
export function activate(context: vscode.ExtensionContext): CloudRunDriftApi | undefined {
  const channel = vscode.window.createOutputChannel('Cloud Run Drift', { log: true });
  context.subscriptions.push(channel);
  const extension = new DriftExtension(context, new ChannelLogger(channel));
  context.subscriptions.push(extension);
  return extension.api;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
