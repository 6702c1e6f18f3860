// Fault injection shared by every emulated API. The control API adds rules; each API asks
// `faults.match(...)` before answering and applies latency and/or an error.

export type EmulatedApi = 'run' | 'functions' | 'logging' | 'bigquery';

export interface FaultRule {
  api: EmulatedApi;
  /** Only requests about this Cloud Run service (or, for "functions", this function) by name. Omitted: every request of the api. */
  service?: string;
  /** Only requests about this region (the `locations/R` of the request). Omitted: every region. */
  region?: string;
  /** Only this operation, e.g. 'getService', 'getRevision', 'listServices', 'getFunction', 'listFunctions', 'listLogEntries', 'tailLogEntries', 'query', 'getTable', 'insertAll'. */
  operation?: string;
  /** Added before answering (or before every tail batch). */
  latencyMs?: number;
  /** HTTP status to answer with (REST); mapped to the matching gRPC code for gRPC calls. */
  httpStatus?: number;
  /** gRPC status code for gRPC calls; derived from httpStatus when omitted. */
  grpcCode?: number;
  message?: string;
  /** Tail streams only: end the stream after sending this many entries. */
  dropTailAfterEntries?: number;
  /** Tail streams only: end the stream after this many milliseconds. */
  dropTailAfterMs?: number;
  /** Tail streams only: the gRPC code the dropped stream ends with (default 14 UNAVAILABLE). */
  dropTailCode?: number;
  /** How many requests the rule applies to before it expires; omitted: forever. */
  times?: number;
}

export interface MatchedFault {
  latencyMs: number;
  error: { httpStatus: number; grpcCode: number; message: string } | null;
  rule: FaultRule;
}

const HTTP_TO_GRPC: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 429: 8, 499: 1, 500: 13, 501: 12, 503: 14, 504: 4 };
const GRPC_TO_HTTP: Record<number, number> = { 1: 499, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 11: 400, 12: 501, 13: 500, 14: 503, 16: 401 };
const HTTP_STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED', 499: 'CANCELLED', 500: 'INTERNAL', 501: 'UNIMPLEMENTED', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
};

export function grpcCodeForHttp(status: number): number {
  return HTTP_TO_GRPC[status] ?? 2;
}
export function httpStatusForGrpc(code: number): number {
  return GRPC_TO_HTTP[code] ?? 500;
}
export function statusNameForHttp(status: number): string {
  return HTTP_STATUS_NAMES[status] ?? 'UNKNOWN';
}

/** A Google-style JSON error body, as every Google REST API returns it. */
export function googleErrorBody(httpStatus: number, message: string): string {
  return JSON.stringify({ error: { code: httpStatus, message, status: statusNameForHttp(httpStatus) } });
}

export class FaultRegistry {
  private rules: FaultRule[] = [];
  /** Latency applied to every request of every API (the benchmark's "100 ms per response"). */
  globalLatencyMs = 0;

  add(rule: FaultRule): void {
    this.rules.push({ ...rule });
  }

  clear(): void {
    this.rules = [];
    this.globalLatencyMs = 0;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** The first rule matching the request, consuming one of its `times`; latency includes the global latency. */
  match(api: EmulatedApi, operation: string, service?: string, region?: string): MatchedFault | null {
    const index = this.rules.findIndex(
      (r) =>
        r.api === api &&
        (r.operation === undefined || r.operation === operation) &&
        (r.service === undefined || r.service === service) &&
        (r.region === undefined || r.region === region),
    );
    if (index < 0) {
      return this.globalLatencyMs > 0 ? { latencyMs: this.globalLatencyMs, error: null, rule: { api } } : null;
    }
    const rule = this.rules[index]!;
    if (rule.times !== undefined) {
      rule.times -= 1;
      if (rule.times <= 0) this.rules.splice(index, 1);
    }
    const httpStatus = rule.httpStatus ?? (rule.grpcCode !== undefined ? httpStatusForGrpc(rule.grpcCode) : undefined);
    const error =
      httpStatus !== undefined
        ? {
            httpStatus,
            grpcCode: rule.grpcCode ?? grpcCodeForHttp(httpStatus),
            message: rule.message ?? `Injected fault: ${statusNameForHttp(httpStatus)}`,
          }
        : null;
    return { latencyMs: this.globalLatencyMs + (rule.latencyMs ?? 0), error, rule };
  }
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
