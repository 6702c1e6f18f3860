// The extension's session opened on a folder below the repository root (the editor's workspace is
// one service's folder): the registry finds the root's cloud-run-drift.json with the real core, the
// session opens git at the root and checks through the real @google-cloud/run client against the emulator.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { createApiClients } from '../../src/extension/session/apiClients';
import { createCoreServices } from '../../src/extension/session/coreServices';
import { DriftSession } from '../../src/extension/session/driftSession';
import { SessionRegistry } from '../../src/extension/session/sessionRegistry';
import { createTempRepo, type TempRepo } from '../helpers/repo';
import { silentLogger } from '../helpers/silentLogger';

const silent = silentLogger;

describe('extension session in a subfolder of the repository', () => {
  let repo: TempRepo;
  let emulator: RunningEmulator;
  let head: string;

  before(async () => {
    repo = createTempRepo();
    emulator = await startEmulator({ port: 0, scenario: {} });
    repo.commit('worker and scraper', { 'predictions/worker/main.py': '1', 'scrapers/scrape.py': '1' });
    const config = {
      project: 'demo-project',
      region: 'us-west2',
      services: { 'prediction-worker': { paths: ['predictions/worker'] }, scraper: { paths: ['scrapers'] } },
      endpoints: { run: emulator.httpUrl },
    };
    head = repo.commit('configure Cloud Run Drift', { 'cloud-run-drift.json': JSON.stringify(config, null, 2) });
    const service = (name: string) => ({ project: 'demo-project', region: 'us-west2', name, revisions: [{ name: `${name}-00001-aaa`, labels: { 'commit-sha': head } }] });
    await emulator.control('load', { run: { services: [service('prediction-worker'), service('scraper')] } });
  });
  after(async () => {
    await emulator?.close();
    repo?.cleanup();
  });

  it("loads the root's configuration and checks every service from the root's repository", async () => {
    const folder = path.join(repo.dir, 'predictions', 'worker');
    const core = createCoreServices(createApiClients(() => []));
    const registry = new SessionRegistry((entry) => {
      const created = new DriftSession(core, { isTrusted: () => true }, silent, entry.configFile);
      return { ...entry, session: created, dispose: () => created.dispose() };
    }, silent);
    await registry.discover([{ path: folder, name: 'worker' }]);
    assert.deepEqual(registry.list().map((r) => [r.root, r.name]), [[repo.dir, 'worker']]);
    const session = registry.list()[0]!.session;
    try {
      await session.refresh(new Set(['startup']), new AbortController().signal);
      assert.equal(session.state.kind, 'ready', session.failure?.message);
      assert.equal(session.configFile, path.join(repo.dir, 'cloud-run-drift.json'));
      assert.equal(session.config?.root, repo.dir);
      assert.equal(session.failure, undefined);
      assert.equal(session.lastResult?.head, head);
      assert.deepEqual(
        session.lastResult?.services.map((s) => [s.name, s.status]),
        [
          ['prediction-worker', 'up-to-date'],
          ['scraper', 'up-to-date'],
        ],
      );
      assert.equal((await session.openRepository()).root, repo.dir);
    } finally {
      registry.dispose();
    }
  });
});
