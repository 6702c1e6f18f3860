import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoInstant, isoInstantOfBytes } from '../../src/core/git/isoInstant';

/** Both readers of `text`: as a string, and from bytes around it. */
function both(text: string): [number, number] {
  const bytes = Buffer.from(`\x1f${text}\x1f`, 'latin1');
  return [isoInstant(text), isoInstantOfBytes(bytes, 1, bytes.length - 1)];
}

describe('isoInstant (git %aI dates from their digits)', () => {
  it('gives what Date.parse gives for strict ISO 8601 dates of any offset, 1900 to 2199', () => {
    let seed = 12345;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
    for (let i = 0; i < 5000; i++) {
      const date = `${pad(1900 + random(300), 4)}-${pad(1 + random(12))}-${pad(1 + random(28))}T${pad(random(24))}:${pad(random(60))}:${pad(random(60))}`;
      const zone = random(5) === 0 ? 'Z' : `${random(2) ? '+' : '-'}${pad(random(15))}:${pad([0, 30, 45][random(3)]!)}`;
      const text = date + zone;
      assert.deepEqual(both(text), [Date.parse(text), Date.parse(text)], text);
    }
    // Leap days, the ends of months, and around the epoch.
    for (const text of ['2024-02-29T12:00:00Z', '2000-02-29T00:00:00+00:00', '1969-12-31T23:59:59Z', '1970-01-01T00:30:00+01:00', '2026-12-31T23:59:59-12:00', '2100-03-01T00:00:00Z']) {
      assert.deepEqual(both(text), [Date.parse(text), Date.parse(text)], text);
    }
  });

  it('allows whitespace around the date, as the header field is trimmed', () => {
    assert.deepEqual(both(' 2026-01-01T10:00:00+02:00\n'), [Date.parse('2026-01-01T08:00:00Z'), Date.parse('2026-01-01T08:00:00Z')]);
  });

  it('is NaN for anything else, which the caller then gives to Date.parse', () => {
    for (const text of [
      '',
      'not a date',
      '2026-01-01 08:00:00 +0000',
      '2026-01-01T09:00:00.5Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-01-32T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:60:00Z',
      '2026-01-01T00:00:60+00:00',
      '2026-01-01T01:00:00+1::00',
      '2026-01-01T00:30:00+0a:00',
      '2026-01-01T00:00:00+24:00',
      '2026-01-01T00:00:00*01:00',
      '2026-01-01T00:00:00Y',
      '2026-01-01T00:00:00+01:00:00',
      '２０２６-01-01T00:00:00Z',
    ]) {
      assert.deepEqual(both(text), [NaN, NaN], text);
    }
  });
});
