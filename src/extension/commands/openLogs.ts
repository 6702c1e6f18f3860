import { COMMAND_IDS } from '../commandIds';
import { executionTarget, unitLogScopeOf } from '../logs/openRequest';
import { defineCommand } from './commandTypes';
import { resolveServiceTarget } from './servicePicker';

/**
 * A unit's logs (a service's, a function's, a Cloud Run job's, or from an execution's row that
 * execution's): from its tree item, the palette (picker), or executeCommand(id, serviceName[, options]).
 * The view opens at once with the last used filter and window (options can choose them); its controls change them.
 */
export const openLogsCommand = defineCommand({
  id: COMMAND_IDS.openLogs,
  title: 'Open Logs',
  run: async (services, node?: unknown, rawOptions?: unknown) => {
    const target = await resolveServiceTarget(node, services.repos, {
      placeHolder: 'Open the logs of which service, function or job?',
      noneMessage: 'cloud-run-drift.json lists no services.',
    });
    const { config } = await target.repo.session.coreContext();
    const execution = target.config.kind === 'job' ? executionTarget(node) : undefined;
    services.logs.open({
      config,
      scope: unitLogScopeOf(target.config, target.verdict, execution),
      projects: [target.config.project],
      label: execution ? `${target.config.name}/${execution}` : target.config.name,
      options: rawOptions,
    });
  },
});
