// Data jobs' pure decisions: date ranges, command templates, guards and the scoreboard table.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { DataJobConfig } from '../../src/core/config';
import type { ServiceVerdict, VerdictStatus } from '../../src/core/model';
import { checkJobTemplate, expandJobCommand, type JobTemplateValues } from '../../src/core/jobs/command';
import { addDays, DateRangeError, dateProblem, parseDateRange } from '../../src/core/jobs/dates';
import { describeGuardReport, evaluateJobGuards } from '../../src/core/jobs/guards';
import { formatQueryTable } from '../../src/core/jobs/table';
import { TemplateError } from '../../src/core/text/shellTemplate';

const LIMITS = { maxDays: 31, today: '2026-11-29' };

function rangeError(start: string, end: string, limits = LIMITS): { field: string; message: string } {
  try {
    parseDateRange(start, end, limits);
  } catch (err) {
    assert.ok(err instanceof DateRangeError, String(err));
    return { field: err.field, message: err.message };
  }
  assert.fail(`${start}..${end} was accepted`);
}

describe('date ranges', () => {
  it('accepts a range inclusive of both ends, trimmed', () => {
    assert.deepEqual(parseDateRange(' 2026-01-24', '2026-01-28 ', LIMITS), { start: '2026-01-24', end: '2026-01-28', days: 5 });
    assert.deepEqual(parseDateRange('2026-11-29', '2026-11-29', LIMITS), { start: '2026-11-29', end: '2026-11-29', days: 1 });
    assert.deepEqual(parseDateRange('2024-02-28', '2024-03-01', LIMITS), { start: '2024-02-28', end: '2024-03-01', days: 3 }, 'leap day counted');
  });

  it('refuses text that is not a calendar date as YYYY-MM-DD, naming the field', () => {
    assert.deepEqual(rangeError('2026-1-24', '2026-01-28'), { field: 'start', message: 'start date: expected a date as YYYY-MM-DD, got "2026-1-24"' });
    assert.deepEqual(rangeError('2026-01-24', '2026-02-30'), { field: 'end', message: 'end date: 2026-02-30 is not a calendar date' });
    assert.deepEqual(rangeError('2026-01-24', '2026-01-28; rm -rf ~'), { field: 'end', message: 'end date: expected a date as YYYY-MM-DD, got "2026-01-28; rm -rf ~"' });
    assert.equal(dateProblem('2025-02-29'), '2025-02-29 is not a calendar date');
    assert.equal(dateProblem('2024-02-29'), undefined);
  });

  it('refuses a backwards range, one that ends after today, and one longer than maxDays', () => {
    assert.deepEqual(rangeError('2026-01-28', '2026-01-24'), { field: 'end', message: 'the start date 2026-01-28 is after the end date 2026-01-24' });
    assert.deepEqual(rangeError('2026-11-20', '2026-11-30'), { field: 'end', message: 'the end date 2026-11-30 is after today (2026-11-29 UTC)' });
    assert.deepEqual(rangeError('2026-01-01', '2026-02-01'), { field: 'end', message: '2026-01-01 to 2026-02-01 is 32 days; this job runs at most 31 days at a time' });
    assert.equal(parseDateRange('2026-01-01', '2026-01-31', LIMITS).days, 31);
  });

  it('adds days across month and year ends', () => {
    assert.equal(addDays('2026-12-31', 1), '2027-01-01');
    assert.equal(addDays('2026-03-01', -1), '2026-02-28');
  });
});

