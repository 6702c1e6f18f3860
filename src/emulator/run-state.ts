// Cloud Run state held by the emulator, and its rendering as Cloud Run Admin API v2 JSON.
//
// Time-dependent facts (is a rollout still reconciling? which revision is latest ready?) are computed
// from the clock when a resource is rendered, so a deploy with `reconcilingMs` needs no timers.
import { createHash, randomUUID } from 'node:crypto';
import type { ScenarioRunSection, ScenarioService, ScenarioTrafficTarget } from './scenario';

export interface RevisionRecord {
  /** Short name, e.g. `svc-00003-k2x`. */
  name: string;
  uid: string;
  labels: Record<string, string>;
  image: string;
  /** What the revision settles to: ready, or failed with `message`. */
  ready: boolean;
  message: string | null;
  createTimeMs: number;
  /** Until this time the revision is still rolling out (Ready condition CONDITION_RECONCILING). */
  settlesAtMs: number;
}

export type TrafficRecord = { kind: 'revision'; revision: string; percent: number; tag: string | null } | { kind: 'latest'; percent: number; tag: string | null };

export interface ServiceRecord {
  project: string;
  region: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  createTimeMs: number;
  updateTimeMs: number;
  /** Bumped by every change, like Cloud Run's metadata generation. */
  generation: number;
  /** Oldest first: the last one is latestCreatedRevision. */
  revisions: RevisionRecord[];
  traffic: TrafficRecord[];
  /** The scenario's `reconciling: true` pins the service in a rollout until the next control change. */
  pinnedReconciling: boolean;
  /** The number the next generated revision name gets (`-000NN-`). */
  nextRevisionNumber: number;
  /** The last traffic update through UpdateService while it reconciles, or when it failed; null once settled. */
  trafficChange: TrafficChange | null;
  /** How the next traffic updates through UpdateService behave (control action `traffic-plan`). */
  trafficPlan: TrafficPlan;
}

/** A traffic update as Cloud Run rolls it out: the previous routing serves until it settles. */
export interface TrafficChange {
  previous: TrafficRecord[];
  settlesAtMs: number;
  /** The update fails when it settles: the previous routing keeps serving, the terminal condition says why. */
  failure: { revision: string; message: string } | null;
}

export interface TrafficPlan {
  /** How long a traffic update reconciles (default DEFAULT_TRAFFIC_RECONCILING_MS). */
  reconcilingMs: number;
  /** Revisions that fail to serve when traffic is routed to them (e.g. their image was deleted), with why. */
  unservable: Record<string, string>;
}

/** A traffic update takes this long to settle unless `traffic-plan` says otherwise (Cloud Run takes seconds). */
export const DEFAULT_TRAFFIC_RECONCILING_MS = 1_000;

function defaultTrafficPlan(): TrafficPlan {
  return { reconcilingMs: DEFAULT_TRAFFIC_RECONCILING_MS, unservable: {} };
}

/** Cloud Run v2 enums. With `$alt=json;enum-encoding=int` Google answers with the numbers. */
const CONDITION_STATE = { CONDITION_PENDING: 1, CONDITION_RECONCILING: 2, CONDITION_FAILED: 3, CONDITION_SUCCEEDED: 4 } as const;
export type ConditionState = keyof typeof CONDITION_STATE;
const SEVERITY = { ERROR: 1, WARNING: 2, INFO: 3 } as const;
const TRAFFIC_TYPE = { TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST: 1, TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION: 2 } as const;

export type EnumEncoding = 'int' | 'name';

export function encodeEnum<T extends Record<string, number>>(table: T, name: keyof T & string, encoding: EnumEncoding): string | number {
  return encoding === 'int' ? table[name]! : name;
}

export function stableHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Cloud Run's three-character revision suffix, derived from the name so reloading a scenario reproduces it. */
function revisionSuffix(seed: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const digest = createHash('sha256').update(seed).digest();
  return Array.from(digest.subarray(0, 3), (byte) => alphabet[byte % alphabet.length]).join('');
}

