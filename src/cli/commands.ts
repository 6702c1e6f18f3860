// Loads the CLI's commands for the bin (bin.ts): the bundle beside it (dist/cli-main.js) through the
// V8 code cache the SDK bundles use (../core/platform/codeCache.ts), saved once the command is done, so that
// a later run neither compiles it nor the functions this one compiled; from the sources (tsx), or
// with caching off (CLOUD_RUN_DRIFT_CACHE_DIR empty), a plain require.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultCacheDir } from '../core/platform/cacheDir';
import { requireWithCodeCache, saveCodeCaches } from '../core/platform/codeCache';

type Commands = typeof import('./main');

/** The commands, with `run` saving this bundle's code cache (when it was missing) once the command is done. */
export function loadCommands(): { run(argv: string[]): void } {
  const dir = defaultCacheDir();
  const bundle = path.join(__dirname, 'cli-main.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const commands = dir !== null && fs.existsSync(bundle) ? requireWithCodeCache<Commands>(bundle, dir) : (require('./main') as Commands);
  return { run: (argv) => commands.run(argv, saveCodeCaches) };
}
