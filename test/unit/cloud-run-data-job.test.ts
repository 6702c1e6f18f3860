// Data jobs that execute a Cloud Run job, their pure parts: the configuration (`cloudRunJob`, `args`,
// `taskCount`, `timeout`), argument templates, the stale-job guard and what a refused run offers,
// RunJob's request, and the exit status of an execution.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig, parseJobTimeout, type DataJobConfig } from '../../src/core/config';
import { checkJobArgs, expandJobArgs, matchJobArgs } from '../../src/core/jobs/args';
import { executionExitCode, taskSummary } from '../../src/core/jobs/followExecution';
import { blockedDecision, describeGuardReport, evaluateJobGuards } from '../../src/core/jobs/guards';
import type { ExecutionFacts, ServiceVerdict, VerdictStatus } from '../../src/core/model';
import { runJobRequest } from '../../src/core/google/runJobs';
import { TemplateError } from '../../src/core/text/shellTemplate';

const FILE = '/repo/cloud-run-drift.json';
const SERVICES = { coordinator: { paths: ['predictions'] }, 'grading-backfill': { kind: 'job', paths: ['jobs/grading'] }, 'boxscore-backfill': { kind: 'job' } };
const ARGS = ['--start-date=${startDate}', '--end-date=${endDate}'];

function configText(jobs: unknown): string {
  return JSON.stringify({ project: 'nba-props-platform', region: 'us-west2', services: SERVICES, jobs }, null, 2);
}

function problemsOf(jobs: unknown): string[] {
  try {
    parseConfig(configText(jobs), FILE);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems.map((p) => `${p.line}: ${p.jsonPath}: ${p.message}`);
  }
  assert.fail('expected the configuration to be rejected');
}

