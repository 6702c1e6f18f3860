// The CLI's own help, version and color choice, through main() with its output captured.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { colorWanted, main } from '../../src/cli/main';
import { cliVersion, commandUsage } from '../../src/cli/usage';

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
