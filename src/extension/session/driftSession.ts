// The extension's model of one repository with a configuration: the configuration in force, the
// last check result, and whether the latest refresh failed. It runs refreshes (RefreshManager
// decides when) and owns the git repository handle and the Cloud Run reader. Which repositories a
// workspace holds is the SessionRegistry's business: a session is bound to one cloud-run-drift.json.
// No `vscode` import: the editor is reached through SessionEnvironment, core through CoreServices,
// so the rules ("a failed refresh keeps the last result") are unit-tested with fakes.
import * as path from 'node:path';
import { servingLabelsOf, type CheckDeps } from '../../core/check';
import type { CloudRunReader } from '../../core/google/cloudrun';
import { ConfigError, type ConfigProblem, type DriftConfig, type Endpoints, type ServiceConfig } from '../../core/config';
import type { GitRepository } from '../../core/git/repository';
import type { CheckResult, ServiceVerdict } from '../../core/model';
import { errorText } from '../../core/text/messageText';
import { Emitter, type EventSubscriber } from '../platform/emitter';
import type { Logger } from '../platform/logger';
import { effectiveEndpoints } from './endpointsPolicy';
import type { RefreshReason } from './refreshScheduler';

export type SessionState =
  | { kind: 'loading' }
  | { kind: 'invalidConfig'; file: string; problems: ConfigProblem[] }
  | { kind: 'ready'; config: DriftConfig };

export type SessionStateKind = SessionState['kind'];

export interface RefreshFailure {
  message: string;
  at: Date;
}

/** The parts of core the session calls; coreServices.ts supplies the real ones. */
export interface CoreServices {
  loadConfig(file: string): Promise<DriftConfig>;
  /** `trusted: false` must keep git from running anything the repository configures. */
  openRepository(root: string, trusted: boolean): Promise<GitRepository>;
  createReader(endpoints: Endpoints): CloudRunReader;
  checkServices(config: DriftConfig, deps: CheckDeps, options: { signal: AbortSignal; expectedLabels: readonly string[] }): Promise<CheckResult>;
}

export interface SessionEnvironment {
  isTrusted(): boolean;
}

export class DriftSession {
  private currentState: SessionState = { kind: 'loading' };
  private result: CheckResult | undefined;
  private latestFailure: RefreshFailure | undefined;
  private isRefreshing = false;
  private configDirty = true;
  private repository: { key: string; handle: Promise<GitRepository> } | undefined;
  private reader: { key: string; handle: CloudRunReader } | undefined;
  private reportedDroppedEndpoints = '';

  private readonly changeEmitter = new Emitter<void>();
  private readonly refreshEmitter = new Emitter<CheckResult>();
  /** Any change a view shows: state, result, failure, or whether a refresh is running. */
  readonly onDidChange: EventSubscriber<void> = this.changeEmitter.event;
  /** Each successful check, after the session holds it. */
  readonly onDidRefresh: EventSubscriber<CheckResult> = this.refreshEmitter.event;

  /** The directory holding the configuration: the repository root its paths are relative to, and the session's key. */
  readonly root: string;

  constructor(
    private readonly core: CoreServices,
    private readonly environment: SessionEnvironment,
    private readonly logger: Logger,
    /** The cloud-run-drift.json this session reads, absolute: for watchers and "Open Config". */
    readonly configFile: string,
  ) {
    this.root = path.dirname(configFile);
  }

  get state(): SessionState {
    return this.currentState;
  }

  get lastResult(): CheckResult | undefined {
    return this.result;
  }

  /** Set while the latest refresh failed as a whole; cleared by the next success. */
  get failure(): RefreshFailure | undefined {
    return this.latestFailure;
  }

  get refreshing(): boolean {
    return this.isRefreshing;
  }

  get config(): DriftConfig | undefined {
    return this.currentState.kind === 'ready' ? this.currentState.config : undefined;
  }

  serviceConfig(name: string): ServiceConfig | undefined {
    return this.config?.services.find((s) => s.name === name);
  }

  verdict(name: string): ServiceVerdict | undefined {
    return this.result?.services.find((v) => v.name === name);
  }

  /** The configuration file changed (or appeared, or vanished): the next refresh re-reads it. */
  markConfigChanged(): void {
    this.configDirty = true;
  }

  /** Workspace trust was granted: reopen git and rebuild the reader with the full endpoints. */
  markTrustChanged(): void {
    this.repository = undefined;
    this.closeReader();
  }

  /** The hosts allowed to receive credentials changed: the next refresh builds the reader anew. */
  markCredentialsChanged(): void {
    this.closeReader();
  }

  /** The repository of the configuration in force, for commit patches. */
  async openRepository(): Promise<GitRepository> {
    const config = this.config;
    if (!config) throw new Error('No valid cloud-run-drift.json is loaded');
    return this.repositoryFor(config.root, this.environment.isTrusted());
  }

