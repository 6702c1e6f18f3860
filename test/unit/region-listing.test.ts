import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupsToList, isLargeGroup, largeGroupLimit, RegionListing, type ListGroup } from '../../src/core/google/regionListing';

const ref = (kind: 'service' | 'function' | 'job', name: string, region = 'us-west2') => ({ kind, project: 'p', region, name });

describe('region listing', () => {
  it('lists a kind in a region once it holds more than two of the units; functions count toward their services', () => {
    const groups = groupsToList([
      ref('service', 'a'),
      ref('service', 'b'),
      ref('function', 'f'),
      ref('job', 'j1'),
      ref('job', 'j2'),
      ref('service', 'e1', 'us-east1'),
      ref('service', 'e2', 'us-east1'),
      ref('service', 'e3', 'us-east1'),
    ]);
    assert.deepEqual(groups, [
      { kind: 'service', project: 'p', region: 'us-west2', units: 3 },
      { kind: 'service', project: 'p', region: 'us-east1', units: 3 },
    ]);
  });

  it('keeps listing a group of at most a few times its units, within bounds; a larger one is read with gets', () => {
    assert.equal(largeGroupLimit(3), 50);
    assert.equal(largeGroupLimit(20), 80);
    assert.equal(largeGroupLimit(73), 292);
    assert.equal(largeGroupLimit(1000), 500);
    assert.equal(isLargeGroup({ units: 20 }, 80, false), false);
    assert.equal(isLargeGroup({ units: 20 }, 81, false), true, 'more than four times its units, on one page');
    assert.equal(isLargeGroup({ units: 20 }, 30, true), true, 'more pages');
    assert.equal(isLargeGroup({ units: 200 }, 500, false), false);
  });

  it('takes a unit from its list; a unit not listed, or a refused list, means a get; a failed list fails its units alone', async () => {
    const west: ListGroup = { kind: 'service', project: 'p', region: 'us-west2', units: 3 };
    const east: ListGroup = { kind: 'service', project: 'p', region: 'us-east1', units: 3 };
    const jobs: ListGroup = { kind: 'job', project: 'p', region: 'us-west2', units: 3 };
    const failure = (code: number) => Object.assign(new Error(`failed with ${code}`), { code });
    const listing = new RegionListing(
      [west, east, jobs],
      async (group) => {
        if (group.region === 'us-east1') throw failure(13);
        if (group.kind === 'job') throw failure(7);
        return new Map([['a', { name: 'a' }]]);
      },
      (err) => (err as { code: number }).code,
    );
    assert.deepEqual(await listing.find('service', ref('service', 'a')), { kind: 'found', item: { name: 'a' } });
    assert.deepEqual(await listing.find('service', ref('service', 'absent')), { kind: 'get' });
    assert.deepEqual(await listing.find('function', ref('function', 'a')), { kind: 'get' }, 'no list for functions here');
    assert.deepEqual(await listing.find('job', ref('job', 'j')), { kind: 'get' }, 'permission denied falls back to gets');
    const failed = await listing.find('service', ref('service', 'e', 'us-east1'));
    assert.equal(failed.kind, 'failed');
    assert.match(String((failed as { error: Error }).error.message), /failed with 13/);
  });
});
