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
 * The first line of `text` with anything but spaces on it, trimmed, shortened to `maxLength` with
 * an ellipsis: what fits in an error message, a notification or a tree description. Its control
 * characters stay, a lone carriage return too (the terminal and the views show them escaped, so
 * nothing the server said is hidden); oneLine blanks them.
 */
export function firstLine(text: string, maxLength = Infinity): string {
  const line = (text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '').trim();
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}
