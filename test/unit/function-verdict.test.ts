// The verdict for Cloud Run functions on its own: decisions from the function's facts, its
// service's facts and git facts, given as data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceConfig } from '../../src/core/config';
import { computeFunctionVerdict, deployFailure, servedLookup } from '../../src/core/verdicts/functionVerdict';
import type { LabelResolution } from '../../src/core/git/repository';
import type { FunctionFacts, FunctionLookup, RevisionFacts, ServiceLookup, ServingRevision } from '../../src/core/model';
import type { GitFactsForVerdict } from '../../src/core/verdicts/verdict';

const HEAD = 'b'.repeat(40);
const unit: ServiceConfig = { name: 'grading', kind: 'function', project: 'demo-project', region: 'us-west2', paths: ['functions/grading'], dependsOn: [] };

function revision(name: string, labels: Record<string, string> = {}, extra: Partial<RevisionFacts> = {}): RevisionFacts {
  return { name, labels, createTime: '2026-01-01T00:00:00Z', image: null, ready: true, failed: false, readyMessage: null, ...extra };
}

function service(revisions: RevisionFacts[], serving: ServingRevision[] = [{ revision: revisions[0]!.name, percent: 100, tag: null }]): ServiceLookup {
  return {
    kind: 'found',
    facts: {
      name: 'grading',
      project: 'demo-project',
      region: 'us-west2',
      reconciling: false,
      serving,
      revisions: Object.fromEntries(revisions.map((r) => [r.name, r])),
      latestCreatedRevision: revisions[revisions.length - 1]!.name,
      latestReadyRevision: revisions[revisions.length - 1]!.name,
      uri: null,
    },
  };
}

function fn(overrides: Partial<FunctionFacts> = {}): FunctionFacts {
  return {
    name: 'grading',
    project: 'demo-project',
    region: 'us-west2',
    state: 'ACTIVE',
    stateMessages: [],
    labels: { 'commit-sha': HEAD.slice(0, 8) },
    updateTime: '2026-01-01T00:00:00Z',
    build: 'b1',
    service: 'grading',
    revision: 'grading-00001-aaa',
    ...overrides,
  };
}

const found = (facts: FunctionFacts, lookup: ServiceLookup): FunctionLookup => ({ kind: 'found', facts, service: lookup });
const git = (): GitFactsForVerdict => ({
  head: HEAD,
  labels: new Map<string, LabelResolution>([[HEAD.slice(0, 8), { kind: 'found', sha: HEAD }]]),
  ranges: new Map(),
  commits: new Map(),
  changedPaths: [],
  lastPathCommit: null,
  missingPaths: new Set(),
  shallow: false,
});

