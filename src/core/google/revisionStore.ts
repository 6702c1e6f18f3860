// What checks learn from Cloud Run and keep for the next one.
//
// Settled revisions: a revision is immutable in the v2 API (there is no UpdateRevision): its labels,
// image and creation time never change, and once its Ready condition has succeeded or failed the
// reader treats that as final too. A check's second round trip (service → its serving revisions)
// is only needed for revisions not seen before. The extension keeps them in memory for its
// session; the CLI keeps them in a file in its cache folder, so a repeated `check` costs one round
// trip.
//
// Labels last seen serving (kept in the CLI's file): a guess at what this check will find, so that its git work
// can start while Cloud Run is still being read (see CheckOptions.expectedLabels).
//
// Large groups (kept in the CLI's file): the regions whose list held more than one page, whose units
// later checks read with gets (see regionListing.ts).
import * as path from 'node:path';
import { readOwnFile, writeOwnFile } from '../platform/cacheDir';
import type { RevisionFacts } from '../model';
import type { LargeGroups } from './regionListing';

/** A Map is one (the extension's, for its session); CheckCacheFile is the CLI's. */
export interface SettledRevisionStore {
  get(key: string): RevisionFacts | undefined;
  set(key: string, facts: RevisionFacts): void;
}

/**
 * The key of a revision: the API's origin, the service's uid and the revision's resource name. The
 * uid changes when a service is deleted and created again, which is the one way a revision name
 * can come back with other contents.
 */
export function settledRevisionKey(apiOrigin: string, serviceUid: string, revisionResource: string): string {
  return `${apiOrigin} ${serviceUid} ${revisionResource}`;
}

/** The key of a service for the labels last seen serving it. */
export function servingLabelsKey(apiOrigin: string, serviceResource: string): string {
  return `${apiOrigin} ${serviceResource}`;
}

export const CHECK_CACHE_FILE = 'check-cache-v1.json';
/** About 250 bytes each: the file stays well under a megabyte, read in a few milliseconds. */
export const MAX_FILE_ENTRIES = 3000;
export const MAX_SERVING_LABEL_SERVICES = 1000;
export const MAX_LARGE_GROUPS = 200;

/** Settled revisions and the labels last seen serving, read from and written back to one private file in the cache folder. */
export class CheckCacheFile implements SettledRevisionStore {
  private changed = false;

  private constructor(
    readonly file: string,
    private readonly entries: Map<string, RevisionFacts>,
    private readonly servingLabels: Map<string, string[]>,
    private readonly large: Set<string>,
  ) {}

  /** The groups found too large to list, kept with the rest of the file. */
  readonly largeGroups: LargeGroups = {
    has: (key) => this.large.has(key),
    add: (key) => {
      if (this.large.has(key)) return;
      this.large.add(key);
      this.changed = true;
    },
  };

  /** The store kept in `dir`; empty when there is no file yet, or one that is not ours or not valid. */
  static open(dir: string): CheckCacheFile {
    const file = path.join(dir, CHECK_CACHE_FILE);
    const document = parseDocument(readOwnFile(file));
    const large = Array.isArray(document.largeGroups) ? document.largeGroups.filter((key): key is string => typeof key === 'string') : [];
    return new CheckCacheFile(file, parseEntries(document), parseServingLabels(document), new Set(large));
  }

  /** The labels the last checks saw serving these services (by servingLabelsKey), each once. */
  lastServingLabels(serviceKeys: readonly string[]): string[] {
    return [...new Set(serviceKeys.flatMap((key) => this.servingLabels.get(key) ?? []))];
  }

  rememberServingLabels(serviceKey: string, labels: readonly string[]): void {
    const unique = [...new Set(labels)].sort();
    const known = this.servingLabels.get(serviceKey);
    if (known && known.length === unique.length && known.every((label, i) => label === unique[i])) return;
    this.servingLabels.delete(serviceKey);
    this.servingLabels.set(serviceKey, unique);
    this.changed = true;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): RevisionFacts | undefined {
    const facts = this.entries.get(key);
    if (facts === undefined) return undefined;
    // Moved to the end (not a change to write by itself): when the file is full, the entries
    // dropped are those no run has used for longest, not the serving revisions settled long ago
    // that every check reads, pushed out by the histories `where` lists.
    this.entries.delete(key);
    this.entries.set(key, facts);
    return facts;
  }

  set(key: string, facts: RevisionFacts): void {
    // Re-inserted at the end: the oldest entries are the ones dropped when the file is full.
    this.entries.delete(key);
    this.entries.set(key, facts);
    this.changed = true;
  }

  /** Writes the file when something was added. Failures (a read-only home, a full disk) only cost the next run its speed-up. */
  save(): void {
    if (!this.changed) return;
    const entries = [...this.entries].slice(-MAX_FILE_ENTRIES);
    const servingLabels = [...this.servingLabels].slice(-MAX_SERVING_LABEL_SERVICES);
    try {
      const largeGroups = [...this.large].slice(-MAX_LARGE_GROUPS);
      writeOwnFile(this.file, JSON.stringify({ entries, servingLabels, largeGroups }));
      this.changed = false;
    } catch {
      // Nothing to do: the cache is an optimization.
    }
  }
}

/** The cache file's JSON object; empty when there is none or it is not valid. */
export function parseDocument(bytes: Buffer | undefined): Record<string, unknown> {
  if (!bytes) return {};
  try {
    const document: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof document === 'object' && document !== null ? (document as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function parseServingLabels(document: Record<string, unknown>): Map<string, string[]> {
  return parseKeyedPairs(document.servingLabels, (labels): labels is string[] => Array.isArray(labels) && labels.every((l) => typeof l === 'string'));
}

function parseEntries(document: Record<string, unknown>): Map<string, RevisionFacts> {
  return parseKeyedPairs(document.entries, isRevisionFacts);
}

/** A list of `[key, value]` pairs as a Map, keeping only the pairs whose value passes `isValue`. */
export function parseKeyedPairs<T>(list: unknown, isValue: (value: unknown) => value is T): Map<string, T> {
  const pairs = new Map<string, T>();
  if (!Array.isArray(list)) return pairs;
  for (const entry of list) {
    if (Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && isValue(entry[1])) pairs.set(entry[0], entry[1]);
  }
  return pairs;
}

function isRevisionFacts(value: unknown): value is RevisionFacts {
  if (typeof value !== 'object' || value === null) return false;
  const facts = value as Record<string, unknown>;
  const labels = facts.labels;
  return (
    typeof facts.name === 'string' &&
    typeof labels === 'object' &&
    labels !== null &&
    !Array.isArray(labels) &&
    Object.values(labels).every((v) => typeof v === 'string') &&
    (facts.createTime === null || typeof facts.createTime === 'string') &&
    (facts.image === null || typeof facts.image === 'string') &&
    typeof facts.ready === 'boolean' &&
    typeof facts.failed === 'boolean' &&
    (facts.readyMessage === null || typeof facts.readyMessage === 'string')
  );
}
