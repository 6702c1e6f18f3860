// The Fetch standard's Headers (https://fetch.spec.whatwg.org/#headers-class), for the auth bundle's
// libraries in place of Node's global one (fetchGlobals.ts says why): names checked as HTTP tokens
// and kept in lowercase, values stripped of leading and trailing whitespace and refused with a
// NUL, CR or LF, repeated values joined with ", " (each Set-Cookie apart), iteration sorted by name.
// test/unit/fetch-headers.test.ts holds it to Node's own Headers, operation by operation.

type HeadersInit = Iterable<readonly [string, string] | readonly string[]> | Record<string, string>;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;
// After the edges are stripped: a value may not hold these, nor any character above U+00FF (a ByteString).
const FORBIDDEN_IN_VALUE = /[\0\n\r]|[^\0-\u00ff]/;

function headerName(name: unknown): string {
  const text = String(name);
  if (!TOKEN.test(text)) throw new TypeError(`Headers: "${text}" is an invalid header name.`);
  return text.toLowerCase();
}

function headerValue(name: string, value: unknown): string {
  const text = String(value).replace(EDGE_WHITESPACE, '');
  if (FORBIDDEN_IN_VALUE.test(text)) throw new TypeError(`Headers: the value of ${name} holds a character a header value may not hold.`);
  return text;
}

export class Headers {
  /** Each name's values, in the order they were appended. */
  private readonly lists = new Map<string, string[]>();

  constructor(init?: HeadersInit) {
    if (init === undefined) return;
    if (typeof init !== 'object' || init === null) throw new TypeError('Headers: the init is neither pairs nor a record.');
    if (Symbol.iterator in init) {
      for (const pair of init as Iterable<readonly string[]>) {
        const entry = [...pair];
        if (entry.length !== 2) throw new TypeError('Headers: each pair must be a name and a value.');
        this.append(entry[0]!, entry[1]!);
      }
    } else {
      for (const [name, value] of Object.entries(init)) this.append(name, value);
    }
  }

  append(name: string, value: string): void {
    const key = headerName(name);
    const normalized = headerValue(key, value);
    const list = this.lists.get(key);
    if (list) list.push(normalized);
    else this.lists.set(key, [normalized]);
  }

  set(name: string, value: string): void {
    const key = headerName(name);
    this.lists.set(key, [headerValue(key, value)]);
  }

  delete(name: string): void {
    this.lists.delete(headerName(name));
  }

  has(name: string): boolean {
    return this.lists.has(headerName(name));
  }

  get(name: string): string | null {
    return this.lists.get(headerName(name))?.join(', ') ?? null;
  }

  getSetCookie(): string[] {
    return [...(this.lists.get('set-cookie') ?? [])];
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of [...this.lists.keys()].sort()) {
      if (name === 'set-cookie') for (const value of this.lists.get(name)!) yield [name, value];
      else yield [name, this.lists.get(name)!.join(', ')];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  forEach(callback: (value: string, name: string, headers: Headers) => void, thisArg?: unknown): void {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'Headers';
  }
}
