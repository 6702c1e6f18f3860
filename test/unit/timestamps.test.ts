import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timestampToIso } from '../../src/core/google/timestamps';

describe('timestampToIso', () => {
  it('reads a protobuf Timestamp and its RFC 3339 text (the REST answer) alike, to the millisecond', () => {
    assert.equal(timestampToIso({ seconds: 1769767200, nanos: 123_956_789 }), '2026-01-30T10:00:00.123Z');
    assert.equal(timestampToIso('2026-01-30T10:00:00.123956789Z'), '2026-01-30T10:00:00.123Z');
    assert.equal(timestampToIso('2026-01-30T11:00:00+01:00'), '2026-01-30T10:00:00.000Z');
    assert.equal(timestampToIso({ seconds: '1769767200' }), '2026-01-30T10:00:00.000Z');
  });

  it('is null when absent, unset or not a time', () => {
    for (const unset of [undefined, null, {}, { seconds: 0 }, { seconds: 'x' }, '', 'yesterday', '1970-01-01T00:00:00.500Z']) {
      assert.equal(timestampToIso(unset), null, JSON.stringify(unset));
    }
  });
});
