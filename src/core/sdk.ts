// Loads the separately bundled Google SDKs on first use. `require`, not `import()`: a dynamic
// import of a CommonJS bundle makes Node's ESM loader lex the whole multi-megabyte file for named
// exports, which cost about a second per process; require just runs it.
export type RunSdk = typeof import('../sdk/run');

let runSdk: RunSdk | undefined;
export function loadRunSdk(): RunSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  runSdk ??= require('../sdk/run') as RunSdk;
  return runSdk;
}

export type LoggingSdk = typeof import('../sdk/logging');

let loggingSdk: LoggingSdk | undefined;
export function loadLoggingSdk(): LoggingSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loggingSdk ??= require('../sdk/logging') as LoggingSdk;
  return loggingSdk;
}
