import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

// npm test builds before it runs the tests; alone, run `npm run build` first.
const dist = path.join(__dirname, '..', '..', 'dist');

describe('the built bundles', () => {
  it('are ASCII, so V8 holds each source at one byte a character', () => {
    const bundles = fs.existsSync(dist) ? fs.readdirSync(dist).filter((name) => name.endsWith('.js')) : [];
    assert.ok(bundles.includes('cli-main.js') && bundles.includes('extension.js') && bundles.includes('sdk-run.js'), `no bundles in ${dist}: run npm run build first`);
    for (const name of bundles) {
      const bytes = fs.readFileSync(path.join(dist, name));
      const at = bytes.findIndex((byte) => byte > 0x7f);
      assert.equal(at, -1, `${name} has a byte above 0x7f at offset ${at}: ${bytes.subarray(Math.max(0, at - 40), at + 10).toString('utf8')}`);
    }
  });
});
