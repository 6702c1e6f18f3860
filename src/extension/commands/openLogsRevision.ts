import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';
import { revisionTarget } from '../logs/openRequest';
import { UserCancelledError, UserFacingError } from '../platform/errors';
import type { Repo } from '../session/repo';
import { isRepoScoped } from '../tree/treeNode';
import { defineCommand } from './commandTypes';
import { holdsService, requireConfig, resolveRepo, serviceTargetIn } from './servicePicker';

/** One revision's logs: from a revision tree item, or executeCommand(id, { service, revision }[, options]). */
export const openRevisionLogsCommand = defineCommand({
  id: COMMAND_IDS.openRevisionLogs,
  title: 'Open Revision Logs',
  run: async (services, node?: unknown, rawOptions?: unknown) => {
    const named = revisionTarget(node);
    const repo = await resolveRepo(isRepoScoped(node) || !named ? node : named.service, services.repos, { holds: holdsService });
    requireConfig(repo.session);
    const target = named ?? (await pickRevision(repo, node));
    const { config } = await repo.session.coreContext();
    const service = config.services.find((s) => s.name === target.service);
    if (!service) throw new UserFacingError(`${target.service} is not a service in cloud-run-drift.json.`, [], 'warning');
    services.logs.open({
      config,
      scope: { kind: 'revision', service: { name: service.name, region: service.region }, revision: target.revision },
      projects: [service.project],
      label: `${service.name}/${target.revision}`,
      options: rawOptions,
    });
  },
});

/** From the palette (or a service item): the service, then one of the revisions serving its traffic. */
async function pickRevision(repo: Repo, node: unknown): Promise<{ service: string; revision: string }> {
  const service = await serviceTargetIn(repo, node, {
    placeHolder: 'Open the logs of a revision of which service?',
    // A Cloud Run job has no revisions: its executions' rows open their logs.
    accepts: (t) => t.config.kind !== 'job',
    noneMessage: 'cloud-run-drift.json lists no services or functions, whose revisions serve traffic.',
  });
  const serving = service.verdict?.serving ?? [];
  if (serving.length === 0) {
    throw new UserFacingError(`No serving revisions of ${service.config.name} are known yet; refresh, or open the service's logs.`, [], 'warning');
  }
  const picked = await vscode.window.showQuickPick(
    serving.map((s) => ({ label: s.revision, description: `${s.percent}% of traffic`, revision: s.revision })),
    { placeHolder: `Which revision of ${service.config.name}?` },
  );
  if (!picked) throw new UserCancelledError();
  return { service: service.config.name, revision: picked.revision };
}
