// The pure decisions behind multi-root workspaces: the workspace's state from its repositories',
// a repository's name, which repository a command acts on, and the summaries that name repositories.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseRepo } from '../../src/extension/commands/repoChoice';
import { commitPatchQuery, parseCommitPatchQuery } from '../../src/extension/patches/commitPatchUri';
import { repoName, workspaceState } from '../../src/extension/session/sessionRegistry';
import { repoSummary, serviceRows, statusBarView, type RepoStatus } from '../../src/extension/views/presentation';
import { result, verdict } from './extension-fixtures';

const SHA = '81147d0412345678901234567890123456789012';
const shop = { root: '/w/shop', services: ['api', 'web'], jobs: [] as string[] };
const billing = { root: '/w/billing', services: ['api', 'invoices'], jobs: ['backfill'] };
const all = [shop, billing];
const holdsService = (r: typeof shop, name: string): boolean => r.services.includes(name);

function status(name: string, overrides: Partial<RepoStatus> = {}): RepoStatus {
  return { name, configInvalid: false, rows: [], refreshing: false, failure: undefined, checkedAt: null, ...overrides };
}

describe('multi-root workspaces', () => {
  it('is loading until searched, noConfig without repositories, ready when any repository is', () => {
    assert.equal(workspaceState(false, []), 'loading');
    assert.equal(workspaceState(true, []), 'noConfig');
    assert.equal(workspaceState(true, ['loading']), 'loading');
    assert.equal(workspaceState(true, ['invalidConfig', 'loading']), 'invalidConfig');
    assert.equal(workspaceState(true, ['invalidConfig', 'ready']), 'ready');
  });

  it('names a repository after the folder opened at its root, else its first folder', () => {
    assert.equal(repoName('/w/shop', [{ path: '/w/shop/api', name: 'api' }, { path: '/w/shop', name: 'Shop' }]), 'Shop');
    assert.equal(repoName('/w/shop', [{ path: '/w/shop/api', name: 'api' }, { path: '/w/shop/web', name: 'web' }]), 'api');
    assert.equal(repoName('/w/shop', []), 'shop');
  });

  it("acts on a row's own repository, even when another repository has a service of that name", () => {
    assert.deepEqual(chooseRepo({ root: '/w/billing', serviceName: 'api' }, all, all, { holds: holdsService }), { kind: 'one', repo: billing });
    assert.deepEqual(chooseRepo({ root: '/w/gone', serviceName: 'api' }, all, all), { kind: 'gone', root: '/w/gone' });
    // A group row is a row too.
    assert.deepEqual(chooseRepo({ root: '/w/shop' }, all, all), { kind: 'one', repo: shop });
  });

  it('finds a named service in the repository holding it, and asks only when several do', () => {
    assert.deepEqual(chooseRepo('invoices', all, all, { holds: holdsService }), { kind: 'one', repo: billing });
    assert.deepEqual(chooseRepo({ serviceName: 'web', sha: SHA }, all, all, { holds: holdsService }), { kind: 'one', repo: shop });
    assert.deepEqual(chooseRepo('api', all, all, { holds: holdsService }), { kind: 'pick', repos: [shop, billing] });
    // Nobody has it: the first repository's own lookup says what is missing.
    assert.deepEqual(chooseRepo('nope', all, all, { holds: holdsService }), { kind: 'one', repo: shop });
    assert.deepEqual(chooseRepo({ jobName: 'backfill' }, all, all, { holds: (r, n) => r.jobs.includes(n) }), { kind: 'one', repo: billing });
  });

  it('from the palette, acts on the only repository that qualifies and asks among several', () => {
    assert.deepEqual(chooseRepo(undefined, all, all), { kind: 'pick', repos: [shop, billing] });
    assert.deepEqual(chooseRepo(undefined, all, [shop]), { kind: 'one', repo: shop }, 'the other is not loaded');
    assert.deepEqual(chooseRepo(undefined, all, all, { accepts: (r) => r.jobs.length > 0 }), { kind: 'one', repo: billing });
    assert.deepEqual(chooseRepo(undefined, all, all, { accepts: () => false }), { kind: 'none' });
    assert.deepEqual(chooseRepo(undefined, [], []), { kind: 'none' });
    // Options from a script are not a row.
    assert.deepEqual(chooseRepo({ all: true }, [shop], [shop]), { kind: 'one', repo: shop });
  });

  it('says what the status bar always said with one repository', () => {
    const rows = serviceRows(['a', 'b'], result([verdict('a', 'stale'), verdict('b', 'up-to-date')]));
    const view = statusBarView([status('shop', { rows, checkedAt: '2026-11-29T10:00:00Z', failure: { message: 'boom\nmore' } })], new Date('2026-11-29T12:00:00Z'));
    assert.equal(view.text, '$(cloud) 1 stale · 1 ok $(warning)');
    assert.deepEqual(view.tooltip, ['Cloud Run Drift', '1 stale · 1 ok', 'Checked 2h ago', 'Last refresh failed: boom', 'Click to show the Services view']);
    assert.deepEqual(statusBarView([status('shop', { configInvalid: true })], new Date()).tooltip, [
      'Cloud Run Drift',
      'cloud-run-drift.json has problems: see the Services view.',
      'Click to show the Services view',
    ]);
  });

  it('counts every repository in the status bar and names each in its tooltip', () => {
    const shopRows = serviceRows(['api', 'web'], result([verdict('api', 'stale'), verdict('web', 'up-to-date')]));
    const billingRows = serviceRows(['api'], result([verdict('api', 'up-to-date')]));
    const view = statusBarView(
      [status('shop', { rows: shopRows, checkedAt: '2026-11-29T10:00:00Z' }), status('billing', { rows: billingRows, checkedAt: '2026-11-29T10:00:00Z', failure: { message: 'quota' } }), status('tools', { configInvalid: true })],
      new Date('2026-11-29T12:00:00Z'),
    );
    assert.equal(view.text, '$(cloud) 1 stale · 2 ok $(warning)');
    assert.deepEqual(view.tooltip, [
      'Cloud Run Drift',
      'shop: 1 stale · 1 ok',
      'billing: 1 ok (stale data); last refresh failed: quota',
      'tools: cloud-run-drift.json has problems',
      'Click to show the Services view',
    ]);
    assert.equal(statusBarView([status('a', { configInvalid: true }), status('b', { configInvalid: true })], new Date()).text, '$(cloud) config error');
  });

  it("sums up a repository for its group row", () => {
    assert.equal(repoSummary(status('x', { configInvalid: true })), 'config error');
    assert.equal(repoSummary(status('x', { rows: serviceRows(['a'], undefined), refreshing: true })), 'checking…');
    assert.equal(repoSummary(status('x', { rows: serviceRows(['a'], undefined) })), 'not checked');
    assert.equal(repoSummary(status('x', { rows: serviceRows(['a'], result([verdict('a', 'stale')])), checkedAt: 'x' })), '1 stale');
  });

  it('addresses a commit patch in its repository; a root that is not absolute is refused', () => {
    const ref = { service: 'api', sha: SHA, root: '/w/billing' };
    assert.deepEqual(parseCommitPatchQuery(commitPatchQuery(ref)), ref);
    assert.deepEqual(parseCommitPatchQuery(commitPatchQuery({ service: 'api', sha: SHA })), { service: 'api', sha: SHA });
    assert.equal(parseCommitPatchQuery(`service=api&sha=${SHA}&root=..%2Fetc`), null);
  });
});
