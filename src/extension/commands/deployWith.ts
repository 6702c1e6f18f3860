import * as vscode from 'vscode';
import { RESTRICTED_MODE_REASON } from '../../core/deploy/prepare';
import { COMMAND_IDS } from '../commandIds';
import { alternateDeployCommands, noAlternateCommandsMessage } from '../deploy/deployPresentation';
import { UserCancelledError, UserFacingError } from '../platform/errors';
import { defineCommand } from './commandTypes';
import { holdsService, requireConfig, resolveRepo, serviceTargetIn } from './servicePicker';

/** Deploys with one of the config's other named deploy commands (e.g. a fast "hot" script). */
export const deployWithCommand = defineCommand({
  id: COMMAND_IDS.deployWith,
  title: 'Deploy With',
  requiresTrust: true,
  untrustedMessage: RESTRICTED_MODE_REASON,
  run: async (services, node?: unknown) => {
    const repo = await resolveRepo(node, services.repos, { holds: holdsService });
    const config = requireConfig(repo.session);
    repo.deploys.ensureAvailable(config);
    const alternates = alternateDeployCommands(config);
    if (alternates.length === 0) throw new UserFacingError(noAlternateCommandsMessage(config), [], 'warning');
    const target = await serviceTargetIn(repo, node, {
      placeHolder: 'Deploy which service?',
      noneMessage: 'cloud-run-drift.json lists no services.',
    });
    const picked = await vscode.window.showQuickPick(
      // The template as written: what will run, before values are filled in and quoted.
      alternates.map((command) => ({ label: command.name, detail: command.template, command })),
      { placeHolder: `Deploy ${target.config.name} with which command?`, matchOnDetail: true },
    );
    if (!picked) throw new UserCancelledError();
    return repo.deploys.deploy(target.config.name, { commandName: picked.command.name });
  },
});
