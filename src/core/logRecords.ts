// Commits of `git log -z --name-only` read as its output arrives, chunk by chunk, never holding more
// than the commit being read: a walk of a large history prints tens of megabytes.
import type { CommitInfo } from './model';

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

/**
 * Splits `git log -z --name-only --format=LOG_RECORD_FORMAT` output into commits. With `-z` each
 * commit is its header (record separator, then fields) ended by NUL, followed by its files, each
 * ended by NUL (the first one after a newline). A commit is handed to `onRecord` once the next
 * header, or the end, shows that its file list is complete.
 */
export class LogRecordParser {
  private pending: Buffer | null = null;
  private current: LogRecord | null = null;

  constructor(private readonly onRecord: (record: LogRecord) => void) {}

  push(chunk: Buffer): void {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(NUL, start); end !== -1; end = data.indexOf(NUL, start)) {
      this.token(data, start, end);
      start = end + 1;
    }
    this.pending = start < data.length ? Buffer.from(data.subarray(start)) : null;
  }

  /** Hands over the last commit; call once the log has ended. */
  end(): void {
    if (this.pending) this.token(this.pending, 0, this.pending.length);
    this.pending = null;
    this.flush();
  }

  private token(data: Buffer, start: number, end: number): void {
    if (data[start] === RECORD && isHeader(data, start + 1, end)) {
      this.flush();
      this.current = parseHeader(data, start + 1, end);
      return;
    }
    let from = start;
    while (from < end && data[from] === NEWLINE) from++;
    if (from < end && this.current) this.current.files.push(data.toString('utf8', from, end));
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
  for (let i = start; i < separator; i++) if (!isHex(data[i]!)) return false;
  return true;
}

function isHex(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66);
}

/**
 * The fields of a header, each decoded on its own from the bytes (a part cut from one string
 * would keep the whole of it alive as long as the part is kept, and SHAs are kept by the thousand).
 */
function parseHeader(data: Buffer, start: number, end: number): LogRecord {
  const fields: string[] = [];
  const parents: string[] = [];
  let from = start;
  for (let i = 0; i < 4; i++) {
    const at = data.indexOf(FIELD, from);
    if (at === -1 || at >= end) break;
    if (i === 1) {
      for (let p = from; p < at; ) {
        const space = data.indexOf(0x20, p);
        const stop = space === -1 || space > at ? at : space;
        parents.push(data.toString('latin1', p, stop));
        p = stop + 1;
      }
    }
    fields.push(i === 1 ? '' : data.toString(i === 0 ? 'latin1' : 'utf8', from, at));
    from = at + 1;
  }
  const [sha = '', , date = '', author = ''] = fields;
  return {
    commit: { sha, subject: fields.length === 4 ? data.toString('utf8', from, end).trimEnd() : '', author, date: date.trim() },
    parents,
    files: [],
  };
}