  /**
   * The configuration in force with the repository and Cloud Run reader its checks use (endpoints
   * as trust allows): deploys verify, and the Deployments history reads, through the same ones.
   */
  async coreContext(): Promise<{ config: DriftConfig; git: GitRepository; reader: CloudRunReader }> {
    const config = this.config;
    if (!config) throw new Error('No valid cloud-run-drift.json is loaded');
    const trusted = this.environment.isTrusted();
    const { endpoints } = effectiveEndpoints(config.endpoints, trusted);
    const git = await this.repositoryFor(config.root, trusted);
    return { config: { ...config, endpoints }, git, reader: this.readerFor(endpoints) };
  }

  async refresh(reasons: ReadonlySet<RefreshReason>, signal: AbortSignal): Promise<void> {
    this.setRefreshing(true);
    try {
      if (this.configDirty || this.currentState.kind !== 'ready') {
        this.configDirty = false;
        await this.reloadConfig();
      }
      const state = this.currentState;
      if (state.kind !== 'ready' || signal.aborted) return;
      await this.check(state.config, reasons, signal);
    } finally {
      this.setRefreshing(false);
    }
  }

  dispose(): void {
    this.closeReader();
    this.changeEmitter.dispose();
    this.refreshEmitter.dispose();
  }

  private async check(config: DriftConfig, reasons: ReadonlySet<RefreshReason>, signal: AbortSignal): Promise<void> {
    const started = Date.now();
    try {
      const trusted = this.environment.isTrusted();
      const { endpoints, dropped } = effectiveEndpoints(config.endpoints, trusted);
      this.reportDroppedEndpoints(dropped);
      const git = await this.repositoryFor(config.root, trusted);
      const reader = this.readerFor(endpoints);
      // The last result's labels: after a commit moves HEAD, their ranges are read while Cloud Run answers.
      const expectedLabels = servingLabelsOf(this.result?.services ?? []);
      const result = await this.core.checkServices({ ...config, endpoints }, { reader, git }, { signal, expectedLabels });
      if (signal.aborted) return;
      this.result = result;
      this.latestFailure = undefined;
      this.logger.info(`checked ${result.services.length} services in ${Date.now() - started} ms (${[...reasons].join(', ')})`);
      this.refreshEmitter.fire(result);
    } catch (err) {
      if (signal.aborted) return;
      // Forget the repository handle: the failure may be a repository that moved or was re-cloned.
      this.repository = undefined;
      this.latestFailure = { message: errorText(err), at: new Date() };
      this.logger.error(`refresh failed after ${Date.now() - started} ms; keeping the last result`, err);
    }
  }

  private async reloadConfig(): Promise<void> {
    const file = this.configFile;
    try {
      const config = await this.core.loadConfig(file);
      this.logger.info(`loaded ${file}: ${config.services.length} services`);
      this.setState({ kind: 'ready', config });
    } catch (err) {
      const problems: ConfigProblem[] =
        err instanceof ConfigError ? err.problems : [{ jsonPath: '$', line: null, message: errorText(err) }];
      this.logger.warn(`${file} is invalid:\n${errorText(err)}`);
      this.setState({ kind: 'invalidConfig', file, problems });
    }
  }

  private repositoryFor(root: string, trusted: boolean): Promise<GitRepository> {
    const key = `${root}\0${trusted}`;
    if (this.repository?.key !== key) {
      const handle = this.core.openRepository(root, trusted);
      // A failed open is retried on the next call rather than cached.
      handle.catch(() => {
        if (this.repository?.handle === handle) this.repository = undefined;
      });
      this.repository = { key, handle };
    }
    return this.repository.handle;
  }

  private readerFor(endpoints: Endpoints): CloudRunReader {
    const key = JSON.stringify(endpoints);
    if (this.reader?.key !== key) {
      this.closeReader();
      this.reader = { key, handle: this.core.createReader(endpoints) };
    }
    return this.reader.handle;
  }

  private closeReader(): void {
    const reader = this.reader?.handle;
    this.reader = undefined;
    reader?.close().catch((err: unknown) => this.logger.warn(`closing the Cloud Run client failed: ${errorText(err)}`));
  }

  private reportDroppedEndpoints(dropped: readonly string[]): void {
    const key = dropped.join(',');
    if (key === this.reportedDroppedEndpoints) return;
    this.reportedDroppedEndpoints = key;
    if (dropped.length > 0) {
      this.logger.warn(
        `workspace not trusted: ignoring endpoints.${dropped.join(', endpoints.')} from cloud-run-drift.json ` +
          '(only a plain-http loopback emulator is used until the workspace is trusted)',
      );
    }
  }

  private setState(state: SessionState): void {
    this.currentState = state;
    this.changeEmitter.fire();
  }

  private setRefreshing(refreshing: boolean): void {
    this.isRefreshing = refreshing;
    this.changeEmitter.fire();
  }
}
