// The scenario's "bigquery" section and the BigQuery control payloads: shapes and validation.
//
//   "bigquery": {
//     "streamingBufferMinutes": 90,                     // default for every table: how long rows streamed
//                                                       // with insertAll stay in the streaming buffer
//     "datasets": {
//       "nba-props-platform.nba_predictions": {         // "project.dataset"
//         "location": "US",                             // default "US"
//         "description": "free text",
//         "tables": {
//           "prediction_accuracy": {
//             "schema": [                               // required
//               {"name": "game_date", "type": "DATE", "mode": "REQUIRED"},
//               {"name": "absolute_error", "type": "FLOAT64"}          // mode defaults to NULLABLE
//             ],                                        // types: STRING, INT64/INTEGER, FLOAT64/FLOAT, NUMERIC,
//                                                       //        BOOL/BOOLEAN, DATE, TIMESTAMP, DATETIME
//             "rows": [{"game_date": "2026-01-24", "absolute_error": 4.5}],   // committed rows
//             "streamedRows": [{...}],                  // rows that arrived through insertAll ...
//             "streamedMinutesAgo": 5,                  // ... this long before the scenario loaded (default 0)
//             "streamingBufferMinutes": 90,             // this table's buffer retention (overrides the default)
//             "description": "free text"
//           }
//         }
//       }
//     }
//   }
//
// Row values are JSON as insertAll takes them: DATE "YYYY-MM-DD", TIMESTAMP an RFC 3339 / BigQuery
// timestamp string (or epoch seconds), INT64 a number or a decimal string, BOOL true/false.
//
// Control actions (POST /control/<action>):
//   rows                    {table: "project.dataset.table", rows: [{...}], streamed?: boolean, streamedMinutesAgo?: n}
//                           appends rows; streamed rows enter the streaming buffer (as insertAll's do)
//   create-table            {table: "project.dataset.table", schema: [...], rows?: [...], streamingBufferMinutes?: n, replace?: boolean}
//                           creates the table (and its dataset); replace: true drops an existing one first
//   flush-streaming-buffer  {table?: "project.dataset.table"}  commits buffered rows at once (all tables when omitted)
// The streaming buffer otherwise drains with the emulator clock: POST /control/clock {"advanceMs": 5400000}.
import { ScenarioError } from '../api';
import { childPath, expectArray, expectBoolean, expectInteger, expectKnownKeys, expectObject, expectString, optionalString, PROJECT_PATTERN } from '../scenario';
import type { SqliteBindable } from './sqlite';
import { jsonToStorage, parseFieldType, SUPPORTED_TYPE_NAMES, type FieldMode, type FieldSchema } from './values';

/** How the scenario and the seed write a column (types in any accepted spelling). */
export interface ScenarioFieldSpec {
  name: string;
  type: string;
  mode?: 'NULLABLE' | 'REQUIRED';
  description?: string;
}

export type ScenarioRow = Record<string, unknown>;

export interface ScenarioTableSpec {
  schema: ScenarioFieldSpec[];
  rows?: ScenarioRow[];
  streamedRows?: ScenarioRow[];
  streamedMinutesAgo?: number;
  streamingBufferMinutes?: number;
  description?: string;
}

export interface ScenarioDatasetSpec {
  location?: string;
  description?: string;
  tables?: Record<string, ScenarioTableSpec>;
}

export interface BigQueryScenarioSection {
  streamingBufferMinutes?: number;
  /** Keyed by "project.dataset". */
  datasets?: Record<string, ScenarioDatasetSpec>;
}

export const DEFAULT_STREAMING_BUFFER_MINUTES = 90;
export const DEFAULT_LOCATION = 'US';

export interface TableRef {
  projectId: string;
  datasetId: string;
  tableId: string;
}

export interface ParsedTable extends TableRef {
  schema: FieldSchema[];
  rows: SqliteBindable[][];
  streamedRows: SqliteBindable[][];
  streamedMinutesAgo: number;
  streamingBufferMinutes: number;
  description?: string;
}

export interface ParsedDataset {
  projectId: string;
  datasetId: string;
  location: string;
  description?: string;
  tables: ParsedTable[];
}

export interface ParsedBigQuerySection {
  /** For tables created later (tables.insert, control create-table) without their own setting. */
  defaultStreamingBufferMinutes: number;
  datasets: ParsedDataset[];
}

