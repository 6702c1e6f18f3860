// What data jobs read from BigQuery: a table's streaming buffer (the guard) and a query's rows (the
// scoreboard), through @google-cloud/bigquery, loaded on first use.
//
// API (no vscode import):
//
//   createBigQueryReader({ project, endpoint, credentials, timeoutMs })  → BigQueryReader
//       endpoint: config `endpoints.bigquery`. A loopback http URL (the emulator) is used without
//       credentials; plain http elsewhere is refused; Google's API (or a host the credential policy
//       allows) with Application Default Credentials; any other host is refused before they are looked up.
//       timeoutMs: each call's deadline, retries and the SDK's polling of the query included (default 60 s).
//   reader.streamingBuffer('project.dataset.table', { signal }) → StreamingBuffer | null (null: empty)
//   reader.query(sql, dateParams, { signal })     → QueryTable (columns in the query's order, cells as text/number/boolean/null)
//       signal: aborts the call (its requests are destroyed, see ../httpScope.ts); it rejects with the signal's reason.
//   BigQueryApiError                              every failure, with a one-line message (credentials: the exact fix;
//                                                 the deadline: how long it waited)
import { credentialPolicy, decideCredentials, mayCarryCredentials, urlTarget, type CredentialPolicy } from '../google/credentialPolicy';
import { applicationDefaultCredentials, CREDENTIALS_FIX } from '../google/credentials';
import { firstLine } from '../text/messageText';
import { formatSeconds, raceAbort, startDeadline } from '../platform/deadline';
import { abortingRequests } from '../google/httpScope';
import { loadBigQuerySdk, type BigQuerySdk } from '../google/sdk';
import { DEFAULT_BIGQUERY_TIMEOUT_MS } from './bigqueryTimeout';
import { parseTableId } from './tableId';

export interface StreamingBuffer {
  estimatedRows: number;
  /** When the oldest row still in the buffer was streamed; null when BigQuery does not say. */
  oldestEntryTime: Date | null;
}

export type Cell = string | number | boolean | null;

export interface QueryTable {
  columns: string[];
  rows: Cell[][];
}

export interface BigQueryCallOptions {
  /** Aborts the call: its requests are destroyed and it rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface BigQueryReader {
  streamingBuffer(table: string, options?: BigQueryCallOptions): Promise<StreamingBuffer | null>;
  /** Runs Standard SQL; each entry of `dateParams` is a DATE parameter (only those the SQL names are sent). */
  query(sql: string, dateParams: Readonly<Record<string, string>>, options?: BigQueryCallOptions): Promise<QueryTable>;
}

export interface BigQueryReaderOptions {
  /** The project queries run (and are billed) in. */
  project: string;
  endpoint?: string | undefined;
  /** Which hosts get credentials (default: Google's, and those the environment allows). */
  credentials?: CredentialPolicy | undefined;
  /** Each call's deadline, retries and polling included (default DEFAULT_BIGQUERY_TIMEOUT_MS). */
  timeoutMs?: number;
}

export class BigQueryApiError extends Error {
  constructor(
    message: string,
    /** HTTP status when the API answered, else null. */
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'BigQueryApiError';
  }
}

type BigQueryClient = InstanceType<BigQuerySdk['BigQuery']>;

export function createBigQueryReader(options: BigQueryReaderOptions): BigQueryReader {
  let client: Promise<BigQueryClient> | undefined;
  // A failed credential lookup is retried on the next call (the user may have just logged in).
  const connect = (): Promise<BigQueryClient> => {
    client ??= createClient(options).catch((err: unknown) => {
      client = undefined;
      throw err;
    });
    return client;
  };
  const timeoutMs = options.timeoutMs ?? DEFAULT_BIGQUERY_TIMEOUT_MS;
  /**
   * Runs one call under its deadline and the caller's signal. The SDK honors neither (see
   * ../httpScope.ts), so the requests it starts are destroyed when either ends the call.
   */
  const bounded = async <T>(what: string, callOptions: BigQueryCallOptions, work: () => Promise<T>): Promise<T> => {
    const deadline = startDeadline(timeoutMs, callOptions.signal);
    try {
      return await raceAbort(abortingRequests(deadline.signal, work), deadline.signal);
    } catch (err) {
      if (deadline.expired) throw new BigQueryApiError(`BigQuery did not answer ${what} within ${formatSeconds(timeoutMs)}, so the call was stopped (check the network and endpoints.bigquery, then try again)`, null);
      if (callOptions.signal?.aborted) throw callOptions.signal.reason;
      throw describeBigQueryError(err, what);
    } finally {
      deadline.dispose();
    }
  };
  return {
    async streamingBuffer(tableText, callOptions = {}) {
      const id = parseTableId(tableText);
      if (!id) throw new BigQueryApiError(`"${tableText}" is not a BigQuery table as project.dataset.table`, null);
      return bounded(`reading ${tableText}`, callOptions, async () => {
        const bigquery = await connect();
        const [metadata] = await bigquery.dataset(id.dataset, { projectId: id.project }).table(id.table).getMetadata();
        const buffer = (metadata as { streamingBuffer?: { estimatedRows?: string | number; oldestEntryTime?: string | number } }).streamingBuffer;
        if (!buffer) return null;
        const rows = Number(buffer.estimatedRows ?? 0);
        const oldest = buffer.oldestEntryTime === undefined ? null : new Date(Number(buffer.oldestEntryTime));
        // BigQuery omits the buffer once it is flushed; an estimate of 0 rows with no time is the same.
        if (rows === 0 && oldest === null) return null;
        return { estimatedRows: rows, oldestEntryTime: oldest && !Number.isNaN(oldest.getTime()) ? oldest : null };
      });
    },

    async query(sql, dateParams, callOptions = {}) {
      return bounded('the query', callOptions, async () => {
        const bigquery = await connect();
        const named = Object.keys(dateParams).filter((name) => new RegExp(`@${name}\\b`).test(sql));
        // A plain string typed DATE is sent as an empty parameterValue, which BigQuery reads as NULL:
        // the SDK takes the date from a BigQueryDate's `value` only.
        const params = Object.fromEntries(named.map((name) => [name, bigquery.date(dateParams[name]!)]));
        const types = Object.fromEntries(named.map((name) => [name, 'DATE']));
        const [rows] = (await bigquery.query({ query: sql, useLegacySql: false, ...(named.length > 0 ? { params, types } : {}) })) as [Record<string, unknown>[], ...unknown[]];
        const columns = rows.length > 0 ? Object.keys(rows[0]!) : [];
        return { columns, rows: rows.map((row) => columns.map((column) => cellOf(row[column]))) };
      });
    },
  };
}

