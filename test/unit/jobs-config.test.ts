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
      '22: $.jobs.good.cmd: unknown key "cmd" (expected one of: command, cloudRunJob, args, taskCount, timeout, description, requires, project, table, maxDays, scoreboard)',
      '16: $.jobs.good.command: expected a non-empty string',
      '17: $.jobs.good.table: expected a BigQuery table as project.dataset.table, e.g. "my-project.analytics.events"',
      '18: $.jobs.good.maxDays: expected at least 1',
      '20: $.jobs.good.requires[0]: expected the name of a Cloud Run service, function or job (letters, digits, hyphens and underscores, starting with a letter, at most 63 characters; see "kind" for each one\'s rules)',
      '24: $.jobs.nocommand: missing "command" (a command to run) or "cloudRunJob" (a Cloud Run job to execute)',
    ].sort());
  });
});
