import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHUNK_FRAME, FRAME_HEADER, FrameReader, frameHeader, OUTCOME_FRAME } from '../../src/core/git/helper/protocol';

const frame = (kind: number, call: number, payload: string): Buffer => Buffer.concat([frameHeader(kind, call, Buffer.byteLength(payload)), Buffer.from(payload)]);

describe("the git helper's frames", () => {
  const stream = Buffer.concat([frame(CHUNK_FRAME, 1, 'first chunk'), frame(CHUNK_FRAME, 2, ''), frame(CHUNK_FRAME, 70_000, 'x'.repeat(5000)), frame(OUTCOME_FRAME, 1, '{"exitCode":0}')]);
  const expected = [
    [CHUNK_FRAME, 1, 'first chunk'],
    [CHUNK_FRAME, 2, ''],
    [CHUNK_FRAME, 70_000, 'x'.repeat(5000)],
    [OUTCOME_FRAME, 1, '{"exitCode":0}'],
  ];

  it('are read back whole however the output is cut: at every byte, and in one piece', () => {
    for (const size of [1, 2, FRAME_HEADER - 1, FRAME_HEADER, 7, 4096, stream.length]) {
      const frames: unknown[] = [];
      const reader = new FrameReader((kind, call, payload) => frames.push([kind, call, payload.toString()]));
      for (let at = 0; at < stream.length; at += size) reader.push(stream.subarray(at, at + size));
      assert.deepEqual(frames, expected, `pieces of ${size} bytes`);
    }
  });

  it('hands on a frame that lies whole in one piece as a view of it, not a copy', () => {
    const payloads: Buffer[] = [];
    new FrameReader((_kind, _call, payload) => payloads.push(payload)).push(stream);
    assert.equal(payloads[2]!.buffer, stream.buffer);
  });
});
