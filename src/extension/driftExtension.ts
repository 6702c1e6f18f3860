// The composition root: builds every part once and passes each its dependencies.
import * as vscode from 'vscode';
import type { DeploymentHistory } from '../core/deploy/history';
import type { DeployResult } from '../core/deploy/runner';
import { GitRepository } from '../core/git';
import type { CheckResult } from '../core/model';
import { createApiClients } from './apiClients';
import { CommitPatchProvider } from './commitPatchProvider';
import { COMMIT_PATCH_SCHEME } from './commitPatchUri';
import { JOBS_VIEW_ID } from './commandIds';
import { registerCommands } from './commands/registerCommands';
import { CONTEXT_KEYS, setContext, stateContextValue } from './contextKeys';
import { createCoreServices } from './coreServices';
import { DeployController } from './deploy/deployController';
import type { DeployStateSnapshot } from './deploy/deployState';
import { Disposable } from './disposable';
import { DriftSession, type SessionStateKind } from './driftSession';
import { effectiveEndpoints } from './endpointsPolicy';
import { DataJobs } from './jobs/dataJobs';
import type { Logger } from './logger';
import { LogSessions, type LogSessionInfo } from './logs/logSessions';
import { testCountersFor, type TreeRefreshCounts } from './platform/testHooks';
import { RefreshManager } from './refreshManager';
import { onDidChangeSettings, readSettings } from './settings';
import { JobsTreeProvider } from './tree/jobsTreeProvider';
import { ServicesTreeProvider, type TreeSnapshotNode } from './tree/servicesTreeProvider';
import { DeployStatusBar } from './views/deployStatusBar';
import { ServicesView } from './views/servicesView';
import { StatusBarSummary } from './views/statusBarSummary';

/** What `activate` returns when the extension runs for tests (platform/testHooks.ts): e2e tests read state through it. */
export interface CloudRunDriftApi {
  getLastResult(): CheckResult | undefined;
  /** Resolves when a refresh that started after the call has finished. */
  refresh(): Promise<void>;
  readonly onDidRefresh: vscode.Event<CheckResult>;
  getState(): SessionStateKind;
  /** The Services tree as plain data (labels, descriptions, icons, context values, children). */
  getTreeSnapshot(): TreeSnapshotNode[];
  /** How often the tree redrew everything or only its rows (see ServicesTreeProvider.changed). */
  getTreeRefreshCounts(): TreeRefreshCounts;
  /** Whether the service is deploying (and in which phase), and how its last deploy in this window ended. */
  getDeployState(service: string): DeployStateSnapshot;
  /** Fires with every finished deploy (click, palette, Retry or Deploy All Stale), after getDeployState reflects it. */
  readonly onDidFinishDeploy: vscode.Event<DeployResult>;
  /** The service's Deployments history as the tree shows it (loads it when not loaded yet). */
  getDeploymentHistory(service: string): Promise<DeploymentHistory>;
  /** Open log panels: which stream (service, "service/revision" or "all services"), title, history start, entries received, connection state. */
  getLogSessions(): LogSessionInfo[];
}

export class DriftExtension extends Disposable {
  /** Only when VS Code runs the extension for its tests; undefined otherwise. */
  readonly api: CloudRunDriftApi | undefined;

  constructor(context: vscode.ExtensionContext, logger: Logger) {
    super();
    // The one place that decides whether test hooks exist: the counters and the API below.
    const testCounters = testCountersFor(context.extensionMode, vscode.ExtensionMode);
    let settings = readSettings();
    // Every Google API client is built here, with the hosts the user allowed to receive credentials.
    const clients = createApiClients(() => settings['credentials.allowHosts']);
    const session = new DriftSession(
      createCoreServices(clients),
      {
        workspaceFolders: () => (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
        isTrusted: () => vscode.workspace.isTrusted,
      },
      logger.child('session'),
    );
    this._register(session);
    const refresh = this._register(new RefreshManager(session, logger.child('refresh'), settings));
    const deploys = this._register(new DeployController(session, refresh, logger.child('deploy'), () => settings));
    const tree = this._register(new ServicesTreeProvider(session, deploys, testCounters?.tree));
    this._register(new ServicesView(tree, session));
    const statusBar = this._register(new StatusBarSummary(session, settings));
    this._register(new DeployStatusBar(deploys.states));
    this._register(vscode.workspace.registerTextDocumentContentProvider(COMMIT_PATCH_SCHEME, new CommitPatchProvider(session)));
    this._register(
      session.onDidChange(() => {
        setContext(CONTEXT_KEYS.state, stateContextValue(session.state.kind));
        setContext(CONTEXT_KEYS.hasJobs, session.state.kind === 'ready' && session.state.config.jobs.length > 0);
      }),
    );
    this._register(
      onDidChangeSettings((next) => {
        const credentialsChanged = next['credentials.allowHosts'].join('\n') !== settings['credentials.allowHosts'].join('\n');
        settings = next;
        if (credentialsChanged) {
          session.markCredentialsChanged();
          void refresh.request('credentials');
        }
        refresh.applySettings(next);
        statusBar.applySettings(next);
      }),
    );
    const logSessions = this._register(new LogSessions(context.extensionUri, logger.child('logs'), () => settings, clients));
    const jobs = this._register(
      new DataJobs(
        {
          coreContext: () => session.coreContext(),
          // Untrusted, only a loopback emulator endpoint is kept (as for Cloud Run and Logging).
          createBigQueryReader: (job, config) =>
            clients.bigQuery({ project: job.project, endpoint: effectiveEndpoints(config.endpoints, vscode.workspace.isTrusted).endpoints.bigquery }),
        },
        logger.child('jobs'),
      ),
    );
    this._register(vscode.window.createTreeView(JOBS_VIEW_ID, { treeDataProvider: this._register(new JobsTreeProvider(session, jobs.runs)) }));
    for (const disposable of registerCommands({
      session,
      refresh,
      logger,
      memento: context.globalState,
      settings: () => settings,
      createReader: (endpoints) => clients.cloudRun(endpoints),
      openRepository: (dir) => GitRepository.open(dir),
      deploys,
      logs: logSessions,
      jobs,
    })) {
      this._register(disposable);
    }

    if (testCounters) {
      const refreshed = this._register(new vscode.EventEmitter<CheckResult>());
      this._register(session.onDidRefresh((result) => refreshed.fire(result)));
      const deployFinished = this._register(new vscode.EventEmitter<DeployResult>());
      this._register(deploys.states.onDidFinish((result) => deployFinished.fire(result)));
      this.api = {
        getLastResult: () => session.lastResult,
        refresh: () => refresh.request('api'),
        onDidRefresh: refreshed.event,
        getState: () => session.state.kind,
        getTreeSnapshot: () => tree.snapshot(),
        getTreeRefreshCounts: () => ({ ...testCounters.tree }),
        getDeployState: (service) => deploys.states.get(service),
        onDidFinishDeploy: deployFinished.event,
        getDeploymentHistory: (service) => deploys.history.get(service),
        getLogSessions: () => logSessions.list(),
      };
    }

    logger.info(`activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'not trusted'}${testCounters ? ', test mode: test API on' : ''})`);
    void refresh.request('startup');
  }
}
