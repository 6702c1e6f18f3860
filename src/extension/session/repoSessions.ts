// The repositories of the workspace, kept in step with the editor: the workspace folders (also as
// they are added and removed), cloud-run-drift.json appearing, changing or vanishing in a folder or
// a repository root, and, for a file that appears where no watcher looks (above a folder, pulled
// in by git), window focus and the refresh interval. Each repository found gets its session and
// refresh (SessionRegistry, the composition root's factory) and a first refresh; one that vanishes is
// disposed. Views and commands read the repositories and the workspace's state here.
import * as vscode from 'vscode';
import { CONFIG_FILE_NAME } from '../../core/config';
import { Disposable } from '../platform/disposable';
import type { DisposableLike } from '../platform/emitter';
import type { Logger } from '../platform/logger';
import type { DriftSettings } from '../platform/settingsDefaults';
import type { Repo } from './repo';
import { isDueOnFocus, RefreshScheduler, type RefreshReason } from './refreshScheduler';
import { SessionRegistry, workspaceState, type CreateRepo, type WorkspaceFolderInfo, type WorkspaceStateKind } from './sessionRegistry';

/** A file event from git or an editor comes in bursts; looking again is a few `stat` calls. */
const CONFIG_DEBOUNCE_MS = 300;

/** What the views and commands use (tests of them pass plain objects). */
export interface RepoList {
  /** In the order of their first folder in the workspace. */
  list(): readonly Repo[];
  get(root: string): Repo | undefined;
  readonly state: WorkspaceStateKind;
  /** The repositories changed, or any repository's session did (state, result, refreshing). */
  readonly onDidChange: vscode.Event<void>;
}

export class RepoSessions extends Disposable implements RepoList {
  private readonly registry: SessionRegistry<Repo>;
  private readonly discovery: RefreshScheduler;
  private readonly changeEmitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changeEmitter.event;
  private readonly sessionListeners = new Map<string, DisposableLike>();
  private watchers: vscode.Disposable[] = [];
  private watchedKey = '';
  private interval: ReturnType<typeof setInterval> | undefined;
  private lastSearchedAt: number | undefined;

  constructor(
    create: CreateRepo<Repo>,
    private readonly logger: Logger,
    private settings: DriftSettings,
  ) {
    super();
    this.registry = new SessionRegistry(create, logger);
    this._register({ dispose: () => this.registry.dispose() });
    this.discovery = new RefreshScheduler(
      () => this.search(),
      (err) => this.logger.error('looking for cloud-run-drift.json failed', err),
    );
    this._register({ dispose: () => this.discovery.dispose() });
    this._register({ dispose: () => this.disposeWatchers() });
    this._register({ dispose: () => this.stopInterval() });
    this._register({ dispose: () => [...this.sessionListeners.values()].forEach((l) => l.dispose()) });
    this._register(this.registry.onDidChange(() => this.changeEmitter.fire()));
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.discover('workspace-folders')));
    this._register(
      vscode.window.onDidChangeWindowState((state) => {
        if (state.focused && this.settings.refreshOnFocus && !this.discovery.isRunning && isDueOnFocus(this.lastSearchedAt, Date.now())) void this.discover('focus');
      }),
    );
    this.restartInterval();
    this.rewatch();
  }

  get state(): WorkspaceStateKind {
    return workspaceState(this.registry.hasSearched, this.list().map((r) => r.session.state.kind));
  }

  list(): readonly Repo[] {
    return this.registry.list();
  }

  get(root: string): Repo | undefined {
    return this.registry.get(root);
  }

  /** Looks for configurations again; resolves once a search that started after the call has finished. */
  discover(reason: RefreshReason, delayMs = 0): Promise<void> {
    return this.discovery.request(reason, delayMs);
  }

  /** Looks again, then refreshes every repository; resolves when all of that has finished. */
  async refreshAll(reason: RefreshReason): Promise<void> {
    await this.discover(reason);
    await Promise.all(this.list().map((repo) => repo.refresh.request(reason)));
  }

  /** The hosts allowed to receive credentials changed: every session builds its reader anew. */
  markCredentialsChanged(): void {
    for (const repo of this.list()) {
      repo.session.markCredentialsChanged();
      void repo.refresh.request('credentials');
    }
  }

  applySettings(settings: DriftSettings): void {
    const intervalChanged = settings.refreshIntervalSeconds !== this.settings.refreshIntervalSeconds;
    this.settings = settings;
    if (intervalChanged) this.restartInterval();
    for (const repo of this.list()) repo.refresh.applySettings(settings);
  }

  private async search(): Promise<void> {
    try {
      const { added, removed } = await this.registry.discover(workspaceFolders());
      for (const repo of removed) {
        this.sessionListeners.get(repo.root)?.dispose();
        this.sessionListeners.delete(repo.root);
      }
      for (const repo of added) {
        this.sessionListeners.set(repo.root, repo.session.onDidChange(() => this.changeEmitter.fire()));
        void repo.refresh.request('startup');
      }
      this.rewatch();
    } finally {
      this.lastSearchedAt = Date.now();
    }
  }

  /** The configuration file may appear in any folder (scaffolded, pulled), change, or vanish from a repository root. */
  private rewatch(): void {
    if (this.isDisposed) return;
    const directories = new Set([...workspaceFolders().map((f) => f.path), ...this.list().map((r) => r.root)]);
    const key = [...directories].sort().join('\0');
    if (key === this.watchedKey) return;
    this.watchedKey = key;
    this.disposeWatchers();
    const onEvent = (uri: vscode.Uri): void => {
      const repo = this.list().find((r) => r.configFile === uri.fsPath);
      if (repo) {
        repo.session.markConfigChanged();
        void repo.refresh.request('config');
      }
      void this.discover('config', CONFIG_DEBOUNCE_MS);
    };
    for (const directory of directories) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(directory), CONFIG_FILE_NAME));
      this.watchers.push(watcher, watcher.onDidCreate(onEvent), watcher.onDidChange(onEvent), watcher.onDidDelete(onEvent));
    }
  }

  private disposeWatchers(): void {
    for (const d of this.watchers.splice(0)) d.dispose();
  }

  private restartInterval(): void {
    this.stopInterval();
    const seconds = this.settings.refreshIntervalSeconds;
    if (seconds > 0) this.interval = setInterval(() => void this.discover('interval'), seconds * 1000);
  }

  private stopInterval(): void {
    if (this.interval !== undefined) clearInterval(this.interval);
    this.interval = undefined;
  }
}

function workspaceFolders(): WorkspaceFolderInfo[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => ({ path: f.uri.fsPath, name: f.name }));
}
