// BigQuery column types, how their values are kept in SQLite, and how they go out on the wire.
//
// Storage in SQLite (chosen so SQLite's own comparisons and ordering are BigQuery's):
//   STRING    TEXT
//   INTEGER   INTEGER
//   FLOAT     REAL
//   NUMERIC   REAL            (exactness beyond a double is not emulated)
//   BOOLEAN   INTEGER 0/1
//   DATE      TEXT 'YYYY-MM-DD'
//   TIMESTAMP TEXT 'YYYY-MM-DD HH:MM:SS.ffffff+00:00'   fixed width UTC, so text order is time order, a
//             literal such as '2026-01-30 22:59:00' compares as BigQuery would, and SQLite's date()
//             understands it
//   DATETIME  TEXT 'YYYY-MM-DD HH:MM:SS.ffffff'
// Wire (REST JSON cells, all strings): INTEGER/FLOAT/NUMERIC as decimal text, BOOLEAN "true"/"false",
// DATE "YYYY-MM-DD", DATETIME "YYYY-MM-DDTHH:MM:SS[.ffffff]", TIMESTAMP int64 microseconds when the
// request asks for formatOptions.useInt64Timestamp (the Node client always does), else float seconds.
import type { SqliteBindable, SqliteValue } from './sqlite';

/** The names BigQuery's REST API reports in schemas (legacy spellings, as tables.get returns them). */
export type FieldType = 'STRING' | 'INTEGER' | 'FLOAT' | 'NUMERIC' | 'BOOLEAN' | 'DATE' | 'TIMESTAMP' | 'DATETIME';
export type FieldMode = 'NULLABLE' | 'REQUIRED';

export interface FieldSchema {
  name: string;
  type: FieldType;
  mode: FieldMode;
  description?: string;
}

const TYPE_BY_SPELLING: Readonly<Record<string, FieldType>> = {
  STRING: 'STRING',
  INT64: 'INTEGER',
  INTEGER: 'INTEGER',
  INT: 'INTEGER',
  BIGINT: 'INTEGER',
  SMALLINT: 'INTEGER',
  FLOAT64: 'FLOAT',
  FLOAT: 'FLOAT',
  NUMERIC: 'NUMERIC',
  DECIMAL: 'NUMERIC',
  BIGNUMERIC: 'NUMERIC',
  BIGDECIMAL: 'NUMERIC',
  BOOL: 'BOOLEAN',
  BOOLEAN: 'BOOLEAN',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
  DATETIME: 'DATETIME',
};

export const SUPPORTED_TYPE_NAMES = 'STRING, INT64 (INTEGER), FLOAT64 (FLOAT), NUMERIC, BOOL (BOOLEAN), DATE, TIMESTAMP or DATETIME';

/** Accepts standard SQL and legacy spellings in any case; undefined for types the emulator lacks. */
export function parseFieldType(spelling: string): FieldType | undefined {
  return TYPE_BY_SPELLING[spelling.toUpperCase()];
}

// SQLite derives a column's affinity from substrings of its declared type (INT → INTEGER, TEXT →
// TEXT, REAL → REAL, otherwise NUMERIC). These declared types give each BigQuery type the affinity
// its storage needs while naming the BigQuery type, which `PRAGMA table_info` on a view hands back
// for result columns that come straight from a table column.
const DECLARED_TYPE: Readonly<Record<FieldType, string>> = {
  STRING: 'BQ_STRING_TEXT',
  INTEGER: 'BQ_INTEGER',
  FLOAT: 'BQ_FLOAT_REAL',
  NUMERIC: 'BQ_NUMERIC_REAL',
  BOOLEAN: 'BQ_BOOLEAN_INT',
  DATE: 'BQ_DATE_TEXT',
  TIMESTAMP: 'BQ_TIMESTAMP_TEXT',
  DATETIME: 'BQ_DATETIME_TEXT',
};

export function sqliteDeclaredType(type: FieldType): string {
  return DECLARED_TYPE[type];
}

export function fieldTypeFromDeclaredType(declared: string): FieldType | undefined {
  const upper = declared.toUpperCase();
  for (const [type, name] of Object.entries(DECLARED_TYPE)) {
    if (name === upper) return type as FieldType;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Dates and times. Microseconds since the epoch fit a double exactly until the year 2255.

const DATE_PATTERN = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const DATE_TIME_PATTERN =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{1,2}(?::?\d{2})?)?$/i;

export interface CivilDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micros: number;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1 || year < 1 || year > 9999) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

