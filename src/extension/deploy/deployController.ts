// Redeploy with proof in the editor: the flow behind the deploy commands. Confirm (core's text), run
// the deploy command as a Task (deployTasks.ts), verify with a cancellable progress notification,
// and end with a notification whose wording and buttons core decides (deployPresentation.ts maps
// them). One DeployQueue holds the one-deploy-per-service rule for clicks, the palette and Deploy
// All Stale alike; its events feed DeployStates (tree, test API), the log channel, the history
// cache and the refresh that follows every deploy.
import * as vscode from 'vscode';
import type { CloudRunReader } from '../../core/google/cloudrun';
import type { DeployCommand, DriftConfig, ServiceConfig } from '../../core/config';
import { buildBulkConfirmation, needsConfirmation } from '../../core/deploy/confirm';
import { readDeploymentHistory, type DeploymentHistory } from '../../core/deploy/history';
import { planDeployAll } from '../../core/deploy/plan';
import { deployUnavailableReason, DeploySetupError, prepareDeploy, selectDeployCommand, type DeployPreparation } from '../../core/deploy/prepare';
import { deployAll, type DeployAllResult } from '../../core/deploy/deployAll';
import { logLine, type DeployAction } from '../../core/deploy/messages';
import { DeployQueue, type DeployHandle } from '../../core/deploy/queue';
import { DEPLOY_DEFAULTS, runDeploy, type DeployExecutor, type DeployResult, type RunDeployOptions } from '../../core/deploy/runner';
import type { GitRepository } from '../../core/git/repository';
import { COMMAND_IDS } from '../commandIds';
import { Disposable } from '../platform/disposable';
import { UserCancelledError, UserFacingError } from '../platform/errors';
import type { Logger } from '../platform/logger';
import type { DriftSettings } from '../platform/settingsDefaults';
import type { DriftSession } from '../session/driftSession';
import type { RefreshReason } from '../session/refreshScheduler';
import {
  deployAllIncrement,
  deployAllProgressMessage,
  deployAllSummaryMessage,
  deployLogLevel,
  deployResultMessage,
  deployRunSettings,
  deployTaskName,
  verifyProgressTitle,
  type DeployMessage,
} from './deployPresentation';
import { DeployStates } from './deployState';
import { DeployTasks } from './deployTasks';
import { DeploymentHistoryStore } from './historyStore';

const MANAGE_TRUST = 'Manage Workspace Trust';
const OPEN_CONFIG = 'Open Config';

export interface DeployOptions {
  /** A name from the config's deploy commands; null or undefined for the default. */
  commandName?: string | null;
}

/** What the commands use (commandTypes.ts holds only this type, so commands never build one). */
export interface DeployService {
  readonly states: DeployStates;
  readonly history: DeploymentHistoryStore;
  /** Throws a UserFacingError when deploying cannot work here (Restricted Mode, no deploy command). */
  ensureAvailable(config: DriftConfig): void;
  /** Resolves with the result, or the running deploy's when one of the service is already running. */
  deploy(service: string, options?: DeployOptions): Promise<DeployResult>;
  deployAllStale(): Promise<DeployAllResult | undefined>;
  /** Reveals the service's deploy terminal; false when this window has none for it. */
  showTerminal(service: string): boolean;
}

export class DeployController extends Disposable implements DeployService {
  private readonly queue = new DeployQueue();
  readonly states: DeployStates;
  readonly history: DeploymentHistoryStore;
  private readonly tasks: DeployTasks;
  private bulk: Promise<DeployAllResult | undefined> | undefined;
  /** Single deploys from the click to their result, by service. */
  private readonly preparing = new Map<string, Promise<DeployResult>>();

