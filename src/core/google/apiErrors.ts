// A failed call to Cloud Run or Cloud Functions as the reader reports it: CloudRunError carries the
// gRPC code the API answered with (the REST transport maps HTTP statuses onto them), and
// describeApiError turns any failure of a call, the client libraries' included, into one line and
// its code.
import { CREDENTIALS_FIX } from './credentials';
import { firstLine } from '../text/messageText';

export class CloudRunError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
  ) {
    super(message);
    this.name = 'CloudRunError';
  }
}

// gRPC status codes the API answers with (the REST transport maps HTTP statuses onto them).
export const INVALID_ARGUMENT = 3;
export const DEADLINE_EXCEEDED = 4;
export const NOT_FOUND = 5;
const PERMISSION_DENIED = 7;
export const UNAUTHENTICATED = 16;

export function describeApiError(err: unknown): { message: string; code: number | null } {
  if (err instanceof CloudRunError) return { message: err.message, code: err.code };
  const record = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; message?: unknown; details?: unknown };
  const code = typeof record.code === 'number' ? record.code : null;
  const raw = typeof record.message === 'string' ? record.message : String(err);
  if (code === UNAUTHENTICATED || /invalid_grant|reauth|invalid_rapt/i.test(raw)) {
    return { message: `Google Cloud credentials were rejected or expired. Run: ${CREDENTIALS_FIX}`, code: UNAUTHENTICATED };
  }
  // gax wraps retried failures as "Total timeout ... retrying error Error: <cause> : Previous errors : [...]"
  // and the REST transport prefixes "<code> <STATUS>: "; keep only the server's (or socket's) own words.
  const cause = raw
    .replace(/^(Total timeout|Exceeded maximum number of retries)[\s\S]*?retrying error (Error: )?/, '')
    .replace(/\s*: Previous errors[\s\S]*$/, '')
    .replace(/ before any response was received$/, '');
  const refused = /request to (\S+?) failed, reason: (.*)$/.exec(cause);
  const message = refused
    ? `cannot reach ${new URL(refused[1]!).origin} (${firstLine(refused[2]!).trim()})`
    : firstLine(cause.replace(/^\d+ [A-Z_]+: /, ''));
  if (code === PERMISSION_DENIED) return { message: `Permission denied: ${message}`, code };
  // The wrapper's own code is DEADLINE_EXCEEDED whatever failed; the failures it lists carry theirs.
  const listed = [...raw.matchAll(/code: (\d+), details:/g)].pop();
  return { message: message || 'Cloud Run API call failed', code: listed && cause !== raw ? Number(listed[1]) : code };
}
