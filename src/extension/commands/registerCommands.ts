// The one table of commands. A command is a file exporting a definition plus a row here; the
// table is checked against COMMAND_IDS at compile time (and against package.json by a unit test).
import * as vscode from 'vscode';
import type { CommandId } from '../commandIds';
import { runCommand } from './commandErrors';
import type { CommandServices } from './commandTypes';
import { copyDeployedCommitCommand } from './copyDeployedCommit';
import { deployCommand } from './deploy';
import { deployAllStaleCommand } from './deployAllStale';
import { deployWithCommand } from './deployWith';
import { openConfigCommand } from './openConfig';
import { openInCloudConsoleCommand } from './openInCloudConsole';
import { openDeployLogsCommand } from './openDeployLogs';
import { openLogsCommand } from './openLogs';
import { openAllLogsCommand } from './openLogsAll';
import { openRevisionLogsCommand } from './openLogsRevision';
import { refreshCommand } from './refresh';
import { routeAllTrafficCommand } from './routeAllTraffic';
import { runDataJobCommand } from './runDataJob';
import { scaffoldConfigCommand } from './scaffoldConfig';
import { showCommitPatchCommand } from './showCommitPatch';
import { showDeployTerminalCommand } from './showDeployTerminal';
import { showLogCommand } from './showLog';
import { showScoreboardCommand } from './showScoreboard';
import { signInCommand } from './signIn';
import { revealUnitCommand, whereIsCommitLiveCommand, whereIsLineLiveCommand } from './whereIsCommitLive';

const COMMAND_TABLE = [
  refreshCommand,
  scaffoldConfigCommand,
  openConfigCommand,
  showCommitPatchCommand,
  copyDeployedCommitCommand,
  openInCloudConsoleCommand,
  showLogCommand,
  deployCommand,
  deployWithCommand,
  deployAllStaleCommand,
  routeAllTrafficCommand,
  showDeployTerminalCommand,
  openLogsCommand,
  openRevisionLogsCommand,
  openAllLogsCommand,
  openDeployLogsCommand,
  runDataJobCommand,
  showScoreboardCommand,
  signInCommand,
  whereIsCommitLiveCommand,
  whereIsLineLiveCommand,
  revealUnitCommand,
] as const;

type Unregistered = Exclude<CommandId, (typeof COMMAND_TABLE)[number]['id']>;
type AssertTrue<T extends true> = T;
/**
 * Fails to compile when an id in COMMAND_IDS has no row in the table.
 * @public (exported so that neither TypeScript nor knip calls the check unused)
 */
export type EveryCommandIsRegistered = AssertTrue<[Unregistered] extends [never] ? true : false>;

export function registerCommands(services: CommandServices): vscode.Disposable[] {
  return COMMAND_TABLE.map((definition) =>
    vscode.commands.registerCommand(definition.id, (...args: unknown[]) => runCommand(definition, services, args)),
  );
}
