// The composition root: builds every part once and passes each its dependencies.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DeploymentHistory } from '../core/deploy/history';
import type { DeployResult } from '../core/deploy/runner';
import { GitHelper } from '../core/git/helper/client';
import type { CheckResult } from '../core/model';
import { WhereAnswers } from '../core/where/answers';
import { JOBS_VIEW_ID } from './commandIds';
import { registerCommands } from './commands/registerCommands';
import { DeployController } from './deploy/deployController';
import type { DeployStateSnapshot } from './deploy/deployState';
import { DataJobs } from './jobs/dataJobs';
import { LogSessions, type LogSessionInfo } from './logs/logSessions';
import { CommitPatchProvider } from './patches/commitPatchProvider';
import { COMMIT_PATCH_SCHEME } from './patches/commitPatchUri';
import { CONTEXT_KEYS, setContext, stateContextValue } from './platform/contextKeys';
import { Disposable } from './platform/disposable';
import type { Logger } from './platform/logger';
import { onDidChangeSettings, readSettings } from './platform/settings';
import { testCountersFor, type TreeRefreshCounts } from './platform/testHooks';
import { createApiClients } from './session/apiClients';
import { createCoreServices } from './session/coreServices';
import { DriftSession } from './session/driftSession';
import { effectiveEndpoints } from './session/endpointsPolicy';
import { RefreshManager } from './session/refreshManager';
import type { Repo } from './session/repo';
import { RepoSessions } from './session/repoSessions';
import type { CreateRepo, WorkspaceStateKind } from './session/sessionRegistry';
import { JobsTreeProvider } from './tree/jobsTreeProvider';
import { ServicesTreeProvider, type TreeSnapshotNode } from './tree/servicesTreeProvider';
import { DeployStatusBar } from './views/deployStatusBar';
import { ServicesView } from './views/servicesView';
import { StatusBarSummary } from './views/statusBarSummary';
import { WhereLineStatus } from './where/whereLineStatus';
import { WhereService } from './where/whereService';

/** One repository of the workspace, as the test API reports it. */
export interface RepositoryInfo {
  /** The directory holding its cloud-run-drift.json: the key other methods take. */
  root: string;
  /** The group row's label (its folder's name). */
  name: string;
  /** Paths of the workspace folders that found its configuration. */
  folders: string[];
  state: WorkspaceStateKind;
}

/**
 * What `activate` returns when the extension runs for tests (platform/testHooks.ts): e2e tests read state through it. Methods without a `root` act on the
 * first repository of the workspace (the only one, in a single-root workspace).
 */
export interface CloudRunDriftApi {
  getLastResult(root?: string): CheckResult | undefined;
  /** Resolves when a refresh (of every repository, after looking for configurations again) that started after the call has finished. */
  refresh(): Promise<void>;
  /** Every successful check of any repository. */
  readonly onDidRefresh: vscode.Event<CheckResult>;
  /** The workspace's state: `noConfig` when no folder found a configuration, `ready` when a repository is. */
  getState(): WorkspaceStateKind;
  /** The repositories with a configuration, in the order of their first folder. */
  getRepositories(): RepositoryInfo[];
  /** The Services tree as plain data (labels, descriptions, icons, context values, children); grouped by repository when there are several. */
  getTreeSnapshot(): TreeSnapshotNode[];
  /** One repository's rows, as the tree shows them under its group (or at the top, when it is the only one). */
  getRepositorySnapshot(root: string): TreeSnapshotNode[];
  /** How often the tree redrew everything or only its rows (see ServicesTreeProvider.changed). */
  getTreeRefreshCounts(): TreeRefreshCounts;
  /** Whether the service is deploying (and in which phase), and how its last deploy in this window ended. */
  getDeployState(service: string, root?: string): DeployStateSnapshot;
  /** Fires with every finished deploy (click, palette, Retry or Deploy All Stale), after getDeployState reflects it. */
  readonly onDidFinishDeploy: vscode.Event<DeployResult>;
  /** The service's Deployments history as the tree shows it (loads it when not loaded yet). */
  getDeploymentHistory(service: string, root?: string): Promise<DeploymentHistory>;
  /** Open log panels: which stream (service, "service/revision" or "all services"), title, history start, entries received, connection state. */
  getLogSessions(): LogSessionInfo[];
  /** What the status bar says for the cursor line ("live in … since 2h"), or '' when it says nothing. */
  getWhereLineStatus(): string;
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
    // Every git of the editor starts in this helper process, so that no start holds the extension host.
    const helperScript = path.join(context.extensionPath, 'dist', 'git-helper.js');
    const gitHelper = fs.existsSync(helperScript) ? this._register(new GitHelper(helperScript)) : undefined;
    if (!gitHelper) logger.warn(`${helperScript} is missing (a build without it?): git starts in the extension host`);
    const core = createCoreServices(clients, gitHelper);
    const refreshed = this._register(new vscode.EventEmitter<CheckResult>());
    const deployFinished = this._register(new vscode.EventEmitter<DeployResult>());

