// Paging of the emulated list methods: `pageSize` and an opaque `pageToken`, as Google's APIs take them.

/** Cloud Run has no documented default page size; 100 keeps pages small enough to exercise paging. */
const DEFAULT_PAGE_SIZE = 100;

/** `pageSize` and `pageToken` of a list request (the token is the previous page's nextPageToken). */
export function parsePaging(url: URL): { offset: number; size: number } | { error: string } {
  const sizeText = url.searchParams.get('pageSize');
  let size = DEFAULT_PAGE_SIZE;
  if (sizeText !== null && sizeText !== '') {
    const parsed = Number(sizeText);
    if (!Number.isInteger(parsed) || parsed < 0) return { error: `Invalid pageSize ${JSON.stringify(sizeText)}: expected a non-negative integer.` };
    if (parsed > 0) size = parsed;
  }
  const token = url.searchParams.get('pageToken');
  let offset = 0;
  if (token) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!decoded) return { error: `Invalid pageToken ${JSON.stringify(token)}: pass the nextPageToken of the previous page.` };
    offset = Number(decoded[1]);
  }
  return { offset, size };
}

/** One page of a list answer: `items` under `key`, and a nextPageToken when more follow. */
export function pageBody(key: string, items: unknown[], page: { offset: number; size: number }): Record<string, unknown> {
  const end = page.offset + page.size;
  const body: Record<string, unknown> = { [key]: items.slice(page.offset, end) };
  if (end < items.length) body.nextPageToken = Buffer.from(`offset:${end}`, 'utf8').toString('base64url');
  return body;
}
