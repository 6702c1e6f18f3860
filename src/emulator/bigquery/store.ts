// Datasets, tables and their rows. Rows live in one in-memory SQLite database (one SQLite table per
// BigQuery table, named "project.dataset.table"), so queries run over them directly.
//
// The streaming buffer: every row that arrived through insertAll (or a control `rows` call with
// streamed: true) gets an entry in crd_streamed_rows with its arrival time. A row is "in the buffer"
// while arrival > now - streamingBufferMinutes (per table), using the emulator clock. Triggers on each
// table refuse UPDATE and DELETE of such rows, which is how BigQuery's "would affect rows in the
// streaming buffer" error is emulated: row-precise, as BigQuery behaves for partitioned tables (for
// unpartitioned ones the real service may refuse any DML while the buffer is non-empty).
import type { ResolvedTable, TableLookup } from './dialect';
import { registerBigQueryFunctions } from './functions';
import type { ParsedBigQuerySection, ParsedTable, TableRef } from './scenario';
import { openSqliteDatabase, queryAll, quoteSqliteIdentifier, quoteSqliteString, type SqliteBindable, type SqliteDatabase, type SqliteValue } from './sqlite';
import { estimateRowBytes, sqliteDeclaredType, type FieldSchema } from './values';

/** What RAISE() says when a trigger refuses to touch streamed rows; engine.ts turns it into BigQuery's message. */
export const STREAMING_BUFFER_ERROR_PREFIX = 'CRD_STREAMING_BUFFER:';
const STREAMED_ROWS_TABLE = 'crd_streamed_rows';
/** BigQuery remembers insertIds "for at least one minute" to drop retried rows. */
export const INSERT_ID_MEMORY_MS = 60_000;
const INSERT_CHUNK_ROWS = 250;

/** A stored value as an SQL literal (storage values are already normalized by values.ts). */
function sqlLiteral(value: SqliteBindable): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return quoteSqliteString(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return "CAST('NaN' AS REAL)";
    if (!Number.isFinite(value)) return value > 0 ? '9e999' : '-9e999';
    return String(value);
  }
  return `X'${Buffer.from(value).toString('hex')}'`;
}

export interface DatasetState {
  projectId: string;
  datasetId: string;
  location: string;
  description?: string;
  creationTime: number;
  lastModifiedTime: number;
  tables: Map<string, TableState>;
}

export interface TableState extends ResolvedTable {
  schema: FieldSchema[];
  streamingBufferMinutes: number;
  description?: string;
  creationTime: number;
  lastModifiedTime: number;
  /** insertId → when it was seen (ms), for best-effort de-duplication. */
  recentInsertIds: Map<string, number>;
}

export interface StreamingBufferStats {
  estimatedRows: number;
  estimatedBytes: number;
  oldestEntryTime: number;
}

export function tableIdOf(ref: TableRef): string {
  return `${ref.projectId}.${ref.datasetId}.${ref.tableId}`;
}

export class BigQueryStore implements TableLookup {
  private readonly datasets = new Map<string, DatasetState>();

  private constructor(
    readonly db: SqliteDatabase,
    private readonly now: () => number,
    /** Buffer retention for tables created through the API (tables.insert). */
    readonly defaultStreamingBufferMinutes: number,
  ) {}

  static async open(now: () => number, section: ParsedBigQuerySection, loadedAtMs: number): Promise<BigQueryStore> {
    const db = await openSqliteDatabase();
    const store = new BigQueryStore(db, now, section.defaultStreamingBufferMinutes);
    registerBigQueryFunctions(db, now);
    db.create_function('crd_streaming_cutoff_ms', (tableId) => store.streamingCutoffMs(String(tableId)));
    db.run(
      `CREATE TABLE ${STREAMED_ROWS_TABLE} (table_id TEXT NOT NULL, row_id INTEGER NOT NULL, streamed_at_ms INTEGER NOT NULL, bytes INTEGER NOT NULL, PRIMARY KEY (table_id, row_id))`,
    );
    for (const dataset of section.datasets) {
      store.createDataset(dataset.projectId, dataset.datasetId, dataset.location, dataset.description, loadedAtMs);
      for (const table of dataset.tables) {
        store.createTable(table, loadedAtMs);
        store.insertRows(store.requireTable(table), table.rows, null);
        store.insertRows(store.requireTable(table), table.streamedRows, loadedAtMs - table.streamedMinutesAgo * 60_000);
      }
    }
    return store;
  }

  close(): void {
    this.db.close();
  }

  // -------------------------------------------------------------------------------------------
  // Datasets and tables.

  getDataset(projectId: string, datasetId: string): DatasetState | undefined {
    return this.datasets.get(`${projectId}.${datasetId}`);
  }

  listDatasets(projectId: string): DatasetState[] {
    return [...this.datasets.values()].filter((d) => d.projectId === projectId).sort((a, b) => a.datasetId.localeCompare(b.datasetId));
  }

  allDatasets(): DatasetState[] {
    return [...this.datasets.values()];
  }

