// The Logging query scope of a Cloud Run job (resource cloud_run_job) and of one of its executions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cliJson, composeFilter, FilterCompositionError, formatLogLine, jobLogScope, scopeClause, type LogEntry } from '../../src/core/logs';

describe('job log scope', () => {
  it('a job: its cloud_run_job entries in its region; an execution: those labelled with its name', () => {
    assert.equal(scopeClause({ kind: 'job', job: { name: 'backfill', region: 'us-west2' } }), 'resource.type="cloud_run_job" AND resource.labels.job_name="backfill" AND resource.labels.location="us-west2"');
    assert.equal(
      scopeClause({ kind: 'job', job: { name: 'backfill' }, execution: 'backfill-x7k2p' }),
      'resource.type="cloud_run_job" AND resource.labels.job_name="backfill" AND labels."run.googleapis.com/execution_name"="backfill-x7k2p"',
    );
  });

  it('names are string literals: a hostile execution name cannot widen the query', () => {
    const filter = composeFilter({ scope: { kind: 'job', job: { name: 'backfill' }, execution: 'x" OR resource.type="gce_instance' } });
    assert.match(filter, /"run\.googleapis\.com\/execution_name"="x\\" OR resource\.type=\\"gce_instance"$/);
    assert.throws(() => scopeClause({ kind: 'job', job: { name: '' } }), FilterCompositionError);
    assert.throws(() => scopeClause({ kind: 'job', job: { name: 'backfill' }, execution: '' }), FilterCompositionError);
  });

  it('jobLogScope: all executions, or the named one', () => {
    assert.deepEqual(jobLogScope({ name: 'backfill', region: 'us-west2' }), { kind: 'job', job: { name: 'backfill', region: 'us-west2' } });
    assert.deepEqual(jobLogScope({ name: 'backfill', region: 'us-west2' }, 'backfill-x7k2p'), { kind: 'job', job: { name: 'backfill', region: 'us-west2' }, execution: 'backfill-x7k2p' });
  });

  it('a job entry names its execution where a service entry names its revision', () => {
    const entry: LogEntry = { insertId: 'i', timestamp: '2026-01-30T23:00:00Z', severity: 'ERROR', service: null, revision: null, log: 'run.googleapis.com/stderr', text: 'KeyError', labels: { 'run.googleapis.com/execution_name': 'backfill-x7k2p' } };
    assert.equal(formatLogLine(entry), '2026-01-30T23:00:00Z ERROR     backfill-x7k2p KeyError');
    assert.deepEqual(cliJson(entry), { insertId: 'i', timestamp: '2026-01-30T23:00:00Z', severity: 'ERROR', revision: null, execution: 'backfill-x7k2p', text: 'KeyError' });
  });
});