describe('job command templates', () => {
  const values: JobTemplateValues = { startDate: '2026-01-24', endDate: '2026-01-28', project: 'nba-props-platform', workspaceFolder: "/home/o'neil/repo" };

  it('quotes every value for where it stands, and bash reads back exactly the values', () => {
    const expanded = expandJobCommand('printf "%s\\n" ${startDate} "${endDate}" \'${project}\' ${workspaceFolder}/x', values);
    assert.equal(expanded.commandLine, `printf "%s\\n" '2026-01-24' "2026-01-28" 'nba-props-platform' '/home/o'\\''neil/repo'/x`);
    assert.deepEqual(expanded.variables, ['startDate', 'endDate', 'project', 'workspaceFolder']);
    const printed = execFileSync('bash', ['-c', expanded.commandLine], { encoding: 'utf8' });
    assert.deepEqual(printed.trimEnd().split('\n'), ['2026-01-24', '2026-01-28', 'nba-props-platform', "/home/o'neil/repo/x"]);
  });

  it('refuses a hostile or malformed value before anything runs, naming the variable', () => {
    for (const [variable, value] of [
      ['startDate', '2026-01-24; touch /tmp/pwned'],
      ['endDate', '$(reboot)'],
      ['project', 'Bad Project'],
      ['workspaceFolder', 'relative/path'],
    ] as const) {
      assert.throws(
        () => expandJobCommand('run ${startDate} ${endDate}', { ...values, [variable]: value }),
        (err: unknown) => err instanceof TemplateError && err.variable === variable && err.message.includes('the job was not started'),
        variable,
      );
    }
  });

  it("refuses deploy variables and positions whose quoting cannot be guaranteed", () => {
    assert.match(checkJobTemplate('./grade.sh ${service}')?.message ?? '', /unknown template variable \$\{service\} \(known: \$\{startDate\}, \$\{endDate\}, \$\{project\}, \$\{workspaceFolder\}\)/);
    assert.match(checkJobTemplate('echo $(date -d ${startDate})')?.message ?? '', /inside \$\(\.\.\.\)/);
    assert.equal(checkJobTemplate('node grade.mjs --start-date ${startDate} --end-date ${endDate} | tee grade.log'), null);
  });
});

function job(overrides: Partial<DataJobConfig> = {}): DataJobConfig {
  return { name: 'grading-backfill', command: 'x', description: undefined, requires: ['coordinator'], project: 'nba-props-platform', table: 'nba-props-platform.preds.accuracy', maxDays: 31, scoreboard: undefined, ...overrides };
}

function verdict(name: string, status: VerdictStatus, extra: Partial<ServiceVerdict> = {}): ServiceVerdict {
  return {
    name,
    kind: 'service',
    project: 'nba-props-platform',
    region: 'us-west2',
    status,
    deployedCommit: 'a'.repeat(40),
    commitLabel: 'aaaaaaaa',
    commitsBehind: status === 'stale' ? 53 : 0,
    commits: [],
    driftSince: null,
    dirty: false,
    serving: [],
    latestCreatedRevision: null,
    failedRevision: null,
    message: status === 'stale' ? 'coordinator-00117-m5r serves aaaaaaaa; 53 later commits touch the service\'s paths.' : '',
    deployedSubject: null,
    deployedAt: null,
    paths: [],
    missingPaths: [],
    ...extra,
  };
}

const NOW = new Date('2026-11-29T12:00:00Z');

