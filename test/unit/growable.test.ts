import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FloatList, IntList, RecordBytes } from '../../src/core/git/growable';

describe('IntList and FloatList', () => {
  it('hold every value pushed, across blocks, and copy them out in order', () => {
    const ints = new IntList(16);
    const floats = new FloatList(0);
    const count = 100_000;
    for (let i = 0; i < count; i++) {
      ints.push(i * 7 - 3);
      floats.push(i * 1e10);
    }
    assert.equal(ints.length, count);
    assert.deepEqual([ints.at(0), ints.at(32_767), ints.at(32_768), ints.at(count - 1)], [-3, 32_767 * 7 - 3, 32_768 * 7 - 3, (count - 1) * 7 - 3]);
    const copied = new Int32Array(count + 2);
    ints.copyInto(copied, 2);
    assert.ok(copied.subarray(2).every((v, i) => v === i * 7 - 3));
    const copiedFloats = new Float64Array(count);
    floats.copyInto(copiedFloats, 0);
    assert.ok(copiedFloats.every((v, i) => v === i * 1e10));
  });
});

describe('RecordBytes', () => {
  it('keeps each record whole in one block, moving one that outgrows its block, and forgets a discarded one', () => {
    const bytes = new RecordBytes(64);
    const kept: { block: number; start: number; end: number; text: string }[] = [];
    for (let i = 0; i < 2000; i++) {
      bytes.begin();
      // Records of 1 to 300 bytes, appended in pieces, the longest larger than the first block.
      const text = `record ${i} `.repeat(1 + (i % 25));
      const encoded = Buffer.from(text);
      for (let at = 0; at < encoded.length; at += 7) bytes.append(encoded, at, Math.min(at + 7, encoded.length));
      bytes.appendByte(0x21);
      if (i % 3 === 0) {
        bytes.discard();
        continue;
      }
      kept.push({ block: bytes.block, start: bytes.start, end: bytes.end, text: `${text}!` });
    }
    assert.ok(kept.at(-1)!.block > 0, 'more than one block');
    for (const { block, start, end, text } of kept) assert.equal(bytes.bytesOf(block).toString('utf8', start, end), text);
  });

  it('takes a record larger than a whole block', () => {
    const bytes = new RecordBytes(16);
    bytes.begin();
    const large = Buffer.alloc(3 << 20, 0x61);
    bytes.append(large, 0, large.length);
    assert.equal(bytes.end - bytes.start, large.length);
    assert.ok(bytes.bytesOf(bytes.block).subarray(bytes.start, bytes.end).equals(large));
  });
});
