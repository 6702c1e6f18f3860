// The revision histories `where` keeps: when a kept one is current (its newest revision is the
// service's latest created revision, by name and creation time, read under the same commit label),
// and the CLI's file: private, bounded, and never trusted when it is not valid.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { currentHistory, historyKey, keptHistory, MAX_HISTORY_REVISIONS, MAX_KEPT_HISTORIES, RevisionHistoryFile, type KeptHistory } from '../../src/core/where/historyStore';
import type { RevisionFacts } from '../../src/core/model';
import { WHERE_HISTORY_LIMIT } from '../../src/core/where/histories';

function revision(name: string, createTime: string | null, labels: Record<string, string> = { 'commit-sha': 'c0ffee12' }): RevisionFacts {
  return { name, labels, createTime, image: 'img@sha256:1', ready: true, failed: false, readyMessage: null };
}

const HISTORY: KeptHistory = keptHistory('api', [revision('api-00002-bbb', '2026-01-01T00:15:00.000Z'), revision('api-00001-aaa', '2026-01-01T00:05:00.000Z', {})], 'commit-sha');

describe('a kept revision history', () => {
  it('keeps each revision\'s name, creation time and commit label only', () => {
    assert.deepEqual(HISTORY, {
      service: 'api',
      commitLabel: 'commit-sha',
      revisions: [
        { name: 'api-00002-bbb', createTime: '2026-01-01T00:15:00.000Z', label: 'c0ffee12' },
        { name: 'api-00001-aaa', createTime: '2026-01-01T00:05:00.000Z', label: null },
      ],
    });
  });

  it('is current only when its newest revision is the latest created one of the same service, with the same creation time, under the same label', () => {
    const latest = { latestCreatedRevision: 'api-00002-bbb', latestCreatedAt: '2026-01-01T00:15:00.000Z' };
    assert.equal(currentHistory(HISTORY, latest, 'api', 'commit-sha'), HISTORY);
    assert.equal(currentHistory(HISTORY, { ...latest, latestCreatedRevision: 'api-00003-ccc' }, 'api', 'commit-sha'), undefined, 'deployed since');
    assert.equal(currentHistory(HISTORY, { ...latest, latestCreatedAt: '2026-02-01T00:00:00.000Z' }, 'api', 'commit-sha'), undefined, 'the service was created again with a revision of that name');
    assert.equal(currentHistory(HISTORY, { ...latest, latestCreatedAt: undefined }, 'api', 'commit-sha'), undefined, 'the check did not read the latest revision');
    assert.equal(currentHistory(HISTORY, { ...latest, latestCreatedRevision: null }, 'api', 'commit-sha'), undefined);
    assert.equal(currentHistory(HISTORY, latest, 'api-v2', 'commit-sha'), undefined, 'a function now on another service');
    assert.equal(currentHistory(HISTORY, latest, 'api', 'git-commit'), undefined, 'kept under another commit label');
    assert.equal(currentHistory(undefined, latest, 'api', 'commit-sha'), undefined);
    assert.equal(currentHistory({ service: 'api', commitLabel: 'commit-sha', revisions: [] }, latest, 'api', 'commit-sha'), undefined);
  });

  it('is keyed by the unit: a function by its own name, apart from a service of that name', () => {
    const origin = 'https://run.googleapis.com';
    assert.equal(historyKey(origin, { kind: 'service', project: 'p', region: 'r', name: 'api' }), 'https://run.googleapis.com projects/p/locations/r/services/api');
    assert.notEqual(historyKey(origin, { kind: 'function', project: 'p', region: 'r', name: 'api' }), historyKey(origin, { kind: 'service', project: 'p', region: 'r', name: 'api' }));
    assert.notEqual(historyKey('http://127.0.0.1:9', { kind: 'service', project: 'p', region: 'r', name: 'api' }), historyKey(origin, { kind: 'service', project: 'p', region: 'r', name: 'api' }));
  });

  it('can hold a whole history as `where` reads it', () => {
    assert.ok(WHERE_HISTORY_LIMIT <= MAX_HISTORY_REVISIONS);
  });
});

