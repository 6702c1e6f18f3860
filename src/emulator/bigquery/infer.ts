// Result column names and BigQuery types for a SELECT.
//
// SQLite reports a declared type only for result columns that come straight from a table column (read
// back through a temporary view, see engine.ts); values alone cannot tell DATE from STRING or BOOL from
// INT64. So for computed columns the BigQuery select list is read here: function results (COUNT → INT64,
// AVG → FLOAT64, DATE_SUB → DATE, CAST(x AS T) → T, comparisons → BOOL, ...) and the types of the
// columns they aggregate. Whatever stays unknown falls back to the SQLite storage class of the values.
import type { BoundParameter } from './dialect';
import { findClosing, isPunct, isWord, splitTopLevel, topLevelIndices, type Token } from './tokens';
import { parseFieldType, type FieldType } from './values';

export interface SelectItem {
  /** Expression tokens [from, to), alias removed. */
  from: number;
  to: number;
  alias?: string;
  /** `*` or `t.*`. */
  star: boolean;
  /** A bare column reference (`col`, `t.col`): its column name. */
  columnName?: string;
}

export interface TypeEnvironment {
  /** The type of a column of the referenced tables (undefined when unknown or ambiguous). */
  columnType(name: string): FieldType | undefined;
  parameter(name: string): BoundParameter | undefined;
}

