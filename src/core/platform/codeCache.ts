// V8 code cache for the SDK bundles in short-lived processes (the CLI).
// Every `cloud-run-drift check` used to compile the 1.2 MB Run SDK bundle from scratch, and then
// lazily compile the functions that building clients and the first calls run: about a third of a
// run's CPU. V8 can serialize that work (`script.createCachedData()`) and accept it on the next run.
// Node 22's module.enableCompileCache does the same for every module, but it serializes a module
// right after compiling it, so the functions a run compiles lazily (most of an SDK's) are not in its
// cache: measured on Node 24, a repeated 13-service `check` took 470 ms with it against 431 ms with
// this file (bench/README.md), so we keep doing it ourselves for the bundles it matters for. V8 checks its own version and flags, but only the *length* of
// the source, so caches are keyed by a hash of the content as well.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { readOwnFile, writeOwnFile } from './cacheDir';

interface PendingSave {
  script: vm.Script;
  file: string;
}

const pending: PendingSave[] = [];

/**
 * The cache file for `source` of `file`: content, Node version and architecture in the name. The
 * file's bytes and its text give the same name (a string is hashed as its UTF-8 bytes).
 */
export function codeCacheFile(dir: string, file: string, source: string | Buffer): string {
  const key = createHash('sha256').update(process.version).update(process.arch).update(source).digest('hex').slice(0, 24);
  return path.join(dir, `${path.basename(file, '.js')}-${key}.v8cache`);
}

/**
 * Runs a CommonJS bundle as `require` would, with a code cache from `dir` when one is there and
 * ours. When there was none (or V8 refused it), saveCodeCaches() writes one.
 */
export function requireWithCodeCache<T>(file: string, dir: string): T {
  // The bytes are hashed, not the text: hashing a string first encodes it again (2.5 ms for the CLI's bundle here, against 1).
  const bytes = fs.readFileSync(file);
  const cacheFile = codeCacheFile(dir, file, bytes);
  const source = bytes.toString('utf8');
  const cachedData = readOwnFile(cacheFile);
  // The same wrapper Node gives a CommonJS module, so the bundle sees exports, require, module, __filename, __dirname.
  const wrapper = `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
  // import() in the bundle (the CLI asks its y/N questions through node:readline/promises) loads as
  // it would from a module require ran.
  const script = new vm.Script(wrapper, { filename: file, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER, ...(cachedData ? { cachedData } : {}) });
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
      writeOwnFile(file, script.createCachedData());
      removeOtherVersions(file);
    } catch {
      // A read-only home or a full disk: run without a cache.
    }
  }
}

/**
 * Each bundle keeps one cache: the one just written. The others of the same bundle were made for
 * another build or another Node, and would otherwise pile up (1-2 MB each) with every update.
 */
function removeOtherVersions(cacheFile: string): void {
  const dir = path.dirname(cacheFile);
  const prefix = path.basename(cacheFile).replace(/-[0-9a-f]{24}\.v8cache$/, '-');
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(prefix) && /^[0-9a-f]{24}\.v8cache$/.test(name.slice(prefix.length)) && path.join(dir, name) !== cacheFile) {
      fs.rmSync(path.join(dir, name), { force: true });
    }
  }
}
