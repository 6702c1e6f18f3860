import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerField, LogRecordParser, type LogRecord } from '../../src/core/git/logRecords';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(64);
const OUTPUT =
  `\x1e${A}\x1f${B} ${C}\x1f2026-01-01T00:00:00Z\x1fAnn\x1fmerge: no files\0` +
  `\x1e${B}\x1f${C}\x1f2026-01-02T00:00:00Z\x1fBé\x1ftwo files, a \x1f in the subject\0\nx/1\0x/ü 2\0` +
  `\x1e${C}\x1f\x1f2026-01-03T00:00:00Z\x1fC\x1froot\0\n\x1enot-a-header\0`;

function parse(chunks: Buffer[]): LogRecord[] {
  const records: LogRecord[] = [];
  const parser = new LogRecordParser((r) => records.push(r));
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return records;
}

describe('LogRecordParser', () => {
  const expected = [
    { commit: { sha: A, subject: 'merge: no files', author: 'Ann', date: '2026-01-01T00:00:00Z' }, parents: [B, C], files: [] },
    { commit: { sha: B, subject: 'two files, a \x1f in the subject', author: 'Bé', date: '2026-01-02T00:00:00Z' }, parents: [C], files: ['x/1', 'x/ü 2'] },
    { commit: { sha: C, subject: 'root', author: 'C', date: '2026-01-03T00:00:00Z' }, parents: [], files: ['\x1enot-a-header'] },
  ];

  it('reads commits, parents and files from one chunk', () => {
    assert.deepEqual(parse([Buffer.from(OUTPUT)]), expected);
  });

  it('reads the same whatever bytes the chunks are cut at, inside a character included', () => {
    const bytes = Buffer.from(OUTPUT);
    for (let cut = 1; cut < bytes.length; cut++) {
      assert.deepEqual(parse([bytes.subarray(0, cut), bytes.subarray(cut)]), expected, `cut at byte ${cut}`);
    }
    assert.deepEqual(parse([...bytes].map((b) => Buffer.from([b]))), expected, 'a byte at a time');
  });

  it('reads nothing from no output', () => {
    assert.deepEqual(parse([]), []);
  });
});

describe('headerField', () => {
  const field = (text: string, name: 'date' | 'author' | 'subject'): string => headerField(Buffer.from(`xx${text}yy`), 2, 2 + Buffer.byteLength(text), name);

  it('reads date, author and subject, the subject holding anything and trimmed at its end alone', () => {
    const header = ' 2026-01-02T00:00:00Z \x1fBé\x1f a \x1f subject \n';
    assert.deepEqual(
      (['date', 'author', 'subject'] as const).map((name) => field(header, name)),
      ['2026-01-02T00:00:00Z', 'Bé', ' a \x1f subject'],
    );
  });

  it('reads a field the header ends before as empty, and no field of a header without a separator', () => {
    assert.deepEqual((['date', 'author', 'subject'] as const).map((name) => field('2026-01-02T00:00:00Z\x1fBé', name)), ['2026-01-02T00:00:00Z', '', '']);
    assert.deepEqual((['date', 'author', 'subject'] as const).map((name) => field('2026-01-02T00:00:00Z', name)), ['', '', '']);
    // A separator past the end of the header is not its own.
    assert.equal(headerField(Buffer.from('2026\x1fBé\x1fsubject'), 0, 4, 'date'), '');
  });
});
