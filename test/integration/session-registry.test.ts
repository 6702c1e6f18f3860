// The sessions registry of a multi-root workspace, with real folders and git repositories: each
// repository with a configuration found from any folder gets one session (two folders of one
// repository share it), folders without one get none, and folders coming and going add and remove
// sessions. The sessions check through the real @google-cloud/run client against the emulator, each
// against its own repository.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findConfigFile } from '../../src/core/config';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { createApiClients } from '../../src/extension/session/apiClients';
import { createCoreServices } from '../../src/extension/session/coreServices';
import { DriftSession } from '../../src/extension/session/driftSession';
import { SessionRegistry, workspaceState, type RegisteredRepo, type WorkspaceFolderInfo } from '../../src/extension/session/sessionRegistry';
import { createTempRepo, type TempRepo } from '../helpers/repo';
import { silentLogger } from '../helpers/silentLogger';

interface TestRepo extends RegisteredRepo {
  session: DriftSession;
  disposed: boolean;
}

const folder = (dir: string, name = path.basename(dir)): WorkspaceFolderInfo => ({ path: dir, name });

describe('sessions registry (multi-root workspaces)', () => {
  let emulator: RunningEmulator;
  let shop: TempRepo;
  let billing: TempRepo;
  let plain: TempRepo;
  const core = () => createCoreServices(createApiClients(() => []));
  const created: TestRepo[] = [];

  function registry(find?: (start: string) => Promise<string | null>): SessionRegistry<TestRepo> {
    const services = core();
    return new SessionRegistry<TestRepo>(
      (entry) => {
        const session = new DriftSession(services, { isTrusted: () => true }, silentLogger, entry.configFile);
        const repo: TestRepo = {
          ...entry,
          session,
          disposed: false,
          dispose: () => {
            repo.disposed = true;
            session.dispose();
          },
        };
        created.push(repo);
        return repo;
      },
      silentLogger,
      find,
    );
  }

  /** A repository whose one service `api` (in its own project) serves its HEAD. */
  function configured(repo: TempRepo, project: string): string {
    repo.commit('api', { 'api/main.py': '1', 'docs/README.md': '# docs\n' });
    const config = { project, region: 'us-west2', services: { api: { paths: ['api'] } }, endpoints: { run: emulator.httpUrl } };
    return repo.commit('configure Cloud Run Drift', { 'cloud-run-drift.json': JSON.stringify(config, null, 2) });
  }

  before(async () => {
    emulator = await startEmulator({ port: 0, scenario: {} });
    shop = createTempRepo('crd-shop-');
    billing = createTempRepo('crd-billing-');
    plain = createTempRepo('crd-plain-');
    const shopHead = configured(shop, 'shop-project');
    const billingHead = configured(billing, 'billing-project');
    plain.commit('no configuration here', { 'README.md': '# plain\n' });
    const service = (project: string, head: string) => ({ project, region: 'us-west2', name: 'api', revisions: [{ name: 'api-00001-aaa', labels: { 'commit-sha': head } }] });
    await emulator.control('load', { run: { services: [service('shop-project', shopHead), service('billing-project', billingHead)] } });
  });
  after(async () => {
    for (const repo of created) if (!repo.disposed) repo.dispose();
    await emulator?.close();
    for (const repo of [shop, billing, plain]) repo?.cleanup();
  });

  it('gives two repositories two sessions, in folder order, named after their folders, each checking its own services', async () => {
    const r = registry();
    try {
      const { added } = await r.discover([folder(billing.dir, 'Billing'), folder(shop.dir, 'Shop')]);
      assert.equal(added.length, 2);
      assert.deepEqual(r.list().map((e) => [e.root, e.name, e.configFile]), [
        [billing.dir, 'Billing', path.join(billing.dir, 'cloud-run-drift.json')],
        [shop.dir, 'Shop', path.join(shop.dir, 'cloud-run-drift.json')],
      ]);
      await Promise.all(r.list().map((repo) => repo.session.refresh(new Set(['startup']), new AbortController().signal)));
      const [billingRepo, shopRepo] = r.list();
      assert.equal(billingRepo!.session.failure, undefined, billingRepo!.session.failure?.message);
      // The same service name in two repositories: two services, each judged against its own git.
      assert.deepEqual(billingRepo!.session.lastResult?.services.map((s) => [s.name, s.project, s.status]), [['api', 'billing-project', 'up-to-date']]);
      assert.deepEqual(shopRepo!.session.lastResult?.services.map((s) => [s.name, s.project, s.status]), [['api', 'shop-project', 'up-to-date']]);
      assert.equal(billingRepo!.session.lastResult?.head, billing.head());
      assert.equal(shopRepo!.session.lastResult?.head, shop.head());
      assert.equal(workspaceState(r.hasSearched, r.list().map((e) => e.session.state.kind)), 'ready');

      // A commit in one repository turns only its service stale.
      shop.commit('change the api', { 'api/main.py': '2' });
      await Promise.all(r.list().map((repo) => repo.session.refresh(new Set(['git']), new AbortController().signal)));
      assert.equal(shopRepo!.session.lastResult?.services[0]?.status, 'stale');
      assert.equal(billingRepo!.session.lastResult?.services[0]?.status, 'up-to-date');
    } finally {
      r.dispose();
    }
  });

  it('shares one session between two folders of one repository, named after the folder at its root', async () => {
    const r = registry();
    try {
      const api = folder(path.join(shop.dir, 'api'), 'api');
      const docs = folder(path.join(shop.dir, 'docs'), 'docs');
      await r.discover([api, docs]);
      assert.equal(r.list().length, 1);
      assert.deepEqual(r.list()[0]!.folders, [api, docs]);
      assert.equal(r.list()[0]!.name, 'api', 'no folder at the root: the first folder names it');
      const one = r.list()[0]!;
      await r.discover([docs, folder(shop.dir, 'shop'), api]);
      assert.equal(r.list().length, 1);
      assert.equal(r.list()[0], one, 'the session is kept');
      assert.equal(r.list()[0]!.name, 'shop', 'the folder opened at the root names it');
    } finally {
      r.dispose();
    }
  });

  it('gives a folder without a configuration no session: alone, the workspace has none', async () => {
    const r = registry();
    try {
      assert.equal(workspaceState(r.hasSearched, []), 'loading');
      let changes = 0;
      r.onDidChange(() => changes++);
      await r.discover([folder(plain.dir)]);
      assert.deepEqual(r.list(), []);
      assert.equal(workspaceState(r.hasSearched, []), 'noConfig');
      await r.discover([folder(plain.dir), folder(billing.dir)]);
      assert.deepEqual(r.list().map((e) => e.root), [billing.dir]);
      assert.deepEqual(r.list()[0]!.folders.map((f) => f.path), [billing.dir]);
      assert.equal(changes, 2, 'the first search (loading → noConfig) and the repository found');
      await r.discover([folder(plain.dir), folder(billing.dir)]);
      assert.equal(changes, 2, 'a search that finds the same says nothing');
    } finally {
      r.dispose();
    }
  });

  it('adds and removes sessions as folders are added and removed, disposing what goes', async () => {
    const r = registry();
    try {
      await r.discover([folder(shop.dir)]);
      const shopRepo = r.list()[0]!;
      const { added } = await r.discover([folder(shop.dir), folder(billing.dir)]);
      assert.deepEqual(added.map((e) => e.root), [billing.dir]);
      assert.equal(r.list()[0], shopRepo, 'the repository already open keeps its session');
      const { removed } = await r.discover([folder(billing.dir)]);
      assert.deepEqual(removed, [shopRepo]);
      assert.equal(shopRepo.disposed, true);
      assert.equal(r.get(shop.dir), undefined);
      await r.discover([]);
      assert.deepEqual(r.list(), []);
      assert.equal(workspaceState(r.hasSearched, []), 'noConfig');
    } finally {
      r.dispose();
    }
  });

  it('finds a configuration created in a folder, and lets it go when it is deleted', async () => {
    const r = registry();
    const file = path.join(plain.dir, 'cloud-run-drift.json');
    try {
      await r.discover([folder(plain.dir)]);
      assert.equal(r.list().length, 0);
      fs.writeFileSync(file, JSON.stringify({ project: 'plain-project', region: 'us-west2', services: { web: {} } }));
      await r.discover([folder(plain.dir)]);
      assert.deepEqual(r.list().map((e) => e.configFile), [file]);
      const repo = r.list()[0]!;
      fs.rmSync(file);
      await r.discover([folder(plain.dir)]);
      assert.deepEqual(r.list(), []);
      assert.equal(repo.disposed, true);
    } finally {
      fs.rmSync(file, { force: true });
      r.dispose();
    }
  });

  it('lets a newer search win over an older one that answers later', async () => {
    const gates: (() => void)[] = [];
    // The real search, held until the test lets it answer.
    const r = registry((start) => new Promise<void>((resolve) => gates.push(resolve)).then(() => findConfigFile(start)));
    try {
      const older = r.discover([folder(shop.dir)]);
      const newer = r.discover([folder(billing.dir)]);
      await waitUntil(() => gates.length === 2);
      gates[1]!();
      await newer;
      gates[0]!();
      assert.deepEqual(await older, { added: [], removed: [] });
      assert.deepEqual(r.list().map((e) => e.root), [billing.dir]);
    } finally {
      r.dispose();
    }
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(condition());
}
