// The per-user cache folder the CLI keeps between runs (V8 code caches, settled revisions), and
// the only way files in it are read and written: what another user could have written there is
// never read back, because a code cache is code and cached facts decide verdicts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { currentUser, foreignFile } from './fileOwner';

/**
 * Where caches live: CLOUD_RUN_DRIFT_CACHE_DIR (empty turns caching off), else the platform's
 * per-user cache folder. Null when there is none.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string | null {
  const override = env.CLOUD_RUN_DRIFT_CACHE_DIR;
  if (override !== undefined) return override.trim() ? path.resolve(override) : null;
  if (platform === 'win32') return env.LOCALAPPDATA ? path.join(env.LOCALAPPDATA, 'cloud-run-drift', 'Cache') : null;
  if (!home) return null;
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'cloud-run-drift');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'cloud-run-drift');
}

/** The file's bytes, only if it and its folder belong to this user and only they can write them. */
export function readOwnFile(file: string): Buffer | undefined {
  try {
    if (!ownedByUs(path.dirname(file)) || !ownedByUs(file)) return undefined;
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Writes the file readable by this user only, whole or not at all (a temporary file, then a
 * rename); `data` may come in parts, written one after another. Throws on failure.
 */
export function writeOwnFile(file: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (!ownedByUs(path.dirname(file))) throw new Error(`${path.dirname(file)} is not ours alone`);
  const temporary = `${file}.${process.pid}.tmp`;
  if (!Array.isArray(data)) fs.writeFileSync(temporary, data as string | Uint8Array, { mode: 0o600 });
  else {
    const fd = fs.openSync(temporary, 'w', 0o600);
    try {
      for (const part of data as readonly Uint8Array[]) for (let at = 0; at < part.length; ) at += fs.writeSync(fd, part, at);
    } finally {
      fs.closeSync(fd);
    }
  }
  fs.renameSync(temporary, file);
}

/** Windows has no POSIX owners: its cache folder is the per-user LOCALAPPDATA. */
function ownedByUs(target: string): boolean {
  return foreignFile(fs.statSync(target), currentUser(), { privateGroupMayWrite: false }) === null;
}