export function formatDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** 'YYYY-MM-DD' (one-digit month/day tolerated) → canonical text, or undefined when not a real date. */
export function normalizeDate(text: string): string | undefined {
  const match = DATE_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isRealDate(year, month, day) ? formatDate(year, month, day) : undefined;
}

function parseCivil(text: string): { civil: CivilDateTime; offsetMinutes: number | undefined } | undefined {
  const match = DATE_TIME_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const civil: CivilDateTime = {
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: Number(match[4] ?? 0),
    minute: Number(match[5] ?? 0),
    second: Number(match[6] ?? 0),
    micros: Number((match[7] ?? '').padEnd(6, '0').slice(0, 6)),
  };
  if (!isRealDate(civil.year, civil.month, civil.day) || civil.hour > 23 || civil.minute > 59 || civil.second > 59) return undefined;
  const zone = match[8];
  let offsetMinutes: number | undefined;
  if (zone !== undefined) {
    if (/^(Z|UTC)$/i.test(zone)) offsetMinutes = 0;
    else {
      const zoneMatch = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone);
      if (!zoneMatch) return undefined;
      offsetMinutes = (zoneMatch[1] === '-' ? -1 : 1) * (Number(zoneMatch[2]) * 60 + Number(zoneMatch[3] ?? 0));
    }
  }
  return { civil, offsetMinutes };
}

function civilToMicros(civil: CivilDateTime): number {
  const ms = Date.UTC(civil.year, civil.month - 1, civil.day, civil.hour, civil.minute, civil.second);
  return ms * 1000 + civil.micros;
}

export function microsToCivil(micros: number): CivilDateTime {
  const ms = Math.floor(micros / 1000);
  const date = new Date(ms);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    micros: micros - Math.floor(micros / 1_000_000) * 1_000_000,
  };
}

/** Any BigQuery timestamp text ('2026-01-30T22:59:00.123Z', '2026-01-30 22:59:00 UTC', '2026-01-30') → µs. */
export function parseTimestampMicros(text: string): number | undefined {
  const parsed = parseCivil(text);
  if (!parsed) return undefined;
  return civilToMicros(parsed.civil) - (parsed.offsetMinutes ?? 0) * 60_000_000;
}

function formatCivil(civil: CivilDateTime): string {
  return `${formatDate(civil.year, civil.month, civil.day)} ${pad(civil.hour, 2)}:${pad(civil.minute, 2)}:${pad(civil.second, 2)}.${pad(civil.micros, 6)}`;
}

/** µs since the epoch → TIMESTAMP storage text. */
export function timestampStorage(micros: number): string {
  return `${formatCivil(microsToCivil(micros))}+00:00`;
}

// Seeds and insertAll batches repeat the same timestamps (graded_at, loaded_at) thousands of times.
const normalizedTimestamps = new Map<string, string | undefined>();
const MAX_REMEMBERED_TIMESTAMPS = 10_000;

export function normalizeTimestamp(text: string): string | undefined {
  if (normalizedTimestamps.has(text)) return normalizedTimestamps.get(text);
  const micros = parseTimestampMicros(text);
  const normalized = micros === undefined ? undefined : timestampStorage(micros);
  if (normalizedTimestamps.size >= MAX_REMEMBERED_TIMESTAMPS) normalizedTimestamps.clear();
  normalizedTimestamps.set(text, normalized);
  return normalized;
}

/** DATETIME has no zone: 'YYYY-MM-DD[ T]HH:MM[:SS[.f]]' → storage text. */
export function normalizeDatetime(text: string): string | undefined {
  const parsed = parseCivil(text);
  if (!parsed || parsed.offsetMinutes !== undefined) return undefined;
  return formatCivil(parsed.civil);
}

export function datetimeStorageToMicros(text: string): number | undefined {
  const parsed = parseCivil(text);
  return parsed ? civilToMicros(parsed.civil) : undefined;
}

/** Micros (as if UTC) → DATETIME storage text. */
export function datetimeStorage(micros: number): string {
  return formatCivil(microsToCivil(micros));
}

// ---------------------------------------------------------------------------------------------
// JSON values (insertAll rows, scenario rows) → storage.

export type StorageConversion = { ok: true; value: SqliteBindable } | { ok: false; problem: string };

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function fail(problem: string): StorageConversion {
  return { ok: false, problem };
}

