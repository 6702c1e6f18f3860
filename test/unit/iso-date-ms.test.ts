import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dateMs, isoDateMs, isoDateMsOfBytes } from '../../src/core/git/isoDateMs';
import { headerDateMs } from '../../src/core/git/logRecords';

/** Both readers of `text`: as a string, and from the UTF-8 bytes of a header holding it, as git writes them. */
function both(text: string): [number, number] {
  const bytes = Buffer.from(`\x1f${text}\x1f`, 'utf8');
  return [isoDateMs(text), isoDateMsOfBytes(bytes, 1, bytes.length - 1)];
}

describe('isoDateMs (git %aI dates from their digits)', () => {
  it('gives what Date.parse gives for strict ISO 8601 dates of any offset, 1900 to 2199', () => {
    let seed = 12345;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
    for (let i = 0; i < 5000; i++) {
      const date = `${pad(1900 + random(300), 4)}-${pad(1 + random(12))}-${pad(1 + random(28))}T${pad(random(24))}:${pad(random(60))}:${pad(random(60))}`;
      const zone = random(5) === 0 ? 'Z' : `${random(2) ? '+' : '-'}${pad(random(24))}:${pad([0, 30, 45][random(3)]!)}`;
      const text = date + zone;
      const expected = Date.parse(text);
      assert.ok(Number.isFinite(expected), text);
      assert.deepEqual(both(text), [expected, expected], text);
    }
  });

  it('agrees with Date.parse on leap days, ends of months and years, the epoch, years 0-99, and -00:00', () => {
    for (const text of [
      '2024-02-29T12:00:00Z',
      '2000-02-29T00:00:00+00:00',
      '1900-03-01T00:00:00Z',
      '1969-12-31T23:59:59Z',
      '1970-01-01T00:30:00+01:00',
      '2026-12-31T23:59:59-12:00',
      '2100-03-01T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '0004-02-29T00:00:00Z',
      '0099-12-31T23:59:59+23:59',
      '2026-01-01T00:00:00-00:00',
      // A day past the month's end rolls over, as V8's Date.parse rolls it.
      '2026-02-30T00:00:00Z',
      '2026-04-31T12:00:00+02:00',
    ]) {
      const expected = Date.parse(text);
      assert.ok(Number.isFinite(expected), text);
      assert.deepEqual(both(text), [expected, expected], text);
    }
  });

  it('skips whitespace around a header field, as headerField trims it; the text must be the date alone', () => {
    const bytes = Buffer.from('\x1f 2026-01-01T10:00:00+02:00\n\x1f');
    assert.equal(isoDateMsOfBytes(bytes, 1, bytes.length - 1), Date.parse('2026-01-01T08:00:00Z'));
    assert.ok(Number.isNaN(isoDateMs(' 2026-01-01T10:00:00+02:00')));
  });

  it('is NaN for anything else, which dateMs then gives to Date.parse', () => {
    for (const text of [
      '',
      'not a date',
      '2026-01-01 08:00:00 +0000',
      '2026-01-01T09:00:00.5Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-01-00T00:00:00Z',
      '2026-01-32T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:60:00Z',
      '2026-01-01T00:00:60+00:00',
      '2026-01-01T01:00:00+1::00',
      '2026-01-01T00:30:00+0a:00',
      '2026-01-01T00:00:00+24:00',
      '2026-01-01T00:00:00*01:00',
      '2026-01-01T00:00:00Y',
      '2026-01-01t00:00:00z',
      '2026-01-01T00:00:00+01:00:00',
      '２０２６-01-01T00:00:00Z',
    ]) {
      assert.deepEqual(both(text), [NaN, NaN], text);
    }
    assert.equal(dateMs('2026-01-01 08:00:00 +0000'), Date.parse('2026-01-01T08:00:00Z'));
    assert.equal(dateMs('2026-01-01T09:00:00.5Z'), Date.parse('2026-01-01T09:00:00.500Z'));
    assert.ok(Number.isNaN(dateMs('not a date')));
  });

  it('headerDateMs reads the date field of a header after its parents', () => {
    const header = Buffer.from('xx2026-01-01T10:00:00+02:00\x1fBé\x1fsubject\x1fyy');
    assert.equal(headerDateMs(header, 2, header.length - 3), Date.parse('2026-01-01T08:00:00Z'));
    // No separator before the end: no date.
    assert.ok(Number.isNaN(headerDateMs(header, 2, 20)));
  });
});
