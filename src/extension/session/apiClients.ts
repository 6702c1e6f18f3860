// The Google API clients the extension builds, each with the credential policy of the user's settings
// (`cloudRunDrift.credentials.allowHosts`, machine scope, so no workspace can set it) and the extension host's
// environment, read when the client is built. No vscode import: tests build the same clients.
import { createCloudRunReader, type CloudRunReader } from '../../core/google/cloudrun';
import type { Endpoints } from '../../core/config';
import { credentialPolicy } from '../../core/google/credentialPolicy';
import { createBigQueryReader, type BigQueryReader, type BigQueryReaderOptions } from '../../core/jobs/bigquery';
import { createLogSource, type LogSource, type LogSourceOptions } from '../../core/logs';

export interface ApiClients {
  cloudRun(endpoints: Endpoints): CloudRunReader;
  logSource(options: Omit<LogSourceOptions, 'credentials'>): Promise<LogSource>;
  bigQuery(options: Omit<BigQueryReaderOptions, 'credentials'>): BigQueryReader;
}

/** `allowHosts`: the setting's current value. */
export function createApiClients(allowHosts: () => readonly string[], env: NodeJS.ProcessEnv = process.env): ApiClients {
  const credentials = (): ReturnType<typeof credentialPolicy> => credentialPolicy(allowHosts(), env);
  return {
    cloudRun: (endpoints) => createCloudRunReader(endpoints, { credentials: credentials() }),
    logSource: (options) => createLogSource({ ...options, credentials: credentials() }),
    bigQuery: (options) => createBigQueryReader({ ...options, credentials: credentials() }),
  };
}
