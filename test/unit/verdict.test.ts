// computeVerdict on its own: the decisions, from Cloud Run facts and git facts given as data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceConfig } from '../../src/core/config';
import type { LabelResolution } from '../../src/core/git/repository';
import type { RevisionFacts, ServiceLookup } from '../../src/core/model';
import { computeVerdict, type GitFactsForVerdict } from '../../src/core/verdicts/verdict';

const HEAD = 'b'.repeat(40);
const DEPLOYED = 'a'.repeat(40);

const service: ServiceConfig = { name: 'worker', kind: 'service', project: 'demo-project', region: 'us-west2', paths: ['predictions/worker'], dependsOn: [] };

function revision(name: string, labels: Record<string, string>): RevisionFacts {
  return { name, labels, createTime: '2026-01-01T00:00:00Z', image: null, ready: true, failed: false, readyMessage: null };
}

function serving(revisions: RevisionFacts[]): ServiceLookup {
  return {
    kind: 'found',
    facts: {
      name: 'worker',
      project: 'demo-project',
      region: 'us-west2',
      reconciling: false,
      serving: [{ revision: revisions[0]!.name, percent: 100, tag: null }],
      revisions: Object.fromEntries(revisions.map((r) => [r.name, r])),
      latestCreatedRevision: revisions[0]!.name,
      latestReadyRevision: revisions[0]!.name,
      uri: null,
    },
  };
}

function gitFacts(overrides: Partial<GitFactsForVerdict> = {}): GitFactsForVerdict {
  return { head: HEAD, labels: new Map(), ranges: new Map(), commits: new Map(), changedPaths: [], lastPathCommit: null, missingPaths: new Set(), shallow: false, ...overrides };
}

describe('computeVerdict', () => {
  it('reads the commit label as an own property: a label key named "constructor" on an unlabeled revision is no label', () => {
    const v = computeVerdict(service, 'constructor', serving([revision('worker-00001-aaa', {})]), gitFacts());
    assert.equal(v.status, 'unlabeled');
    assert.equal(v.commitLabel, null);
    assert.match(v.message, /has no constructor label/);
  });

  it('finds revisions by own name only: a serving revision named like an Object.prototype member without facts is not crashed on', () => {
    const lookup = serving([revision('worker-00001-aaa', { 'commit-sha': DEPLOYED })]);
    if (lookup.kind !== 'found') throw new Error('unreachable');
    lookup.facts.serving = [{ revision: 'constructor', percent: 100, tag: null }];
    const labels = new Map<string, LabelResolution>([[DEPLOYED, { kind: 'found', sha: DEPLOYED }]]);
    const v = computeVerdict(service, 'commit-sha', lookup, gitFacts({ labels }));
    assert.equal(v.status, 'unlabeled');
  });

  it('a service whose every path names nothing at HEAD is path-missing, not up to date, unless Cloud Run decides worse', () => {
    const lookup = serving([revision('worker-00001-aaa', { 'commit-sha': HEAD })]);
    const labels = new Map<string, LabelResolution>([[HEAD, { kind: 'found', sha: HEAD }]]);
    const missing = gitFacts({ labels, missingPaths: new Set(['predictions/worker']) });
    const v = computeVerdict(service, 'commit-sha', lookup, missing);
    assert.equal(v.status, 'path-missing');
    assert.deepEqual(v.missingPaths, ['predictions/worker']);
    assert.equal(v.deployedCommit, HEAD);
    assert.match(v.message, /^No path of this service exists at HEAD \("predictions\/worker"\)/);
    const absent = computeVerdict(service, 'commit-sha', { kind: 'not-found', message: 'gone' }, missing);
    assert.equal(absent.status, 'not-found');
    assert.deepEqual(absent.missingPaths, ['predictions/worker']);
    assert.match(absent.message, /does not exist in Cloud Run .* No path of this service exists at HEAD/);
    // Another service's missing path is not this one's problem; the whole repository never misses.
    assert.deepEqual(computeVerdict(service, 'commit-sha', lookup, gitFacts({ labels, missingPaths: new Set(['elsewhere']) })).missingPaths, []);
    assert.equal(computeVerdict({ ...service, paths: [] }, 'commit-sha', lookup, missing).status, 'up-to-date');
  });

  it('a label naming no local commit in a shallow clone says to deepen it', () => {
    const lookup = serving([revision('worker-00001-aaa', { 'commit-sha': 'deadbeef' })]);
    const labels = new Map<string, LabelResolution>([['deadbeef', { kind: 'unknown' }]]);
    assert.match(computeVerdict(service, 'commit-sha', lookup, gitFacts({ labels, shallow: true })).message, /shallow clone.*git fetch --unshallow/);
    assert.match(computeVerdict(service, 'commit-sha', lookup, gitFacts({ labels })).message, /not in this repository\. Try: git fetch --all$/);
  });
});
