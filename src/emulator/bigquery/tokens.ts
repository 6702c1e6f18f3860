// Tokenizer for BigQuery GoogleSQL. It only needs to be exact about what changes meaning when the
// text is handed to SQLite: string literals (BigQuery allows "double quotes", escapes, r'raw' and
// '''triple''' strings), `backticked` names (which may hold a whole `project.dataset.table` path),
// @named parameters and comments (# is a comment in BigQuery).
import { invalidQuery } from './errors';

export type TokenKind = 'string' | 'number' | 'word' | 'quoted' | 'param' | 'positional' | 'punct';

export interface Token {
  kind: TokenKind;
  /** Decoded value: string contents, identifier name (without backticks), parameter name, or the text. */
  value: string;
  /** Offset in the original query, for error locations. */
  offset: number;
  /** Characters the token spans in the original query. */
  length: number;
}

const MULTI_CHAR_PUNCTUATION = ['<=', '>=', '<>', '!=', '||', '<<', '>>', '=>'];
const SINGLE_CHAR_PUNCTUATION = '(),.;+-*/%=<>[]~&|^!{}:';

/** "[line:column]" as BigQuery reports positions (both 1-based). */
export function describeLocation(sql: string, offset: number): string {
  const before = sql.slice(0, Math.max(0, Math.min(offset, sql.length)));
  const lines = before.split('\n');
  return `[${lines.length}:${lines[lines.length - 1]!.length + 1}]`;
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  const fail = (message: string, at: number): never => {
    throw invalidQuery(`Syntax error: ${message} at ${describeLocation(sql, at)}`);
  };
  while (index < sql.length) {
    const char = sql[index]!;
    const start = index;
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    if (char === '#' || (char === '-' && sql[index + 1] === '-')) {
      const end = sql.indexOf('\n', index);
      index = end < 0 ? sql.length : end + 1;
      continue;
    }
    if (char === '/' && sql[index + 1] === '*') {
      const end = sql.indexOf('*/', index + 2);
      if (end < 0) fail('Unclosed comment', start);
      index = end + 2;
      continue;
    }
    const prefix = /^(?:[rR][bB]?|[bB][rR]?)(?=['"])/.exec(sql.slice(index, index + 3))?.[0] ?? '';
    const quoteChar = sql[index + prefix.length];
    if (quoteChar === "'" || quoteChar === '"') {
      const raw = /r/i.test(prefix);
      const bodyStart = index + prefix.length;
      const triple = sql.startsWith(quoteChar.repeat(3), bodyStart);
      const delimiter = triple ? quoteChar.repeat(3) : quoteChar;
      let cursor = bodyStart + delimiter.length;
      let value = '';
      for (;;) {
        if (cursor >= sql.length || (!triple && sql[cursor] === '\n')) fail('Unclosed string literal', start);
        if (sql.startsWith(delimiter, cursor)) {
          cursor += delimiter.length;
          break;
        }
        const current = sql[cursor]!;
        if (current === '\\') {
          const next = sql[cursor + 1];
          if (next === undefined) fail('Unclosed string literal', start);
          if (raw) {
            value += current + next;
            cursor += 2;
            continue;
          }
          const decoded = decodeEscape(sql, cursor);
          if (decoded === undefined) fail(`Illegal escape sequence: \\${next}`, cursor);
          value += decoded!.text;
          cursor += decoded!.length;
          continue;
        }
        value += current;
        cursor++;
      }
      tokens.push({ kind: 'string', value, offset: start, length: cursor - start });
      index = cursor;
      continue;
    }
    if (char === '`') {
      const end = sql.indexOf('`', index + 1);
      if (end < 0) fail('Unclosed identifier literal', start);
      const name = sql.slice(index + 1, end);
      if (name.length === 0) fail('Invalid empty identifier', start);
      tokens.push({ kind: 'quoted', value: name, offset: start, length: end + 1 - start });
      index = end + 1;
      continue;
    }
    const number = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/.exec(sql.slice(index, index + 64));
    if (number) {
      tokens.push({ kind: 'number', value: number[0], offset: start, length: number[0].length });
      index += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(index, index + 1100));
    if (word) {
      tokens.push({ kind: 'word', value: word[0], offset: start, length: word[0].length });
      index += word[0].length;
      continue;
    }
    if (char === '@') {
      if (sql[index + 1] === '@') fail('System variables (@@name) are not supported by the emulator', start);
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(index + 1, index + 1100))?.[0];
      if (name === undefined) fail('Unexpected "@"', start);
      tokens.push({ kind: 'param', value: name!, offset: start, length: name!.length + 1 });
      index += name!.length + 1;
      continue;
    }
    if (char === '?') {
      tokens.push({ kind: 'positional', value: '?', offset: start, length: 1 });
      index++;
      continue;
    }
    const multi = MULTI_CHAR_PUNCTUATION.find((p) => sql.startsWith(p, index));
    if (multi) {
      tokens.push({ kind: 'punct', value: multi, offset: start, length: multi.length });
      index += multi.length;
      continue;
    }
    if (SINGLE_CHAR_PUNCTUATION.includes(char)) {
      tokens.push({ kind: 'punct', value: char, offset: start, length: 1 });
      index++;
      continue;
    }
    fail(`Illegal input character "${char}"`, start);
  }
  return tokens;
}

function decodeEscape(sql: string, at: number): { text: string; length: number } | undefined {
  const next = sql[at + 1]!;
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07', '\\': '\\', "'": "'", '"': '"', '`': '`', '?': '?' };
  if (simple[next] !== undefined) return { text: simple[next]!, length: 2 };
  const hex = /^(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3}))/.exec(sql.slice(at + 1, at + 10));
  if (!hex) return undefined;
  const hexDigits = hex[1] ?? hex[2] ?? hex[3];
  const codePoint = hexDigits !== undefined ? parseInt(hexDigits, 16) : parseInt(hex[4]!, 8);
  return { text: String.fromCodePoint(codePoint), length: 1 + hex[0].length };
}