export const DATASET_ID_PATTERN = /^[A-Za-z0-9_]{1,1024}$/;
export const TABLE_ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,1023}$/;
const COLUMN_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;
const MAX_BUFFER_MINUTES = 7 * 24 * 60;

const SECTION_KEYS = ['streamingBufferMinutes', 'datasets'] as const;
const DATASET_KEYS = ['location', 'description', 'tables'] as const;
const TABLE_KEYS = ['schema', 'rows', 'streamedRows', 'streamedMinutesAgo', 'streamingBufferMinutes', 'description'] as const;
const FIELD_KEYS = ['name', 'type', 'mode', 'description'] as const;

export function parseBigQuerySection(value: unknown, path = '$.bigquery'): ParsedBigQuerySection {
  if (value === undefined) return { defaultStreamingBufferMinutes: DEFAULT_STREAMING_BUFFER_MINUTES, datasets: [] };
  const section = expectObject(value, path, 'an object like {"datasets": {"project.dataset": {"tables": {...}}}}');
  expectKnownKeys(section, path, SECTION_KEYS);
  const defaultBufferMinutes =
    section.streamingBufferMinutes === undefined
      ? DEFAULT_STREAMING_BUFFER_MINUTES
      : expectInteger(section.streamingBufferMinutes, childPath(path, 'streamingBufferMinutes'), 0, MAX_BUFFER_MINUTES);
  const datasetsPath = childPath(path, 'datasets');
  const datasetsObject = section.datasets === undefined ? {} : expectObject(section.datasets, datasetsPath, 'an object keyed by "project.dataset"');
  const datasets: ParsedDataset[] = [];
  for (const [key, datasetValue] of Object.entries(datasetsObject)) {
    const datasetPath = childPath(datasetsPath, key);
    const { projectId, datasetId } = parseDatasetKey(key, datasetPath);
    const dataset = expectObject(datasetValue, datasetPath, 'an object like {"tables": {"name": {"schema": [...]}}}');
    expectKnownKeys(dataset, datasetPath, DATASET_KEYS);
    const tablesPath = childPath(datasetPath, 'tables');
    const tablesObject = dataset.tables === undefined ? {} : expectObject(dataset.tables, tablesPath, 'an object keyed by table name');
    const tables: ParsedTable[] = [];
    for (const [tableId, tableValue] of Object.entries(tablesObject)) {
      const tablePath = childPath(tablesPath, tableId);
      if (!TABLE_ID_PATTERN.test(tableId)) throw new ScenarioError(tablePath, 'a table name of letters, digits, "_" and "-"');
      tables.push(parseTableSpec(tableValue, tablePath, { projectId, datasetId, tableId }, defaultBufferMinutes));
    }
    const description = optionalString(dataset.description, childPath(datasetPath, 'description'));
    datasets.push({
      projectId,
      datasetId,
      location: optionalString(dataset.location, childPath(datasetPath, 'location'), /^[A-Za-z0-9-]+$/, 'a location such as "US" or "us-west2"') ?? DEFAULT_LOCATION,
      ...(description !== undefined ? { description } : {}),
      tables,
    });
  }
  return { defaultStreamingBufferMinutes: defaultBufferMinutes, datasets };
}

function parseDatasetKey(key: string, path: string): { projectId: string; datasetId: string } {
  const dot = key.lastIndexOf('.');
  const projectId = key.slice(0, Math.max(dot, 0));
  const datasetId = key.slice(dot + 1);
  if (dot < 0 || !PROJECT_PATTERN.test(projectId) || !DATASET_ID_PATTERN.test(datasetId)) {
    throw new ScenarioError(path, `a "project.dataset" key such as "nba-props-platform.nba_predictions" (got key ${JSON.stringify(key)})`);
  }
  return { projectId, datasetId };
}

/** "project.dataset.table" (the control API's table names). */
export function parseTableName(value: unknown, path: string): TableRef {
  const text = expectString(value, path, undefined, 'a table name "project.dataset.table"');
  const parts = text.split('.');
  const tableId = parts.pop() ?? '';
  const datasetId = parts.pop() ?? '';
  const projectId = parts.join('.');
  if (!PROJECT_PATTERN.test(projectId) || !DATASET_ID_PATTERN.test(datasetId) || !TABLE_ID_PATTERN.test(tableId)) {
    throw new ScenarioError(path, `a table name "project.dataset.table" such as "nba-props-platform.nba_predictions.prediction_accuracy", got ${JSON.stringify(text)}`);
  }
  return { projectId, datasetId, tableId };
}

