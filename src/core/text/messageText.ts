// Text from errors, APIs and git made fit for one line of a message, a log line or a notification.

/** The message of anything thrown. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** One line: API and git text may carry newlines and control characters; a log line and a notification must not. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * The first line of `text` with anything on it, as oneLine makes it (git's stderr and an API's
 * error carry whatever their servers, filters and hooks print), shortened to `maxLength` with an
 * ellipsis: what fits in an error message, a notification or a tree description.
 */
export function firstLine(text: string, maxLength = Infinity): string {
  const line = oneLine(text.split(/\r?\n|\r/).find((l) => oneLine(l) !== '') ?? '');
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}
