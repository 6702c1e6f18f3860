// Which repositories of a (possibly multi-root) workspace have a configuration, and one session per
// repository. Each workspace folder's cloud-run-drift.json is looked for the way the CLI does (core's
// findConfigFile: the folder, then the folders above it up to the repository's top level); folders
// that find the same file share one entry, keyed by the file's directory (the root its paths are
// relative to). No `vscode` import: RepoSessions feeds it the editor's folders and says when to look
// again, and tests drive it with real folders and git repositories.
import * as path from 'node:path';
import { findConfigFile } from '../../core/config';
import { errorText } from '../../core/text/messageText';
import { Emitter, type EventSubscriber } from '../platform/emitter';
import type { Logger } from '../platform/logger';
import type { SessionStateKind } from './driftSession';

/** A workspace folder as the editor lists it. */
export interface WorkspaceFolderInfo {
  /** Absolute path. */
  path: string;
  /** What the editor calls it (the folder's name, or the name a .code-workspace gives it). */
  name: string;
}

/** What the registry needs of an entry; the composition root builds the rest (session, refresh, deploys). */
export interface RegisteredRepo {
  /** The directory holding cloud-run-drift.json: the key. */
  readonly root: string;
  readonly configFile: string;
  /** The workspace folders that found this configuration, in the editor's order (kept up to date). */
  folders: readonly WorkspaceFolderInfo[];
  /** What the Services view's group row says (kept up to date): see repoName. */
  name: string;
  dispose(): void;
}

export type CreateRepo<T extends RegisteredRepo> = (entry: { root: string; configFile: string; folders: readonly WorkspaceFolderInfo[]; name: string }) => T;

/** What the workspace as a whole shows: the welcome views and the palette's `when` clauses read it. */
export type WorkspaceStateKind = SessionStateKind | 'noConfig';

/**
 * `loading` until the folders were first searched; `noConfig` when no folder found a configuration;
 * otherwise the best of the sessions' states (one ready repository makes the workspace ready).
 */
export function workspaceState(searched: boolean, sessions: readonly SessionStateKind[]): WorkspaceStateKind {
  if (!searched) return 'loading';
  if (sessions.length === 0) return 'noConfig';
  if (sessions.includes('ready')) return 'ready';
  if (sessions.includes('invalidConfig')) return 'invalidConfig';
  return 'loading';
}

/** A repository is named after its folder: the one opened at its root, else the first that found it. */
export function repoName(root: string, folders: readonly WorkspaceFolderInfo[]): string {
  const atRoot = folders.find((f) => path.resolve(f.path) === root);
  return (atRoot ?? folders[0])?.name ?? path.basename(root);
}

export interface DiscoveryChange<T> {
  added: T[];
  removed: T[];
}

export class SessionRegistry<T extends RegisteredRepo> {
  private readonly repos = new Map<string, T>();
  private order: string[] = [];
  private searched = false;
  private generation = 0;
  private saidNone = false;
  private disposed = false;
  private readonly changeEmitter = new Emitter<void>();
  /** Repositories were added, removed, reordered or renamed. */
  readonly onDidChange: EventSubscriber<void> = this.changeEmitter.event;

  constructor(
    private readonly create: CreateRepo<T>,
    private readonly logger: Logger,
    private readonly find: (start: string) => Promise<string | null> = findConfigFile,
  ) {}

  /** Whether the folders were searched at least once. */
  get hasSearched(): boolean {
    return this.searched;
  }

  /** In the order of their first folder in the workspace. */
  list(): readonly T[] {
    return this.order.map((root) => this.repos.get(root)!);
  }

  get(root: string): T | undefined {
    return this.repos.get(root);
  }

  /**
   * Searches every folder and makes the entries match: a new configuration gets an entry (created
   * through `create`), a vanished one is disposed, the rest keep their session and learn their
   * folders and name. A search that a newer one overtook changes nothing.
   */
  async discover(folders: readonly WorkspaceFolderInfo[]): Promise<DiscoveryChange<T>> {
    const generation = ++this.generation;
    const found = await Promise.all(
      folders.map((folder) =>
        this.find(folder.path).catch((err: unknown) => {
          this.logger.warn(`cannot look for cloud-run-drift.json from ${folder.path}: ${errorText(err)}`);
          return null;
        }),
      ),
    );
    if (generation !== this.generation || this.disposed) return { added: [], removed: [] };

    const wanted = new Map<string, { configFile: string; folders: WorkspaceFolderInfo[] }>();
    folders.forEach((folder, i) => {
      const file = found[i];
      if (!file) return;
      const configFile = path.resolve(file);
      const root = path.dirname(configFile);
      const entry = wanted.get(root) ?? { configFile, folders: [] };
      entry.folders.push(folder);
      wanted.set(root, entry);
    });

    const added: T[] = [];
    const removed: T[] = [];
    let changed = !this.searched;
    for (const [root, repo] of this.repos) {
      if (wanted.has(root)) continue;
      this.repos.delete(root);
      removed.push(repo);
    }
    for (const [root, { configFile, folders: repoFolders }] of wanted) {
      const name = repoName(root, repoFolders);
      const existing = this.repos.get(root);
      if (existing) {
        if (existing.name !== name || !sameFolders(existing.folders, repoFolders)) changed = true;
        existing.name = name;
        existing.folders = repoFolders;
        continue;
      }
      const repo = this.create({ root, configFile, folders: repoFolders, name });
      this.repos.set(root, repo);
      added.push(repo);
    }
    const order = [...wanted.keys()];
    if (order.join('\0') !== this.order.join('\0')) changed = true;
    this.order = order;
    this.searched = true;

    for (const repo of removed) {
      this.logger.info(`${repo.configFile} is no longer in the workspace`);
      repo.dispose();
    }
    for (const repo of added) this.logger.info(`found ${repo.configFile} (${repo.folders.map((f) => f.name).join(', ')})`);
    if (this.repos.size === 0 && !this.saidNone) {
      // The extension starts in every workspace (onStartupFinished), and most are not ours: say so once.
      this.logger.info('no cloud-run-drift.json in or above the workspace folders');
    }
    this.saidNone = this.repos.size === 0;
    if (changed || added.length > 0 || removed.length > 0) this.changeEmitter.fire();
    return { added, removed };
  }

  dispose(): void {
    this.disposed = true;
    for (const repo of this.repos.values()) repo.dispose();
    this.repos.clear();
    this.order = [];
    this.changeEmitter.dispose();
  }
}

function sameFolders(a: readonly WorkspaceFolderInfo[], b: readonly WorkspaceFolderInfo[]): boolean {
  return a.length === b.length && a.every((f, i) => f.path === b[i]!.path && f.name === b[i]!.name);
}
