// The confirmation's content and when it is shown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriftConfig, ServiceConfig } from '../../src/core/config';
import { buildBulkConfirmation, buildConfirmation, MAX_LISTED_COMMITS, needsConfirmation } from '../../src/core/deploy/confirm';
import { planDeployAll } from '../../src/core/deploy/plan';
import type { CommitInfo, ServiceVerdict, VerdictStatus } from '../../src/core/model';

const commit = (n: number, subject = `change ${n}`): CommitInfo => ({ sha: `${String(n).padStart(8, '0')}${'f'.repeat(32)}`, subject, author: 'A', date: '2026-01-30T00:00:00Z' });
const head = commit(99, 'Fix MERGE: updated_at assigned more than once');

describe('needsConfirmation', () => {
  it('always for dirty paths; otherwise unless the setting skips it', () => {
    assert.equal(needsConfirmation(true, true), true);
    assert.equal(needsConfirmation(true, false), true);
    assert.equal(needsConfirmation(false, false), true);
    assert.equal(needsConfirmation(false, true), false);
  });
});

describe('buildConfirmation', () => {
  it('names the service, the commit and the undeployed commits', () => {
    const c = buildConfirmation({ service: 'prediction-coordinator', commit: head, undeployed: [head, commit(2), commit(1)], dirtyFiles: [] });
    assert.equal(c.title, 'Deploy prediction-coordinator at 00000099 "Fix MERGE: updated_at assigned more than once"?');
    assert.deepEqual(c.undeployedLines, ['00000099 Fix MERGE: updated_at assigned more than once', '00000002 change 2', '00000001 change 1']);
    assert.equal(c.detail.split('\n')[0], "3 undeployed commits touching prediction-coordinator's paths:");
    assert.equal(c.warning, null);
    assert.equal(c.confirmLabel, 'Deploy');
    assert.equal(c.shortCommit, '00000099');
    assert.equal(c.commit, head.sha);
  });

  it('caps the list with "and N more"', () => {
    const many = Array.from({ length: 53 }, (_, i) => commit(53 - i));
    const c = buildConfirmation({ service: 'svc', commit: head, undeployed: many, dirtyFiles: [] });
    assert.equal(c.undeployedLines.length, MAX_LISTED_COMMITS + 1);
    assert.equal(c.undeployedLines.at(-1), `and ${53 - MAX_LISTED_COMMITS} more`);
    // "and 1 more" would save nothing: the eleventh commit is listed instead.
    assert.equal(buildConfirmation({ service: 'svc', commit: head, undeployed: many.slice(0, MAX_LISTED_COMMITS + 1), dirtyFiles: [] }).undeployedLines.length, MAX_LISTED_COMMITS + 1);
    assert.equal(buildConfirmation({ service: 'svc', commit: head, undeployed: many, dirtyFiles: [], maxListed: 3 }).undeployedLines.at(-1), 'and 50 more');
  });

  it('warns when the service\'s paths are dirty', () => {
    const files = ['svc/a.py', 'svc/b.py', 'svc/c.py', 'svc/d.py', 'svc/e.py', 'svc/f.py'];
    const c = buildConfirmation({ service: 'svc', commit: head, undeployed: [], dirtyFiles: files });
    assert.match(c.warning ?? '', /^Warning: 6 uncommitted changes in svc's paths \(svc\/a\.py, .*svc\/e\.py and 1 more\)\. .*the image would not match the commit the label claims \(00000099\)\.$/);
    assert.ok(c.detail.endsWith(c.warning!));
    assert.equal(c.confirmLabel, 'Deploy Anyway');
    assert.equal(c.dirty, true);
    assert.match(c.detail, /No undeployed commit touches svc's paths; this redeploys 00000099\./);
  });

  it('says so when the deployed commit is unknown, names a non-default command, and keeps each line one line', () => {
    const c = buildConfirmation({ service: 'svc', commit: commit(5, 'multi\nline\tsubject'), undeployed: null, dirtyFiles: [], commandName: 'hot' });
    assert.equal(c.title, 'Deploy svc at 00000005 "multi line subject" with "hot"?');
    assert.match(c.detail, /not known here, so the commits this deploy ships cannot be listed/);
    assert.deepEqual(c.undeployedLines, []);
  });
});

describe('buildBulkConfirmation', () => {
  const service = (name: string, dependsOn: string[] = []): ServiceConfig => ({ name, kind: 'service', project: 'p-project', region: 'us-west2', paths: [], dependsOn });
  const verdict = (name: string, status: VerdictStatus): ServiceVerdict =>
    ({ name, status, commitsBehind: status === 'stale' ? 3 : null, message: `${name} ${status}` }) as ServiceVerdict;
  const cfg = { services: [service('predictor', ['processor']), service('processor'), service('web'), service('old')] } as DriftConfig;
  const result = { head: '', checkedAt: '', services: [verdict('predictor', 'stale'), verdict('processor', 'stale'), verdict('web', 'unlabeled'), verdict('old', 'diverged')], warnings: [] };

  it('lists the order, what waits for what, and what is left out', () => {
    const plan = planDeployAll(result, cfg);
    const c = buildBulkConfirmation(plan, 1, new Set(['web']));
    assert.equal(c.title, 'Deploy 3 services, upstream first?');
    assert.deepEqual(c.detail.split('\n').slice(0, 3), [
      '1. processor: stale, 3 behind',
      '2. predictor: stale, 3 behind (after processor)',
      '3. web: unlabeled — uncommitted changes in its paths',
    ]);
    assert.match(c.detail, /Not deployed:\n {2}old: serves a commit that is not in the history of HEAD/);
    assert.equal(c.confirmLabel, 'Deploy Anyway');
  });

  it('groups by wave when deploys run in parallel', () => {
    const c = buildBulkConfirmation(planDeployAll(result, cfg), 3);
    assert.deepEqual(c.detail.split('\n').slice(0, 5), ['Wave 1:', '  processor: stale, 3 behind', '  web: unlabeled', 'Wave 2:', '  predictor: stale, 3 behind (after processor)']);
    assert.equal(c.confirmLabel, 'Deploy');
  });
});
