// A commit of a RangeWalk as the verdicts hold it. A range deployed long ago holds tens of thousands
// of commits touching a unit's paths, and the verdicts keep every one: each is a small object that
// reads its fields from the walk's bytes when asked (each time: what is asked of most of them is one
// date, once), instead of an object and three strings (the author's was shared) that the garbage
// collector copies while they are young. It keeps its log alive as long as it is kept (the log's
// bytes and lists, and the walk's SHAs: about what the verdicts' strings took before, mostly off
// the heap); a holder that outlives the check's result should keep a copy (toJSON) instead.
import type { CommitInfo } from '../model';
import { dateMs } from './isoDateMs';
import type { HeaderField } from './logRecords';

/** Where a WalkedCommit's fields are read from: its walk's SHAs and its log's bytes. */
export interface CommitSource {
  /** The full SHA of commit number `id`. */
  shaOf(id: number): string;
  /** One field of the header of the log's kept commit `kept`. */
  fieldOf(kept: number, field: HeaderField): string;
  /** The epoch milliseconds of the kept commit's date when it is strict ISO 8601 (headerDateMs), else NaN. */
  dateMsOf(kept: number): number;
}

export class WalkedCommit implements CommitInfo {
  readonly #source: CommitSource;
  readonly #kept: number;
  readonly #id: number;

  /** Kept commit `kept` of its log, numbered `id` in its walk. */
  constructor(source: CommitSource, kept: number, id: number) {
    this.#source = source;
    this.#kept = kept;
    this.#id = id;
  }

  get sha(): string {
    return this.#source.shaOf(this.#id);
  }

  get subject(): string {
    return this.#source.fieldOf(this.#kept, 'subject');
  }

  get author(): string {
    return this.#source.fieldOf(this.#kept, 'author');
  }

  get date(): string {
    return this.#source.fieldOf(this.#kept, 'date');
  }

  /** Its date in epoch milliseconds, NaN when it is no date: read from the bytes when git wrote it as %aI does, else from its text (dateMs). */
  dateMs(): number {
    const ms = this.#source.dateMsOf(this.#kept);
    return Number.isNaN(ms) ? dateMs(this.date) : ms;
  }

  /** As a plain CommitInfo, what JSON holds of it. A spread or structuredClone copies nothing: its fields are getters. */
  toJSON(): CommitInfo {
    return { sha: this.sha, subject: this.subject, author: this.author, date: this.date };
  }

  /** What Node's util.inspect (console.log) shows of it. */
  [Symbol.for('nodejs.util.inspect.custom')](): CommitInfo {
    return this.toJSON();
  }
}
