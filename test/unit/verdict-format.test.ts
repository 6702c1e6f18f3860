import assert from 'node:assert/strict';
import { renderTerminal } from '../../src/core/text/terminalText';
import { describe, it } from 'node:test';
import { exitCodeFor, formatHuman, toJson } from '../../src/cli/main';
import { countNotUpToDate, describeVerdict, relativeTime } from '../../src/core/verdicts/format';
import type { ServiceVerdict } from '../../src/core/model';
import { worstStatus } from '../../src/core/verdicts/verdict';

const NOW = new Date('2026-01-30T23:00:00Z');
const verdict = (over: Partial<ServiceVerdict>): ServiceVerdict => ({
  name: 'svc',
  kind: 'service',
  project: 'p',
  region: 'us-west2',
  status: 'up-to-date',
  deployedCommit: '81147d04aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  commitLabel: '81147d04',
  commitsBehind: 0,
  commits: [],
  driftSince: null,
  dirty: false,
  serving: [{ revision: 'svc-00001', percent: 100, commitLabel: '81147d04', commit: null, status: 'up-to-date', commitsBehind: 0, createTime: null, image: null }],
  latestCreatedRevision: 'svc-00001',
  failedRevision: null,
  message: '',
  deployedSubject: null,
  deployedAt: '2026-01-30T21:00:00Z',
  paths: [],
  missingPaths: [],
  ...over,
});

describe('verdict presentation and precedence', () => {
  it('the worst status wins in the documented order', () => {
    assert.equal(worstStatus(['up-to-date', 'stale']), 'stale');
    assert.equal(worstStatus(['stale', 'diverged', 'up-to-date']), 'diverged');
    assert.equal(worstStatus(['unlabeled', 'up-to-date']), 'unlabeled');
    assert.equal(worstStatus(['stale', 'deploy-failed']), 'deploy-failed');
    assert.equal(worstStatus([]), 'up-to-date');
  });

  it('describes a service the way the tree shows it', () => {
    assert.equal(describeVerdict(verdict({ status: 'stale', commitsBehind: 3 }), NOW), '3 behind · 81147d04 · 2h ago');
    assert.equal(describeVerdict(verdict({}), NOW), '81147d04 · 2h ago');
    assert.equal(describeVerdict(verdict({ status: 'not-found', deployedCommit: null, commitLabel: null, deployedAt: null }), NOW), 'not found');
    assert.equal(describeVerdict(verdict({ dirty: true }), NOW), '81147d04 · 2h ago · dirty');
    assert.equal(describeVerdict(verdict({ dirty: null }), NOW), '81147d04 · 2h ago · dirty unknown');
    assert.equal(describeVerdict(verdict({ status: 'unknown-commit', deployedCommit: null, commitLabel: 'deadbeef' }), NOW), 'unknown commit · deadbeef · 2h ago');
  });

  it('a verdict not up to date says how long it has drifted (its oldest undeployed commit\'s age) after how far', () => {
    assert.equal(describeVerdict(verdict({ status: 'stale', commitsBehind: 53, driftSince: '2026-01-27T20:00:00Z' }), NOW), '53 behind for 3 days · 81147d04 · 2h ago');
    assert.equal(describeVerdict(verdict({ status: 'stale', commitsBehind: 1, driftSince: '2026-01-30T22:00:00Z' }), NOW), '1 behind for 1 hour · 81147d04 · 2h ago');
    assert.equal(describeVerdict(verdict({ status: 'diverged', driftSince: '2026-01-30T21:00:00Z' }), NOW), 'diverged · behind for 2 hours · 81147d04 · 2h ago');
    // Up to date: nothing undeployed, whatever driftSince says.
    assert.equal(describeVerdict(verdict({ driftSince: '2026-01-27T20:00:00Z' }), NOW), '81147d04 · 2h ago');
  });

  it('relative times', () => {
    assert.equal(relativeTime('2026-01-30T22:59:30Z', NOW), '30s ago');
    assert.equal(relativeTime('2026-01-30T22:15:00Z', NOW), '45m ago');
    assert.equal(relativeTime('2026-01-27T23:00:00Z', NOW), '3d ago');
  });

  it('counts services needing attention', () => {
    assert.equal(countNotUpToDate([verdict({}), verdict({ status: 'stale' }), verdict({ status: 'error' })]), 2);
  });

  it('CLI exit codes: 2 (a configured path missing at HEAD) beats 3 beats 1 beats 0', () => {
    const statuses = (...list: ServiceVerdict['status'][]): ServiceVerdict[] => list.map((status) => verdict({ status }));
    assert.equal(exitCodeFor(statuses('up-to-date', 'up-to-date')), 0);
    assert.equal(exitCodeFor(statuses('up-to-date', 'stale')), 1);
    assert.equal(exitCodeFor(statuses('not-found')), 1);
    assert.equal(exitCodeFor(statuses('stale', 'error')), 3);
    assert.equal(exitCodeFor(statuses('deploying')), 3);
    assert.equal(exitCodeFor([verdict({ status: 'path-missing', missingPaths: ['predictions/workr'] })]), 2);
    assert.equal(exitCodeFor([verdict({ missingPaths: ['shared/libz'] }), verdict({ status: 'error' })]), 2, 'some paths missing, the rest up to date');
  });
});

