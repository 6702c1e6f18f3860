// Runs one BigQuery statement (SELECT, INSERT, UPDATE, DELETE, MERGE) against the store.
import { BigQueryApiError, invalidQuery } from './errors';
import { Translator, type BoundParameter, type ParameterSet, type ResolvedTable } from './dialect';
import { inferExpressionType, mainSelectList, type SelectItem } from './infer';
import { translateRollup } from './rollup';
import { queryAll, quoteSqliteIdentifier, type SqliteBindable, type SqliteValue } from './sqlite';
import { STREAMING_BUFFER_ERROR_PREFIX, type BigQueryStore, type TableState } from './store';
import { describeLocation, findClosing, isPunct, isWord, RESERVED_KEYWORDS, splitTopLevel, tokenize, topLevelIndices, type Token } from './tokens';
import { fieldTypeFromDeclaredType, jsonToStorage, parseFieldType, type FieldSchema, type FieldType } from './values';

export type StatementType = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'MERGE';

export interface QueryRequest {
  projectId: string;
  query: string;
  parameters: ParameterSet;
  defaultDataset?: { projectId: string; datasetId: string };
}

export interface DmlStats {
  insertedRowCount: number;
  updatedRowCount: number;
  deletedRowCount: number;
}

export interface QueryOutcome {
  statementType: StatementType;
  /** Result columns (empty for DML). */
  schema: FieldSchema[];
  rows: SqliteValue[][];
  dml?: DmlStats;
  referencedTables: string[];
}

const MERGE_DUPLICATE_ERROR = 'CRD_MERGE_DUPLICATE';

// ---------------------------------------------------------------------------------------------
// Query parameters as the REST API carries them:
//   {name?, parameterType: {type, arrayType?}, parameterValue: {value?, arrayValues?: [{value}]}}

