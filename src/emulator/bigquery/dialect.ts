// Translates BigQuery GoogleSQL into SQLite SQL, token by token.
//
// What changes on the way (everything else passes through, since the two dialects share most syntax):
//   `project.dataset.table`, dataset.table, table (with a default dataset)  →  "project.dataset.table" AS "table"
//     (the alias keeps `table.column` references working, as in BigQuery)
//   "double quoted" and r'raw' strings                   →  'single quoted' literals
//   @name parameters                                     →  @name (case-folded; or inlined as literals)
//   a / b                                                →  a * 1.0 / b   (BigQuery division is always FLOAT64)
//   COUNTIF(c)                                           →  COUNT(CASE WHEN (c) THEN 1 END)
//   IF, LOGICAL_AND/OR, ANY_VALUE, STRING_AGG, STRPOS, GREATEST/LEAST, APPROX_COUNT_DISTINCT → SQLite built-ins
//   SAFE_DIVIDE, DATE/TIMESTAMP functions, CAST to BigQuery types, EXTRACT, REGEXP_*, ... → crd_* functions
//     registered by functions.ts
//   DATE 'x', TIMESTAMP 'x', DATETIME 'x', NUMERIC 'x'   →  literals in the storage format (values.ts)
//   CURRENT_DATE(), CURRENT_TIMESTAMP()                  →  the emulator clock
//   INTERVAL n DAY (inside DATE_ADD etc.), DAY (inside DATE_DIFF etc.) → (n), 'DAY'
//   x IN UNNEST(@array)                                  →  x IN (SELECT value FROM json_each(@array))
//   DELETE t WHERE …, INSERT t …                         →  DELETE FROM …, INSERT INTO …
//   UPDATE … SET t.col = …                               →  SET col = …   (SQLite wants bare names there)
// Unsupported constructs (arrays, structs, SELECT * EXCEPT, scripting) fail with a clear invalidQuery.
import { invalidQuery, notFound } from './errors';
import { quoteSqliteIdentifier, quoteSqliteString, type SqliteBindable } from './sqlite';
import { describeLocation, findClosing, isPunct, isWord, splitTopLevel, SQLITE_ONLY_KEYWORDS, type Token } from './tokens';
import { normalizeDate, normalizeDatetime, normalizeTimestamp, type FieldSchema, type FieldType } from './values';

export interface ResolvedTable {
  /** "project.dataset.table", also the SQLite table name. */
  id: string;
  projectId: string;
  datasetId: string;
  tableId: string;
  schema: readonly FieldSchema[];
}

export interface TableLookup {
  findTable(projectId: string, datasetId: string, tableId: string): ResolvedTable | undefined;
}

export interface BoundParameter {
  type: FieldType | 'ARRAY';
  /** For ARRAY parameters: the element type; the value is then a JSON array text. */
  elementType?: FieldType;
  value: SqliteBindable;
}

export interface ParameterSet {
  /** Keyed by lower-cased name: BigQuery parameter names are case-insensitive. */
  named: ReadonlyMap<string, BoundParameter>;
  positional: readonly BoundParameter[];
}

export interface TranslationContext {
  sql: string;
  tokens: readonly Token[];
  defaultProjectId: string;
  defaultDataset?: { projectId: string; datasetId: string };
  tables: TableLookup;
  parameters: ParameterSet;
  /** Writes parameter values into the SQL (for the type-probing view, where SQLite forbids parameters). */
  inlineParameters: boolean;
}

export const DATE_PARTS = new Set([
  'MICROSECOND', 'MILLISECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'DAYOFWEEK', 'DAYOFYEAR', 'WEEK', 'ISOWEEK',
  'MONTH', 'QUARTER', 'YEAR', 'ISOYEAR', 'DATE',
]);