describe('a check that could not tell whether the paths are dirty', () => {
  const result = {
    head: '81147d04aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    checkedAt: NOW.toISOString(),
    services: [verdict({ dirty: null })],
    warnings: ['Uncommitted changes are unknown: git status timed out after 15 s.'],
  };

  it('says so in the CLI text: the warning under HEAD, "dirty unknown" beside the service', () => {
    const lines = renderTerminal(formatHuman(result, false), { color: false }).split('\n');
    assert.deepEqual(lines.slice(0, 2), ['HEAD 81147d04', 'warning: Uncommitted changes are unknown: git status timed out after 15 s.']);
    assert.match(lines[2]!, /svc\s+up to date\s+81147d04\s+dirty unknown$/);
  });

  it('says so in --json: dirty is null and the warnings are listed', () => {
    const json = toJson(result) as { services: { dirty: boolean | null }[]; warnings: string[] };
    assert.equal(json.services[0]!.dirty, null);
    assert.deepEqual(json.warnings, result.warnings);
  });
});

describe('a unit thousands of commits behind', () => {
  const commits = Array.from({ length: 250 }, (_, i) => ({ sha: `${String(i).padStart(4, '0')}${'a'.repeat(36)}`, subject: `change ${i}`, author: 'Ann', date: '2026-01-29T10:00:00Z', files: ['svc/a.ts'] }));
  const result = { head: 'h'.repeat(40), checkedAt: NOW.toISOString(), services: [verdict({ status: 'stale', commitsBehind: 250, commits }), verdict({ name: 'two', status: 'stale', commitsBehind: 2, commits: commits.slice(0, 2) })], warnings: [] };
  type Json = { services: { commits: { sha: string }[]; commitsBehind: number; commitsOmitted: number }[] };

  it('--json lists the newest 100 by default, counts them all and says how many it left out', () => {
    const [many, few] = (toJson(result) as Json).services;
    assert.deepEqual([many!.commits.length, many!.commitsBehind, many!.commitsOmitted], [100, 250, 150]);
    assert.equal(many!.commits[0]!.sha, commits[0]!.sha, 'newest first');
    assert.deepEqual([few!.commits.length, few!.commitsOmitted], [2, 0]);
  });

  it('--max-commits sets the limit: 0 lists none, Infinity (all) every one', () => {
    assert.deepEqual((toJson(result, 0) as Json).services.map((s) => [s.commits.length, s.commitsOmitted]), [[0, 250], [0, 2]]);
    assert.deepEqual((toJson(result, Infinity) as Json).services.map((s) => [s.commits.length, s.commitsOmitted]), [[250, 0], [2, 0]]);
  });

  it('--verbose prints as many and says how many older ones it did not', () => {
    const lines = renderTerminal(formatHuman(result, true, NOW, 3), { color: false }).split('\n');
    const listed = lines.filter((line) => /^ {4}\d{4}aaaa change \d+ \(Ann, 2026-01-29\)$/.test(line));
    assert.equal(listed.length, 3 + 2);
    assert.ok(lines.includes('    … and 247 older commits (--max-commits all lists them)'), lines.join('\n'));
    assert.ok(!lines.some((line) => line.includes('older commit') && line.includes(' 0 ')));
  });
});
