// Where to watch for HEAD, branch and index changes, and which working-tree changes matter.
// Node only (no `vscode`) so it is unit-tested against real temporary repositories.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export interface GitWatchDirs {
  /** Holds HEAD and index; differs from commonDir in a linked worktree. */
  gitDir: string;
  /** Holds refs/ and packed-refs. */
  commonDir: string;
}

/** Follows `.git` files (worktrees, submodules) and `commondir`; null when `root` has no `.git`. */
export async function resolveGitWatchDirs(root: string): Promise<GitWatchDirs | null> {
  const dotGit = path.join(root, '.git');
  let gitDir: string;
  try {
    const stat = await fs.stat(dotGit);
    if (stat.isDirectory()) {
      gitDir = dotGit;
    } else {
      const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(await fs.readFile(dotGit, 'utf8'));
      if (!pointer) return null;
      gitDir = path.resolve(root, pointer[1]!);
    }
  } catch {
    return null;
  }
  let commonDir = gitDir;
  try {
    commonDir = path.resolve(gitDir, (await fs.readFile(path.join(gitDir, 'commondir'), 'utf8')).trim());
  } catch {
    // not a linked worktree: refs live beside HEAD
  }
  return { gitDir, commonDir };
}

/**
 * Directories whose churn never changes a verdict: dependency trees and caches that builds rewrite
 * constantly and that repositories ignore. Without this a running build would refresh every few seconds.
 */
const NOISY_SEGMENTS = new Set(['.git', 'node_modules', '__pycache__', '.venv', 'venv', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.next', '.turbo', '.cache', '.gradle', '.terraform']);

/**
 * Whether a change to `relativePath` (repository-relative, `/`-separated) can change a service's
 * dirty flag. `servicePaths` holds each service's configured paths; an empty list is the whole repository.
 */
export function isRelevantWorkingTreeChange(relativePath: string, servicePaths: readonly (readonly string[])[]): boolean {
  if (relativePath === '' || relativePath.startsWith('../') || path.isAbsolute(relativePath)) return false;
  if (relativePath.split('/').some((segment) => NOISY_SEGMENTS.has(segment))) return false;
  return servicePaths.some(
    (paths) => paths.length === 0 || paths.some((p) => relativePath === p || relativePath.startsWith(`${p}/`)),
  );
}
