// The result of a deploy as the user reads it: one line for the log channel, and the notification.
import { oneLine } from '../text/messageText';
import type { DeployResult } from './runner';

/** The one-line text for the log channel and the user message. */
export function logLine(result: DeployResult): string {
  return oneLine(result.message);
}

export type DeployAction = 'show-terminal' | 'open-logs' | 'retry';

export interface DeployNotification {
  severity: 'info' | 'warning' | 'error';
  text: string;
  /** The buttons to offer, in order: Show Terminal, Open Logs, Retry. */
  actions: DeployAction[];
}

export function describeDeployResult(result: DeployResult): DeployNotification {
  const text = logLine(result);
  switch (result.kind) {
    case 'verified':
      return { severity: 'info', text, actions: [] };
    case 'label-unchanged':
      return { severity: 'error', text, actions: ['show-terminal', 'open-logs', 'retry'] };
    case 'revision-failed':
    case 'deploy-failed':
      return { severity: 'error', text, actions: ['open-logs', 'retry'] };
    case 'script-failed':
      return { severity: 'error', text, actions: ['show-terminal'] };
    case 'traffic-not-moved':
      return { severity: 'warning', text, actions: ['show-terminal', 'retry'] };
    case 'timeout':
      return { severity: 'error', text, actions: ['show-terminal', 'open-logs', 'retry'] };
    case 'cancelled':
      return { severity: 'warning', text, actions: result.commandLine ? ['show-terminal'] : [] };
    case 'error':
      return { severity: 'error', text, actions: result.commandLine ? ['show-terminal', 'retry'] : [] };
  }
}
