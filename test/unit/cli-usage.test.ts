// The CLI's own help, version and color choice, through main() with its output captured.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { colorWanted, main } from '../../src/cli/main';
import { cliVersion, commandUsage, MIN_NODE_MAJOR, unsupportedNode } from '../../src/cli/usage';

const MANIFEST_ENGINES_NODE = (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { engines: { node: string } }).engines.node;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), color: false });
  return { code, out, err };
}

describe('CLI help and version', () => {
  for (const command of ['check', 'verify', 'logs', 'job', 'scoreboard']) {
    it(`${command} --help prints that command's usage and exits 0, reading nothing`, async () => {
      for (const flag of ['--help', '-h']) {
        const { code, out, err } = await run([command, '--no-such-flag-before', flag]);
        assert.equal(code, 0, err);
        assert.match(out, new RegExp(`^Usage: cloud-run-drift ${command} `));
        assert.equal(err, '');
        assert.match(out, /allow-credentials-to/, 'the shared part follows');
        assert.doesNotMatch(out, /^ {2}(check|verify|logs|job|scoreboard) /m, 'no other command is listed');
      }
    });
  }

  it('commandUsage keeps each command whole', () => {
    assert.match(commandUsage('job'), /--dry-run checks the guards/);
    assert.match(commandUsage('job'), /be checked; 2 usage or configuration\./);
  });

  it('--version prints the package version', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };
    const { code, out } = await run(['--version']);
    assert.equal(code, 0);
    assert.equal(out, `${manifest.version}\n`);
    assert.equal(cliVersion(path.resolve(__dirname, '../../dist')), manifest.version, 'beside the bundle too');
    assert.equal(cliVersion('/'), 'unknown');
  });

  it('NO_COLOR turns colors off when it is set to anything but the empty string', () => {
    assert.equal(colorWanted(true, {}), true);
    assert.equal(colorWanted(true, { NO_COLOR: '1' }), false);
    assert.equal(colorWanted(true, { NO_COLOR: '' }), true);
    assert.equal(colorWanted(false, {}), false);
  });
});

describe('the Node.js the commands need', () => {
  it('refuses a release older than MIN_NODE_MAJOR with what to do, and accepts it and later ones', () => {
    assert.equal(MIN_NODE_MAJOR, Number(/\d+/.exec(MANIFEST_ENGINES_NODE)![0]), "package.json's engines.node");
    assert.match(unsupportedNode('v20.20.2')!, /^cloud-run-drift needs Node\.js 22 or later; this is Node\.js v20\.20\.2\. Install a current release/);
    assert.ok(unsupportedNode('v18.0.0'));
    for (const ok of ['v22.0.0', 'v24.22.3', 'v30.1.0', 'weird']) assert.equal(unsupportedNode(ok), null, ok);
  });
});
