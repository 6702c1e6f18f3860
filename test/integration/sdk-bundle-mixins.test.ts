// The Run bundle's google-gax (src/sdk/gax-rest-only.ts): a generated client parses only its own
// protos when it is built, once per process however many clients share them; the Locations mixin
// every client carries is built, with its protos, on first use. The clients read Cloud Run as
// before. Through the built dist/sdk-run.js, each case in a fresh Node process (what gax has parsed
// is process-wide), against the emulator.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/server';
import { ensureRunBundle, RUN_BUNDLE, startOneServiceEmulator } from '../helpers/sdkBundle';


describe('the bundled Run SDK: what building a client parses', () => {
  let emulator: RunningEmulator;

  before(async () => {
    ensureRunBundle();
    emulator = await startOneServiceEmulator();
  });

  after(async () => {
    await emulator?.close();
  });

  /**
   * Runs `body` in a fresh process with `sdk` (the bundle), `options` (for the emulator), `parsed()`
   * (how many protos gax has parsed: GrpcClient.protoCache) and `report(facts)`; returns the facts.
   */
  async function inFreshProcess(body: string): Promise<Record<string, unknown>> {
    const url = new URL(emulator.httpUrl);
    const script = `
      const sdk = require(${JSON.stringify(RUN_BUNDLE)});
      const options = { apiEndpoint: ${JSON.stringify(url.hostname)}, port: ${Number(url.port)}, protocol: 'http', fallback: true, authClient: new sdk.PassThroughClient() };
      const parsed = (client) => client._gaxGrpc.constructor.protoCache.size;
      const report = (facts) => process.stdout.write(JSON.stringify(facts));
      (async () => { ${body} })().catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exitCode = 1; });`;
    // Not spawnSync: the emulator answers from this process's event loop.
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  it('builds a ServicesClient parsing only the Run protos; the Locations protos once a Locations method is used', async () => {
    const facts = await inFreshProcess(`
      const services = new sdk.ServicesClient(options);
      const built = parsed(services);
      const [service] = await services.getService({ name: 'projects/p/locations/us-west2/services/api' });
      const read = parsed(services);
      const usable = typeof services.locationsClient.getLocation;
      report({ built, read, usable, used: parsed(services), name: service.name });
      await services.close();`);
    assert.deepEqual(facts, { built: 1, read: 1, usable: 'function', used: 2, name: 'projects/p/locations/us-west2/services/api' });
  });

  it('parses the Run protos once for the clients built from them, though the first client changes them', async () => {
    const facts = await inFreshProcess(`
      const services = new sdk.ServicesClient(options);
      const revisions = new sdk.RevisionsClient(options);
      const jobs = new sdk.JobsClient(options);
      const [revision] = await revisions.getRevision({ name: 'projects/p/locations/us-west2/services/api/revisions/api-00001-aaa' });
      report({ parsed: parsed(services), shared: revisions._protos === services._protos && jobs._protos === services._protos, name: revision.name });
      await Promise.all([services.close(), revisions.close(), jobs.close()]);`);
    assert.deepEqual(facts, { parsed: 1, shared: true, name: 'projects/p/locations/us-west2/services/api/revisions/api-00001-aaa' });
  });
});