describe('function verdicts', () => {
  it('lends the function\'s label to its unlabeled revision only when that revision serves all traffic', () => {
    const lent = servedLookup(found(fn(), service([revision('grading-00001-aaa')])), 'commit-sha');
    assert.equal(lent.kind === 'found' && lent.facts.revisions['grading-00001-aaa']!.labels['commit-sha'], HEAD.slice(0, 8));
    const v = computeFunctionVerdict(unit, 'commit-sha', found(fn(), service([revision('grading-00001-aaa')])), git());
    assert.equal(v.status, 'up-to-date');
    assert.equal(v.function?.commitFromFunctionLabel, true);
    assert.match(v.message, /a weaker signal/);
  });

  it('does not lend it when the function is not ACTIVE, names another revision or the traffic is split; the message says which', () => {
    const cases: [FunctionFacts, ServiceLookup, RegExp][] = [
      [fn({ state: 'FAILED' }), service([revision('grading-00001-aaa')]), /^$/],
      [fn({ revision: 'grading-00002-bbb' }), service([revision('grading-00001-aaa')]), /its revision grading-00002-bbb serves no traffic/],
      [fn({ revision: null }), service([revision('grading-00001-aaa')]), /the function names no revision/],
      [
        fn(),
        service([revision('grading-00001-aaa'), revision('grading-00002-bbb')], [{ revision: 'grading-00001-aaa', percent: 60, tag: null }, { revision: 'grading-00002-bbb', percent: 40, tag: null }]),
        /its revision grading-00001-aaa serves 60% of traffic, not all of it/,
      ],
    ];
    for (const [facts, lookup, why] of cases) {
      const served = servedLookup(found(facts, lookup), 'commit-sha');
      assert.equal(served, lookup, 'the service lookup is unchanged');
      const v = computeFunctionVerdict(unit, 'commit-sha', found(facts, lookup), git());
      assert.equal(v.function?.commitFromFunctionLabel, false);
      if (v.status === 'unlabeled') assert.match(v.message, why);
      else assert.equal(v.status, 'deploy-failed');
    }
  });

  it('a revision\'s own label is never replaced', () => {
    const lookup = service([revision('grading-00001-aaa', { 'commit-sha': 'cafef00d' })]);
    assert.equal(servedLookup(found(fn(), lookup), 'commit-sha'), lookup);
    const v = computeFunctionVerdict(unit, 'commit-sha', found(fn(), lookup), git());
    assert.equal(v.status, 'unknown-commit');
    assert.equal(v.commitLabel, 'cafef00d');
  });

  it('reads a failed deploy from the state and the ERROR messages only', () => {
    assert.equal(deployFailure(fn()), null);
    assert.equal(deployFailure(fn({ stateMessages: [{ severity: 'WARNING', type: 'x', message: 'deprecated runtime' }, { severity: 'INFO', type: 'y', message: 'hello' }] })), null);
    assert.equal(deployFailure(fn({ state: 'FAILED' })), 'the function is FAILED and says no more');
    assert.equal(deployFailure(fn({ state: 'UNKNOWN' })), "the deploy failed and the function's serving state is unknown");
    assert.equal(deployFailure(fn({ state: 'DEPLOYING' })), null);
    assert.equal(deployFailure(fn({ stateMessages: [{ severity: 'ERROR', type: 'a', message: 'Build failed.' }, { severity: 'ERROR', type: 'b', message: ' Trigger missing ' }] })), 'Build failed; Trigger missing');
  });

  it('is deploying while DEPLOYING, even before its service exists, and an error while DELETING', () => {
    const missingService: ServiceLookup = { kind: 'not-found', message: 'gone' };
    let v = computeFunctionVerdict(unit, 'commit-sha', found(fn({ state: 'DEPLOYING' }), missingService), git());
    assert.equal(v.status, 'deploying');
    assert.equal(v.message, 'A deploy of grading is in progress (its Cloud Run service grading does not exist).');
    v = computeFunctionVerdict(unit, 'commit-sha', found(fn({ state: 'DELETING' }), service([revision('grading-00001-aaa')])), git());
    assert.equal(v.status, 'error');
    assert.equal(v.message, 'grading is being deleted.');
    v = computeFunctionVerdict(unit, 'commit-sha', found(fn({ state: 'FAILED', stateMessages: [{ severity: 'ERROR', type: 't', message: 'Build failed' }] }), { kind: 'error', message: 'socket hang up', code: 14 }), git());
    assert.equal(v.status, 'deploy-failed');
    assert.equal(v.message, 'The last deploy of grading failed: Build failed; its Cloud Run service grading could not be read: socket hang up.');
  });

  it('a failed revision of the service is the service\'s deploy-failed, with its own message', () => {
    const lookup = service([revision('grading-00001-aaa', { 'commit-sha': HEAD.slice(0, 8) }), revision('grading-00002-bbb', {}, { ready: false, failed: true, readyMessage: 'Container failed to start' })]);
    const v = computeFunctionVerdict(unit, 'commit-sha', found(fn(), lookup), git());
    assert.equal(v.status, 'deploy-failed');
    assert.equal(v.failedRevision?.name, 'grading-00002-bbb');
    assert.match(v.message, /^The latest revision grading-00002-bbb failed: Container failed to start\./);
  });

  it('absent and unreadable functions keep the service verdicts\' shape', () => {
    const missing = computeFunctionVerdict(unit, 'commit-sha', { kind: 'not-found', message: 'x' }, git());
    assert.equal(missing.status, 'not-found');
    assert.equal(missing.kind, 'function');
    assert.equal(missing.function, undefined);
    const broken = computeFunctionVerdict(unit, 'commit-sha', { kind: 'error', message: 'Permission denied: nope', code: 7 }, git());
    assert.equal(broken.status, 'error');
    assert.equal(broken.message, 'Permission denied: nope');
  });
});