export function parseTableSpec(value: unknown, path: string, ref: TableRef, defaultBufferMinutes: number): ParsedTable {
  const table = expectObject(value, path, 'an object like {"schema": [{"name": "x", "type": "STRING"}], "rows": [...]}');
  expectKnownKeys(table, path, TABLE_KEYS);
  const schema = parseSchema(table.schema, childPath(path, 'schema'));
  const description = optionalString(table.description, childPath(path, 'description'));
  return {
    ...ref,
    schema,
    rows: parseRows(table.rows, childPath(path, 'rows'), schema),
    streamedRows: parseRows(table.streamedRows, childPath(path, 'streamedRows'), schema),
    streamedMinutesAgo: table.streamedMinutesAgo === undefined ? 0 : expectInteger(table.streamedMinutesAgo, childPath(path, 'streamedMinutesAgo'), 0, MAX_BUFFER_MINUTES),
    streamingBufferMinutes:
      table.streamingBufferMinutes === undefined
        ? defaultBufferMinutes
        : expectInteger(table.streamingBufferMinutes, childPath(path, 'streamingBufferMinutes'), 0, MAX_BUFFER_MINUTES),
    ...(description !== undefined ? { description } : {}),
  };
}

export function parseSchema(value: unknown, path: string): FieldSchema[] {
  const fields = expectArray(value, path, 'an array of columns like [{"name": "game_date", "type": "DATE"}]');
  if (fields.length === 0) throw new ScenarioError(path, 'at least one column');
  const seen = new Set<string>();
  return fields.map((fieldValue, index) => {
    const fieldPath = childPath(path, index);
    const field = expectObject(fieldValue, fieldPath, 'a column like {"name": "game_date", "type": "DATE", "mode": "NULLABLE"}');
    expectKnownKeys(field, fieldPath, FIELD_KEYS);
    const name = expectString(field.name, childPath(fieldPath, 'name'), COLUMN_NAME_PATTERN, 'a column name of letters, digits and "_" not starting with a digit');
    if (seen.has(name.toLowerCase())) throw new ScenarioError(childPath(fieldPath, 'name'), `a column name not used before in this table (duplicate "${name}")`);
    seen.add(name.toLowerCase());
    const typeText = expectString(field.type, childPath(fieldPath, 'type'), undefined, SUPPORTED_TYPE_NAMES);
    const type = parseFieldType(typeText);
    if (type === undefined) {
      throw new ScenarioError(childPath(fieldPath, 'type'), `${SUPPORTED_TYPE_NAMES} (RECORD, ARRAY and other types are not emulated), got ${JSON.stringify(typeText)}`);
    }
    const modeText = optionalString(field.mode, childPath(fieldPath, 'mode'), /^(NULLABLE|REQUIRED|REPEATED)$/i, '"NULLABLE" or "REQUIRED"');
    const mode = (modeText?.toUpperCase() ?? 'NULLABLE') as FieldMode | 'REPEATED';
    if (mode === 'REPEATED') throw new ScenarioError(childPath(fieldPath, 'mode'), '"NULLABLE" or "REQUIRED" (REPEATED columns are not emulated)');
    const description = optionalString(field.description, childPath(fieldPath, 'description'));
    return { name, type, mode, ...(description !== undefined ? { description } : {}) };
  });
}

export type RowProblem = { field: string; message: string };