const SELECT_LIST_END = new Set(['FROM', 'WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'UNION', 'EXCEPT', 'INTERSECT', 'WINDOW', 'QUALIFY']);
const NOT_ALIASES = new Set(['END', 'NULL', 'TRUE', 'FALSE', 'DESC', 'ASC', 'AND', 'OR', 'NOT', 'IS', 'IN', 'CURRENT_DATE', 'CURRENT_TIMESTAMP', 'CURRENT_DATETIME']);
const BOOLEAN_OPERATOR_WORDS = ['AND', 'OR', 'NOT', 'IS', 'IN', 'LIKE', 'BETWEEN', 'EXISTS'];
const COMPARISON_OPERATORS = ['=', '<', '>', '<=', '>=', '!=', '<>'];
const ARITHMETIC_OPERATORS = ['+', '-', '*', '/', '%'];

const FIXED_RESULT: Readonly<Record<string, FieldType>> = {
  COUNT: 'INTEGER',
  COUNTIF: 'INTEGER',
  APPROX_COUNT_DISTINCT: 'INTEGER',
  DATE_DIFF: 'INTEGER',
  DATETIME_DIFF: 'INTEGER',
  TIMESTAMP_DIFF: 'INTEGER',
  UNIX_SECONDS: 'INTEGER',
  UNIX_MILLIS: 'INTEGER',
  UNIX_MICROS: 'INTEGER',
  UNIX_DATE: 'INTEGER',
  DIV: 'INTEGER',
  LENGTH: 'INTEGER',
  CHAR_LENGTH: 'INTEGER',
  CHARACTER_LENGTH: 'INTEGER',
  STRPOS: 'INTEGER',
  ROW_NUMBER: 'INTEGER',
  RANK: 'INTEGER',
  DENSE_RANK: 'INTEGER',
  NTILE: 'INTEGER',
  SAFE_DIVIDE: 'FLOAT',
  IEEE_DIVIDE: 'FLOAT',
  STDDEV: 'FLOAT',
  STDDEV_SAMP: 'FLOAT',
  STDDEV_POP: 'FLOAT',
  VARIANCE: 'FLOAT',
  VAR_SAMP: 'FLOAT',
  VAR_POP: 'FLOAT',
  SQRT: 'FLOAT',
  POW: 'FLOAT',
  POWER: 'FLOAT',
  EXP: 'FLOAT',
  LN: 'FLOAT',
  LOG: 'FLOAT',
  LOG10: 'FLOAT',
  RAND: 'FLOAT',
  PERCENT_RANK: 'FLOAT',
  CUME_DIST: 'FLOAT',
  LOGICAL_AND: 'BOOLEAN',
  LOGICAL_OR: 'BOOLEAN',
  STARTS_WITH: 'BOOLEAN',
  ENDS_WITH: 'BOOLEAN',
  REGEXP_CONTAINS: 'BOOLEAN',
  CONCAT: 'STRING',
  UPPER: 'STRING',
  LOWER: 'STRING',
  TRIM: 'STRING',
  LTRIM: 'STRING',
  RTRIM: 'STRING',
  SUBSTR: 'STRING',
  SUBSTRING: 'STRING',
  REPLACE: 'STRING',
  STRING_AGG: 'STRING',
  FORMAT: 'STRING',
  FORMAT_DATE: 'STRING',
  FORMAT_DATETIME: 'STRING',
  FORMAT_TIMESTAMP: 'STRING',
  LPAD: 'STRING',
  RPAD: 'STRING',
  REGEXP_EXTRACT: 'STRING',
  REGEXP_REPLACE: 'STRING',
  GENERATE_UUID: 'STRING',
  REVERSE: 'STRING',
  INITCAP: 'STRING',
  DATE: 'DATE',
  CURRENT_DATE: 'DATE',
  DATE_ADD: 'DATE',
  DATE_SUB: 'DATE',
  DATE_TRUNC: 'DATE',
  PARSE_DATE: 'DATE',
  DATE_FROM_UNIX_DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
  CURRENT_TIMESTAMP: 'TIMESTAMP',
  TIMESTAMP_ADD: 'TIMESTAMP',
  TIMESTAMP_SUB: 'TIMESTAMP',
  TIMESTAMP_TRUNC: 'TIMESTAMP',
  PARSE_TIMESTAMP: 'TIMESTAMP',
  TIMESTAMP_SECONDS: 'TIMESTAMP',
  TIMESTAMP_MILLIS: 'TIMESTAMP',
  TIMESTAMP_MICROS: 'TIMESTAMP',
  DATETIME: 'DATETIME',
  CURRENT_DATETIME: 'DATETIME',
  DATETIME_ADD: 'DATETIME',
  DATETIME_SUB: 'DATETIME',
  DATETIME_TRUNC: 'DATETIME',
};

/** Functions whose result has their first argument's type. */
const FIRST_ARGUMENT_TYPE = new Set(['MIN', 'MAX', 'ANY_VALUE', 'IFNULL', 'COALESCE', 'NULLIF', 'GREATEST', 'LEAST', 'ABS', 'SIGN', 'LAG', 'LEAD', 'FIRST_VALUE', 'LAST_VALUE', 'NTH_VALUE', 'SUM']);
/** FLOAT64 unless the argument is NUMERIC. */
const FLOAT_OR_NUMERIC = new Set(['AVG', 'ROUND', 'TRUNC', 'FLOOR', 'CEIL', 'CEILING']);

/** The outermost query's select list (after any WITH), or undefined when it cannot be found. */
export function mainSelectList(tokens: readonly Token[]): SelectItem[] | undefined {
  let index = 0;
  if (isWord(tokens[0], 'WITH')) {
    index = isWord(tokens[1], 'RECURSIVE') ? 2 : 1;
    for (;;) {
      if (!isWord(tokens[index + 1], 'AS') || !isPunct(tokens[index + 2], '(')) return undefined;
      const close = findClosing(tokens, index + 2, tokens.length);
      if (close < 0) return undefined;
      index = close + 1;
      if (!isPunct(tokens[index], ',')) break;
      index++;
    }
  }
  if (!isWord(tokens[index], 'SELECT')) return undefined;
  let start = index + 1;
  if (isWord(tokens[start], 'DISTINCT', 'ALL')) start++;
  if (isWord(tokens[start], 'AS')) return undefined;
  let end = tokens.length;
  if (isPunct(tokens[end - 1], ';')) end--;
  for (const i of topLevelIndices(tokens, start, end)) {
    if (tokens[i]!.kind === 'word' && SELECT_LIST_END.has(tokens[i]!.value.toUpperCase())) {
      end = i;
      break;
    }
  }
  return splitTopLevel(tokens, start, end).map(([from, to]) => describeItem(tokens, from, to));
}

function describeItem(tokens: readonly Token[], from: number, to: number): SelectItem {
  const last = tokens[to - 1];
  let alias: string | undefined;
  let expressionEnd = to;
  if (to - from >= 3 && isWord(tokens[to - 2], 'AS') && (last?.kind === 'word' || last?.kind === 'quoted')) {
    alias = last.value;
    expressionEnd = to - 2;
  } else if (
    to - from >= 2 &&
    (last?.kind === 'quoted' || (last?.kind === 'word' && !NOT_ALIASES.has(last.value.toUpperCase()))) &&
    endsExpression(tokens[to - 2])
  ) {
    alias = last!.value;
    expressionEnd = to - 1;
  }
  const item: SelectItem = { from, to: expressionEnd, star: isPunct(tokens[expressionEnd - 1], '*') && (expressionEnd - from === 1 || isPunct(tokens[expressionEnd - 2], '.')) };
  if (alias !== undefined) item.alias = alias;
  const columnName = bareColumnName(tokens, from, expressionEnd);
  if (columnName !== undefined) item.columnName = columnName;
  return item;
}

/** A token after which another name can only be an implicit alias. */
function endsExpression(token: Token | undefined): boolean {
  if (token === undefined) return false;
  if (token.kind === 'punct') return token.value === ')';
  if (token.kind === 'word') return !['AS', 'AND', 'OR', 'NOT', 'IS', 'IN', 'LIKE', 'BETWEEN', 'CASE', 'WHEN', 'THEN', 'ELSE', 'DISTINCT', 'SELECT', 'INTERVAL'].includes(token.value.toUpperCase());
  return true;
}

/** `col`, `t.col`, `p.d.t.col` → "col". */
function bareColumnName(tokens: readonly Token[], from: number, to: number): string | undefined {
  for (let i = from; i < to; i++) {
    const token = tokens[i]!;
    const expectName = (i - from) % 2 === 0;
    if (expectName && token.kind !== 'word' && token.kind !== 'quoted') return undefined;
    if (!expectName && !isPunct(token, '.')) return undefined;
  }
  if ((to - from) % 2 === 0) return undefined;
  const last = tokens[to - 1]!;
  if (last.kind === 'word' && ['TRUE', 'FALSE', 'NULL', 'CURRENT_DATE', 'CURRENT_TIMESTAMP', 'CURRENT_DATETIME'].includes(last.value.toUpperCase())) return undefined;
  return last.kind === 'quoted' ? last.value.split('.').pop() : last.value;
}

export function inferExpressionType(tokens: readonly Token[], from: number, to: number, env: TypeEnvironment): FieldType | undefined {
  if (to <= from) return undefined;
  const first = tokens[from]!;
  // ( expression )
  if (isPunct(first, '(') && findClosing(tokens, from, to) === to - 1) {
    if (isWord(tokens[from + 1], 'SELECT')) return undefined;
    return inferExpressionType(tokens, from + 1, to - 1, env);
  }
  const top = topLevelIndices(tokens, from, to);
  // Comparisons and logic make BOOL (checked before arithmetic: a + 1 > b is a comparison).
  if (top.some((i) => isWord(tokens[i], ...BOOLEAN_OPERATOR_WORDS) || isPunct(tokens[i], ...COMPARISON_OPERATORS))) return 'BOOLEAN';
  if (top.some((i) => isPunct(tokens[i], '||'))) return 'STRING';
  const operators = top.filter((i) => i > from && isPunct(tokens[i], ...ARITHMETIC_OPERATORS) && !isOperatorToken(tokens[i - 1]));
  if (operators.length > 0) {
    const operandTypes: Array<FieldType | undefined> = [];
    let start = from;
    for (const i of operators) {
      operandTypes.push(inferExpressionType(tokens, start, i, env));
      start = i + 1;
    }
    operandTypes.push(inferExpressionType(tokens, start, to, env));
    if (operators.some((i) => isPunct(tokens[i], '/'))) return operandTypes.includes('NUMERIC') && !operandTypes.includes('FLOAT') ? 'NUMERIC' : 'FLOAT';
    if (operandTypes.includes('FLOAT')) return 'FLOAT';
    if (operandTypes.includes('NUMERIC')) return 'NUMERIC';
    if (operandTypes.every((t) => t === 'INTEGER')) return 'INTEGER';
    if (operandTypes.includes('DATE')) return 'DATE';
    if (operandTypes.includes('TIMESTAMP')) return 'TIMESTAMP';
    return undefined;
  }
  // Unary minus / plus.
  if (isPunct(first, '-', '+')) return inferExpressionType(tokens, from + 1, to, env);

  if (to - from === 1) return singleTokenType(first, env);
  // Typed literal: DATE '2026-01-30'
  if (to - from === 2 && first.kind === 'word' && tokens[from + 1]!.kind === 'string') return parseFieldType(first.value);
  if (bareColumnName(tokens, from, to) !== undefined) return env.columnType(bareColumnName(tokens, from, to)!);

  if (isWord(first, 'CASE')) return caseType(tokens, from, to, env);

  // name( ... ) [OVER (...)]
  if (first.kind === 'word' && isPunct(tokens[from + 1], '(')) {
    const close = findClosing(tokens, from + 1, to);
    if (close < 0) return undefined;
    if (close !== to - 1 && !isWord(tokens[close + 1], 'OVER')) return undefined;
    return functionType(first.value.toUpperCase(), tokens, from + 1, close, env);
  }
  return undefined;
}

function isOperatorToken(token: Token | undefined): boolean {
  return token !== undefined && token.kind === 'punct' && token.value !== ')';
}

function singleTokenType(token: Token, env: TypeEnvironment): FieldType | undefined {
  switch (token.kind) {
    case 'number':
      return /^0x/i.test(token.value) || !/[.eE]/.test(token.value) ? 'INTEGER' : 'FLOAT';
    case 'string':
      return 'STRING';
    case 'param': {
      const parameter = env.parameter(token.value.toLowerCase());
      return parameter === undefined || parameter.type === 'ARRAY' ? undefined : parameter.type;
    }
    case 'word': {
      const upper = token.value.toUpperCase();
      if (upper === 'TRUE' || upper === 'FALSE') return 'BOOLEAN';
      if (upper === 'NULL') return undefined;
      if (FIXED_RESULT[upper] !== undefined && upper.startsWith('CURRENT_')) return FIXED_RESULT[upper];
      return env.columnType(token.value);
    }
    case 'quoted':
      return env.columnType(token.value.split('.').pop()!);
    default:
      return undefined;
  }
}

function caseType(tokens: readonly Token[], from: number, to: number, env: TypeEnvironment): FieldType | undefined {
  // Result expressions follow THEN and ELSE at the CASE's own level.
  const branches: Array<[number, number]> = [];
  let depth = 0;
  let branchStart = -1;
  for (let i = from + 1; i < to; i++) {
    const token = tokens[i]!;
    if (isPunct(token, '(') || isWord(token, 'CASE')) depth++;
    else if (isPunct(token, ')') || (isWord(token, 'END') && depth > 0)) depth--;
    else if (depth === 0 && isWord(token, 'THEN', 'ELSE')) {
      if (branchStart >= 0) branches.push([branchStart, i]);
      branchStart = i + 1;
    } else if (depth === 0 && isWord(token, 'WHEN', 'END')) {
      if (branchStart >= 0) branches.push([branchStart, i]);
      branchStart = -1;
    }
  }
  for (const [start, end] of branches) {
    const type = inferExpressionType(tokens, start, end, env);
    if (type !== undefined) return type;
  }
  return undefined;
}

function functionType(name: string, tokens: readonly Token[], open: number, close: number, env: TypeEnvironment): FieldType | undefined {
  if (name === 'CAST' || name === 'SAFE_CAST') {
    for (let i = close - 1; i > open; i--) {
      if (isWord(tokens[i], 'AS')) return tokens[i + 1]?.kind === 'word' ? parseFieldType(tokens[i + 1]!.value) : undefined;
    }
    return undefined;
  }
  if (name === 'EXTRACT') return isWord(tokens[open + 1], 'DATE') ? 'DATE' : 'INTEGER';
  const fixed = FIXED_RESULT[name];
  if (fixed !== undefined) return fixed;
  const argumentsRanges = close === open + 1 ? [] : splitTopLevel(tokens, open + 1, close);
  const argumentType = (index: number): FieldType | undefined => {
    const range = argumentsRanges[index];
    if (!range) return undefined;
    let [start] = range;
    const [, end] = range;
    if (isWord(tokens[start], 'DISTINCT')) start++;
    // Stop at an aggregate's own ORDER BY / LIMIT.
    let stop = end;
    for (const i of topLevelIndices(tokens, start, end)) {
      if (isWord(tokens[i], 'ORDER', 'LIMIT', 'IGNORE', 'RESPECT')) {
        stop = i;
        break;
      }
    }
    return inferExpressionType(tokens, start, stop, env);
  };
  if (name === 'IF') return argumentType(1) ?? argumentType(2);
  if (FIRST_ARGUMENT_TYPE.has(name)) {
    for (let i = 0; i < Math.max(1, argumentsRanges.length); i++) {
      const type = argumentType(i);
      if (type !== undefined) return name === 'SUM' && type === 'BOOLEAN' ? undefined : type;
      if (name !== 'COALESCE' && name !== 'IFNULL' && name !== 'GREATEST' && name !== 'LEAST') break;
    }
    return undefined;
  }
  if (FLOAT_OR_NUMERIC.has(name)) return argumentType(0) === 'NUMERIC' ? 'NUMERIC' : 'FLOAT';
  return undefined;
}