describe('data job configuration: cloudRunJob', () => {
  it('resolves a job that executes a Cloud Run job, with its arguments, task count and timeout', () => {
    const config = parseConfig(configText({ grade: { cloudRunJob: 'grading-backfill', args: ARGS, taskCount: 4, timeout: '1h30m', requires: ['coordinator'] } }), FILE);
    assert.deepEqual(config.jobs[0], {
      name: 'grade',
      command: undefined,
      cloudRunJob: { unit: 'grading-backfill', args: ARGS, taskCount: 4, timeoutSeconds: 5400 },
      description: undefined,
      requires: ['coordinator'],
      project: 'nba-props-platform',
      table: undefined,
      maxDays: 31,
      scoreboard: undefined,
    });
    const plain = parseConfig(configText({ grade: { cloudRunJob: 'grading-backfill', args: [] } }), FILE);
    assert.deepEqual(plain.jobs[0]!.cloudRunJob, { unit: 'grading-backfill', args: [], taskCount: undefined, timeoutSeconds: undefined });
  });

  it('refuses a cloudRunJob that is not a configured job, with the line, the JSON path and the jobs there are', () => {
    assert.deepEqual(problemsOf({ grade: { cloudRunJob: 'grading-backfil', args: ARGS } }), [
      '22: $.jobs.grade.cloudRunJob: expected the name of a configured unit of kind "job", got "grading-backfil" (configured jobs: grading-backfill, boxscore-backfill); did you mean "grading-backfill"?',
    ]);
    assert.deepEqual(problemsOf({ grade: { cloudRunJob: 'coordinator', args: ARGS } }), [
      '22: $.jobs.grade.cloudRunJob: "coordinator" is a service, not a Cloud Run job: only a unit of kind "job" can be executed',
    ]);
  });

  it('takes exactly one of command and cloudRunJob', () => {
    assert.deepEqual(problemsOf({ grade: { command: './grade.sh', cloudRunJob: 'grading-backfill', args: ARGS } }), ['23: $.jobs.grade.cloudRunJob: expected either "command" or "cloudRunJob", not both']);
    assert.deepEqual(problemsOf({ grade: { description: 'nothing to run' } }), ['21: $.jobs.grade: missing "command" (a command to run) or "cloudRunJob" (a Cloud Run job to execute)']);
  });

  it('refuses settings of a Cloud Run job execution on a command job', () => {
    assert.deepEqual(problemsOf({ grade: { command: './grade.sh', args: ARGS, timeout: 60 } }), [
      '23: $.jobs.grade.args: "args" is for a data job that executes a Cloud Run job ("cloudRunJob"); a command takes its arguments in "command"',
      '27: $.jobs.grade.timeout: "timeout" is for a data job that executes a Cloud Run job ("cloudRunJob"); a command takes its arguments in "command"',
    ]);
  });

  it('needs args, with known variables only, and a timeout Cloud Run accepts', () => {
    assert.deepEqual(problemsOf({ grade: { cloudRunJob: 'grading-backfill' } }), [
      '21: $.jobs.grade: expected "args" beside "cloudRunJob", the execution\'s arguments, e.g. ["--start-date=${startDate}", "--end-date=${endDate}"]',
    ]);
    assert.deepEqual(problemsOf({ grade: { cloudRunJob: 'grading-backfill', args: ['--out=${workspaceFolder}/x', '--day=${startDate}'] } }), [
      '24: $.jobs.grade.args[0]: unknown template variable ${workspaceFolder} (a Cloud Run job does not run in your workspace) (known: ${startDate}, ${endDate}, ${project})',
    ]);
    assert.deepEqual(problemsOf({ grade: { cloudRunJob: 'grading-backfill', args: ARGS, timeout: '0s' } }), [
      '27: $.jobs.grade.timeout: expected whole seconds (3600) or a duration such as "90m", "2h" or "1h30m", from 1 second to 168h, got "0s"',
    ]);
    assert.match(problemsOf({ grade: { cloudRunJob: 'grading-backfill', args: ARGS, timeout: '10 minutes' } })[0]!, /^27: \$\.jobs\.grade\.timeout: expected a string matching/);
    assert.match(problemsOf({ grade: { cloudRunJob: 'grading-backfill', args: ARGS, taskCount: 0 } })[0]!, /^27: \$\.jobs\.grade\.taskCount: expected at least 1/);
    assert.match(problemsOf({ grade: { cloudRunJob: 'grading-backfill', args: ['--day=\u001b[31m'] } })[0]!, /^24: \$\.jobs\.grade\.args\[0\]: expected no control characters, found U\+001B/);
  });

  it('reads a timeout as whole seconds or as hours, minutes and seconds', () => {
    assert.equal(parseJobTimeout(3600), 3600);
    assert.equal(parseJobTimeout('90m'), 5400);
    assert.equal(parseJobTimeout('2h'), 7200);
    assert.equal(parseJobTimeout('1h30m15s'), 5415);
    assert.equal(parseJobTimeout('168h'), 604_800);
    for (const bad of [0, 1.5, 604_801, '169h', '', 'h', '1m1h', '-5s']) assert.equal(parseJobTimeout(bad), null, String(bad));
  });
});