/** Converts one JSON value for a column; null/undefined are NULL (REQUIRED is checked by the caller). */
export function jsonToStorage(type: FieldType, value: unknown): StorageConversion {
  if (value === null || value === undefined) return { ok: true, value: null };
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  switch (type) {
    case 'STRING':
      if (typeof value === 'string') return { ok: true, value };
      if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
      return fail(`Cannot convert ${describe(value)} to STRING`);
    case 'INTEGER': {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return { ok: true, value };
      if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) {
        const number = Number(value);
        // Beyond 2^53 the text goes in as is; the column's INTEGER affinity stores it exactly.
        return { ok: true, value: Number.isSafeInteger(number) ? number : value.trim() };
      }
      return fail(`Cannot convert value ${shown} to INT64`);
    }
    case 'FLOAT':
    case 'NUMERIC': {
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value };
      if (typeof value === 'string' && DECIMAL_TEXT.test(value.trim())) return { ok: true, value: Number(value) };
      if (type === 'FLOAT' && typeof value === 'string' && /^(NaN|[+-]?Infinity|[+-]?inf)$/i.test(value)) return { ok: true, value: Number(value.replace(/inf$/i, 'Infinity')) };
      return fail(`Cannot convert value ${shown} to ${type === 'FLOAT' ? 'FLOAT64' : 'NUMERIC'}`);
    }
    case 'BOOLEAN':
      if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
      if (typeof value === 'string' && /^(true|false|1|0)$/i.test(value)) return { ok: true, value: /^(true|1)$/i.test(value) ? 1 : 0 };
      if (value === 1 || value === 0) return { ok: true, value };
      return fail(`Cannot convert value ${shown} to BOOL`);
    case 'DATE': {
      const date = typeof value === 'string' ? normalizeDate(value) : undefined;
      return date !== undefined ? { ok: true, value: date } : fail(`Invalid date: ${shown} (expected YYYY-MM-DD)`);
    }
    case 'TIMESTAMP': {
      // BigQuery's JSON import reads a number as seconds since the epoch.
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value: timestampStorage(Math.round(value * 1_000_000)) };
      const timestamp = typeof value === 'string' ? normalizeTimestamp(value) : undefined;
      return timestamp !== undefined ? { ok: true, value: timestamp } : fail(`Invalid timestamp: ${shown}`);
    }
    case 'DATETIME': {
      const datetime = typeof value === 'string' ? normalizeDatetime(value) : undefined;
      return datetime !== undefined ? { ok: true, value: datetime } : fail(`Invalid datetime: ${shown}`);
    }
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `value ${String(value)}`;
}

// ---------------------------------------------------------------------------------------------
// Storage → wire cells.

export interface WireFormat {
  /** formatOptions.useInt64Timestamp: TIMESTAMP cells as int64 µs instead of float seconds. */
  useInt64Timestamp: boolean;
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return String(value);
}

/** NUMERIC has 9 decimal places and never uses exponent notation on the wire. */
function numericText(value: number): string {
  const fixed = value.toFixed(9);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

function storageText(value: SqliteValue): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return typeof value === 'number' ? numberText(value) : String(value);
}

/** One cell's `v`: a string, or null for SQL NULL. */
export function encodeCell(type: FieldType, value: SqliteValue, format: WireFormat): string | null {
  if (value === null) return null;
  switch (type) {
    case 'INTEGER':
      if (typeof value === 'number') return Number.isFinite(value) ? String(Math.trunc(value)) : numberText(value);
      return storageText(value);
    case 'FLOAT':
      return storageText(value);
    case 'NUMERIC':
      return typeof value === 'number' ? numericText(value) : storageText(value);
    case 'BOOLEAN':
      if (typeof value === 'string') return /^(true|1)$/i.test(value) ? 'true' : 'false';
      return Number(value) !== 0 ? 'true' : 'false';
    case 'STRING':
    case 'DATE':
      return storageText(value);
    case 'DATETIME': {
      const micros = typeof value === 'string' ? datetimeStorageToMicros(value) : undefined;
      if (micros === undefined) return storageText(value);
      const text = datetimeStorage(micros).replace(' ', 'T');
      return text.endsWith('.000000') ? text.slice(0, -7) : text;
    }
    case 'TIMESTAMP': {
      const micros = typeof value === 'string' ? parseTimestampMicros(value) : typeof value === 'number' ? value * 1_000_000 : undefined;
      if (micros === undefined) return storageText(value);
      return format.useInt64Timestamp ? String(Math.round(micros)) : numberText(micros / 1_000_000);
    }
  }
}

/** A rough byte size of a stored row, as BigQuery estimates storage (for numBytes, streamingBuffer). */
export function estimateRowBytes(values: readonly SqliteBindable[]): number {
  let bytes = 0;
  for (const value of values) {
    if (value === null) continue;
    if (typeof value === 'string') bytes += 2 + Buffer.byteLength(value);
    else if (value instanceof Uint8Array) bytes += value.length;
    else bytes += 8;
  }
  return bytes;
}
