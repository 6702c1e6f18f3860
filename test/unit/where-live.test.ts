// The pure "where is this commit live?" decisions and their texts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ageSpan } from '../../src/core/verdicts/format';
import type { CommitInfo, ServiceVerdict, ServingVerdict } from '../../src/core/model';
import { whereMarkdown, whereStatusText, unitWhereSummary } from '../../src/core/where/format';
import { whereLive, whereOutcome, type WhereFacts } from '../../src/core/where/live';

const NOW = new Date('2026-01-30T23:00:00Z');
const X = 'f'.repeat(40);
const OLD = 'a'.repeat(40);
const NEW = 'b'.repeat(40);
const OTHER = 'c'.repeat(40);
const FIX: CommitInfo = { sha: X, subject: 'Fix MERGE', author: 'Naji', date: '2026-01-29T23:00:00Z' };

function serving(revision: string, commit: string | null, over: Partial<ServingVerdict> = {}): ServingVerdict {
  return { revision, percent: 100, commitLabel: commit?.slice(0, 8) ?? null, commit, status: 'up-to-date', commitsBehind: 0, createTime: '2026-01-30T21:00:00Z', image: null, ...over };
}

function verdict(name: string, over: Partial<ServiceVerdict> = {}): ServiceVerdict {
  return {
    name,
    kind: 'service',
    project: 'p',
    region: 'r',
    status: 'up-to-date',
    deployedCommit: NEW,
    commitLabel: NEW.slice(0, 8),
    commitsBehind: 0,
    commits: [],
    driftSince: null,
    dirty: false,
    serving: [serving(`${name}-00002-bbb`, NEW)],
    latestCreatedRevision: `${name}-00002-bbb`,
    failedRevision: null,
    message: '',
    deployedSubject: null,
    deployedAt: '2026-01-30T21:00:00Z',
    paths: [name],
    missingPaths: [],
    ...over,
  };
}

function facts(over: Partial<WhereFacts> = {}): WhereFacts {
  return {
    commit: FIX,
    files: ['coordinator/batch.py'],
    contains: new Map([
      [NEW, true],
      [OLD, false],
      [OTHER, false],
    ]),
    inHead: true,
    commitDates: new Map([
      [NEW, '2026-01-30T20:00:00Z'],
      [OLD, '2026-01-20T20:00:00Z'],
      [OTHER, '2026-01-30T10:00:00Z'],
    ]),
    ...over,
  };
}