/** BigQuery functions that SQLite has under another name (or that our crd_* functions implement). */
const RENAMED_FUNCTIONS: Readonly<Record<string, string>> = {
  IF: 'iif',
  STRPOS: 'instr',
  CHAR_LENGTH: 'length',
  CHARACTER_LENGTH: 'length',
  LOGICAL_AND: 'min',
  LOGICAL_OR: 'max',
  ANY_VALUE: 'min',
  STRING_AGG: 'group_concat',
  GREATEST: 'max',
  LEAST: 'min',
  CEILING: 'ceil',
  POWER: 'pow',
  SAFE_DIVIDE: 'crd_safe_divide',
  IEEE_DIVIDE: 'crd_ieee_divide',
  DIV: 'crd_div',
  DATE: 'crd_date',
  TIMESTAMP: 'crd_timestamp',
  DATETIME: 'crd_datetime',
  DATE_ADD: 'crd_date_add',
  DATE_SUB: 'crd_date_sub',
  DATE_DIFF: 'crd_date_diff',
  DATE_TRUNC: 'crd_date_trunc',
  DATETIME_ADD: 'crd_datetime_add',
  DATETIME_SUB: 'crd_datetime_sub',
  DATETIME_DIFF: 'crd_datetime_diff',
  DATETIME_TRUNC: 'crd_datetime_trunc',
  TIMESTAMP_ADD: 'crd_timestamp_add',
  TIMESTAMP_SUB: 'crd_timestamp_sub',
  TIMESTAMP_DIFF: 'crd_timestamp_diff',
  TIMESTAMP_TRUNC: 'crd_timestamp_trunc',
  UNIX_SECONDS: 'crd_unix_seconds',
  UNIX_MILLIS: 'crd_unix_millis',
  UNIX_MICROS: 'crd_unix_micros',
  UNIX_DATE: 'crd_unix_date',
  TIMESTAMP_SECONDS: 'crd_timestamp_seconds',
  TIMESTAMP_MILLIS: 'crd_timestamp_millis',
  TIMESTAMP_MICROS: 'crd_timestamp_micros',
  DATE_FROM_UNIX_DATE: 'crd_date_from_unix_date',
  FORMAT_DATE: 'crd_format_date',
  FORMAT_TIMESTAMP: 'crd_format_timestamp',
  FORMAT_DATETIME: 'crd_format_datetime',
  PARSE_DATE: 'crd_parse_date',
  PARSE_TIMESTAMP: 'crd_parse_timestamp',
  STARTS_WITH: 'crd_starts_with',
  ENDS_WITH: 'crd_ends_with',
  REGEXP_CONTAINS: 'crd_regexp_contains',
  REGEXP_EXTRACT: 'crd_regexp_extract',
  REGEXP_REPLACE: 'crd_regexp_replace',
  LPAD: 'crd_lpad',
  RPAD: 'crd_rpad',
  GENERATE_UUID: 'crd_generate_uuid',
  STDDEV: 'crd_stddev_samp',
  STDDEV_SAMP: 'crd_stddev_samp',
  STDDEV_POP: 'crd_stddev_pop',
  VARIANCE: 'crd_var_samp',
  VAR_SAMP: 'crd_var_samp',
  VAR_POP: 'crd_var_pop',
};

/** crd_* functions whose BigQuery result is INT64: wrapped in CAST so SQLite stores an integer. */
const INTEGER_RESULT_FUNCTIONS = new Set([
  'DIV', 'DATE_DIFF', 'DATETIME_DIFF', 'TIMESTAMP_DIFF', 'UNIX_SECONDS', 'UNIX_MILLIS', 'UNIX_MICROS', 'UNIX_DATE',
]);

/** Functions with a date-part argument written as a bare keyword (DAY) or an INTERVAL. */
const DATE_PART_ARGUMENT_FUNCTIONS = new Set([
  'DATE_ADD', 'DATE_SUB', 'DATE_DIFF', 'DATE_TRUNC', 'DATETIME_ADD', 'DATETIME_SUB', 'DATETIME_DIFF', 'DATETIME_TRUNC',
  'TIMESTAMP_ADD', 'TIMESTAMP_SUB', 'TIMESTAMP_DIFF', 'TIMESTAMP_TRUNC',
]);

