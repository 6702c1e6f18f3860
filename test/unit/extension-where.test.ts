// The editor's side of "where is this commit live?" and of drift age, without VS Code: what an
// invocation names, the tooltip's drift age and the status bar's oldest drift.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serviceTooltipMarkdown } from '../../src/extension/tree/tooltip';
import { oldestDrift, statusBarView } from '../../src/extension/views/presentation';
import { whereInvocation } from '../../src/extension/where/whereArgs';
import { verdict } from './extension-fixtures';

const NOW = new Date('2026-11-29T10:00:00Z');
const SHA = '9631d4f0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

describe('where invocations', () => {
  it('finds the commit and the repository in what each menu passes', () => {
    // A commit row of the Services tree.
    assert.deepEqual(whereInvocation([{ root: '/repo', serviceName: 'api', sha: SHA }]), { commitish: SHA, root: '/repo', path: undefined });
    // The Timeline (git): the item, the file's URI, the source.
    assert.deepEqual(whereInvocation([{ id: SHA, ref: SHA, label: 'Fix' }, { scheme: 'file', fsPath: '/repo/api/main.py' }, 'git-history']), { commitish: SHA, root: undefined, path: '/repo/api/main.py' });
    // A Source Control graph item: the source control (its root URI), then the history item.
    assert.deepEqual(whereInvocation([{ rootUri: { scheme: 'file', fsPath: '/repo' } }, { id: SHA, message: 'Fix' }]), { commitish: SHA, root: undefined, path: '/repo' });
    // A SHA from another command; the palette passes nothing; a timeline's uncommitted entry names no commit.
    assert.equal(whereInvocation([SHA.slice(0, 8)]).commitish, SHA.slice(0, 8));
    assert.deepEqual(whereInvocation([]), { commitish: undefined, root: undefined, path: undefined });
    assert.equal(whereInvocation([{ id: 'working' }, { scheme: 'file', fsPath: '/repo/a' }]).commitish, undefined);
    assert.equal(whereInvocation([{ scheme: 'untitled', fsPath: '/x' }]).path, undefined);
  });
});

describe('drift age in the editor', () => {
  it('the tooltip says how old the oldest undeployed commit is', () => {
    const v = verdict('worker', 'stale', { driftSince: '2026-11-26T10:00:00.000Z' });
    const md = serviceTooltipMarkdown({ name: 'worker', project: 'p', region: 'r', paths: ['w'], status: 'stale', verdict: v, checkedAt: null, failure: undefined, now: NOW });
    assert.match(md, /\*\*Undeployed commits:\*\* 3, the oldest 3 days old \(2026-11-26 10:00 UTC\)/);
  });

  it('the status bar tooltip names the unit that has drifted longest', () => {
    const rows = [
      { name: 'a', verdict: verdict('a', 'stale', { driftSince: '2026-11-28T10:00:00Z' }) },
      { name: 'b', verdict: verdict('b', 'stale', { driftSince: '2026-11-20T10:00:00Z' }) },
      { name: 'c', verdict: verdict('c', 'up-to-date') },
    ];
    assert.equal(oldestDrift(rows.map((r) => r.verdict))?.name, 'b');
    const view = statusBarView([{ name: 'repo', configInvalid: false, rows, refreshing: false, failure: undefined, checkedAt: null }], NOW);
    assert.ok(view.tooltip.includes('Oldest drift: b, 9 days (its oldest undeployed commit)'), view.tooltip.join('\n'));
    assert.equal(oldestDrift([rows[2]!.verdict]), undefined);
  });
});
