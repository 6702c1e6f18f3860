// Runs the extension's Google API readers the way the extension builds them, without VS Code, in a trusted
// workspace: the session's check (Cloud Run), a log view's source (Cloud Logging) and a data job's BigQuery
// reader, each from the endpoints the session hands out. Prints {run, logs, bigquery}: what each reported.
// Usage: node --import tsx extensionReadersProbe.ts WORKSPACE_FOLDER [ALLOWED_HOST...]
import { findConfigFile } from '../../src/core/config';
import { createApiClients } from '../../src/extension/session/apiClients';
import { createCoreServices } from '../../src/extension/session/coreServices';
import { DriftSession } from '../../src/extension/session/driftSession';
import { silentLogger } from './silentLogger';

const silent = silentLogger;

async function main(): Promise<void> {
  const [folder, ...allowHosts] = process.argv.slice(2);
  // The setting's value; the extension reads it from the user's settings.
  const clients = createApiClients(() => allowHosts);
  const configFile = await findConfigFile(folder!);
  if (!configFile) throw new Error(`no cloud-run-drift.json in or above ${folder}`);
  const session = new DriftSession(createCoreServices(clients), { isTrusted: () => true }, silent, configFile);
  await session.refresh(new Set(['manual']), new AbortController().signal);
  const run = session.lastResult?.services[0]?.message ?? session.failure?.message ?? 'no result';
  const { config } = await session.coreContext();
  const service = config.services[0]!;
  let logs = 'listed';
  try {
    const source = await clients.logSource({ projects: [service.project], endpoint: config.endpoints.logging });
    await source.list({ filter: '', orderBy: 'timestamp asc', pageSize: 1 }).catch((error: Error) => (logs = error.message));
    await source.close();
  } catch (error) {
    logs = (error as Error).message;
  }
  let bigquery = 'queried';
  const job = config.jobs[0]!;
  await clients
    .bigQuery({ project: job.project, endpoint: config.endpoints.bigquery })
    .query(job.scoreboard ?? 'SELECT 1', {})
    .catch((error: Error) => (bigquery = error.message));
  session.dispose();
  process.stdout.write(JSON.stringify({ run, logs, bigquery }));
}

void main();
