// The Logging query language subset: parsing (precedence, quoting, errors) and evaluation against entries.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalizeEntry, type LogEntryInput, type StoredLogEntry } from '../../src/emulator/logging/entry';
import { FilterSyntaxError, compileFilter, parseFilter, type FilterNode } from '../../src/emulator/logging/filter';
import { LogStore } from '../../src/emulator/logging/store';

const NOW = Date.parse('2026-01-30T23:10:00Z');

function entry(input: LogEntryInput): StoredLogEntry {
  return normalizeEntry({ project: 'nba-props-platform', location: 'us-west2', ...input }, '$', { nowMs: NOW });
}

const mergeError = entry({
  service: 'prediction-coordinator',
  revision: 'prediction-coordinator-00117-m5r',
  timestamp: '2026-01-30T22:40:12.250Z',
  severity: 'ERROR',
  textPayload: 'MERGE failed: UPDATE/MERGE must match at most one source row for each target row; updated_at assigned more than once',
  labels: { instanceId: 'abc123' },
});
const mergeComplete = entry({
  service: 'prediction-coordinator',
  revision: 'prediction-coordinator-00118-fd9',
  timestamp: '2026-01-30T23:08:50Z',
  severity: 'INFO',
  textPayload: 'MERGE complete: 438 rows affected in 4646.0ms',
});
const workerJson = entry({
  service: 'prediction-worker',
  revision: 'prediction-worker-00042-abc',
  timestamp: '2026-01-30T23:00:00Z',
  severity: 'WARNING',
  jsonPayload: { message: 'Slow model load', event_type: 'model_load', details: { seconds: 12.5, retries: [1, 2] } },
  httpRequest: { status: 503, requestMethod: 'GET' },
});
const otherLog = entry({
  logName: 'projects/nba-props-platform/logs/run.googleapis.com%2Frequests',
  resource: { type: 'cloud_run_revision', labels: { service_name: 'nba-phase1-scrapers' } },
  timestamp: '2026-01-30T21:00:00Z',
  textPayload: 'GET /scrape 200',
});
const ALL = [mergeError, mergeComplete, workerJson, otherLog];

function matching(filter: string): string[] {
  const compiled = compileFilter(filter);
  return ALL.filter((e) => compiled.matches(e)).map((e) => e.json.textPayload ?? String(e.json.jsonPayload?.['message']));
}

