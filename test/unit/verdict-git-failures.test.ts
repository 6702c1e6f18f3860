// Verdicts when a git call failed (e.g. ran past its deadline): only what needed it is affected.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceConfig } from '../../src/core/config';
import type { ServiceLookup } from '../../src/core/model';
import { computeVerdict, type GitFactsForVerdict } from '../../src/core/verdicts/verdict';

const HEAD = 'a'.repeat(40);
const DEPLOYED = 'b'.repeat(40);
const service: ServiceConfig = { name: 'svc', kind: 'service', project: 'p', region: 'us-west2', paths: ['svc'], dependsOn: [] };

function lookup(label: string | null): ServiceLookup {
  return {
    kind: 'found',
    facts: {
      name: 'svc',
      project: 'p',
      region: 'us-west2',
      reconciling: false,
      serving: [{ revision: 'svc-00001', percent: 100, tag: null }],
      revisions: { 'svc-00001': { name: 'svc-00001', labels: label ? { 'commit-sha': label } : {}, createTime: '2026-01-01T00:00:00Z', image: null, ready: true, failed: false, readyMessage: null } },
      latestCreatedRevision: 'svc-00001',
      latestReadyRevision: 'svc-00001',
      uri: null,
    },
  };
}

function facts(over: Partial<GitFactsForVerdict>): GitFactsForVerdict {
  return {
    head: HEAD,
    labels: new Map([[DEPLOYED.slice(0, 8), { kind: 'found', sha: DEPLOYED }]]),
    ranges: new Map([[DEPLOYED, { isAncestor: true, commits: [] }]]),
    commits: new Map(),
    changedPaths: ['svc/edited.py'],
    missingPaths: new Set(),
    shallow: false,
    lastPathCommit: null,
    ...over,
  };
}

describe('verdicts without some git facts', () => {
  it('git status failed: the verdict stands and dirty is unknown', () => {
    const v = computeVerdict(service, 'commit-sha', lookup(DEPLOYED.slice(0, 8)), facts({ changedPaths: { error: 'git status timed out after 15 s' } }));
    assert.equal(v.status, 'up-to-date');
    assert.equal(v.dirty, null);
    assert.equal(computeVerdict(service, 'commit-sha', lookup(DEPLOYED.slice(0, 8)), facts({})).dirty, true);
  });

  it('the range could not be read: this service is an error that says which git command failed', () => {
    const v = computeVerdict(service, 'commit-sha', lookup(DEPLOYED.slice(0, 8)), facts({ ranges: new Map([[DEPLOYED, { error: 'git log timed out after 15 s' }]]) }));
    assert.equal(v.status, 'error');
    assert.equal(v.message, 'Could not compare bbbbbbbb with HEAD: git log timed out after 15 s.');
    assert.equal(v.deployedCommit, DEPLOYED);
    assert.equal(v.dirty, true, 'what does not need the range is still known');
  });

  it('the labels could not be resolved: an error naming the label and the git command', () => {
    const v = computeVerdict(service, 'commit-sha', lookup('bbbbbbbb'), facts({ labels: new Map([['bbbbbbbb', { error: 'git cat-file timed out after 15 s' }]]) }));
    assert.equal(v.status, 'error');
    assert.equal(v.message, 'Could not look up label commit-sha=bbbbbbbb on svc-00001: git cat-file timed out after 15 s.');
  });

  it('an unlabeled revision whose paths\' last commit could not be read: an error, not a guess', () => {
    const v = computeVerdict(service, 'commit-sha', lookup(null), facts({ lastPathCommit: { error: 'git log timed out after 15 s' } }));
    assert.equal(v.status, 'error');
    assert.match(v.message, /has no commit-sha label, and the last commit to its paths could not be read: git log timed out after 15 s\.$/);
  });
});
