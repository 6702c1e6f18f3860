// Exact decimal arithmetic for the numbers BigQuery's client hands over as text (NUMERIC holds 38
// digits, BIGNUMERIC 76: more than a JavaScript number keeps), so that a scoreboard's configured
// totals of such a column are exact, as BigQuery's own SUM would be.
//
// API (no vscode import):
//
//   PLAIN_NUMBER                 a number as text: -0.29, 12, 1.5e-7
//   isNumberCell(cell)           a finite number, or a number as text
//   decimalSum(values)           the exact sum, as text with the most decimals among the values
//   compareDecimals(a, b)        -1, 0 or 1
//   decimalDifference(a, b)      a − b exactly, as text, and the decimals of the one that has more

/** A number as BigQuery's client hands one over as text (INT64, NUMERIC, BIGNUMERIC): -0.29, 12, 1.5e-7. */
export const PLAIN_NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number, or a number as text (how BigQuery's client hands NUMERIC and BIGNUMERIC over). */
export function isNumberCell(cell: unknown): cell is number | string {
  return typeof cell === 'number' ? Number.isFinite(cell) : typeof cell === 'string' && PLAIN_NUMBER.test(cell);
}

/** The value `units / 10^scale`. */
interface Decimal {
  units: bigint;
  scale: number;
}

/** A number (a finite JavaScript number, or text PLAIN_NUMBER matches) as a Decimal; throws for anything else. */
function decimalOf(value: number | string): Decimal {
  const text = typeof value === 'number' ? String(value) : value;
  const parts = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!PLAIN_NUMBER.test(text) || !parts || (typeof value === 'number' && !Number.isFinite(value))) throw new RangeError(`not a number: ${JSON.stringify(text)}`);
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = parts;
  const scale = fraction.length - Number(exponent);
  const digits = BigInt(`${sign}${whole}${fraction}` === sign ? '0' : `${sign}${whole || '0'}${fraction}`);
  return scale >= 0 ? { units: digits, scale } : { units: digits * 10n ** BigInt(-scale), scale: 0 };
}

function atScale(d: Decimal, scale: number): bigint {
  return d.units * 10n ** BigInt(scale - d.scale);
}

function decimalText({ units, scale }: Decimal): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return negative ? `-${text}` : text;
}

/** The exact sum of `values`, as text with as many decimals as the value that has the most. */
export function decimalSum(values: readonly (number | string)[]): string {
  const decimals = values.map(decimalOf);
  const scale = Math.max(0, ...decimals.map((d) => d.scale));
  return decimalText({ units: decimals.reduce((sum, d) => sum + atScale(d, scale), 0n), scale });
}

/** How `a` compares with `b`, exactly: -1, 0 or 1. */
export function compareDecimals(a: number | string, b: number | string): number {
  const [x, y] = [decimalOf(a), decimalOf(b)];
  const scale = Math.max(x.scale, y.scale);
  const [p, q] = [atScale(x, scale), atScale(y, scale)];
  return p < q ? -1 : p > q ? 1 : 0;
}

/** `after − before`, exactly, as text with as many decimals as the one that has more (`decimals`). */
export function decimalDifference(after: number | string, before: number | string): { text: string; decimals: number } {
  const [x, y] = [decimalOf(after), decimalOf(before)];
  const scale = Math.max(x.scale, y.scale);
  return { text: decimalText({ units: atScale(x, scale) - atScale(y, scale), scale }), decimals: scale };
}