const UNSUPPORTED_FUNCTIONS: Readonly<Record<string, string>> = {
  ARRAY_AGG: 'arrays',
  ARRAY: 'arrays',
  ARRAY_LENGTH: 'arrays',
  SPLIT: 'arrays',
  GENERATE_ARRAY: 'arrays',
  GENERATE_DATE_ARRAY: 'arrays',
  STRUCT: 'structs',
  APPROX_QUANTILES: 'arrays',
  ML: 'BigQuery ML',
};

/** Words after which a following name is not a table alias. */
const NOT_AN_ALIAS = new Set([
  'WHERE', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'OUTER', 'ON', 'USING', 'GROUP', 'ORDER', 'LIMIT', 'HAVING',
  'UNION', 'EXCEPT', 'INTERSECT', 'WINDOW', 'QUALIFY', 'SET', 'WHEN', 'SELECT', 'FROM', 'OFFSET', 'NATURAL', 'FOR',
  'TABLESAMPLE', 'VALUES', 'ROW', 'THEN', 'AND', 'OR', 'DEFAULT', 'PIVOT', 'UNPIVOT',
]);

/** Keywords that end a FROM list (after them a name is no longer a table). */
const CLAUSE_KEYWORDS = new Set([
  'WHERE', 'GROUP', 'ORDER', 'HAVING', 'LIMIT', 'QUALIFY', 'WINDOW', 'UNION', 'EXCEPT', 'INTERSECT', 'ON', 'USING',
  'SELECT', 'VALUES', 'SET', 'WHEN', 'THEN', 'OFFSET',
]);

type ClauseState = 'none' | 'from' | 'set';

interface WalkState {
  clause: ClauseState;
  /** The next name is a table: right after FROM, JOIN, UPDATE, INTO, a comma in a FROM list. */
  expectTable: boolean;
  /** INSERT INTO targets take no alias. */
  tableWithoutAlias: boolean;
}

export class Translator {
  readonly referencedTables = new Map<string, ResolvedTable>();
  private readonly cteNames: Set<string>;
  private positionalUsed = 0;

  constructor(private readonly ctx: TranslationContext) {
    this.cteNames = collectCteNames(ctx.tokens);
  }

  fail(message: string, token: Token | undefined): never {
    const at = token?.offset ?? this.ctx.sql.length;
    throw invalidQuery(`${message} at ${describeLocation(this.ctx.sql, at)}`);
  }

