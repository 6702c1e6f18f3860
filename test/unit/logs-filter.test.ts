// Filter composition for Cloud Run logs: scope, saved filter, quoted free text, raw query, severity, window.
// The composed queries are also parsed by the emulator's implementation of the query language, to show that
// hostile text stays inside its string literal.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkedQuery,
  composeFilter,
  FilterCompositionError,
  parseDuration,
  parseSeverity,
  parseSince,
  quoteFilterString,
  scopeClause,
  textMatchClause,
} from '../../src/core/logs/filter';
import { parseFilter, type FilterNode } from '../../src/emulator/logging/filter';

const API = { kind: 'services' as const, services: [{ name: 'api', region: 'us-west2' }] };

/** The string values compared in a parsed query, in order. */
function literals(node: FilterNode | null, out: string[] = []): string[] {
  if (!node) return out;
  if (node.kind === 'compare') out.push(node.value);
  else if (node.kind === 'and' || node.kind === 'or') node.children.forEach((child) => literals(child, out));
  else if (node.kind === 'not') literals(node.child, out);
  return out;
}

describe('quoteFilterString', () => {
  test('plain text is wrapped in quotes', () => {
    assert.equal(quoteFilterString('MERGE failed'), '"MERGE failed"');
  });

  test('quotes, backslashes and control characters are escaped', () => {
    assert.equal(quoteFilterString('say "hi"'), '"say \\"hi\\""');
    assert.equal(quoteFilterString('C:\\path\\'), '"C:\\\\path\\\\"');
    assert.equal(quoteFilterString('line1\nline2\ttab\r'), '"line1\\nline2\\ttab\\r"');
    assert.equal(quoteFilterString('bell\u0007'), '"bell\\u0007"');
    assert.equal(quoteFilterString('ünïcödé ✓'), '"ünïcödé ✓"');
  });

  test('what the query language reads back is exactly the original text, whatever it holds', () => {
    const hostile = [
      '") OR (resource.type="gce_instance"',
      ') OR (',
      '\\") OR severity>=DEFAULT OR ("',
      'trailing backslash \\',
      '"',
      '\\',
      'NOT AND OR ( ) : = =~ "',
      'multi\nline "quoted" \\ text',
    ];
    for (const text of hostile) {
      const node = parseFilter(`textPayload:${quoteFilterString(text)}`);
      assert.deepEqual(node, { kind: 'compare', field: ['textPayload'], operator: ':', value: text }, text);
    }
  });
});

describe('textMatchClause', () => {
  test('a substring match on textPayload or jsonPayload.message', () => {
    assert.equal(textMatchClause('timeout'), '(textPayload:"timeout" OR jsonPayload.message:"timeout")');
  });

  test('hostile text cannot add clauses: the parse is one OR of two comparisons with the text as value', () => {
    const text = '") OR (severity>=DEFAULT) OR ("';
    const node = parseFilter(textMatchClause(text));
    assert.deepEqual(node, {
      kind: 'or',
      children: [
        { kind: 'compare', field: ['textPayload'], operator: ':', value: text },
        { kind: 'compare', field: ['jsonPayload', 'message'], operator: ':', value: text },
      ],
    });
  });
});

describe('scopeClause', () => {
  test('one service, with its region', () => {
    assert.equal(scopeClause(API), 'resource.type="cloud_run_revision" AND resource.labels.service_name="api" AND resource.labels.location="us-west2"');
  });

  test('one service without a region', () => {
    assert.equal(scopeClause({ kind: 'services', services: [{ name: 'api' }] }), 'resource.type="cloud_run_revision" AND resource.labels.service_name="api"');
  });

  test('several services are OR-ed inside parentheses', () => {
    assert.equal(
      scopeClause({ kind: 'services', services: [{ name: 'api', region: 'us-west2' }, { name: 'worker' }] }),
      'resource.type="cloud_run_revision" AND ((resource.labels.service_name="api" AND resource.labels.location="us-west2") OR resource.labels.service_name="worker")',
    );
  });

  test('one revision', () => {
    assert.equal(
      scopeClause({ kind: 'revision', service: { name: 'api' }, revision: 'api-00042-abc' }),
      'resource.type="cloud_run_revision" AND resource.labels.service_name="api" AND resource.labels.revision_name="api-00042-abc"',
    );
  });

  test('a function: its Cloud Run service\'s entries or its own cloud_function entries, each group parenthesized', () => {
    const clause = scopeClause({ kind: 'function', function: { name: 'Grade_Props', region: 'us-west2' }, service: 'grade-props' });
    assert.equal(
      clause,
      '((resource.type="cloud_run_revision" AND resource.labels.service_name="grade-props" AND resource.labels.location="us-west2") OR (resource.type="cloud_function" AND resource.labels.function_name="Grade_Props" AND resource.labels.region="us-west2"))',
    );
    // With more parts AND-ed after it, the OR stays inside the scope's parentheses.
    const parsed = parseFilter(composeFilter({ scope: { kind: 'function', function: { name: 'f" OR "x' }, service: 'f' }, minSeverity: 'ERROR' }));
    assert.equal(parsed?.kind, 'and');
    assert.ok(literals(parsed).includes('f" OR "x'));
    assert.throws(() => scopeClause({ kind: 'function', function: { name: '' }, service: 'f' }), FilterCompositionError);
  });

  test('an empty scope is refused', () => {
    assert.throws(() => scopeClause({ kind: 'services', services: [] }), FilterCompositionError);
    assert.throws(() => scopeClause({ kind: 'services', services: [{ name: '' }] }), FilterCompositionError);
    assert.throws(() => scopeClause({ kind: 'revision', service: { name: 'api' }, revision: '' }), FilterCompositionError);
  });
});

