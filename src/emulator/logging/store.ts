// The emulated log store: entries kept sorted by (timestamp, insertId), ListLogEntries with the real API's
// validation and paging, and a change feed that tail sessions subscribe to.
import { createHash } from 'node:crypto';
import { compareEntries, compareInstants, type StoredLogEntry } from './entry';
import { FilterSyntaxError, compileFilter, type CompiledFilter } from './filter';

/** gRPC status codes this API answers with. */
export const GrpcCode = {
  CANCELLED: 1,
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  UNAVAILABLE: 14,
} as const;

/** An error the API answers with: a gRPC code (mapped to an HTTP status for REST) and the message. */
export class LoggingApiError extends Error {
  constructor(
    readonly grpcCode: number,
    message: string,
    /** For REST answers; derived from grpcCode when omitted (an injected fault may name its own HTTP status). */
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'LoggingApiError';
  }
}

/** ListLogEntriesRequest in the camelCase shape both the gRPC decoder and REST JSON produce. */
export interface ListEntriesRequest {
  resourceNames?: string[];
  filter?: string;
  orderBy?: string;
  pageSize?: number;
  pageToken?: string;
}

export interface ListEntriesResult {
  entries: StoredLogEntry[];
  /** Empty when there are no more entries (proto3 leaves the string empty rather than absent). */
  nextPageToken: string;
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
/** Beyond this many entries the oldest are forgotten, so a long benchmark cannot exhaust memory. */
const MAX_STORED_ENTRIES = 1_000_000;

const PROJECT_RESOURCE = /^projects\/([^/]+)(?:\/locations\/[^/]+\/buckets\/[^/]+\/views\/[^/]+)?$/;
const OTHER_PARENT_RESOURCE = /^(organizations|folders|billingAccounts)\/[^/]+(?:\/locations\/[^/]+\/buckets\/[^/]+\/views\/[^/]+)?$/;

/**
 * The projects a request's resourceNames select. Organizations, folders and billing accounts are accepted but
 * select nothing here (the emulator only holds project logs).
 */
export function projectsOfResourceNames(resourceNames: readonly string[] | undefined): Set<string> {
  if (!resourceNames || resourceNames.length === 0) {
    throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, 'resourceNames must name at least one parent resource, e.g. "projects/my-project"');
  }
  if (resourceNames.length > 100) throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, 'at most 100 resourceNames may be given');
  const projects = new Set<string>();
  for (const name of resourceNames) {
    const project = PROJECT_RESOURCE.exec(name);
    if (project) projects.add(project[1]!);
    else if (!OTHER_PARENT_RESOURCE.test(name)) {
      throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, `Invalid resource name "${name}": expected projects/[PROJECT_ID] or a log view name`);
    }
  }
  return projects;
}

/** Compiles a request filter, turning a syntax error into the API's INVALID_ARGUMENT. */
export function compileRequestFilter(filter: string | undefined): CompiledFilter {
  try {
    return compileFilter(filter ?? '');
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, error.message);
    throw error;
  }
}

interface PageTokenContent {
  /** Fingerprint of filter, order and resourceNames: the token is only valid for the same query. */
  q: string;
  /** The last returned entry's position: timestamp seconds, nanos and insertId. */
  s: number;
  n: number;
  i: string;
}

function fingerprint(resourceNames: readonly string[], filter: string, descending: boolean): string {
  return createHash('sha256')
    .update(JSON.stringify([[...resourceNames].sort(), filter, descending]))
    .digest('base64url')
    .slice(0, 16);
}

function encodePageToken(content: PageTokenContent): string {
  return Buffer.from(JSON.stringify(content)).toString('base64url');
}

function decodePageToken(token: string): PageTokenContent | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { q, s, n, i } = parsed as Record<string, unknown>;
    if (typeof q === 'string' && typeof s === 'number' && typeof n === 'number' && typeof i === 'string') return { q, s, n, i };
  } catch {
    // Not ours: reported below as an invalid token.
  }
  return undefined;
}

export type AppendListener = (appended: readonly StoredLogEntry[]) => void;

export class LogStore {
  private entries: StoredLogEntry[] = [];
  /** Appends in timestamp order keep the array sorted; an out-of-order append defers sorting to the next read. */
  private sorted = true;
  private readonly listeners = new Set<AppendListener>();

  get size(): number {
    return this.entries.length;
  }

  /** Replaces every entry (scenario load and reset); open tails are not told, as nothing new arrived. */
  replaceAll(entries: readonly StoredLogEntry[]): void {
    this.entries = [...entries];
    this.sorted = false;
  }

  /** Adds entries that arrive now, and hands them to every subscriber (open tail sessions). */
  append(entries: readonly StoredLogEntry[]): void {
    for (const entry of entries) {
      const last = this.entries[this.entries.length - 1];
      if (last && compareEntries(last, entry) > 0) this.sorted = false;
      this.entries.push(entry);
    }
    if (this.entries.length > MAX_STORED_ENTRIES * 1.1) {
      this.sortIfNeeded();
      this.entries = this.entries.slice(this.entries.length - MAX_STORED_ENTRIES);
    }
    for (const listener of this.listeners) listener(entries);
  }

