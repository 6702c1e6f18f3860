// Activation stays thin: a log channel and the composition root. Nothing here loads the Google SDK;
// core loads it on the first Cloud Run call, during the first refresh.
import * as vscode from 'vscode';
import { DriftExtension, type CloudRunDriftApi } from './driftExtension';
import { ChannelLogger } from './platform/logger';

export type { CloudRunDriftApi } from './driftExtension';

export function activate(context: vscode.ExtensionContext): CloudRunDriftApi {
  const channel = vscode.window.createOutputChannel('Cloud Run Drift', { log: true });
  context.subscriptions.push(channel);
  const extension = new DriftExtension(context, new ChannelLogger(channel));
  context.subscriptions.push(extension);
  return extension.api;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
