import { COMMAND_IDS } from '../commandIds';
import { pickFilter, pickWindow } from '../logs/filterPicker';
import { parseOpenLogsOptions } from '../logs/openRequest';
import { defineCommand } from './commandTypes';
import { resolveServiceTarget } from './servicePicker';

/**
 * A service's logs: from its tree item, the palette (service picker), or executeCommand(id, serviceName[, options]).
 * Called with a name (the deploy flow, tests), the pickers are skipped: one click from a failed deploy should show
 * logs, not ask questions; options can still choose the filter and window.
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
    const fromScript = typeof node === 'string';
    const options = parseOpenLogsOptions(rawOptions, config.logFilters);
    const choice = options.choice ?? (fromScript ? { kind: 'all' as const } : await pickFilter(config.logFilters, target.config.name));
    const window = options.window ?? (fromScript ? '1h' : await pickWindow());
    await services.logs.open({
      config,
      scope: { kind: 'services', services: [{ name: target.config.name, region: target.config.region }] },
      projects: [target.config.project],
      label: target.config.name,
      choice,
      window,
    });
  },
});
