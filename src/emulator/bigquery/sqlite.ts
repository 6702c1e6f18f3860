// A small typed face for sql.js (SQLite compiled to WebAssembly), the engine that executes the
// emulator's BigQuery SQL. sql.js ships no TypeScript types; this module declares only what the
// emulator uses and checks the loaded module's shape once, so the rest of the code stays `any`-free.
//
// Why sql.js rather than alasql (already a dev dependency): SQLite has real, well-specified SQL
// semantics (NULL handling, GROUP BY, window functions, UPDATE ... FROM, savepoints, triggers), native
// `@name` parameters, declared column types we can read back through a view, and precise error
// messages we can map onto BigQuery's. alasql's parser rejects much ordinary SQL and its errors are
// parser dumps. sql.js needs no native build (pure WebAssembly), so it installs everywhere.

/** A value as SQLite hands it back with `useBigInt`: INTEGER storage arrives as bigint. */
export type SqliteValue = string | number | bigint | Uint8Array | null;
/** What a registered function receives: sql.js passes INTEGER and REAL alike as numbers. */
export type SqliteFunctionArgument = string | number | Uint8Array | null;
/** What may be bound to a parameter or returned from a registered function. */
export type SqliteBindable = string | number | boolean | Uint8Array | null;

export interface SqliteStatement {
  bind(values: SqliteBindable[] | Record<string, SqliteBindable>): boolean;
  step(): boolean;
  get(params: null, config: { useBigInt: true }): SqliteValue[];
  getColumnNames(): string[];
  free(): boolean;
}

export interface SqliteAggregate<State> {
  init: () => State;
  step: (state: State, ...args: SqliteFunctionArgument[]) => State;
  finalize: (state: State) => SqliteBindable;
}

export interface SqliteDatabase {
  /** Runs one or more statements without results. */
  run(sql: string, params?: SqliteBindable[] | Record<string, SqliteBindable>): void;
  prepare(sql: string): SqliteStatement;
  /** Rows changed by the most recent INSERT, UPDATE or DELETE. */
  getRowsModified(): number;
  /** sql.js registers the function with `fn.length` arguments: declare every parameter, no rest or defaults. */
  create_function(name: string, fn: (...args: SqliteFunctionArgument[]) => SqliteBindable): void;
  create_aggregate<State>(name: string, aggregate: SqliteAggregate<State>): void;
  close(): void;
}

interface SqlJsRuntime {
  Database: new () => SqliteDatabase;
}

type SqlJsInit = (config: { useOldExtensionFunctions: boolean }) => Promise<SqlJsRuntime>;

let runtime: Promise<SqlJsRuntime> | undefined;

function loadRuntime(): Promise<SqlJsRuntime> {
  // require() keeps sql.js out of the type system (it has no types) and loads its WebAssembly lazily.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded: unknown = require('sql.js');
  if (typeof loaded !== 'function') throw new Error('sql.js did not export its init function');
  const init = loaded as SqlJsInit;
  // Native SQLite math functions instead of sql.js's deprecated extension versions (which warn on use).
  return init({ useOldExtensionFunctions: false }).then((sql) => {
    if (typeof sql.Database !== 'function') throw new Error('sql.js did not provide Database');
    return sql;
  });
}

/** A fresh, empty in-memory database. The WebAssembly module is compiled once per process. */
export async function openSqliteDatabase(): Promise<SqliteDatabase> {
  runtime ??= loadRuntime();
  const sql = await runtime;
  return new sql.Database();
}

/** Runs a query and returns every row (column names separately). */
export function queryAll(
  db: SqliteDatabase,
  sql: string,
  params?: SqliteBindable[] | Record<string, SqliteBindable>,
): { columns: string[]; rows: SqliteValue[][] } {
  const statement = db.prepare(sql);
  try {
    if (params !== undefined) statement.bind(params);
    const rows: SqliteValue[][] = [];
    while (statement.step()) rows.push(statement.get(null, { useBigInt: true }));
    return { columns: statement.getColumnNames(), rows };
  } finally {
    statement.free();
  }
}

/**
 * Quotes an SQLite identifier (our table names contain dots and hyphens). Backticks rather than double
 * quotes: SQLite reads an unknown "double-quoted" name as a string literal, which would turn a
 * misspelt column into a constant instead of an error.
 */
export function quoteSqliteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

export function quoteSqliteString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
