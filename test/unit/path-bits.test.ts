import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { touchesPaths } from '../../src/core/git/repository';
import { PathBits } from '../../src/core/git/pathBits';

function bitsOf(paths: PathBits, file: string): number[] {
  const mask = new Uint32Array(paths.words);
  const bytes = Buffer.from(`\n${file}\0`, 'utf8');
  const matched = paths.match(bytes, 1, bytes.length - 1, mask, 0);
  const numbers: number[] = [];
  for (let n = 0; n < paths.count; n++) if (mask[n >>> 5]! & (1 << (n & 31))) numbers.push(n);
  assert.equal(matched, numbers.length > 0, file);
  assert.equal(paths.matchesAny(bytes, 1, bytes.length - 1), matched, file);
  return numbers;
}

describe('PathBits', () => {
  const paths = new PathBits(['services/api', 'services', 'shared/lib.py', 'données', 'services/api']);

  it('numbers each distinct path once, in the order given', () => {
    assert.equal(paths.count, 4);
    assert.equal(paths.numberOf('services/api'), 0);
    assert.equal(paths.numberOf('données'), 3);
    assert.equal(paths.numberOf('services/ap'), undefined);
  });

  it('sets the bit of every path a file is or lies under, folders ending only at a slash', () => {
    assert.deepEqual(bitsOf(paths, 'services/api/main.py'), [0, 1]);
    assert.deepEqual(bitsOf(paths, 'services/api'), [0, 1]);
    assert.deepEqual(bitsOf(paths, 'services/apigee/x'), [1]);
    assert.deepEqual(bitsOf(paths, 'services'), [1]);
    assert.deepEqual(bitsOf(paths, 'servicesx/a'), []);
    assert.deepEqual(bitsOf(paths, 'shared/lib.py'), [2]);
    assert.deepEqual(bitsOf(paths, 'shared/lib.pyc'), []);
    assert.deepEqual(bitsOf(paths, 'données/é.txt'), [3]);
    assert.deepEqual(bitsOf(paths, 'donnees/e.txt'), []);
    assert.deepEqual(bitsOf(paths, ''), []);
  });

  it('agrees with touchesPaths on every path of many, beyond 32 of them', () => {
    const many = Array.from({ length: 70 }, (_, i) => (i % 3 === 0 ? `svc-${i}` : `svc-${i % 10}/part-${i}`));
    const bits = new PathBits(many);
    assert.equal(bits.words, 3);
    const files = ['svc-3/x', 'svc-30/y', 'svc-3/part-13/z', 'svc-3/part-1/z', 'svc-6', 'svc-69/part-1', 'svc-9/part-69/a/b', 'other'];
    for (const file of files) {
      assert.deepEqual(bitsOf(bits, file), many.flatMap((p, n) => (touchesPaths(file, [p]) ? [n] : [])), file);
    }
  });
});