describe('job guards', () => {
  it('pass when every required service is up to date and the buffer is empty', () => {
    const report = evaluateJobGuards(job(), [verdict('coordinator', 'up-to-date')], { table: 'nba-props-platform.preds.accuracy', buffer: null }, NOW);
    assert.deepEqual(report.blockers, []);
    assert.deepEqual(describeGuardReport(report), ["✓ coordinator serves HEAD's code for its paths (aaaaaaaa)", '✓ nba-props-platform.preds.accuracy: the streaming buffer is empty']);
  });

  it('block on stale code, naming how far behind and what to do', () => {
    const report = evaluateJobGuards(job(), [verdict('coordinator', 'stale')], undefined, NOW);
    assert.deepEqual(report.blockers, [
      {
        kind: 'stale-code',
        subject: 'coordinator',
        message: "coordinator is stale, 53 commits behind: coordinator-00117-m5r serves aaaaaaaa; 53 later commits touch the service's paths. Deploy it before running grading-backfill.",
      },
    ]);
    for (const status of ['diverged', 'deploy-failed', 'unknown-commit', 'deploying', 'not-found', 'unlabeled'] as const) {
      assert.equal(evaluateJobGuards(job(), [verdict('coordinator', status)], undefined, NOW).blockers[0]?.kind, 'stale-code', status);
    }
  });

  it('block when a required service names a path missing at HEAD: up to date for its other paths proves nothing', () => {
    const message = 'coordinator-00117-m5r serves HEAD. Path "shared/libz" names nothing at HEAD: fix "paths" in cloud-run-drift.json.';
    for (const status of ['up-to-date', 'path-missing'] as const) {
      const report = evaluateJobGuards(job(), [verdict('coordinator', status, { missingPaths: ['shared/libz'], message })], undefined, NOW);
      assert.deepEqual(report.blockers, [{ kind: 'unchecked', subject: 'coordinator', message: `coordinator: could not be checked: ${message}` }], status);
      assert.deepEqual(report.passed, []);
    }
  });

  it('block on rows in the streaming buffer, saying how many and since when', () => {
    const report = evaluateJobGuards(job({ requires: [] }), [], { table: 'nba-props-platform.preds.accuracy', buffer: { estimatedRows: 121, oldestEntryTime: new Date('2026-11-29T11:35:00Z') } }, NOW);
    assert.deepEqual(report.blockers, [
      {
        kind: 'streaming-buffer',
        subject: 'nba-props-platform.preds.accuracy',
        estimatedRows: 121,
        oldestEntryTime: '2026-11-29T11:35:00.000Z',
        message:
          'nba-props-platform.preds.accuracy has about 121 rows in its streaming buffer, the oldest streamed 25m ago (2026-11-29 11:35 UTC). BigQuery refuses DELETE, UPDATE and MERGE on them until it flushes the buffer; run grading-backfill once the buffer is empty.',
      },
    ]);
  });

  it('pass when the table does not exist yet: nothing can be buffered in it, and the job may create it', () => {
    const report = evaluateJobGuards(job({ requires: [] }), [], { table: 'nba-props-platform.preds.new_table', buffer: null, missing: true }, NOW);
    assert.deepEqual(report.blockers, []);
    assert.deepEqual(report.passed, ['nba-props-platform.preds.new_table does not exist yet, so nothing is in its streaming buffer']);
  });

  it('block when a guard cannot be checked: an API failure is never read as a pass', () => {
    const report = evaluateJobGuards(
      job({ requires: ['coordinator', 'worker'] }),
      [verdict('coordinator', 'error', { message: 'Permission denied: run.services.get' })],
      { table: 'nba-props-platform.preds.accuracy', error: 'BigQuery: reading nba-props-platform.preds.accuracy failed: Not found' },
      NOW,
    );
    assert.deepEqual(
      report.blockers.map((b) => `${b.kind}: ${b.message}`),
      [
        'unchecked: coordinator: could not be checked: Permission denied: run.services.get',
        'unchecked: worker: no verdict (it was not checked)',
        'unchecked: nba-props-platform.preds.accuracy: streaming buffer could not be checked: BigQuery: reading nba-props-platform.preds.accuracy failed: Not found',
      ],
    );
    assert.deepEqual(report.passed, []);
  });
});

describe('scoreboard table', () => {
  it('right-aligns numbers with the decimals their column needs, and shows NULL as -', () => {
    const text = formatQueryTable({
      columns: ['game_date', 'graded', 'mae', 'accuracy'],
      rows: [
        ['2026-01-24', 22, 4.52, 40],
        ['2026-01-25', 99, 5.45, 58.9],
        ['2026-01-26', 118, null, null],
      ],
    });
    assert.equal(
      text,
      ['game_date   graded   mae  accuracy', '----------  ------  ----  --------', '2026-01-24      22  4.52      40.0', '2026-01-25      99  5.45      58.9', '2026-01-26     118     -         -'].join('\n'),
    );
    assert.equal(formatQueryTable({ columns: [], rows: [] }), '(no rows)');
  });
});
