import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VERDICT_SEVERITY } from '../../src/core/model';
import { LISTED_COMMITS } from '../../src/core/verdicts/format';
import {
  badgeFor,
  cloudConsoleUrl,
  countByStatus,
  formatAge,
  isCredentialsProblem,
  isStaleData,
  listedCommits,
  notUpToDateCount,
  serviceContextValue,
  serviceDescription,
  serviceRows,
  statusBarText,
  summaryText,
  verdictIcon,
  viewMessage,
} from '../../src/extension/views/presentation';
import { firstLine } from '../../src/core/text/messageText';
import { result, verdict } from './extension-fixtures';

const FIX = 'gcloud auth application-default login';

describe('extension presentation', () => {
  it('gives every verdict the icon and color the issue names', () => {
    assert.deepEqual(verdictIcon('up-to-date'), { id: 'pass', color: 'testing.iconPassed' });
    assert.deepEqual(verdictIcon('stale'), { id: 'warning', color: 'list.warningForeground' });
    assert.equal(verdictIcon('diverged').id, 'git-compare');
    assert.equal(verdictIcon('unknown-commit').id, 'question');
    assert.equal(verdictIcon('unlabeled').id, 'tag');
    assert.deepEqual(verdictIcon('deploy-failed'), { id: 'error', color: 'errorForeground' });
    assert.equal(verdictIcon('not-found').id, 'circle-slash');
    assert.equal(verdictIcon('error').id, 'warning');
    assert.deepEqual(verdictIcon('deploying'), { id: 'loading~spin', color: null });
    assert.equal(verdictIcon('unchecked', true).id, 'loading~spin');
    assert.equal(verdictIcon('unchecked', false).id, 'circle-outline');
    // stale and error share the warning glyph; the color must tell them apart.
    assert.notEqual(verdictIcon('stale').color, verdictIcon('error').color);
    for (const status of VERDICT_SEVERITY) assert.ok(verdictIcon(status).id, status);
  });

  it('marks stale data on the description without losing the verdict text', () => {
    assert.equal(serviceDescription('3 behind · 81147d04 · 2h ago', false), '3 behind · 81147d04 · 2h ago');
    assert.equal(serviceDescription('3 behind · 81147d04 · 2h ago', true), '3 behind · 81147d04 · 2h ago (stale data)');
    assert.equal(serviceDescription('', true), '(stale data)');
    assert.equal(isStaleData({ message: 'x' }, true), true);
    assert.equal(isStaleData({ message: 'x' }, false), false, 'nothing shown yet is not stale, it is missing');
    assert.equal(isStaleData(undefined, true), false);
  });

  it('puts status and flags in context values in a fixed order for menu regexes', () => {
    assert.equal(serviceContextValue(verdict('a', 'stale', { dirty: true }), false), 'cloudRunDrift.service.stale.dirty.hasCommit');
    assert.equal(serviceContextValue(verdict('a', 'up-to-date'), true), 'cloudRunDrift.service.up-to-date.hasCommit.staleData');
    assert.equal(
      serviceContextValue(verdict('a', 'not-found', { deployedCommit: null, commitLabel: null }), false),
      'cloudRunDrift.service.not-found',
    );
    assert.equal(serviceContextValue(undefined, false), 'cloudRunDrift.service.unchecked');
  });

  it('summarizes worst first with up-to-date last, and counts the badge from the same rows', () => {
    const rows = serviceRows(
      ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
      result([
        verdict('a', 'up-to-date'),
        verdict('b', 'stale'),
        verdict('c', 'up-to-date'),
        verdict('d', 'error'),
        verdict('e', 'error'),
        verdict('f', 'deploy-failed'),
      ]),
    );
    assert.equal(summaryText(countByStatus(rows)), '2 errors · 1 deploy failed · 1 stale · 1 not checked yet · 2 ok');
    assert.equal(notUpToDateCount(rows), 4, 'unchecked services are not counted either way');
    assert.deepEqual(badgeFor(rows), { value: 4, tooltip: '4 services are not up to date' });
    assert.equal(badgeFor(serviceRows(['a'], result([verdict('a', 'up-to-date')]))), undefined);
    assert.deepEqual(badgeFor(serviceRows(['a'], result([verdict('a', 'stale')]))), { value: 1, tooltip: '1 service is not up to date' });
  });

  it('follows the configuration order and drops verdicts of services no longer configured', () => {
    const rows = serviceRows(['b', 'a'], result([verdict('a', 'stale'), verdict('gone', 'stale')]));
    assert.deepEqual(rows.map((r) => [r.name, r.verdict?.status]), [['b', undefined], ['a', 'stale']]);
  });

  it('writes the status bar summary the issue shows', () => {
    const rows = serviceRows(['a', 'b', 'c', 'd', 'e'], result(['stale', 'up-to-date', 'up-to-date', 'up-to-date', 'up-to-date'].map((s, i) => verdict('abcde'[i]!, s as 'stale'))));
    assert.equal(statusBarText({ rows, refreshing: false, staleData: false, configInvalid: false }), '$(cloud) 1 stale · 4 ok');
    assert.equal(statusBarText({ rows, refreshing: true, staleData: true, configInvalid: false }), '$(sync~spin) 1 stale · 4 ok $(warning)');
    assert.equal(statusBarText({ rows: serviceRows(['a'], undefined), refreshing: true, staleData: false, configInvalid: false }), '$(sync~spin) checking…');
    assert.equal(statusBarText({ rows: [], refreshing: false, staleData: false, configInvalid: true }), '$(cloud) config error');
  });

  it('builds the Cloud Console URL', () => {
    assert.equal(
      cloudConsoleUrl({ project: 'nba-props-platform', region: 'us-west2', name: 'prediction-worker' }),
      'https://console.cloud.google.com/run/detail/us-west2/prediction-worker/revisions?project=nba-props-platform',
    );
    assert.match(cloudConsoleUrl({ project: 'example.com:proj-1', region: 'us-west2', name: 'a' }), /project=example\.com%3Aproj-1$/);
  });

  it('says why the view is not showing fresh verdicts', () => {
    const now = new Date('2026-11-29T12:00:00Z');
    const base = { rows: [], lastResultAt: null, failure: undefined, now, credentialsFix: FIX };
    assert.equal(viewMessage({ ...base, configProblemCount: null }), undefined);
    assert.equal(viewMessage({ ...base, configProblemCount: 2 }), 'cloud-run-drift.json has 2 problems; fix them to see verdicts.');
    assert.equal(
      viewMessage({ ...base, configProblemCount: null, lastResultAt: '2026-11-29T10:00:00Z', failure: { message: 'git head failed: boom\nmore', at: now } }),
      'Refresh failed: git head failed: boom (showing results from 2h ago)',
    );
    assert.equal(
      viewMessage({ ...base, configProblemCount: null, failure: { message: 'Could not load the default credentials', at: now } }),
      `Refresh failed: Could not load the default credentials — run: ${FIX}`,
    );
    const allCredentialErrors = serviceRows(['a', 'b'], result([verdict('a', 'error', { message: `No Google Cloud credentials found. Run: ${FIX}` }), verdict('b', 'error', { message: `No Google Cloud credentials found. Run: ${FIX}` })]));
    assert.equal(viewMessage({ ...base, configProblemCount: null, rows: allCredentialErrors }), `Google Cloud credentials are missing or expired. Run: ${FIX}`);
    const oneApiError = serviceRows(['a', 'b'], result([verdict('a', 'error', { message: 'HTTP 500' }), verdict('b', 'up-to-date')]));
    assert.equal(viewMessage({ ...base, configProblemCount: null, rows: oneApiError }), undefined, 'a per-service error stays on its item');
  });

  it('recognizes credential failures and shortens messages to one line', () => {
    assert.ok(isCredentialsProblem('Could not load the default credentials. Browse to https://...'));
    assert.ok(isCredentialsProblem('invalid_grant: reauth related error (invalid_rapt)'));
    assert.ok(!isCredentialsProblem('Permission denied: caller lacks run.services.get'));
    assert.equal(firstLine('\n  first line  \nsecond'), 'first line');
    assert.equal(firstLine('x'.repeat(300), 10), `${'x'.repeat(9)}…`);
    assert.equal(firstLine('x'.repeat(300)).length, 300, 'no limit unless one is given');
    // Control characters stay, a lone carriage return too, for the terminal and the views to show escaped.
    assert.equal(firstLine(' \t \r\n fatal: bad\u001b[31m ref\rall good \r\nnext'), 'fatal: bad\u001b[31m ref\rall good');
  });

  it('formats ages like core and tolerates missing dates', () => {
    const now = new Date('2026-11-29T12:00:00Z');
    assert.equal(formatAge('2026-11-29T10:00:00Z', now), '2h ago');
    assert.equal(formatAge(null, now), null);
    assert.equal(formatAge('not a date', now), null);
  });
});

describe('listedCommits', () => {
  const numbers = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

  it('lists every commit of a unit up to LISTED_COMMITS behind, with no row for older ones', () => {
    const commits = numbers(LISTED_COMMITS);
    assert.deepEqual(listedCommits(commits), { listed: commits, older: null });
    assert.deepEqual(listedCommits([]), { listed: [], older: null });
  });

  it('lists the newest LISTED_COMMITS and counts the rest in one row', () => {
    const one = listedCommits(numbers(LISTED_COMMITS + 1));
    assert.deepEqual(one.listed, numbers(LISTED_COMMITS));
    assert.equal(one.older?.label, '1 older commit');
    const many = listedCommits(numbers(14_844));
    assert.equal(many.listed.length, LISTED_COMMITS);
    assert.equal(many.listed[0], 0, 'newest first, as given');
    assert.deepEqual(many.older, {
      label: '14,744 older commits',
      tooltip: `The newest ${LISTED_COMMITS} of 14,844 undeployed commits are listed. Open this row to pick from all of them and show one's patch.`,
    });
  });
});