    // One session per repository with a configuration, each with its own refresh, deploys and data jobs.
    const createRepo: CreateRepo<Repo> = (entry) => {
      const repoLogger = logger.child(path.basename(entry.root));
      const parts: { dispose(): unknown }[] = [];
      const own = <T extends { dispose(): unknown }>(part: T): T => (parts.push(part), part);
      const session = own(new DriftSession(core, { isTrusted: () => vscode.workspace.isTrusted }, repoLogger.child('session'), entry.configFile));
      const refresh = own(new RefreshManager(session, repoLogger.child('refresh'), settings));
      const deploys = own(new DeployController(session, refresh, repoLogger.child('deploy'), () => settings));
      const jobs = own(
        new DataJobs(
          {
            coreContext: () => session.coreContext(),
            // Untrusted, only a loopback emulator endpoint is kept (as for Cloud Run and Logging).
            createBigQueryReader: (job, config) =>
              clients.bigQuery({ project: job.project, endpoint: effectiveEndpoints(config.endpoints, vscode.workspace.isTrusted).endpoints.bigquery }),
            createLogSource: (config, project) => clients.logSource({ projects: [project], endpoint: effectiveEndpoints(config.endpoints, vscode.workspace.isTrusted).endpoints.logging }),
            deploy: (unit) => deploys.deploy(unit),
            extensionUri: context.extensionUri,
            memento: context.globalState,
            executionsOf: (unit) => session.verdict(unit)?.executions ?? [],
          },
          repoLogger.child('jobs'),
        ),
      );
      // Both go with their emitters, which the session and the deploy states dispose.
      session.onDidRefresh((result) => refreshed.fire(result));
      deploys.states.onDidFinish((result) => deployFinished.fire(result));
      return {
        ...entry,
        session,
        refresh,
        deploys,
        jobs,
        // Newest first, as Disposable does: the refresh stops before the session goes.
        dispose: () => parts.reverse().forEach((part) => part.dispose()),
      };
    };
    const repos = this._register(new RepoSessions(createRepo, logger.child('sessions'), settings));
    const tree = this._register(new ServicesTreeProvider(repos, testCounters?.tree));
    const servicesView = this._register(new ServicesView(tree, repos));
    const statusBar = this._register(new StatusBarSummary(repos, settings));
    const where = new WhereService(repos, new WhereAnswers());
    const whereLine = this._register(new WhereLineStatus(repos, where, settings, logger.child('where')));
    this._register(new DeployStatusBar(repos));
    this._register(vscode.workspace.registerTextDocumentContentProvider(COMMIT_PATCH_SCHEME, new CommitPatchProvider(repos)));
    this._register(
      repos.onDidChange(() => {
        setContext(CONTEXT_KEYS.state, stateContextValue(repos.state));
        setContext(CONTEXT_KEYS.hasJobs, repos.list().some((r) => (r.session.config?.jobs.length ?? 0) > 0));
      }),
    );
    this._register(
      onDidChangeSettings((next) => {
        const credentialsChanged = next['credentials.allowHosts'].join('\n') !== settings['credentials.allowHosts'].join('\n');
        settings = next;
        if (credentialsChanged) repos.markCredentialsChanged();
        repos.applySettings(next);
        statusBar.applySettings(next);
        whereLine.applySettings(next);
      }),
    );
    const logSessions = this._register(new LogSessions(context.extensionUri, logger.child('logs'), () => settings, clients, context.workspaceState));
    this._register(vscode.window.createTreeView(JOBS_VIEW_ID, { treeDataProvider: this._register(new JobsTreeProvider(repos)) }));
    for (const disposable of registerCommands({
      repos,
      logger,
      memento: context.globalState,
      settings: () => settings,
      createReader: (endpoints) => clients.cloudRun(endpoints),
      openRepository: (dir) => core.openRepository(dir, true),
      logs: logSessions,
      where,
      revealUnit: (root, name) => servicesView.reveal(root, name),
    })) {
      this._register(disposable);
    }

    const repoOf = (root?: string): Repo | undefined => (root === undefined ? repos.list()[0] : repos.get(root));
    const deploysOf = (root?: string): Repo['deploys'] => {
      const repo = repoOf(root);
      if (!repo) throw new Error(root === undefined ? 'No repository with a cloud-run-drift.json is open' : `${root} is not an open repository`);
      return repo.deploys;
    };
    if (testCounters) {
      this.api = {
      getLastResult: (root) => repoOf(root)?.session.lastResult,
      refresh: () => repos.refreshAll('api'),
      onDidRefresh: refreshed.event,
      getState: () => repos.state,
      getRepositories: () => repos.list().map((r) => ({ root: r.root, name: r.name, folders: r.folders.map((f) => f.path), state: r.session.state.kind })),
      getTreeSnapshot: () => tree.snapshot(),
      getRepositorySnapshot: (root) => tree.repositorySnapshot(root),
      getTreeRefreshCounts: () => ({ ...testCounters.tree }),
      getDeployState: (service, root) => deploysOf(root).states.get(service),
      onDidFinishDeploy: deployFinished.event,
      getDeploymentHistory: (service, root) => deploysOf(root).history.get(service),
      getLogSessions: () => logSessions.list(),
      getWhereLineStatus: () => whereLine.text,
    };
    }

    logger.info(`activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'not trusted'}${testCounters ? ', test mode: test API on' : ''})`);
    void repos.discover('startup');
  }
}
