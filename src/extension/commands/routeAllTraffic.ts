// Route All Traffic Here: a rollback to a previous revision of a service, from its row in the
// Deployments history or from the palette (service, then revision). A modal confirmation lists the
// commits that would stop being served (core's text, as the CLI shows it); then the change and its
// proof with progress; the result offers Undo, which sets back the traffic as it was, with the same proof.
import * as vscode from 'vscode';
import { canTakeAllTraffic, historyLine } from '../../core/deploy/history';
import { rollbackConfirmation } from '../../core/rollback/plan';
import { prepareRollback, rollbackRefusal } from '../../core/rollback/prepare';
import { rollBack, undoRollback, type RollbackResult } from '../../core/rollback/run';
import { COMMAND_IDS } from '../commandIds';
import { UserCancelledError, UserFacingError } from '../platform/errors';
import type { Repo } from '../session/repo';
import { firstLine } from '../../core/text/messageText';
import { NOTIFICATION_LENGTH } from '../views/presentation';
import { defineCommand } from './commandTypes';
import { holdsService, resolveRepo, serviceTargetIn } from './servicePicker';
import { errorText } from '../../core/text/messageText';

/** How long the proof waits for Cloud Run, as a deploy's verify does by default. */
const PROOF_TIMEOUT_MS = 300_000;
const UNDO = 'Undo';

/** A Deployments row (DeploymentNode), or `{ service, revision }` from a test or another command. */
function namedRevision(arg: unknown): { service: string; revision: string } | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const row = arg as { serviceName?: unknown; entry?: { revision?: unknown }; service?: unknown; revision?: unknown };
  if (typeof row.serviceName === 'string' && typeof row.entry?.revision === 'string') return { service: row.serviceName, revision: row.entry.revision };
  if (typeof row.service === 'string' && typeof row.revision === 'string') return { service: row.service, revision: row.revision };
  return undefined;
}

export const routeAllTrafficCommand = defineCommand({
  id: COMMAND_IDS.routeAllTraffic,
  title: 'Route All Traffic Here',
  requiresTrust: true,
  untrustedMessage: 'Route All Traffic Here changes what Cloud Run serves, so it needs a trusted workspace.',
  run: async (services, node?: unknown) => {
    const named = namedRevision(node);
    const repo = await resolveRepo(named?.service ?? node, services.repos, { holds: holdsService });
    const target = await serviceTargetIn(repo, named?.service ?? node, {
      placeHolder: 'Route all traffic of which service to one of its previous revisions?',
      accepts: (t) => t.config.kind === 'service',
      noneMessage: 'cloud-run-drift.json lists no Cloud Run services (a job has no traffic; a function follows its own deploys).',
    });
    const refusal = rollbackRefusal(target.config);
    if (refusal) throw new UserFacingError(refusal, [], 'warning');
    const revision = named?.revision ?? (await pickRevision(repo, target.config.name));
    const { config, git, reader } = await repo.session.coreContext();
    const plan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Reading ${target.config.name}'s traffic and history…` }, () =>
      prepareRollback({ service: target.config, revision, commitLabel: config.commitLabel, reader, git }),
    );
    if (plan.blocked) throw new UserFacingError(`${plan.blocked} Nothing changed.`, [], 'warning');
    if (plan.alreadyServing) {
      void vscode.window.showInformationMessage(`${revision} already serves all of ${target.config.name}'s traffic.`);
      return undefined;
    }
    const confirmation = rollbackConfirmation(plan);
    const choice = await vscode.window.showWarningMessage(confirmation.title, { modal: true, detail: confirmation.detail }, confirmation.confirmLabel);
    if (choice !== confirmation.confirmLabel) throw new UserCancelledError();

    const ref = target.config;
    const result = await withProof(`Routing all of ${ref.name}'s traffic to ${revision}`, (progress, signal) =>
      rollBack({ service: ref, reader, revision, timeoutMs: PROOF_TIMEOUT_MS, signal, onProgress: progress }),
    );
    services.logger.child('routeAllTraffic').info(`${ref.name} → ${revision}: ${result.outcome.kind}: ${result.outcome.message}`);
    void repo.refresh.request('deploy');
    void offerUndo(repo, result, async (update) => {
      const undone = await withProof(`Setting ${ref.name}'s traffic back`, (progress, signal) =>
        undoRollback({ service: ref, reader, update, timeoutMs: PROOF_TIMEOUT_MS, signal, onProgress: progress }),
      );
      services.logger.child('routeAllTraffic').info(`${ref.name} undo: ${undone.outcome.kind}: ${undone.outcome.message}`);
      void repo.refresh.request('deploy');
      return undone;
    });
    return result;
  },
});

/** The change and its proof in a cancellable notification with its progress lines. */
function withProof(title: string, work: (progress: (text: string) => void, signal: AbortSignal) => Promise<RollbackResult>): Thenable<RollbackResult> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort(new vscode.CancellationError()));
    return work((text) => progress.report({ message: firstLine(text, NOTIFICATION_LENGTH) }), controller.signal).finally(() => cancel.dispose());
  });
}

/** The outcome's notification; Undo while a change is left to undo (also after Cancel, which leaves Cloud Run's change standing), again after an Undo that failed. */
async function offerUndo(repo: Repo, result: RollbackResult, undo: (update: NonNullable<RollbackResult['update']>) => Promise<RollbackResult>): Promise<void> {
  const { outcome, update } = result;
  const buttons = update ? [UNDO] : [];
  const text = firstLine(outcome.message, 400);
  const choice =
    outcome.kind === 'verified'
      ? await vscode.window.showInformationMessage(text, ...buttons)
      : outcome.kind === 'canceled'
        ? await vscode.window.showWarningMessage(text, ...buttons)
        : await vscode.window.showErrorMessage(text, ...buttons);
  if (choice !== UNDO || !update) return;
  try {
    await offerUndo(repo, await undo(update), undo);
  } catch (err) {
    if (err instanceof vscode.CancellationError) return;
    void vscode.window.showErrorMessage(`Undo failed: ${firstLine(errorText(err), NOTIFICATION_LENGTH)}`);
  }
}

/** From the palette: the service's previous revisions that are ready and do not already serve all traffic. */
async function pickRevision(repo: Repo, service: string): Promise<string> {
  repo.deploys.history.invalidate(service);
  const history = await repo.deploys.history.get(service);
  if (history.kind !== 'ok') throw new UserFacingError(`Could not list ${service}'s revisions: ${history.message}`);
  const now = Date.now();
  const candidates = history.entries.filter(canTakeAllTraffic);
  if (candidates.length === 0) throw new UserFacingError(`No other ready revision of ${service} is listed; nothing to route traffic to.`, [], 'warning');
  const picked = await vscode.window.showQuickPick(
    candidates.map((entry) => {
      const line = historyLine(entry, now);
      return { label: entry.revision, description: line.label, detail: line.description, revision: entry.revision };
    }),
    { placeHolder: `Route all of ${service}'s traffic to which revision?`, matchOnDescription: true },
  );
  if (!picked) throw new UserCancelledError();
  return picked.revision;
}