  constructor(
    private readonly session: DriftSession,
    private readonly refresh: { request(reason: RefreshReason): Promise<void> },
    private readonly logger: Logger,
    private readonly settings: () => DriftSettings,
  ) {
    super();
    this.tasks = this._register(new DeployTasks(logger, session.root));
    this.states = this._register(new DeployStates(this.queue));
    this.history = new DeploymentHistoryStore((service) => this.loadHistory(service));
    this._register(session.onDidRefresh(() => this.history.invalidate()));
    const unsubscribe = this.queue.onDidChange((event) => {
      if (event.type === 'started') this.logger.info(`${event.handle.service}: deploy started`);
      if (event.type !== 'finished') return;
      const { result } = event;
      const line = `${result.service}: ${result.kind}: ${logLine(result)}${result.commandLine ? ` [${result.commandLine}]` : ''}`;
      this.logger[deployLogLevel(result)](line);
      this.history.invalidate(result.service);
      // The verdict follows what was deployed; the refresh also redraws the tree without the spinner.
      void this.refresh.request('deploy');
    });
    this._register({ dispose: unsubscribe });
    this._register({ dispose: () => this.queue.cancelAll() });
  }

  ensureAvailable(config: DriftConfig): void {
    const reason = deployUnavailableReason({ workspaceTrusted: vscode.workspace.isTrusted, config });
    if (!reason) return;
    if (!vscode.workspace.isTrusted) {
      throw new UserFacingError(reason, [{ title: MANAGE_TRUST, run: () => vscode.commands.executeCommand('workbench.trust.manage') }], 'warning');
    }
    throw new UserFacingError(reason, [{ title: OPEN_CONFIG, run: () => vscode.commands.executeCommand(COMMAND_IDS.openConfig) }], 'warning');
  }

  deploy(service: string, options: DeployOptions = {}): Promise<DeployResult> {
    const running = this.queue.get(service);
    if (running) return this.revealRunning(running);
    // A double click lands while the first is still reading git or showing its confirmation: join
    // it rather than ask twice (the queue only guards once the deploy has started).
    const preparing = this.preparing.get(service);
    if (preparing) return preparing;
    const deploying = this.prepareAndRun(service, options).finally(() => this.preparing.delete(service));
    this.preparing.set(service, deploying);
    return deploying;
  }

  async deployAllStale(): Promise<DeployAllResult | undefined> {
    if (this.bulk) {
      void vscode.window.showInformationMessage('Deploy All Stale is already running; its progress is in the notification.');
      return this.bulk;
    }
    this.bulk = this.runDeployAllStale();
    try {
      return await this.bulk;
    } finally {
      this.bulk = undefined;
    }
  }

  showTerminal(service: string): boolean {
    return this.tasks.showTerminal(service);
  }

  // -------------------------------------------------------------------------------------------

  private async prepareAndRun(service: string, options: DeployOptions): Promise<DeployResult> {
    const loaded = this.session.config;
    if (!loaded) throw new UserFacingError('No valid cloud-run-drift.json is loaded.', [], 'warning');
    this.ensureAvailable(loaded);
    const { config, git, reader } = await this.session.coreContext();
    const settings = deployRunSettings(this.settings());

    let preparation: DeployPreparation;
    try {
      preparation = await prepareDeploy({
        service,
        config,
        git,
        verdict: this.session.verdict(service) ?? null,
        commandName: options.commandName ?? null,
        skipConfirmationSetting: settings.skipConfirmationWhenClean,
      });
    } catch (err) {
      if (err instanceof DeploySetupError) throw new UserFacingError(err.message, [{ title: OPEN_CONFIG, run: () => vscode.commands.executeCommand(COMMAND_IDS.openConfig) }]);
      throw err;
    }
    if (preparation.confirm) {
      const { confirmation } = preparation;
      const show = confirmation.dirty ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      const choice = await show(confirmation.title, { modal: true, detail: confirmation.detail }, confirmation.confirmLabel);
      if (choice !== confirmation.confirmLabel) throw new UserCancelledError();
    }

    const command = preparation.command;
    // A HEAD that moved while the confirmation was open would ship a commit nobody confirmed.
    const { handle, started } = this.queue.deploy(this.runOptions(preparation.service, command, { config, git, reader }, settings, preparation.commit.sha));
    // Someone else started one while the confirmation was open.
    if (!started) return this.revealRunning(handle);
    this.showVerifyProgressWhenVerifying(handle);
    const result = await handle.result;
    void this.notify(result, command.name);
    return result;
  }

