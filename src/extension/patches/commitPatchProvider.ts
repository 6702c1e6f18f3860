// Read-only documents showing one undeployed commit's patch limited to a service's paths.
import * as vscode from 'vscode';
import type { RepoList } from '../session/repoSessions';
import { COMMIT_PATCH_SCHEME, commitPatchPath, commitPatchQuery, parseCommitPatchQuery, type CommitPatchRef } from './commitPatchUri';

export function commitPatchUri(ref: CommitPatchRef): vscode.Uri {
  return vscode.Uri.from({ scheme: COMMIT_PATCH_SCHEME, path: commitPatchPath(ref), query: commitPatchQuery(ref) });
}

export class CommitPatchProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly repos: RepoList) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = parseCommitPatchQuery(uri.query);
    if (!ref) throw new Error(`Not a commit patch address: ${uri.toString(true)}`);
    // An address without a root: the repository configuring the service (the first, if several do).
    const repo = ref.root !== undefined ? this.repos.get(ref.root) : this.repos.list().find((r) => r.session.serviceConfig(ref.service));
    if (!repo) throw new Error(ref.root !== undefined ? `${ref.root} is not a repository open in this workspace` : `No open repository configures ${ref.service}`);
    const service = repo.session.serviceConfig(ref.service);
    if (!service) throw new Error(`${ref.service} is not a service in ${repo.configFile}`);
    const git = await repo.session.openRepository();
    const patch = await git.commitPatch(ref.sha, service.paths);
    if (patch.trim() === '') {
      const where = service.paths.length > 0 ? service.paths.join(', ') : 'the repository';
      return `Commit ${ref.sha} changes nothing inside ${where}.\n`;
    }
    return patch;
  }
}
