// One list call per kind and (project, region) instead of one get per unit, for a check over many
// units: the client library's per-request work, not the network, is most of a repeat check's time.
// A list that the caller may not make (permission) or that names a project Cloud Run does not know
// falls back to each unit's own get; a unit absent from a list is confirmed with its own get, so it
// ends not-found or error with that call's message; a list that fails otherwise is the failure of
// each of its units, and of no other region's.

/** The kinds of resource a listing reads: Cloud Run services and jobs, and Cloud Functions. */
export type ListedKind = 'service' | 'function' | 'job';

export interface ListingRef {
  kind: ListedKind;
  project: string;
  region: string;
  name: string;
}

/** A group is listed once it holds more configured units than this ("more than a couple"). */
export const LIST_THRESHOLD = 2;

// gRPC codes of a list that leaves each unit to its own get.
const NOT_FOUND = 5;
const PERMISSION_DENIED = 7;
const UNIMPLEMENTED = 12;
const FALLS_BACK = new Set<number | null>([NOT_FOUND, PERMISSION_DENIED, UNIMPLEMENTED]);

export interface ListGroup {
  kind: ListedKind;
  project: string;
  region: string;
}

function groupKey(group: ListGroup): string {
  return `${group.kind}\u0000${group.project}\u0000${group.region}`;
}

/**
 * The lists worth making for these units: each kind in each (project, region) holding more than
 * LIST_THRESHOLD of them. A function runs on a Cloud Run service of the same region, read with the
 * services, so functions count toward their region's services list too.
 */
export function groupsToList(units: readonly ListingRef[]): ListGroup[] {
  const counts = new Map<string, { group: ListGroup; count: number }>();
  const count = (group: ListGroup): void => {
    const key = groupKey(group);
    const entry = counts.get(key) ?? { group, count: 0 };
    entry.count++;
    counts.set(key, entry);
  };
  for (const unit of units) {
    count({ kind: unit.kind, project: unit.project, region: unit.region });
    if (unit.kind === 'function') count({ kind: 'service', project: unit.project, region: unit.region });
  }
  return [...counts.values()].filter((e) => e.count > LIST_THRESHOLD).map((e) => e.group);
}

/** What a listing says of one unit. */
export type Listed<T> =
  /** Listed: this is its resource, as a get would have returned it. */
  | { kind: 'found'; item: T }
  /** Not listed, no list for its group, or the list was refused: read it with its own get. */
  | { kind: 'get' }
  /** The list failed: so does the unit, with the list's error. */
  | { kind: 'failed'; error: unknown };

/** Lists one group: every resource in it, all pages, keyed by short name. Rejects with the API's error. */
export type ListGroupFn = (group: ListGroup) => Promise<ReadonlyMap<string, unknown>>;

/** Turns a list failure into its gRPC code (null when it has none). */
export type ErrorCode = (err: unknown) => number | null;

/**
 * The lists of one check, started together when the listing is made; each lookup asks it for its
 * unit and waits only for its own group's list.
 */
export class RegionListing {
  private readonly lists = new Map<string, Promise<{ items: ReadonlyMap<string, unknown> } | { error: unknown }>>();

  constructor(groups: readonly ListGroup[], list: ListGroupFn, private readonly codeOf: ErrorCode) {
    for (const group of groups) {
      const outcome = list(group).then(
        (items) => ({ items }),
        (error: unknown) => ({ error }),
      );
      this.lists.set(groupKey(group), outcome);
    }
  }

  /** The unit's resource from its group's list, or what to do instead. */
  async find<T>(kind: ListedKind, ref: { project: string; region: string; name: string }): Promise<Listed<T>> {
    const list = this.lists.get(groupKey({ kind, project: ref.project, region: ref.region }));
    if (!list) return { kind: 'get' };
    const outcome = await list;
    if ('error' in outcome) return FALLS_BACK.has(this.codeOf(outcome.error)) ? { kind: 'get' } : { kind: 'failed', error: outcome.error };
    return outcome.items.has(ref.name) ? { kind: 'found', item: outcome.items.get(ref.name) as T } : { kind: 'get' };
  }
}
