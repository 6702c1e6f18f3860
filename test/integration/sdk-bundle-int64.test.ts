// The minified SDK bundle sends requests holding 64-bit integers: proto3-json-serializer recognizes
// them by their class's name (Long), which minifying would rename (see longClassNamePlugin in
// esbuild.mjs). Through the built dist/sdk-run.js, against the emulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/server';
import { ensureRunBundle, RUN_BUNDLE, startOneServiceEmulator } from '../helpers/sdkBundle';


describe('the bundled Run SDK and 64-bit integers', () => {
  let emulator: RunningEmulator;

  before(async () => {
    ensureRunBundle();
    emulator = await startOneServiceEmulator();
  });

  after(async () => {
    await emulator?.close();
  });

  it('sends an UpdateService whose service carries its generation', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require(RUN_BUNDLE) as typeof import('../../src/sdk/run');
    const target = new URL(emulator.httpUrl);
    const client = new sdk.ServicesClient({ apiEndpoint: target.hostname, port: Number(target.port), protocol: 'http', fallback: true, authClient: new sdk.PassThroughClient() });
    try {
      const [service] = await client.getService({ name: 'projects/p/locations/us-west2/services/api' });
      assert.ok(service.generation !== undefined && service.generation !== null, 'the emulator gives the service a generation');
      const sent = await client.updateService({ service: { name: service.name, etag: service.etag, generation: service.generation, traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-00001-aaa', percent: 100 }] } }).then(
        () => 'accepted',
        (err: Error) => err.message,
      );
      assert.doesNotMatch(sent, /toProto3JSON/, 'the request could not even be encoded');
    } finally {
      await client.close();
    }
  });
});
