// BigQuery functions SQLite lacks, registered as crd_* functions (dialect.ts renames calls to them).
// They work on the storage formats of values.ts. A thrown Error becomes the query's error message.
import { randomUUID } from 'node:crypto';
import type { SqliteDatabase, SqliteFunctionArgument } from './sqlite';
import {
  datetimeStorage,
  formatDate,
  microsToCivil,
  normalizeDate,
  normalizeDatetime,
  normalizeTimestamp,
  parseTimestampMicros,
  timestampStorage,
  type CivilDateTime,
} from './values';

const MICROS_PER_UNIT: Readonly<Record<string, number>> = {
  MICROSECOND: 1,
  MILLISECOND: 1_000,
  SECOND: 1_000_000,
  MINUTE: 60_000_000,
  HOUR: 3_600_000_000,
  DAY: 86_400_000_000,
};
const MICROS_PER_DAY = 86_400_000_000;

const TIMESTAMP_STORAGE_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;
const DATETIME_STORAGE_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;

function text(value: SqliteFunctionArgument, what: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new Error(`${what}: expected a value, got ${value === null ? 'NULL' : 'bytes'}`);
}

function number(value: SqliteFunctionArgument, what: string): number {
  const result = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(result)) throw new Error(`${what}: expected a number, got ${String(value)}`);
  return result;
}

function unitName(value: SqliteFunctionArgument): string {
  return text(value, 'date part').toUpperCase();
}

/** Any date, datetime or timestamp text → µs (dates are midnight UTC). */
function micros(value: SqliteFunctionArgument, what: string): number {
  const parsed = typeof value === 'string' ? parseTimestampMicros(value) : undefined;
  if (parsed === undefined) throw new Error(`Invalid ${what} value: ${String(value)}`);
  return parsed;
}

function dateOf(value: SqliteFunctionArgument, what = 'DATE'): CivilDateTime {
  return microsToCivil(micros(value, what));
}

function daysSinceEpoch(civil: CivilDateTime): number {
  return Math.floor(Date.UTC(civil.year, civil.month - 1, civil.day) / 86_400_000);
}

function civilFromDays(days: number): CivilDateTime {
  return microsToCivil(days * MICROS_PER_DAY);
}

function dateText(civil: CivilDateTime): string {
  return formatDate(civil.year, civil.month, civil.day);
}

