// Query jobs: what jobs.query / jobs.insert produced, kept so getQueryResults and jobs.get can page
// through it. Every job completes synchronously (jobComplete: true on the first answer).
import { randomUUID } from 'node:crypto';
import { invalidRequest, notFound, type BigQueryApiError } from './errors';
import type { QueryOutcome } from './engine';
import { encodeCell, type FieldSchema, type WireFormat } from './values';
import type { SqliteValue } from './sqlite';

export interface JobRecord {
  projectId: string;
  jobId: string;
  location: string;
  query: string;
  creationTime: number;
  endTime: number;
  outcome?: QueryOutcome;
  error?: BigQueryApiError;
}

/** Without maxResults BigQuery pages at 10 MB; a row count keeps the emulator's pages bounded too. */
export const DEFAULT_PAGE_ROWS = 100_000;
/** Finished jobs kept for getQueryResults; the oldest are forgotten first (their results are in memory). */
const MAX_REMEMBERED_JOBS = 2_000;

export class JobStore {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly jobIdByRequestId = new Map<string, string>();

  newJobId(): string {
    return `job_${randomUUID().replace(/-/g, '')}`;
  }

  add(job: JobRecord, requestId?: string): void {
    this.jobs.set(key(job.projectId, job.jobId), job);
    if (requestId !== undefined) this.jobIdByRequestId.set(`${job.projectId}/${requestId}`, job.jobId);
    while (this.jobs.size > MAX_REMEMBERED_JOBS) {
      const oldest = this.jobs.keys().next().value;
      if (oldest === undefined) break;
      this.jobs.delete(oldest);
    }
  }

  get(projectId: string, jobId: string): JobRecord | undefined {
    return this.jobs.get(key(projectId, jobId));
  }

  require(projectId: string, jobId: string, location = 'US'): JobRecord {
    const job = this.get(projectId, jobId);
    if (!job) throw notFound(`Not found: Job ${projectId}:${location}.${jobId}`);
    return job;
  }

  /** jobs.query retried with the same requestId answers with the job the first attempt created. */
  byRequestId(projectId: string, requestId: string): JobRecord | undefined {
    const jobId = this.jobIdByRequestId.get(`${projectId}/${requestId}`);
    return jobId === undefined ? undefined : this.get(projectId, jobId);
  }

  get size(): number {
    return this.jobs.size;
  }

  clear(): void {
    this.jobs.clear();
    this.jobIdByRequestId.clear();
  }
}

function key(projectId: string, jobId: string): string {
  return `${projectId}/${jobId}`;
}

// ---------------------------------------------------------------------------------------------
// Paging: page tokens are opaque to clients; here they carry the job and the next row offset.

export function encodePageToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ scope, offset })).toString('base64url');
}

export function decodePageToken(token: string, scope: string): number {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { scope?: unknown; offset?: unknown };
    if (decoded.scope === scope && typeof decoded.offset === 'number' && Number.isInteger(decoded.offset) && decoded.offset >= 0) return decoded.offset;
  } catch {
    // Falls through to the error below.
  }
  throw invalidRequest(`Invalid page token: ${token}`);
}

export interface PageRequest {
  maxResults?: number;
  pageToken?: string;
  startIndex?: number;
}

export interface Page {
  rows: SqliteValue[][];
  pageToken?: string;
}

export function slicePage(all: readonly SqliteValue[][], scope: string, request: PageRequest): Page {
  const offset = request.pageToken !== undefined ? decodePageToken(request.pageToken, scope) : (request.startIndex ?? 0);
  const size = request.maxResults ?? DEFAULT_PAGE_ROWS;
  const rows = all.slice(offset, offset + size);
  const next = offset + rows.length;
  return next < all.length && size > 0 ? { rows, pageToken: encodePageToken(scope, next) } : { rows };
}

