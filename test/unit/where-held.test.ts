// What the ranges a check holds decide about a commit, and what they leave to git.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RangeFacts } from '../../src/core/git/repository';
import { containmentFromRanges, findInRanges, inHeadFromRanges } from '../../src/core/where/held';

const sha = (c: string): string => c.repeat(40);
const entry = (s: string): RangeFacts['commits'][number] => ({ commit: { sha: s, subject: s.slice(0, 1), author: 'a', date: '2026-01-01T00:00:00Z' }, files: [`${s.slice(0, 1)}.py`] });
const [OLD, MID, FIX, HEAD, SIDE, BELOW] = ['1', '2', '3', '4', '5', '6'].map(sha) as [string, string, string, string, string, string];
// OLD < MID < FIX < HEAD on one line; SIDE deployed from another branch.
const ranges = new Map<string, RangeFacts>([
  [OLD, { isAncestor: true, commits: [entry(HEAD), entry(FIX), entry(MID)] }],
  [MID, { isAncestor: true, commits: [entry(HEAD), entry(FIX)] }],
  [HEAD, { isAncestor: true, commits: [] }],
  [SIDE, { isAncestor: false, commits: [entry(HEAD), entry(FIX), entry(MID)] }],
]);

describe('where from held ranges', () => {
  it('a commit inside a range: its files, on HEAD\'s line, lacking in the tips whose ranges hold it', () => {
    assert.deepEqual(findInRanges(FIX, ranges)?.files, ['3.py']);
    assert.equal(inHeadFromRanges(FIX, HEAD, ranges), true);
    const { contains, undecided } = containmentFromRanges(FIX, [OLD, MID, HEAD, SIDE], ranges, { inHead: true, merge: false });
    assert.deepEqual([...contains], [[OLD, false], [MID, false], [HEAD, true], [SIDE, false]]);
    assert.deepEqual(undecided, []);
    // Another branch's range not holding it: whether that branch has it is git's to say.
    assert.deepEqual(containmentFromRanges(BELOW, [SIDE], ranges, { inHead: true, merge: false }).undecided, [SIDE]);
  });

  it('a non-merge commit on HEAD\'s line outside every range is in every tip on that line', () => {
    assert.equal(findInRanges(BELOW, ranges), null);
    assert.equal(inHeadFromRanges(BELOW, HEAD, ranges), null);
    assert.deepEqual([...containmentFromRanges(BELOW, [OLD, MID], ranges, { inHead: true, merge: false }).contains], [[OLD, true], [MID, true]]);
  });

  it('a commit HEAD lacks is in no tip on HEAD\'s line; a merge or an unknown place is left to git', () => {
    assert.deepEqual([...containmentFromRanges(BELOW, [OLD, MID], ranges, { inHead: false, merge: null }).contains], [[OLD, false], [MID, false]]);
    assert.deepEqual(containmentFromRanges(BELOW, [OLD, MID], ranges, { inHead: true, merge: true }).undecided, [OLD, MID]);
    assert.deepEqual(containmentFromRanges(BELOW, [OLD, MID], ranges, { inHead: null, merge: false }).undecided, [OLD, MID]);
  });

  it('a deployed commit is on HEAD\'s line when its range says so; a tip without a range is undecided', () => {
    assert.equal(inHeadFromRanges(MID, HEAD, ranges), true);
    assert.equal(inHeadFromRanges(SIDE, HEAD, ranges), null);
    const { contains, undecided } = containmentFromRanges(MID, [MID, sha('9')], ranges, { inHead: true, merge: false });
    assert.deepEqual([[...contains], undecided], [[[MID, true]], [sha('9')]]);
  });
});
