// The epoch milliseconds of a date as git prints it with %aI (strict ISO 8601:
// `2026-01-02T03:04:05+01:00`, or `…Z`), computed from its digits. A range's drift age is the
// earliest of tens of thousands of such dates: read from the walk's bytes this way, none of them
// becomes a string or goes through Date.parse (decoding them as strings was 18-36 ms of a 560 ms
// check of a 100,000-commit history).

/** Reads the character code at `index` of `data`. */
type CodeAt<Data> = (data: Data, index: number) => number;

const byteCode: CodeAt<Uint8Array> = (bytes, index) => bytes[index]!;
const charCode: CodeAt<string> = (text, index) => text.charCodeAt(index);

/**
 * Epoch milliseconds of the strict ISO 8601 date in `bytes[start, end)`, whitespace around it
 * skipped (as a header's date field is trimmed); NaN for any other text (see isoDateMs).
 */
export function isoDateMsOfBytes(bytes: Uint8Array, start: number, end: number): number {
  while (start < end && isSpace(bytes[start]!)) start++;
  while (end > start && isSpace(bytes[end - 1]!)) end--;
  return isoDateMsOf(byteCode, bytes, start, end);
}

/**
 * Epoch milliseconds of `text` when it is a strict ISO 8601 date as %aI prints it (month 01-12, day
 * 01-31, a day past its month's end rolled over as Date.parse rolls it; hours 00-23, offset hours
 * 00-23): what Date.parse gives for it. NaN for any other text.
 */
export function isoDateMs(text: string): number {
  return isoDateMsOf(charCode, text, 0, text.length);
}

/** Epoch milliseconds of a date: isoDateMs, else Date.parse (another format); NaN when it is no date. */
export function dateMs(text: string): number {
  const ms = isoDateMs(text);
  return Number.isNaN(ms) ? Date.parse(text) : ms;
}

function isoDateMsOf<Data>(at: CodeAt<Data>, data: Data, start: number, end: number): number {
  const length = end - start;
  if (length !== 20 && length !== 25) return NaN;
  if (at(data, start + 4) !== DASH || at(data, start + 7) !== DASH || at(data, start + 10) !== LETTER_T || at(data, start + 13) !== COLON || at(data, start + 16) !== COLON) return NaN;
  let offsetMinutes = 0;
  const zone = at(data, start + 19);
  if (length === 20) {
    if (zone !== LETTER_Z) return NaN;
  } else {
    if ((zone !== PLUS && zone !== DASH) || at(data, start + 22) !== COLON) return NaN;
    const hours = digits(at, data, start + 20, 2);
    const minutes = digits(at, data, start + 23, 2);
    if (!(hours <= 23 && minutes <= 59)) return NaN;
    offsetMinutes = (zone === PLUS ? 1 : -1) * (hours * 60 + minutes);
  }
  const year = digits(at, data, start, 4);
  const month = digits(at, data, start + 5, 2);
  const day = digits(at, data, start + 8, 2);
  const hour = digits(at, data, start + 11, 2);
  const minute = digits(at, data, start + 14, 2);
  const second = digits(at, data, start + 17, 2);
  // NaN (a character that is not a digit) fails every comparison.
  if (!(year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59)) return NaN;
  return daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000;
}

/** The decimal number of `count` digits at `start`, NaN when one is not a digit. */
function digits<Data>(at: CodeAt<Data>, data: Data, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index++) {
    const digit = at(data, index) - ZERO;
    if (!(digit >= 0 && digit <= 9)) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's days_from_civil); a day past its month's end rolls over. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

const DAY_MS = 86_400_000;
const ZERO = 0x30;
const DASH = 0x2d;
const PLUS = 0x2b;
const COLON = 0x3a;
const LETTER_T = 0x54;
const LETTER_Z = 0x5a;
