// The Run bundle's google-gax (src/sdk/gax-rest-only.ts): a generated client parses only its own
// protos when it is built; the Locations mixin every client carries is built, with its protos, on
// first use, and reads Cloud Run as before. Through the built dist/sdk-run.js, against the emulator.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import type { RunSdk } from '../../src/core/sdk';

const ROOT = path.resolve(__dirname, '../..');
const BUNDLE = path.join(ROOT, 'dist', 'sdk-run.js');

/** The parsed protos of the bundle's gax, by hash of their JSON (GrpcClient.protoCache). */
function protoCache(client: object): Map<string, unknown> {
  return (client as { _gaxGrpc: { constructor: { protoCache: Map<string, unknown> } } })._gaxGrpc.constructor.protoCache;
}

describe('the bundled Run SDK and the Locations mixin', () => {
  let emulator: RunningEmulator;
  let sdk: RunSdk;

  before(async () => {
    if (!fs.existsSync(BUNDLE)) {
      const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sdk = require(BUNDLE) as RunSdk;
    emulator = await startEmulator({
      port: 0,
      modules: { logging: false, bigquery: false },
      scenario: { run: { services: [{ project: 'p', region: 'us-west2', name: 'api', revisions: [{ name: 'api-00001-aaa', labels: {} }] }] } },
    });
  });

  after(async () => {
    await emulator?.close();
  });

  const client = (): InstanceType<RunSdk['ServicesClient']> => {
    const url = new URL(emulator.httpUrl);
    return new sdk.ServicesClient({ apiEndpoint: url.hostname, port: Number(url.port), protocol: 'http', fallback: true, authClient: new sdk.PassThroughClient() });
  };

  it('builds a ServicesClient parsing only the Run protos; the Locations protos once a Locations method is used', async () => {
    const services = client();
    const cache = protoCache(services);
    cache.clear();
    const fresh = client();
    assert.equal(cache.size, 1, 'only the Run protos are parsed');
    const [service] = await fresh.getService({ name: 'projects/p/locations/us-west2/services/api' });
    assert.equal(service.name, 'projects/p/locations/us-west2/services/api');
    assert.equal(cache.size, 1);
    assert.equal(typeof fresh.locationsClient.getLocation, 'function');
    assert.equal(cache.size, 2, 'the Locations protos, once the mixin is used');
    await Promise.all([services.close(), fresh.close()]);
  });
});
