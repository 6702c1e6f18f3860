// BigQuery's REST error shape. Unlike the plain Google error body, BigQuery adds an `errors` array
// whose `reason` the client library reads (e.g. to decide on retries), so every error carries one.
import { statusNameForHttp } from '../faults';

export type BigQueryErrorReason =
  | 'invalidQuery'
  | 'invalid'
  | 'notFound'
  | 'duplicate'
  | 'accessDenied'
  | 'rateLimitExceeded'
  | 'backendError'
  | 'internalError'
  | 'stopped'
  | 'jobInternalError';

export class BigQueryApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly reason: BigQueryErrorReason,
    message: string,
    /** For invalidQuery: the request field at fault, as BigQuery names it ("q"). */
    readonly location?: string,
  ) {
    super(message);
    this.name = 'BigQueryApiError';
  }

  /** The `{message, reason, ...}` entry used in error bodies, job status and insertErrors. */
  toErrorProto(): { message: string; domain: string; reason: string; location?: string; locationType?: string } {
    return {
      message: this.message,
      domain: 'global',
      reason: this.reason,
      ...(this.location !== undefined ? { location: this.location, locationType: 'parameter' } : {}),
    };
  }

  toResponseBody(): { error: { code: number; message: string; errors: ReturnType<BigQueryApiError['toErrorProto']>[]; status: string } } {
    return { error: { code: this.httpStatus, message: this.message, errors: [this.toErrorProto()], status: statusNameForHttp(this.httpStatus) } };
  }
}

/** A query the emulator rejects, as BigQuery answers it: 400 invalidQuery at location "q". */
export function invalidQuery(message: string): BigQueryApiError {
  return new BigQueryApiError(400, 'invalidQuery', message, 'q');
}

export function notFound(message: string): BigQueryApiError {
  return new BigQueryApiError(404, 'notFound', message);
}

export function invalidRequest(message: string): BigQueryApiError {
  return new BigQueryApiError(400, 'invalid', message);
}

/** The reason BigQuery gives for an HTTP status, for injected faults. */
export function reasonForHttpStatus(httpStatus: number): BigQueryErrorReason {
  switch (httpStatus) {
    case 400:
      return 'invalid';
    case 403:
      return 'accessDenied';
    case 404:
      return 'notFound';
    case 409:
      return 'duplicate';
    case 429:
      return 'rateLimitExceeded';
    case 500:
      return 'internalError';
    default:
      return httpStatus >= 500 ? 'backendError' : 'invalid';
  }
}
