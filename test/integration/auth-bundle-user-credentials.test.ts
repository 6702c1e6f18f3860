// The built auth bundle (dist/sdk-auth.js) with the credentials `gcloud auth application-default
// login` writes (authorized_user), in a process of its own: the refresh token goes to the token
// endpoint as a form POST, the access token comes back, and the headers it authorizes a read with
// carry it and the quota project (stripped of the whitespace around it, as Node's own Headers
// would). The bundle's `Headers` is its own (src/sdk/fetchGlobals.ts), so Node's fetch
// implementation (undici) is never loaded.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runChild } from '../helpers/childRun';

const BUNDLE = path.resolve(__dirname, '../../dist/sdk-auth.js');
const ACCESS_TOKEN = `ya29.user-${process.pid}`;

// Run by `node` in a child: JSON of the token, the headers for a Cloud Run URL, and whether undici loaded.
const PROBE = `const { GoogleAuth } = require(process.env.CRD_BUNDLE);
(async () => {
  // Application Default Credentials from GOOGLE_APPLICATION_CREDENTIALS, the token endpoint moved
  // here, and a project given, as core/google/credentials.ts gives one (else gcloud is asked for it).
  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'], projectId: 'probe-project', clientOptions: { endpoints: { oauth2TokenUrl: process.env.CRD_TOKEN_URL } } });
  const client = await auth.getClient();
  const { token } = await client.getAccessToken();
  const headers = [];
  (await client.getRequestHeaders('https://run.googleapis.com/v2/projects/p/locations/r/services/s')).forEach((value, name) => headers.push([name, value]));
  process.stdout.write(JSON.stringify({ token, headers, undici: process.moduleLoadList.some((name) => name.includes('undici')) }));
})().catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exitCode = 1; });
`;

interface TokenRequest {
  method: string;
  contentType: string;
  form: Record<string, string>;
}

describe('the auth bundle with user credentials (authorized_user)', () => {
  let server: http.Server;
  let dir: string;
  const requests: TokenRequest[] = [];

  before(async () => {
    assert.ok(fs.existsSync(BUNDLE), 'dist/sdk-auth.js is missing: run `npm run build` first');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-auth-bundle-'));
    fs.writeFileSync(path.join(dir, 'probe.cjs'), PROBE);
    // What gcloud auth application-default login writes, with a stray space and line break around the quota project.
    const credentials = { type: 'authorized_user', client_id: 'probe-client', client_secret: 'probe-secret', refresh_token: 'probe-refresh', quota_project_id: ' quota-project\n' };
    fs.writeFileSync(path.join(dir, 'adc.json'), JSON.stringify(credentials));
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        requests.push({ method: req.method ?? '', contentType: req.headers['content-type'] ?? '', form: Object.fromEntries(new URLSearchParams(body)) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: ACCESS_TOKEN, expires_in: 3600, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/cloud-platform' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refreshes the token with a form POST and authorizes a read with it, without loading undici', async () => {
    const tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
    const env = { PATH: process.env.PATH ?? '', HOME: dir, GOOGLE_APPLICATION_CREDENTIALS: path.join(dir, 'adc.json'), CRD_BUNDLE: BUNDLE, CRD_TOKEN_URL: tokenUrl };
    const { code, stdout, stderr } = await runChild(process.execPath, [path.join(dir, 'probe.cjs')], { env });
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '', 'no warning either');

    assert.equal(requests.length, 1, JSON.stringify(requests));
    assert.equal(requests[0]!.method, 'POST');
    assert.match(requests[0]!.contentType, /^application\/x-www-form-urlencoded/);
    assert.deepEqual(requests[0]!.form, { refresh_token: 'probe-refresh', client_id: 'probe-client', client_secret: 'probe-secret', grant_type: 'refresh_token' });

    const answer = JSON.parse(stdout) as { token: string; headers: [string, string][]; undici: boolean };
    assert.equal(answer.token, ACCESS_TOKEN);
    const headers = Object.fromEntries(answer.headers);
    assert.equal(headers.authorization, `Bearer ${ACCESS_TOKEN}`);
    assert.equal(headers['x-goog-user-project'], 'quota-project');
    assert.equal(answer.undici, false, "Node's fetch implementation (undici) was loaded");
  });
});
