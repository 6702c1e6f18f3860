// V8 code cache for the SDK bundles in short-lived processes (the CLI).
// Every `cloud-run-drift check` used to compile the 1.2 MB Run SDK bundle from scratch, and then
// lazily compile the functions that building clients and the first calls run: about a third of a
// run's CPU. V8 can serialise that work (`script.createCachedData()`) and accept it on the next run,
// which is what Node 22's module.enableCompileCache does; Node 20 has no such switch, so we do it
// for the two files it matters for. V8 checks its own version and flags, but only the *length* of
// the source, so caches are keyed by a hash of the content as well.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

interface PendingSave {
  script: vm.Script;
  file: string;
}

const pending: PendingSave[] = [];

/**
 * Where caches live: CLOUD_RUN_DRIFT_CACHE_DIR (empty turns caching off), else the platform's
 * per-user cache folder. Null when there is none.
 */
export function defaultCodeCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string | null {
  const override = env.CLOUD_RUN_DRIFT_CACHE_DIR;
  if (override !== undefined) return override.trim() ? path.resolve(override) : null;
  if (platform === 'win32') return env.LOCALAPPDATA ? path.join(env.LOCALAPPDATA, 'cloud-run-drift', 'Cache') : null;
  if (!home) return null;
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'cloud-run-drift');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'cloud-run-drift');
}

/** The cache file for `source` of `file`: content, Node version and architecture in the name. */
export function codeCacheFile(dir: string, file: string, source: string): string {
  const key = createHash('sha256').update(process.version).update(process.arch).update(source).digest('hex').slice(0, 24);
  return path.join(dir, `${path.basename(file, '.js')}-${key}.v8cache`);
}

/**
 * Runs a CommonJS bundle as `require` would, with a code cache from `dir` when one is there and
 * ours. When there was none (or V8 refused it), saveCodeCaches() writes one.
 */
export function requireWithCodeCache<T>(file: string, dir: string): T {
  const source = fs.readFileSync(file, 'utf8');
  const cacheFile = codeCacheFile(dir, file, source);
  const cachedData = readOwnFile(cacheFile);
  // The same wrapper Node gives a CommonJS module, so the bundle sees exports, require, module, __filename, __dirname.
  const wrapper = `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
  const script = new vm.Script(wrapper, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;
  const module = { exports: {} };
  run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  if (!cachedData || script.cachedDataRejected) pending.push({ script, file: cacheFile });
  return module.exports as T;
}

/**
 * Writes the caches that were missing. Call once the work is done: the cache then also holds the
 * functions the run compiled lazily. Failures only cost the next run its speed-up.
 */
export function saveCodeCaches(): void {
  for (const { script, file } of pending.splice(0)) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      if (!ownedByUs(path.dirname(file))) continue;
      const temporary = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(temporary, file);
    } catch {
      // A read-only home or a full disk: run without a cache.
    }
  }
}

/** The file's bytes, only if it and its folder belong to this user (another user's cache would be their code). */
function readOwnFile(file: string): Buffer | undefined {
  try {
    if (!ownedByUs(path.dirname(file)) || !ownedByUs(file)) return undefined;
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function ownedByUs(target: string): boolean {
  const uid = process.getuid?.();
  if (uid === undefined) return true; // Windows: per-user LOCALAPPDATA
  const stat = fs.statSync(target);
  return stat.uid === uid && (stat.mode & 0o022) === 0;
}
