// The pure parts of a rollback: the targets that send all traffic to one revision, the commits
// that would stop being served, the confirmation text, and the "rolled back" rule.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RangeFacts } from '../../src/core/git/repository';
import type { CommitInfo } from '../../src/core/model';
import { rollbackConfirmation, stoppingCommits, type RollbackPlan } from '../../src/core/rollback/plan';
import { rollbackRefusal } from '../../src/core/rollback/prepare';
import { allTrafficTo, describeTraffic, pinnedToOlder, servesExactly } from '../../src/core/verdicts/traffic';

const commit = (sha: string, subject: string, date: string): CommitInfo => ({ sha: sha.padEnd(40, '0'), subject, author: 'A', date });

const plan = (extra: Partial<RollbackPlan> = {}): RollbackPlan => ({
  service: 'api',
  target: { revision: 'api-00001-aaa', commitLabel: '1111aaaa', commit: '1111aaaa'.padEnd(40, '0'), subject: 'first' },
  serving: [{ revision: 'api-00002-bbb', percent: 100, commitLabel: '2222bbbb', commit: '2222bbbb'.padEnd(40, '0'), subject: 'second' }],
  traffic: [{ revision: null, percent: 100, tag: null }],
  stopping: [commit('2222bbbb', 'second', '2026-01-02T00:00:00Z')],
  unknown: [],
  diverged: false,
  blocked: null,
  alreadyServing: false,
  ...extra,
});

describe('allTrafficTo', () => {
  it('sends 100% to the revision and keeps every tag at 0%, its own tag on its target', () => {
    const targets = allTrafficTo('r1', [
      { revision: null, percent: 80, tag: null },
      { revision: 'r2', percent: 20, tag: 'canary' },
      { revision: 'r1', percent: 0, tag: 'old' },
      { revision: null, percent: 0, tag: 'latest' },
    ]);
    assert.deepEqual(targets, [
      { revision: 'r1', percent: 100, tag: 'old' },
      { revision: 'r2', percent: 0, tag: 'canary' },
      { revision: null, percent: 0, tag: 'latest' },
    ]);
  });
});

describe('servesExactly', () => {
  it('compares revisions and percents, ignoring 0% and tags', () => {
    assert.ok(servesExactly([{ revision: 'a', percent: 100, tag: 'x' }], [{ revision: 'a', percent: 100, tag: null }]));
    assert.ok(!servesExactly([{ revision: 'a', percent: 90, tag: null }, { revision: 'b', percent: 10, tag: null }], [{ revision: 'a', percent: 100, tag: null }]));
    assert.ok(!servesExactly([], [{ revision: 'a', percent: 100, tag: null }]));
  });
});

describe('stoppingCommits', () => {
  it('unions the ranges, keeps commits touching the paths, each once, newest first', () => {
    const a = commit('aaaa', 'api change', '2026-01-03T00:00:00Z');
    const b = commit('bbbb', 'docs', '2026-01-04T00:00:00Z');
    const c = commit('cccc', 'api other', '2026-01-05T00:00:00Z');
    const r1: RangeFacts = { isAncestor: true, commits: [{ commit: b, files: ['docs/x.md'] }, { commit: a, files: ['api/main.py'] }] };
    const r2: RangeFacts = { isAncestor: true, commits: [{ commit: c, files: ['api/x.py'] }, { commit: a, files: ['api/main.py'] }] };
    assert.deepEqual(stoppingCommits([r1, r2], ['api']).map((x) => x.subject), ['api other', 'api change']);
  });

  it("orders by the instant each date names, whatever its offset; equal instants keep the ranges' order", () => {
    const east = commit('aaaa', 'east', '2026-01-05T01:00:00+02:00'); // 2026-01-04T23:00Z
    const utc = commit('bbbb', 'utc', '2026-01-04T23:30:00Z');
    const same1 = commit('cccc', 'same one', '2026-01-04T12:00:00Z');
    const same2 = commit('dddd', 'same two', '2026-01-04T14:00:00+02:00'); // 12:00Z too
    const range: RangeFacts = { isAncestor: true, commits: [same1, east, same2, utc].map((c) => ({ commit: c, files: ['api/x.py'] })) };
    assert.deepEqual(stoppingCommits([range], ['api']).map((x) => x.subject), ['utc', 'east', 'same one', 'same two']);
  });

  it('parses each commit date once, however many comparisons the sort makes', () => {
    const commits = Array.from({ length: 200 }, (_, i) => commit(`${String(i).padStart(4, '0')}abcd`, `change ${i}`, new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % 200) * 60_000).toISOString()));
    const range: RangeFacts = { isAncestor: true, commits: commits.map((c) => ({ commit: c, files: ['api/x.py'] })) };
    const parse = Date.parse;
    let parsed = 0;
    Date.parse = (text: string): number => {
      parsed++;
      return parse(text);
    };
    let sorted: CommitInfo[];
    try {
      sorted = stoppingCommits([range], ['api']);
    } finally {
      Date.parse = parse;
    }
    assert.equal(parsed, 200);
    const times = sorted.map((c) => parse(c.date));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
  });
});

