import * as vscode from 'vscode';
import type { CommitInfo } from '../../core/model';
import { slicePause } from '../../core/platform/slices';
import { short } from '../../core/verdicts/verdict';
import { COMMAND_IDS } from '../commandIds';
import { commitPatchUri } from '../patches/commitPatchProvider';
import type { CommitPatchRef } from '../patches/commitPatchUri';
import { UserCancelledError, UserFacingError } from '../platform/errors';
import type { Repo } from '../session/repo';
import { formatAge } from '../views/presentation';
import { defineCommand } from './commandTypes';
import { holdsService, resolveRepo, resolveServiceTarget } from './servicePicker';

interface CommitArgument {
  serviceName: string;
  sha: string;
}

function isCommitArgument(value: unknown): value is CommitArgument {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { serviceName?: unknown; sha?: unknown };
  return typeof candidate.serviceName === 'string' && typeof candidate.sha === 'string';
}

interface CommitItem extends vscode.QuickPickItem {
  commit: CommitInfo;
}

async function pickCommit(commits: readonly CommitInfo[]): Promise<CommitInfo> {
  // The picker opens at once, busy while its items are made.
  const picked = await vscode.window.showQuickPick(commitItems(commits, new Date()), { placeHolder: 'Show which undeployed commit?', matchOnDescription: true });
  if (!picked) throw new UserCancelledError();
  return picked.commit;
}

/**
 * An item per commit, made in slices: a unit 15,000 commits behind (what its "older commits" row
 * opens) took 37-68 ms to list in one turn (measured in Node on a 100,000-commit history).
 */
async function commitItems(commits: readonly CommitInfo[], now: Date): Promise<CommitItem[]> {
  const pause = slicePause();
  const items: CommitItem[] = [];
  for (let i = 0; i < commits.length; i++) {
    if (i % 256 === 0) await pause();
    const commit = commits[i]!;
    items.push({ label: commit.subject || short(commit.sha), description: [short(commit.sha), commit.author, formatAge(commit.date, now)].filter(Boolean).join(' · '), commit });
  }
  return items;
}

/** Opens an undeployed commit's patch, limited to the service's paths, as a read-only diff. */
export const showCommitPatchCommand = defineCommand({
  id: COMMAND_IDS.showCommitPatch,
  title: 'Show Commit Patch',
  run: async (services, node?: unknown) => {
    let ref: CommitPatchRef;
    let repo: Repo;
    if (isCommitArgument(node)) {
      repo = await resolveRepo(node, services.repos, { holds: holdsService });
      ref = { service: node.serviceName, sha: node.sha, root: repo.root };
    } else {
      const target = await resolveServiceTarget(node, services.repos, {
        placeHolder: 'Show an undeployed commit of which service?',
        accepts: (t) => (t.verdict?.commits.length ?? 0) > 0,
        noneMessage: 'No service has undeployed commits.',
      });
      repo = target.repo;
      ref = { service: target.config.name, sha: (await pickCommit(target.verdict?.commits ?? [])).sha, root: repo.root };
    }
    if (!repo.session.serviceConfig(ref.service)) {
      throw new UserFacingError(`${ref.service} is not a service in cloud-run-drift.json.`, [], 'warning');
    }
    let document = await vscode.workspace.openTextDocument(commitPatchUri(ref));
    if (document.languageId !== 'diff') document = await vscode.languages.setTextDocumentLanguage(document, 'diff');
    await vscode.window.showTextDocument(document, { preview: true });
  },
});