/** Adds months, clamping to the month's last day (DATE_ADD('2026-01-31', INTERVAL 1 MONTH) = '2026-02-28'). */
function addMonths(civil: CivilDateTime, months: number): CivilDateTime {
  const index = civil.year * 12 + (civil.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { ...civil, year, month, day: Math.min(civil.day, lastDay) };
}

function civilToMicros(civil: CivilDateTime): number {
  return Date.UTC(civil.year, civil.month - 1, civil.day, civil.hour, civil.minute, civil.second) * 1000 + civil.micros;
}

/** Adds n units to a point in (UTC-like) civil time, as DATE_ADD / DATETIME_ADD / TIMESTAMP_ADD do. */
function addInterval(value: number, amount: number, unit: string, allowCalendarUnits: boolean): number {
  if (!Number.isInteger(amount)) throw new Error(`INTERVAL value must be an integer, got ${amount}`);
  const fixed = MICROS_PER_UNIT[unit];
  if (fixed !== undefined) return value + amount * fixed;
  if (unit === 'WEEK') return value + amount * 7 * MICROS_PER_DAY;
  if (!allowCalendarUnits) throw new Error(`Unsupported date part ${unit} for TIMESTAMP_ADD/TIMESTAMP_SUB (use up to DAY)`);
  const months = unit === 'MONTH' ? amount : unit === 'QUARTER' ? amount * 3 : unit === 'YEAR' ? amount * 12 : undefined;
  if (months === undefined) throw new Error(`Unsupported date part ${unit}`);
  return civilToMicros(addMonths(microsToCivil(value), months));
}

/** The Sunday on or before the date (BigQuery's WEEK starts on Sunday). */
function weekStartDays(days: number, isoWeek: boolean): number {
  const weekday = new Date(days * 86_400_000).getUTCDay(); // 0 = Sunday
  const offset = isoWeek ? (weekday + 6) % 7 : weekday;
  return days - offset;
}

function truncate(value: number, unit: string): number {
  const fixed = MICROS_PER_UNIT[unit];
  if (fixed !== undefined) return Math.floor(value / fixed) * fixed;
  const civil = microsToCivil(value);
  const days = daysSinceEpoch(civil);
  switch (unit) {
    case 'WEEK':
      return weekStartDays(days, false) * MICROS_PER_DAY;
    case 'ISOWEEK':
      return weekStartDays(days, true) * MICROS_PER_DAY;
    case 'MONTH':
      return Date.UTC(civil.year, civil.month - 1, 1) * 1000;
    case 'QUARTER':
      return Date.UTC(civil.year, Math.floor((civil.month - 1) / 3) * 3, 1) * 1000;
    case 'YEAR':
      return Date.UTC(civil.year, 0, 1) * 1000;
    case 'ISOYEAR': {
      const isoYear = isoWeekAndYear(civil).year;
      const january4 = Math.floor(Date.UTC(isoYear, 0, 4) / 86_400_000);
      return weekStartDays(january4, true) * MICROS_PER_DAY;
    }
    default:
      throw new Error(`Unsupported date part ${unit}`);
  }
}

function difference(later: number, earlier: number, unit: string): number {
  const fixed = MICROS_PER_UNIT[unit];
  if (fixed !== undefined) return Math.trunc((later - earlier) / fixed);
  const a = microsToCivil(later);
  const b = microsToCivil(earlier);
  switch (unit) {
    case 'WEEK':
      return (weekStartDays(daysSinceEpoch(a), false) - weekStartDays(daysSinceEpoch(b), false)) / 7;
    case 'ISOWEEK':
      return (weekStartDays(daysSinceEpoch(a), true) - weekStartDays(daysSinceEpoch(b), true)) / 7;
    case 'MONTH':
      return a.year * 12 + a.month - (b.year * 12 + b.month);
    case 'QUARTER':
      return a.year * 4 + Math.floor((a.month - 1) / 3) - (b.year * 4 + Math.floor((b.month - 1) / 3));
    case 'YEAR':
      return a.year - b.year;
    case 'ISOYEAR':
      return isoWeekAndYear(a).year - isoWeekAndYear(b).year;
    default:
      throw new Error(`Unsupported date part ${unit}`);
  }
}

function isoWeekAndYear(civil: CivilDateTime): { week: number; year: number } {
  const date = new Date(Date.UTC(civil.year, civil.month - 1, civil.day));
  const weekday = (date.getUTCDay() + 6) % 7; // Monday = 0
  date.setUTCDate(date.getUTCDate() - weekday + 3); // the Thursday of this ISO week
  const year = date.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
  return { week: 1 + Math.round((date.getTime() - firstThursday.getTime()) / (7 * 86_400_000)), year };
}

function dayOfYear(civil: CivilDateTime): number {
  return daysSinceEpoch(civil) - Math.floor(Date.UTC(civil.year, 0, 1) / 86_400_000) + 1;
}

function extract(part: string, value: SqliteFunctionArgument): number | string {
  const civil = dateOf(value, 'date/time');
  const weekday = new Date(Date.UTC(civil.year, civil.month - 1, civil.day)).getUTCDay();
  switch (part) {
    case 'YEAR':
      return civil.year;
    case 'ISOYEAR':
      return isoWeekAndYear(civil).year;
    case 'QUARTER':
      return Math.floor((civil.month - 1) / 3) + 1;
    case 'MONTH':
      return civil.month;
    case 'WEEK': {
      // Weeks start on Sunday; days before the year's first Sunday are week 0.
      const january1Weekday = new Date(Date.UTC(civil.year, 0, 1)).getUTCDay();
      const firstSundayDayOfYear = january1Weekday === 0 ? 1 : 8 - january1Weekday;
      const day = dayOfYear(civil);
      return day < firstSundayDayOfYear ? 0 : Math.floor((day - firstSundayDayOfYear) / 7) + 1;
    }
    case 'ISOWEEK':
      return isoWeekAndYear(civil).week;
    case 'DAY':
      return civil.day;
    case 'DAYOFWEEK':
      return weekday + 1;
    case 'DAYOFYEAR':
      return dayOfYear(civil);
    case 'HOUR':
      return civil.hour;
    case 'MINUTE':
      return civil.minute;
    case 'SECOND':
      return civil.second;
    case 'MILLISECOND':
      return Math.floor(civil.micros / 1000);
    case 'MICROSECOND':
      return civil.micros;
    case 'DATE':
      return dateText(civil);
    default:
      throw new Error(`Unsupported date part ${part}`);
  }
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** strftime-style formatting as FORMAT_DATE / FORMAT_TIMESTAMP do it (UTC). */
function formatTime(format: string, value: number, withZone: boolean): string {
  const civil = microsToCivil(value);
  const weekday = new Date(Date.UTC(civil.year, civil.month - 1, civil.day)).getUTCDay();
  const two = (n: number): string => String(n).padStart(2, '0');
  return format.replace(/%(E(\d|\*)S|[A-Za-z%])/g, (whole: string, spec: string, digits: string | undefined) => {
    if (spec.startsWith('E')) {
      const fraction = String(civil.micros).padStart(6, '0');
      const shown = digits === '*' ? fraction.replace(/0+$/, '') : fraction.slice(0, Number(digits));
      return `${two(civil.second)}${shown ? `.${shown}` : ''}`;
    }
    switch (spec) {
      case 'Y':
        return String(civil.year).padStart(4, '0');
      case 'y':
        return two(civil.year % 100);
      case 'm':
        return two(civil.month);
      case 'd':
        return two(civil.day);
      case 'e':
        return String(civil.day).padStart(2, ' ');
      case 'H':
        return two(civil.hour);
      case 'I':
        return two(((civil.hour + 11) % 12) + 1);
      case 'p':
        return civil.hour < 12 ? 'AM' : 'PM';
      case 'M':
        return two(civil.minute);
      case 'S':
        return two(civil.second);
      case 'B':
        return MONTH_NAMES[civil.month - 1]!;
      case 'b':
      case 'h':
        return MONTH_NAMES[civil.month - 1]!.slice(0, 3);
      case 'A':
        return DAY_NAMES[weekday]!;
      case 'a':
        return DAY_NAMES[weekday]!.slice(0, 3);
      case 'j':
        return String(dayOfYear(civil)).padStart(3, '0');
      case 'u':
        return String(weekday === 0 ? 7 : weekday);
      case 'w':
        return String(weekday);
      case 'Q':
        return String(Math.floor((civil.month - 1) / 3) + 1);
      case 'F':
        return dateText(civil);
      case 'D':
        return `${two(civil.month)}/${two(civil.day)}/${two(civil.year % 100)}`;
      case 'T':
        return `${two(civil.hour)}:${two(civil.minute)}:${two(civil.second)}`;
      case 'R':
        return `${two(civil.hour)}:${two(civil.minute)}`;
      case 's':
        return String(Math.floor(value / 1_000_000));
      case 'Z':
        return withZone ? 'UTC' : '';
      case 'z':
        return withZone ? '+0000' : '';
      case '%':
        return '%';
      default:
        return whole;
    }
  });
}

/** PARSE_DATE / PARSE_TIMESTAMP for the common elements (%Y %m %d %e %F %H %M %S %T %b %B %y %Z %z). */
function parseTime(format: string, input: string, what: string): number {
  const fields: Array<(match: string, civil: CivilDateTime) => void> = [];
  let pattern = '';
  const setMonthName = (match: string, civil: CivilDateTime): void => {
    const index = MONTH_NAMES.findIndex((name) => name.toLowerCase().startsWith(match.toLowerCase().slice(0, 3)));
    if (index < 0) throw new Error(`Failed to parse input string "${input}"`);
    civil.month = index + 1;
  };
  const numberField = (digits: string, assign: (civil: CivilDateTime, n: number) => void): void => {
    pattern += `(\\d{${digits}})`;
    fields.push((match, civil) => assign(civil, Number(match)));
  };
  for (let i = 0; i < format.length; i++) {
    const char = format[i]!;
    if (char !== '%') {
      pattern += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      continue;
    }
    const spec = format[++i];
    switch (spec) {
      case 'Y':
        numberField('4', (c, n) => (c.year = n));
        break;
      case 'y':
        numberField('2', (c, n) => (c.year = n < 69 ? 2000 + n : 1900 + n));
        break;
      case 'm':
        numberField('1,2', (c, n) => (c.month = n));
        break;
      case 'd':
      case 'e':
        pattern += ' ?';
        numberField('1,2', (c, n) => (c.day = n));
        break;
      case 'H':
        numberField('1,2', (c, n) => (c.hour = n));
        break;
      case 'M':
        numberField('1,2', (c, n) => (c.minute = n));
        break;
      case 'S':
        numberField('1,2', (c, n) => (c.second = n));
        break;
      case 'F':
        numberField('4', (c, n) => (c.year = n));
        pattern += '-';
        numberField('1,2', (c, n) => (c.month = n));
        pattern += '-';
        numberField('1,2', (c, n) => (c.day = n));
        break;
      case 'T':
        numberField('1,2', (c, n) => (c.hour = n));
        pattern += ':';
        numberField('1,2', (c, n) => (c.minute = n));
        pattern += ':';
        numberField('1,2', (c, n) => (c.second = n));
        break;
      case 'b':
      case 'B':
      case 'h':
        pattern += '([A-Za-z]+)';
        fields.push(setMonthName);
        break;
      case 'Z':
        pattern += '(?:UTC|Z)';
        break;
      case 'z':
        pattern += '(?:[+-]00:?00|Z)';
        break;
      case '%':
        pattern += '%';
        break;
      default:
        throw new Error(`Format element %${spec ?? ''} is not supported by the emulator in ${what}`);
    }
  }
  const match = new RegExp(`^\\s*${pattern}\\s*$`).exec(input);
  if (!match) throw new Error(`Failed to parse input string "${input}"`);
  const civil: CivilDateTime = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, micros: 0 };
  fields.forEach((assign, index) => assign(match[index + 1]!, civil));
  const result = civilToMicros(civil);
  if (dateText(microsToCivil(result)) !== formatDate(civil.year, civil.month, civil.day)) throw new Error(`Failed to parse input string "${input}"`);
  return result;
}

/** Only UTC and fixed offsets: the emulator carries no time zone database. */
function zoneOffsetMicros(zone: SqliteFunctionArgument): number {
  const name = text(zone, 'time zone').trim();
  if (/^(UTC|Etc\/UTC|GMT|Z)$/i.test(name)) return 0;
  const match = /^(?:UTC)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(name);
  if (!match) throw new Error(`Time zone "${name}" is not supported by the emulator (use UTC or a fixed offset such as "+05:30")`);
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0)) * 60_000_000;
}

