// The `cloud-run-drift` executable as built (dist/cli.js): help, --version and COMMAND --help are
// answered by the bin alone, without the commands' bundle (dist/cli-main.js) or the Node modules it
// loads, and say exactly what main() says; every other command runs main(), from the commands'
// bundle loaded through a V8 code cache kept in the cache folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { codeCacheFile } from '../../src/core/platform/codeCache';

const DIST = path.resolve(__dirname, '../../dist');
const BIN = path.join(DIST, 'cli.js');
const MANIFEST = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };

/** Node's modules that only the commands need: loading any of them is what made printing usage slow. */
const COMMAND_BUILTINS = ['child_process', 'crypto', 'zlib', 'http', 'https', 'tls', 'vm', 'dgram'];

/** A preload that writes, at exit, which files the process required and which Node modules it loaded. */
const RECORDER = `const fs = require('node:fs');
process.on('exit', () => fs.writeFileSync(process.env.CRD_LOADED, JSON.stringify({ files: Object.keys(require.cache), builtins: process.moduleLoadList })));
`;

function runBin(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CLOUD_RUN_DRIFT_CACHE_DIR: '', ...env }, timeout: 10_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function viaMain(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(args, { out: (t) => (out += `${t}\n`), err: () => undefined, color: false });
  return { code, out };
}

const HELP_LINES = [['help'], ['--help'], ['-h'], [], ['--version'], ['-V'], ['check', '--help'], ['where', '-h'], ['logs', 'SERVICE', '--no-such-flag', '--help']];

describe('the cloud-run-drift bin', () => {
  let dir: string;
  before(() => {
    assert.ok(fs.existsSync(BIN), 'dist/cli.js is missing: run `npm run build` first');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-bin-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const args of HELP_LINES) {
    it(`\`${['cloud-run-drift', ...args].join(' ')}\` prints what main() prints, with its exit code`, async () => {
      const expected = await viaMain(args);
      const { code, stdout, stderr } = runBin(BIN, args);
      assert.equal(stderr, '');
      assert.equal(stdout, expected.out);
      assert.equal(code, expected.code);
    });
  }

  it('answers help, --version and COMMAND --help loading no other file and none of the modules the commands need', () => {
    const recorder = path.join(dir, 'recorder.cjs');
    fs.writeFileSync(recorder, RECORDER);
    for (const args of [['help'], ['--version'], ['check', '--help']]) {
      const loaded = path.join(dir, 'loaded.json');
      const result = spawnSync(process.execPath, ['--require', recorder, BIN, ...args], { encoding: 'utf8', env: { ...process.env, CRD_LOADED: loaded }, timeout: 10_000 });
      assert.equal(result.status, 0, result.stderr);
      const { files, builtins } = JSON.parse(fs.readFileSync(loaded, 'utf8')) as { files: string[]; builtins: string[] };
      assert.deepEqual(files.filter((file) => file !== recorder), [BIN], `${args.join(' ')}: only the bin is loaded`);
      const heavy = COMMAND_BUILTINS.filter((name) => builtins.includes(`NativeModule ${name}`));
      assert.deepEqual(heavy, [], `${args.join(' ')} loads Node modules only the commands need`);
    }
  });

  it('needs nothing but itself (and package.json for --version) for help; the commands need dist/cli-main.js', () => {
    const alone = path.join(dir, 'alone');
    fs.mkdirSync(path.join(alone, 'dist'), { recursive: true });
    fs.copyFileSync(BIN, path.join(alone, 'dist', 'cli.js'));
    fs.writeFileSync(path.join(alone, 'package.json'), JSON.stringify({ name: 'cloud-run-drift', version: MANIFEST.version }));
    const bin = path.join(alone, 'dist', 'cli.js');
    assert.match(runBin(bin, ['help']).stdout, /^Usage: cloud-run-drift <command>/);
    assert.equal(runBin(bin, ['--version']).stdout, `${MANIFEST.version}\n`);
    assert.match(runBin(bin, ['check', '--help']).stdout, /^Usage: cloud-run-drift check /);
    const command = runBin(bin, ['check'], { CLOUD_RUN_DRIFT_CACHE_DIR: '' });
    assert.notEqual(command.code, 0);
    assert.match(command.stderr, /cli-main\.js/, 'a command loads the commands’ bundle');
  });

  it('loads the commands through a code cache: the first command writes it, the next uses it as it is', () => {
    const cacheDir = path.join(dir, 'cache');
    const bundle = path.join(DIST, 'cli-main.js');
    const cacheFile = codeCacheFile(cacheDir, bundle, fs.readFileSync(bundle, 'utf8'));
    const first = runBin(BIN, ['no-such-command'], { CLOUD_RUN_DRIFT_CACHE_DIR: cacheDir });
    assert.equal(first.code, 2, first.stderr);
    assert.ok(fs.statSync(cacheFile).size > 0, 'the commands’ code cache is written');
    const past = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(cacheFile, past, past);
    const second = runBin(BIN, ['no-such-command'], { CLOUD_RUN_DRIFT_CACHE_DIR: cacheDir });
    assert.deepEqual(second, first);
    assert.equal(fs.statSync(cacheFile).mtimeMs, past.getTime(), 'an accepted cache is left as it is');
  });

  it('runs every other command through main(): an unknown command is a usage error with the usage', () => {
    const { code, stdout, stderr } = runBin(BIN, ['no-such-command']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^cloud-run-drift: unknown command "no-such-command"\n\nUsage: cloud-run-drift <command>/);
  });

  // The machine's own Node.js, when it is older than the commands need (Debian's Node 20 here).
  const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((file) => fs.existsSync(file) && spawnSync(file, ['-e', 'process.exit(Number(process.versions.node.split(".")[0]) < 22 ? 0 : 1)']).status === 0);
  it('on a Node.js older than 22: a command is refused with what to do (exit 2), help still answers', { skip: systemNode ? false : 'no Node.js older than 22 on this machine' }, () => {
    const refused = spawnSync(systemNode!, [BIN, 'rollback', 'api', '--to', 'api-00001'], { encoding: 'utf8', env: { ...process.env, CLOUD_RUN_DRIFT_CACHE_DIR: '' }, timeout: 10_000 });
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /^cloud-run-drift needs Node\.js 22 or later; this is Node\.js v\d+\.\d+\.\d+\. Install a current release/);
    assert.equal(refused.stdout, '');
    const help = spawnSync(systemNode!, [BIN, '--version'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(help.status, 0);
  });
});
