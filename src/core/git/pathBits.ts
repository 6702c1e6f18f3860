// Which configured paths a file lies under, read from the file name's bytes as git printed them:
// a walk of a large history meets every file every commit changed, and deciding on the bytes
// spares a string per file. The rule is touchesPaths's: a file is under a path when it is the path
// or lies in its folder.

const SLASH = 0x2f;
const NONE = 0;

/**
 * The paths as a byte automaton (one state per distinct prefix, a transition for each byte the
 * paths use): a file's bytes are followed from the start state, and every state a path ends at,
 * met where the file ends or a folder ends, names a path the file is under. Paths are numbered in
 * the order given.
 */
export class PathBits {
  /** How many distinct paths; each has a number below it. */
  readonly count: number;
  /** The 32-bit words a set of them takes. */
  readonly words: number;
  private readonly numbers = new Map<string, number>();
  /** Per byte: its column in `next` (1 on), or 0 for a byte no path holds. */
  private readonly column = new Uint8Array(256);
  private readonly width: number;
  private next: Int32Array;
  /** Per state: 1 + the number of the path ending there, or 0. */
  private ends: Int32Array;
  private states = 1;

  constructor(paths: readonly string[]) {
    const encoded = [...new Set(paths)].map((p) => [p, Buffer.from(p, 'utf8')] as const);
    let columns = 1;
    for (const [, bytes] of encoded) for (const byte of bytes) if (this.column[byte] === 0) this.column[byte] = columns++;
    this.width = columns;
    this.next = new Int32Array(this.width * 16);
    this.ends = new Int32Array(16);
    for (const [p, bytes] of encoded) {
      const number = this.numbers.size;
      this.numbers.set(p, number);
      let state = 0;
      for (const byte of bytes) {
        const at = state * this.width + this.column[byte]!;
        let to = this.next[at]!;
        if (to === NONE) {
          to = this.addState();
          this.next[at] = to;
        }
        state = to;
      }
      this.ends[state] = number + 1;
    }
    this.count = this.numbers.size;
    this.words = Math.max(1, Math.ceil(this.count / 32));
  }

  /** The number of `path`, or undefined when it is not one of the paths. */
  numberOf(path: string): number | undefined {
    return this.numbers.get(path);
  }

  /**
   * Sets in `into` (from word `at`) the bit of every path the file `bytes[start, end)` is under;
   * returns whether there was one.
   */
  match(bytes: Uint8Array, start: number, end: number, into: Uint32Array, at: number): boolean {
    let matched = false;
    let state = 0;
    for (let i = start; i < end; i++) {
      state = this.next[state * this.width + this.column[bytes[i]!]!]!;
      if (state === NONE) break;
      const ended = this.ends[state]!;
      if (ended !== 0 && (i + 1 === end || bytes[i + 1] === SLASH)) {
        const number = ended - 1;
        into[at + (number >>> 5)]! |= 1 << (number & 31);
        matched = true;
      }
    }
    return matched;
  }

  /** Whether the file `bytes[start, end)` is under any of the paths. */
  matchesAny(bytes: Uint8Array, start: number, end: number): boolean {
    let state = 0;
    for (let i = start; i < end; i++) {
      state = this.next[state * this.width + this.column[bytes[i]!]!]!;
      if (state === NONE) return false;
      if (this.ends[state] !== 0 && (i + 1 === end || bytes[i + 1] === SLASH)) return true;
    }
    return false;
  }

  private addState(): number {
    if (this.states === this.ends.length) {
      const next = new Int32Array(this.next.length * 2);
      next.set(this.next);
      this.next = next;
      const ends = new Int32Array(this.ends.length * 2);
      ends.set(this.ends);
      this.ends = ends;
    }
    return this.states++;
  }
}
