// A walk of a history as plain arrays (what RangeWalk read, for keeping between runs), and the
// bytes it is kept as: a JSON header (what the walk is of), then each array's bytes in turn, the
// numbers aligned so that they are read where they lie.

/**
 * The commits a walk read, one record each. Commit ids are numbered 0 … count - 1 as `shas` holds
 * them (`digits / 2` bytes each); a record's parents are `parentIds[parentsEnd[r - 1] … parentsEnd[r])`.
 * A kept commit (not a merge, touching the paths) has the bits of the paths it touches (`pathWords`
 * per commit) and its bytes in `keptBytes[keptEnds[k - 1] … keptEnds[k])`: its header (date,
 * author, subject) up to `keptHeaderEnds[k]`, then a NUL before each of its files under the paths.
 */
export interface WalkData {
  digits: number;
  pathWords: number;
  shas: Uint8Array;
  recordIds: Int32Array;
  parentsEnd: Int32Array;
  parentIds: Int32Array;
  times: Float64Array;
  keptRecords: Int32Array;
  keptHeaderEnds: Int32Array;
  keptEnds: Int32Array;
  masks: Int32Array;
  keptBytes: Buffer;
}

const MAGIC = 'cloud-run-drift walk 1\n';
const INT_ARRAYS = ['recordIds', 'parentsEnd', 'parentIds', 'keptRecords', 'keptHeaderEnds', 'keptEnds', 'masks'] as const;

/** The walk's bytes, after a header of `meta` (JSON), in parts (written one after another, never copied into one). */
export function encodeWalk(meta: unknown, data: WalkData): Uint8Array[] {
  const json = Buffer.from(JSON.stringify({ meta, digits: data.digits, pathWords: data.pathWords, lengths: lengthsOf(data) }), 'utf8');
  // Spaces after the JSON, so that the numbers start at a multiple of 8.
  const header = Buffer.concat([json, Buffer.alloc(7 - ((MAGIC.length + 4 + json.length + 7) % 8), ' ')]);
  const parts: Uint8Array[] = [Buffer.from(MAGIC, 'latin1'), u32(header.length), header, bytesOf(data.times)];
  for (const name of INT_ARRAYS) parts.push(bytesOf(data[name]));
  parts.push(data.shas, data.keptBytes);
  return parts;
}

/**
 * What encodeWalk wrote, with its header's `meta`; throws when the bytes are not one whole walk
 * whose numbers all point inside it.
 */
export function decodeWalk(bytes: Buffer): { meta: unknown; data: WalkData } {
  if (bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new Error('not a stored walk');
  let at = MAGIC.length;
  const headerLength = bytes.readUInt32LE(at);
  at += 4;
  const header = JSON.parse(bytes.toString('utf8', at, at + headerLength)) as { meta: unknown; digits: number; pathWords: number; lengths: Record<string, number> };
  at += headerLength;
  const take = (length: number): Buffer => {
    if (!Number.isInteger(length) || length < 0 || at + length > bytes.length) throw new Error('a stored walk cut short');
    const part = bytes.subarray(at, at + length);
    at += length;
    return part;
  };
  const { digits, pathWords, lengths } = header;
  if ((digits !== 40 && digits !== 64) || !Number.isInteger(pathWords) || pathWords < 1) throw new Error('a stored walk of unknown ids');
  const times = toFloat64(take(lengths.times! * 8));
  const ints = Object.fromEntries(INT_ARRAYS.map((name) => [name, toInt32(take(lengths[name]! * 4))])) as Record<(typeof INT_ARRAYS)[number], Int32Array>;
  const shas = take(lengths.shas! * (digits / 2));
  const keptBytes = take(lengths.keptBytes!);
  if (at !== bytes.length) throw new Error('a stored walk with bytes left over');
  const data: WalkData = { digits, pathWords, shas, times, keptBytes, ...ints };
  check(data);
  return { meta: header.meta, data };
}

function lengthsOf(data: WalkData): Record<string, number> {
  const lengths: Record<string, number> = { shas: data.shas.length / (data.digits / 2), times: data.times.length, keptBytes: data.keptBytes.length };
  for (const name of INT_ARRAYS) lengths[name] = data[name].length;
  return lengths;
}

/** Every number points inside the walk: ids below the count, ends in order, one record per kept commit. */
function check(data: WalkData): void {
  const count = data.shas.length / (data.digits / 2);
  const records = data.recordIds.length;
  const fail = (what: string): never => {
    throw new Error(`a stored walk with ${what} out of place`);
  };
  if (data.parentsEnd.length !== records || data.times.length !== records) fail('records');
  const { recordIds, parentIds, parentsEnd } = data;
  for (let r = 0; r < recordIds.length; r++) if (recordIds[r]! < 0 || recordIds[r]! >= count) fail('a commit');
  for (let p = 0; p < parentIds.length; p++) if (parentIds[p]! < 0 || parentIds[p]! >= count) fail('a parent');
  let last = 0;
  for (let r = 0; r < parentsEnd.length; r++) {
    if (parentsEnd[r]! < last) fail('parents');
    last = parentsEnd[r]!;
  }
  if (last !== data.parentIds.length) fail('parents');
  const kept = data.keptRecords.length;
  if (data.keptHeaderEnds.length !== kept || data.keptEnds.length !== kept || data.masks.length !== kept * data.pathWords) fail('kept commits');
  let lastRecord = -1;
  let lastEnd = 0;
  for (let k = 0; k < kept; k++) {
    const record = data.keptRecords[k]!;
    if (record <= lastRecord || record >= records) fail('a kept commit');
    if (data.keptHeaderEnds[k]! < lastEnd || data.keptHeaderEnds[k]! > data.keptEnds[k]!) fail('a header');
    lastRecord = record;
    lastEnd = data.keptEnds[k]!;
  }
  if (lastEnd !== data.keptBytes.length) fail('the bytes');
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
}

function bytesOf(array: Int32Array | Float64Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

// Read where they lie when aligned (a file read whole is, at the start of its own memory); else copied out.
function toInt32(bytes: Buffer): Int32Array {
  if (bytes.byteOffset % 4 === 0) return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const array = new Int32Array(bytes.length / 4);
  new Uint8Array(array.buffer).set(bytes);
  return array;
}

function toFloat64(bytes: Buffer): Float64Array {
  if (bytes.byteOffset % 8 === 0) return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
  const array = new Float64Array(bytes.length / 8);
  new Uint8Array(array.buffer).set(bytes);
  return array;
}
