import { COMMAND_IDS } from '../commandIds';
import { deployLogsRequest, deployLogsSince } from '../deploy/deployPresentation';
import { acceptedSince } from '../logs/openRequest';
import { UserFacingError } from '../platform/errors';
import { defineCommand } from './commandTypes';
import { resolveServiceTarget } from './servicePicker';

/**
 * A deploy's logs: the service's entries from the moment its running (or last) deploy in this window started, live.
 * From the status bar item of a running deploy, a deploying service's tree item, a failed deploy's Open Logs, the
 * palette (a picker of the services deployed in this window), or executeCommand(id, serviceName[, startedAt]).
 * No pickers: one click from a deploy should show its logs, not ask questions.
 */
export const openDeployLogsCommand = defineCommand({
  id: COMMAND_IDS.openDeployLogs,
  title: 'Open Deploy Logs',
  run: async (services, node?: unknown, startedAt?: unknown) => {
    const target = await resolveServiceTarget(node, services.repos, {
      placeHolder: 'Open the logs of which deploy? (from the moment it started)',
      accepts: (t) => deployLogsSince(t.repo.deploys.states.get(t.config.name)) !== null,
      noneMessage: 'No deploy has run in this window yet. Open Logs shows any service’s logs.',
    });
    const name = target.config.name;
    // The deploy flow passes the start of the deploy its notification is about (a newer one may have started since).
    const since = typeof startedAt === 'string' && acceptedSince(startedAt) ? startedAt : deployLogsSince(target.repo.deploys.states.get(name));
    if (since === null) throw new UserFacingError(`No deploy of ${name} has run in this window yet. Open Logs shows its logs.`, [], 'warning');
    const { config } = await target.repo.session.coreContext();
    const request = deployLogsRequest(name, since);
    services.logs.open({
      config,
      scope: { kind: 'services', services: [{ name, region: target.config.region }] },
      projects: [target.config.project],
      ...request,
    });
  },
});

