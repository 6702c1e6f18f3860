// A Cloud Run service's traffic as configured (its `traffic` targets) and as served (its
// trafficStatuses), and the pure decisions a traffic change needs: the targets that send all
// traffic to one revision, whether what is served is what was asked, and how a split reads.
import type { RevisionFacts, ServingRevision } from '../model';

/** One traffic target as configured. `revision` null: LATEST (whatever revision is latest ready). */
export interface TrafficTarget {
  revision: string | null;
  percent: number;
  tag: string | null;
}

/** A service's traffic read now (never from a cache). */
export interface TrafficState {
  /** The service's generation: every change of its spec (a traffic change too) makes a new one. */
  generation: number;
  /** The generation Cloud Run has acted on; below `generation` while a change is being rolled out. */
  observedGeneration: number;
  reconciling: boolean;
  /** As configured. */
  traffic: TrafficTarget[];
  /** As served (trafficStatuses, LATEST resolved), largest share first. */
  serving: ServingRevision[];
  latestReadyRevision: string | null;
  /** The service's terminal condition's message when it failed (e.g. a revision that cannot serve), else null. */
  failure: string | null;
  /** The revision asked for with the read (ReadTrafficOptions.revision), or null when it does not exist. */
  revision?: RevisionFacts | null;
}

/** What a traffic change returns once Cloud Run has accepted it (it is rolled out afterwards). */
export interface TrafficUpdate {
  /** The traffic as configured before the change: what Undo sets again. */
  previous: TrafficTarget[];
  /** The revisions serving before the change, as they were served. */
  previousServing: ServingRevision[];
  /** The generation the change makes: rolled out once observedGeneration reaches it. */
  generation: number;
}

/**
 * The targets that send all traffic to `revision` and keep every tag (`gcloud run services
 * update-traffic --to-revisions=REVISION=100` does the same): a tag on that revision stays on its
 * target, every other tag keeps its revision (or LATEST) at 0%, so tagged URLs go on working.
 */
export function allTrafficTo(revision: string, current: readonly TrafficTarget[]): TrafficTarget[] {
  const tagged = current.filter((t) => t.tag !== null);
  const ownTag = tagged.find((t) => t.revision === revision);
  const targets: TrafficTarget[] = [{ revision, percent: 100, tag: ownTag?.tag ?? null }];
  for (const t of tagged) if (t !== ownTag) targets.push({ revision: t.revision, percent: 0, tag: t.tag });
  return targets;
}

/** Whether the service serves exactly `expected` (revision and percent; tags are not served). */
export function servesExactly(serving: readonly ServingRevision[], expected: readonly ServingRevision[]): boolean {
  const wanted = new Map<string, number>();
  for (const s of expected) if (s.percent > 0) wanted.set(s.revision, (wanted.get(s.revision) ?? 0) + s.percent);
  const got = serving.filter((s) => s.percent > 0);
  return got.length === wanted.size && got.every((s) => wanted.get(s.revision) === s.percent);
}

/** `100% svc-00002-abc` or `90% svc-00002-abc, 10% svc-00003-def`; "no revision" when nothing serves. */
export function describeServing(serving: readonly ServingRevision[]): string {
  const shares = serving.filter((s) => s.percent > 0);
  return shares.length === 0 ? 'no revision' : shares.map((s) => `${s.percent}% ${s.revision}`).join(', ');
}

/** `100% LATEST, tag canary → svc-00003-def (0%)`: configured targets as a person reads them. */
export function describeTraffic(traffic: readonly TrafficTarget[]): string {
  if (traffic.length === 0) return 'no traffic targets';
  return traffic
    .map((t) => {
      const target = t.revision ?? 'LATEST';
      return t.tag ? `tag ${t.tag} → ${target} (${t.percent}%)` : `${t.percent}% ${target}`;
    })
    .join(', ');
}

/**
 * The revision serving all traffic when it is not the latest ready one: traffic is pinned to an
 * older revision, as after a rollback (LATEST always resolves to the latest ready revision, and a
 * revision that serves is ready, so any other is older). Null for a split or when it is the latest.
 */
export function pinnedToOlder(serving: readonly ServingRevision[], latestReadyRevision: string | null): string | null {
  const shares = serving.filter((s) => s.percent > 0);
  if (shares.length !== 1 || latestReadyRevision === null) return null;
  const only = shares[0]!;
  return only.revision !== latestReadyRevision ? only.revision : null;
}

/** One sentence for a verdict's message and a row's tooltip. */
export function pinnedSentence(revision: string, latestReadyRevision: string): string {
  return `Rolled back: all traffic is pinned to ${revision}, older than the latest ready revision ${latestReadyRevision}.`;
}
