// The address of a read-only document holding one commit's patch limited to a service's paths.
// Pure so the parsing, which guards what reaches `git show`, is unit-tested.
import * as path from 'node:path';
import { short } from '../../core/verdicts/verdict';

export const COMMIT_PATCH_SCHEME = 'cloud-run-drift-commit';

export interface CommitPatchRef {
  service: string;
  sha: string;
  /** The repository (its session's root) whose service and git the patch comes from; absent in older addresses. */
  root?: string;
}

const SHA = /^[0-9a-f]{7,64}$/;
const SERVICE = /^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/;

/** The file name becomes the editor tab's title (`worker@81147d04.diff`); `.diff` gives the language. */
export function commitPatchPath(ref: CommitPatchRef): string {
  return `/${ref.service}@${short(ref.sha)}.diff`;
}

export function commitPatchQuery(ref: CommitPatchRef): string {
  return new URLSearchParams({ service: ref.service, sha: ref.sha, ...(ref.root !== undefined ? { root: ref.root } : {}) }).toString();
}

/**
 * Anyone can hand the editor a URI with our scheme (a link in a Markdown preview, another
 * extension), so only a well-formed service name and hex SHA get through: a value such as
 * `--output=/tmp/x` must never reach git's argument list. The root only chooses among the open
 * repositories (it never reaches git), and must be an absolute path.
 */
export function parseCommitPatchQuery(query: string): CommitPatchRef | null {
  const params = new URLSearchParams(query);
  const service = params.get('service');
  const sha = params.get('sha')?.toLowerCase();
  const root = params.get('root');
  if (!service || !sha || !SERVICE.test(service) || !SHA.test(sha)) return null;
  if (root === null) return { service, sha };
  if (!path.isAbsolute(root)) return null;
  return { service, sha, root };
}