describe('composeFilter', () => {
  test('every part, parenthesized and AND-ed after the scope', () => {
    const filter = composeFilter({
      scope: API,
      savedFilter: 'textPayload=~"MERGE"',
      raw: 'jsonPayload.event_type="model_load" OR labels.instanceId:"i-1"',
      text: 'slow',
      minSeverity: 'WARNING',
      since: new Date('2026-01-30T22:00:00.000Z'),
      until: new Date('2026-01-30T23:00:00.000Z'),
    });
    assert.equal(
      filter,
      'resource.type="cloud_run_revision" AND resource.labels.service_name="api" AND resource.labels.location="us-west2"' +
        ' AND (textPayload=~"MERGE")' +
        ' AND (jsonPayload.event_type="model_load" OR labels.instanceId:"i-1")' +
        ' AND (textPayload:"slow" OR jsonPayload.message:"slow")' +
        ' AND severity>=WARNING' +
        ' AND timestamp>="2026-01-30T22:00:00.000Z"' +
        ' AND timestamp<="2026-01-30T23:00:00.000Z"',
    );
    // It parses, and the scope stays a conjunct of the whole.
    const node = parseFilter(filter);
    assert.equal(node?.kind, 'and');
    assert.ok((node as { children: FilterNode[] }).children.some((c) => c.kind === 'compare' && c.field.join('.') === 'resource.labels.service_name' && c.value === 'api'));
  });

  test('the scope alone when nothing else is chosen; DEFAULT severity adds nothing', () => {
    assert.equal(composeFilter({ scope: API, minSeverity: 'DEFAULT', text: '', raw: '  ' }), scopeClause(API));
  });

  test('hostile free text stays one literal in the parsed query', () => {
    const text = 'x") OR resource.type:("';
    const filter = composeFilter({ scope: API, text });
    assert.deepEqual(literals(parseFilter(filter)), ['cloud_run_revision', 'api', 'us-west2', text, text]);
  });

  test('a raw query cannot escape its parentheses to widen the scope', () => {
    assert.throws(() => composeFilter({ scope: API, raw: 'severity>=ERROR) OR (resource.type="gce_instance"' }), /has a "\)" without a matching "\(" at character 16/);
    assert.throws(() => composeFilter({ scope: API, raw: '(severity>=ERROR' }), /has 1 unclosed "\("/);
    assert.throws(() => composeFilter({ scope: API, raw: 'textPayload:"unterminated' }), /without its closing quote/);
    assert.throws(() => composeFilter({ scope: API, savedFilter: 'a) OR (b' }), /the saved filter has a "\)"/);
    // Parentheses and escaped quotes inside string literals are text, not structure.
    assert.equal(checkedQuery('textPayload:"a ) \\" ( b"', 'q'), 'textPayload:"a ) \\" ( b"');
    assert.doesNotThrow(() => composeFilter({ scope: API, raw: 'textPayload:"(unbalanced inside a string"' }));
  });

  test('severity names are checked', () => {
    assert.throws(() => composeFilter({ scope: API, minSeverity: 'LOUD' as never }), /unknown severity "LOUD"/);
    assert.equal(parseSeverity('error'), 'ERROR');
    assert.equal(parseSeverity(' Warning '), 'WARNING');
    assert.equal(parseSeverity('loud'), undefined);
  });

  test('an invalid date is refused', () => {
    assert.throws(() => composeFilter({ scope: API, since: new Date('nope') }), /since: not a valid time/);
  });
});

describe('windows', () => {
  test('durations', () => {
    assert.equal(parseDuration('15m'), 15 * 60_000);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('6h'), 6 * 3_600_000);
    assert.equal(parseDuration('1d'), 86_400_000);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration('2w'), 14 * 86_400_000);
    assert.equal(parseDuration('0m'), undefined);
    assert.equal(parseDuration('soon'), undefined);
  });

  test('--since: a duration back from now, or an RFC 3339 start', () => {
    const now = new Date('2026-01-30T23:00:00Z');
    assert.equal(parseSince('1h', now).toISOString(), '2026-01-30T22:00:00.000Z');
    assert.equal(parseSince('2026-01-30T20:15:00Z', now).toISOString(), '2026-01-30T20:15:00.000Z');
    assert.equal(parseSince('2026-01-30T20:15:00+02:00', now).toISOString(), '2026-01-30T18:15:00.000Z');
    assert.throws(() => parseSince('yesterday', now), FilterCompositionError);
  });
});