/** GoogleSQL's reserved keywords: error messages call these "keyword X", other words "identifier". */
export const RESERVED_KEYWORDS = new Set(
  ('ALL AND ANY ARRAY AS ASC ASSERT_ROWS_MODIFIED AT BETWEEN BY CASE CAST COLLATE CONTAINS CREATE CROSS CUBE CURRENT DEFAULT ' +
    'DEFINE DESC DISTINCT ELSE END ENUM ESCAPE EXCEPT EXCLUDE EXISTS EXTRACT FALSE FETCH FOLLOWING FOR FROM FULL GROUP GROUPING ' +
    'GROUPS HASH HAVING IF IGNORE IN INNER INTERSECT INTERVAL INTO IS JOIN LATERAL LEFT LIKE LIMIT LOOKUP MERGE NATURAL NEW NO ' +
    'NOT NULL NULLS OF ON OR ORDER OUTER OVER PARTITION PRECEDING PROTO QUALIFY RANGE RECURSIVE RESPECT RIGHT ROLLUP ROWS SELECT ' +
    'SET SOME STRUCT TABLESAMPLE THEN TO TREAT TRUE UNBOUNDED UNION UNNEST USING WHEN WHERE WINDOW WITH WITHIN').split(' '),
);

/**
 * Words SQLite treats as keywords although BigQuery queries use them as plain names (a column `key`, an
 * alias `nothing`); they are passed to SQLite quoted.
 */
export const SQLITE_ONLY_KEYWORDS = new Set(
  ('ABORT ACTION AFTER ALWAYS ANALYZE ATTACH AUTOINCREMENT BEFORE CASCADE CHECK COLUMN CONFLICT CONSTRAINT DATABASE DEFERRABLE ' +
    'DEFERRED DETACH DO EACH EXCLUSIVE FAIL FOREIGN GENERATED GLOB IMMEDIATE INDEX INDEXED INITIALLY INSTEAD ISNULL KEY ' +
    'MATERIALIZED NOTHING NOTNULL OTHERS PLAN PRAGMA PRIMARY QUERY RAISE REFERENCES REGEXP REINDEX RELEASE RENAME RESTRICT ' +
    'RETURNING SAVEPOINT TEMP TEMPORARY TIES TRANSACTION TRIGGER UNIQUE VACUUM VIEW VIRTUAL WITHOUT').split(' '),
);

export function isWord(token: Token | undefined, ...words: string[]): boolean {
  return token !== undefined && token.kind === 'word' && words.includes(token.value.toUpperCase());
}

export function isPunct(token: Token | undefined, ...values: string[]): boolean {
  return token !== undefined && token.kind === 'punct' && values.includes(token.value);
}

/**
 * Index of the token closing the bracket opened at `open` ('(' … ')', and CASE … END, which nests like
 * a bracket for the purpose of finding top-level commas and keywords).
 */
export function findClosing(tokens: readonly Token[], open: number, end: number): number {
  let depth = 0;
  for (let i = open; i < end; i++) {
    const token = tokens[i]!;
    if (isPunct(token, '(')) depth++;
    else if (isPunct(token, ')')) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Indices in [start, end) that sit outside any parentheses and CASE … END. */
export function topLevelIndices(tokens: readonly Token[], start: number, end: number): number[] {
  const indices: number[] = [];
  let depth = 0;
  for (let i = start; i < end; i++) {
    const token = tokens[i]!;
    if (isPunct(token, '(') || isWord(token, 'CASE')) {
      depth++;
      continue;
    }
    if (isPunct(token, ')') || isWord(token, 'END')) {
      depth--;
      continue;
    }
    if (depth === 0) indices.push(i);
  }
  return indices;
}

/** Splits [start, end) at top-level commas into [from, to) ranges. */
export function splitTopLevel(tokens: readonly Token[], start: number, end: number, separator = ','): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let from = start;
  for (const i of topLevelIndices(tokens, start, end)) {
    if (isPunct(tokens[i], separator)) {
      ranges.push([from, i]);
      from = i + 1;
    }
  }
  ranges.push([from, end]);
  return ranges;
}