export function revisionNumberOf(name: string): number | null {
  const match = /-(\d{5})-[a-z0-9]{3}$/.exec(name);
  return match ? Number(match[1]) : null;
}

export function defaultImage(project: string, region: string, service: string, seed: string): string {
  return `${region}-docker.pkg.dev/${project}/cloud-run-source-deploy/${service}@sha256:${stableHash(seed)}`;
}

export const HOUR_MS = 3_600_000;

export function serviceKey(project: string, region: string, name: string): string {
  return `${project}/${region}/${name}`;
}

export interface DeployRequest {
  project: string;
  region: string;
  service: string;
  /** Merged over the previous revision's labels, as `gcloud run deploy --update-labels` does. */
  labels?: Record<string, string>;
  /** Default true. False: the new revision carries only `labels`, none of the previous revision's. */
  keepPreviousLabels?: boolean;
  /** Default: the previous revision's image (a redeploy of the same build). */
  image?: string;
  ready?: boolean;
  message?: string;
  /** Default true: traffic goes to LATEST 100%. False pins current LATEST traffic to today's revision. */
  moveTraffic?: boolean;
  reconcilingMs?: number;
}

export interface DeployResult {
  revision: string;
  resourceName: string;
  service: string;
  serviceCreated: boolean;
  ready: boolean;
  labels: Record<string, string>;
  image: string;
}

export class RunState {
  private services = new Map<string, ServiceRecord>();
  private projects = new Set<string>();

  constructor(private readonly now: () => number) {}

  load(section: ScenarioRunSection): void {
    this.services.clear();
    this.projects = new Set(section.projects ?? []);
    for (const spec of section.services ?? []) this.putService(spec, section);
  }

  hasProject(project: string): boolean {
    return this.projects.has(project);
  }

  /** Makes a project exist (its APIs answer instead of 404) without adding anything to it. */
  addProject(project: string): void {
    this.projects.add(project);
  }

  /** Services of one project and region, in creation order. */
  listServices(project: string, region: string): ServiceRecord[] {
    return [...this.services.values()].filter((s) => s.project === project && s.region === region);
  }

  allServices(): ServiceRecord[] {
    return [...this.services.values()];
  }

  getService(project: string, region: string, name: string): ServiceRecord | undefined {
    return this.services.get(serviceKey(project, region, name));
  }

  /** Creates or replaces a service from the scenario shape. */
  putService(spec: ScenarioService, defaults: { project?: string; region?: string } = {}): ServiceRecord {
    const project = spec.project ?? defaults.project ?? '';
    const region = spec.region ?? defaults.region ?? '';
    const now = this.now();
    const specs = spec.revisions ?? [];
    let nextNumber = 1;
    const revisions: RevisionRecord[] = specs.map((r, index) => {
      const number = r.name !== undefined ? revisionNumberOf(r.name) ?? nextNumber : nextNumber;
      nextNumber = Math.max(nextNumber, number) + 1;
      const name = r.name ?? `${spec.name}-${String(number).padStart(5, '0')}-${revisionSuffix(`${project}/${region}/${spec.name}/${number}`)}`;
      // Undated revisions are spread an hour apart, the newest an hour before "now".
      const createTimeMs = r.createTime !== undefined ? Date.parse(r.createTime) : now - (specs.length - index) * HOUR_MS;
      return {
        name,
        uid: randomUUID(),
        labels: { ...(r.labels ?? {}) },
        image: r.image ?? defaultImage(project, region, spec.name, `${project}/${region}/${name}`),
        ready: r.ready ?? true,
        message: r.message ?? (r.ready === false ? defaultFailureMessage() : null),
        createTimeMs,
        settlesAtMs: createTimeMs,
      };
    });
    const createTimeMs = spec.createTime !== undefined ? Date.parse(spec.createTime) : (revisions[0]?.createTimeMs ?? now);
    const updateTimeMs = Math.max(createTimeMs, ...revisions.map((r) => r.createTimeMs));
    const record: ServiceRecord = {
      project,
      region,
      name: spec.name,
      // Random, as Cloud Run's are: a uid names one life of a service, and readers key what they
      // keep about its revisions by it.
      uid: randomUUID(),
      labels: { ...(spec.labels ?? {}) },
      createTimeMs,
      updateTimeMs,
      generation: Math.max(1, revisions.length),
      revisions,
      traffic: trafficRecords(spec.traffic ?? (revisions.length > 0 ? [{ latest: true, percent: 100 }] : [])),
      pinnedReconciling: spec.reconciling ?? false,
      nextRevisionNumber: nextNumber,
      trafficChange: null,
      trafficPlan: defaultTrafficPlan(),
    };
    const existing = this.services.get(serviceKey(project, region, spec.name));
    if (existing) {
      // A replaced service counts as a change. Its revisions are replaced too, which Cloud Run
      // cannot do to a living service (revisions are immutable): only deleting the service and
      // creating it again can bring a revision name back with other contents, so it gets a new uid.
      record.createTimeMs = existing.createTimeMs;
      record.generation = existing.generation + 1;
      record.updateTimeMs = now;
    }
    this.projects.add(project);
    this.services.set(serviceKey(project, region, spec.name), record);
    return record;
  }

