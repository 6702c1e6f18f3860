// One list call per kind and (project, region) instead of one get per unit, for a check over many
// units: each request's own work, not the network, is most of a repeat check's time. Only the
// list's first page is read, of LIST_PAGE_MAX resources: a group with more than a few times as many
// resources as its units (largeGroupLimit) is remembered as large (LargeGroups), so that later checks
// read its units with gets straight away, a listed page of it costing more to send and decode than
// the gets it spares. The first page is that large so that a check that knows nothing of the
// region yet (a first run) finds its units on it in one round trip, as in a small region, instead
// of learning from a short page that they are elsewhere and only then reading them; units not on
// it (a region of more than LIST_PAGE_MAX) are read with their own gets.
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
  /** How many of the checked units the group holds. */
  units: number;
}

/** A group stays listed while it holds at most this many resources per unit, within LIST_PAGE_MIN..LIST_PAGE_MAX; its one page asks for LIST_PAGE_MAX. */
export const LIST_PAGE_FACTOR = 4;
export const LIST_PAGE_MIN = 50;
export const LIST_PAGE_MAX = 500;

/** How many resources a group's list may hold and still be listed on later checks (else its units are read with gets). */
export function largeGroupLimit(units: number): number {
  return Math.min(LIST_PAGE_MAX, Math.max(LIST_PAGE_MIN, LIST_PAGE_FACTOR * units));
}

/** Whether a group whose first page held `listed` resources (and had `more` pages after it) is large: read with gets from now on. */
export function isLargeGroup(group: Pick<ListGroup, 'units'>, listed: number, more: boolean): boolean {
  return more || listed > largeGroupLimit(group.units);
}

/** Groups found large (more pages, or more than largeGroupLimit resources on the one page), by groupKey: their units are read with gets. A Set is one. */
export interface LargeGroups {
  has(key: string): boolean;
  add(key: string): void;
}

/** A group's key, for LargeGroups: the API's origin beside kind, project and region. */
export function groupKey(group: Pick<ListGroup, 'kind' | 'project' | 'region'>, origin = ''): string {
  return `${origin} ${group.kind} ${group.project}/${group.region}`;
}

/**
 * The lists worth making for these units: each kind in each (project, region) holding more than
 * LIST_THRESHOLD of them. A function runs on a Cloud Run service of the same region, read with the
 * services, so functions count toward their region's services list too.
 */
export function groupsToList(units: readonly ListingRef[]): ListGroup[] {
  const groups = new Map<string, ListGroup>();
  const count = (kind: ListedKind, unit: ListingRef): void => {
    const key = groupKey({ kind, project: unit.project, region: unit.region });
    const group = groups.get(key) ?? { kind, project: unit.project, region: unit.region, units: 0 };
    group.units++;
    groups.set(key, group);
  };
  for (const unit of units) {
    count(unit.kind, unit);
    if (unit.kind === 'function') count('service', unit);
  }
  return [...groups.values()].filter((group) => group.units > LIST_THRESHOLD);
}

/** What a listing says of one unit. */
export type Listed<T> =
  /** Listed: this is its resource, as a get would have returned it. */
  | { kind: 'found'; item: T }
  /** Not listed, no list for its group, or the list was refused: read it with its own get. */
  | { kind: 'get' }
  /** The list failed: so does the unit, with the list's error. */
  | { kind: 'failed'; error: unknown };

/** Lists one group's first page (LIST_PAGE_MAX): its resources by short name. Rejects with the API's error. */
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