  /** What a deploy started alone and one started by Deploy All Stale share: its task, verification timing and trust. */
  private runOptions(
    service: ServiceConfig,
    command: DeployCommand,
    { config, git, reader }: { config: DriftConfig; git: GitRepository; reader: CloudRunReader },
    settings: ReturnType<typeof deployRunSettings>,
    confirmedCommit: string,
  ): RunDeployOptions {
    return {
      service,
      config,
      git,
      reader,
      commandName: command.name,
      execute: this.executorFor(service.name, command.name, deployTaskName(service.name, command, config)),
      verifyTimeoutMs: settings.verifyTimeoutMs,
      settleMs: settings.settleMs,
      confirmedCommit,
      workspaceTrusted: vscode.workspace.isTrusted,
    };
  }

  private executorFor(service: string, commandName: string, taskName: string): DeployExecutor {
    return (commandLine, cwd, env, signal) => this.tasks.run({ service, commandName, taskName, commandLine, cwd, env, signal });
  }

  /** The second click on a deploying service: show what is running instead of starting another. */
  private revealRunning(handle: DeployHandle): Promise<DeployResult> {
    const revealed = this.tasks.showTerminal(handle.service);
    const what = handle.progress?.message ?? 'starting';
    this.logger.debug(`${handle.service}: already deploying (${what}); ${revealed ? 'revealed its terminal' : 'no terminal yet'}`);
    vscode.window.setStatusBarMessage(`$(loading~spin) ${handle.service} is already deploying: ${what}`, 5_000);
    return handle.result;
  }

