// The auth bundle's Headers (src/sdk/fetchHeaders.ts) against Node's own (undici's), operation by
// operation: the same inits and calls give the same answers, the same iteration and the same
// refusals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Headers as FetchHeaders } from '../../src/sdk/fetchHeaders';

type AnyHeaders = Pick<Headers, 'append' | 'set' | 'delete' | 'has' | 'get' | 'getSetCookie' | 'forEach'> & Iterable<[string, string]>;
type Make = (init?: unknown) => AnyHeaders;

const makeNode: Make = (init) => new Headers(init as ConstructorParameters<typeof Headers>[0]);
const makeOurs: Make = (init) => new FetchHeaders(init as never) as unknown as AnyHeaders;

/** What a sequence of steps comes to: each step's answer or the kind of error it threw, then the whole iteration. */
function outcome(make: Make, init: unknown, steps: ((h: AnyHeaders) => unknown)[]): unknown[] {
  let headers: AnyHeaders;
  try {
    headers = make(init);
  } catch (err) {
    return [`init threw ${(err as Error).name}`];
  }
  const answers = steps.map((step) => {
    try {
      const answer = step(headers);
      return answer === undefined ? 'ok' : answer;
    } catch (err) {
      return `threw ${(err as Error).name}`;
    }
  });
  const forEach: string[][] = [];
  headers.forEach((value, name) => forEach.push([name, value]));
  return [...answers, [...headers], forEach, headers.getSetCookie()];
}

const CASES: [string, unknown, ((h: AnyHeaders) => unknown)[]][] = [
  ['no init', undefined, [(h) => h.get('a'), (h) => h.has('a')]],
  ['a record, names in any case', { 'X-Goog-User-Project': 'p', Authorization: 'Bearer t' }, [(h) => h.get('x-goog-user-project'), (h) => h.get('AUTHORIZATION')]],
  ['pairs with a repeated name', [['Accept', 'a'], ['accept', 'b'], ['x', '1']], [(h) => h.get('accept')]],
  ['another Headers', new Headers({ b: '2', a: '1' }), [(h) => h.get('a')]],
  ['values with whitespace at their edges', { a: '  spaced\t', b: '\r\nquota-project\n', c: ' inner  space ' }, [(h) => h.get('b'), (h) => h.get('c')]],
  ['append, set, delete, has', { a: '1' }, [(h) => h.append('a', '2'), (h) => h.get('a'), (h) => h.set('A', '3'), (h) => h.get('a'), (h) => h.delete('a'), (h) => h.has('a'), (h) => h.append('z', 'last')]],
  ['set-cookie apart in iteration, joined by get', [['Set-Cookie', 'a=1'], ['set-cookie', 'b=2'], ['content-type', 'text/plain']], [(h) => h.get('set-cookie')]],
  ['iteration sorted by name', { zeta: '1', alpha: '2', Mid: '3' }, []],
  ['an empty value', { a: '' }, [(h) => h.get('a'), (h) => h.has('a')]],
  ['numbers converted to text', { a: 1 as unknown as string }, [(h) => h.get('a'), (h) => h.set('b', 2 as unknown as string), (h) => h.get('b')]],
  ['an invalid name in the init', { 'bad name': 'x' }, []],
  ['a value with a line break inside', { a: 'x\ny' }, []],
  ['a value with NUL', { a: 'x\u0000y' }, []],
  ['a value beyond Latin-1', { a: 'x\u0100' }, []],
  ['Latin-1 in a value', { a: 'caf\u00e9' }, [(h) => h.get('a')]],
  ['invalid names and values in calls', {}, [(h) => h.append('a b', 'x'), (h) => h.set('ok', 'a\rb'), (h) => h.get('bad:name'), (h) => h.has(''), (h) => h.delete('(x)')]],
  ['a pair of three', [['a', 'b', 'c']], []],
  ['a pair that is not a sequence', [5], []],
  ['a string as init', 'a: b', []],
  ['null as init', null, []],
  ['no pairs', [], [(h) => h.has('a')]],
];

describe('the auth bundle Headers', () => {
  for (const [name, init, steps] of CASES) {
    it(`as Node's: ${name}`, () => {
      assert.deepEqual(outcome(makeOurs, init, steps), outcome(makeNode, init, steps));
    });
  }

  it('is iterable into another Headers of either kind, and names itself Headers', () => {
    const ours = new FetchHeaders({ b: '2', a: '1' });
    assert.deepEqual([...new Headers(ours as unknown as ConstructorParameters<typeof Headers>[0])], [['a', '1'], ['b', '2']]);
    assert.deepEqual([...new FetchHeaders(ours)], [['a', '1'], ['b', '2']]);
    assert.equal(Object.prototype.toString.call(ours), '[object Headers]');
    assert.deepEqual([...ours.keys()], ['a', 'b']);
    assert.deepEqual([...ours.values()], ['1', '2']);
  });
});