  deleteService(project: string, region: string, name: string): boolean {
    return this.services.delete(serviceKey(project, region, name));
  }

  deploy(request: DeployRequest): DeployResult {
    const now = this.now();
    let service = this.getService(request.project, request.region, request.service);
    const serviceCreated = service === undefined;
    if (!service) {
      service = {
        project: request.project,
        region: request.region,
        name: request.service,
        uid: randomUUID(),
        labels: {},
        createTimeMs: now,
        updateTimeMs: now,
        generation: 0,
        revisions: [],
        traffic: [{ kind: 'latest', percent: 100, tag: null }],
        pinnedReconciling: false,
        nextRevisionNumber: 1,
        trafficChange: null,
        trafficPlan: defaultTrafficPlan(),
      };
      this.projects.add(request.project);
      this.services.set(serviceKey(request.project, request.region, request.service), service);
    }
    const previous = service.revisions[service.revisions.length - 1];
    const moveTraffic = request.moveTraffic ?? true;
    if (moveTraffic) {
      service.traffic = [{ kind: 'latest', percent: 100, tag: null }];
    } else {
      // Like `gcloud run deploy --no-traffic`: LATEST traffic stays on the revision serving it now.
      const latestReady = latestReadyRevision(service, now);
      service.traffic = service.traffic.map((t) =>
        t.kind === 'latest' && latestReady ? { kind: 'revision', revision: latestReady.name, percent: t.percent, tag: t.tag } : t,
      );
    }
    const number = service.nextRevisionNumber;
    service.nextRevisionNumber += 1;
    const name = `${service.name}-${String(number).padStart(5, '0')}-${revisionSuffix(`${service.project}/${service.region}/${service.name}/${number}/${now}`)}`;
    const labels = { ...((request.keepPreviousLabels ?? true) ? previous?.labels ?? {} : {}), ...(request.labels ?? {}) };
    const image = request.image ?? previous?.image ?? defaultImage(service.project, service.region, service.name, `${service.uid}/${name}`);
    const ready = request.ready ?? true;
    const reconcilingMs = request.reconcilingMs ?? 0;
    const revision: RevisionRecord = {
      name,
      uid: randomUUID(),
      labels,
      image,
      ready,
      message: ready ? null : (request.message ?? defaultFailureMessage()),
      createTimeMs: now,
      settlesAtMs: now + reconcilingMs,
    };
    service.revisions.push(revision);
    service.labels = { ...service.labels, ...(request.labels ?? {}) };
    service.generation += 1;
    service.updateTimeMs = now;
    service.pinnedReconciling = false;
    service.trafficChange = null;
    return {
      revision: name,
      resourceName: revisionResourceName(service, name),
      service: serviceResourceName(service),
      serviceCreated,
      ready,
      labels,
      image,
    };
  }

  setTraffic(service: ServiceRecord, targets: ScenarioTrafficTarget[]): void {
    service.traffic = trafficRecords(targets);
    service.generation += 1;
    service.updateTimeMs = this.now();
    service.pinnedReconciling = false;
    service.trafficChange = null;
  }