function roundHalfAwayFromZero(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

/** CAST / SAFE_CAST with BigQuery's rules for the conversions the emulator stores. */
function cast(value: SqliteFunctionArgument, target: string, safe: boolean): string | number | boolean | null {
  if (value === null) return null;
  const failCast = (): null => {
    if (safe) return null;
    throw new Error(`Bad ${target.toLowerCase() === 'integer' ? 'int64' : target.toLowerCase()} value: ${typeof value === 'string' ? value : String(value)}`);
  };
  if (value instanceof Uint8Array) return failCast();
  switch (target) {
    case 'INTEGER': {
      if (typeof value === 'number') return Number.isFinite(value) ? roundHalfAwayFromZero(value) : failCast();
      const trimmed = value.trim();
      if (/^[+-]?\d+$/.test(trimmed)) return Number(trimmed);
      if (/^[+-]?0x[0-9a-f]+$/i.test(trimmed)) return Number.parseInt(trimmed, 16);
      return failCast();
    }
    case 'FLOAT':
    case 'NUMERIC': {
      if (typeof value === 'number') return value;
      const parsed = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
      return Number.isNaN(parsed) ? failCast() : parsed;
    }
    case 'BOOLEAN':
      if (typeof value === 'number') return value !== 0;
      if (/^\s*true\s*$/i.test(value)) return true;
      if (/^\s*false\s*$/i.test(value)) return false;
      return failCast();
    case 'STRING': {
      if (typeof value === 'number') return String(value);
      if (TIMESTAMP_STORAGE_PATTERN.test(value)) return value.replace(/\.000000/, '').replace('+00:00', '+00');
      if (DATETIME_STORAGE_PATTERN.test(value)) return value.replace(/\.000000$/, '');
      return value;
    }
    case 'DATE': {
      if (typeof value !== 'string') return failCast();
      const date = normalizeDate(value) ?? (parseTimestampMicros(value) !== undefined ? dateText(dateOf(value)) : undefined);
      return date ?? failCast();
    }
    case 'TIMESTAMP':
      return typeof value === 'string' ? (normalizeTimestamp(value) ?? failCast()) : failCast();
    case 'DATETIME': {
      if (typeof value !== 'string') return failCast();
      const direct = normalizeDatetime(value);
      if (direct !== undefined) return direct;
      const parsed = parseTimestampMicros(value);
      return parsed !== undefined ? datetimeStorage(parsed) : failCast();
    }
    default:
      throw new Error(`Casting to ${target} is not supported by the emulator`);
  }
}

function regex(pattern: SqliteFunctionArgument): RegExp {
  try {
    return new RegExp(text(pattern, 'regular expression'), 'u');
  } catch (err) {
    throw new Error(`Cannot parse regular expression: ${(err as Error).message}`, { cause: err });
  }
}

function pad(value: SqliteFunctionArgument, length: SqliteFunctionArgument, filler: SqliteFunctionArgument, atStart: boolean): string | null {
  if (value === null || length === null || filler === null) return null;
  const source = text(value, 'LPAD/RPAD');
  const size = number(length, 'LPAD/RPAD length');
  const fill = text(filler, 'LPAD/RPAD pattern');
  if (size <= source.length) return source.slice(0, size);
  if (fill.length === 0) return source;
  return atStart ? source.padStart(size, fill) : source.padEnd(size, fill);
}

interface VarianceState {
  count: number;
  mean: number;
  squares: number;
}

function registerVariance(db: SqliteDatabase, name: string, finish: (state: VarianceState) => number | null): void {
  db.create_aggregate<VarianceState>(name, {
    init: () => ({ count: 0, mean: 0, squares: 0 }),
    // Welford's update: stable without keeping the values.
    step: (state: VarianceState, value: SqliteFunctionArgument): VarianceState => {
      if (value === null) return state;
      const x = number(value, name);
      const count = state.count + 1;
      const delta = x - state.mean;
      const mean = state.mean + delta / count;
      return { count, mean, squares: state.squares + delta * (x - mean) };
    },
    finalize: finish,
  });
}

/** Registers every crd_* function; `now` is the emulator clock in epoch milliseconds. */
export function registerBigQueryFunctions(db: SqliteDatabase, now: () => number): void {
  // SQL functions return NULL for a NULL argument. sql.js registers a function with `fn.length`
  // arguments, so the wrapper copies the wrapped function's arity.
  const nullSafe = <A extends SqliteFunctionArgument[]>(fn: (...args: A) => string | number | boolean | null): ((...args: A) => string | number | boolean | null) => {
    const wrapper = (...args: A): string | number | boolean | null => (args.some((a) => a === null) ? null : fn(...args));
    Object.defineProperty(wrapper, 'length', { value: fn.length });
    return wrapper;
  };

  db.create_function('crd_current_timestamp', () => timestampStorage(now() * 1000));
  db.create_function('crd_current_date', () => dateText(microsToCivil(now() * 1000)));
  db.create_function('crd_current_datetime', () => datetimeStorage(now() * 1000));

  db.create_function('crd_safe_divide', (a: SqliteFunctionArgument, b: SqliteFunctionArgument) => {
    if (a === null || b === null) return null;
    const divisor = number(b, 'SAFE_DIVIDE');
    return divisor === 0 ? null : number(a, 'SAFE_DIVIDE') / divisor;
  });
  db.create_function('crd_ieee_divide', (a: SqliteFunctionArgument, b: SqliteFunctionArgument) =>
    a === null || b === null ? null : number(a, 'IEEE_DIVIDE') / number(b, 'IEEE_DIVIDE'),
  );
  db.create_function(
    'crd_div',
    nullSafe((a: SqliteFunctionArgument, b: SqliteFunctionArgument) => {
      const divisor = number(b, 'DIV');
      if (divisor === 0) throw new Error(`division by zero: DIV(${String(a)}, 0)`);
      return Math.trunc(number(a, 'DIV') / divisor);
    }),
  );

  // DATE(x), DATE(x, zone), DATE(year, month, day)
  db.create_function('crd_date', nullSafe((value: SqliteFunctionArgument) => (typeof value === 'string' && normalizeDate(value)) || dateText(dateOf(value))));
  db.create_function('crd_date', nullSafe((value: SqliteFunctionArgument, zone: SqliteFunctionArgument) => dateText(microsToCivil(micros(value, 'TIMESTAMP') + zoneOffsetMicros(zone)))));
  db.create_function(
    'crd_date',
    nullSafe((year: SqliteFunctionArgument, month: SqliteFunctionArgument, day: SqliteFunctionArgument) => {
      const date = normalizeDate(formatDate(number(year, 'DATE'), number(month, 'DATE'), number(day, 'DATE')));
      if (date === undefined) throw new Error(`Invalid date: DATE(${String(year)}, ${String(month)}, ${String(day)})`);
      return date;
    }),
  );
  db.create_function('crd_timestamp', nullSafe((value: SqliteFunctionArgument) => timestampStorage(micros(value, 'TIMESTAMP'))));
  db.create_function(
    'crd_timestamp',
    nullSafe((value: SqliteFunctionArgument, zone: SqliteFunctionArgument) => {
      const local = typeof value === 'string' && /([zZ]|[+-]\d{2}(:?\d{2})?|UTC)$/.test(value.trim()) ? micros(value, 'TIMESTAMP') : micros(value, 'TIMESTAMP') - zoneOffsetMicros(zone);
      return timestampStorage(local);
    }),
  );
  db.create_function('crd_datetime', nullSafe((value: SqliteFunctionArgument) => datetimeStorage(micros(value, 'DATETIME'))));
  db.create_function('crd_datetime', nullSafe((value: SqliteFunctionArgument, zone: SqliteFunctionArgument) => datetimeStorage(micros(value, 'TIMESTAMP') + zoneOffsetMicros(zone))));

  const arithmetic = (name: string, sign: 1 | -1, format: (value: number) => string, calendar: boolean): void => {
    db.create_function(
      name,
      nullSafe((value: SqliteFunctionArgument, amount: SqliteFunctionArgument, unit: SqliteFunctionArgument) =>
        format(addInterval(micros(value, 'date/time'), sign * number(amount, 'INTERVAL'), unitName(unit), calendar)),
      ),
    );
  };
  const asDate = (value: number): string => dateText(microsToCivil(value));
  arithmetic('crd_date_add', 1, asDate, true);
  arithmetic('crd_date_sub', -1, asDate, true);
  arithmetic('crd_datetime_add', 1, datetimeStorage, true);
  arithmetic('crd_datetime_sub', -1, datetimeStorage, true);
  arithmetic('crd_timestamp_add', 1, timestampStorage, false);
  arithmetic('crd_timestamp_sub', -1, timestampStorage, false);

  for (const name of ['crd_date_diff', 'crd_datetime_diff', 'crd_timestamp_diff']) {
    db.create_function(
      name,
      nullSafe((later: SqliteFunctionArgument, earlier: SqliteFunctionArgument, unit: SqliteFunctionArgument) =>
        difference(micros(later, 'date/time'), micros(earlier, 'date/time'), unitName(unit)),
      ),
    );
  }
  db.create_function('crd_date_trunc', nullSafe((value: SqliteFunctionArgument, unit: SqliteFunctionArgument) => asDate(truncate(micros(value, 'DATE'), unitName(unit)))));
  db.create_function('crd_datetime_trunc', nullSafe((value: SqliteFunctionArgument, unit: SqliteFunctionArgument) => datetimeStorage(truncate(micros(value, 'DATETIME'), unitName(unit)))));
  db.create_function('crd_timestamp_trunc', nullSafe((value: SqliteFunctionArgument, unit: SqliteFunctionArgument) => timestampStorage(truncate(micros(value, 'TIMESTAMP'), unitName(unit)))));

  db.create_function('crd_unix_seconds', nullSafe((value: SqliteFunctionArgument) => Math.floor(micros(value, 'TIMESTAMP') / 1_000_000)));
  db.create_function('crd_unix_millis', nullSafe((value: SqliteFunctionArgument) => Math.floor(micros(value, 'TIMESTAMP') / 1_000)));
  db.create_function('crd_unix_micros', nullSafe((value: SqliteFunctionArgument) => micros(value, 'TIMESTAMP')));
  db.create_function('crd_unix_date', nullSafe((value: SqliteFunctionArgument) => daysSinceEpoch(dateOf(value))));
  db.create_function('crd_timestamp_seconds', nullSafe((value: SqliteFunctionArgument) => timestampStorage(number(value, 'TIMESTAMP_SECONDS') * 1_000_000)));
  db.create_function('crd_timestamp_millis', nullSafe((value: SqliteFunctionArgument) => timestampStorage(number(value, 'TIMESTAMP_MILLIS') * 1_000)));
  db.create_function('crd_timestamp_micros', nullSafe((value: SqliteFunctionArgument) => timestampStorage(number(value, 'TIMESTAMP_MICROS'))));
  db.create_function('crd_date_from_unix_date', nullSafe((value: SqliteFunctionArgument) => dateText(civilFromDays(number(value, 'DATE_FROM_UNIX_DATE')))));

  db.create_function('crd_format_date', nullSafe((format: SqliteFunctionArgument, value: SqliteFunctionArgument) => formatTime(text(format, 'FORMAT_DATE'), micros(value, 'DATE'), false)));
  db.create_function('crd_format_datetime', nullSafe((format: SqliteFunctionArgument, value: SqliteFunctionArgument) => formatTime(text(format, 'FORMAT_DATETIME'), micros(value, 'DATETIME'), false)));
  db.create_function('crd_format_timestamp', nullSafe((format: SqliteFunctionArgument, value: SqliteFunctionArgument) => formatTime(text(format, 'FORMAT_TIMESTAMP'), micros(value, 'TIMESTAMP'), true)));
  db.create_function(
    'crd_format_timestamp',
    nullSafe((format: SqliteFunctionArgument, value: SqliteFunctionArgument, zone: SqliteFunctionArgument) =>
      formatTime(text(format, 'FORMAT_TIMESTAMP'), micros(value, 'TIMESTAMP') + zoneOffsetMicros(zone), true),
    ),
  );
  db.create_function('crd_parse_date', nullSafe((format: SqliteFunctionArgument, value: SqliteFunctionArgument) => asDate(parseTime(text(format, 'PARSE_DATE'), text(value, 'PARSE_DATE'), 'PARSE_DATE'))));
  db.create_function('crd_parse_timestamp', nullSafe((format: SqliteFunctionArgument, value: SqliteFunctionArgument) => timestampStorage(parseTime(text(format, 'PARSE_TIMESTAMP'), text(value, 'PARSE_TIMESTAMP'), 'PARSE_TIMESTAMP'))));

  db.create_function('crd_extract', nullSafe((part: SqliteFunctionArgument, value: SqliteFunctionArgument) => extract(unitName(part), value)));
  db.create_function('crd_cast', (value: SqliteFunctionArgument, target: SqliteFunctionArgument, safe: SqliteFunctionArgument) => cast(value, text(target, 'CAST'), safe === 1));

  db.create_function('crd_starts_with', nullSafe((value: SqliteFunctionArgument, prefix: SqliteFunctionArgument) => text(value, 'STARTS_WITH').startsWith(text(prefix, 'STARTS_WITH'))));
  db.create_function('crd_ends_with', nullSafe((value: SqliteFunctionArgument, suffix: SqliteFunctionArgument) => text(value, 'ENDS_WITH').endsWith(text(suffix, 'ENDS_WITH'))));
  db.create_function('crd_regexp_contains', nullSafe((value: SqliteFunctionArgument, pattern: SqliteFunctionArgument) => regex(pattern).test(text(value, 'REGEXP_CONTAINS'))));
  db.create_function(
    'crd_regexp_extract',
    nullSafe((value: SqliteFunctionArgument, pattern: SqliteFunctionArgument) => {
      const match = regex(pattern).exec(text(value, 'REGEXP_EXTRACT'));
      return match === null ? null : (match[1] ?? match[0]);
    }),
  );
  db.create_function(
    'crd_regexp_replace',
    nullSafe((value: SqliteFunctionArgument, pattern: SqliteFunctionArgument, replacement: SqliteFunctionArgument) =>
      // RE2 writes group references as \1; JavaScript as $1.
      text(value, 'REGEXP_REPLACE').replace(new RegExp(regex(pattern).source, 'gu'), text(replacement, 'REGEXP_REPLACE').replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1')),
    ),
  );
  db.create_function('crd_lpad', (value: SqliteFunctionArgument, length: SqliteFunctionArgument) => pad(value, length, ' ', true));
  db.create_function('crd_lpad', (value: SqliteFunctionArgument, length: SqliteFunctionArgument, filler: SqliteFunctionArgument) => pad(value, length, filler, true));
  db.create_function('crd_rpad', (value: SqliteFunctionArgument, length: SqliteFunctionArgument) => pad(value, length, ' ', false));
  db.create_function('crd_rpad', (value: SqliteFunctionArgument, length: SqliteFunctionArgument, filler: SqliteFunctionArgument) => pad(value, length, filler, false));
  db.create_function('crd_generate_uuid', () => randomUUID());

  registerVariance(db, 'crd_var_samp', (s) => (s.count < 2 ? null : s.squares / (s.count - 1)));
  registerVariance(db, 'crd_var_pop', (s) => (s.count < 1 ? null : s.squares / s.count));
  registerVariance(db, 'crd_stddev_samp', (s) => (s.count < 2 ? null : Math.sqrt(s.squares / (s.count - 1))));
  registerVariance(db, 'crd_stddev_pop', (s) => (s.count < 1 ? null : Math.sqrt(s.squares / s.count)));
}
