/**
 * `record[key]` when the record holds `key` itself. Indexing a plain object with text from a
 * configuration or an API ("constructor", "toString", "__proto__") otherwise finds what
 * Object.prototype holds under that name.
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
