import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';
import { UserCancelledError, UserFacingError } from '../platform/errors';
import type { Repo } from '../session/repo';
import { whereInvocation } from '../where/whereArgs';
import { showWhereAnswer } from '../where/whereQuickPick';
import type { WhereReply } from '../where/whereService';
import { defineCommand, type CommandServices } from './commandTypes';
import { resolveRepo, resolveServiceTarget } from './servicePicker';

/** Shows the reply; a line that is not committed is said in a message instead. */
export async function showWhereReply(reply: WhereReply): Promise<void> {
  if (reply.answer) return showWhereAnswer(reply.repo, reply.answer);
  const target = reply.target;
  if (target.kind !== 'not-committed') return;
  const why = target.reason === 'untracked' ? 'git does not track the file' : 'it has uncommitted changes';
  void vscode.window.showInformationMessage(`Line ${target.line} of ${target.file} is not committed (${why}), so it is live nowhere.`);
}

async function repoFor(services: CommandServices, root: string | undefined, file: string | undefined): Promise<Repo> {
  if (root !== undefined) return resolveRepo({ root }, services.repos);
  const holding = file === undefined ? undefined : services.where.repoHolding(file);
  if (holding) return holding;
  if (file !== undefined) throw new UserFacingError(`${file} is not inside a repository with a cloud-run-drift.json.`, [], 'warning');
  return resolveRepo(undefined, services.repos);
}

/**
 * From a commit row of the Services tree, the Source Control graph, the Timeline, or the palette
 * (which asks for a SHA or any commit-ish): every unit's answer, from the verdicts held.
 */
export const whereIsCommitLiveCommand = defineCommand({
  id: COMMAND_IDS.whereIsCommitLive,
  title: 'Where Is This Commit Live?',
  run: async (services, ...args: unknown[]) => {
    const invocation = whereInvocation(args);
    const repo = await repoFor(services, invocation.root, invocation.path);
    const commitish =
      invocation.commitish ??
      (await vscode.window.showInputBox({
        title: 'Where Is This Commit Live?',
        prompt: `A commit in ${repo.name}: a SHA, a branch, HEAD~2…`,
        placeHolder: 'e.g. 9631d4f',
        validateInput: (value) => (/^[\x21-\x7e]{1,256}$/.test(value.trim()) && !value.trim().startsWith('-') ? undefined : 'A SHA or another commit-ish, without spaces'),
      }));
    if (!commitish) throw new UserCancelledError();
    await showWhereReply(await services.where.commit(repo, commitish.trim(), { since: true }));
  },
});

/** The cursor line of the active editor: the commit that last changed it (git blame), then as above. */
export const whereIsLineLiveCommand = defineCommand({
  id: COMMAND_IDS.whereIsLineLive,
  title: 'Where Is This Line Live?',
  run: async (services) => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.uri.scheme !== 'file') throw new UserFacingError('Open a file of the repository and put the cursor on a line.', [], 'warning');
    if (editor.document.isDirty) throw new UserFacingError('Save the file first: its last changes are not committed, and blame reads the saved file.', [], 'warning');
    const file = editor.document.uri.fsPath;
    const repo = await repoFor(services, undefined, file);
    await showWhereReply(await services.where.line(repo, file, editor.selection.active.line + 1, editor.document.version, { since: true }));
  },
});

/** Shows a unit's row in the Services view (the "where" answer's rows link here; from the palette it asks which). */
export const revealUnitCommand = defineCommand({
  id: COMMAND_IDS.revealUnit,
  title: 'Show in the Services View',
  run: async (services, arg?: unknown) => {
    const target = await resolveServiceTarget(arg, services.repos, { placeHolder: 'Show which unit?', noneMessage: 'No unit is configured.' });
    if (!(await services.revealUnit(target.repo.root, target.config.name))) throw new UserFacingError(`${target.config.name} has no row in the Services view.`, [], 'warning');
  },
});