  /** Translates tokens [start, end). `clause` 'set' starts inside an UPDATE's SET list. */
  translateRange(start: number, end: number, clause: ClauseState = 'none'): string {
    const tokens = this.ctx.tokens;
    const parts: string[] = [];
    const state: WalkState = { clause, expectTable: false, tableWithoutAlias: false };
    let i = start;
    while (i < end) {
      const token = tokens[i]!;
      const next = tokens[i + 1];
      const upper = token.kind === 'word' ? token.value.toUpperCase() : '';

      if (state.expectTable && (token.kind === 'word' || token.kind === 'quoted') && !isPunct(next, '(')) {
        i = this.translateTableReference(i, end, state, parts);
        continue;
      }

      if (token.kind === 'word') {
        const consumed = this.translateWord(i, end, upper, state, parts);
        if (consumed > 0) {
          i += consumed;
          continue;
        }
      }

      if (token.kind === 'quoted' || (token.kind === 'word' && isPunct(next, '.'))) {
        i = this.translateNameChain(i, end, state, parts);
        continue;
      }

      switch (token.kind) {
        case 'string':
          parts.push(quoteSqliteString(token.value));
          i++;
          continue;
        case 'number':
          parts.push(token.value);
          i++;
          continue;
        case 'param':
          parts.push(this.parameterText(token));
          i++;
          continue;
        case 'positional':
          parts.push(this.positionalText(token));
          i++;
          continue;
        case 'word':
          parts.push(SQLITE_ONLY_KEYWORDS.has(upper) ? quoteSqliteIdentifier(token.value) : token.value);
          i++;
          continue;
        default:
          break;
      }

      // Punctuation.
      if (isPunct(token, '(')) {
        const close = this.closingParen(i, end);
        parts.push(`(${this.translateRange(i + 1, close)})`);
        state.expectTable = false;
        i = close + 1;
        continue;
      }
      if (isPunct(token, '/')) {
        parts.push('* 1.0 /');
        i++;
        continue;
      }
      if (isPunct(token, ',')) {
        parts.push(',');
        if (state.clause === 'from') state.expectTable = true;
        i++;
        continue;
      }
      if (isPunct(token, '[', '{')) this.fail('Arrays and structs are not supported by the emulator', token);
      if (isPunct(token, ';')) this.fail('Syntax error: multi-statement scripts are not supported by the emulator; send one statement per query', token);
      if (isPunct(token, '*') && isWord(next, 'EXCEPT', 'REPLACE') && isPunct(tokens[i + 2], '(')) {
        this.fail(`SELECT * ${next!.value.toUpperCase()} (...) is not supported by the emulator; list the columns`, next);
      }
      parts.push(token.value);
      i++;
    }
    return parts.join(' ');
  }

  /** Handles words with a meaning of their own; returns how many tokens it consumed (0: not handled). */
  private translateWord(i: number, end: number, upper: string, state: WalkState, parts: string[]): number {
    const tokens = this.ctx.tokens;
    const token = tokens[i]!;
    const next = tokens[i + 1];
    const previous = tokens[i - 1];

    switch (upper) {
      case 'FROM':
        // "a IS [NOT] DISTINCT FROM b" compares; it does not start a FROM list.
        if (isWord(previous, 'DISTINCT')) return 0;
        parts.push('FROM');
        state.clause = 'from';
        state.expectTable = true;
        state.tableWithoutAlias = false;
        return 1;
      case 'JOIN':
        parts.push('JOIN');
        state.clause = 'from';
        state.expectTable = true;
        state.tableWithoutAlias = false;
        return 1;
      case 'UPDATE':
        parts.push('UPDATE');
        state.expectTable = true;
        state.tableWithoutAlias = false;
        return 1;
      case 'INSERT':
        // BigQuery allows "INSERT t (...)" without INTO.
        parts.push('INSERT INTO');
        state.expectTable = true;
        state.tableWithoutAlias = true;
        return isWord(next, 'INTO') ? 2 : 1;
      case 'INTO':
        parts.push('INTO');
        state.expectTable = true;
        state.tableWithoutAlias = true;
        return 1;
      case 'DELETE':
        // BigQuery allows "DELETE t WHERE ..." without FROM.
        parts.push('DELETE FROM');
        state.expectTable = true;
        state.tableWithoutAlias = false;
        return isWord(next, 'FROM') ? 2 : 1;
      case 'SET':
        parts.push('SET');
        state.clause = 'set';
        state.expectTable = false;
        return 1;
      case 'UNION':
      case 'EXCEPT':
      case 'INTERSECT':
        // BigQuery requires ALL or DISTINCT; SQLite's plain form is DISTINCT.
        parts.push(upper);
        state.clause = 'none';
        return isWord(next, 'DISTINCT') ? 2 : 1;
      case 'CURRENT_DATE':
      case 'CURRENT_TIMESTAMP':
      case 'CURRENT_DATETIME': {
        parts.push(`crd_${upper.toLowerCase()}()`);
        if (isPunct(next, '(')) {
          const close = this.closingParen(i + 1, end);
          if (close !== i + 2) this.fail(`Time zones in ${upper}() are not supported by the emulator`, tokens[i + 2]);
          return 3;
        }
        return 1;
      }
      case 'DATE':
      case 'TIMESTAMP':
      case 'DATETIME':
      case 'NUMERIC':
      case 'BIGNUMERIC':
      case 'DECIMAL':
      case 'BIGDECIMAL':
      case 'JSON':
        if (next?.kind === 'string') {
          parts.push(this.typedLiteral(upper, next));
          return 2;
        }
        break;
      case 'INTERVAL':
        this.fail('INTERVAL is only supported inside DATE_ADD, DATE_SUB, DATETIME_ADD, DATETIME_SUB, TIMESTAMP_ADD and TIMESTAMP_SUB by the emulator', token);
        break;
      case 'QUALIFY':
      case 'PIVOT':
      case 'UNPIVOT':
      case 'TABLESAMPLE':
        this.fail(`${upper} is not supported by the emulator`, token);
        break;
      case 'DECLARE':
      case 'BEGIN':
      case 'CALL':
      case 'EXECUTE':
        this.fail('Scripting statements are not supported by the emulator', token);
        break;
      default:
        break;
    }
    if (CLAUSE_KEYWORDS.has(upper)) {
      state.clause = upper === 'SET' ? 'set' : 'none';
      state.expectTable = false;
      return 0;
    }
    if (isPunct(next, '(')) return this.translateFunctionCall(i, end, upper, parts);
    return 0;
  }

