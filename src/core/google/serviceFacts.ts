// What the reader makes of the Admin API's Service and Revision: the revisions a service serves,
// its traffic, a revision's facts, whether a kept revision still fits the service, and the part of
// a service an update sends back (writableFields).
import type { RevisionFacts, ServingRevision } from '../model';
import { shortName, shortNameOrNull } from './resourceNames';
import type { ApiRevision, ApiService } from './runRest';
import { timestampToIso } from './timestamps';
import type { TrafficState } from '../verdicts/traffic';

/**
 * Whether a kept revision still fits what the service says now. Settled revisions do not change,
 * but the reader does not bet a verdict on it: the latest ready revision must have been kept as
 * ready, and a latest created revision that is not the latest ready one as failed; otherwise it
 * is read again.
 */
export function agreesWithService(kept: RevisionFacts, revision: string, service: ApiService): boolean {
  const latestReady = shortNameOrNull(service.latestReadyRevision);
  const latestCreated = shortNameOrNull(service.latestCreatedRevision);
  if (revision === latestReady && !kept.ready) return false;
  if (revision === latestCreated && revision !== latestReady && !kept.failed) return false;
  return true;
}

const LATEST_TYPES = new Set<unknown>([1, 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST']);

/** Revisions receiving traffic, from trafficStatuses (what is actually served), LATEST resolved. */
export function servingRevisions(service: ApiService): ServingRevision[] {
  const byRevision = new Map<string, ServingRevision>();
  const latestReady = shortNameOrNull(service.latestReadyRevision);
  for (const status of service.trafficStatuses ?? []) {
    const percent = Number(status.percent ?? 0);
    if (percent <= 0) continue;
    const revision = status.revision ? shortName(status.revision) : LATEST_TYPES.has(status.type) ? latestReady : null;
    if (!revision) continue;
    const existing = byRevision.get(revision);
    if (existing) existing.percent += percent;
    else byRevision.set(revision, { revision, percent, tag: status.tag || null });
  }
  return [...byRevision.values()].sort((a, b) => b.percent - a.percent || a.revision.localeCompare(b.revision));
}

/** A service's traffic as configured and as served, from the API's Service. */
export function trafficState(service: ApiService): TrafficState {
  const terminal = service.terminalCondition;
  return {
    generation: Number(service.generation ?? 0),
    observedGeneration: Number(service.observedGeneration ?? 0),
    reconciling: Boolean(service.reconciling),
    traffic: (service.traffic ?? []).map((t) => ({
      revision: LATEST_TYPES.has(t.type) || !t.revision ? null : shortName(t.revision),
      percent: Number(t.percent ?? 0),
      tag: t.tag || null,
    })),
    serving: servingRevisions(service),
    latestReadyRevision: shortNameOrNull(service.latestReadyRevision),
    failure: terminal && READY_FAILED.has(terminal.state) ? terminal.message || 'the service is not ready' : null,
  };
}

/** Fields of a Service that Cloud Run sets itself: an update leaves them out. */
const OUTPUT_ONLY_SERVICE_FIELDS = [
  'uid', 'generation', 'observedGeneration', 'createTime', 'updateTime', 'deleteTime', 'expireTime', 'creator', 'lastModifier',
  'terminalCondition', 'conditions', 'latestReadyRevision', 'latestCreatedRevision', 'trafficStatuses', 'uri', 'urls', 'reconciling', 'satisfiesPzs',
] as const;

/**
 * The service as read, without its output-only fields. Besides being what an update should send,
 * this leaves out its int64 fields (generation, observedGeneration): the proto3 JSON serializer
 * recognizes a Long by its class name, which a minified bundle renames.
 */
export function writableFields(service: ApiService): ApiService {
  const writable: Record<string, unknown> = { ...service };
  for (const field of OUTPUT_ONLY_SERVICE_FIELDS) delete writable[field];
  return writable as ApiService;
}

const READY_SUCCEEDED = new Set<unknown>([4, 'CONDITION_SUCCEEDED']);
const READY_FAILED = new Set<unknown>([3, 'CONDITION_FAILED']);

export function revisionFacts(revision: ApiRevision): RevisionFacts {
  const ready = (revision.conditions ?? []).find((c) => c.type === 'Ready');
  const failed = ready ? READY_FAILED.has(ready.state) : false;
  return {
    name: shortName(revision.name),
    labels: { ...(revision.labels ?? {}) },
    createTime: timestampToIso(revision.createTime),
    image: revision.containers?.[0]?.image || null,
    ready: ready ? READY_SUCCEEDED.has(ready.state) : false,
    readyMessage: failed ? ready?.message || 'the revision failed to become ready' : null,
    failed,
  };
}
