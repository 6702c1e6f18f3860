// A Cloud Run job's verdict and its executions on their own: decisions from facts given as data,
// and how the API's executions read as facts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceConfig } from '../../src/core/config';
import type { LabelResolution, RangeFacts } from '../../src/core/git/repository';
import { computeJobVerdict, judgeExecution, lastExecutionSentence } from '../../src/core/verdicts/jobVerdict';
import type { ExecutionFacts, JobFacts, JobLookup } from '../../src/core/model';
import { executionFacts } from '../../src/core/google/runJobs';
import type { GitFactsForVerdict } from '../../src/core/verdicts/verdict';

const HEAD = 'b'.repeat(40);
const TEMPLATE = 'a'.repeat(40);
const OLD = 'c'.repeat(40);
const OTHER_BRANCH = 'd'.repeat(40);

const job: ServiceConfig = { name: 'backfill', kind: 'job', project: 'p', region: 'us-west2', paths: ['jobs/backfill'], dependsOn: [] };

function execution(overrides: Partial<ExecutionFacts> = {}): ExecutionFacts {
  return {
    name: 'backfill-abcde',
    labels: { 'commit-sha': OLD.slice(0, 8) },
    status: 'succeeded',
    createTime: '2026-01-01T00:00:00.000Z',
    startTime: '2026-01-01T00:00:02.000Z',
    completionTime: '2026-01-01T00:01:02.000Z',
    tasks: { total: 1, running: 0, succeeded: 1, failed: 0, cancelled: 0 },
    message: null,
    args: [],
    ...overrides,
  };
}

function found(overrides: Partial<JobFacts> = {}): JobLookup {
  return {
    kind: 'found',
    facts: {
      name: 'backfill',
      project: 'p',
      region: 'us-west2',
      templateLabels: { 'commit-sha': TEMPLATE.slice(0, 8) },
      labels: {},
      image: null,
      reconciling: false,
      failed: false,
      failureMessage: null,
      updateTime: '2026-01-01T00:00:00.000Z',
      executions: [execution()],
      executionsError: null,
      ...overrides,
    },
  };
}

function range(touching: number, isAncestor = true): RangeFacts {
  return { isAncestor, commits: Array.from({ length: touching }, (_, i) => ({ commit: { sha: String(i).padStart(40, '0'), subject: `change ${i}`, author: 'A', date: '2026-01-02T00:00:00Z' }, files: ['jobs/backfill/main.py'] })) } as RangeFacts;
}

function gitFacts(overrides: Partial<GitFactsForVerdict> = {}): GitFactsForVerdict {
  const labels = new Map<string, LabelResolution>([
    [TEMPLATE.slice(0, 8), { kind: 'found', sha: TEMPLATE }],
    [OLD.slice(0, 8), { kind: 'found', sha: OLD }],
    [OTHER_BRANCH.slice(0, 8), { kind: 'found', sha: OTHER_BRANCH }],
    [HEAD.slice(0, 8), { kind: 'found', sha: HEAD }],
  ]);
  const ranges = new Map<string, RangeFacts>([
    [TEMPLATE, range(3)],
    [OLD, range(40)],
    [OTHER_BRANCH, range(0, false)],
  ]);
  return { head: HEAD, labels, ranges, commits: new Map(), changedPaths: [], lastPathCommit: null, missingPaths: new Set(), shallow: false, ...overrides };
}