  private translateFunctionCall(i: number, end: number, upper: string, parts: string[]): number {
    const tokens = this.ctx.tokens;
    const open = i + 1;
    const close = this.closingParen(open, end);
    const consumed = close + 1 - i;
    const unsupported = UNSUPPORTED_FUNCTIONS[upper];
    if (unsupported !== undefined) this.fail(`${upper} is not supported by the emulator (no ${unsupported})`, tokens[i]);

    switch (upper) {
      case 'COUNTIF':
        parts.push(`COUNT(CASE WHEN (${this.translateRange(open + 1, close)}) THEN 1 END)`);
        return consumed;
      case 'APPROX_COUNT_DISTINCT':
        parts.push(`COUNT(DISTINCT ${this.translateRange(open + 1, close)})`);
        return consumed;
      case 'CAST':
      case 'SAFE_CAST':
        parts.push(this.translateCast(open, close, upper === 'SAFE_CAST'));
        return consumed;
      case 'EXTRACT':
        parts.push(this.translateExtract(open, close));
        return consumed;
      case 'UNNEST':
        parts.push(this.translateUnnest(open, close));
        return consumed;
      default:
        break;
    }
    const renamed = RENAMED_FUNCTIONS[upper];
    if (renamed === undefined) return 0;
    const argumentsText = DATE_PART_ARGUMENT_FUNCTIONS.has(upper)
      ? this.translateDatePartArguments(open, close)
      : this.translateRange(open + 1, close);
    const call = `${renamed}(${argumentsText})`;
    parts.push(INTEGER_RESULT_FUNCTIONS.has(upper) ? `CAST(${call} AS INTEGER)` : call);
    return consumed;
  }

  /** DATE_ADD(d, INTERVAL 3 DAY) → crd_date_add(d, (3), 'DAY'); DATE_DIFF(a, b, DAY) → (..., 'DAY'). */
  private translateDatePartArguments(open: number, close: number): string {
    const tokens = this.ctx.tokens;
    if (close === open + 1) return '';
    return splitTopLevel(tokens, open + 1, close)
      .map(([from, to]) => {
        if (isWord(tokens[from], 'INTERVAL')) {
          const unit = tokens[to - 1];
          if (to - from < 3 || unit?.kind !== 'word' || !DATE_PARTS.has(unit.value.toUpperCase())) {
            this.fail('Syntax error: expected INTERVAL <number> <date part>', tokens[from]);
          }
          return `(${this.translateRange(from + 1, to - 1)}), ${quoteSqliteString(unit!.value.toUpperCase())}`;
        }
        const only = tokens[from];
        if (to === from + 1 && only?.kind === 'word' && DATE_PARTS.has(only.value.toUpperCase())) return quoteSqliteString(only.value.toUpperCase());
        // WEEK(MONDAY) and similar are not emulated; the plain part is.
        return this.translateRange(from, to);
      })
      .join(', ');
  }

