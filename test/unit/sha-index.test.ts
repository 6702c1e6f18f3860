import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { ShaIndex } from '../../src/core/git/shaIndex';

const sha = (n: number, width = 40): string => createHash(width === 40 ? 'sha1' : 'sha256').update(String(n)).digest('hex');

function intern(index: ShaIndex, id: string, at = 3): number {
  // Among other bytes, as an id lies in git's output.
  const bytes = Buffer.from(`xyz${id}\x1f`, 'latin1');
  return index.intern(bytes, at, id.length);
}

describe('ShaIndex', () => {
  it('numbers ids in the order first seen, the same number every time after', () => {
    const index = new ShaIndex();
    assert.equal(intern(index, sha(1)), 0);
    assert.equal(intern(index, sha(2)), 1);
    assert.equal(intern(index, sha(1)), 0);
    assert.equal(index.count, 2);
    assert.equal(index.sha(1), sha(2));
    assert.equal(index.find(sha(2)), 1);
    assert.equal(index.find(sha(3)), -1, 'never interned');
  });

  it('keeps every id apart as its table grows, ids sharing their first eight digits included', () => {
    const index = new ShaIndex();
    const ids = Array.from({ length: 20_000 }, (_, n) => sha(n));
    // Same first eight digits: the same hash, told apart by the rest.
    ids.push(`${ids[0]!.slice(0, 8)}${'0'.repeat(32)}`, `${ids[0]!.slice(0, 8)}${'1'.repeat(32)}`);
    assert.deepEqual(
      ids.map((id) => intern(index, id)),
      ids.map((_, n) => n),
    );
    assert.deepEqual(
      ids.map((id) => index.find(id)),
      ids.map((_, n) => n),
    );
    assert.deepEqual(
      ids.map((_, n) => index.sha(n)),
      ids,
    );
  });

  it('reads 64-digit ids, and finds nothing for a string of another width or not hex', () => {
    const index = new ShaIndex();
    assert.equal(intern(index, sha(1, 64)), 0);
    assert.equal(index.find(sha(1, 64)), 0);
    assert.equal(index.find(sha(1)), -1);
    assert.equal(index.find(sha(1, 64).toUpperCase()), -1);
    assert.throws(() => intern(index, sha(2)), /40-digit commit id among 64-digit ones/);
  });
});
