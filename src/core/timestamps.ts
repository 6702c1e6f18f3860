// Timestamps as the Google client libraries decode them ({seconds, nanos}), as ISO 8601.

/** ISO 8601 of a protobuf Timestamp; null when absent, unset (0) or not a number. */
export function timestampToIso(ts: { seconds?: unknown; nanos?: unknown } | null | undefined): string | null {
  if (!ts || ts.seconds === undefined || ts.seconds === null) return null;
  const seconds = Number(ts.seconds);
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  return new Date(seconds * 1000 + Math.floor(Number(ts.nanos ?? 0) / 1e6)).toISOString();
}
