// Emulated BigQuery v2 REST API, under /bigquery/v2/ (the paths @google-cloud/bigquery uses when given
// `apiEndpoint: 'http://127.0.0.1:PORT'`).
//
//   POST   /projects/{p}/queries                                jobs.query          fault operation "query"
//   GET    /projects/{p}/queries/{jobId}                        jobs.getQueryResults               "getQueryResults"
//   POST   /projects/{p}/jobs                                   jobs.insert (query jobs)           "query"
//   GET    /projects/{p}/jobs/{jobId}                           jobs.get                           "getJob"
//   POST   /projects/{p}/jobs/{jobId}/cancel                    jobs.cancel                        "cancelJob"
//   GET    /projects/{p}/datasets                               datasets.list                      "listDatasets"
//   POST   /projects/{p}/datasets                               datasets.insert                    "insertDataset"
//   GET    /projects/{p}/datasets/{d}                           datasets.get                       "getDataset"
//   GET    /projects/{p}/datasets/{d}/tables                    tables.list                        "listTables"
//   POST   /projects/{p}/datasets/{d}/tables                    tables.insert                      "insertTable"
//   GET    /projects/{p}/datasets/{d}/tables/{t}                tables.get                         "getTable"
//   DELETE /projects/{p}/datasets/{d}/tables/{t}                tables.delete                      "deleteTable"
//   POST   /projects/{p}/datasets/{d}/tables/{t}/insertAll      tabledata.insertAll                "insertAll"
//   GET    /projects/{p}/datasets/{d}/tables/{t}/data           tabledata.list                     "listTableData"
//
// SQL runs for real on SQLite (see dialect.ts for what is translated and engine.ts for DML/MERGE).
// Scenario section and control actions: see scenario.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScenarioError, type ApiModuleContext, type EmulatedApiModule, type InProcessBigQuery } from '../api';
import { ControlError, sendJson } from '../control';
import { sleep } from '../faults';
import { parseQueryParameters, runStatement, type QueryRequest } from './engine';
import { BigQueryApiError, invalidQuery, invalidRequest, notFound, reasonForHttpStatus } from './errors';
import { JobStore, encodeRows, jobResource, resultsBody, schemaResource, slicePage, type JobRecord } from './jobs';
import {
  DATASET_ID_PATTERN,
  DEFAULT_LOCATION,
  TABLE_ID_PATTERN,
  convertRow,
  parseBigQuerySection,
  parseCreateTableAction,
  parseFlushAction,
  parseRows,
  parseRowsAction,
  parseSchema,
  type ParsedBigQuerySection,
  type TableRef,
} from './scenario';
import type { SqliteBindable } from './sqlite';
import { BigQueryStore, tableIdOf, type DatasetState, type TableState } from './store';

const BIGQUERY_PATH_PREFIX = '/bigquery/v2/';

type JsonBody = Record<string, unknown>;

export interface BigQueryApiModule extends EmulatedApiModule {
  readonly inProcess: InProcessBigQuery;
}

