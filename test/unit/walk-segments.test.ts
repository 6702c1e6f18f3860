import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { walkSegments } from '../../src/core/git/walkSegments';

describe('walkSegments', () => {
  // HEAD at 1,000 s; deployed commits spread below it; the base at 0.
  const times = new Map([
    ['head', 1000],
    ['d900', 900],
    ['d700', 700],
    ['d480', 480],
    ['d260', 260],
    ['base', 0],
  ]);

  it('walks HEAD down to the bases in one walk when asked for one, or given no deployed commit to cut at', () => {
    assert.deepEqual(walkSegments('head', ['base'], times, 1), [['head', '--not', 'base']]);
    assert.deepEqual(walkSegments('head', ['base'], new Map([['head', 1000], ['base', 0]]), 4), [['head', '--not', 'base']]);
    assert.deepEqual(walkSegments('head', ['base'], new Map(), 4), [['head', '--not', 'base']], 'no times known');
  });

  it('cuts at the deployed commits nearest to equal spans of time, each walk stopping at the cuts after it', () => {
    assert.deepEqual(walkSegments('head', ['base'], times, 2), [
      ['head', '--not', 'd480', 'base'],
      ['d480', '--not', 'base'],
    ]);
    assert.deepEqual(walkSegments('head', ['base'], times, 4), [
      ['head', '--not', 'd700', 'd480', 'd260', 'base'],
      ['d700', '--not', 'd480', 'd260', 'base'],
      ['d480', '--not', 'd260', 'base'],
      ['d260', '--not', 'base'],
    ]);
  });

  it('never cuts at HEAD or at a base, and makes fewer walks when there are fewer commits to cut at', () => {
    const few = new Map([
      ['head', 1000],
      ['d500', 500],
      ['base', 0],
    ]);
    assert.deepEqual(walkSegments('head', ['base'], few, 4), [
      ['head', '--not', 'd500', 'base'],
      ['d500', '--not', 'base'],
    ]);
  });
});
