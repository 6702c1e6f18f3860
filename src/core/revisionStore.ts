// Settled Cloud Run revisions, kept so that a check need not read them again.
//
// A revision is immutable in the v2 API (there is no UpdateRevision): its labels, image and creation
// time never change, and once its Ready condition has succeeded or failed the reader treats that as
// final too. A check's second round trip (service → its serving revisions) is only needed for
// revisions not seen before. The extension keeps them in memory for its session; the CLI keeps
// them in a file in its cache folder, so a repeated `check` costs one round trip.
import * as path from 'node:path';
import { readOwnFile, writeOwnFile } from './cacheDir';
import type { RevisionFacts } from './model';

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

export class MemoryRevisionStore implements SettledRevisionStore {
  private readonly entries = new Map<string, RevisionFacts>();

  get(key: string): RevisionFacts | undefined {
    return this.entries.get(key);
  }

  set(key: string, facts: RevisionFacts): void {
    this.entries.set(key, facts);
  }
}

const FILE_NAME = 'settled-revisions-v1.json';
/** About 250 bytes each: the file stays well under a megabyte, read in a few milliseconds. */
export const MAX_FILE_ENTRIES = 3000;

/** A store read from, and written back to, one private file in the cache folder. */
export class RevisionCacheFile implements SettledRevisionStore {
  private readonly entries: Map<string, RevisionFacts>;
  private changed = false;

  private constructor(
    readonly file: string,
    entries: Map<string, RevisionFacts>,
  ) {
    this.entries = entries;
  }

  /** The store kept in `dir`; empty when there is no file yet, or one that is not ours or not valid. */
  static open(dir: string): RevisionCacheFile {
    const file = path.join(dir, FILE_NAME);
    return new RevisionCacheFile(file, parseEntries(readOwnFile(file)));
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): RevisionFacts | undefined {
    return this.entries.get(key);
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
    const kept = [...this.entries].slice(-MAX_FILE_ENTRIES);
    try {
      writeOwnFile(this.file, JSON.stringify({ entries: kept }));
      this.changed = false;
    } catch {
      // Nothing to do: the cache is an optimisation.
    }
  }
}

function parseEntries(bytes: Buffer | undefined): Map<string, RevisionFacts> {
  const entries = new Map<string, RevisionFacts>();
  if (!bytes) return entries;
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch {
    return entries;
  }
  const list = (document as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(list)) return entries;
  for (const entry of list) {
    if (Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && isRevisionFacts(entry[1])) entries.set(entry[0], entry[1]);
  }
  return entries;
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
