// Timestamps as the Google APIs give them, as ISO 8601: the client libraries decode them as
// {seconds, nanos}, the REST surface answers RFC 3339 text (proto3 JSON).

/**
 * ISO 8601 (milliseconds, UTC) of a protobuf Timestamp or its RFC 3339 text; null when absent,
 * unset (at or before the epoch's first second) or not a time.
 */
export function timestampToIso(ts: { seconds?: unknown; nanos?: unknown } | string | null | undefined): string | null {
  if (typeof ts === 'string') {
    const ms = Date.parse(ts);
    return Number.isFinite(ms) && Math.floor(ms / 1000) > 0 ? new Date(ms).toISOString() : null;
  }
  if (!ts || ts.seconds === undefined || ts.seconds === null) return null;
  const seconds = Number(ts.seconds);
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  return new Date(seconds * 1000 + Math.floor(Number(ts.nanos ?? 0) / 1e6)).toISOString();
}