  subscribe(listener: AppendListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** All entries, oldest first. */
  sortedEntries(): readonly StoredLogEntry[] {
    this.sortIfNeeded();
    return this.entries;
  }

  private sortIfNeeded(): void {
    if (!this.sorted) {
      this.entries.sort(compareEntries);
      this.sorted = true;
    }
  }

  /** ListLogEntries: validation, filter, order and paging as the real API does them. */
  list(request: ListEntriesRequest): ListEntriesResult {
    const resourceNames = request.resourceNames ?? [];
    const projects = projectsOfResourceNames(resourceNames);
    const filterText = request.filter ?? '';
    const filter = compileRequestFilter(filterText);

    const orderBy = (request.orderBy ?? '').trim().replace(/\s+/g, ' ').toLowerCase();
    if (orderBy !== '' && orderBy !== 'timestamp asc' && orderBy !== 'timestamp desc' && orderBy !== 'timestamp') {
      throw new LoggingApiError(
        GrpcCode.INVALID_ARGUMENT,
        `Invalid orderBy "${request.orderBy}": the only permitted values are "timestamp asc" (default) and "timestamp desc"`,
      );
    }
    const descending = orderBy === 'timestamp desc';

    const requestedPageSize = request.pageSize ?? 0;
    if (!Number.isInteger(requestedPageSize) || requestedPageSize < 0 || requestedPageSize > MAX_PAGE_SIZE) {
      throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, `Invalid pageSize ${requestedPageSize}: it must be between 0 and ${MAX_PAGE_SIZE}`);
    }
    const pageSize = requestedPageSize === 0 ? DEFAULT_PAGE_SIZE : requestedPageSize;

    const queryFingerprint = fingerprint(resourceNames, filterText, descending);
    let after: PageTokenContent | undefined;
    if (request.pageToken) {
      after = decodePageToken(request.pageToken);
      if (!after) throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, `Invalid pageToken "${request.pageToken}"`);
      if (after.q !== queryFingerprint) {
        throw new LoggingApiError(
          GrpcCode.INVALID_ARGUMENT,
          "page_token doesn't match arguments from the request (resourceNames, filter and orderBy must equal the first call's)",
        );
      }
    }

    const sorted = this.sortedEntries();
    // Only entries inside the filter's timestamp bounds can match: scan just that slice of the sorted store.
    const { from, to } = filter.timestampRange;
    const lowest = from ? this.firstIndexWhere(sorted, (entry) => compareInstants(entry.timestamp, from) >= 0) : 0;
    const highest = (to ? this.firstIndexWhere(sorted, (entry) => compareInstants(entry.timestamp, to) > 0) : sorted.length) - 1;
    const positionIndex = after ? this.indexAfter(sorted, after, descending) : descending ? highest : lowest;
    const startIndex = descending ? Math.min(positionIndex, highest) : Math.max(positionIndex, lowest);
    const step = descending ? -1 : 1;
    const page: StoredLogEntry[] = [];
    let index = startIndex;
    for (; index >= lowest && index <= highest; index += step) {
      const entry = sorted[index]!;
      if (!projects.has(entry.project) || !filter.matches(entry)) continue;
      if (page.length === pageSize) break;
      page.push(entry);
    }
    // The loop stops early only when it found a further match, so a token is handed out only when more exist.
    const moreExist = index >= lowest && index <= highest;
    const last = page[page.length - 1];
    const nextPageToken =
      moreExist && last
        ? encodePageToken({ q: queryFingerprint, s: last.timestamp.seconds, n: last.timestamp.nanos, i: last.json.insertId })
        : '';
    return { entries: page, nextPageToken };
  }

  /** The first index whose entry satisfies `predicate`, which must be false then true along the sorted array. */
  private firstIndexWhere(sorted: readonly StoredLogEntry[], predicate: (entry: StoredLogEntry) => boolean): number {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (predicate(sorted[middle]!)) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /** Where to continue after the token's position: the next index in the requested order. */
  private indexAfter(sorted: readonly StoredLogEntry[], position: PageTokenContent, descending: boolean): number {
    const compareToPosition = (entry: StoredLogEntry): number => {
      if (entry.timestamp.seconds !== position.s) return entry.timestamp.seconds - position.s;
      if (entry.timestamp.nanos !== position.n) return entry.timestamp.nanos - position.n;
      return entry.json.insertId < position.i ? -1 : entry.json.insertId > position.i ? 1 : 0;
    };
    // Ascending: the first entry after the position. Descending: the last entry before it.
    return descending
      ? this.firstIndexWhere(sorted, (entry) => compareToPosition(entry) >= 0) - 1
      : this.firstIndexWhere(sorted, (entry) => compareToPosition(entry) > 0);
  }
}
