import { RESTRICTED_MODE_REASON } from '../../core/deploy/prepare';
import { COMMAND_IDS } from '../commandIds';
import { defineCommand } from './commandTypes';
import { requireConfig } from './servicePicker';

/** Deploys every stale service upstream first; resolves with core's DeployAllResult (undefined when nothing ran). */
export const deployAllStaleCommand = defineCommand({
  id: COMMAND_IDS.deployAllStale,
  title: 'Deploy All Stale',
  requiresTrust: true,
  untrustedMessage: RESTRICTED_MODE_REASON,
  run: async (services) => {
    services.deploys.ensureAvailable(requireConfig(services.session));
    return services.deploys.deployAllStale();
  },
});
