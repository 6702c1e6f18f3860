import type * as vscode from 'vscode';
import type { CloudRunReader } from '../../core/cloudrun';
import type { Endpoints } from '../../core/config';
import type { GitRepository } from '../../core/git';
import type { CommandId } from '../commandIds';
import type { DeployService } from '../deploy/deployController';
import type { DataJobs } from '../jobs/dataJobs';
import type { LogSessions } from '../logs/logSessions';
import type { Logger } from '../platform/logger';
import type { DriftSettings } from '../platform/settings';
import type { DriftSession } from '../session/driftSession';
import type { RefreshReason } from '../session/refreshScheduler';

/** Everything a command may use, passed in (no global extension namespace, no import cycles). */
export interface CommandServices {
  session: DriftSession;
  refresh: { request(reason: RefreshReason): Promise<void> };
  logger: Logger;
  /** Remembers inputs across sessions (e.g. the last project scaffolded from). */
  memento: vscode.Memento;
  settings(): DriftSettings;
  createReader(endpoints: Endpoints): CloudRunReader;
  openRepository(dir: string): Promise<GitRepository>;
  /** Deploys, their state and the Deployments history. */
  deploys: DeployService;
  /** The open log panels. */
  logs: LogSessions;
  /** Data jobs: guards, runs and scoreboards. */
  jobs: DataJobs;
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
