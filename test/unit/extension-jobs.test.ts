// The Data Jobs view's rows: what each job says before, during and after a run, and what its menus key on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DataJobConfig } from '../../src/core/config';
import type { ServiceVerdict, VerdictStatus } from '../../src/core/model';
import { jobRow } from '../../src/extension/jobs/jobPresentation';
import type { JobRunState } from '../../src/core/jobs/runs';
import { JobRuns } from '../../src/extension/jobs/jobRuns';

const NOW = new Date('2026-11-29T12:00:00Z');
const RANGE = { start: '2026-01-24', end: '2026-01-25', days: 2 };

function job(overrides: Partial<DataJobConfig> = {}): DataJobConfig {
  return {
    name: 'grading-backfill',
    command: 'node grade.mjs --start-date ${startDate} --end-date ${endDate}',
    description: 'Grade predictions',
    requires: ['prediction-coordinator'],
    project: 'nba-props-platform',
    table: 'nba-props-platform.preds.accuracy',
    maxDays: 62,
    scoreboard: 'SELECT 1',
    ...overrides,
  };
}

const verdicts =
  (statuses: Record<string, VerdictStatus>) =>
  (name: string): ServiceVerdict | undefined =>
    statuses[name] ? ({ name, status: statuses[name] } as ServiceVerdict) : undefined;

const idle: JobRunState = { phase: 'idle', last: undefined, recent: [] };

describe('Data Jobs rows', () => {
  it('before any run: the description, or which required service is not up to date', () => {
    const fine = jobRow(job(), idle, verdicts({ 'prediction-coordinator': 'up-to-date' }), NOW);
    assert.deepEqual([fine.description, fine.icon.id, fine.contextValue], ['Grade predictions', 'play', 'cloudRunDrift.job.scoreboard']);
    const stale = jobRow(job(), idle, verdicts({ 'prediction-coordinator': 'stale' }), NOW);
    assert.deepEqual([stale.description, stale.icon.id], ['requires prediction-coordinator (not up to date)', 'warning']);
    assert.equal(jobRow(job({ scoreboard: undefined }), idle, verdicts({}), NOW).contextValue, 'cloudRunDrift.job', 'no scoreboard, no Show Scoreboard action');
  });

  it('while it runs: a spinner, and the context value that hides Run', () => {
    const checking = jobRow(job(), { phase: 'checking', last: undefined, recent: [] }, verdicts({}), NOW);
    assert.deepEqual([checking.description, checking.icon.id, checking.contextValue], ['checking guards…', 'loading~spin', 'cloudRunDrift.job.scoreboard.running']);
    assert.equal(jobRow(job(), { phase: 'running', last: undefined, recent: [] }, verdicts({}), NOW).description, 'running…');
  });

  it('after a run: its range, how it ended and when; the tooltip lists the guards and a refusal’s reasons', () => {
    const at = '2026-11-29T11:57:00.000Z';
    const ok = jobRow(job(), { phase: 'idle', last: { range: RANGE, startedAt: at, endedAt: at, result: { kind: 'succeeded' } }, recent: [] }, verdicts({}), NOW);
    assert.deepEqual([ok.description, ok.icon.id], ['2026-01-24..2026-01-25 · succeeded · 3m ago', 'pass']);
    const failed = jobRow(job(), { phase: 'idle', last: { range: RANGE, startedAt: at, endedAt: at, result: { kind: 'failed', exitCode: 1 } }, recent: [] }, verdicts({}), NOW);
    assert.deepEqual([failed.description, failed.icon.id], ['2026-01-24..2026-01-25 · failed (exit 1) · 3m ago', 'error']);
    const refused = jobRow(
      job(),
      { phase: 'idle', last: { range: RANGE, startedAt: at, endedAt: at, result: { kind: 'refused', blockers: ['prediction-coordinator is stale, 53 commits behind'] } }, recent: [] },
      verdicts({ 'prediction-coordinator': 'stale' }),
      NOW,
    );
    assert.equal(refused.description, '2026-01-24..2026-01-25 · refused · 3m ago');
    assert.equal(
      refused.tooltip,
      [
        'grading-backfill',
        'Grade predictions',
        '',
        'Command: node grade.mjs --start-date ${startDate} --end-date ${endDate}',
        'At most 62 days per run',
        'Requires prediction-coordinator up to date: stale',
        'Waits for an empty streaming buffer in nba-props-platform.preds.accuracy',
        '',
        'Last run 2026-01-24 to 2026-01-25, ended 2026-11-29 11:57:00 UTC:',
        'refused by its guards:',
        '✗ prediction-coordinator is stale, 53 commits behind',
      ].join('\n'),
    );
  });

  it('run states: each change fires with the job, and finishing goes back to idle with the record', () => {
    const runs = new JobRuns();
    const fired: string[] = [];
    runs.onDidChange((name) => fired.push(`${name}:${runs.get(name).phase}`));
    assert.deepEqual(runs.get('grading-backfill'), idle);
    runs.setPhase('grading-backfill', 'checking');
    runs.setPhase('grading-backfill', 'running');
    runs.finish('grading-backfill', { range: RANGE, startedAt: '2026-11-29T11:56:00.000Z', endedAt: '2026-11-29T11:57:00.000Z', result: { kind: 'succeeded' } });
    assert.deepEqual(fired, ['grading-backfill:checking', 'grading-backfill:running', 'grading-backfill:idle']);
    assert.equal(runs.get('grading-backfill').last?.result.kind, 'succeeded');
  });
});