  private translateCast(open: number, close: number, safe: boolean): string {
    const tokens = this.ctx.tokens;
    let asIndex = -1;
    for (let i = close - 1; i > open; i--) {
      if (isWord(tokens[i], 'AS')) {
        asIndex = i;
        break;
      }
    }
    const typeToken = tokens[asIndex + 1];
    if (asIndex < 0 || typeToken?.kind !== 'word') this.fail('Syntax error: expected CAST(expression AS type)', tokens[open]);
    const typeName = typeToken!.value.toUpperCase();
    const expression = this.translateRange(open + 1, asIndex);
    const target = castTarget(typeName);
    if (target === undefined) this.fail(`Casting to ${typeName} is not supported by the emulator`, typeToken);
    const call = `crd_cast(${expression}, '${target}', ${safe ? 1 : 0})`;
    // Integers and booleans come back from a JS function as doubles; CAST keeps SQLite's storage exact.
    return target === 'INTEGER' || target === 'BOOLEAN' ? `CAST(${call} AS INTEGER)` : call;
  }

  private translateExtract(open: number, close: number): string {
    const tokens = this.ctx.tokens;
    const part = tokens[open + 1];
    if (part?.kind !== 'word' || !DATE_PARTS.has(part.value.toUpperCase()) || !isWord(tokens[open + 2], 'FROM')) {
      this.fail('Syntax error: expected EXTRACT(<date part> FROM expression)', part);
    }
    const partName = part!.value.toUpperCase();
    for (let i = open + 3; i < close; i++) {
      if (isWord(tokens[i], 'AT')) {
        this.fail('EXTRACT ... AT TIME ZONE is not supported by the emulator', tokens[i]);
      }
    }
    const call = `crd_extract(${quoteSqliteString(partName)}, ${this.translateRange(open + 3, close)})`;
    return partName === 'DATE' ? call : `CAST(${call} AS INTEGER)`;
  }

  private translateUnnest(open: number, close: number): string {
    const tokens = this.ctx.tokens;
    const inner = tokens[open + 1];
    if (close !== open + 2 || inner === undefined || (inner.kind !== 'param' && inner.kind !== 'positional') || !isWord(tokens[open - 2], 'IN')) {
      this.fail('UNNEST is only supported as "expression IN UNNEST(@array_parameter)" by the emulator', tokens[open - 1]);
    }
    const parameter = inner!.kind === 'param' ? this.parameterText(inner!) : this.positionalText(inner!);
    return `(SELECT value FROM json_each(${parameter}))`;
  }

