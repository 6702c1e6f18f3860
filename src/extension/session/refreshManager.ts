// Decides when one repository's session refreshes: the toolbar and API, HEAD/branch/index changes,
// edits inside a service's paths, its configuration file (RepoSessions watches those and asks),
// window focus and an interval. Sources are debounced and coalesced by RefreshScheduler; disposing
// aborts the refresh in flight.
import * as path from 'node:path';
import { errorText } from '../../core/text/messageText';
import * as vscode from 'vscode';
import { SERVICES_VIEW_ID } from '../commandIds';
import { Disposable } from '../platform/disposable';
import type { Logger } from '../platform/logger';
import type { DriftSettings } from '../platform/settings';
import type { DriftSession } from './driftSession';
import { isRelevantWorkingTreeChange, resolveGitWatchDirs } from './gitWatchPaths';
import { isDueOnFocus, RefreshScheduler, type RefreshReason } from './refreshScheduler';

/** Debounce per source, in ms: git writes several files per operation, editors save in bursts. */
const DEBOUNCE_MS: Partial<Record<RefreshReason, number>> = {
  config: 300,
  git: 1_000,
  'working-tree': 2_000,
};

export class RefreshManager extends Disposable {
  private readonly scheduler: RefreshScheduler;
  private watchers: vscode.Disposable[] = [];
  private watchedKey: string | undefined;
  /** Guards against an older, slower rewatch finishing after a newer one. */
  private watchGeneration = 0;
  private interval: ReturnType<typeof setInterval> | undefined;
  /** When the last refresh ended, successful or not: focus refreshes are throttled against it. */
  private lastFinishedAt: number | undefined;

  constructor(
    private readonly session: DriftSession,
    private readonly logger: Logger,
    private settings: DriftSettings,
  ) {
    super();
    this.scheduler = new RefreshScheduler(
      (reasons, signal) => this.run(reasons, signal),
      (err) => this.logger.error('refresh threw', err),
    );
    this._register({ dispose: () => this.scheduler.dispose() });
    this._register({ dispose: () => this.disposeWatchers() });
    this._register({ dispose: () => this.stopInterval() });

    this._register(
      vscode.window.onDidChangeWindowState((state) => {
        // Skipped while a refresh runs (activation's first one, typically) or shortly after one.
        const due = !this.scheduler.isRunning && isDueOnFocus(this.lastFinishedAt, Date.now());
        if (state.focused && this.settings.refreshOnFocus && due) {
          void this.request('focus');
        }
      }),
    );
    this._register(
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.session.markTrustChanged();
        void this.request('trust');
      }),
    );
    this._register(session.onDidChange(() => this.rewatch()));
    this.restartInterval();
    this.rewatch();
  }

  /** Resolves once a refresh that started after this call has finished (successfully or not). */
  request(reason: RefreshReason, delayMs = DEBOUNCE_MS[reason] ?? 0): Promise<void> {
    this.logger.trace(`requested: ${reason}${delayMs ? ` (in ${delayMs} ms)` : ''}`);
    return this.scheduler.request(reason, delayMs);
  }

  applySettings(settings: DriftSettings): void {
    const intervalChanged = settings.refreshIntervalSeconds !== this.settings.refreshIntervalSeconds;
    this.settings = settings;
    if (intervalChanged) this.restartInterval();
    this.rewatch();
  }

  private async run(reasons: ReadonlySet<RefreshReason>, signal: AbortSignal): Promise<void> {
    try {
      // The view's own progress bar: visible where the verdicts are, never a notification.
      await vscode.window.withProgress({ location: { viewId: SERVICES_VIEW_ID } }, () => this.session.refresh(reasons, signal));
    } finally {
      this.lastFinishedAt = Date.now();
    }
  }

  private restartInterval(): void {
    this.stopInterval();
    const seconds = this.settings.refreshIntervalSeconds;
    if (seconds > 0) this.interval = setInterval(() => void this.request('interval'), seconds * 1000);
  }

  private stopInterval(): void {
    if (this.interval !== undefined) clearInterval(this.interval);
    this.interval = undefined;
  }

  /** Re-creates the file watchers when what they watch (repository root, service paths, settings) changed. */
  private rewatch(): void {
    if (this.isDisposed) return;
    const config = this.session.config;
    const watchRepository = this.settings.refreshOnRepositoryChange && config !== undefined;
    const key = watchRepository ? JSON.stringify({ root: config.root, paths: config.services.map((s) => s.paths) }) : '';
    if (key === this.watchedKey) return;
    this.watchedKey = key;
    this.disposeWatchers();
    const generation = ++this.watchGeneration;
    if (!watchRepository) return;

    const root = config.root;
    const servicePaths = config.services.map((s) => s.paths);
    this.watch(new vscode.RelativePattern(vscode.Uri.file(root), '**/*'), (uri) => {
      const relative = path.relative(root, uri.fsPath).split(path.sep).join('/');
      if (isRelevantWorkingTreeChange(relative, servicePaths)) void this.request('working-tree');
    });
    resolveGitWatchDirs(root)
      .then((dirs) => {
        if (generation !== this.watchGeneration || this.isDisposed) return;
        if (!dirs) {
          this.logger.warn(`no .git found at ${root}: HEAD changes will not refresh automatically`);
          return;
        }
        const onGitEvent = (): void => void this.request('git');
        this.watch(new vscode.RelativePattern(vscode.Uri.file(dirs.gitDir), '{HEAD,index}'), onGitEvent);
        this.watch(new vscode.RelativePattern(vscode.Uri.file(dirs.commonDir), '{refs/**,packed-refs}'), onGitEvent);
        this.logger.debug(`watching ${dirs.gitDir}${dirs.commonDir !== dirs.gitDir ? ` and ${dirs.commonDir}` : ''}`);
      })
      .catch((err: unknown) => this.logger.warn(`cannot watch git metadata: ${errorText(err)}`));
  }

  private watch(pattern: vscode.RelativePattern, onEvent: (uri: vscode.Uri) => void): void {
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    this.watchers.push(watcher, watcher.onDidCreate(onEvent), watcher.onDidChange(onEvent), watcher.onDidDelete(onEvent));
  }

  private disposeWatchers(): void {
    for (const d of this.watchers.splice(0)) d.dispose();
  }
}
