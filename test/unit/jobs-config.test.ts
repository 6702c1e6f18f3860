// `jobs` in cloud-run-drift.json: what a data job resolves to, and what bad input is told.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/core/config';

const FILE = '/repo/cloud-run-drift.json';
const SERVICES = { 'prediction-coordinator': { paths: ['predictions/coordinator'] } };

function configText(jobs: unknown, top: Record<string, unknown> = { project: 'nba-props-platform', region: 'us-west2' }): string {
  return JSON.stringify({ ...top, services: SERVICES, jobs }, null, 2);
}

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, FILE);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems.map((p) => `${p.line}: ${p.jsonPath}: ${p.message}`);
  }
  assert.fail('expected the configuration to be rejected');
}

describe('data job configuration', () => {
  it('resolves a job with its defaults, in the order the file lists them', () => {
    const config = parseConfig(
      configText({
        'grading-backfill': {
          command: 'node grade.mjs --start-date ${startDate} --end-date ${endDate}',
          requires: ['prediction-coordinator'],
          table: 'other-project.nba_predictions.prediction_accuracy',
          scoreboard: 'SELECT 1',
        },
        'boxscore-backfill': { command: './backfill.sh', project: 'scraper-project', maxDays: 7, description: 'Box scores' },
      }),
      FILE,
    );
    assert.deepEqual(config.jobs, [
      {
        name: 'grading-backfill',
        command: 'node grade.mjs --start-date ${startDate} --end-date ${endDate}',
        description: undefined,
        requires: ['prediction-coordinator'],
        project: 'nba-props-platform',
        table: 'other-project.nba_predictions.prediction_accuracy',
        maxDays: 31,
        scoreboard: 'SELECT 1',
      },
      { name: 'boxscore-backfill', command: './backfill.sh', description: 'Box scores', requires: [], project: 'scraper-project', table: undefined, maxDays: 7, scoreboard: undefined },
    ]);
  });

  it("takes the project from the table when neither the job nor the file names one (a domain-scoped one keeps its dots)", () => {
    const config = parseConfig(
      JSON.stringify({ services: { api: { project: 'api-project', region: 'us-west2' } }, jobs: { grade: { command: 'x', table: 'example.com:stats-project.d.t' } } }),
      FILE,
    );
    assert.equal(config.jobs[0]!.project, 'example.com:stats-project');
  });

  it('refuses a job without any project, naming the job and its line', () => {
    assert.deepEqual(problemsOf(JSON.stringify({ services: { api: { project: 'api-project', region: 'us-west2' } }, jobs: { grade: { command: 'x' } } }, null, 2)), [
      '9: $.jobs.grade: expected a "project" here or at the top level (or a "table" that names one)',
    ]);
  });

  it('refuses requires naming a service that is not configured', () => {
    assert.deepEqual(problemsOf(configText({ grade: { command: 'x', requires: ['prediction-coordinator', 'prediction-wroker'] } })), [
      '16: $.jobs.grade.requires[1]: expected the name of a configured service, got "prediction-wroker"',
    ]);
  });

  it('refuses malformed jobs with the JSON path and what was expected', () => {
    const problems = problemsOf(
      configText({
        Grade_Job: { command: 'x' },
        good: { command: '', table: 'not-a-table', maxDays: 0, requires: ['-upper'], cmd: 'typo' },
        nocommand: {},
      }),
    );
    assert.deepEqual(problems.sort(), [
      '12: $.jobs.Grade_Job: invalid job name "Grade_Job": expected a job name (lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen)',
      '22: $.jobs.good.cmd: unknown key "cmd" (expected one of: command, cloudRunJob, args, taskCount, timeout, description, requires, project, table, maxDays, scoreboard, totals, scoreboardRange)',
      '16: $.jobs.good.command: expected a non-empty string',
      '17: $.jobs.good.table: expected a BigQuery table as project.dataset.table, e.g. "my-project.analytics.events"',
      '18: $.jobs.good.maxDays: expected at least 1',
      '20: $.jobs.good.requires[0]: expected the name of a Cloud Run service, function or job (letters, digits, hyphens and underscores, starting with a letter, at most 63 characters; see "kind" for each one\'s rules)',
      '24: $.jobs.nocommand: missing "command" (a command to run) or "cloudRunJob" (a Cloud Run job to execute)',
    ].sort());
  });

  it('resolves a scoreboard’s totals and opening range', () => {
    const totals = { graded: 'sum', mae: { weightedBy: 'graded' } };
    const config = parseConfig(configText({ grade: { command: 'x', scoreboard: 'SELECT 1', totals, scoreboardRange: { start: '2026-01-24', end: '2026-01-28' } } }), FILE);
    assert.deepEqual([config.jobs[0]!.totals, config.jobs[0]!.scoreboardRange], [totals, { start: '2026-01-24', end: '2026-01-28' }]);
  });

  it('refuses totals it cannot compute and a range that is not one, with the line and the JSON path', () => {
    const problems = problemsOf(
      configText({
        a: { command: 'x', totals: { graded: 'sum' } },
        b: { command: 'x', scoreboard: 'SELECT d, COUNT(*) AS n FROM t GROUP BY ROLLUP(d)', totals: { n: 'sum' } },
        c: { command: 'x', scoreboard: 'SELECT 1', totals: { mae: { weightedBy: 'MAE' } }, scoreboardRange: { start: '2026-02-30', end: '2026-01-01' } },
        d: { command: 'x', scoreboard: 'SELECT 1', scoreboardRange: { start: '2026-01-28', end: '2026-01-24' } },
      }),
    );
    assert.deepEqual(problems.sort(), [
      '14: $.jobs.a.totals: expected a "scoreboard" query beside "totals"',
      '21: $.jobs.b.totals: the scoreboard query computes its own Total row with GROUP BY ROLLUP; remove "totals" or the ROLLUP',
      '30: $.jobs.c.totals.mae.weightedBy: a column cannot be weighted by itself; name the count column "mae" averages over (e.g. "graded")',
      '34: $.jobs.c.scoreboardRange.start: 2026-02-30 is not a calendar date',
      '43: $.jobs.d.scoreboardRange.end: expected a date on or after the start 2026-01-28, got 2026-01-24',
    ].sort());
  });

  it('refuses a totals rule that is not one, saying what is', () => {
    assert.deepEqual(problemsOf(configText({ d: { command: 'x', scoreboard: 'SELECT 1', totals: { mae: 'avg', bias: { weighted: 'graded' } } } })).sort(), [
      '16: $.jobs.d.totals.mae: expected "sum", "min" or "max", got "avg"',
      '17: $.jobs.d.totals.bias: missing required key "weightedBy"',
      '18: $.jobs.d.totals.bias.weighted: unknown key "weighted" (expected one of: weightedBy); did you mean "weightedBy"?',
    ].sort());
  });
});
