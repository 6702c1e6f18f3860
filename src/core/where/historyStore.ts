// The revision histories `where` has read, kept for the next `where` (the CLI keeps them in a file of
// its cache folder, beside the check's; `check` never reads it).
//
// A kept history is used only once proved current: its newest revision is the service's latest
// created revision as the check has just read it (the same name and creation time; a service
// deleted and created again can bring a name back, not its creation time). Revisions are immutable
// in the v2 API and every deploy, failed or not, creates a new latest revision, so a history that
// ends at the latest one holds every revision since it was read; after a deploy it is stale and read
// again. A revision deleted since stays in a current history, so "since" may still name it: it did
// contain the commit, and a deletion does not change when the commit first went out.
import * as path from 'node:path';
import { readOwnFile, writeOwnFile } from '../platform/cacheDir';
import type { ServiceConfig } from '../config';
import type { RevisionFacts, ServiceVerdict } from '../model';
import { parseDocument, parseKeyedPairs } from '../google/revisionStore';
import { labelOf } from '../verdicts/verdict';

/** One past revision as "live since" needs it: its name, when it was created and its commit label's value. */
export interface KeptRevision {
  name: string;
  createTime: string | null;
  /** The value of the commit label named by KeptHistory.commitLabel, or null when it has none. */
  label: string | null;
}

/** One unit's last revisions, newest first, and the Cloud Run service they were read from. */
export interface KeptHistory {
  /** The service's short name (a function's: the service it runs on). */
  service: string;
  /** The label the revisions' `label` was read from: a history kept under another is not used. */
  commitLabel: string;
  revisions: KeptRevision[];
}

/** A Map is one (tests); RevisionHistoryFile is the CLI's. Keys: historyKey. */
export interface RevisionHistoryStore {
  get(unitKey: string): KeptHistory | undefined;
  set(unitKey: string, history: KeptHistory): void;
}

/** The key of a unit's history: the Run API's origin and the unit's resource name (a function's in the Cloud Functions API, so known before its service is). */
export function historyKey(apiOrigin: string, unit: Pick<ServiceConfig, 'kind' | 'project' | 'region' | 'name'>): string {
  return `${apiOrigin} projects/${unit.project}/locations/${unit.region}/${unit.kind === 'function' ? 'functions' : 'services'}/${unit.name}`;
}

export const HISTORY_FILE = 'where-histories-v1.json';
/** Services whose history is kept: each up to MAX_HISTORY_REVISIONS revisions of about 100 bytes, so the file stays under a megabyte. */
export const MAX_KEPT_HISTORIES = 300;
/** At least WHERE_HISTORY_LIMIT (histories.ts): a history is kept whole or not at all. */
export const MAX_HISTORY_REVISIONS = 30;

/** A service's listed history as kept: newest first, each revision's commit label. */
export function keptHistory(service: string, revisions: readonly RevisionFacts[], commitLabel: string): KeptHistory {
  return { service, commitLabel, revisions: revisions.map((r) => ({ name: r.name, createTime: r.createTime, label: labelOf(r, commitLabel) })) };
}

/**
 * The kept history when it is current for the unit as just read (see above), else undefined.
 * `service`: the Cloud Run service the verdict was read from (a function's: the one it runs on).
 */
export function currentHistory(
  kept: KeptHistory | undefined,
  verdict: Pick<ServiceVerdict, 'latestCreatedRevision' | 'latestCreatedAt'>,
  service: string,
  commitLabel: string,
): KeptHistory | undefined {
  const newest = kept?.revisions[0];
  if (!kept || !newest || kept.service !== service || kept.commitLabel !== commitLabel) return undefined;
  if (verdict.latestCreatedRevision === null || verdict.latestCreatedAt === undefined) return undefined;
  return newest.name === verdict.latestCreatedRevision && newest.createTime === verdict.latestCreatedAt ? kept : undefined;
}

/** The histories kept in one private file in the cache folder, the least recently used dropped first when full. */
export class RevisionHistoryFile implements RevisionHistoryStore {
  private changed = false;

  private constructor(
    readonly file: string,
    private readonly histories: Map<string, KeptHistory>,
  ) {}

  /** The store kept in `dir`; empty when there is no file yet, or one that is not ours or not valid. */
  static open(dir: string): RevisionHistoryFile {
    const file = path.join(dir, HISTORY_FILE);
    return new RevisionHistoryFile(file, parseKeyedPairs(parseDocument(readOwnFile(file)).histories, isKeptHistory));
  }

  get size(): number {
    return this.histories.size;
  }

  get(unitKey: string): KeptHistory | undefined {
    const kept = this.histories.get(unitKey);
    if (kept === undefined) return undefined;
    // Moved to the end (not a change to write by itself): the histories dropped are the ones no run has used for longest.
    this.histories.delete(unitKey);
    this.histories.set(unitKey, kept);
    return kept;
  }

  set(unitKey: string, history: KeptHistory): void {
    this.histories.delete(unitKey);
    // Empty (nothing to prove it current by) or too long to keep whole (a cut history would look complete): not kept.
    if (history.revisions.length === 0 || history.revisions.length > MAX_HISTORY_REVISIONS) return;
    this.histories.set(unitKey, history);
    this.changed = true;
  }

  /** Writes the file when something was added. Failures (a read-only home, a full disk) only cost the next run its speed-up. */
  save(): void {
    if (!this.changed) return;
    try {
      writeOwnFile(this.file, JSON.stringify({ histories: [...this.histories].slice(-MAX_KEPT_HISTORIES) }));
      this.changed = false;
    } catch {
      // Nothing to do: the file is an optimization.
    }
  }
}

function isKeptHistory(value: unknown): value is KeptHistory {
  if (typeof value !== 'object' || value === null) return false;
  const { service, commitLabel, revisions } = value as Record<string, unknown>;
  return typeof service === 'string' && typeof commitLabel === 'string' && Array.isArray(revisions) && revisions.length > 0 && revisions.length <= MAX_HISTORY_REVISIONS && revisions.every(isKeptRevision);
}

function isKeptRevision(value: unknown): value is KeptRevision {
  if (typeof value !== 'object' || value === null) return false;
  const { name, createTime, label } = value as Record<string, unknown>;
  return typeof name === 'string' && (createTime === null || typeof createTime === 'string') && (label === null || typeof label === 'string');
}
