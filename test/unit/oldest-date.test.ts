import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommitInfo } from '../../src/core/model';
import type { RangeFacts } from '../../src/core/git/repository';
import { driftSince, oldestDate } from '../../src/core/verdicts/verdict';

const at = (...dates: string[]): CommitInfo[] => dates.map((date, i) => ({ sha: String(i).padStart(40, '0'), subject: '', author: '', date, files: [] }));

describe('oldestDate (drift age)', () => {
  it('compares across offsets by the instant, not the text', () => {
    // 09:00+02:00 is 07:00Z, before 08:00Z; as text it sorts after it.
    assert.equal(oldestDate(at('2026-01-01T08:00:00Z', '2026-01-01T09:00:00+02:00', '2026-01-01T05:00:00-05:00')), '2026-01-01T07:00:00.000Z');
    assert.equal(oldestDate(at('2026-01-02T00:30:00+01:00', '2026-01-01T23:40:00+00:00', '2026-01-01T23:50:00+00:00')), '2026-01-01T23:30:00.000Z');
    // Offsets of the same hours on either side, and Z beside +00:00.
    assert.equal(oldestDate(at('2026-01-01T10:00:00+05:30', '2026-01-01T00:00:00-05:30', '2026-01-01T05:00:00Z', '2026-01-01T04:45:00+00:00')), '2026-01-01T04:30:00.000Z');
  });

  it('the earliest of many, in any order', () => {
    const dates = Array.from({ length: 500 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % 500) * 60_000).toISOString().slice(0, 19) + '+00:00');
    assert.equal(oldestDate(at(...dates)), '2026-01-01T00:00:00.000Z');
  });

  it('other formats are parsed one by one; what is no date is left out; none is null', () => {
    assert.equal(oldestDate(at('2026-01-01 08:00:00 +0000', '2026-01-01T09:00:00Z', 'not a date')), '2026-01-01T08:00:00.000Z');
    // Shaped like git's dates but not one: left out, the others still read.
    assert.equal(oldestDate(at('2026-01-01T09:00:00+00:00', '2026-99-01T00:00:00+00:00', '2026-01-01T08:00:00+00:00')), '2026-01-01T08:00:00.000Z');
    assert.equal(oldestDate(at('2026-01-01T09:00:00.5Z')), '2026-01-01T09:00:00.500Z');
    // Offsets that are not digits: those dates are left out.
    assert.equal(oldestDate(at('2026-01-01T01:00:00+1::00', '2026-01-01T09:00:00+00:00', '2026-01-01T00:30:00+0a:00', '2026-01-01T08:00:00-00:00')), '2026-01-01T08:00:00.000Z');
    assert.equal(oldestDate([]), null);
    assert.equal(oldestDate(at('nope')), null);
  });

  it('driftSince: the oldest undeployed date, found once per range and paths', () => {
    const range: RangeFacts = { isAncestor: true, commits: [] };
    const ranges = new Map([['d'.repeat(40), range]]);
    const judgment = (...dates: string[]) => ({ commit: 'd'.repeat(40), undeployed: at(...dates) });
    assert.equal(driftSince(judgment('2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z'), ['api'], ranges), '2026-01-01T00:00:00.000Z');
    // The same range and paths hold the same commits: the date found first is kept.
    assert.equal(driftSince(judgment('2026-03-01T00:00:00Z'), ['api'], ranges), '2026-01-01T00:00:00.000Z');
    assert.equal(driftSince(judgment('2026-03-01T00:00:00Z'), ['web'], ranges), '2026-03-01T00:00:00.000Z');
    // No range to key it by (a failure, or none): found from the commits given.
    assert.equal(driftSince({ commit: null, undeployed: at('2026-04-01T00:00:00Z') }, ['api'], ranges), '2026-04-01T00:00:00.000Z');
    assert.equal(driftSince(judgment(), ['api'], ranges), null);
    assert.equal(driftSince(null, ['api'], ranges), null);
  });
});