describe('whereLive', () => {
  it('live: every serving revision contains it; since the oldest revision that did, from the history when given', () => {
    const v = verdict('coordinator');
    const plain = whereLive([v], facts()).units[0]!;
    assert.deepEqual([plain.state, plain.revision, plain.since, plain.percent], ['live', 'coordinator-00002-bbb', '2026-01-30T21:00:00Z', 100]);
    const history = new Map([
      [
        'coordinator',
        [
          { revision: 'coordinator-00002-bbb', createTime: '2026-01-30T21:00:00Z', commit: NEW },
          { revision: 'coordinator-00001-aaa', createTime: '2026-01-30T01:00:00Z', commit: NEW },
          { revision: 'coordinator-00000-zzz', createTime: '2026-01-29T01:00:00Z', commit: OLD },
        ],
      ],
    ]);
    const withHistory = whereLive([v], facts({ history })).units[0]!;
    assert.deepEqual([withHistory.revision, withHistory.since], ['coordinator-00001-aaa', '2026-01-30T01:00:00Z']);
    assert.equal(unitWhereSummary(withHistory, NOW), 'live since 22h');
    assert.equal(whereStatusText({ commit: FIX, units: [withHistory] }, NOW), 'live in coordinator since 22h');
  });

  it('partly live: the percent of traffic whose revision contains it', () => {
    const v = verdict('coordinator', { serving: [serving('c-1', OLD, { percent: 75, status: 'stale' }), serving('c-2', NEW, { percent: 25 })] });
    const u = whereLive([v], facts()).units[0]!;
    assert.deepEqual([u.state, u.percent, u.revision], ['partly-live', 25, 'c-2']);
    assert.match(u.message, /^25% of traffic serves it \(c-2 25%\); c-1 \(75%, aaaaaaaa\) serves code without it\.$/);
  });

  it('not yet live: the deployed commit predates it; the unit\'s commits behind and drift age', () => {
    const v = verdict('coordinator', { status: 'stale', deployedCommit: OLD, commitsBehind: 53, driftSince: '2026-01-27T23:00:00.000Z', serving: [serving('c-117', OLD, { status: 'stale', commitsBehind: 53 })] });
    const u = whereLive([v], facts()).units[0]!;
    assert.deepEqual([u.state, u.deployedCommit, u.commitsBehind, u.percent], ['not-yet-live', OLD, 53, 0]);
    assert.equal(whereStatusText({ commit: FIX, units: [u] }, NOW), 'not yet live in coordinator (deployed aaaaaaaa, 3 days behind)');
  });

  it('not on the deployed branch: a diverged deploy whose history lacks an older commit; a newer one is only not yet live', () => {
    const v = verdict('coordinator', { status: 'diverged', deployedCommit: OTHER, serving: [serving('c-9', OTHER, { status: 'diverged' })] });
    assert.equal(whereLive([v], facts()).units[0]!.state, 'not-on-deployed-branch');
    const newer = whereLive([v], facts({ commit: { ...FIX, date: '2026-01-30T12:00:00Z' } })).units[0]!;
    assert.equal(newer.state, 'not-yet-live');
    // A commit that is not on HEAD's line either, older than a deploy from HEAD's line: not on that branch.
    const fromHead = verdict('coordinator', { status: 'stale', serving: [serving('c-9', OTHER, { status: 'stale' })] });
    assert.equal(whereLive([fromHead], facts({ inHead: false })).units[0]!.state, 'not-on-deployed-branch');
    assert.equal(whereLive([fromHead], facts()).units[0]!.state, 'not-yet-live');
  });

  it('unknown: says which (unlabeled, a label naming no local commit, not found, an error)', () => {
    const units = whereLive(
      [
        verdict('a', { status: 'unlabeled', serving: [serving('a-1', null, { commitLabel: null, status: 'unlabeled' })] }),
        verdict('b', { status: 'unknown-commit', serving: [serving('b-1', null, { commitLabel: 'deadbeef', status: 'unknown-commit' })] }),
        verdict('c', { status: 'not-found', serving: [], message: 'c is configured but does not exist in Cloud Run (p/r).' }),
        verdict('d', { status: 'error', serving: [], message: 'PERMISSION_DENIED: run.services.get' }),
      ],
      facts({ files: ['a/x', 'b/x', 'c/x', 'd/x'] }),
    ).units;
    assert.deepEqual(
      units.map((u) => [u.name, u.state, u.reason]),
      [
        ['a', 'unknown', 'unlabeled'],
        ['b', 'unknown', 'unknown-commit'],
        ['c', 'unknown', 'not-found'],
        ['d', 'unknown', 'error'],
      ],
    );
    assert.match(units[1]!.message, /b-1's label "deadbeef" names no commit in this repository/);
    assert.equal(whereOutcome({ commit: FIX, units }), 'unknown');
  });

  it('a job answers from its template (no traffic, no percent); units whose paths it misses are not affected, listed last', () => {
    const job = verdict('backfill', { kind: 'job', serving: [], deployedCommit: NEW, deployedAt: '2026-01-30T20:00:00Z' });
    const answer = whereLive([verdict('web'), job], facts({ files: ['backfill/run.py'] }));
    assert.deepEqual(
      answer.units.map((u) => [u.name, u.state, u.percent, u.since]),
      [
        ['backfill', 'live', null, '2026-01-30T20:00:00Z'],
        ['web', 'not-affected', null, null],
      ],
    );
    assert.equal(whereOutcome(answer), 'live');
    assert.equal(whereOutcome(whereLive([verdict('web')], facts())), 'live', 'touching no unit is not a failure');
    assert.equal(whereStatusText(whereLive([verdict('web')], facts()), NOW), null);
  });

  it('several units: the worst first in the status text; Markdown escapes names and messages', () => {
    const stale = verdict('coordinator', { status: 'stale', deployedCommit: OLD, driftSince: '2026-01-30T20:00:00Z', commitsBehind: 2, serving: [serving('c-1', OLD, { status: 'stale' })] });
    const answer = whereLive([verdict('worker', { paths: ['shared'] }), stale], facts({ files: ['shared/x.py', 'coordinator/y.py'] }));
    assert.equal(whereStatusText(answer, NOW), 'not yet live in coordinator (deployed aaaaaaaa, 3 hours behind) · +1 more');
    assert.equal(whereOutcome(answer), 'not-live');
    const markdown = whereMarkdown({ ...answer, commit: { ...FIX, subject: 'Fix [MERGE](http://x) *now*' } }, NOW);
    assert.match(markdown, /Fix \\\[MERGE\\\]\\\(http:\/\/x\\\) \\\*now\\\*/);
    assert.match(markdown, /\| coordinator \| not yet live \\\(deployed aaaaaaaa, 3 hours behind\\\) \|/);
  });
});

describe('ageSpan', () => {
  it('reads short and long', () => {
    assert.equal(ageSpan('2026-01-30T22:59:15Z', NOW, 'short'), '45s');
    assert.equal(ageSpan('2026-01-30T21:00:00Z', NOW, 'short'), '2h');
    assert.equal(ageSpan('2026-01-27T23:00:00Z', NOW, 'long'), '3 days');
    assert.equal(ageSpan('2026-01-30T22:00:00Z', NOW, 'long'), '1 hour');
    assert.equal(ageSpan('not a time', NOW, 'long'), '');
  });
});
