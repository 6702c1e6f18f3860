// The one wrapper every command runs in: cancellation is silent, expected problems are one line
// with their actions, anything else is one line for the user and the details in the log.
import * as vscode from 'vscode';
import { errorText } from '../../core/text/messageText';
import { isCancellation, UserFacingError } from '../platform/errors';
import { firstLine } from '../../core/text/messageText';
import { NOTIFICATION_LENGTH } from '../views/presentation';
import type { CommandDefinition, CommandServices } from './commandTypes';

const SHOW_LOG = 'Show Log';
const MANAGE_TRUST = 'Manage Workspace Trust';

export async function runCommand(definition: CommandDefinition, services: CommandServices, args: unknown[]): Promise<unknown> {
  const logger = services.logger.child(definition.id.replace(/^cloudRunDrift\./, ''));
  if (definition.requiresTrust && !vscode.workspace.isTrusted) {
    const choice = await vscode.window.showWarningMessage(
      definition.untrustedMessage ?? `${definition.title} runs scripts from this repository, so it needs a trusted workspace.`,
      MANAGE_TRUST,
    );
    if (choice === MANAGE_TRUST) await vscode.commands.executeCommand('workbench.trust.manage');
    return undefined;
  }
  try {
    return await definition.run(services, ...args);
  } catch (err) {
    if (isCancellation(err)) {
      logger.debug('cancelled');
      return undefined;
    }
    if (err instanceof UserFacingError) {
      logger.info(err.message);
      const show = err.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
      const titles = err.actions.map((a) => a.title);
      void show(err.message, ...titles).then((choice) => err.actions.find((a) => a.title === choice)?.run());
      return undefined;
    }
    logger.error(`${definition.title} failed`, err);
    void vscode.window.showErrorMessage(`${definition.title} failed: ${firstLine(errorText(err), NOTIFICATION_LENGTH)}`, SHOW_LOG).then((choice) => {
      if (choice === SHOW_LOG) services.logger.show();
    });
    return undefined;
  }
}
