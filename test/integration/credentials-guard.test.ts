// The credentials themselves refuse a host the policy does not allow, whatever URL an SDK ends up calling:
// real google-auth-library (the Run SDK bundle's), Application Default Credentials from a fake metadata server
// on 127.0.0.1, and a recording TLS server on 127.0.0.1 reached with its certificate trusted per request.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { credentialPolicy } from '../../src/core/google/credentialPolicy';
import { applicationDefaultCredentials, type AdcClient } from '../../src/core/google/credentials';
import { loadRunSdk } from '../../src/core/google/sdk';
import { emptyHome, startMetadataServer, startRecordingServer, TEST_CA_FILE, trapEnvironment, type MetadataServer, type RecordingServer } from '../helpers/credentialTrap';

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

describe('credentials confined to the hosts the policy allows', () => {
  let metadata: MetadataServer;
  let trap: RecordingServer;
  let home: string;
  const saved = { ...process.env };
  const agent = new https.Agent({ ca: fs.readFileSync(TEST_CA_FILE) });
  const adc = (allowHosts: string[]): Promise<AdcClient> => applicationDefaultCredentials(loadRunSdk().GoogleAuth, SCOPE, credentialPolicy(allowHosts, {}), (message) => new Error(message));

  before(async () => {
    metadata = await startMetadataServer();
    trap = await startRecordingServer();
    home = emptyHome();
    // This file's own process: Application Default Credentials come from the fake metadata server only.
    delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    Object.assign(process.env, trapEnvironment(metadata, home));
  });

  after(async () => {
    process.env = saved;
    agent.destroy();
    await trap?.close();
    await metadata?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('a request to a host that is not allowed fails before anything is sent', async () => {
    const client = await adc([]);
    const url = `https://127.0.0.1:${trap.port}/v2/projects/p/locations/r/services/s`;
    await assert.rejects(client.request({ url, agent }), /Google credentials are not sent to 127\.0\.0\.1:\d+ \(not a Google API host, nor one the user allowed\)/);
    assert.deepEqual(trap.requests, []);
  });

  it('an allowed host gets the token, over https only', async () => {
    const client = await adc(['127.0.0.1']);
    await assert.rejects(client.request({ url: `https://127.0.0.1:${trap.port}/allowed`, agent }), (err: { status?: number }) => err.status === 403);
    assert.deepEqual(
      trap.requests.map((r) => [r.path, r.authorization]),
      [['/allowed', `Bearer ${metadata.token}`]],
    );
    await assert.rejects(client.request({ url: `http://127.0.0.1:${trap.port}/plain` }), /Google credentials are not sent to 127\.0\.0\.1/);
    assert.equal(trap.requests.length, 1);
  });

  it("headers are handed out for Google's hosts only (what gRPC call credentials and BigQuery ask for)", async () => {
    const client = await adc([]);
    await assert.rejects(client.getRequestHeaders(`https://127.1:${trap.port}/google.logging.v2.LoggingServiceV2`), /Google credentials are not sent to 127\.0\.0\.1/);
    await assert.rejects(client.getRequestHeaders('https://logging.googleapis.com.evil.example/google.logging.v2.LoggingServiceV2'), /not sent to logging\.googleapis\.com\.evil\.example/);
    // No network: the token comes from the metadata server, and nothing is sent to Google.
    const headers = await client.getRequestHeaders('https://logging.googleapis.com/google.logging.v2.LoggingServiceV2');
    assert.equal(headers.get('authorization'), `Bearer ${metadata.token}`);
  });
});
