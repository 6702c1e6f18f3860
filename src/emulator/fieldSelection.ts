// The `fields` system parameter every Google API takes (https://cloud.google.com/apis/docs/system-parameters):
// the answer keeps only the fields named. Paths are separated by commas, a path's names by `.` or `/`,
// and `a(b,c)` names b and c under a; `*` names every field (and nothing may follow it). Inside a
// list, a selection applies to each element. Unlike Google's front end, the emulator does not know
// every message's fields, so a name that no message has (a field the answer lacks, or a name under a
// field that is not a message) selects nothing instead of being refused; the product's own lists of
// fields are checked against the APIs' protos instead (test/unit/google-read-fields.test.ts).

import type { ServerResponse } from 'node:http';
import { sendGoogleError, sendJson } from './control';

/** What is kept under a field: every field beneath it (`true`), or only the fields named. */
type Selection = true | Map<string, Selection>;

/** The selection `text` names, or why it cannot be read. */
export function parseFieldSelection(text: string): Map<string, Selection> | { error: string } {
  let at = 0;
  const fail = (expected: string): { error: string } => ({ error: `Invalid field selection ${JSON.stringify(text)}: expected ${expected} at character ${at + 1}.` });

  function name(): string | null {
    const found = /^(?:\*|[A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(at));
    if (!found) return null;
    at += found[0].length;
    return found[0];
  }

  // list := item (',' item)*; item := name (('.' | '/') name)* ['(' list ')']
  function list(into: Map<string, Selection>): { error: string } | null {
    for (;;) {
      const names: string[] = [];
      for (;;) {
        const next = name();
        if (next === null) return fail('a field name');
        names.push(next);
        if (text[at] !== '.' && text[at] !== '/') break;
        if (next === '*') return fail('"," or the end after *');
        at++;
      }
      let below: Selection = true;
      if (text[at] === '(' && names[names.length - 1] === '*') return fail('"," or the end after *');
      if (text[at] === '(') {
        at++;
        const inner = new Map<string, Selection>();
        const problem = list(inner);
        if (problem) return problem;
        if (text[at] !== ')') return fail('")"');
        at++;
        below = inner;
      }
      add(into, names, below);
      if (text[at] !== ',') return null;
      at++;
    }
  }

  const top = new Map<string, Selection>();
  const problem = list(top);
  if (problem) return problem;
  if (at !== text.length) return fail('"," or the end');
  return top;
}

/** Adds `names` (a path) with `below` under it; a field named whole stays whole. */
function add(into: Map<string, Selection>, names: readonly string[], below: Selection): void {
  const [first, ...rest] = names;
  const current = into.get(first!);
  if (current === true) return;
  if (rest.length === 0 && below === true) {
    into.set(first!, true);
    return;
  }
  const inner = current ?? new Map<string, Selection>();
  into.set(first!, inner);
  if (rest.length > 0) add(inner, rest, below);
  else for (const [key, value] of below as Map<string, Selection>) add(inner, [key], value);
}

/** `value` with only the fields `selection` names (a list's elements each selected alike). */
export function selectFields(value: unknown, selection: Map<string, Selection>): unknown {
  if (selection.has('*') && selection.get('*') === true) return value;
  // Elements that are not messages have nothing to select.
  if (Array.isArray(value)) return value.filter((item) => typeof item === 'object' && item !== null).map((item) => selectFields(item, selection));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, below] of selection) {
    if (!Object.hasOwn(value, key)) continue;
    const field = (value as Record<string, unknown>)[key];
    if (below === true) out[key] = field;
    // Names under a field that is not a message select nothing of it.
    else if (typeof field === 'object' && field !== null) out[key] = selectFields(field, below);
  }
  return out;
}

/**
 * Answers a read with `body` as the request's `fields` parameter selects it (all of it without
 * one), or with 400 INVALID_ARGUMENT when the selection cannot be read.
 */
export function sendSelectedJson(res: ServerResponse, url: URL, body: unknown): void {
  const text = url.searchParams.get('fields');
  if (text === null || text === '') return sendJson(res, 200, body);
  const selection = parseFieldSelection(text);
  if ('error' in selection) return sendGoogleError(res, 400, selection.error);
  sendJson(res, 200, selectFields(body, selection));
}