  /** Once the script exited 0, the proof is awaited in a notification that can be cancelled. */
  private showVerifyProgressWhenVerifying(handle: DeployHandle): void {
    let shown = false;
    const unsubscribe = this.queue.onDidChange((event) => {
      if (event.handle !== handle) return;
      if (event.type === 'finished') {
        unsubscribe();
        return;
      }
      if (event.type !== 'progress' || event.progress.phase !== 'verifying' || shown) return;
      shown = true;
      const commit = event.progress.commit;
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: verifyProgressTitle(handle.service, commit, this.session.serviceConfig(handle.service)?.kind), cancellable: true },
        (progress, token) => {
          progress.report({ message: event.progress.message });
          const cancel = token.onCancellationRequested(() => handle.cancel());
          const relay = this.queue.onDidChange((e) => {
            if (e.handle === handle && e.type === 'progress' && e.progress.phase === 'verifying') progress.report({ message: e.progress.message });
          });
          return handle.result.finally(() => {
            relay();
            cancel.dispose();
          });
        },
      );
    });
  }

  private async notify(result: DeployResult, commandName: string | null): Promise<void> {
    const message = deployResultMessage(result);
    const choice = await this.show(message);
    const action = message.buttons.find((b) => b.title === choice)?.action;
    if (action) await this.runAction(action, result, commandName);
  }

  private show(message: DeployMessage): Thenable<string | undefined> {
    const titles = message.buttons.map((b) => b.title);
    if (message.severity === 'info') return vscode.window.showInformationMessage(message.text, ...titles);
    if (message.severity === 'warning') return vscode.window.showWarningMessage(message.text, ...titles);
    return vscode.window.showErrorMessage(message.text, ...titles);
  }

  private async runAction(action: DeployAction, result: DeployResult, commandName: string | null): Promise<void> {
    const service = result.service;
    // The row-shaped argument names the repository too: another one may have a service of that name.
    const row = { serviceName: service, root: this.session.root };
    try {
      switch (action) {
        case 'show-terminal':
          if (!this.tasks.showTerminal(service)) void vscode.window.showWarningMessage(`The deploy terminal of ${service} was closed.`);
          return;
        case 'open-logs':
          // The service's logs from the moment this deploy started: what the new revision said, if it ever started.
          await vscode.commands.executeCommand(COMMAND_IDS.openDeployLogs, row, result.startedAt);
          return;
        case 'retry':
          // Through the command, so the trust check and the confirmation apply again.
          await vscode.commands.executeCommand(COMMAND_IDS.deploy, row, commandName ?? undefined);
          return;
      }
    } catch (err) {
      this.logger.error(`${action} for ${service} failed`, err);
    }
  }

  private async runDeployAllStale(): Promise<DeployAllResult | undefined> {
    // Fresh verdicts first: the plan deploys what is stale now, not what was stale at the last check.
    const loaded = this.session.config;
    if (!loaded) throw new UserFacingError('No valid cloud-run-drift.json is loaded.', [], 'warning');
    this.ensureAvailable(loaded);
    await this.refresh.request('deploy');
    const { config, git, reader } = await this.session.coreContext();
    const check = this.session.lastResult;
    if (!check) {
      const reason = this.session.failure ? `: ${this.session.failure.message}` : '';
      throw new UserFacingError(`No verdicts to plan from: the services could not be checked${reason}`);
    }
    const settings = deployRunSettings(this.settings());
    const plan = planDeployAll(check, config);
    const dirty = new Set(plan.steps.filter((s) => s.verdict.dirty).map((s) => s.service.name));
    const confirmation = buildBulkConfirmation(plan, settings.concurrency, dirty);
    if (plan.steps.length === 0) {
      void vscode.window.showInformationMessage(confirmation.title, { detail: confirmation.detail });
      return undefined;
    }
    if (needsConfirmation(dirty.size > 0, settings.skipConfirmationWhenClean)) {
      const show = dirty.size > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      const choice = await show(confirmation.title, { modal: true, detail: confirmation.detail }, confirmation.confirmLabel);
      if (choice !== confirmation.confirmLabel) throw new UserCancelledError();
    }
    // Every deploy ships the HEAD confirmed now; if HEAD moves during the batch, the rest refuse.
    const head = await git.head();
    // ensureAvailable has made sure there is one; bulk deploys always use the default.
    const command = selectDeployCommand(config);
    this.logger.info(`Deploy All Stale: ${plan.steps.map((s) => s.service.name).join(', ')} (concurrency ${settings.concurrency})`);

    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Deploy All Stale', cancellable: true },
      async (progress, token) => {
        const services = new Set(plan.steps.map((s) => s.service.name));
        const increment = deployAllIncrement(plan.steps.length);
        let done = 0;
        const handle = deployAll({
          plan,
          concurrency: settings.concurrency,
          queue: this.queue,
          run: (step, signal, report) =>
            runDeploy({ ...this.runOptions(step.service, command, { config, git, reader }, settings, head), signal, onProgress: report }),
          onProgress: (event) => {
            const finished = event.status !== 'pending' && event.status !== 'running';
            if (finished) done = event.done;
            progress.report({ message: deployAllProgressMessage({ ...event, done }, event.reason), ...(finished ? { increment } : {}) });
          },
        });
        // Verification lines of the running steps, so the notification shows what is being waited for.
        const relay = this.queue.onDidChange((e) => {
          if (e.type === 'progress' && services.has(e.handle.service)) {
            progress.report({ message: deployAllProgressMessage({ done, total: plan.steps.length, service: e.handle.service }, e.progress.message) });
          }
        });
        const cancel = token.onCancellationRequested(() => {
          handle.cancel();
          progress.report({ message: 'Cancelled: deploys not yet started will not start; waiting for the running ones to finish' });
        });
        try {
          return await handle.result;
        } finally {
          relay();
          cancel.dispose();
        }
      },
    );

    const summary = deployAllSummaryMessage(result);
    this.logger[summary.severity === 'info' ? 'info' : summary.severity === 'warning' ? 'warn' : 'error'](summary.text);
    for (const outcome of result.outcomes) {
      if (outcome.status !== 'succeeded' && outcome.status !== 'failed') this.logger.warn(`${outcome.service}: ${outcome.reason}`);
    }
    // Each failure keeps its own loud, specific message and actions; the summary says the rest.
    for (const outcome of result.outcomes) {
      if (outcome.status === 'failed' && outcome.result) void this.notify(outcome.result, command.name);
    }
    const show = summary.severity === 'error' ? vscode.window.showErrorMessage : summary.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(summary.text, 'Show Log').then((choice) => {
      if (choice) this.logger.show();
    });
    return result;
  }

  private async loadHistory(service: string): Promise<DeploymentHistory> {
    const { config, git, reader } = await this.session.coreContext();
    const serviceConfig = config.services.find((s) => s.name === service);
    if (!serviceConfig) return { kind: 'error', message: `${service} is not configured` };
    return readDeploymentHistory({ service: serviceConfig, commitLabel: config.commitLabel, reader, git, limit: DEPLOY_DEFAULTS.historyLimit });
  }
}
