import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultCacheDir } from '../../src/core/platform/cacheDir';
import { codeCacheFile, requireWithCodeCache, saveCodeCaches } from '../../src/core/platform/codeCache';

describe('V8 code cache for the SDK bundles', () => {
  let dir: string;
  let bundle: string;
  let cacheDir: string;
  const source = `const os = require('node:os'); let calls = 0; exports.answer = (n) => { calls += 1; return n * 6 + calls * 0; }; exports.platform = os.platform(); exports.file = __filename;\n`;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-codecache-'));
    bundle = path.join(dir, 'sdk-test.js');
    fs.writeFileSync(bundle, source);
    cacheDir = path.join(dir, 'cache');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads a bundle as require would, then saves its cache privately', () => {
    const loaded = requireWithCodeCache<{ answer: (n: number) => number; platform: string; file: string }>(bundle, cacheDir);
    assert.equal(loaded.answer(7), 42);
    assert.equal(loaded.platform, os.platform());
    assert.equal(loaded.file, bundle);
    const cacheFile = codeCacheFile(cacheDir, bundle, source);
    assert.equal(fs.existsSync(cacheFile), false, 'nothing is written before saveCodeCaches');
    saveCodeCaches();
    assert.ok(fs.statSync(cacheFile).size > 0);
    if (process.platform !== 'win32') {
      assert.equal(fs.statSync(cacheDir).mode & 0o777, 0o700);
      assert.equal(fs.statSync(cacheFile).mode & 0o777, 0o600);
    }
  });

  it('a new process uses an accepted cache without rewriting it', () => {
    // In-process, V8's own compilation cache would answer first; a fresh process is what the CLI is.
    const cacheFile = codeCacheFile(cacheDir, bundle, source);
    const past = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(cacheFile, past, past);
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
      const { requireWithCodeCache, saveCodeCaches } = require(${JSON.stringify(path.resolve(__dirname, '../../src/core/platform/codeCache.ts'))});
      process.stdout.write(String(requireWithCodeCache(${JSON.stringify(bundle)}, ${JSON.stringify(cacheDir)}).answer(1)));
      saveCodeCaches();`], { encoding: 'utf8' });
    assert.equal(child.stdout, '6', child.stderr);
    assert.equal(fs.statSync(cacheFile).mtimeMs, past.getTime(), 'the accepted cache is left as it is');
  });

  it('replaces a cache V8 refuses', () => {
    const other = path.join(dir, 'sdk-other.js');
    const otherSource = source.replace('n * 6', 'n * 5');
    fs.writeFileSync(other, otherSource);
    const cacheFile = codeCacheFile(cacheDir, other, otherSource);
    fs.writeFileSync(cacheFile, Buffer.from('not a code cache'), { mode: 0o600 });
    assert.equal(requireWithCodeCache<{ answer: (n: number) => number }>(other, cacheDir).answer(2), 10);
    saveCodeCaches();
    assert.notDeepEqual(fs.readFileSync(cacheFile).subarray(0, 16), Buffer.from('not a code cache'));
  });

  it('keys caches by content, so an edited bundle of the same length never gets the old code', () => {
    const edited = source.replace('n * 6', 'n * 7');
    assert.equal(edited.length, source.length);
    assert.notEqual(codeCacheFile(cacheDir, bundle, edited), codeCacheFile(cacheDir, bundle, source));
    fs.writeFileSync(bundle, edited);
    assert.equal(requireWithCodeCache<{ answer: (n: number) => number }>(bundle, cacheDir).answer(1), 7);
    saveCodeCaches();
    fs.writeFileSync(bundle, source);
  });

  it('ignores a cache others can write (it would be their code running as us)', { skip: process.platform === 'win32' }, () => {
    const planted = path.join(dir, 'sdk-planted.js');
    const plantedSource = source.replace('n * 6', 'n * 4');
    fs.writeFileSync(planted, plantedSource);
    const cacheFile = codeCacheFile(cacheDir, planted, plantedSource);
    fs.writeFileSync(cacheFile, Buffer.from('planted'));
    fs.chmodSync(cacheFile, 0o666);
    assert.equal(requireWithCodeCache<{ answer: (n: number) => number }>(planted, cacheDir).answer(1), 4);
    saveCodeCaches();
    assert.equal(fs.statSync(cacheFile).mode & 0o777, 0o600, 'replaced by our own private cache');
  });

  it('keeps one cache per bundle: writing a new one removes the bundle\'s older ones, no other file', () => {
    const stale = path.join(cacheDir, `sdk-test-${'a'.repeat(24)}.v8cache`);
    const otherBundle = path.join(cacheDir, `sdk-test2-${'b'.repeat(24)}.v8cache`);
    const notACache = path.join(cacheDir, 'sdk-test-notes.txt');
    for (const file of [stale, otherBundle, notACache]) fs.writeFileSync(file, 'x');
    const edited = path.join(dir, 'sdk-test.js');
    fs.writeFileSync(edited, `${source}// edited\n`);
    try {
      requireWithCodeCache(edited, cacheDir);
      saveCodeCaches();
      const current = codeCacheFile(cacheDir, edited, `${source}// edited\n`);
      assert.ok(fs.existsSync(current));
      assert.equal(fs.existsSync(stale), false, 'an older cache of the same bundle is removed');
      assert.equal(fs.existsSync(codeCacheFile(cacheDir, bundle, source)), false, 'the cache of the previous build is removed');
      assert.ok(fs.existsSync(otherBundle), 'another bundle\'s cache stays');
      assert.ok(fs.existsSync(notACache), 'a file that is not a cache stays');
    } finally {
      fs.writeFileSync(edited, source);
    }
  });

  it('lets the bundle import() a module, as require would', async () => {
    const dynamic = path.join(dir, 'sdk-dynamic.js');
    fs.writeFileSync(dynamic, `exports.platform = () => import('node:os').then((os) => os.platform());\n`);
    const loaded = requireWithCodeCache<{ platform: () => Promise<string> }>(dynamic, cacheDir);
    assert.equal(await loaded.platform(), os.platform());
  });

  it('finds the per-user cache folder, and CLOUD_RUN_DRIFT_CACHE_DIR overrides or turns it off', () => {
    assert.equal(defaultCacheDir({}, 'linux', '/home/ana'), '/home/ana/.cache/cloud-run-drift');
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/ana'), '/xdg/cloud-run-drift');
    assert.equal(defaultCacheDir({}, 'darwin', '/Users/ana'), '/Users/ana/Library/Caches/cloud-run-drift');
    assert.equal(defaultCacheDir({ LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local' }, 'win32', 'C:\\Users\\ana'), path.join('C:\\Users\\ana\\AppData\\Local', 'cloud-run-drift', 'Cache'));
    assert.equal(defaultCacheDir({ CLOUD_RUN_DRIFT_CACHE_DIR: '/tmp/x' }, 'linux', '/home/ana'), '/tmp/x');
    assert.equal(defaultCacheDir({ CLOUD_RUN_DRIFT_CACHE_DIR: '' }, 'linux', '/home/ana'), null);
  });
});
