// How a failed Cloud Logging call steers a log stream: end it, poll instead of tailing, wait out a
// quota, or reconnect; and the reason a reconnect gives.
import { GrpcStatus, type LogApiError } from './source';

export type ErrorClass = 'fatal' | 'unsupported' | 'exhausted' | 'transient';

const FATAL_CODES = new Set<number>([
  GrpcStatus.INVALID_ARGUMENT,
  GrpcStatus.NOT_FOUND,
  GrpcStatus.PERMISSION_DENIED,
  GrpcStatus.FAILED_PRECONDITION,
  GrpcStatus.UNAUTHENTICATED,
]);

export function classify(error: LogApiError): ErrorClass {
  if (error.code !== null && FATAL_CODES.has(error.code)) return 'fatal';
  if (error.code === GrpcStatus.UNIMPLEMENTED) return 'unsupported';
  // For a list call RESOURCE_EXHAUSTED is the read quota, which waiting fixes; for a tail it is the session limit.
  if (error.code === GrpcStatus.RESOURCE_EXHAUSTED && error.call === 'tail') return 'exhausted';
  return 'transient';
}

/** Why a reconnect happens, for the status line. */
export function reconnectReason(error: LogApiError): string {
  switch (error.code) {
    case GrpcStatus.OUT_OF_RANGE:
      return `the live tail reached Cloud Logging's maximum session length (${error.message})`;
    case GrpcStatus.UNAVAILABLE:
      return `the live tail connection was lost (${error.message})`;
    case GrpcStatus.DEADLINE_EXCEEDED:
      return `the live tail timed out (${error.message})`;
    case null:
      return error.message;
    default:
      return `the live tail failed (${error.message})`;
  }
}
