import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeWalk, encodeWalk, type WalkData } from '../../src/core/git/walkData';

/** Two commits, the newer a child of the older (and of a third only named), the newer kept with one file. */
function sample(): WalkData {
  return {
    digits: 40,
    pathWords: 1,
    shas: new Uint8Array(60).map((_, i) => i),
    recordIds: Int32Array.of(0, 1),
    parentsEnd: Int32Array.of(2, 2),
    parentIds: Int32Array.of(1, 2),
    times: Float64Array.of(1_800_000_060, 1_800_000_000),
    keptRecords: Int32Array.of(0),
    keptHeaderEnds: Int32Array.of(8),
    keptEnds: Int32Array.of(14),
    masks: Int32Array.of(1),
    keptBytes: Buffer.from('2026\x1fa\x1fs\0api/x', 'latin1'),
  };
}

describe('walk data', () => {
  it('reads back what it wrote, with its header', () => {
    const { meta, data } = decodeWalk(Buffer.concat(encodeWalk({ tip: 'a' }, sample())));
    assert.deepEqual(meta, { tip: 'a' });
    assert.deepEqual({ ...data, shas: [...data.shas], keptBytes: [...data.keptBytes] }, { ...sample(), shas: [...sample().shas], keptBytes: [...sample().keptBytes] });
  });

  it('refuses bytes that are not one whole walk', () => {
    const bytes = Buffer.concat(encodeWalk({}, sample()));
    assert.throws(() => decodeWalk(bytes.subarray(0, bytes.length - 1)), /cut short/);
    assert.throws(() => decodeWalk(Buffer.concat([bytes, Buffer.of(0)])), /left over/);
    assert.throws(() => decodeWalk(Buffer.from('something else entirely')), /not a stored walk/);
  });

  it('refuses numbers pointing outside the walk', () => {
    for (const [what, change] of [
      ['a parent', (d: WalkData) => (d.parentIds[1] = 3)],
      ['a commit', (d: WalkData) => (d.recordIds[0] = -1)],
      ['parents', (d: WalkData) => (d.parentsEnd[1] = 1)],
      ['a kept commit', (d: WalkData) => (d.keptRecords[0] = 2)],
      ['a header', (d: WalkData) => (d.keptHeaderEnds[0] = 16)],
    ] as const) {
      const data = sample();
      change(data);
      assert.throws(() => decodeWalk(Buffer.concat(encodeWalk({}, data))), new RegExp(what), what);
    }
  });
});
