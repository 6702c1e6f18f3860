import { COMMAND_IDS } from '../commandIds';
import { UserFacingError } from '../errors';
import { defineCommand } from './commandTypes';
import { requireConfig } from './servicePicker';

/** Every configured service in one stream (one filter OR-ing the services, so one tail session, not N). */
export const openAllLogsCommand = defineCommand({
  id: COMMAND_IDS.openAllLogs,
  title: 'Open Logs of All Services',
  run: async (services, rawOptions?: unknown) => {
    requireConfig(services.session);
    const { config } = await services.session.coreContext();
    if (config.services.length === 0) throw new UserFacingError('cloud-run-drift.json lists no services.', [], 'warning');
    services.logs.open({
      config,
      scope: { kind: 'services', services: config.services.map((s) => ({ name: s.name, region: s.region })) },
      projects: config.services.map((s) => s.project),
      label: 'all services',
      options: rawOptions,
    });
  },
});
