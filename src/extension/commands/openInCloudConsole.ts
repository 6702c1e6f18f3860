import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';
import { cloudConsoleUrl } from '../views/presentation';
import { defineCommand } from './commandTypes';
import { resolveServiceTarget } from './servicePicker';

export const openInCloudConsoleCommand = defineCommand({
  id: COMMAND_IDS.openInCloudConsole,
  title: 'Open in Cloud Console',
  run: async (services, node?: unknown) => {
    const target = await resolveServiceTarget(node, services.repos, {
      placeHolder: 'Open which service, function or job in the Google Cloud console?',
      noneMessage: 'cloud-run-drift.json lists no services.',
    });
    await vscode.env.openExternal(vscode.Uri.parse(cloudConsoleUrl(target.config), true));
  },
});