  private typedLiteral(typeName: string, literal: Token): string {
    const text = literal.value;
    let normalized: string | undefined;
    switch (typeName) {
      case 'DATE':
        normalized = normalizeDate(text);
        break;
      case 'TIMESTAMP':
        normalized = normalizeTimestamp(text);
        break;
      case 'DATETIME':
        normalized = normalizeDatetime(text);
        break;
      case 'JSON':
        return quoteSqliteString(text);
      default: {
        const trimmed = text.trim();
        if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) this.fail(`Invalid ${typeName} literal: ${JSON.stringify(text)}`, literal);
        return `(${trimmed})`;
      }
    }
    if (normalized === undefined) this.fail(`Could not cast literal ${JSON.stringify(text)} to type ${typeName}`, literal);
    return quoteSqliteString(normalized!);
  }

  /** A dotted name outside table position: column, alias.column, struct-free paths. */
  private translateNameChain(i: number, end: number, state: WalkState, parts: string[]): number {
    const { segments, next } = this.readChain(i, end, false);
    const tokens = this.ctx.tokens;
    if (isPunct(tokens[next], '(')) {
      this.fail(`Function not found: ${segments.join('.')}`, tokens[i]);
    }
    // SQLite's SET takes bare column names; BigQuery allows "SET t.col = ...".
    const previous = tokens[i - 1];
    if (state.clause === 'set' && isPunct(tokens[next], '=') && (isWord(previous, 'SET') || isPunct(previous, ','))) {
      parts.push(quoteSqliteIdentifier(segments[segments.length - 1]!));
      return next;
    }
    // A full table path used as a qualifier (`p.d.t`.col) names the table by its alias.
    if (segments.length >= 4) {
      const table = this.lookup(segments.slice(0, -1));
      if (table) {
        parts.push(`${quoteSqliteIdentifier(table.tableId)}.${quoteSqliteIdentifier(segments[segments.length - 1]!)}`);
        return next;
      }
    }
    parts.push(segments.map(quoteSqliteIdentifier).join('.'));
    return next;
  }

  private translateTableReference(i: number, end: number, state: WalkState, parts: string[]): number {
    const tokens = this.ctx.tokens;
    const { segments, next } = this.readChain(i, end, true);
    state.expectTable = false;
    const reference = this.resolveTableName(segments, tokens[i]!);
    if (reference === undefined) {
      // A WITH name: SQLite knows it as written.
      parts.push(quoteSqliteIdentifier(segments[0]!));
      return next;
    }
    parts.push(quoteSqliteIdentifier(reference.id));
    if (!state.tableWithoutAlias && !this.aliasFollows(next, end)) parts.push(`AS ${quoteSqliteIdentifier(reference.tableId)}`);
    return next;
  }

  private aliasFollows(index: number, end: number): boolean {
    if (index >= end) return false;
    const token = this.ctx.tokens[index]!;
    if (isWord(token, 'AS') || token.kind === 'quoted') return true;
    return token.kind === 'word' && !NOT_AN_ALIAS.has(token.value.toUpperCase());
  }

  /**
   * Reads name ('.' name)*; backticked parts may themselves hold dots. In table position an unquoted
   * project ID may contain hyphens (FROM my-project.dataset.table), as BigQuery allows.
   */
  readChain(i: number, end: number, allowHyphens: boolean): { segments: string[]; next: number } {
    const tokens = this.ctx.tokens;
    const segments: string[] = [];
    let cursor = i;
    const readSegment = (): void => {
      const token = tokens[cursor]!;
      if (token.kind === 'quoted') {
        segments.push(...token.value.split('.'));
        cursor++;
        return;
      }
      let name = token.value;
      cursor++;
      while (allowHyphens && segments.length === 0 && cursor + 1 < end && isPunct(tokens[cursor], '-') && adjacent(tokens[cursor - 1]!, tokens[cursor]!) && (tokens[cursor + 1]!.kind === 'word' || tokens[cursor + 1]!.kind === 'number') && adjacent(tokens[cursor]!, tokens[cursor + 1]!)) {
        name += `-${tokens[cursor + 1]!.value}`;
        cursor += 2;
      }
      segments.push(name);
    };
    readSegment();
    while (cursor + 1 < end && isPunct(tokens[cursor], '.') && (tokens[cursor + 1]!.kind === 'word' || tokens[cursor + 1]!.kind === 'quoted')) {
      cursor++;
      readSegment();
    }
    return { segments, next: cursor };
  }

  /** A table name in table position → the table (recorded), or undefined for a WITH name. */
  resolveTableName(segments: readonly string[], at: Token): ResolvedTable | undefined {
    if (segments.length === 1) {
      const name = segments[0]!;
      if (this.cteNames.has(name.toLowerCase())) return undefined;
      const dataset = this.ctx.defaultDataset;
      if (dataset === undefined) {
        this.fail(`Table "${name}" must be qualified with a dataset (e.g. dataset.table)`, at);
      }
      return this.requireTable([dataset!.projectId, dataset!.datasetId, name]);
    }
    if (segments.length === 2) return this.requireTable([this.ctx.defaultProjectId, segments[0]!, segments[1]!]);
    if (segments.length === 3) return this.requireTable([segments[0]!, segments[1]!, segments[2]!]);
    this.fail(`Invalid table name ${segments.join('.')}; expected [project.]dataset.table`, at);
  }

  private lookup(segments: readonly string[]): ResolvedTable | undefined {
    if (segments.length === 3) return this.ctx.tables.findTable(segments[0]!, segments[1]!, segments[2]!);
    if (segments.length === 2) return this.ctx.tables.findTable(this.ctx.defaultProjectId, segments[0]!, segments[1]!);
    return undefined;
  }

  private requireTable([projectId, datasetId, tableId]: [string, string, string]): ResolvedTable {
    const table = this.ctx.tables.findTable(projectId, datasetId, tableId);
    if (table === undefined) {
      throw notFound(`Not found: Table ${projectId}:${datasetId}.${tableId} was not found in location US`);
    }
    this.referencedTables.set(table.id, table);
    return table;
  }

  private parameterText(token: Token): string {
    const name = token.value.toLowerCase();
    const parameter = this.ctx.parameters.named.get(name);
    if (parameter === undefined) this.fail(`Query parameter '${token.value}' not found`, token);
    return this.ctx.inlineParameters ? inlineValue(parameter!.value) : `@${name}`;
  }

  private positionalText(token: Token): string {
    this.positionalUsed++;
    const parameter = this.ctx.parameters.positional[this.positionalUsed - 1];
    if (parameter === undefined) this.fail(`Query parameter number ${this.positionalUsed} not found`, token);
    return this.ctx.inlineParameters ? inlineValue(parameter!.value) : `?${this.positionalUsed}`;
  }

  closingParen(open: number, end: number): number {
    const close = findClosing(this.ctx.tokens, open, end);
    if (close < 0) this.fail('Syntax error: Unexpected end of script (unbalanced parentheses)', this.ctx.tokens[open]);
    return close;
  }
}

