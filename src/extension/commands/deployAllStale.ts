import { RESTRICTED_MODE_REASON } from '../../core/deploy/prepare';
import { COMMAND_IDS } from '../commandIds';
import { defineCommand } from './commandTypes';
import { requireConfig, resolveRepo } from './servicePicker';

/**
 * Deploys every stale service of a repository (a group row's, the only one, or the one picked)
 * upstream first; resolves with core's DeployAllResult (undefined when nothing ran).
 */
export const deployAllStaleCommand = defineCommand({
  id: COMMAND_IDS.deployAllStale,
  title: 'Deploy All Stale',
  requiresTrust: true,
  untrustedMessage: RESTRICTED_MODE_REASON,
  run: async (services, node?: unknown) => {
    const repo = await resolveRepo(node, services.repos);
    repo.deploys.ensureAvailable(requireConfig(repo.session));
    return repo.deploys.deployAllStale();
  },
});
