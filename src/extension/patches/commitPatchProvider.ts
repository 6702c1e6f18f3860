// Read-only documents showing one undeployed commit's patch limited to a service's paths.
import * as vscode from 'vscode';
import type { DriftSession } from '../session/driftSession';
import { COMMIT_PATCH_SCHEME, commitPatchPath, commitPatchQuery, parseCommitPatchQuery, type CommitPatchRef } from './commitPatchUri';

export function commitPatchUri(ref: CommitPatchRef): vscode.Uri {
  return vscode.Uri.from({ scheme: COMMIT_PATCH_SCHEME, path: commitPatchPath(ref), query: commitPatchQuery(ref) });
}

export class CommitPatchProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly session: DriftSession) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = parseCommitPatchQuery(uri.query);
    if (!ref) throw new Error(`Not a commit patch address: ${uri.toString(true)}`);
    const service = this.session.serviceConfig(ref.service);
    if (!service) throw new Error(`${ref.service} is not a service in cloud-run-drift.json`);
    const git = await this.session.openRepository();
    const patch = await git.commitPatch(ref.sha, service.paths);
    if (patch.trim() === '') {
      const where = service.paths.length > 0 ? service.paths.join(', ') : 'the repository';
      return `Commit ${ref.sha} changes nothing inside ${where}.\n`;
    }
    return patch;
  }
}