function parseError(filter: string): string {
  try {
    parseFilter(filter);
  } catch (error) {
    assert.ok(error instanceof FilterSyntaxError, `expected FilterSyntaxError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`expected "${filter}" to be rejected`);
}

describe('parseFilter', () => {
  test('an empty or blank filter matches everything', () => {
    assert.equal(parseFilter(''), null);
    assert.equal(parseFilter('  \n '), null);
    assert.equal(matching('').length, ALL.length);
  });

  test('OR binds tighter than AND, NOT tightest (the documented example)', () => {
    const ast = parseFilter('"a" OR NOT "b" AND NOT "c" OR "d"');
    const expected: FilterNode = {
      kind: 'and',
      children: [
        { kind: 'or', children: [{ kind: 'global', text: 'a' }, { kind: 'not', child: { kind: 'global', text: 'b' } }] },
        { kind: 'or', children: [{ kind: 'not', child: { kind: 'global', text: 'c' } }, { kind: 'global', text: 'd' }] },
      ],
    };
    assert.deepEqual(ast, expected);
  });

  test('juxtaposition is an implicit AND', () => {
    assert.deepEqual(parseFilter('severity=ERROR resource.type="cloud_run_revision"'), {
      kind: 'and',
      children: [
        { kind: 'compare', field: ['severity'], operator: '=', value: 'ERROR' },
        { kind: 'compare', field: ['resource', 'type'], operator: '=', value: 'cloud_run_revision' },
      ],
    });
  });

  test('a leading minus negates, a minus inside a word does not', () => {
    assert.deepEqual(parseFilter('-severity=DEBUG'), {
      kind: 'not',
      child: { kind: 'compare', field: ['severity'], operator: '=', value: 'DEBUG' },
    });
    assert.deepEqual(parseFilter('resource.labels.service_name=prediction-coordinator'), {
      kind: 'compare',
      field: ['resource', 'labels', 'service_name'],
      operator: '=',
      value: 'prediction-coordinator',
    });
  });

  test('every comparison operator is recognized, with or without spaces', () => {
    for (const operator of ['=', '!=', ':', '=~', '!~', '<', '<=', '>', '>='] as const) {
      assert.deepEqual(parseFilter(`jsonPayload.x ${operator} "v"`), { kind: 'compare', field: ['jsonPayload', 'x'], operator, value: 'v' });
      assert.deepEqual(parseFilter(`jsonPayload.x${operator}"v"`), { kind: 'compare', field: ['jsonPayload', 'x'], operator, value: 'v' });
    }
  });

  test('quoted strings keep escapes; unknown escapes stay for regular expressions', () => {
    assert.deepEqual(parseFilter('textPayload="say \\"hi\\" \\\\ now"'), {
      kind: 'compare',
      field: ['textPayload'],
      operator: '=',
      value: 'say "hi" \\ now',
    });
    assert.deepEqual(parseFilter('textPayload=~"MERGE\\s+failed"'), { kind: 'compare', field: ['textPayload'], operator: '=~', value: 'MERGE\\s+failed' });
  });

  test('unquoted values may contain colons and dashes (timestamps)', () => {
    assert.deepEqual(parseFilter('timestamp>=2026-01-30T22:59:00Z severity>=ERROR'), {
      kind: 'and',
      children: [
        { kind: 'compare', field: ['timestamp'], operator: '>=', value: '2026-01-30T22:59:00Z' },
        { kind: 'compare', field: ['severity'], operator: '>=', value: 'ERROR' },
      ],
    });
  });

  test('quoted path segments and value lists', () => {
    assert.deepEqual(parseFilter('labels."run.googleapis.com/instance"="x"'), {
      kind: 'compare',
      field: ['labels', 'run.googleapis.com/instance'],
      operator: '=',
      value: 'x',
    });
    assert.deepEqual(parseFilter('resource.type = ("a" OR "b")'), {
      kind: 'or',
      children: [
        { kind: 'compare', field: ['resource', 'type'], operator: '=', value: 'a' },
        { kind: 'compare', field: ['resource', 'type'], operator: '=', value: 'b' },
      ],
    });
  });

  test('lower-case and/or are search words, not operators', () => {
    assert.deepEqual(parseFilter('merge and failed'), {
      kind: 'and',
      children: [
        { kind: 'global', text: 'merge' },
        { kind: 'global', text: 'and' },
        { kind: 'global', text: 'failed' },
      ],
    });
  });

  test('multi-line filters (as gcloud users write them) parse', () => {
    assert.equal(matching('resource.type="cloud_run_revision"\nAND severity>=ERROR\n').length, 1);
  });
});

describe('parseFilter errors read like the API', () => {
  test('a dangling operator names its position', () => {
    assert.match(parseError('severity>=ERROR AND'), /^Unparseable filter: unexpected end of filter at line 1, column 20/);
    assert.match(parseError('severity>='), /Unparseable filter: unexpected end of filter .*expected a value after '>='/);
  });

  test('a leading AND, an unbalanced parenthesis, an unterminated string', () => {
    assert.match(parseError('AND severity=ERROR'), /^Unparseable filter: syntax error at line 1, column 1, token 'AND'/);
    assert.match(parseError('(severity=ERROR'), /^Unparseable filter: unexpected end of filter.*expected "\)"/);
    assert.match(parseError('severity=ERROR)'), /^Unparseable filter: syntax error at line 1, column 15, token '\)'/);
    assert.match(parseError('textPayload:"MERGE'), /^Unparseable filter: unterminated string starting at line 1, column 13/);
  });

  test('the line and column of an error on a later line', () => {
    assert.match(parseError('severity>=ERROR\nAND AND'), /line 2, column 5, token 'AND'/);
  });

  test('unknown fields, severities, timestamps and bad regular expressions', () => {
    assert.match(parseError('sevrity>=ERROR'), /'sevrity' at line 1, column 1 is not a LogEntry field/);
    assert.match(parseError('severity>=ERRORS'), /invalid severity 'ERRORS'/);
    assert.match(parseError('timestamp>="yesterday"'), /invalid timestamp 'yesterday'.*RFC 3339/);
    assert.match(parseError('textPayload=~"(unclosed"'), /invalid regular expression '\(unclosed'/);
    assert.match(parseError('severity ! ERROR'), /token '!'/);
    assert.match(parseError('SEARCH("x")'), /unsupported function 'SEARCH'/);
  });
});

describe('evaluation', () => {
  test('severity compares by rank, names in any case, numbers too', () => {
    assert.deepEqual(matching('severity>=WARNING'), [mergeError.json.textPayload, 'Slow model load']);
    assert.deepEqual(matching('severity>=warning'), matching('severity>=WARNING'));
    assert.deepEqual(matching('severity=ERROR'), [mergeError.json.textPayload]);
    assert.deepEqual(matching('severity<INFO'), ['GET /scrape 200']);
    assert.deepEqual(matching('severity<=INFO AND severity>DEFAULT'), ['MERGE complete: 438 rows affected in 4646.0ms']);
    assert.deepEqual(matching('severity!=DEFAULT severity!=ERROR severity!=INFO'), ['Slow model load']);
    assert.deepEqual(matching('severity>=500'), [mergeError.json.textPayload]);
  });

  test('resource, labels, logName and insertId', () => {
    assert.equal(matching('resource.type="cloud_run_revision"').length, 4);
    assert.deepEqual(matching('resource.labels.service_name="prediction-worker"'), ['Slow model load']);
    assert.deepEqual(matching('resource.labels.revision_name="prediction-coordinator-00118-fd9"'), ['MERGE complete: 438 rows affected in 4646.0ms']);
    assert.deepEqual(matching('labels.instanceId="abc123"'), [mergeError.json.textPayload]);
    assert.deepEqual(matching('logName="projects/nba-props-platform/logs/run.googleapis.com%2Frequests"'), ['GET /scrape 200']);
    assert.deepEqual(matching('logName="projects/nba-props-platform/logs/run.googleapis.com/requests"'), ['GET /scrape 200']);
    assert.deepEqual(matching('log_id("run.googleapis.com/requests")'), ['GET /scrape 200']);
    assert.deepEqual(matching(`insertId="${mergeComplete.json.insertId}"`), ['MERGE complete: 438 rows affected in 4646.0ms']);
  });

  test('textPayload: regex is case-sensitive unless (?i), has is case-insensitive', () => {
    assert.deepEqual(matching('textPayload=~"updated_at assigned more than once"'), [mergeError.json.textPayload]);
    assert.deepEqual(matching('textPayload=~"^MERGE (failed|complete)"').length, 2);
    assert.deepEqual(matching('textPayload=~"merge"'), []);
    assert.equal(matching('textPayload=~"(?i)merge"').length, 2);
    assert.equal(matching('textPayload:"merge"').length, 2);
    assert.equal(matching('textPayload:MERGE').length, 2);
    assert.deepEqual(matching('textPayload!~"MERGE"'), ['Slow model load', 'GET /scrape 200']);
  });

  test('jsonPayload paths with = : =~ !~ and numbers', () => {
    assert.deepEqual(matching('jsonPayload.event_type="model_load"'), ['Slow model load']);
    assert.deepEqual(matching('jsonPayload.message:"slow"'), ['Slow model load']);
    assert.deepEqual(matching('jsonPayload.message=~"^Slow"'), ['Slow model load']);
    assert.equal(matching('jsonPayload.message!~"^Slow"').length, 3);
    assert.deepEqual(matching('jsonPayload.details.seconds>10'), ['Slow model load']);
    assert.deepEqual(matching('jsonPayload.details.seconds<10'), []);
    assert.deepEqual(matching('jsonPayload.details.retries=2'), ['Slow model load']);
    assert.deepEqual(matching('jsonPayload.details:*'), ['Slow model load']);
    assert.deepEqual(matching('httpRequest.status>=500'), ['Slow model load']);
  });

  test('timestamp ranges with RFC 3339 (any offset, fractional seconds)', () => {
    assert.deepEqual(matching('timestamp>="2026-01-30T22:59:00Z" AND textPayload=~"MERGE"'), ['MERGE complete: 438 rows affected in 4646.0ms']);
    assert.deepEqual(matching('timestamp<"2026-01-30T22:40:12.250000001Z" timestamp>"2026-01-30T21:00:00Z"'), [mergeError.json.textPayload]);
    assert.deepEqual(matching('timestamp<="2026-01-30T22:40:12.25Z" AND timestamp>="2026-01-30T14:40:12.25-08:00"'), [mergeError.json.textPayload]);
  });

  test('AND, OR, NOT, minus and parentheses combine', () => {
    assert.deepEqual(
      matching('resource.labels.service_name="prediction-coordinator" AND (severity=ERROR OR textPayload:"complete")').length,
      2,
    );
    assert.deepEqual(matching('NOT resource.labels.service_name="prediction-coordinator"'), ['Slow model load', 'GET /scrape 200']);
    assert.deepEqual(matching('-resource.labels.service_name="prediction-coordinator" -severity=WARNING'), ['GET /scrape 200']);
    assert.deepEqual(matching('severity=ERROR OR severity=WARNING AND resource.labels.service_name="prediction-worker"'), ['Slow model load']);
  });

  test('bare words and quoted phrases search the payload, case-insensitively', () => {
    assert.deepEqual(matching('"updated_at assigned"'), [mergeError.json.textPayload]);
    assert.deepEqual(matching('merge failed'), [mergeError.json.textPayload]);
    assert.deepEqual(matching('model_load'), ['Slow model load']);
    assert.deepEqual(matching('4646.0ms'), ['MERGE complete: 438 rows affected in 4646.0ms']);
  });

  test('the service a filter is restricted to is found along AND only', () => {
    assert.equal(compileFilter('resource.labels.service_name="prediction-coordinator" AND severity>=ERROR').serviceName, 'prediction-coordinator');
    assert.equal(compileFilter('severity>=ERROR (resource.labels.service_name="a")').serviceName, 'a');
    assert.equal(compileFilter('resource.labels.service_name="a" OR resource.labels.service_name="b"').serviceName, undefined);
    assert.equal(compileFilter('NOT resource.labels.service_name="a"').serviceName, undefined);
  });
});

describe('timestamp bounds and paging in the store', () => {
  test('bounds come from timestamp comparisons along AND only', () => {
    const range = compileFilter('timestamp>="2026-01-30T22:00:00Z" severity>=ERROR AND timestamp<"2026-01-30T23:00:00Z" AND timestamp>"2026-01-30T21:00:00Z"').timestampRange;
    assert.deepEqual(range, { from: { seconds: Date.parse('2026-01-30T22:00:00Z') / 1000, nanos: 0 }, to: { seconds: Date.parse('2026-01-30T23:00:00Z') / 1000, nanos: 0 } });
    assert.deepEqual(compileFilter('timestamp>="2026-01-30T22:00:00Z" OR severity>=ERROR').timestampRange, { from: undefined, to: undefined });
    assert.deepEqual(compileFilter('NOT timestamp>="2026-01-30T22:00:00Z"').timestampRange, { from: undefined, to: undefined });
  });

  test('pages through ties (same timestamp, ordered by insertId) inside bounds, both directions', () => {
    const store = new LogStore();
    const stamps = ['2026-01-30T21:00:00Z', '2026-01-30T22:00:00Z', '2026-01-30T22:00:00Z', '2026-01-30T22:00:00Z', '2026-01-30T22:30:00.5Z', '2026-01-30T23:30:00Z'];
    store.append(stamps.map((timestamp, i) => entry({ insertId: `id-${i}`, service: 'svc', timestamp, textPayload: `line ${i}` })).reverse());
    const collect = (orderBy: string, filter: string): string[] => {
      const ids: string[] = [];
      let pageToken = '';
      do {
        const page = store.list({ resourceNames: ['projects/nba-props-platform'], filter, orderBy, pageSize: 2, pageToken });
        ids.push(...page.entries.map((e) => e.json.insertId));
        pageToken = page.nextPageToken;
      } while (pageToken);
      return ids;
    };
    const bounded = 'timestamp>="2026-01-30T22:00:00Z" timestamp<="2026-01-30T22:30:00.5Z"';
    assert.deepEqual(collect('timestamp asc', bounded), ['id-1', 'id-2', 'id-3', 'id-4']);
    assert.deepEqual(collect('timestamp desc', bounded), ['id-4', 'id-3', 'id-2', 'id-1']);
    assert.deepEqual(collect('', ''), ['id-0', 'id-1', 'id-2', 'id-3', 'id-4', 'id-5']);
    assert.deepEqual(collect('timestamp desc', 'timestamp>"2026-01-30T22:00:00Z"'), ['id-5', 'id-4']);
    // An entry appended between pages into the already-read range does not shift the next page.
    const first = store.list({ resourceNames: ['projects/nba-props-platform'], pageSize: 2 });
    store.append([entry({ insertId: 'id-early', service: 'svc', timestamp: '2026-01-30T20:00:00Z' })]);
    const second = store.list({ resourceNames: ['projects/nba-props-platform'], pageSize: 2, pageToken: first.nextPageToken });
    assert.deepEqual(second.entries.map((e) => e.json.insertId), ['id-2', 'id-3']);
  });
});