describe('rollbackConfirmation', () => {
  it('names the target and what serves, lists the stopping commits and what Undo sets back', () => {
    const text = rollbackConfirmation(plan());
    assert.equal(text.title, `Route all of api's traffic to api-00001-aaa (1111aaaa "first")?`);
    assert.equal(
      text.detail,
      [
        'Now serving: 100% api-00002-bbb (2222bbbb "second").',
        "1 commit touching api's paths would stop being served:",
        '  2222bbbb second',
        '',
        'Afterwards api-00001-aaa serves all traffic until traffic is routed again; Undo sets it back to: 100% LATEST.',
      ].join('\n'),
    );
    assert.equal(text.confirmLabel, 'Route All Traffic');
  });

  it('says when nothing stops being served, when commits cannot be listed and when histories diverged', () => {
    assert.match(rollbackConfirmation(plan({ stopping: [] })).detail, /No commit touching api's paths would stop being served\./);
    const unknown = rollbackConfirmation(plan({ stopping: null, unknown: ['api-00001-aaa has no commit-sha label, so what it lacks cannot be told.'] })).detail;
    assert.match(unknown, /cannot be listed\.\napi-00001-aaa has no commit-sha label/);
    assert.match(rollbackConfirmation(plan({ diverged: true })).detail, /not in the history of what serves now \(another branch\?\)/);
  });

  it('keeps hostile subjects and labels on one line, and quotes a label that is not a commit', () => {
    const hostile = plan({
      target: { revision: 'api-00001-aaa', commitLabel: 'evil\n\x1b]0;pwn\x07', commit: null, subject: null },
      stopping: [commit('2222bbbb', 'second\nInjected line\r\nmore', '2026-01-02T00:00:00Z')],
    });
    const text = rollbackConfirmation(hostile);
    assert.ok(!text.title.includes('\n'), text.title);
    assert.match(text.title, /label "evil \\u001b\]0;pwn\\u0007", not a commit here/);
    assert.match(text.detail, /^ {2}2222bbbb second Injected line more$/m);
  });

  it('lists at most ten commits, then how many more', () => {
    const many = Array.from({ length: 14 }, (_, i) => commit(`c${String(i).padStart(3, '0')}`, `change ${i}`, `2026-01-${String(20 - i).padStart(2, '0')}T00:00:00Z`));
    const detail = rollbackConfirmation(plan({ stopping: many })).detail;
    assert.match(detail, /14 commits touching api's paths would stop being served:/);
    assert.match(detail, /and 4 more/);
  });
});

describe('describeTraffic', () => {
  it('reads LATEST, revisions and tags', () => {
    assert.equal(describeTraffic([{ revision: null, percent: 90, tag: null }, { revision: 'r2', percent: 10, tag: 'canary' }]), '90% LATEST, tag canary → r2 (10%)');
  });
});

describe('pinnedToOlder (the "rolled back" rule)', () => {
  it('all traffic on a revision other than the latest ready one', () => {
    assert.equal(pinnedToOlder([{ revision: 'r1', percent: 100, tag: null }], 'r3'), 'r1');
  });
  it('not for the latest ready revision, a split, or an unknown latest ready revision', () => {
    assert.equal(pinnedToOlder([{ revision: 'r3', percent: 100, tag: null }], 'r3'), null);
    assert.equal(pinnedToOlder([{ revision: 'r1', percent: 50, tag: null }, { revision: 'r3', percent: 50, tag: null }], 'r3'), null);
    assert.equal(pinnedToOlder([{ revision: 'r1', percent: 100, tag: null }], null), null);
  });
});

describe('rollbackRefusal', () => {
  it('only services: a job has no traffic, a function follows its own deploys', () => {
    assert.equal(rollbackRefusal({ name: 'api', kind: 'service' }), null);
    assert.match(rollbackRefusal({ name: 'backfill', kind: 'job' }) ?? '', /has no traffic/);
    assert.match(rollbackRefusal({ name: 'fn', kind: 'function' }) ?? '', /Cloud Run function/);
  });
});