describe('computeJobVerdict', () => {
  it('the template decides: stale by the commits touching the job\'s paths since its commit', () => {
    const v = computeJobVerdict(job, 'commit-sha', found(), gitFacts());
    assert.equal(v.status, 'stale');
    assert.equal(v.deployedCommit, TEMPLATE);
    assert.equal(v.commitsBehind, 3);
    assert.equal(v.kind, 'job');
  });

  it('says when the last execution ran older code than the template carries', () => {
    const v = computeJobVerdict(job, 'commit-sha', found(), gitFacts());
    assert.equal(v.lastExecution?.commitsBehind, 40);
    assert.match(v.message, /Its last execution backfill-abcde \(succeeded\) ran cccccccc, code 40 commits old for its paths\.$/);
    const current = computeJobVerdict(job, 'commit-sha', found({ executions: [execution({ labels: { 'commit-sha': TEMPLATE.slice(0, 8) } })] }), gitFacts());
    assert.doesNotMatch(current.message, /last execution/);
  });

  it('a failed terminal condition outranks the template: deploy-failed with the message', () => {
    const v = computeJobVerdict(job, 'commit-sha', found({ failed: true, failureMessage: 'Image not found.' }), gitFacts());
    assert.equal(v.status, 'deploy-failed');
    assert.match(v.message, /^The last deploy of backfill failed: Image not found\. backfill's template carries aaaaaaaa;/);
  });

  it('deploying while reconciling, whatever the template says', () => {
    const v = computeJobVerdict(job, 'commit-sha', found({ reconciling: true, templateLabels: { 'commit-sha': HEAD.slice(0, 8) } }), gitFacts());
    assert.equal(v.status, 'deploying');
    assert.doesNotMatch(v.message, /last execution/);
  });

  it('every path missing at HEAD makes it path-missing, as for services', () => {
    const v = computeJobVerdict(job, 'commit-sha', found(), gitFacts({ missingPaths: new Set(['jobs/backfill']) }));
    assert.equal(v.status, 'path-missing');
  });

  it('not-found and error are the job\'s own', () => {
    assert.equal(computeJobVerdict(job, 'commit-sha', { kind: 'not-found', message: 'x' }, gitFacts()).status, 'not-found');
    const error = computeJobVerdict(job, 'commit-sha', { kind: 'error', message: 'Permission denied: run.jobs.get', code: 7 }, gitFacts());
    assert.deepEqual([error.status, error.message], ['error', 'Permission denied: run.jobs.get']);
  });
});

describe('judgeExecution', () => {
  const git = gitFacts();
  it('0 commits behind when it ran HEAD; null when its commit is on another branch or unknown', () => {
    assert.equal(judgeExecution(execution({ labels: { 'commit-sha': HEAD.slice(0, 8) } }), 'commit-sha', job.paths, git).commitsBehind, 0);
    assert.equal(judgeExecution(execution({ labels: { 'commit-sha': OTHER_BRANCH.slice(0, 8) } }), 'commit-sha', job.paths, git).commitsBehind, null);
    const unknown = judgeExecution(execution({ labels: { 'commit-sha': 'deadbeef' } }), 'commit-sha', job.paths, git);
    assert.deepEqual([unknown.commitLabel, unknown.commit, unknown.commitsBehind], ['deadbeef', null, null]);
    const unlabeled = judgeExecution(execution({ labels: {} }), 'commit-sha', job.paths, git);
    assert.deepEqual([unlabeled.commitLabel, unlabeled.commit], [null, null]);
    assert.equal(lastExecutionSentence(unlabeled), 'Its last execution backfill-abcde (succeeded) ran an unlabeled template.');
  });

  it('duration from start to completion; none while running', () => {
    assert.equal(judgeExecution(execution(), 'commit-sha', job.paths, git).durationMs, 60_000);
    assert.equal(judgeExecution(execution({ status: 'running', completionTime: null }), 'commit-sha', job.paths, git).durationMs, null);
  });
});

describe('executionFacts', () => {
  type Condition = NonNullable<Parameters<typeof executionFacts>[0]['conditions']>[number];
  const completed = (state: Condition['state'], executionReason: Condition['executionReason'] = 0): Condition[] => [{ type: 'Completed', state, executionReason, message: 'Task x-task0 failed with message: boom' }];
  const time = { seconds: 1767225600, nanos: 0 };

  it('pending without a start; running once started', () => {
    assert.equal(executionFacts({ name: 'p/l/jobs/j/executions/j-aaaaa', taskCount: 1 }).status, 'pending');
    assert.equal(executionFacts({ name: 'j-aaaaa', taskCount: 2, runningCount: 1, startTime: time }).status, 'running');
  });

  it('failed with the Completed condition\'s message, from names or numbers', () => {
    const failed = executionFacts({ name: 'j-aaaaa', taskCount: 1, failedCount: 1, startTime: time, completionTime: time, conditions: completed('CONDITION_FAILED', 'NON_ZERO_EXIT_CODE') });
    assert.deepEqual([failed.status, failed.message], ['failed', 'Task x-task0 failed with message: boom']);
    assert.equal(executionFacts({ name: 'j', taskCount: 1, completionTime: time, conditions: completed(3, 2) }).status, 'failed');
    const noMessage = executionFacts({ name: 'j', taskCount: 2, failedCount: 1, succeededCount: 1, completionTime: time });
    assert.equal(noMessage.message, '1 of 2 tasks failed');
  });

  it('cancelled by its reason (a name or a number) or by cancelled tasks alone', () => {
    assert.equal(executionFacts({ name: 'j', taskCount: 2, completionTime: time, cancelledCount: 1, conditions: completed('CONDITION_FAILED', 'CANCELLED') }).status, 'cancelled');
    assert.equal(executionFacts({ name: 'j', taskCount: 2, completionTime: time, conditions: completed(3, 3) }).status, 'cancelled');
    assert.equal(executionFacts({ name: 'j', taskCount: 2, succeededCount: 1, cancelledCount: 1, completionTime: time }).status, 'cancelled');
    assert.equal(executionFacts({ name: 'j', taskCount: 1, succeededCount: 1, completionTime: time }).status, 'succeeded');
  });
});