describe('revision histories kept in a file (the CLI)', () => {
  let root: string;
  before(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-histories-'))));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('starts empty, writes only when something was added, privately, and reads it back', () => {
    const dir = path.join(root, 'roundtrip');
    const store = RevisionHistoryFile.open(dir);
    store.save();
    assert.equal(fs.existsSync(dir), false, 'nothing added, nothing written');
    store.set('https://run.googleapis.com projects/p/locations/r/services/api', HISTORY);
    store.save();
    assert.equal(fs.statSync(store.file).mode & 0o777, 0o600);
    const again = RevisionHistoryFile.open(dir);
    assert.deepEqual(again.get('https://run.googleapis.com projects/p/locations/r/services/api'), HISTORY);
    assert.equal(again.get('https://run.googleapis.com projects/p/locations/r/services/web'), undefined);
    const written = fs.statSync(again.file).mtimeMs;
    again.save();
    assert.equal(fs.statSync(again.file).mtimeMs, written, 'reading alone does not rewrite the file');
  });

  it('is bounded: the histories used longest ago are dropped, and a history too long to keep whole is not kept', () => {
    const dir = path.join(root, 'bounded');
    const store = RevisionHistoryFile.open(dir);
    for (let i = 0; i < MAX_KEPT_HISTORIES + 5; i++) store.set(`k${i}`, HISTORY);
    assert.ok(store.get('k0'), 'used again, so among the last used');
    const long = keptHistory('api', Array.from({ length: MAX_HISTORY_REVISIONS + 1 }, (_, i) => revision(`api-${i}`, null)), 'commit-sha');
    store.set('k1', long);
    assert.equal(store.get('k1'), undefined, 'not kept, and the history it replaced is gone too');
    store.save();
    const again = RevisionHistoryFile.open(dir);
    assert.equal(again.size, MAX_KEPT_HISTORIES);
    assert.ok(again.get('k0'));
    assert.equal(again.get('k5'), undefined);
    assert.ok(again.get('k6'));
  });

  it('ignores a file that is not valid, and entries that are not histories', () => {
    const dir = path.join(root, 'invalid');
    fs.mkdirSync(dir, { mode: 0o700 });
    const file = path.join(dir, 'where-histories-v1.json');
    fs.writeFileSync(file, '{not json', { mode: 0o600 });
    assert.equal(RevisionHistoryFile.open(dir).size, 0);
    const valid = ['ok', HISTORY];
    const invalid = [
      ['no-label', { service: 'api', revisions: HISTORY.revisions }],
      ['no-service', { commitLabel: 'commit-sha', revisions: HISTORY.revisions }],
      ['empty', { service: 'api', commitLabel: 'commit-sha', revisions: [] }],
      ['bad-revision', { service: 'api', commitLabel: 'commit-sha', revisions: [{ name: 'api-00001-aaa', createTime: 5, label: null }] }],
      ['too-long', { service: 'api', commitLabel: 'commit-sha', revisions: Array.from({ length: MAX_HISTORY_REVISIONS + 1 }, (_, i) => ({ name: `r${i}`, createTime: null, label: null })) }],
      [7, HISTORY],
    ];
    fs.writeFileSync(file, JSON.stringify({ histories: [valid, ...invalid] }), { mode: 0o600 });
    const store = RevisionHistoryFile.open(dir);
    assert.equal(store.size, 1);
    assert.deepEqual(store.get('ok'), HISTORY);
  });

  it('does not read a file others can write', { skip: process.platform === 'win32' }, () => {
    const dir = path.join(root, 'shared');
    const store = RevisionHistoryFile.open(dir);
    store.set('k', HISTORY);
    store.save();
    fs.chmodSync(store.file, 0o666);
    assert.equal(RevisionHistoryFile.open(dir).size, 0);
  });
});