  /**
   * A traffic update as UpdateService makes it: a new generation that reconciles for the plan's
   * time, serving the previous routing meanwhile; then the new routing, or, when it routes traffic
   * to a revision the plan calls unservable, a failure that leaves the previous routing serving.
   */
  updateTraffic(service: ServiceRecord, targets: ScenarioTrafficTarget[]): void {
    const now = this.now();
    const previous = settledTraffic(service, now);
    const records = trafficRecords(targets);
    const failing = records.find((t) => t.kind === 'revision' && t.percent > 0 && Object.hasOwn(service.trafficPlan.unservable, t.revision));
    service.trafficChange = {
      previous,
      settlesAtMs: now + service.trafficPlan.reconcilingMs,
      failure: failing?.kind === 'revision' ? { revision: failing.revision, message: service.trafficPlan.unservable[failing.revision]! } : null,
    };
    service.traffic = records;
    service.generation += 1;
    service.updateTimeMs = now;
    service.pinnedReconciling = false;
  }

  snapshot(): unknown {
    const now = this.now();
    return {
      projects: [...this.projects],
      services: this.allServices().map((s) => ({
        project: s.project,
        region: s.region,
        name: s.name,
        generation: s.generation,
        reconciling: isReconciling(s, now),
        labels: s.labels,
        latestCreatedRevision: s.revisions[s.revisions.length - 1]?.name ?? null,
        latestReadyRevision: latestReadyRevision(s, now)?.name ?? null,
        traffic: s.traffic.map((t) => (t.kind === 'latest' ? { latest: true, percent: t.percent, tag: t.tag } : { revision: t.revision, percent: t.percent, tag: t.tag })),
        serving: servingTargets(s, now),
        trafficFailure: trafficFailure(s, now)?.message ?? null,
        revisions: s.revisions.map((r) => ({
          name: r.name,
          labels: r.labels,
          image: r.image,
          state: revisionState(r, now),
          message: r.message,
          createTime: new Date(r.createTimeMs).toISOString(),
        })),
      })),
    };
  }
}

function trafficRecords(targets: ScenarioTrafficTarget[]): TrafficRecord[] {
  return targets.map((t) =>
    'latest' in t ? { kind: 'latest', percent: t.percent, tag: t.tag ?? null } : { kind: 'revision', revision: t.revision, percent: t.percent, tag: t.tag ?? null },
  );
}

function defaultFailureMessage(): string {
  return 'The user-provided container failed to start and listen on the port defined provided by the PORT=8080 environment variable within the allocated timeout.';
}

export function revisionState(revision: RevisionRecord, now: number): ConditionState {
  if (now < revision.settlesAtMs) return 'CONDITION_RECONCILING';
  return revision.ready ? 'CONDITION_SUCCEEDED' : 'CONDITION_FAILED';
}

export function latestReadyRevision(service: ServiceRecord, now: number): RevisionRecord | undefined {
  for (let i = service.revisions.length - 1; i >= 0; i--) {
    const revision = service.revisions[i]!;
    if (revisionState(revision, now) === 'CONDITION_SUCCEEDED') return revision;
  }
  return undefined;
}

export function isReconciling(service: ServiceRecord, now: number): boolean {
  const latest = service.revisions[service.revisions.length - 1];
  const trafficSettling = service.trafficChange !== null && now < service.trafficChange.settlesAtMs;
  return service.pinnedReconciling || trafficSettling || (latest !== undefined && now < latest.settlesAtMs);
}

/** The failed traffic update's failure once it has settled, else null. */
export function trafficFailure(service: ServiceRecord, now: number): { revision: string; message: string } | null {
  const change = service.trafficChange;
  return change?.failure && now >= change.settlesAtMs ? change.failure : null;
}

/** The routing in effect: the previous one while a traffic update reconciles or after it failed. */
function settledTraffic(service: ServiceRecord, now: number): TrafficRecord[] {
  const change = service.trafficChange;
  if (change && (now < change.settlesAtMs || change.failure)) return change.previous;
  return service.traffic;
}

