import { COMMAND_IDS } from '../commandIds';
import { defineCommand } from './commandTypes';
import { resolveServiceTarget } from './servicePicker';

/**
 * A service's logs: from its tree item, the palette (service picker), or executeCommand(id, serviceName[, options]).
 * The view opens at once with the last used filter and window (options can choose them); its controls change them.
 */
export const openLogsCommand = defineCommand({
  id: COMMAND_IDS.openLogs,
  title: 'Open Logs',
  run: async (services, node?: unknown, rawOptions?: unknown) => {
    const target = await resolveServiceTarget(node, services.repos, {
      placeHolder: 'Open the logs of which service?',
      noneMessage: 'cloud-run-drift.json lists no services.',
    });
    const { config } = await target.repo.session.coreContext();
    services.logs.open({
      config,
      scope: { kind: 'services', services: [{ name: target.config.name, region: target.config.region }] },
      projects: [target.config.project],
      label: target.config.name,
      options: rawOptions,
    });
  },
});