/** One JSON row → values in schema order, or the problems insertAll would report. */
export function convertRow(schema: readonly FieldSchema[], row: unknown, ignoreUnknownValues = false): { values: SqliteBindable[] } | { problems: RowProblem[] } {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return { problems: [{ field: '', message: 'Row must be a JSON object' }] };
  const problems: RowProblem[] = [];
  const indexByName = new Map(schema.map((field, index) => [field.name.toLowerCase(), index]));
  const values: SqliteBindable[] = schema.map(() => null);
  for (const [key, value] of Object.entries(row)) {
    const index = indexByName.get(key.toLowerCase());
    if (index === undefined) {
      if (!ignoreUnknownValues) problems.push({ field: key, message: `no such field: ${key}.` });
      continue;
    }
    const field = schema[index]!;
    const converted = jsonToStorage(field.type, value);
    if (converted.ok) values[index] = converted.value;
    else problems.push({ field: field.name, message: `${converted.problem} for field ${field.name}.` });
  }
  schema.forEach((field, index) => {
    if (field.mode === 'REQUIRED' && values[index] === null && !problems.some((p) => p.field === field.name)) {
      problems.push({ field: field.name, message: `Missing required field: ${field.name}.` });
    }
  });
  return problems.length > 0 ? { problems } : { values };
}

export function parseRows(value: unknown, path: string, schema: readonly FieldSchema[]): SqliteBindable[][] {
  if (value === undefined) return [];
  return expectArray(value, path, 'an array of row objects').map((row, index) => {
    const rowPath = childPath(path, index);
    expectObject(row, rowPath, 'a row object like {"column": value}');
    const converted = convertRow(schema, row);
    if ('problems' in converted) {
      const problem = converted.problems[0]!;
      const known = schema.find((field) => field.name === problem.field);
      throw new ScenarioError(
        problem.field ? childPath(rowPath, problem.field) : rowPath,
        known ? `${describeExpected(known)} (${problem.message})` : `one of the columns ${schema.map((f) => f.name).join(', ')} (${problem.message})`,
      );
    }
    return converted.values;
  });
}

function describeExpected(field: FieldSchema): string {
  const required = field.mode === 'REQUIRED' ? 'a non-null ' : 'null or ';
  switch (field.type) {
    case 'STRING':
      return `${required}string`;
    case 'INTEGER':
      return `${required}INT64 (an integer or a decimal string)`;
    case 'FLOAT':
      return `${required}FLOAT64 number`;
    case 'NUMERIC':
      return `${required}NUMERIC (a number or a decimal string)`;
    case 'BOOLEAN':
      return `${required}BOOL (true or false)`;
    case 'DATE':
      return `${required}DATE as "YYYY-MM-DD"`;
    case 'TIMESTAMP':
      return `${required}TIMESTAMP such as "2026-01-30T22:59:00Z"`;
    case 'DATETIME':
      return `${required}DATETIME such as "2026-01-30T22:59:00"`;
  }
}

export interface RowsAction {
  table: TableRef;
  rows: unknown[];
  streamed: boolean;
  streamedMinutesAgo: number;
}

export function parseRowsAction(payload: unknown): RowsAction {
  const object = expectObject(payload, '$', 'an object like {"table": "project.dataset.table", "rows": [{...}], "streamed": true}');
  expectKnownKeys(object, '$', ['table', 'rows', 'streamed', 'streamedMinutesAgo']);
  return {
    table: parseTableName(object.table, '$.table'),
    rows: expectArray(object.rows, '$.rows', 'an array of row objects'),
    streamed: object.streamed === undefined ? false : expectBoolean(object.streamed, '$.streamed'),
    streamedMinutesAgo: object.streamedMinutesAgo === undefined ? 0 : expectInteger(object.streamedMinutesAgo, '$.streamedMinutesAgo', 0, MAX_BUFFER_MINUTES),
  };
}

export interface CreateTableAction {
  table: ParsedTable;
  replace: boolean;
}

export function parseCreateTableAction(payload: unknown, defaultBufferMinutes: number): CreateTableAction {
  const object = expectObject(payload, '$', 'an object like {"table": "project.dataset.table", "schema": [{"name": "x", "type": "STRING"}]}');
  expectKnownKeys(object, '$', ['table', ...TABLE_KEYS, 'replace']);
  const ref = parseTableName(object.table, '$.table');
  const { table: _name, replace, ...spec } = object;
  void _name;
  return {
    table: parseTableSpec(spec, '$', ref, defaultBufferMinutes),
    replace: replace === undefined ? false : expectBoolean(replace, '$.replace'),
  };
}

export function parseFlushAction(payload: unknown): { table?: TableRef } {
  const object = expectObject(payload ?? {}, '$', 'an object like {"table": "project.dataset.table"} or {}');
  expectKnownKeys(object, '$', ['table']);
  return object.table === undefined ? {} : { table: parseTableName(object.table, '$.table') };
}