export function encodeRows(schema: readonly FieldSchema[], rows: readonly SqliteValue[][], format: WireFormat): Array<{ f: Array<{ v: string | null }> }> {
  return rows.map((row) => ({ f: schema.map((field, index) => ({ v: encodeCell(field.type, row[index] ?? null, format) })) }));
}

export function schemaResource(schema: readonly FieldSchema[]): { fields: Array<{ name: string; type: string; mode: string; description?: string }> } {
  return {
    fields: schema.map((field) => ({
      name: field.name,
      type: field.type,
      mode: field.mode,
      ...(field.description !== undefined ? { description: field.description } : {}),
    })),
  };
}

export function jobReference(job: JobRecord): { projectId: string; jobId: string; location: string } {
  return { projectId: job.projectId, jobId: job.jobId, location: job.location };
}

/** The fields jobs.query and getQueryResults share. */
export function resultsBody(job: JobRecord, page: PageRequest, format: WireFormat): Record<string, unknown> {
  const outcome = job.outcome!;
  const body: Record<string, unknown> = {
    jobReference: jobReference(job),
    jobComplete: true,
    totalBytesProcessed: '0',
    cacheHit: false,
  };
  if (outcome.statementType === 'SELECT') {
    const { rows, pageToken } = slicePage(outcome.rows, job.jobId, page);
    body.schema = schemaResource(outcome.schema);
    body.totalRows = String(outcome.rows.length);
    // BigQuery leaves `rows` out of an empty page.
    if (rows.length > 0) body.rows = encodeRows(outcome.schema, rows, format);
    if (pageToken !== undefined) body.pageToken = pageToken;
  } else {
    const stats = outcome.dml!;
    body.totalRows = '0';
    body.numDmlAffectedRows = String(stats.insertedRowCount + stats.updatedRowCount + stats.deletedRowCount);
    body.dmlStats = {
      insertedRowCount: String(stats.insertedRowCount),
      updatedRowCount: String(stats.updatedRowCount),
      deletedRowCount: String(stats.deletedRowCount),
    };
  }
  return body;
}

/** The Job resource (jobs.insert, jobs.get). */
export function jobResource(job: JobRecord): Record<string, unknown> {
  const outcome = job.outcome;
  const status: Record<string, unknown> = { state: 'DONE' };
  if (job.error) {
    status.errorResult = job.error.toErrorProto();
    status.errors = [job.error.toErrorProto()];
  }
  const queryStatistics: Record<string, unknown> = { totalBytesProcessed: '0', totalBytesBilled: '0', cacheHit: false };
  if (outcome) {
    queryStatistics.statementType = outcome.statementType;
    queryStatistics.referencedTables = outcome.referencedTables.map((id) => {
      const parts = id.split('.');
      const tableId = parts.pop()!;
      const datasetId = parts.pop()!;
      return { projectId: parts.join('.'), datasetId, tableId };
    });
    if (outcome.statementType === 'SELECT') queryStatistics.schema = schemaResource(outcome.schema);
    if (outcome.dml) {
      const stats = outcome.dml;
      queryStatistics.numDmlAffectedRows = String(stats.insertedRowCount + stats.updatedRowCount + stats.deletedRowCount);
      queryStatistics.dmlStats = {
        insertedRowCount: String(stats.insertedRowCount),
        updatedRowCount: String(stats.updatedRowCount),
        deletedRowCount: String(stats.deletedRowCount),
      };
    }
  }
  return {
    kind: 'bigquery#job',
    id: `${job.projectId}:${job.location}.${job.jobId}`,
    jobReference: jobReference(job),
    configuration: { jobType: 'QUERY', query: { query: job.query, useLegacySql: false } },
    status,
    statistics: {
      creationTime: String(job.creationTime),
      startTime: String(job.creationTime),
      endTime: String(job.endTime),
      totalBytesProcessed: '0',
      query: queryStatistics,
    },
    user_email: 'emulator@localhost',
  };
}
