import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopbackHost } from '../../src/core/platform/loopback';

describe('isLoopbackHost', () => {
  it('takes this machine in every spelling URL.hostname gives', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) assert.ok(isLoopbackHost(host), host);
  });

  it('refuses other hosts, including ones that only start like loopback', () => {
    for (const host of ['example.com', '127.0.0.1.evil.example', '127.0.0.1000', '10.0.0.1', '0.0.0.0', '::', '[::2]', 'localhost.evil.example']) {
      assert.ok(!isLoopbackHost(host), host);
    }
  });
});
