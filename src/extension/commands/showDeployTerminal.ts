import { COMMAND_IDS } from '../commandIds';
import { UserFacingError } from '../platform/errors';
import { defineCommand } from './commandTypes';
import { resolveServiceTarget } from './servicePicker';

/** Reveals the terminal of a service's running (or last) deploy in this window. */
export const showDeployTerminalCommand = defineCommand({
  id: COMMAND_IDS.showDeployTerminal,
  title: 'Show Deploy Terminal',
  run: async (services, node?: unknown) => {
    const target = await resolveServiceTarget(node, services.repos, {
      placeHolder: 'Show the deploy terminal of which service?',
      noneMessage: 'cloud-run-drift.json lists no services.',
    });
    if (!target.repo.deploys.showTerminal(target.config.name)) {
      throw new UserFacingError(`No deploy terminal of ${target.config.name} is open in this window.`, [], 'warning');
    }
  },
});
