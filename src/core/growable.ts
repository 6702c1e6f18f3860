// Growable typed arrays: what a walk of a large history keeps per commit (numbers and bytes in a
// few flat buffers) instead of an object and strings per commit, which the garbage collector
// would have to trace and which cost several times the memory.

/** A list of 32-bit integers (signed or not, as the caller reads them) that doubles as it fills. */
export class IntList {
  private data: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Int32Array(Math.max(16, capacity));
  }

  push(value: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = value;
  }

  at(index: number): number {
    return this.data[index]!;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  /** Makes room for `length` values, the new ones set to `fill`. */
  resize(length: number, fill: number): void {
    if (length > this.data.length) this.grow(length);
    if (length > this.length) this.data.fill(fill, this.length, length);
    this.length = length;
  }

  private grow(needed: number): void {
    let capacity = this.data.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Int32Array(capacity);
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }
}

/** Bytes appended one run at a time, read back by offset. */
export class ByteList {
  private data: Buffer;
  length = 0;

  constructor(capacity = 64 * 1024) {
    this.data = Buffer.allocUnsafe(Math.max(16, capacity));
  }

  /** The bytes held; valid until the next append. */
  get bytes(): Buffer {
    return this.data;
  }

  append(source: Uint8Array, start: number, end: number): void {
    this.reserve(end - start);
    this.data.set(source.subarray(start, end), this.length);
    this.length += end - start;
  }

  appendByte(value: number): void {
    this.reserve(1);
    this.data[this.length++] = value;
  }

  /** Forgets everything from `length` on. */
  truncate(length: number): void {
    this.length = Math.min(this.length, length);
  }

  private reserve(more: number): void {
    if (this.length + more <= this.data.length) return;
    let capacity = this.data.length * 2;
    while (capacity < this.length + more) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.data.copy(grown, 0, 0, this.length);
    this.data = grown;
  }
}