export function parseQueryParameters(raw: unknown, mode: unknown): ParameterSet {
  const named = new Map<string, BoundParameter>();
  const positional: BoundParameter[] = [];
  if (raw === undefined || raw === null) return { named, positional };
  if (!Array.isArray(raw)) throw invalidQuery('queryParameters must be an array');
  raw.forEach((entry: unknown, index) => {
    const parameter = asRecord(entry);
    const name = typeof parameter?.name === 'string' ? parameter.name : undefined;
    const label = name !== undefined ? `@${name}` : `#${index + 1}`;
    const type = asRecord(parameter?.parameterType);
    const value = asRecord(parameter?.parameterValue);
    const typeName = typeof type?.type === 'string' ? type.type.toUpperCase() : '';
    let bound: BoundParameter;
    if (typeName === 'ARRAY') {
      const elementTypeName = asRecord(type?.arrayType)?.type;
      const elementType = typeof elementTypeName === 'string' ? parseFieldType(elementTypeName) : undefined;
      if (elementType === undefined) throw invalidQuery(`Query parameter ${label}: arrays of ${String(elementTypeName)} are not supported by the emulator`);
      const items = Array.isArray(value?.arrayValues) ? value.arrayValues : [];
      const converted = items.map((item: unknown) => convertParameterValue(elementType, asRecord(item)?.value, label));
      bound = { type: 'ARRAY', elementType, value: JSON.stringify(converted) };
    } else {
      const fieldType = parseFieldType(typeName);
      if (fieldType === undefined) throw invalidQuery(`Query parameter ${label} has type ${typeName || '(none)'}, which the emulator does not support`);
      bound = { type: fieldType, value: convertParameterValue(fieldType, value?.value, label) };
    }
    if (mode === 'POSITIONAL' || name === undefined) positional.push(bound);
    else named.set(name.toLowerCase(), bound);
  });
  return { named, positional };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function convertParameterValue(type: FieldType, value: unknown, label: string): SqliteBindable {
  const converted = jsonToStorage(type, value);
  if (!converted.ok) throw invalidQuery(`Query parameter ${label}: ${converted.problem}`);
  return converted.value;
}

function bindings(parameters: ParameterSet): Record<string, SqliteBindable> {
  const values: Record<string, SqliteBindable> = {};
  for (const [name, parameter] of parameters.named) values[`@${name}`] = parameter.value;
  parameters.positional.forEach((parameter, index) => {
    values[`?${index + 1}`] = parameter.value;
  });
  return values;
}

// ---------------------------------------------------------------------------------------------

export function runStatement(store: BigQueryStore, request: QueryRequest): QueryOutcome {
  const tokens = tokenize(request.query);
  let end = tokens.length;
  while (end > 0 && isPunct(tokens[end - 1], ';')) end--;
  const statementTokens = tokens.slice(0, end);
  if (statementTokens.length === 0) throw invalidQuery('Syntax error: Unexpected end of script at [1:1]');
  const first = statementTokens[0]!;
  const keyword = first.kind === 'word' ? first.value.toUpperCase() : first.value;
  const translator = (inlineParameters = false): Translator =>
    new Translator({
      sql: request.query,
      tokens: statementTokens,
      defaultProjectId: request.projectId,
      ...(request.defaultDataset ? { defaultDataset: request.defaultDataset } : {}),
      tables: store,
      parameters: request.parameters,
      inlineParameters,
    });
  try {
    switch (keyword) {
      case 'SELECT':
      case 'WITH':
      case '(':
        return runSelect(store, request, statementTokens, translator);
      case 'INSERT':
      case 'UPDATE':
      case 'DELETE':
        return runDml(store, request, statementTokens, translator(), keyword);
      case 'MERGE':
        return runMerge(store, request, statementTokens, translator());
      case 'CREATE':
      case 'DROP':
      case 'ALTER':
      case 'TRUNCATE':
        throw invalidQuery(`${keyword} statements are not supported by the emulator; create tables through the API (tables.insert) or the control action create-table`);
      default:
        throw invalidQuery(`Syntax error: Unexpected ${describeToken(first)} at ${describeLocation(request.query, first.offset)}`);
    }
  } catch (err) {
    throw toBigQueryError(err, request.query, statementTokens);
  }
}

function runSelect(store: BigQueryStore, request: QueryRequest, tokens: readonly Token[], translator: (inline?: boolean) => Translator): QueryOutcome {
  const main = translator();
  const translate = (t: Translator): string => translateRollup(request.query, tokens, t) ?? t.translateRange(0, tokens.length);
  const sql = translate(main);
  const { columns, rows } = queryAll(store.db, sql, bindings(request.parameters));
  const declared = declaredResultTypes(store, translate(translator(true)), columns.length);
  const tables = [...main.referencedTables.values()];
  const schema = describeResult(tokens, columns, declared, rows, tables, request.parameters);
  return { statementType: 'SELECT', schema, rows, referencedTables: tables.map((t) => t.id) };
}

/**
 * Declared types of the result columns, read through a temporary view: for a column taken straight
 * from a table, SQLite reports the column's declared type (values.ts names them after BigQuery types).
 */
function declaredResultTypes(store: BigQueryStore, inlinedSql: string, columnCount: number): Array<FieldType | undefined> {
  const view = 'crd_result_types';
  try {
    store.db.run(`CREATE TEMP VIEW ${view} AS ${inlinedSql}`);
    const info = queryAll(store.db, `PRAGMA temp.table_info(${view})`).rows;
    return info.map((row) => fieldTypeFromDeclaredType(String(row[2] ?? '')));
  } catch {
    return new Array<FieldType | undefined>(columnCount).fill(undefined);
  } finally {
    store.db.run(`DROP VIEW IF EXISTS temp.${view}`);
  }
}

function describeResult(
  tokens: readonly Token[],
  columns: readonly string[],
  declared: ReadonlyArray<FieldType | undefined>,
  rows: readonly SqliteValue[][],
  tables: readonly ResolvedTable[],
  parameters: ParameterSet,
): FieldSchema[] {
  const items = mainSelectList(tokens);
  const aligned = alignItems(items, columns.length);
  const columnTypes = new Map<string, FieldType | null>();
  for (const table of tables) {
    for (const field of table.schema) {
      const key = field.name.toLowerCase();
      const known = columnTypes.get(key);
      // A name with different types in two tables is ambiguous: leave it to the values.
      columnTypes.set(key, known === undefined || known === field.type ? field.type : null);
    }
  }
  const env = {
    columnType: (name: string): FieldType | undefined => columnTypes.get(name.toLowerCase()) ?? undefined,
    parameter: (name: string): BoundParameter | undefined => parameters.named.get(name),
  };
  let anonymous = 0;
  return columns.map((sqliteName, index) => {
    const item = aligned[index];
    const type =
      declared[index] ??
      (item ? inferExpressionType(tokens, item.from, item.to, env) : undefined) ??
      typeFromValues(rows, index);
    let name: string;
    if (item) name = item.alias ?? item.columnName ?? `f${anonymous++}_`;
    else name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(sqliteName) ? sqliteName : `f${anonymous++}_`;
    return { name, type, mode: 'NULLABLE' };
  });
}

/** Select items matched to result columns; stars expand to unknown counts, so only the ends align. */
function alignItems(items: SelectItem[] | undefined, columnCount: number): Array<SelectItem | undefined> {
  const aligned = new Array<SelectItem | undefined>(columnCount).fill(undefined);
  if (!items) return aligned;
  const firstStar = items.findIndex((item) => item.star);
  if (firstStar < 0) {
    if (items.length === columnCount) items.forEach((item, index) => (aligned[index] = item));
    return aligned;
  }
  for (let i = 0; i < firstStar && i < columnCount; i++) aligned[i] = items[i];
  const lastStar = items.length - 1 - [...items].reverse().findIndex((item) => item.star);
  for (let i = items.length - 1, column = columnCount - 1; i > lastStar && column >= 0; i--, column--) aligned[column] = items[i];
  return aligned;
}

function typeFromValues(rows: readonly SqliteValue[][], index: number): FieldType {
  let sawFloat = false;
  for (const row of rows) {
    const value = row[index];
    if (value === null || value === undefined || typeof value === 'bigint') continue;
    if (typeof value === 'number') sawFloat = true;
    else return 'STRING';
  }
  // Integers, and columns of only NULLs (BigQuery types a bare NULL as INT64).
  return sawFloat ? 'FLOAT' : 'INTEGER';
}

// ---------------------------------------------------------------------------------------------
// DML.

function runDml(store: BigQueryStore, request: QueryRequest, tokens: readonly Token[], translator: Translator, keyword: 'INSERT' | 'UPDATE' | 'DELETE'): QueryOutcome {
  if (keyword !== 'INSERT' && !topLevelIndices(tokens, 0, tokens.length).some((i) => isWord(tokens[i], 'WHERE'))) {
    throw invalidQuery(`${keyword} must have a WHERE clause at ${describeLocation(request.query, tokens[tokens.length - 1]!.offset + tokens[tokens.length - 1]!.length)}`);
  }
  const sql = translator.translateRange(0, tokens.length);
  const target = [...translator.referencedTables.values()][0];
  if (!target) throw invalidQuery(`${keyword} needs a target table`);
  const table = store.requireTable(target);
  const affected = inSavepoint(store, () => {
    store.db.run(sql, bindings(request.parameters));
    const changed = store.db.getRowsModified();
    validateStoredValues(store, table);
    return changed;
  });
  if (affected > 0) store.touch(table);
  const dml: DmlStats = {
    insertedRowCount: keyword === 'INSERT' ? affected : 0,
    updatedRowCount: keyword === 'UPDATE' ? affected : 0,
    deletedRowCount: keyword === 'DELETE' ? affected : 0,
  };
  return { statementType: keyword, schema: [], rows: [], dml, referencedTables: [...translator.referencedTables.keys()] };
}

function inSavepoint<T>(store: BigQueryStore, work: () => T): T {
  store.db.run('SAVEPOINT crd_statement');
  try {
    const result = work();
    store.db.run('RELEASE crd_statement');
    return result;
  } catch (err) {
    store.db.run('ROLLBACK TO crd_statement');
    store.db.run('RELEASE crd_statement');
    throw err;
  }
}

/**
 * SQLite stores whatever a DML statement computes; BigQuery would have refused a value of the wrong
 * type. Checks the written table, and rewrites date/time text into the canonical storage form so
 * ordering and comparisons keep working ('2026-01-30T22:59:00Z' → '2026-01-30 22:59:00.000000+00:00').
 */
function validateStoredValues(store: BigQueryStore, table: TableState): void {
  const name = quoteSqliteIdentifier(table.id);
  for (const field of table.schema) {
    const column = quoteSqliteIdentifier(field.name);
    let badValueQuery: string | undefined;
    switch (field.type) {
      case 'INTEGER':
        badValueQuery = `SELECT ${column} FROM ${name} WHERE typeof(${column}) NOT IN ('integer', 'null') LIMIT 1`;
        break;
      case 'FLOAT':
      case 'NUMERIC':
        badValueQuery = `SELECT ${column} FROM ${name} WHERE typeof(${column}) NOT IN ('integer', 'real', 'null') LIMIT 1`;
        break;
      case 'BOOLEAN':
        badValueQuery = `SELECT ${column} FROM ${name} WHERE ${column} IS NOT NULL AND (typeof(${column}) <> 'integer' OR ${column} NOT IN (0, 1)) LIMIT 1`;
        break;
      case 'DATE':
      case 'TIMESTAMP':
      case 'DATETIME': {
        const canonical = `crd_cast(${column}, '${field.type}', 1)`;
        badValueQuery = `SELECT ${column} FROM ${name} WHERE ${column} IS NOT NULL AND ${canonical} IS NULL LIMIT 1`;
        const bad = queryAll(store.db, badValueQuery).rows[0];
        if (bad) throw invalidQuery(`Invalid ${field.type} value ${JSON.stringify(String(bad[0]))} for column ${field.name}`);
        store.db.run(`UPDATE ${name} SET ${column} = ${canonical} WHERE ${column} IS NOT NULL AND ${column} <> ${canonical}`);
        badValueQuery = undefined;
        break;
      }
      default:
        break;
    }
    if (badValueQuery !== undefined) {
      const bad = queryAll(store.db, badValueQuery).rows[0];
      if (bad) {
        throw invalidQuery(`Value ${JSON.stringify(String(bad[0]))} cannot be assigned to ${field.name}, which has type ${standardTypeName(field.type)}`);
      }
    }
  }
}

function standardTypeName(type: FieldType): string {
  return { STRING: 'STRING', INTEGER: 'INT64', FLOAT: 'FLOAT64', NUMERIC: 'NUMERIC', BOOLEAN: 'BOOL', DATE: 'DATE', TIMESTAMP: 'TIMESTAMP', DATETIME: 'DATETIME' }[type];
}

// ---------------------------------------------------------------------------------------------
// MERGE. SQLite has no MERGE, so it runs as a plan of plain statements inside a savepoint:
//   1. the source is copied to a temp table; target/source row pairs satisfying ON go to crd_merge_pairs
//   2. each WHEN clause, in order, claims the pairs (or unmatched rows) its AND condition accepts
//   3. the claimed rows are updated, then deleted, then the inserts run (so reused rowids cannot be hit)

type MergeClauseKind = 'MATCHED' | 'NOT_MATCHED_BY_TARGET' | 'NOT_MATCHED_BY_SOURCE';

interface MergeClause {
  kind: MergeClauseKind;
  condition?: string;
  action: { type: 'UPDATE'; assignments: string } | { type: 'DELETE' } | { type: 'INSERT'; columns: string[]; values: string[] };
}

function runMerge(store: BigQueryStore, request: QueryRequest, tokens: readonly Token[], translator: Translator): QueryOutcome {
  const fail = (message: string, at: Token | undefined): never => translator.fail(`Syntax error: ${message}`, at);
  let i = 1;
  if (isWord(tokens[i], 'INTO')) i++;
  if (tokens[i]?.kind !== 'word' && tokens[i]?.kind !== 'quoted') fail('expected the target table after MERGE', tokens[i]);
  const targetChain = translator.readChain(i, tokens.length, true);
  const target = translator.resolveTableName(targetChain.segments, tokens[i]!);
  if (!target) fail('the MERGE target must be a table', tokens[i]);
  const targetTable = store.requireTable(target!);
  i = targetChain.next;
  let targetAlias = targetTable.tableId;
  [targetAlias, i] = readAlias(tokens, i, targetAlias, 'USING');
  if (!isWord(tokens[i], 'USING')) fail('expected USING', tokens[i]);
  i++;

  let sourceSql: string;
  let sourceAlias = 'crd_merge_source_rows';
  if (isPunct(tokens[i], '(')) {
    const close = findClosing(tokens, i, tokens.length);
    if (close < 0) fail('unbalanced parentheses', tokens[i]);
    sourceSql = translator.translateRange(i + 1, close);
    i = close + 1;
  } else {
    const sourceChain = translator.readChain(i, tokens.length, true);
    const source = translator.resolveTableName(sourceChain.segments, tokens[i]!);
    sourceSql = source ? `SELECT * FROM ${quoteSqliteIdentifier(source.id)}` : `SELECT * FROM ${quoteSqliteIdentifier(sourceChain.segments[0]!)}`;
    sourceAlias = source?.tableId ?? sourceChain.segments[0]!;
    i = sourceChain.next;
  }
  [sourceAlias, i] = readAlias(tokens, i, sourceAlias, 'ON');
  if (!isWord(tokens[i], 'ON')) fail('expected ON', tokens[i]);
  const top = topLevelIndices(tokens, i + 1, tokens.length);
  const whenIndices = top.filter((index) => isWord(tokens[index], 'WHEN'));
  if (whenIndices.length === 0) fail('expected WHEN [NOT] MATCHED', tokens[tokens.length - 1]);
  const onCondition = translator.translateRange(i + 1, whenIndices[0]!);
  const clauses = whenIndices.map((start, index) => parseMergeClause(tokens, start, whenIndices[index + 1] ?? tokens.length, translator, targetTable));

  const T = quoteSqliteIdentifier(targetAlias);
  const S = quoteSqliteIdentifier(sourceAlias);
  const targetName = quoteSqliteIdentifier(targetTable.id);
  const params = bindings(request.parameters);
  const run = (sql: string): number => {
    store.db.run(sql, params);
    return store.db.getRowsModified();
  };
  const dml: DmlStats = { insertedRowCount: 0, updatedRowCount: 0, deletedRowCount: 0 };
  const temporaryTables = ['crd_merge_source', 'crd_merge_pairs', 'crd_merge_unmatched_source', 'crd_merge_unmatched_target'];
  const dropTemporaryTables = (): void => {
    for (const name of temporaryTables) store.db.run(`DROP TABLE IF EXISTS temp.${name}`);
  };
  try {
    dropTemporaryTables();
    inSavepoint(store, () => {
      run(`CREATE TEMP TABLE crd_merge_source AS ${sourceSql}`);
      run(
        `CREATE TEMP TABLE crd_merge_pairs AS SELECT ${T}.rowid AS target_rowid, ${S}.rowid AS source_rowid, CAST(NULL AS INTEGER) AS clause ` +
          `FROM ${targetName} AS ${T} JOIN temp.crd_merge_source AS ${S} ON (${onCondition})`,
      );
      run(
        `CREATE TEMP TABLE crd_merge_unmatched_source AS SELECT ${S}.rowid AS source_rowid, CAST(NULL AS INTEGER) AS clause ` +
          `FROM temp.crd_merge_source AS ${S} WHERE ${S}.rowid NOT IN (SELECT source_rowid FROM temp.crd_merge_pairs)`,
      );
      run(
        `CREATE TEMP TABLE crd_merge_unmatched_target AS SELECT ${T}.rowid AS target_rowid, CAST(NULL AS INTEGER) AS clause ` +
          `FROM ${targetName} AS ${T} WHERE ${T}.rowid NOT IN (SELECT target_rowid FROM temp.crd_merge_pairs)`,
      );
      const changesMatchedRows = clauses.some((clause) => clause.kind === 'MATCHED');
      if (changesMatchedRows && queryAll(store.db, 'SELECT 1 FROM temp.crd_merge_pairs GROUP BY target_rowid HAVING COUNT(*) > 1 LIMIT 1').rows.length > 0) {
        throw new Error(MERGE_DUPLICATE_ERROR);
      }
      // 2. Claim rows, clause by clause (the first clause whose condition holds wins).
      clauses.forEach((clause, index) => {
        const condition = clause.condition ?? '1';
        switch (clause.kind) {
          case 'MATCHED':
            run(
              `UPDATE temp.crd_merge_pairs SET clause = ${index} WHERE clause IS NULL AND EXISTS (SELECT 1 FROM ${targetName} AS ${T}, temp.crd_merge_source AS ${S} ` +
                `WHERE ${T}.rowid = crd_merge_pairs.target_rowid AND ${S}.rowid = crd_merge_pairs.source_rowid AND (${condition}))`,
            );
            break;
          case 'NOT_MATCHED_BY_TARGET':
            run(
              `UPDATE temp.crd_merge_unmatched_source SET clause = ${index} WHERE clause IS NULL AND EXISTS (SELECT 1 FROM temp.crd_merge_source AS ${S} ` +
                `WHERE ${S}.rowid = crd_merge_unmatched_source.source_rowid AND (${condition}))`,
            );
            break;
          case 'NOT_MATCHED_BY_SOURCE':
            run(
              `UPDATE temp.crd_merge_unmatched_target SET clause = ${index} WHERE clause IS NULL AND EXISTS (SELECT 1 FROM ${targetName} AS ${T} ` +
                `WHERE ${T}.rowid = crd_merge_unmatched_target.target_rowid AND (${condition}))`,
            );
            break;
        }
      });
      // 3. Updates, deletes, inserts.
      clauses.forEach((clause, index) => {
        if (clause.action.type !== 'UPDATE') return;
        if (clause.kind === 'MATCHED') {
          dml.updatedRowCount += run(
            `UPDATE ${targetName} AS ${T} SET ${clause.action.assignments} FROM (SELECT ${S}.*, P.target_rowid AS crd_target_rowid FROM temp.crd_merge_source AS ${S} ` +
              `JOIN temp.crd_merge_pairs AS P ON P.source_rowid = ${S}.rowid WHERE P.clause = ${index}) AS ${S} WHERE ${T}.rowid = ${S}.crd_target_rowid`,
          );
        } else {
          dml.updatedRowCount += run(
            `UPDATE ${targetName} AS ${T} SET ${clause.action.assignments} WHERE ${T}.rowid IN (SELECT target_rowid FROM temp.crd_merge_unmatched_target WHERE clause = ${index})`,
          );
        }
      });
      clauses.forEach((clause, index) => {
        if (clause.action.type !== 'DELETE') return;
        const claimed = clause.kind === 'MATCHED' ? 'crd_merge_pairs' : 'crd_merge_unmatched_target';
        dml.deletedRowCount += run(`DELETE FROM ${targetName} WHERE rowid IN (SELECT target_rowid FROM temp.${claimed} WHERE clause = ${index})`);
      });
      clauses.forEach((clause, index) => {
        if (clause.action.type !== 'INSERT') return;
        dml.insertedRowCount += run(
          `INSERT INTO ${targetName} (${clause.action.columns.join(', ')}) SELECT ${clause.action.values.join(', ')} FROM temp.crd_merge_source AS ${S} ` +
            `WHERE ${S}.rowid IN (SELECT source_rowid FROM temp.crd_merge_unmatched_source WHERE clause = ${index})`,
        );
      });
      validateStoredValues(store, targetTable);
    });
  } finally {
    dropTemporaryTables();
  }
  if (dml.insertedRowCount + dml.updatedRowCount + dml.deletedRowCount > 0) store.touch(targetTable);
  return { statementType: 'MERGE', schema: [], rows: [], dml, referencedTables: [...translator.referencedTables.keys()] };
}

/** [AS] alias, unless the next word is `stopWord`. */
function readAlias(tokens: readonly Token[], index: number, fallback: string, stopWord: string): [string, number] {
  if (isWord(tokens[index], 'AS') && (tokens[index + 1]?.kind === 'word' || tokens[index + 1]?.kind === 'quoted')) return [tokens[index + 1]!.value, index + 2];
  const token = tokens[index];
  if ((token?.kind === 'word' && !isWord(token, stopWord)) || token?.kind === 'quoted') return [token.value, index + 1];
  return [fallback, index];
}

function parseMergeClause(tokens: readonly Token[], start: number, end: number, translator: Translator, target: TableState): MergeClause {
  const fail = (message: string, at: Token | undefined): never => translator.fail(`Syntax error: ${message}`, at);
  let i = start + 1;
  let kind: MergeClauseKind;
  if (isWord(tokens[i], 'MATCHED')) {
    kind = 'MATCHED';
    i++;
  } else if (isWord(tokens[i], 'NOT') && isWord(tokens[i + 1], 'MATCHED')) {
    i += 2;
    kind = 'NOT_MATCHED_BY_TARGET';
    if (isWord(tokens[i], 'BY')) {
      if (isWord(tokens[i + 1], 'SOURCE')) kind = 'NOT_MATCHED_BY_SOURCE';
      else if (!isWord(tokens[i + 1], 'TARGET')) fail('expected BY TARGET or BY SOURCE', tokens[i + 1]);
      i += 2;
    }
  } else {
    return fail('expected MATCHED or NOT MATCHED', tokens[i]);
  }
  const thenIndex = topLevelIndices(tokens, i, end).find((index) => isWord(tokens[index], 'THEN'));
  if (thenIndex === undefined) return fail('expected THEN', tokens[end - 1]);
  let condition: string | undefined;
  if (isWord(tokens[i], 'AND')) condition = translator.translateRange(i + 1, thenIndex);
  else if (i !== thenIndex) fail('expected AND or THEN', tokens[i]);
  const actionWord = tokens[thenIndex + 1];
  const clause = (action: MergeClause['action']): MergeClause => ({ kind, ...(condition !== undefined ? { condition } : {}), action });
  if (isWord(actionWord, 'DELETE')) {
    if (kind === 'NOT_MATCHED_BY_TARGET') fail('WHEN NOT MATCHED [BY TARGET] can only INSERT', actionWord);
    return clause({ type: 'DELETE' });
  }
  if (isWord(actionWord, 'UPDATE')) {
    if (kind === 'NOT_MATCHED_BY_TARGET') fail('WHEN NOT MATCHED [BY TARGET] can only INSERT', actionWord);
    if (!isWord(tokens[thenIndex + 2], 'SET')) fail('expected SET', tokens[thenIndex + 2]);
    return clause({ type: 'UPDATE', assignments: translator.translateRange(thenIndex + 3, end, 'set') });
  }
  if (isWord(actionWord, 'INSERT')) {
    if (kind !== 'NOT_MATCHED_BY_TARGET') fail('INSERT is only allowed in WHEN NOT MATCHED [BY TARGET]', actionWord);
    let cursor = thenIndex + 2;
    let columns = target.schema.map((field) => field.name);
    if (isPunct(tokens[cursor], '(')) {
      const close = findClosing(tokens, cursor, end);
      columns = splitTopLevel(tokens, cursor + 1, close).map(([from, to]) => {
        if (to !== from + 1) fail('expected a column name', tokens[from]);
        return tokens[from]!.value;
      });
      cursor = close + 1;
    }
    if (isWord(tokens[cursor], 'ROW')) {
      return clause({ type: 'INSERT', columns: columns.map(quoteSqliteIdentifier), values: columns.map((name) => quoteSqliteIdentifier(name)) });
    }
    if (!isWord(tokens[cursor], 'VALUES') || !isPunct(tokens[cursor + 1], '(')) return fail('expected VALUES (...) or ROW', tokens[cursor]);
    const close = findClosing(tokens, cursor + 1, end);
    const values = splitTopLevel(tokens, cursor + 2, close).map(([from, to]) => translator.translateRange(from, to));
    if (values.length !== columns.length) fail(`INSERT has ${columns.length} columns but ${values.length} values`, tokens[cursor]);
    return clause({ type: 'INSERT', columns: columns.map(quoteSqliteIdentifier), values });
  }
  return fail('expected UPDATE, DELETE or INSERT', actionWord);
}

// ---------------------------------------------------------------------------------------------
// SQLite errors → BigQuery's messages.

function describeToken(token: Token): string {
  if (token.kind === 'word') return RESERVED_KEYWORDS.has(token.value.toUpperCase()) ? `keyword ${token.value.toUpperCase()}` : `identifier "${token.value}"`;
  if (token.kind === 'string') return 'string literal';
  if (token.kind === 'number') return `integer literal "${token.value}"`;
  return `"${token.value}"`;
}

function locate(sql: string, tokens: readonly Token[], text: string): string {
  const lower = text.toLowerCase();
  const token = tokens.find((t) => t.value.toLowerCase() === lower || t.value.toLowerCase().endsWith(`.${lower}`));
  const offset = token?.offset ?? Math.max(0, sql.toLowerCase().indexOf(lower));
  return describeLocation(sql, offset);
}

export function toBigQueryError(err: unknown, sql: string, tokens: readonly Token[]): BigQueryApiError {
  if (err instanceof BigQueryApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith(STREAMING_BUFFER_ERROR_PREFIX)) {
    const table = message.slice(STREAMING_BUFFER_ERROR_PREFIX.length);
    return invalidQuery(`UPDATE or DELETE statement over table ${table} would affect rows in the streaming buffer, which is not supported`);
  }
  if (message === MERGE_DUPLICATE_ERROR) return invalidQuery('UPDATE/MERGE must match at most one source row for each target row');
  let match = /^near "(.*)": syntax error$/s.exec(message);
  if (match) {
    const token = tokens.find((t) => t.value === match![1] || t.value.toUpperCase() === match![1]!.toUpperCase());
    return invalidQuery(`Syntax error: Unexpected ${token ? describeToken(token) : `"${match[1]}"`} at ${locate(sql, tokens, match[1]!)}`);
  }
  if (message === 'incomplete input') return invalidQuery(`Syntax error: Unexpected end of script at ${describeLocation(sql, sql.trimEnd().length)}`);
  match = /^no such column: (.*)$/.exec(message);
  if (match) return invalidQuery(`Unrecognized name: ${match[1]!.split('.').pop()} at ${locate(sql, tokens, match[1]!.split('.').pop()!)}`);
  match = /^no such table: (?:main\.|temp\.)?(.*)$/.exec(message);
  if (match) {
    const parts = match[1]!.split('.');
    if (parts.length >= 3) {
      const tableId = parts.pop()!;
      const datasetId = parts.pop()!;
      return new BigQueryApiError(404, 'notFound', `Not found: Table ${parts.join('.')}:${datasetId}.${tableId} was not found in location US`);
    }
    return invalidQuery(`Table "${match[1]}" must be qualified with a dataset (e.g. dataset.table)`);
  }
  match = /^no such function: (.*)$/.exec(message);
  if (match) return invalidQuery(`Function not found: ${match[1]} at ${locate(sql, tokens, match[1]!)}`);
  match = /^wrong number of arguments to function (\w+)\(\)$/.exec(message);
  if (match) {
    const name = match[1]!.replace(/^crd_/, '').toUpperCase();
    return invalidQuery(`No matching signature for function ${name} (wrong number of arguments) at ${locate(sql, tokens, name)}`);
  }
  match = /^ambiguous column name: (.*)$/.exec(message);
  if (match) return invalidQuery(`Column name ${match[1]} is ambiguous at ${locate(sql, tokens, match[1]!.split('.').pop()!)}`);
  match = /^misuse of aggregate(?: function)?:? (\w+)\(\)$/.exec(message);
  if (match) return invalidQuery(`Aggregate function ${match[1]!.toUpperCase()} not allowed here`);
  return invalidQuery(message.replace(/\bcrd_(\w+)/g, (_all: string, name: string) => name.toUpperCase()));
}