/** Traffic as it is actually routed: LATEST resolved to latestReadyRevision. */
function servingTargets(service: ServiceRecord, now: number): { revision: string | null; percent: number; tag: string | null; latest: boolean }[] {
  const latestReady = latestReadyRevision(service, now);
  return settledTraffic(service, now).map((t) =>
    t.kind === 'latest'
      ? { revision: latestReady?.name ?? null, percent: t.percent, tag: t.tag, latest: true }
      : { revision: t.revision, percent: t.percent, tag: t.tag, latest: false },
  );
}

export function serviceResourceName(service: Pick<ServiceRecord, 'project' | 'region' | 'name'>): string {
  return `projects/${service.project}/locations/${service.region}/services/${service.name}`;
}

export function revisionResourceName(service: Pick<ServiceRecord, 'project' | 'region' | 'name'>, revision: string): string {
  return `${serviceResourceName(service)}/revisions/${revision}`;
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

function serviceUri(service: ServiceRecord, tag?: string): string {
  const projectNumber = parseInt(stableHash(service.project).slice(0, 10), 16).toString().slice(0, 12);
  return `https://${tag ? `${tag}---` : ''}${service.name}-${projectNumber}.${service.region}.run.app`;
}

export function condition(type: string, state: ConditionState, encoding: EnumEncoding, lastTransitionMs: number, message?: string): Record<string, unknown> {
  const body: Record<string, unknown> = { type, state: encodeEnum(CONDITION_STATE, state, encoding), lastTransitionTime: rfc3339(lastTransitionMs) };
  if (message) body.message = message;
  if (state === 'CONDITION_FAILED') body.severity = encodeEnum(SEVERITY, 'ERROR', encoding);
  return body;
}

/** Changes with every generation: UpdateService refuses a service read before the last change. */
export function serviceEtag(service: Pick<ServiceRecord, 'uid' | 'generation'>): string {
  return `"${stableHash(`${service.uid}/${service.generation}`).slice(0, 27)}"`;
}

/** A v2 Service resource as the REST API returns it. */
export function renderService(service: ServiceRecord, now: number, encoding: EnumEncoding): Record<string, unknown> {
  const latestCreated = service.revisions[service.revisions.length - 1];
  const latestReady = latestReadyRevision(service, now);
  const reconciling = isReconciling(service, now);
  const latestCreatedState = latestCreated ? revisionState(latestCreated, now) : 'CONDITION_PENDING';
  const failedTraffic = trafficFailure(service, now);
  let terminalState: ConditionState;
  let terminalMessage: string | undefined;
  if (reconciling) {
    terminalState = 'CONDITION_RECONCILING';
    terminalMessage = service.trafficChange && now < service.trafficChange.settlesAtMs ? 'Routing traffic.' : latestCreated ? `Deploying revision ${latestCreated.name}.` : undefined;
  } else if (failedTraffic) {
    terminalState = 'CONDITION_FAILED';
    terminalMessage = `Revision '${failedTraffic.revision}' is not ready and cannot serve traffic. ${failedTraffic.message}`.trim();
  } else if (!latestCreated) {
    terminalState = 'CONDITION_PENDING';
    terminalMessage = 'The service has no revisions.';
  } else if (latestCreatedState === 'CONDITION_FAILED') {
    terminalState = 'CONDITION_FAILED';
    terminalMessage = `Revision '${latestCreated.name}' is not ready and cannot serve traffic. ${latestCreated.message ?? ''}`.trim();
  } else {
    terminalState = 'CONDITION_SUCCEEDED';
  }
  const transitionMs = service.trafficChange ? Math.min(now, service.trafficChange.settlesAtMs) : latestCreated ? Math.min(now, latestCreated.settlesAtMs) : service.updateTimeMs;
  const templateLabels = latestCreated?.labels ?? {};
  return {
    name: serviceResourceName(service),
    uid: service.uid,
    generation: String(service.generation),
    labels: service.labels,
    annotations: {},
    createTime: rfc3339(service.createTimeMs),
    updateTime: rfc3339(service.updateTimeMs),
    creator: 'deployer@example.com',
    lastModifier: 'deployer@example.com',
    ingress: 'INGRESS_TRAFFIC_ALL',
    launchStage: 'GA',
    template: {
      labels: templateLabels,
      containers: latestCreated ? [{ image: latestCreated.image, ports: [{ name: 'http1', containerPort: 8080 }] }] : [],
      maxInstanceRequestConcurrency: 80,
    },
    traffic: service.traffic.map((t) => {
      const body: Record<string, unknown> =
        t.kind === 'latest'
          ? { type: encodeEnum(TRAFFIC_TYPE, 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', encoding), percent: t.percent }
          : { type: encodeEnum(TRAFFIC_TYPE, 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', encoding), revision: t.revision, percent: t.percent };
      if (t.tag) body.tag = t.tag;
      return body;
    }),
    // Routing as observed: the previous settled state while a rollout reconciles, since the
    // new revision is not ready yet and LATEST still points at the last ready one.
    trafficStatuses: servingTargets(service, now).map((t) => {
      const body: Record<string, unknown> = {
        type: encodeEnum(TRAFFIC_TYPE, t.latest ? 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' : 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', encoding),
        percent: t.percent,
      };
      if (t.revision) body.revision = t.revision;
      if (t.tag) {
        body.tag = t.tag;
        body.uri = serviceUri(service, t.tag);
      }
      return body;
    }),
    observedGeneration: String(reconciling ? Math.max(0, service.generation - 1) : service.generation),
    terminalCondition: condition('Ready', terminalState, encoding, transitionMs, terminalMessage),
    conditions: [
      condition('RoutesReady', reconciling ? 'CONDITION_RECONCILING' : failedTraffic ? 'CONDITION_FAILED' : latestReady ? 'CONDITION_SUCCEEDED' : 'CONDITION_PENDING', encoding, transitionMs),
      condition('ConfigurationsReady', reconciling ? 'CONDITION_RECONCILING' : latestCreatedState, encoding, transitionMs),
    ],
    latestReadyRevision: latestReady ? revisionResourceName(service, latestReady.name) : '',
    latestCreatedRevision: latestCreated ? revisionResourceName(service, latestCreated.name) : '',
    uri: serviceUri(service),
    urls: [serviceUri(service)],
    reconciling,
    etag: serviceEtag(service),
  };
}

/** A v2 Revision resource as the REST API returns it. */
export function renderRevision(service: ServiceRecord, revision: RevisionRecord, now: number, encoding: EnumEncoding): Record<string, unknown> {
  const state = revisionState(revision, now);
  const transitionMs = Math.min(now, revision.settlesAtMs);
  const conditions = [
    condition('Ready', state, encoding, transitionMs, state === 'CONDITION_FAILED' ? (revision.message ?? undefined) : undefined),
    condition('ContainerHealthy', state, encoding, transitionMs),
    condition('ResourcesAvailable', state === 'CONDITION_RECONCILING' ? 'CONDITION_RECONCILING' : 'CONDITION_SUCCEEDED', encoding, transitionMs),
  ];
  return {
    name: revisionResourceName(service, revision.name),
    uid: revision.uid,
    generation: '1',
    labels: revision.labels,
    annotations: {},
    createTime: rfc3339(revision.createTimeMs),
    updateTime: rfc3339(Math.max(revision.createTimeMs, transitionMs)),
    launchStage: 'GA',
    service: serviceResourceName(service),
    containers: [{ image: revision.image, ports: [{ name: 'http1', containerPort: 8080 }] }],
    maxInstanceRequestConcurrency: 80,
    timeout: '300s',
    conditions,
    observedGeneration: '1',
    reconciling: state === 'CONDITION_RECONCILING',
    logUri: `https://console.cloud.google.com/logs/viewer?project=${service.project}&resource=cloud_run_revision/service_name/${service.name}/revision_name/${revision.name}`,
    etag: `"${stableHash(revision.uid).slice(0, 27)}"`,
  };
}

export function notFoundMessage(kind: 'SERVICE' | 'REVISION', name: string, region: string, project: string): string {
  return `Resource '${name}' of kind '${kind}' in region '${region}' in project '${project}' does not exist.`;
}