describe('execution argument templates', () => {
  const values = { startDate: '2026-01-24', endDate: '2026-01-28', project: 'nba-props-platform' };

  it('substitutes each value into its argument, one string each, nothing quoted', () => {
    assert.deepEqual(expandJobArgs([...ARGS, '--project', '${project}', 'literal $HOME $(x)'], values), [
      '--start-date=2026-01-24',
      '--end-date=2026-01-28',
      '--project',
      'nba-props-platform',
      'literal $HOME $(x)',
    ]);
  });

  it('refuses a value its variable cannot have, before anything is built', () => {
    for (const [variable, value] of [
      ['startDate', '2026-01-01,--evil'],
      ['startDate', '$(id)'],
      ['endDate', '2026-02-30'],
      ['project', 'x; rm -rf /'],
    ] as const) {
      assert.throws(
        () => expandJobArgs(ARGS, { ...values, [variable]: value }),
        (err: unknown) => err instanceof TemplateError && err.variable === variable && err.message.startsWith(`\${${variable}} would be ${JSON.stringify(value)}: `) && err.message.endsWith('the job was not started'),
      );
    }
  });

  it('tells the range an execution\'s arguments were expanded for, and only for arguments its template gives', () => {
    const templates = [...ARGS, '--project=${project}', '--dry-run'];
    const args = expandJobArgs(templates, values);
    assert.deepEqual(matchJobArgs(templates, args, 'nba-props-platform'), { start: '2026-01-24', end: '2026-01-28', days: 5 });
    // A date used twice must be the same date; a template of one date gives a one-day range.
    assert.deepEqual(matchJobArgs(['--from=${startDate}', '--day=${startDate}', '--to=${endDate}'], ['--from=2026-01-24', '--day=2026-01-24', '--to=2026-01-24'], 'p'), { start: '2026-01-24', end: '2026-01-24', days: 1 });
    assert.equal(matchJobArgs(['--from=${startDate}', '--day=${startDate}', '--to=${endDate}'], ['--from=2026-01-24', '--day=2026-01-25', '--to=2026-01-26'], 'p'), null);
    for (const other of [
      [],
      args.slice(0, 3),
      [...args, '--extra'],
      ['--start-date=2026-01-24', '--end-date=2026-01-28', '--project=other-project', '--dry-run'],
      ['--start-date=2026-01-24', '--end-date=2026-01-28', '--project=nba-props-platform', '--wet-run'],
      ['--start-date=2026-01-28', '--end-date=2026-01-24', '--project=nba-props-platform', '--dry-run'],
      ['--start-date=2026-02-30', '--end-date=2026-03-01', '--project=nba-props-platform', '--dry-run'],
      ['--start-date=2026-01-24,--evil', '--end-date=2026-01-28', '--project=nba-props-platform', '--dry-run'],
      ['--start-date=2026-01-24', '--end-date=2026-01-28x', '--project=nba-props-platform', '--dry-run'],
    ]) {
      assert.equal(matchJobArgs(templates, other, 'nba-props-platform'), null, JSON.stringify(other));
    }
    // A project with a regular expression's characters in it is matched literally.
    assert.equal(matchJobArgs(['--p=${project}', ...ARGS], ['--p=aXb', '--start-date=2026-01-24', '--end-date=2026-01-24'], 'a.b'), null);
    // Without both dates there is no range to show.
    assert.equal(matchJobArgs(['--date=${startDate}'], ['--date=2026-01-24'], 'p'), null);
  });

  it('finds an unknown or unclosed variable without values', () => {
    assert.equal(checkJobArgs(ARGS), null);
    assert.equal(checkJobArgs(['--a=${startDate}', '--b=${service}'])?.index, 1);
    assert.match(checkJobArgs(['--b=${startDate'])?.error.message ?? '', /unclosed \$\{/);
  });
});

function verdict(name: string, status: VerdictStatus, extra: Partial<ServiceVerdict> = {}): ServiceVerdict {
  return {
    name,
    kind: 'job',
    project: 'nba-props-platform',
    region: 'us-west2',
    status,
    deployedCommit: 'b'.repeat(40),
    commitLabel: 'bbbbbbbb',
    commitsBehind: status === 'stale' ? 40 : 0,
    commits: [],
    dirty: false,
    serving: [],
    latestCreatedRevision: null,
    failedRevision: null,
    message: status === 'stale' ? "grading-backfill's template carries bbbbbbbb; 40 later commits touch the job's paths." : 'A deploy of grading-backfill is in progress; no verdict until it settles.',
    deployedSubject: null,
    deployedAt: null,
    driftSince: null,
    paths: [],
    missingPaths: [],
    lastExecution: null,
    executions: [],
    ...extra,
  };
}

const JOB: DataJobConfig = {
  name: 'grade',
  command: undefined,
  cloudRunJob: { unit: 'grading-backfill', args: ARGS, taskCount: undefined, timeoutSeconds: undefined },
  description: undefined,
  requires: [],
  project: 'nba-props-platform',
  table: undefined,
  maxDays: 31,
  scoreboard: undefined,
};
const NOW = new Date('2026-11-29T12:00:00Z');

describe('the stale-job guard', () => {
  it('passes when the Cloud Run job runs HEAD\'s code for its paths', () => {
    const report = evaluateJobGuards(JOB, [verdict('grading-backfill', 'up-to-date')], undefined, NOW);
    assert.deepEqual(describeGuardReport(report), ["✓ the Cloud Run job grading-backfill runs HEAD's code for its paths (bbbbbbbb)"]);
    assert.deepEqual(blockedDecision(report), { choices: ['run-anyway'], deploy: null });
  });

  it('refuses a stale job with "Deploy the job first", offering Deploy (then run) and Run Anyway', () => {
    const report = evaluateJobGuards(JOB, [verdict('grading-backfill', 'stale')], undefined, NOW);
    assert.deepEqual(report.blockers, [
      {
        kind: 'stale-job',
        subject: 'grading-backfill',
        deployable: true,
        message: "The Cloud Run job grading-backfill is stale, 40 commits behind: grading-backfill's template carries bbbbbbbb; 40 later commits touch the job's paths. Deploy the job first.",
      },
    ]);
    assert.deepEqual(blockedDecision(report), { choices: ['deploy-then-run', 'run-anyway'], deploy: 'grading-backfill' });
    for (const status of ['diverged', 'deploy-failed', 'unknown-commit', 'not-found', 'unlabeled'] as const) {
      const blocked = evaluateJobGuards(JOB, [verdict('grading-backfill', status)], undefined, NOW);
      assert.equal(blockedDecision(blocked).deploy, 'grading-backfill', status);
      assert.match(blocked.blockers[0]!.message, /Deploy the job first\.$/, status);
    }
  });

  it('does not offer a deploy while one is in progress, nor when the job could not be checked', () => {
    const deploying = evaluateJobGuards(JOB, [verdict('grading-backfill', 'deploying')], undefined, NOW);
    assert.equal(deploying.blockers[0]!.message, 'The Cloud Run job grading-backfill is being deployed: A deploy of grading-backfill is in progress; no verdict until it settles. Run it once the deploy has settled.');
    assert.deepEqual(blockedDecision(deploying), { choices: ['run-anyway'], deploy: null });
    const failed = evaluateJobGuards(JOB, [verdict('grading-backfill', 'error', { message: 'backend exploded' })], undefined, NOW);
    assert.deepEqual(failed.blockers, [{ kind: 'unchecked', subject: 'grading-backfill', message: 'grading-backfill: could not be checked: backend exploded' }]);
    assert.deepEqual(blockedDecision(failed), { choices: ['run-anyway'], deploy: null });
    const unchecked = evaluateJobGuards(JOB, [], undefined, NOW);
    assert.equal(unchecked.blockers[0]!.kind, 'unchecked');
  });

  it('judges the job once when it is also among the units the data job requires', () => {
    const report = evaluateJobGuards({ ...JOB, requires: ['grading-backfill'] }, [verdict('grading-backfill', 'stale')], undefined, NOW);
    assert.equal(report.blockers.length, 1);
    assert.equal(report.blockers[0]!.kind, 'stale-job');
  });
});

describe('RunJob and the end of an execution', () => {
  it('sends the arguments as the container override, the task count and the timeout as a Duration', () => {
    const ref = { project: 'p-123456', region: 'us-west2', name: 'grading-backfill' };
    assert.deepEqual(runJobRequest(ref, { args: ['--start-date=2026-01-24'], taskCount: 3, timeoutSeconds: 600 }), {
      name: 'projects/p-123456/locations/us-west2/jobs/grading-backfill',
      overrides: { containerOverrides: [{ args: ['--start-date=2026-01-24'] }], taskCount: 3, timeout: { seconds: 600 } },
    });
    // No arguments at all replaces the job's own with none: proto3 needs clearArgs to say so.
    assert.deepEqual(runJobRequest(ref, { args: [] }).overrides, { containerOverrides: [{ args: [], clearArgs: true }] });
  });

  it('exits as a command job does: 0 succeeded, 1 failed or cancelled, 3 when the end is not known', () => {
    assert.deepEqual(
      (['succeeded', 'failed', 'cancelled', 'unknown', 'detached'] as const).map(executionExitCode),
      [0, 1, 1, 3, 3],
    );
  });

  it('sums up the tasks in one line', () => {
    const execution = { tasks: { total: 5, running: 2, succeeded: 2, failed: 1, cancelled: 0 } } as ExecutionFacts;
    assert.equal(taskSummary(execution), '2 running, 2 succeeded, 1 failed of 5');
    assert.equal(taskSummary({ tasks: { ...execution.tasks, cancelled: 1 } } as ExecutionFacts), '2 running, 2 succeeded, 1 failed, 1 cancelled of 5');
  });
});
