import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agreesWithService } from '../../src/core/google/serviceFacts';
import type { RevisionFacts } from '../../src/core/model';
import { MAX_FILE_ENTRIES, CheckCacheFile, settledRevisionKey } from '../../src/core/google/revisionStore';

const SERVICE = 'projects/p/locations/r/services/api';

function facts(name: string, extra: Partial<RevisionFacts> = {}): RevisionFacts {
  return { name, labels: { 'commit-sha': 'c0ffee12' }, createTime: '2026-01-01T00:00:00.000Z', image: 'img@sha256:1', ready: true, failed: false, readyMessage: null, ...extra };
}

describe('settled revisions kept in a file (the CLI)', () => {
  let root: string;
  before(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-revstore-'))));
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  const freshDir = (name: string): string => path.join(root, name);

  it('starts empty, writes only when something was added, privately, and reads it back', () => {
    const dir = freshDir('roundtrip');
    const store = CheckCacheFile.open(dir);
    assert.equal(store.size, 0);
    store.save();
    assert.equal(fs.existsSync(dir), false, 'nothing added, nothing written');
    const key = settledRevisionKey('https://run.googleapis.com', 'uid-1', `${SERVICE}/revisions/api-00001-aaa`);
    store.set(key, facts('api-00001-aaa'));
    store.set(settledRevisionKey('https://run.googleapis.com', 'uid-1', `${SERVICE}/revisions/api-00002-bbb`), facts('api-00002-bbb', { ready: false, failed: true, readyMessage: 'Container failed' }));
    store.save();
    assert.equal(fs.statSync(store.file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    const again = CheckCacheFile.open(dir);
    assert.equal(again.size, 2);
    assert.deepEqual(again.get(key), facts('api-00001-aaa'));
    assert.equal(again.get(settledRevisionKey('https://run.googleapis.com', 'uid-2', `${SERVICE}/revisions/api-00001-aaa`)), undefined, 'another uid is another service');
    const written = fs.statSync(again.file).mtimeMs;
    again.save();
    assert.equal(fs.statSync(again.file).mtimeMs, written, 'reading alone does not rewrite the file');
  });

  it('keeps the newest entries when full', () => {
    const dir = freshDir('full');
    const store = CheckCacheFile.open(dir);
    for (let i = 0; i < MAX_FILE_ENTRIES + 10; i++) store.set(`k${i}`, facts(`r${i}`));
    store.set('k0', facts('r0'));
    store.save();
    const again = CheckCacheFile.open(dir);
    assert.equal(again.size, MAX_FILE_ENTRIES);
    assert.ok(again.get('k0'), 'set again, so among the newest');
    assert.equal(again.get('k1'), undefined);
    assert.equal(again.get('k10'), undefined);
    assert.ok(again.get('k11'));
    assert.ok(again.get(`k${MAX_FILE_ENTRIES + 9}`));
  });

  it('drops the entries used longest ago when full: one a check read stays, however many were added since', () => {
    const dir = freshDir('used');
    const store = CheckCacheFile.open(dir);
    for (let i = 0; i < MAX_FILE_ENTRIES; i++) store.set(`k${i}`, facts(`r${i}`));
    store.save();
    const next = CheckCacheFile.open(dir);
    assert.ok(next.get('k0'), 'the oldest entry, read by this run');
    next.save();
    assert.deepEqual(JSON.parse(fs.readFileSync(next.file, 'utf8')).entries[0][0], 'k0', 'reading alone does not rewrite the file');
    for (let i = 0; i < MAX_FILE_ENTRIES - 1; i++) next.set(`new${i}`, facts(`n${i}`));
    next.save();
    const again = CheckCacheFile.open(dir);
    assert.equal(again.size, MAX_FILE_ENTRIES);
    assert.ok(again.get('k0'), 'read by the run before, so kept');
    assert.equal(again.get('k1'), undefined);
    assert.ok(again.get(`new${MAX_FILE_ENTRIES - 2}`));
  });

  it('ignores a damaged file, and entries that are not revision facts', () => {
    const dir = freshDir('damaged');
    fs.mkdirSync(dir, { mode: 0o700 });
    const file = path.join(dir, 'check-cache-v1.json');
    fs.writeFileSync(file, '{"entries": [', { mode: 0o600 });
    assert.equal(CheckCacheFile.open(dir).size, 0);
    const bad = [
      ['a', { ...facts('a'), ready: 'yes' }],
      ['b', { ...facts('b'), labels: { 'commit-sha': 7 } }],
      ['c', null],
      ['d'],
      [42, facts('e')],
    ];
    fs.writeFileSync(file, JSON.stringify({ entries: [...bad, ['good', facts('good')]] }));
    const store = CheckCacheFile.open(dir);
    assert.equal(store.size, 1);
    assert.deepEqual(store.get('good'), facts('good'));
  });

  it('remembers the labels last seen serving each service, and offers them as one list', () => {
    const dir = freshDir('labels');
    const store = CheckCacheFile.open(dir);
    store.rememberServingLabels('origin svc-a', ['c0ffee12', 'beefcafe', 'c0ffee12']);
    store.rememberServingLabels('origin svc-b', ['c0ffee12']);
    store.save();
    const again = CheckCacheFile.open(dir);
    assert.deepEqual(again.lastServingLabels(['origin svc-a', 'origin svc-b', 'origin svc-c']), ['beefcafe', 'c0ffee12']);
    assert.deepEqual(again.lastServingLabels(['origin svc-c']), []);
    const written = fs.statSync(again.file).mtimeMs;
    again.rememberServingLabels('origin svc-a', ['c0ffee12', 'beefcafe']);
    again.save();
    assert.equal(fs.statSync(again.file).mtimeMs, written, 'the same labels again change nothing');
    again.rememberServingLabels('origin svc-b', []);
    again.save();
    assert.deepEqual(CheckCacheFile.open(dir).lastServingLabels(['origin svc-b']), []);
    fs.writeFileSync(again.file, JSON.stringify({ servingLabels: [['ok', ['a1']], ['bad', [1]], ['worse', 'a2'], [3, ['a3']]] }));
    assert.deepEqual(CheckCacheFile.open(dir).lastServingLabels(['ok', 'bad', 'worse']), ['a1']);
  });

  it('remembers the groups found too large to list', () => {
    const dir = freshDir('large');
    const store = CheckCacheFile.open(dir);
    assert.equal(store.largeGroups.has('https://run.googleapis.com service p/us-west2'), false);
    store.largeGroups.add('https://run.googleapis.com service p/us-west2');
    store.save();
    const again = CheckCacheFile.open(dir);
    assert.equal(again.largeGroups.has('https://run.googleapis.com service p/us-west2'), true);
    assert.equal(again.largeGroups.has('https://run.googleapis.com job p/us-west2'), false);
    const written = fs.statSync(again.file).mtimeMs;
    again.largeGroups.add('https://run.googleapis.com service p/us-west2');
    again.save();
    assert.equal(fs.statSync(again.file).mtimeMs, written, 'a group known already changes nothing');
    fs.writeFileSync(again.file, JSON.stringify({ largeGroups: ['ok', 3, null] }));
    const damaged = CheckCacheFile.open(dir);
    assert.equal(damaged.largeGroups.has('ok'), true);
    assert.equal(damaged.largeGroups.has('3'), false);
  });

  it('does not read a file others could have written', { skip: process.getuid === undefined }, () => {
    const dir = freshDir('shared');
    const store = CheckCacheFile.open(dir);
    store.set('k', facts('r'));
    store.save();
    fs.chmodSync(store.file, 0o620);
    assert.equal(CheckCacheFile.open(dir).size, 0, 'group-writable file');
    fs.chmodSync(store.file, 0o600);
    fs.chmodSync(dir, 0o777);
    assert.equal(CheckCacheFile.open(dir).size, 0, 'world-writable folder');
    fs.chmodSync(dir, 0o700);
    assert.equal(CheckCacheFile.open(dir).size, 1);
  });
});

describe('agreesWithService: a kept revision is used only while the service agrees', () => {
  const service = (latestReady: string, latestCreated: string) => ({ latestReadyRevision: `${SERVICE}/revisions/${latestReady}`, latestCreatedRevision: `${SERVICE}/revisions/${latestCreated}` });

  it('accepts a ready latest revision and an older pinned one', () => {
    assert.equal(agreesWithService(facts('r2'), 'r2', service('r2', 'r2')), true);
    assert.equal(agreesWithService(facts('r1'), 'r1', service('r2', 'r2')), true);
  });

  it('accepts a failed latest created revision while an older one is the latest ready', () => {
    assert.equal(agreesWithService(facts('r3', { ready: false, failed: true }), 'r3', service('r2', 'r3')), true);
  });

  it('reads again when the service says otherwise', () => {
    assert.equal(agreesWithService(facts('r3', { ready: false, failed: true }), 'r3', service('r3', 'r3')), false, 'kept as failed, now the latest ready');
    assert.equal(agreesWithService(facts('r3'), 'r3', service('r2', 'r3')), false, 'kept as ready, now not the latest ready');
  });
});
