import { COMMAND_IDS } from '../commandIds';
import { UserFacingError } from '../platform/errors';
import { isRepoScoped } from '../tree/treeNode';
import { defineCommand } from './commandTypes';
import { requireConfig, resolveRepo } from './servicePicker';

/** Every configured service in one stream (one filter OR-ing the services, so one tail session, not N). */
export const openAllLogsCommand = defineCommand({
  id: COMMAND_IDS.openAllLogs,
  title: 'Open Logs of All Services',
  run: async (services, rawOptions?: unknown) => {
    // From a repository's group row, its services; from the palette, the only repository's or the one picked.
    const fromRow = isRepoScoped(rawOptions);
    const repo = await resolveRepo(fromRow ? rawOptions : undefined, services.repos);
    if (fromRow) rawOptions = undefined;
    requireConfig(repo.session);
    const { config } = await repo.session.coreContext();
    if (config.services.length === 0) throw new UserFacingError('cloud-run-drift.json lists no services.', [], 'warning');
    services.logs.open({
      config,
      scope: { kind: 'services', services: config.services.map((s) => ({ name: s.name, region: s.region })) },
      projects: config.services.map((s) => s.project),
      label: services.repos.list().length > 1 ? `all services of ${repo.name}` : 'all services',
      options: rawOptions,
    });
  },
});
