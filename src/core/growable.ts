// Growable typed arrays: what a walk of a large history keeps per commit (numbers and bytes in a
// few flat buffers) instead of an object and strings per commit, which the garbage collector
// would have to trace and which cost several times the memory.

/**
 * Room for at least `needed` items, growing by half: a walk's buffers end up to a third larger than
 * what they hold (doubling: up to twice), for a few more copies of a few megabytes.
 */
function capacityFor(needed: number, capacity: number): number {
  let grown = capacity;
  while (grown < needed) grown = Math.ceil(grown * 1.5);
  return grown;
}

/** A list of numbers in a typed array that grows as it fills. */
class NumberList<A extends Int32Array | Float64Array> {
  private data: A;
  length = 0;

  constructor(
    private readonly make: (length: number) => A,
    capacity: number,
  ) {
    this.data = make(Math.max(16, capacity));
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

  /** The values held, without a copy: valid until the next push. */
  view(): A {
    return this.data.subarray(0, this.length) as A;
  }

  private grow(needed: number): void {
    const grown = this.make(capacityFor(needed, this.data.length));
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }
}

/** 32-bit integers (signed or not, as the caller reads them). */
export class IntList extends NumberList<Int32Array> {
  constructor(capacity = 1024) {
    super((length) => new Int32Array(length), capacity);
  }
}

/** Numbers of any size, such as seconds since 1970. */
export class FloatList extends NumberList<Float64Array> {
  constructor(capacity = 1024) {
    super((length) => new Float64Array(length), capacity);
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
    // Byte by byte: the runs are tens of bytes, for which a view and a native copy cost more.
    const data = this.data;
    let at = this.length;
    for (let i = start; i < end; i++) data[at++] = source[i]!;
    this.length = at;
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
    const grown = Buffer.allocUnsafe(capacityFor(this.length + more, this.data.length));
    this.data.copy(grown, 0, 0, this.length);
    this.data = grown;
  }
}