async function createClient(options: BigQueryReaderOptions): Promise<BigQueryClient> {
  const policy = options.credentials ?? credentialPolicy();
  const target = options.endpoint ? new URL(options.endpoint) : null;
  // Decided before the SDK loads or credentials are looked up: a refused host costs nothing and gets nothing.
  const decision = decideCredentials(target && urlTarget('endpoints.bigquery', options.endpoint!, target), policy);
  if (decision.kind === 'refused') throw new BigQueryApiError(decision.message, null);
  const sdk = loadBigQuerySdk();
  if (target && decision.kind === 'emulator') {
    // A local emulator: no credentials, so none are looked up, stored or sent; and no retries, so
    // an injected fault answers at once instead of after the SDK's backoff.
    return new sdk.BigQuery({ projectId: options.project, apiEndpoint: target.origin, authClient: new sdk.PassThroughClient(), retryOptions: { autoRetry: false } });
  }
  // Google's endpoint keeps the SDK's retries of transient failures (429, 5xx) with backoff, within
  // the call's deadline (retry-request's totalTimeout, in seconds).
  const authClient = await applicationDefaultCredentials(sdk.GoogleAuth, 'https://www.googleapis.com/auth/bigquery', policy, (message) => new BigQueryApiError(message, 401));
  const retryOptions = { totalTimeout: Math.ceil((options.timeoutMs ?? DEFAULT_BIGQUERY_TIMEOUT_MS) / 1000) };
  const client = new sdk.BigQuery({ projectId: options.project, authClient, retryOptions, ...(target ? { apiEndpoint: target.origin } : {}) });
  // The SDK asks its credentials for headers without saying for which URL, so the host it will call is
  // checked here: the environment (BIGQUERY_EMULATOR_HOST) can move it from the endpoint decided above.
  if (!mayCarryCredentials(client.baseUrl, policy)) {
    throw new BigQueryApiError(`BigQuery would be called at ${client.baseUrl}, which is not a Google API host: your Google credentials are not sent there`, null);
  }
  return client;
}

/** The SDK's wrapper objects (DATE, TIMESTAMP, NUMERIC, ...) as the text BigQuery shows. */
function cellOf(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'object' && 'value' in value && typeof (value as { value: unknown }).value === 'string') return (value as { value: string }).value;
  if (value instanceof Number) return value.valueOf();
  if (Array.isArray(value) || value.constructor === Object) return JSON.stringify(value);
  return String(value);
}

function describeBigQueryError(err: unknown, what: string): BigQueryApiError {
  if (err instanceof BigQueryApiError) return err;
  const record = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; message?: unknown };
  const status = typeof record.code === 'number' ? record.code : null;
  const message = typeof record.message === 'string' ? record.message : String(err);
  if (status === 401 || /invalid_grant|reauth|invalid_rapt/i.test(message)) {
    return new BigQueryApiError(`Google Cloud credentials were rejected or expired. Run: ${CREDENTIALS_FIX}`, 401);
  }
  const refused = /request to (\S+?) failed, reason: (.*)$/m.exec(message) ?? /(connect ECONNREFUSED \S+)/.exec(message);
  if (refused) return new BigQueryApiError(`BigQuery: cannot reach the API for ${what} (${firstLine(refused[2] ?? refused[1]!)})`, null);
  return new BigQueryApiError(`BigQuery: ${what} failed: ${firstLine(message)}`, status);
}