  createDataset(projectId: string, datasetId: string, location: string, description: string | undefined, atMs = this.now()): DatasetState {
    const existing = this.getDataset(projectId, datasetId);
    if (existing) return existing;
    const dataset: DatasetState = {
      projectId,
      datasetId,
      location,
      ...(description !== undefined ? { description } : {}),
      creationTime: atMs,
      lastModifiedTime: atMs,
      tables: new Map(),
    };
    this.datasets.set(`${projectId}.${datasetId}`, dataset);
    return dataset;
  }

  findTable(projectId: string, datasetId: string, tableId: string): TableState | undefined {
    return this.getDataset(projectId, datasetId)?.tables.get(tableId);
  }

  requireTable(ref: TableRef): TableState {
    const table = this.findTable(ref.projectId, ref.datasetId, ref.tableId);
    if (!table) throw new Error(`table ${tableIdOf(ref)} missing`);
    return table;
  }

  /** Creates the SQLite table with its streaming-buffer triggers. The dataset is created when missing. */
  createTable(spec: Omit<ParsedTable, 'rows' | 'streamedRows' | 'streamedMinutesAgo'>, atMs = this.now()): TableState {
    const dataset = this.getDataset(spec.projectId, spec.datasetId) ?? this.createDataset(spec.projectId, spec.datasetId, 'US', undefined, atMs);
    const id = tableIdOf(spec);
    const table: TableState = {
      id,
      projectId: spec.projectId,
      datasetId: spec.datasetId,
      tableId: spec.tableId,
      schema: spec.schema.map((field) => ({ ...field })),
      streamingBufferMinutes: spec.streamingBufferMinutes,
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      creationTime: atMs,
      lastModifiedTime: atMs,
      recentInsertIds: new Map(),
    };
    const name = quoteSqliteIdentifier(id);
    const columns = table.schema.map((field) => `${quoteSqliteIdentifier(field.name)} ${sqliteDeclaredType(field.type)}`).join(', ');
    const idLiteral = quoteSqliteString(id);
    const inBuffer = `EXISTS (SELECT 1 FROM ${STREAMED_ROWS_TABLE} WHERE table_id = ${idLiteral} AND row_id = OLD.rowid AND streamed_at_ms > crd_streaming_cutoff_ms(${idLiteral}))`;
    const refusal = `SELECT RAISE(ABORT, ${quoteSqliteString(STREAMING_BUFFER_ERROR_PREFIX + id)})`;
    this.db.run(
      [
        `CREATE TABLE ${name} (${columns})`,
        `CREATE TRIGGER ${quoteSqliteIdentifier(`${id}#refuse-update`)} BEFORE UPDATE ON ${name} WHEN ${inBuffer} BEGIN ${refusal}; END`,
        `CREATE TRIGGER ${quoteSqliteIdentifier(`${id}#refuse-delete`)} BEFORE DELETE ON ${name} WHEN ${inBuffer} BEGIN ${refusal}; END`,
        // Deleted rows leave the buffer bookkeeping, so a reused rowid is not mistaken for a streamed row.
        `CREATE TRIGGER ${quoteSqliteIdentifier(`${id}#forget-deleted`)} AFTER DELETE ON ${name} BEGIN DELETE FROM ${STREAMED_ROWS_TABLE} WHERE table_id = ${idLiteral} AND row_id = OLD.rowid; END`,
      ].join(';\n'),
    );
    dataset.tables.set(spec.tableId, table);
    dataset.lastModifiedTime = atMs;
    return table;
  }

  dropTable(table: TableState): void {
    this.db.run(`DROP TABLE ${quoteSqliteIdentifier(table.id)}`);
    this.db.run(`DELETE FROM ${STREAMED_ROWS_TABLE} WHERE table_id = ?`, [table.id]);
    this.getDataset(table.projectId, table.datasetId)?.tables.delete(table.tableId);
  }

  // -------------------------------------------------------------------------------------------
  // Rows.

