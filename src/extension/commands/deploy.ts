import { RESTRICTED_MODE_REASON } from '../../core/deploy/prepare';
import { COMMAND_IDS } from '../commandIds';
import { defineCommand } from './commandTypes';
import { holdsService, requireConfig, resolveRepo, serviceTargetIn } from './servicePicker';

/**
 * Deploys a service with the default deploy command (or the one named by the second argument, as
 * Retry passes it), then proves the commit live. Arguments: a tree node, a service name, or
 * nothing (a picker). Resolves with core's DeployResult, so tests and other commands can await the
 * outcome; a second invocation while the service deploys reveals that deploy and resolves with it.
 */
export const deployCommand = defineCommand({
  id: COMMAND_IDS.deploy,
  title: 'Deploy',
  requiresTrust: true,
  untrustedMessage: RESTRICTED_MODE_REASON,
  run: async (services, node?: unknown, commandName?: unknown) => {
    // Explain a missing deploy command before asking which service.
    const repo = await resolveRepo(node, services.repos, { holds: holdsService });
    repo.deploys.ensureAvailable(requireConfig(repo.session));
    const target = await serviceTargetIn(repo, node, {
      placeHolder: 'Deploy which service? (its deploy command runs in a terminal, then the commit is verified live)',
      noneMessage: 'cloud-run-drift.json lists no services.',
    });
    return repo.deploys.deploy(target.config.name, { commandName: typeof commandName === 'string' ? commandName : null });
  },
});
