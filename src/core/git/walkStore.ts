// Walks of a repository's history kept in the cache folder between runs: commits never change, so
// what a walk learned of them (parents, committer time, which configured paths each touches, and
// the date, author, subject and files of those that do) holds for every later check, which then
// walks only the commits made since. One file per repository and set of paths, in a folder of the
// per-user cache (never in the repository), read and written only as ../platform/cacheDir.ts allows.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readOwnFile, writeOwnFile } from '../platform/cacheDir';
import { decodeWalk, encodeWalk, type WalkData } from './walkData';

/** What a stored walk is of: every commit `tip` reaches and none of `bottoms` does. */
export interface StoredWalk {
  tip: string;
  bottoms: string[];
  data: WalkData;
}

/** Walks larger than this are not kept (a history of about a million commits). */
const MAX_FILE_BYTES = 128 * 1024 * 1024;
/** Walks kept at most (the least recently written go first). */
const MAX_FILES = 8;
const SUFFIX = '.walk';

export class WalkStore {
  /** `dir`: the folder the walks are kept in (made when the first is written). */
  constructor(readonly dir: string) {}

  /** The store in the cache folder's `walks` folder; undefined when there is no cache folder. */
  static inCacheDir(cacheDir: string | null): WalkStore | undefined {
    return cacheDir ? new WalkStore(path.join(cacheDir, 'walks')) : undefined;
  }

  /** The walk kept for this repository and these paths; undefined when none is, or it cannot be read whole. */
  load(root: string, paths: readonly string[]): StoredWalk | undefined {
    const bytes = readOwnFile(this.fileOf(root, paths));
    if (!bytes) return undefined;
    try {
      const { meta, data } = decodeWalk(bytes);
      const m = meta as Partial<{ root: string; paths: string[]; tip: string; bottoms: string[] }>;
      // The name is a hash: the header says which repository and paths the walk is really of.
      if (m.root !== root || !sameList(m.paths, paths) || !isSha(m.tip) || !Array.isArray(m.bottoms) || !m.bottoms.every(isSha)) return undefined;
      return { tip: m.tip, bottoms: m.bottoms, data };
    } catch {
      return undefined;
    }
  }

  /**
   * Keeps the walk (replacing the one kept for this repository and these paths), unless it is
   * larger than a store keeps; lets go of the least recently written beyond MAX_FILES. Failing to
   * write costs only the next check its walk: errors are ignored.
   */
  save(root: string, paths: readonly string[], walk: StoredWalk): void {
    try {
      const parts = encodeWalk({ root, paths: [...paths], tip: walk.tip, bottoms: walk.bottoms }, walk.data);
      if (parts.reduce((size, part) => size + part.length, 0) > MAX_FILE_BYTES) return;
      writeOwnFile(this.fileOf(root, paths), parts);
      this.prune();
    } catch {
      // The cache folder is not writable, or not ours alone.
    }
  }

  private fileOf(root: string, paths: readonly string[]): string {
    const key = createHash('sha256').update(JSON.stringify([root, paths])).digest('hex').slice(0, 32);
    return path.join(this.dir, key + SUFFIX);
  }

  private prune(): void {
    const files = fs
      .readdirSync(this.dir)
      .filter((name) => name.endsWith(SUFFIX))
      .map((name) => {
        const file = path.join(this.dir, name);
        return { file, written: fs.statSync(file).mtimeMs };
      })
      .sort((a, b) => b.written - a.written);
    for (const { file } of files.slice(MAX_FILES)) fs.rmSync(file, { force: true });
  }
}

function sameList(a: unknown, b: readonly string[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
}

function isSha(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{40,64}$/.test(value);
}
