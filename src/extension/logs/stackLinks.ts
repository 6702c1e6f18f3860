// Stack-trace references in log text turned into workspace links. The frame detection is core's
// (links.ts); this maps a container path (/app/predictions/x.py) to a repository file that exists. No vscode:
// existence is a function argument, so tests use a set of paths.
import { repoPathCandidates, stackFrames } from '../../core/logs';

export interface TextLink {
  /** Offset and length of the span in the text. */
  index: number;
  length: number;
  /** Repository-relative path, always with forward slashes. */
  file: string;
  line: number;
}

/**
 * The longest suffix of the container path that exists in the repository: containers put code under /app,
 * /workspace, /srv… and the longest match is the least ambiguous.
 */
export function resolveRepoPath(containerPath: string, exists: (relative: string) => boolean): string | null {
  for (const candidate of repoPathCandidates(containerPath)) {
    // Only names of files in the repository: never `..` escapes (a crafted log line must not open /etc files).
    if (candidate.split('/').some((s) => s === '..')) continue;
    if (exists(candidate)) return candidate;
  }
  return null;
}

/** Links for every frame in `text` whose file is in the repository; library frames are skipped. */
export function stackTraceLinks(text: string, exists: (relative: string) => boolean): TextLink[] {
  if (text.length === 0) return [];
  const links: TextLink[] = [];
  for (const frame of stackFrames(text)) {
    if (frame.library) continue;
    const file = resolveRepoPath(frame.path, exists);
    if (file !== null) links.push({ index: frame.index, length: frame.length, file, line: frame.line });
  }
  return links;
}

/** Caches existence checks: a crash loop repeats the same frames thousands of times. */
export function cachedExists(exists: (relative: string) => boolean, limit = 5000): (relative: string) => boolean {
  const cache = new Map<string, boolean>();
  return (relative) => {
    const known = cache.get(relative);
    if (known !== undefined) return known;
    const result = exists(relative);
    if (cache.size >= limit) cache.clear();
    cache.set(relative, result);
    return result;
  };
}
