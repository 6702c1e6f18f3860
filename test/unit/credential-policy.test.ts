// The one decision of which hosts receive the user's Google credentials (core/google/credentialPolicy.ts).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import {
  ALLOW_HOSTS_ENV,
  ALLOW_HOSTS_SETTING,
  credentialPolicy,
  decideCredentials,
  endpointTarget,
  mayCarryCredentials,
  normalizeAllowedHost,
  type CredentialPolicy,
} from '../../src/core/google/credentialPolicy';

const NONE: CredentialPolicy = credentialPolicy([], {});

function decide(key: 'run' | 'logging' | 'bigquery', endpoint: string, policy = NONE): string {
  const target = endpointTarget(key, endpoint);
  assert.ok(target, endpoint);
  return decideCredentials(target, policy).kind;
}

describe('credential policy', () => {
  it("gives Google's API hosts credentials, and the default endpoint (no target)", () => {
    assert.equal(decideCredentials(null, NONE).kind, 'google');
    assert.equal(decide('run', 'https://run.googleapis.com'), 'google');
    assert.equal(decide('run', 'https://us-central1-run.googleapis.com/'), 'google');
    assert.equal(decide('bigquery', 'https://BIGQUERY.googleapis.com.'), 'google');
    assert.equal(decide('logging', 'logging.googleapis.com:443'), 'google');
    assert.equal(decide('logging', 'private.googleapis.com:443'), 'google');
  });

  it('gives a plain-http loopback emulator none, and refuses plain http anywhere else', () => {
    assert.equal(decide('run', 'http://127.0.0.1:8123'), 'emulator');
    assert.equal(decide('bigquery', 'http://localhost:9050'), 'emulator');
    assert.equal(decide('run', 'http://[::1]:8123'), 'emulator');
    assert.equal(decide('logging', '127.0.0.1:8124'), 'emulator');
    const plain = decideCredentials(endpointTarget('run', 'http://run.googleapis.com'), NONE);
    assert.deepEqual(plain, { kind: 'refused', message: 'endpoints.run http://run.googleapis.com: plain http is only allowed to a loopback emulator' });
  });

  it('refuses every other host, https loopback included, and names the three ways to allow it', () => {
    for (const [key, endpoint] of [
      ['run', 'https://127.0.0.1:8443'],
      ['bigquery', 'https://localhost:9443'],
      ['run', 'https://run.example.com'],
      ['run', 'https://googleapis.com'],
      ['run', 'https://evilgoogleapis.com'],
      ['run', 'https://run.googleapis.com.evil.example'],
      ['run', 'https://run.googleapis.com@evil.example'],
      ['logging', 'logging.example.com:443'],
      ['logging', '127.1:8124'],
    ] as const) {
      assert.equal(decide(key, endpoint), 'refused', endpoint);
    }
    const refused = decideCredentials(endpointTarget('run', 'https://Run.Example.com:8443'), NONE);
    assert.equal(refused.kind, 'refused');
    assert.equal(
      refused.kind === 'refused' && refused.message,
      'endpoints.run https://Run.Example.com:8443 is not a Google API host: your Google credentials are sent only to *.googleapis.com. ' +
        'To send them to run.example.com anyway, allow it outside the repository: the setting cloudRunDrift.credentials.allowHosts (user settings), ' +
        'the environment variable CLOUD_RUN_DRIFT_ALLOW_CREDENTIALS_TO=run.example.com, or the CLI flag --allow-credentials-to run.example.com',
    );
    // Hosts are named as the clients see them: 127.1 is 127.0.0.1.
    const nonCanonical = decideCredentials(endpointTarget('logging', '127.1:8124'), NONE);
    const named = nonCanonical.kind === 'refused' ? nonCanonical.message : '';
    assert.ok(named.includes('CLOUD_RUN_DRIFT_ALLOW_CREDENTIALS_TO=127.0.0.1,') && named.includes('--allow-credentials-to 127.0.0.1'), named);
  });

  it('shows a hostile endpoint with its control characters escaped', () => {
    const refused = decideCredentials(endpointTarget('logging', '\u001b]0;owned\u0007:443'), NONE);
    const message = refused.kind === 'refused' ? refused.message : '';
    assert.ok(message.startsWith('endpoints.logging \\u001b]0;owned\\u0007:443 is not a Google API host'), message);
    // eslint-disable-next-line no-control-regex -- no control character may reach the message
    assert.doesNotMatch(message, /[\u0000-\u001f]/);
    const userinfo = decideCredentials(endpointTarget('run', 'https://\u001b[2J@run.example.com'), NONE);
    // eslint-disable-next-line no-control-regex -- no control character may reach the message
    assert.doesNotMatch(userinfo.kind === 'refused' ? userinfo.message : '', /[\u0000-\u001f]/);
  });

  it('gives a host the user allowed credentials: by name, by *.domain, from the environment', () => {
    const policy = credentialPolicy(['run.example.com', '*.corp.example', 'https://127.0.0.1:8443/'], { [ALLOW_HOSTS_ENV]: 'bq.example.com, logs.example.com' });
    assert.deepEqual(policy.allowHosts, ['run.example.com', '*.corp.example', '127.0.0.1', 'bq.example.com', 'logs.example.com']);
    assert.equal(decide('run', 'https://RUN.example.com', policy), 'allowed');
    assert.equal(decide('run', 'https://a.b.corp.example', policy), 'allowed');
    assert.equal(decide('run', 'https://corp.example', policy), 'refused');
    assert.equal(decide('run', 'https://127.0.0.1:9999', policy), 'allowed');
    assert.equal(decide('bigquery', 'https://bq.example.com', policy), 'allowed');
    assert.equal(decide('logging', 'logs.example.com:443', policy), 'allowed');
    assert.equal(decide('run', 'https://other.example.com', policy), 'refused');
    // Never plain http, allowed or not.
    assert.equal(decide('run', 'http://run.example.com', policy), 'refused');
  });

  it('adds *.<universe domain> when one is configured, and says so', () => {
    const policy = credentialPolicy([], { GOOGLE_CLOUD_UNIVERSE_DOMAIN: 'Example-Universe.test' });
    assert.equal(policy.universeDomain, 'example-universe.test');
    assert.equal(decide('run', 'https://run.example-universe.test', policy), 'google');
    assert.equal(decide('run', 'https://run.googleapis.com', policy), 'google');
    const refused = decideCredentials(endpointTarget('run', 'https://run.example.com'), policy);
    assert.match(refused.kind === 'refused' ? refused.message : '', /sent only to \*\.googleapis\.com or \*\.example-universe\.test\./);
    assert.equal(credentialPolicy([], { GOOGLE_CLOUD_UNIVERSE_DOMAIN: 'googleapis.com' }).universeDomain, null);
  });

  it('compares hosts as the clients will see them', () => {
    assert.equal(normalizeAllowedHost('127.1'), '127.0.0.1');
    assert.equal(normalizeAllowedHost(' Run.Example.COM. '), 'run.example.com');
    assert.equal(normalizeAllowedHost('run.example.com:8443'), 'run.example.com');
    assert.equal(normalizeAllowedHost('[::1]:8443'), '::1');
    assert.equal(normalizeAllowedHost('bücher.example'), 'xn--bcher-kva.example');
    for (const bad of ['', '*', '*.', 'a b', 'https://', '*.*.example']) assert.equal(normalizeAllowedHost(bad), null, bad);
  });

  it('lets a request carry credentials only over https to a credential host', () => {
    const policy = credentialPolicy(['127.0.0.1'], {});
    assert.ok(mayCarryCredentials('https://run.googleapis.com/v2/projects/p', policy));
    assert.ok(mayCarryCredentials(new URL('https://127.1:8443/x'), policy));
    assert.ok(!mayCarryCredentials('http://run.googleapis.com/v2', policy));
    assert.ok(!mayCarryCredentials('https://evil.example/', policy));
    assert.ok(!mayCarryCredentials('not a url', policy));
  });

  it('names a setting that no workspace can set', () => {
    const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { scope?: string; type?: string }> } };
    };
    const setting = manifest.contributes.configuration.properties[ALLOW_HOSTS_SETTING];
    assert.equal(setting?.type, 'array');
    // "machine" and "application" settings are read from user (or remote) settings only, never a workspace's.
    assert.ok(setting?.scope === 'machine' || setting?.scope === 'application', setting?.scope);
  });

  it('the CLI refuses a flag value that names no host, before it reads anything', async () => {
    const err: string[] = [];
    const code = await main(['scoreboard', '--config', '/nonexistent/cloud-run-drift.json', '--allow-credentials-to', 'a b'], { out: () => undefined, err: (text) => err.push(text), color: false });
    assert.equal(code, 2);
    assert.match(err.join('\n'), /--allow-credentials-to expects a host such as "run\.example\.com" or "\*\.example\.com", got "a b"/);
  });
});
