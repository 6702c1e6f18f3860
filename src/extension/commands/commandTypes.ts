import type * as vscode from 'vscode';
import type { CloudRunReader } from '../../core/google/cloudrun';
import type { Endpoints } from '../../core/config';
import type { GitRepository } from '../../core/git/repository';
import type { CommandId } from '../commandIds';
import type { LogSessions } from '../logs/logSessions';
import type { Logger } from '../platform/logger';
import type { DriftSettings } from '../platform/settings';
import type { RefreshReason } from '../session/refreshScheduler';
import type { RepoList } from '../session/repoSessions';
import type { WhereService } from '../where/whereService';

/** The workspace's repositories, each with its session, refresh, deploys and data jobs (see servicePicker.ts to find one). */
export interface CommandRepos extends RepoList {
  /** Looks for configurations again (a file was written). */
  discover(reason: RefreshReason): Promise<void>;
  /** Looks again and refreshes every repository. */
  refreshAll(reason: RefreshReason): Promise<void>;
}

/** Everything a command may use, passed in (no global extension namespace, no import cycles). */
export interface CommandServices {
  repos: CommandRepos;
  logger: Logger;
  /** Remembers inputs across sessions (e.g. the last project scaffolded from). */
  memento: vscode.Memento;
  settings(): DriftSettings;
  createReader(endpoints: Endpoints): CloudRunReader;
  openRepository(dir: string): Promise<GitRepository>;
  /** The open log panels. */
  logs: LogSessions;
  /** Where commits are live, from the verdicts held (shared with the editor's line status). */
  where: WhereService;
  /** Shows a unit's row in the Services view; false when no row stands for it. */
  revealUnit(root: string, name: string): Promise<boolean>;
}

export interface CommandDefinition<Id extends CommandId = CommandId> {
  readonly id: Id;
  /** Names the command in error messages ("Refresh failed: …"). */
  readonly title: string;
  /**
   * The command runs code from the repository (deploy scripts, data jobs) and is refused in an
   * untrusted workspace. Commands that only read verdicts run none and leave it unset.
   */
  readonly requiresTrust?: boolean;
  /** What Restricted Mode refusal says instead of the generic sentence (deploys use core's words). */
  readonly untrustedMessage?: string;
  /** `args` are whatever VS Code passes: a tree node, a palette invocation's nothing, or a test's values. */
  run(services: CommandServices, ...args: unknown[]): unknown;
}

/** Keeps the literal id type so the registration table can be checked for completeness. */
export function defineCommand<Id extends CommandId>(definition: CommandDefinition<Id>): CommandDefinition<Id> {
  return definition;
}
