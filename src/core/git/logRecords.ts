// Commits of `git log -z --name-only` read as its output arrives, chunk by chunk, never holding more
// than the commit being read: a walk of a large history prints tens of megabytes. LogTokenizer
// hands over the bytes of each header and file; LogRecordParser makes commits of them.
import { isoDateMsOfBytes } from './isoDateMs';
import type { CommitInfo } from '../model';
import { isHex } from './shaIndex';

const RECORD = 0x1e;
const FIELD = 0x1f;
const NUL = 0x00;
const NEWLINE = 0x0a;

/** The --format of every log that LogRecordParser reads: parents, date and author before the subject, which may hold anything. */
export const LOG_RECORD_FORMAT = '%x1e%H%x1f%P%x1f%aI%x1f%an%x1f%s';

export interface LogRecord {
  commit: CommitInfo;
  parents: string[];
  /** The files the commit changed (as limited by the log's pathspec); none for a merge. */
  files: string[];
}

/** What LogTokenizer hands over: a commit's header, or one of the files it changed. */
export interface LogTokens {
  /** A commit's header without its record separator: `bytes[start, end)` begins with its full SHA. */
  header(bytes: Buffer, start: number, end: number): void;
  /** A file of the commit whose header came last. */
  file(bytes: Buffer, start: number, end: number): void;
}

/**
 * Splits `git log -z --name-only --format=LOG_RECORD_FORMAT` output into its tokens as it arrives.
 * With `-z` each commit is its header (record separator, then fields) ended by NUL, followed by its
 * files, each ended by NUL (the first one after a newline). The bytes handed over are valid only
 * during the call: a token is read where it lies in its chunk (copied only when cut by the chunk's
 * end), so nothing of the output is kept.
 */
export class LogTokenizer {
  private pending: Buffer | null = null;

  constructor(private readonly tokens: LogTokens) {}

  push(chunk: Buffer): void {
    let start = 0;
    if (this.pending) {
      const end = chunk.indexOf(NUL);
      if (end === -1) {
        this.pending = Buffer.concat([this.pending, chunk]);
        return;
      }
      const joined = Buffer.concat([this.pending, chunk.subarray(0, end)]);
      this.pending = null;
      this.token(joined, 0, joined.length);
      start = end + 1;
    }
    for (let end = chunk.indexOf(NUL, start); end !== -1; end = chunk.indexOf(NUL, start)) {
      this.token(chunk, start, end);
      start = end + 1;
    }
    if (start < chunk.length) this.pending = Buffer.from(chunk.subarray(start));
  }

  /** Hands over what is left; call once the log has ended. */
  end(): void {
    const rest = this.pending;
    this.pending = null;
    if (rest) this.token(rest, 0, rest.length);
  }

  private token(data: Buffer, start: number, end: number): void {
    if (data[start] === RECORD && isHeader(data, start + 1, end)) {
      this.tokens.header(data, start + 1, end);
      return;
    }
    let from = start;
    while (from < end && data[from] === NEWLINE) from++;
    if (from < end) this.tokens.file(data, from, end);
  }
}

/** Commits read by LogTokenizer, each handed to `onRecord` once the next header, or the end, shows that its file list is complete. */
export class LogRecordParser {
  private readonly tokenizer: LogTokenizer;
  private current: LogRecord | null = null;

  constructor(private readonly onRecord: (record: LogRecord) => void) {
    this.tokenizer = new LogTokenizer({
      header: (data, start, end) => {
        this.flush();
        this.current = parseHeader(data, start, end);
      },
      file: (data, start, end) => this.current?.files.push(data.toString('utf8', start, end)),
    });
  }

  push(chunk: Buffer): void {
    this.tokenizer.push(chunk);
  }

  /** Hands over the last commit; call once the log has ended. */
  end(): void {
    this.tokenizer.end();
    this.flush();
  }

  private flush(): void {
    const done = this.current;
    this.current = null;
    if (done) this.onRecord(done);
  }
}

/** A commit header: a full SHA, then a field separator. */
function isHeader(data: Buffer, start: number, end: number): boolean {
  const separator = data.indexOf(FIELD, start);
  if (separator === -1 || separator > end || (separator - start !== 40 && separator - start !== 64)) return false;
  return isHex(data, start, separator);
}

/**
 * The fields of a header, each decoded on its own from the bytes (a part cut from one string
 * would keep the whole of it alive as long as the part is kept, and SHAs are kept by the thousand).
 */
function parseHeader(data: Buffer, start: number, end: number): LogRecord {
  const shaEnd = data.indexOf(FIELD, start);
  const sha = data.toString('latin1', start, shaEnd);
  const parents: string[] = [];
  let parentsEnd = data.indexOf(FIELD, shaEnd + 1);
  if (parentsEnd === -1 || parentsEnd >= end) parentsEnd = end;
  for (let p = shaEnd + 1; p < parentsEnd; ) {
    const space = data.indexOf(0x20, p);
    const stop = space === -1 || space > parentsEnd ? parentsEnd : space;
    parents.push(data.toString('latin1', p, stop));
    p = stop + 1;
  }
  return { commit: commitOf(sha, data, Math.min(parentsEnd + 1, end), end), parents, files: [] };
}

/** The fields of a header after its parents: date, author and subject, in that order. */
export type HeaderField = 'date' | 'author' | 'subject';

/**
 * One field of the part of a header after the parents, `bytes[start, end)`: date, author and
 * subject, each but the last ended by a field separator (the subject may hold anything). A field
 * the header ends before reads as '' (as do all three when the date has no separator after it).
 */
export function headerField(bytes: Buffer, start: number, end: number, field: HeaderField): string {
  const dateEnd = separatorIn(bytes, start, end);
  if (dateEnd === -1) return '';
  if (field === 'date') return bytes.toString('utf8', start, dateEnd).trim();
  const authorEnd = separatorIn(bytes, dateEnd + 1, end);
  if (authorEnd === -1) return '';
  return field === 'author' ? bytes.toString('utf8', dateEnd + 1, authorEnd) : bytes.toString('utf8', authorEnd + 1, end).trimEnd();
}

/**
 * The first field separator of `bytes[start, end)`, or -1. A loop over a header's few bytes, not
 * Buffer.indexOf: read for every commit's date, that allocated about 60 bytes a call in a process
 * not yet optimized (0.6 MB of a 20-unit check's 15 MB).
 */
function separatorIn(bytes: Buffer, start: number, end: number): number {
  for (let at = start; at < end; at++) if (bytes[at] === FIELD) return at;
  return -1;
}

/** The epoch milliseconds of a header's date (isoDateMsOfBytes): NaN when the date is not strict ISO 8601, or the header has none. */
export function headerDateMs(bytes: Buffer, start: number, end: number): number {
  const dateEnd = separatorIn(bytes, start, end);
  return dateEnd === -1 ? NaN : isoDateMsOfBytes(bytes, start, dateEnd);
}

/** A commit from the part of its header after the parents, `bytes[start, end)` (see headerField). */
export function commitOf(sha: string, bytes: Buffer, start: number, end: number): CommitInfo {
  return { sha, subject: headerField(bytes, start, end, 'subject'), author: headerField(bytes, start, end, 'author'), date: headerField(bytes, start, end, 'date') };
}