export function createBigQueryApi(ctx: ApiModuleContext): BigQueryApiModule {
  let section: ParsedBigQuerySection = parseBigQuerySection(undefined);
  let loadedAtMs = ctx.now();
  const jobs = new JobStore();
  // The SQLite engine loads asynchronously while load()/reset() are synchronous, so the store is
  // built on first use from the loaded section and rebuilt after each reset.
  let current: { promise: Promise<BigQueryStore>; store?: BigQueryStore } | undefined;

  const store = (): Promise<BigQueryStore> => {
    if (!current) {
      const entry: { promise: Promise<BigQueryStore>; store?: BigQueryStore } = { promise: BigQueryStore.open(() => ctx.now(), section, loadedAtMs) };
      entry.promise.then(
        (opened) => (entry.store = opened),
        () => undefined,
      );
      current = entry;
    }
    return current.promise;
  };

  const discardStore = (): Promise<void> => {
    const previous = current;
    current = undefined;
    jobs.clear();
    return previous ? previous.promise.then((opened) => opened.close(), () => undefined) : Promise.resolve();
  };

  const api = new BigQueryHttp(ctx, store, jobs);

  return {
    inProcess: {
      ready: async () => {
        await store();
      },
      request: (method, path, body) => {
        const opened = current?.store;
        if (!opened) return { status: 503, json: { error: { code: 503, message: 'The emulated BigQuery is not open yet.' } } };
        return api.answerInProcess(opened, method, path, body);
      },
    },

    async handleHttp(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<boolean> {
      if (!url.pathname.startsWith(BIGQUERY_PATH_PREFIX)) return false;
      await api.answer(req, res, url, body);
      return true;
    },

    async handleControl(action: string, payload: unknown): Promise<unknown | undefined> {
      switch (action) {
        case 'rows':
          return addRows(await store(), parseRowsAction(payload), ctx.now());
        case 'create-table': {
          const opened = await store();
          const { table, replace } = parseCreateTableAction(payload, section.defaultStreamingBufferMinutes);
          const existing = opened.findTable(table.projectId, table.datasetId, table.tableId);
          if (existing && !replace) throw new ControlError(409, `Table ${tableIdOf(table)} already exists (send "replace": true to recreate it)`);
          if (existing) opened.dropTable(existing);
          const created = opened.createTable(table);
          opened.insertRows(created, table.rows, null);
          opened.insertRows(created, table.streamedRows, ctx.now() - table.streamedMinutesAgo * 60_000);
          return { table: created.id, numRows: opened.countRows(created) };
        }
        case 'flush-streaming-buffer': {
          const opened = await store();
          const { table } = parseFlushAction(payload);
          const target = table ? requireControlTable(opened, table) : undefined;
          return { flushedRows: opened.flushStreamingBuffer(target) };
        }
        default:
          return undefined;
      }
    },

    load(value: unknown): void {
      section = parseBigQuerySection(value);
      loadedAtMs = ctx.now();
      void discardStore();
    },

    reset(): void {
      void discardStore();
    },

    snapshot(): unknown {
      if (current?.store) return { ...(current.store.snapshot() as object), jobs: jobs.size };
      const datasets: Record<string, unknown> = {};
      for (const dataset of section.datasets) {
        datasets[`${dataset.projectId}.${dataset.datasetId}`] = {
          location: dataset.location,
          tables: Object.fromEntries(dataset.tables.map((t) => [t.tableId, { schema: t.schema, numRows: t.rows.length + t.streamedRows.length }])),
        };
      }
      return { datasets, jobs: jobs.size };
    },

    async close(): Promise<void> {
      await discardStore();
    },
  };
}

function requireControlTable(store: BigQueryStore, ref: TableRef): TableState {
  const table = store.findTable(ref.projectId, ref.datasetId, ref.tableId);
  if (!table) throw new ControlError(404, `Unknown BigQuery table ${tableIdOf(ref)} (create it with the control action create-table or in the scenario's bigquery section)`);
  return table;
}

function addRows(store: BigQueryStore, action: ReturnType<typeof parseRowsAction>, nowMs: number): unknown {
  const table = requireControlTable(store, action.table);
  const values = parseRows(action.rows, '$.rows', table.schema);
  const { inserted } = store.insertRows(table, values, action.streamed ? nowMs - action.streamedMinutesAgo * 60_000 : null);
  const buffer = store.streamingBuffer(table);
  return {
    table: table.id,
    inserted,
    numRows: store.countRows(table),
    streamingBuffer: buffer ? { estimatedRows: buffer.estimatedRows, oldestEntryTime: new Date(buffer.oldestEntryTime).toISOString() } : null,
  };
}

// ---------------------------------------------------------------------------------------------

class BigQueryHttp {
  constructor(
    private readonly ctx: ApiModuleContext,
    private readonly store: () => Promise<BigQueryStore>,
    private readonly jobs: JobStore,
  ) {}

  async answer(req: IncomingMessage, res: ServerResponse, url: URL, rawBody: Buffer): Promise<void> {
    const segments = url.pathname
      .slice(BIGQUERY_PATH_PREFIX.length)
      .split('/')
      .filter((s) => s.length > 0)
      .map((s) => decodeURIComponent(s));
    const method = req.method ?? 'GET';
    try {
      const route = this.route(method, segments);
      if (!route) throw notFound(`Not found: the emulator has no BigQuery method for ${method} ${url.pathname}`);
      const fault = this.ctx.faults.match('bigquery', route.operation);
      if (fault) {
        await sleep(fault.latencyMs);
        if (fault.error) throw new BigQueryApiError(fault.error.httpStatus, reasonForHttpStatus(fault.error.httpStatus), fault.error.message);
      }
      const body = method === 'GET' || method === 'DELETE' ? {} : parseJsonBody(rawBody);
      const result = await route.handle(await this.store(), body, url.searchParams);
      if (result === undefined) {
        res.writeHead(204);
        res.end();
      } else {
        sendJson(res, 200, result);
      }
    } catch (err) {
      const error = err instanceof BigQueryApiError ? err : err instanceof ScenarioError ? invalidRequest(err.message) : undefined;
      if (!error) throw err;
      sendJson(res, error.httpStatus, error.toResponseBody());
    }
  }

  /** The same methods for a caller inside the emulator (a Cloud Run job's work): no faults, no waiting. */
  answerInProcess(store: BigQueryStore, method: string, pathAndQuery: string, body: unknown): { status: number; json: unknown } {
    const url = new URL(pathAndQuery, 'http://in-process/');
    const segments = url.pathname
      .split('/')
      .filter((s) => s.length > 0)
      .map((s) => decodeURIComponent(s));
    try {
      const route = this.route(method, segments);
      if (!route) throw notFound(`Not found: the emulator has no BigQuery method for ${method} ${url.pathname}`);
      const result = route.handle(store, asObject(body) ?? {}, url.searchParams);
      return { status: result === undefined ? 204 : 200, json: result ?? {} };
    } catch (err) {
      const error = err instanceof BigQueryApiError ? err : err instanceof ScenarioError ? invalidRequest(err.message) : undefined;
      if (!error) throw err;
      return { status: error.httpStatus, json: error.toResponseBody() };
    }
  }

  private route(method: string, segments: string[]): { operation: string; handle: (store: BigQueryStore, body: JsonBody, query: URLSearchParams) => unknown } | undefined {
    if (segments[0] !== 'projects' || segments.length < 3) return undefined;
    const projectId = segments[1]!;
    const [collection, id, sub, subId, action] = segments.slice(2);
    const routeKey = `${method} ${[collection, id !== undefined ? '*' : '', sub ?? '', subId !== undefined ? '*' : '', action ?? ''].join('/').replace(/\/+$/, '')}`;
    switch (routeKey) {
      case 'POST queries':
        return { operation: 'query', handle: (store, body) => this.jobsQuery(store, projectId, body) };
      case 'GET queries/*':
        return { operation: 'getQueryResults', handle: (_store, _body, query) => this.getQueryResults(projectId, id!, query) };
      case 'POST jobs':
        return { operation: 'query', handle: (store, body) => this.jobsInsert(store, projectId, body) };
      case 'GET jobs/*':
        return { operation: 'getJob', handle: (_store, _body, query) => jobResource(this.jobs.require(projectId, id!, query.get('location') ?? DEFAULT_LOCATION)) };
      case 'POST jobs/*/cancel':
        return { operation: 'cancelJob', handle: () => ({ kind: 'bigquery#jobCancelResponse', job: jobResource(this.jobs.require(projectId, id!)) }) };
      case 'GET datasets':
        return { operation: 'listDatasets', handle: (store) => this.listDatasets(store, projectId) };
      case 'POST datasets':
        return { operation: 'insertDataset', handle: (store, body) => this.insertDataset(store, projectId, body) };
      case 'GET datasets/*':
        return { operation: 'getDataset', handle: (store) => datasetResource(requireDataset(store, projectId, id!)) };
      case 'GET datasets/*/tables':
        return { operation: 'listTables', handle: (store) => this.listTables(store, projectId, id!) };
      case 'POST datasets/*/tables':
        return { operation: 'insertTable', handle: (store, body) => this.insertTable(store, projectId, id!, body) };
      case 'GET datasets/*/tables/*':
        return { operation: 'getTable', handle: (store) => tableResource(store, requireTable(store, { projectId, datasetId: id!, tableId: subId! })) };
      case 'DELETE datasets/*/tables/*':
        return {
          operation: 'deleteTable',
          handle: (store) => {
            store.dropTable(requireTable(store, { projectId, datasetId: id!, tableId: subId! }));
            return undefined;
          },
        };
      case 'POST datasets/*/tables/*/insertAll':
        return { operation: 'insertAll', handle: (store, body) => this.insertAll(store, { projectId, datasetId: id!, tableId: subId! }, body) };
      case 'GET datasets/*/tables/*/data':
        return { operation: 'listTableData', handle: (store, _body, query) => this.listTableData(store, { projectId, datasetId: id!, tableId: subId! }, query) };
      default:
        return undefined;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Queries.

  private execute(store: BigQueryStore, projectId: string, jobId: string, location: string, config: JsonBody): JobRecord {
    const query = config.query;
    if (typeof query !== 'string' || query.trim().length === 0) throw invalidQuery('Required parameter is missing: query');
    if (config.useLegacySql === true) throw invalidQuery('Legacy SQL is not supported by the emulator; send useLegacySql: false');
    if (config.destinationTable !== undefined) throw invalidQuery('Query jobs with a destinationTable are not supported by the emulator');
    const defaultDataset = asObject(config.defaultDataset);
    const request: QueryRequest = {
      projectId,
      query,
      parameters: parseQueryParameters(config.queryParameters, config.parameterMode),
      ...(typeof defaultDataset?.datasetId === 'string'
        ? { defaultDataset: { projectId: typeof defaultDataset.projectId === 'string' ? defaultDataset.projectId : projectId, datasetId: defaultDataset.datasetId } }
        : {}),
    };
    const creationTime = this.ctx.now();
    const job: JobRecord = { projectId, jobId, location, query, creationTime, endTime: creationTime };
    try {
      job.outcome = runStatement(store, request);
    } catch (err) {
      if (!(err instanceof BigQueryApiError)) throw err;
      job.error = err;
    }
    job.endTime = this.ctx.now();
    return job;
  }

  private jobsQuery(store: BigQueryStore, projectId: string, body: JsonBody): unknown {
    const requestId = typeof body.requestId === 'string' ? body.requestId : undefined;
    const format = { useInt64Timestamp: asObject(body.formatOptions)?.useInt64Timestamp === true };
    const maxResults = optionalCount(body.maxResults, 'maxResults');
    const page = maxResults !== undefined ? { maxResults } : {};
    const retried = requestId !== undefined ? this.jobs.byRequestId(projectId, requestId) : undefined;
    if (retried?.outcome) return { kind: 'bigquery#queryResponse', ...resultsBody(retried, page, format) };
    if (body.dryRun === true) throw invalidQuery('dryRun is not supported by the emulator');
    const location = typeof body.location === 'string' ? body.location : DEFAULT_LOCATION;
    const job = this.execute(store, projectId, this.jobs.newJobId(), location, body);
    this.jobs.add(job, requestId);
    if (job.error) throw job.error;
    return { kind: 'bigquery#queryResponse', ...resultsBody(job, page, format) };
  }

  private jobsInsert(store: BigQueryStore, projectId: string, body: JsonBody): unknown {
    const configuration = asObject(body.configuration);
    const queryConfig = asObject(configuration?.query);
    if (!queryConfig) throw invalidRequest('Only query jobs are supported by the emulator (configuration.query is missing)');
    if (configuration?.dryRun === true) throw invalidQuery('dryRun is not supported by the emulator');
    const reference = asObject(body.jobReference);
    const jobId = typeof reference?.jobId === 'string' ? reference.jobId : this.jobs.newJobId();
    const location = typeof reference?.location === 'string' ? reference.location : DEFAULT_LOCATION;
    if (this.jobs.get(projectId, jobId)) throw new BigQueryApiError(409, 'duplicate', `Already Exists: Job ${projectId}:${location}.${jobId}`);
    const job = this.execute(store, projectId, jobId, location, queryConfig);
    this.jobs.add(job);
    return jobResource(job);
  }

  private getQueryResults(projectId: string, jobId: string, query: URLSearchParams): unknown {
    const job = this.jobs.require(projectId, jobId, query.get('location') ?? DEFAULT_LOCATION);
    if (job.error) throw job.error;
    const format = { useInt64Timestamp: query.get('formatOptions.useInt64Timestamp') === 'true' };
    return { kind: 'bigquery#getQueryResultsResponse', ...resultsBody(job, pageRequest(query), format) };
  }

  // -------------------------------------------------------------------------------------------
  // Datasets and tables.

  private listDatasets(store: BigQueryStore, projectId: string): unknown {
    const datasets = store.listDatasets(projectId).map((dataset) => ({
      kind: 'bigquery#dataset',
      id: `${dataset.projectId}:${dataset.datasetId}`,
      datasetReference: { projectId: dataset.projectId, datasetId: dataset.datasetId },
      location: dataset.location,
    }));
    return { kind: 'bigquery#datasetList', ...(datasets.length > 0 ? { datasets } : {}) };
  }

  private insertDataset(store: BigQueryStore, projectId: string, body: JsonBody): unknown {
    const reference = asObject(body.datasetReference);
    const datasetId = reference?.datasetId;
    if (typeof datasetId !== 'string' || !DATASET_ID_PATTERN.test(datasetId)) throw invalidRequest('datasetReference.datasetId must be letters, digits and underscores');
    if (store.getDataset(projectId, datasetId)) throw new BigQueryApiError(409, 'duplicate', `Already Exists: Dataset ${projectId}:${datasetId}`);
    const location = typeof body.location === 'string' ? body.location : DEFAULT_LOCATION;
    const description = typeof body.description === 'string' ? body.description : undefined;
    return datasetResource(store.createDataset(projectId, datasetId, location, description));
  }

  private listTables(store: BigQueryStore, projectId: string, datasetId: string): unknown {
    const dataset = requireDataset(store, projectId, datasetId);
    const tables = [...dataset.tables.values()]
      .sort((a, b) => a.tableId.localeCompare(b.tableId))
      .map((table) => ({
        kind: 'bigquery#table',
        id: `${table.projectId}:${table.datasetId}.${table.tableId}`,
        tableReference: { projectId: table.projectId, datasetId: table.datasetId, tableId: table.tableId },
        type: 'TABLE',
        creationTime: String(table.creationTime),
      }));
    return { kind: 'bigquery#tableList', totalItems: tables.length, ...(tables.length > 0 ? { tables } : {}) };
  }

  private insertTable(store: BigQueryStore, projectId: string, datasetId: string, body: JsonBody): unknown {
    requireDataset(store, projectId, datasetId);
    const reference = asObject(body.tableReference);
    const tableId = reference?.tableId;
    if (typeof tableId !== 'string' || !TABLE_ID_PATTERN.test(tableId)) throw invalidRequest('tableReference.tableId must be letters, digits, "_" and "-"');
    if (store.findTable(projectId, datasetId, tableId)) throw new BigQueryApiError(409, 'duplicate', `Already Exists: Table ${projectId}:${datasetId}.${tableId}`);
    const schema = parseSchema(asObject(body.schema)?.fields, '$.schema.fields');
    const description = typeof body.description === 'string' ? body.description : undefined;
    const table = store.createTable({
      projectId,
      datasetId,
      tableId,
      schema,
      streamingBufferMinutes: store.defaultStreamingBufferMinutes,
      ...(description !== undefined ? { description } : {}),
    });
    return tableResource(store, table);
  }

  private insertAll(store: BigQueryStore, ref: TableRef, body: JsonBody): unknown {
    const table = requireTable(store, ref);
    if (body.templateSuffix !== undefined) throw invalidRequest('templateSuffix is not supported by the emulator');
    const rows = Array.isArray(body.rows) ? body.rows : [];
    if (rows.length === 0) throw invalidRequest('No rows present in the request.');
    const ignoreUnknownValues = body.ignoreUnknownValues === true;
    const skipInvalidRows = body.skipInvalidRows === true;
    const valid: Array<{ index: number; values: SqliteBindable[]; insertId?: string }> = [];
    const insertErrors: Array<{ index: number; errors: Array<{ reason: string; location: string; debugInfo: string; message: string }> }> = [];
    rows.forEach((entry: unknown, index: number) => {
      const row = asObject(entry);
      const converted = convertRow(table.schema, row?.json, ignoreUnknownValues);
      if ('problems' in converted) {
        insertErrors.push({
          index,
          errors: converted.problems.map((problem) => ({ reason: 'invalid', location: problem.field, debugInfo: '', message: problem.message })),
        });
        return;
      }
      valid.push({ index, values: converted.values, ...(typeof row?.insertId === 'string' ? { insertId: row.insertId } : {}) });
    });
    if (insertErrors.length > 0 && !skipInvalidRows) {
      // BigQuery inserts nothing then, and marks the valid rows as stopped.
      for (const { index } of valid) insertErrors.push({ index, errors: [{ reason: 'stopped', location: '', debugInfo: '', message: '' }] });
      insertErrors.sort((a, b) => a.index - b.index);
      return { kind: 'bigquery#tableDataInsertAllResponse', insertErrors };
    }
    store.insertRows(
      table,
      valid.map((row) => row.values),
      this.ctx.now(),
      valid.map((row) => row.insertId),
    );
    return { kind: 'bigquery#tableDataInsertAllResponse', ...(insertErrors.length > 0 ? { insertErrors } : {}) };
  }

  private listTableData(store: BigQueryStore, ref: TableRef, query: URLSearchParams): unknown {
    const table = requireTable(store, ref);
    const all = store.readRows(table, 0, Number.MAX_SAFE_INTEGER);
    const page = slicePage(all, `tabledata:${table.id}`, pageRequest(query));
    const format = { useInt64Timestamp: query.get('formatOptions.useInt64Timestamp') === 'true' };
    return {
      kind: 'bigquery#tableDataList',
      totalRows: String(all.length),
      ...(page.rows.length > 0 ? { rows: encodeRows(table.schema, page.rows, format) } : {}),
      ...(page.pageToken !== undefined ? { pageToken: page.pageToken } : {}),
    };
  }
}

function parseJsonBody(raw: Buffer): JsonBody {
  const text = raw.toString('utf8').trim();
  if (text.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalidRequest(`Invalid JSON payload received. ${(err as Error).message}`);
  }
  const object = asObject(parsed);
  if (!object) throw invalidRequest('Invalid JSON payload received. Expected an object.');
  return object;
}

function asObject(value: unknown): JsonBody | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonBody) : undefined;
}

function optionalCount(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const count = typeof value === 'string' ? Number(value) : value;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw invalidRequest(`Invalid value for ${name}: ${String(value)}`);
  return count;
}

function pageRequest(query: URLSearchParams): { maxResults?: number; pageToken?: string; startIndex?: number } {
  const maxResults = optionalCount(query.get('maxResults') ?? undefined, 'maxResults');
  const startIndex = optionalCount(query.get('startIndex') ?? undefined, 'startIndex');
  const pageToken = query.get('pageToken') ?? undefined;
  return {
    ...(maxResults !== undefined ? { maxResults } : {}),
    ...(startIndex !== undefined ? { startIndex } : {}),
    ...(pageToken !== undefined && pageToken !== '' ? { pageToken } : {}),
  };
}

function requireDataset(store: BigQueryStore, projectId: string, datasetId: string): DatasetState {
  const dataset = store.getDataset(projectId, datasetId);
  if (!dataset) throw notFound(`Not found: Dataset ${projectId}:${datasetId}`);
  return dataset;
}

function requireTable(store: BigQueryStore, ref: TableRef): TableState {
  requireDataset(store, ref.projectId, ref.datasetId);
  const table = store.findTable(ref.projectId, ref.datasetId, ref.tableId);
  if (!table) throw notFound(`Not found: Table ${ref.projectId}:${ref.datasetId}.${ref.tableId}`);
  return table;
}

function datasetResource(dataset: DatasetState): unknown {
  return {
    kind: 'bigquery#dataset',
    id: `${dataset.projectId}:${dataset.datasetId}`,
    datasetReference: { projectId: dataset.projectId, datasetId: dataset.datasetId },
    location: dataset.location,
    creationTime: String(dataset.creationTime),
    lastModifiedTime: String(dataset.lastModifiedTime),
    ...(dataset.description !== undefined ? { description: dataset.description } : {}),
  };
}

/** tables.get: numRows and numBytes exclude the streaming buffer, which is reported separately. */
function tableResource(store: BigQueryStore, table: TableState): unknown {
  const buffer = store.streamingBuffer(table);
  const total = store.countRows(table);
  const bytes = store.estimateBytes(table);
  const dataset = store.getDataset(table.projectId, table.datasetId);
  return {
    kind: 'bigquery#table',
    id: `${table.projectId}:${table.datasetId}.${table.tableId}`,
    tableReference: { projectId: table.projectId, datasetId: table.datasetId, tableId: table.tableId },
    schema: schemaResource(table.schema),
    numRows: String(total - (buffer?.estimatedRows ?? 0)),
    numBytes: String(Math.max(0, bytes - (buffer?.estimatedBytes ?? 0))),
    numLongTermBytes: '0',
    creationTime: String(table.creationTime),
    lastModifiedTime: String(table.lastModifiedTime),
    type: 'TABLE',
    location: dataset?.location ?? DEFAULT_LOCATION,
    ...(table.description !== undefined ? { description: table.description } : {}),
    ...(buffer
      ? {
          streamingBuffer: {
            estimatedRows: String(buffer.estimatedRows),
            estimatedBytes: String(buffer.estimatedBytes),
            oldestEntryTime: String(buffer.oldestEntryTime),
          },
        }
      : {}),
  };
}
