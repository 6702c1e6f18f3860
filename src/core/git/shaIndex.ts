// Commit ids read from git's output as bytes, each numbered once, without a string per mention: a
// walk of a large history names each of 100,000 commits once as itself and once or more as a
// parent, and a string (and a Map entry) per id was most of the walk's garbage and memory.
import { IntList } from './growable';

const EMPTY = -1;
const ID_BLOCK_SHIFT = 13;
/** Ids a block of `held` holds. */
const ID_BLOCK = 1 << ID_BLOCK_SHIFT;
const IN_ID_BLOCK = ID_BLOCK - 1;

/** The value of each lower-case hex digit's byte, -1 for any other byte. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) HEX[0x61 + i] = 10 + i;

/** The byte two hex digits spell, indexed by their two bytes (any byte not a digit counts as f). */
const PAIR = new Uint8Array(65536);
for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) PAIR[(a << 8) | b] = ((HEX[a]! & 15) << 4) | (HEX[b]! & 15);

/**
 * Numbers the full ids (40 or 64 lower-case hex digits, one width per index) it is given: 0, 1, 2…
 * in order of first sight. An open-addressing table keyed by the id's first eight digits (ids are
 * uniformly random), holding the ids, as the bytes they spell, in one buffer.
 */
export class ShaIndex {
  /** Hex digits per id (0 until the first); each is held in half as many bytes. */
  private width = 0;
  /** The ids' bytes, ID_BLOCK ids a block. */
  private readonly held: Buffer[] = [];
  private readonly scratch = Buffer.alloc(32);
  private slots: Int32Array;
  private readonly hashes: IntList;

  /** `capacity`: how many ids it is expected to hold (it grows past that as needed). */
  constructor(capacity = 1024) {
    let slots = 1 << 12;
    while (slots < capacity * 2) slots *= 2;
    this.slots = new Int32Array(slots).fill(EMPTY);
    this.hashes = new IntList(capacity);
  }

  /** How many ids it holds: they are numbered 0 to count - 1. */
  get count(): number {
    return this.hashes.length;
  }

  /** The number of the id in `bytes[start, start + width)`, given one if it is new. */
  intern(bytes: Uint8Array, start: number, width: number): number {
    if (this.width === 0) this.width = width;
    else if (width !== this.width) throw new Error(`a ${width}-digit commit id among ${this.width}-digit ones`);
    return this.place(this.decode(bytes, start));
  }

  /** intern() of an id given as the `size` bytes it spells, at `raw[start]`. */
  internBytes(raw: Uint8Array, start: number, size: number): number {
    if (this.width === 0) this.width = size * 2;
    else if (size * 2 !== this.width) throw new Error(`a ${size * 2}-digit commit id among ${this.width}-digit ones`);
    for (let i = 0; i < size; i++) this.scratch[i] = raw[start + i]!;
    return this.place((this.scratch[0]! << 24) | (this.scratch[1]! << 16) | (this.scratch[2]! << 8) | this.scratch[3]!);
  }

  /** Hex digits per id (0 until the first). */
  get digits(): number {
    return this.width;
  }

  /** Copies the bytes id `id` spells into `target` at `at` (`digits / 2` of them). */
  copyBytes(id: number, target: Uint8Array, at: number): void {
    const size = this.width >> 1;
    const held = this.held[id >>> ID_BLOCK_SHIFT]!;
    for (let i = 0, from = (id & IN_ID_BLOCK) * size; i < size; i++) target[at + i] = held[from + i]!;
  }

  /** The number of the id in `scratch`, whose first four bytes are `hash`, given one if it is new. */
  private place(hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const found = this.slots[slot]!;
      if (found === EMPTY) {
        const id = this.hashes.length;
        this.slots[slot] = id;
        this.hashes.push(hash);
        this.hold(id);
        if (this.hashes.length * 2 > this.slots.length) this.rehash();
        return id;
      }
      if (this.hashes.at(found) === hash && this.equals(found)) return found;
    }
  }

  /** The number of `sha`, or -1 when it was never interned. */
  find(sha: string): number {
    if (sha.length !== this.width) return EMPTY;
    const bytes = Buffer.from(sha, 'latin1');
    if (!isHex(bytes, 0, bytes.length)) return EMPTY;
    const hash = this.decode(bytes, 0);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const found = this.slots[slot]!;
      if (found === EMPTY) return EMPTY;
      if (this.hashes.at(found) === hash && this.equals(found)) return found;
    }
  }

  /** The id numbered `id`, as git prints it. */
  sha(id: number): string {
    const size = this.width >> 1;
    const at = (id & IN_ID_BLOCK) * size;
    return this.held[id >>> ID_BLOCK_SHIFT]!.toString('hex', at, at + size);
  }

  /** Keeps the id in `scratch` as number `id`. */
  private hold(id: number): void {
    const size = this.width >> 1;
    if ((id & IN_ID_BLOCK) === 0) this.held.push(Buffer.allocUnsafe((id === 0 ? 256 : ID_BLOCK) * size));
    let block = this.held[this.held.length - 1]!;
    const at = (id & IN_ID_BLOCK) * size;
    if (at + size > block.length) {
      // The first block, smaller than a block until it fills one.
      const grown = Buffer.allocUnsafe(Math.min(ID_BLOCK * size, block.length * 4));
      block.copy(grown);
      this.held[0] = block = grown;
    }
    this.scratch.copy(block, at, 0, size);
  }

  /** Puts the bytes the id at `start` spells into `scratch`; returns its first four as a number. */
  private decode(hex: Uint8Array, start: number): number {
    const scratch = this.scratch;
    for (let i = 0, at = start; i < this.width >> 1; i++, at += 2) scratch[i] = PAIR[(hex[at]! << 8) | hex[at + 1]!]!;
    return (this.scratch[0]! << 24) | (this.scratch[1]! << 16) | (this.scratch[2]! << 8) | this.scratch[3]!;
  }

  /** Whether id `id` is the one in `scratch`. */
  private equals(id: number): boolean {
    const held = this.held[id >>> ID_BLOCK_SHIFT]!;
    const size = this.width >> 1;
    const at = (id & IN_ID_BLOCK) * size;
    for (let i = 0; i < size; i++) if (held[at + i] !== this.scratch[i]) return false;
    return true;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(EMPTY);
    const mask = this.slots.length - 1;
    for (let id = 0; id < this.hashes.length; id++) {
      let slot = this.hashes.at(id) & mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.slots[slot] = id;
    }
  }
}

/** Whether `bytes[start, end)` are all lower-case hex digits. */
export function isHex(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (HEX[bytes[i]!]! < 0) return false;
  return true;
}
