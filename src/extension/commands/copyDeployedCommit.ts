import * as vscode from 'vscode';
import { short } from '../../core/verdicts/verdict';
import { COMMAND_IDS } from '../commandIds';
import { UserFacingError } from '../platform/errors';
import { defineCommand } from './commandTypes';
import { resolveServiceTarget } from './servicePicker';

/** Copies the full SHA serving traffic, or the raw label when it names no local commit. */
export const copyDeployedCommitCommand = defineCommand({
  id: COMMAND_IDS.copyDeployedCommit,
  title: 'Copy Deployed Commit',
  run: async (services, node?: unknown) => {
    const target = await resolveServiceTarget(node, services.repos, {
      placeHolder: 'Copy the deployed commit of which service?',
      accepts: (t) => Boolean(t.verdict?.deployedCommit ?? t.verdict?.commitLabel),
      noneMessage: 'No checked service has a deployed commit yet (refresh, or label revisions with their commit).',
    });
    const commit = target.verdict?.deployedCommit ?? target.verdict?.commitLabel;
    if (!commit) throw new UserFacingError(`${target.config.name} has no deployed commit label.`, [], 'warning');
    await vscode.env.clipboard.writeText(commit);
    const shown = target.verdict?.deployedCommit ? short(commit) : `"${commit}"`;
    vscode.window.setStatusBarMessage(`$(check) Copied ${target.config.name}'s deployed commit ${shown}`, 4000);
  },
});
