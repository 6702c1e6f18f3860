// Deploy All Stale planning and scheduling: which services, upstream first, what a failure skips.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriftConfig, ServiceConfig } from '../../src/core/config';
import { deployWaves, nextDeploys, orderUpstreamFirst, planDeployAll, type DeployPlan, type StepStatus } from '../../src/core/deploy/plan';
import type { CheckResult, ServiceVerdict, VerdictStatus } from '../../src/core/model';

function service(name: string, dependsOn: string[] = []): ServiceConfig {
  return { name, kind: 'service', project: 'demo-project', region: 'us-west2', paths: [name], dependsOn };
}

function config(services: ServiceConfig[]): DriftConfig {
  return { file: '/repo/cloud-run-drift.json', root: '/repo', commitLabel: 'commit-sha', services, deployCommands: [{ name: 'deploy', template: './d ${service}' }], logFilters: {}, jobs: [], endpoints: {} };
}

function verdict(name: string, status: VerdictStatus): ServiceVerdict {
  return {
    name,
    kind: 'service',
    project: 'demo-project',
    region: 'us-west2',
    status,
    deployedCommit: null,
    commitLabel: null,
    commitsBehind: status === 'stale' ? 2 : null,
    commits: [],
    driftSince: null,
    dirty: false,
    serving: [],
    latestCreatedRevision: null,
    failedRevision: null,
    message: `${name} is ${status}`,
    deployedSubject: null,
    deployedAt: null,
    paths: [name],
    missingPaths: [],
  };
}

function check(statuses: Record<string, VerdictStatus>): CheckResult {
  return { head: 'a'.repeat(40), checkedAt: '2026-01-30T00:00:00Z', services: Object.entries(statuses).map(([n, s]) => verdict(n, s)), warnings: [] };
}

const names = (plan: DeployPlan): string[] => plan.steps.map((s) => s.service.name);

describe('planDeployAll', () => {
  it('deploys stale, unlabeled and deploy-failed services, and says why the others are left alone', () => {
    const cfg = config(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((n) => service(n)));
    const plan = planDeployAll(
      check({ a: 'stale', b: 'up-to-date', c: 'unlabeled', d: 'diverged', e: 'unknown-commit', f: 'deploy-failed', g: 'deploying', h: 'not-found', i: 'error', j: 'path-missing' }),
      cfg,
    );
    assert.deepEqual(names(plan), ['a', 'c', 'f']);
    const why = Object.fromEntries(plan.notDeployed.map((n) => [n.name, n.reason]));
    assert.deepEqual(Object.keys(why), ['b', 'd', 'e', 'g', 'h', 'i', 'j']);
    assert.equal(why.b, 'up to date');
    assert.match(why.d!, /another branch/);
    assert.match(why.e!, /git fetch/);
    assert.match(why.g!, /rollout is in progress/);
    assert.match(why.h!, /does not exist/);
    assert.match(why.i!, /could not be checked: i is error/);
    assert.equal(why.j, 'its paths name nothing at HEAD; fix "paths" in cloud-run-drift.json first');
  });

  it('can be told which verdicts to deploy, and reports services the check did not include', () => {
    const cfg = config([service('a'), service('b'), service('c')]);
    const plan = planDeployAll(check({ a: 'diverged', b: 'stale' }), cfg, { statuses: new Set<VerdictStatus>(['diverged']) });
    assert.deepEqual(names(plan), ['a']);
    assert.deepEqual(plan.notDeployed.map((n) => [n.name, n.status]), [['b', 'stale'], ['c', null]]);
  });

  it('orders upstream first: dependsOn, otherwise config order', () => {
    // predictors depend on processors depend on scrapers, listed the other way round.
    const cfg = config([service('predictor', ['processor']), service('web'), service('processor', ['scraper']), service('scraper'), service('docs')]);
    const plan = planDeployAll(check({ predictor: 'stale', web: 'stale', processor: 'stale', scraper: 'stale', docs: 'stale' }), cfg);
    assert.deepEqual(names(plan), ['web', 'scraper', 'processor', 'predictor', 'docs']);
    assert.deepEqual(plan.steps.map((s) => s.after), [[], [], ['scraper'], ['scraper', 'processor'], []]);
    assert.deepEqual(deployWaves(plan), [['web', 'scraper', 'docs'], ['processor'], ['predictor']]);
  });

  it('keeps transitive order through a service that is not deployed', () => {
    const cfg = config([service('predictor', ['processor']), service('processor', ['scraper']), service('scraper')]);
    const plan = planDeployAll(check({ predictor: 'stale', processor: 'up-to-date', scraper: 'stale' }), cfg);
    assert.deepEqual(names(plan), ['scraper', 'predictor']);
    assert.deepEqual(plan.steps[1]!.after, ['scraper']);
  });

  it('orderUpstreamFirst is stable and refuses a cycle', () => {
    assert.deepEqual(orderUpstreamFirst([service('a'), service('b'), service('c')]).map((s) => s.name), ['a', 'b', 'c']);
    assert.deepEqual(orderUpstreamFirst([service('a', ['c']), service('b'), service('c')]).map((s) => s.name), ['b', 'c', 'a']);
    assert.throws(() => orderUpstreamFirst([service('a', ['b']), service('b', ['a'])]), /cycle among: a, b/);
  });
});

describe('nextDeploys', () => {
  const cfg = config([service('scraper'), service('processor', ['scraper']), service('predictor', ['processor']), service('web'), service('docs')]);
  const plan = planDeployAll(check({ scraper: 'stale', processor: 'stale', predictor: 'stale', web: 'stale', docs: 'stale' }), cfg);
  const state = (entries: Record<string, StepStatus>): Map<string, StepStatus> => new Map(Object.entries(entries));

  it('with concurrency 1 runs exactly in plan order', () => {
    assert.deepEqual(names(plan), ['scraper', 'processor', 'predictor', 'web', 'docs']);
    assert.deepEqual(nextDeploys(plan, state({}), 1), { start: ['scraper'], skip: [] });
    assert.deepEqual(nextDeploys(plan, state({ scraper: 'running' }), 1), { start: [], skip: [] });
    assert.deepEqual(nextDeploys(plan, state({ scraper: 'succeeded' }), 1), { start: ['processor'], skip: [] });
  });

  it('with more concurrency starts whatever has its upstream done, earliest first', () => {
    assert.deepEqual(nextDeploys(plan, state({}), 2).start, ['scraper', 'web']);
    assert.deepEqual(nextDeploys(plan, state({}), 10).start, ['scraper', 'web', 'docs']);
    assert.deepEqual(nextDeploys(plan, state({ scraper: 'succeeded', web: 'running' }), 3).start, ['processor', 'docs']);
  });

  it('skips the dependents of a failure, blaming the failure, and carries on with the rest', () => {
    const decision = nextDeploys(plan, state({ scraper: 'failed' }), 1);
    assert.deepEqual(decision.skip, [
      { name: 'processor', blockedBy: 'scraper' },
      { name: 'predictor', blockedBy: 'scraper' },
    ]);
    assert.deepEqual(decision.start, ['web']);
    assert.deepEqual(nextDeploys(plan, state({ scraper: 'succeeded', processor: 'cancelled' }), 1).skip, [{ name: 'predictor', blockedBy: 'processor' }]);
  });

  it('refuses a concurrency below 1', () => {
    assert.throws(() => nextDeploys(plan, state({}), 0), /at least 1/);
  });
});