function adjacent(left: Token, right: Token): boolean {
  return left.offset + left.length === right.offset;
}

function inlineValue(value: SqliteBindable): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return quoteSqliteString(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  return `X'${Buffer.from(value).toString('hex')}'`;
}

/** The crd_cast target for a BigQuery type name. */
function castTarget(typeName: string): FieldType | undefined {
  switch (typeName) {
    case 'INT64':
    case 'INTEGER':
    case 'INT':
    case 'BIGINT':
      return 'INTEGER';
    case 'FLOAT64':
    case 'FLOAT':
      return 'FLOAT';
    case 'NUMERIC':
    case 'BIGNUMERIC':
    case 'DECIMAL':
    case 'BIGDECIMAL':
      return 'NUMERIC';
    case 'BOOL':
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'STRING':
      return 'STRING';
    case 'DATE':
      return 'DATE';
    case 'TIMESTAMP':
      return 'TIMESTAMP';
    case 'DATETIME':
      return 'DATETIME';
    default:
      return undefined;
  }
}

/** Names defined by WITH name AS (...), which are tables SQLite knows by that name. */
function collectCteNames(tokens: readonly Token[]): Set<string> {
  const names = new Set<string>();
  for (let i = 1; i + 2 < tokens.length; i++) {
    const token = tokens[i]!;
    if ((token.kind === 'word' || token.kind === 'quoted') && isWord(tokens[i + 1], 'AS') && isPunct(tokens[i + 2], '(')) {
      const previous = tokens[i - 1];
      if (isWord(previous, 'WITH', 'RECURSIVE') || isPunct(previous, ',')) names.add(token.value.toLowerCase());
    }
  }
  return names;
}