  /**
   * Appends rows (values in schema order). `streamedAtMs` non-null puts them in the streaming buffer.
   * Rows whose insertId was seen within INSERT_ID_MEMORY_MS are skipped, as BigQuery de-duplicates.
   */
  insertRows(table: TableState, rows: readonly SqliteBindable[][], streamedAtMs: number | null, insertIds?: ReadonlyArray<string | undefined>): { inserted: number; deduplicated: number } {
    if (rows.length === 0) return { inserted: 0, deduplicated: 0 };
    const nowMs = this.now();
    for (const [insertId, seenAt] of table.recentInsertIds) {
      if (seenAt <= nowMs - INSERT_ID_MEMORY_MS) table.recentInsertIds.delete(insertId);
    }
    const accepted: SqliteBindable[][] = [];
    let deduplicated = 0;
    rows.forEach((values, index) => {
      const insertId = insertIds?.[index];
      if (insertId !== undefined) {
        if (table.recentInsertIds.has(insertId)) {
          deduplicated++;
          return;
        }
        table.recentInsertIds.set(insertId, nowMs);
      }
      accepted.push(values);
    });
    const name = quoteSqliteIdentifier(table.id);
    this.db.run('SAVEPOINT crd_insert');
    try {
      // Multi-row INSERTs with literal values: one statement per chunk instead of a bind and step per
      // row, which is what makes loading a seed of thousands of rows fast in sql.js.
      for (let start = 0; start < accepted.length; start += INSERT_CHUNK_ROWS) {
        const chunk = accepted.slice(start, start + INSERT_CHUNK_ROWS);
        this.db.run(`INSERT INTO ${name} VALUES ${chunk.map((values) => `(${values.map(sqlLiteral).join(', ')})`).join(', ')}`);
        if (streamedAtMs !== null) {
          // New rows take consecutive rowids after the table's largest one, so the chunk ends at last_insert_rowid().
          const last = Number(queryAll(this.db, 'SELECT last_insert_rowid()').rows[0]![0]);
          const first = last - chunk.length + 1;
          this.db.run(
            `INSERT INTO ${STREAMED_ROWS_TABLE} (table_id, row_id, streamed_at_ms, bytes) VALUES ${chunk
              .map((values, offset) => `(${quoteSqliteString(table.id)}, ${first + offset}, ${Math.round(streamedAtMs)}, ${estimateRowBytes(values)})`)
              .join(', ')}`,
          );
        }
      }
      this.db.run('RELEASE crd_insert');
    } catch (err) {
      this.db.run('ROLLBACK TO crd_insert');
      this.db.run('RELEASE crd_insert');
      throw err;
    }
    if (accepted.length > 0) this.touch(table);
    return { inserted: accepted.length, deduplicated };
  }

  touch(table: TableState): void {
    table.lastModifiedTime = this.now();
  }

  readRows(table: TableState, offset: number, limit: number): SqliteValue[][] {
    const columns = table.schema.map((field) => quoteSqliteIdentifier(field.name)).join(', ');
    return queryAll(this.db, `SELECT ${columns} FROM ${quoteSqliteIdentifier(table.id)} ORDER BY rowid LIMIT ? OFFSET ?`, [limit, offset]).rows;
  }

  countRows(table: TableState): number {
    return Number(queryAll(this.db, `SELECT COUNT(*) FROM ${quoteSqliteIdentifier(table.id)}`).rows[0]![0]);
  }

  /** Rough storage size: the byte length of every stored value. */
  estimateBytes(table: TableState): number {
    const lengths = table.schema.map((field) => `COALESCE(length(CAST(${quoteSqliteIdentifier(field.name)} AS BLOB)), 0)`).join(' + ');
    return Number(queryAll(this.db, `SELECT COALESCE(SUM(${lengths}), 0) FROM ${quoteSqliteIdentifier(table.id)}`).rows[0]![0]);
  }

  streamingCutoffMs(tableId: string): number {
    const [projectAndDataset, tableName] = [tableId.slice(0, tableId.lastIndexOf('.')), tableId.slice(tableId.lastIndexOf('.') + 1)];
    const dataset = this.datasets.get(projectAndDataset);
    const minutes = dataset?.tables.get(tableName)?.streamingBufferMinutes ?? 0;
    return this.now() - minutes * 60_000;
  }

  /** The table's streaming buffer, or undefined when no streamed row is still buffered. */
  streamingBuffer(table: TableState): StreamingBufferStats | undefined {
    const [row] = queryAll(
      this.db,
      `SELECT COUNT(*), COALESCE(SUM(bytes), 0), MIN(streamed_at_ms) FROM ${STREAMED_ROWS_TABLE} WHERE table_id = ? AND streamed_at_ms > ?`,
      [table.id, this.streamingCutoffMs(table.id)],
    ).rows;
    const count = Number(row?.[0] ?? 0);
    if (count === 0) return undefined;
    return { estimatedRows: count, estimatedBytes: Number(row![1]), oldestEntryTime: Number(row![2]) };
  }

  /** Commits buffered rows at once (all tables when none is given); returns how many left the buffer. */
  flushStreamingBuffer(table?: TableState): number {
    const tables = table ? [table] : this.allDatasets().flatMap((d) => [...d.tables.values()]);
    let flushed = 0;
    for (const current of tables) {
      flushed += this.streamingBuffer(current)?.estimatedRows ?? 0;
      this.db.run(`DELETE FROM ${STREAMED_ROWS_TABLE} WHERE table_id = ?`, [current.id]);
    }
    return flushed;
  }

  snapshot(): unknown {
    const datasets: Record<string, unknown> = {};
    for (const dataset of this.allDatasets()) {
      const tables: Record<string, unknown> = {};
      for (const table of dataset.tables.values()) {
        const buffer = this.streamingBuffer(table);
        tables[table.tableId] = {
          schema: table.schema,
          numRows: this.countRows(table),
          streamingBufferMinutes: table.streamingBufferMinutes,
          streamingBuffer: buffer
            ? { estimatedRows: buffer.estimatedRows, oldestEntryTime: new Date(buffer.oldestEntryTime).toISOString() }
            : null,
          lastModifiedTime: new Date(table.lastModifiedTime).toISOString(),
        };
      }
      datasets[`${dataset.projectId}.${dataset.datasetId}`] = { location: dataset.location, tables };
    }
    return { datasets };
  }
}
