import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  commitTooltipMarkdown,
  escapeMarkdown,
  failedRevisionTooltipMarkdown,
  revisionTooltipMarkdown,
  serviceTooltipMarkdown,
} from '../../src/extension/tree/tooltip';
import { serving, SHA_A, verdict } from './extension-fixtures';

const NOW = new Date('2026-11-29T10:00:00Z');
const HOSTILE = '[click me](command:workbench.action.terminal.new) <img src=x onerror=alert(1)> ![i](https://evil/x.png) **bold** `code`';

/** True when no Markdown construct from the hostile text survives unescaped. */
function assertInert(markdown: string): void {
  assert.ok(!/(?<!\\)\]\(/.test(markdown), `link survived: ${markdown}`);
  assert.ok(!/(?<!\\)</.test(markdown), `HTML survived: ${markdown}`);
  assert.ok(!/(?<!\\)!\\?\[/.test(markdown), `image survived: ${markdown}`);
  assert.ok(!/(?<!\\)`/.test(markdown), `code span survived: ${markdown}`);
}

describe('extension tooltips', () => {
  it('escapes every ASCII punctuation character and keeps line breaks', () => {
    assert.equal(escapeMarkdown('a*b_c'), 'a\\*b\\_c');
    assert.equal(escapeMarkdown('# not a heading\n    not code'), '\\# not a heading  \nnot code');
    assertInert(escapeMarkdown(HOSTILE));
  });

  it('shows serving revisions with traffic, commit and subject, deploy time, image and latest created revision', () => {
    const v = verdict('worker', 'stale', {
      serving: [
        serving({ revision: 'worker-00042-abc', percent: 90, status: 'stale', commitsBehind: 3 }),
        serving({ revision: 'worker-00041-xyz', percent: 10, commit: null, commitLabel: null, status: 'unlabeled', image: 'img:old' }),
      ],
      latestCreatedRevision: 'worker-00043-new',
      dirty: true,
    });
    const md = serviceTooltipMarkdown({
      name: 'worker', project: 'nba-props-platform', region: 'us-west2', paths: ['predictions/worker', 'shared'],
      status: 'stale', verdict: v, checkedAt: '2026-11-29T09:58:00Z', failure: undefined, now: NOW,
    });
    assert.match(md, /worker\\-00042\\-abc: 90% · 81147d04 · stale \(3 behind\)/);
    assert.match(md, /worker\\-00041\\-xyz: 10% · no commit label · unlabeled/);
    assert.match(md, /\*\*Deployed commit:\*\* 81147d04 Fix the thing/);
    assert.match(md, /\*\*Deployed:\*\* 2026-11-29 08:00 UTC \(2h ago\)/);
    assert.match(md, /\*\*Images:\*\* us\\-docker\\\.pkg\\\.dev/);
    assert.match(md, /\*\*Latest created revision:\*\* worker\\-00043\\-new/);
    assert.match(md, /predictions\\\/worker, shared/);
    assert.match(md, /Uncommitted changes/);
    assert.match(md, /_Checked 2026-11-29 09:58 UTC \(2m ago\)_/);
  });

  it('never lets API or git text become markup', () => {
    const v = verdict('worker', 'deploy-failed', {
      message: HOSTILE,
      deployedSubject: HOSTILE,
      serving: [serving({ revision: HOSTILE, image: HOSTILE, commit: null, commitLabel: HOSTILE })],
      latestCreatedRevision: HOSTILE,
    });
    const md = serviceTooltipMarkdown({
      name: 'worker', project: 'p-123456', region: 'us-west2', paths: [], status: 'deploy-failed', verdict: v,
      checkedAt: null, failure: { message: HOSTILE, at: NOW, dataCheckedAt: '2026-11-29T09:00:00Z' }, now: NOW,
    });
    assertInert(md);
    assertInert(revisionTooltipMarkdown(serving({ revision: HOSTILE, image: HOSTILE, commit: null, commitLabel: HOSTILE }), NOW));
    assertInert(commitTooltipMarkdown({ sha: SHA_A, subject: HOSTILE, author: HOSTILE, date: HOSTILE }, NOW));
    assertInert(
      failedRevisionTooltipMarkdown({ name: HOSTILE, labels: {}, createTime: null, image: HOSTILE, ready: false, failed: true, readyMessage: HOSTILE }, NOW),
    );
  });

  it('marks a failed refresh and says which data is shown', () => {
    const md = serviceTooltipMarkdown({
      name: 'worker', project: 'p-123456', region: 'us-west2', paths: [], status: 'up-to-date', verdict: verdict('worker', 'up-to-date'),
      checkedAt: '2026-11-29T09:00:00Z', failure: { message: 'cannot reach http://127.0.0.1:8123', at: NOW, dataCheckedAt: '2026-11-29T09:00:00Z' }, now: NOW,
    });
    assert.match(md, /\*\*Last refresh failed\*\* at 2026-11-29 10:00 UTC: cannot reach/);
    assert.match(md, /Showing data from 2026-11-29 09:00 UTC\./);
    assert.match(md, /the whole repository/);
  });

  it('says when uncommitted changes are unknown, and why, escaped', () => {
    const md = serviceTooltipMarkdown({
      name: 'worker', project: 'p-123456', region: 'us-west2', paths: [], status: 'up-to-date', verdict: verdict('worker', 'up-to-date', { dirty: null }),
      checkedAt: '2026-11-29T09:00:00Z', failure: undefined, now: NOW,
      warnings: ['Uncommitted changes are unknown: git status timed out after 15 s.', HOSTILE],
    });
    assert.match(md, /\*\*Uncommitted changes:\*\* unknown/);
    assert.match(md, /\*\*Warning:\*\* Uncommitted changes are unknown\\: git status timed out after 15 s\\\./);
    assertInert(md);
  });

  it('explains a failed revision with its condition message', () => {
    const md = failedRevisionTooltipMarkdown(
      { name: 'worker-00043-new', labels: {}, createTime: '2026-11-29T09:30:00Z', image: 'img:new', ready: false, failed: true, readyMessage: 'Container failed to start on port 8080.' },
      NOW,
    );
    assert.match(md, /deploy failed/);
    assert.match(md, /Container failed to start on port 8080\\\./);
    assert.match(md, /30m ago/);
  });
});
