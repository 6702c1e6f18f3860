// Loads the separately bundled Google SDKs on first use. `require`, not `import()`: a dynamic
// import of a CommonJS bundle makes Node's ESM loader lex the whole multi-megabyte file for named
// exports, which cost about a second per process; require just runs it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { requireWithCodeCache } from '../platform/codeCache';

export type RunSdk = typeof import('../../sdk/run');

let codeCacheDir: string | null = null;

/**
 * Short-lived processes (the CLI) load the SDK bundles with a V8 code cache kept in `dir`
 * (see ../platform/codeCache.ts). The extension host loads each bundle once per session and does not.
 */
export function useSdkCodeCache(dir: string | null): void {
  codeCacheDir = dir;
}

/** The bundle next to this code (dist/sdk-<name>.js) through the code cache; else a plain require (sources run by tsx, no cache). */
function loadBundle<T>(name: string, plainRequire: () => T): T {
  const bundle = path.join(__dirname, `sdk-${name}.js`);
  if (codeCacheDir === null || !fs.existsSync(bundle)) return plainRequire();
  return requireWithCodeCache<T>(bundle, codeCacheDir);
}

let runSdk: RunSdk | undefined;
export function loadRunSdk(): RunSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  runSdk ??= loadBundle('run', () => require('../../sdk/run') as RunSdk);
  return runSdk;
}

export type AuthSdk = typeof import('../../sdk/auth');

let authSdk: AuthSdk | undefined;
/** The auth library alone, for the reads made without the SDKs (runRest.ts, functionsRest.ts). */
export function loadAuthSdk(): AuthSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  authSdk ??= loadBundle('auth', () => require('../../sdk/auth') as AuthSdk);
  return authSdk;
}

export type LoggingSdk = typeof import('../../sdk/logging');

let loggingSdk: LoggingSdk | undefined;
export function loadLoggingSdk(): LoggingSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loggingSdk ??= loadBundle('logging', () => require('../../sdk/logging') as LoggingSdk);
  return loggingSdk;
}

export type BigQuerySdk = typeof import('../../sdk/bigquery');

let bigQuerySdk: BigQuerySdk | undefined;
export function loadBigQuerySdk(): BigQuerySdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  bigQuerySdk ??= loadBundle('bigquery', () => require('../../sdk/bigquery') as BigQuerySdk);
  return bigQuerySdk;
}
