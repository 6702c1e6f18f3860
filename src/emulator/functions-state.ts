// Cloud Run functions (gen2 Cloud Functions) held by the emulator, and their rendering as Cloud
// Functions v2 API JSON. A function runs on a Cloud Run service of the Run state: deploying one
// creates a revision there, so the Run API and the Functions API tell one story.
//
// A deploy may take time (`buildMs`: DEPLOYING until then, computed from the clock when rendered, as
// Cloud Run's rollouts are) and its build may fail: then no revision is created, the old one keeps
// serving, and the function says FAILED with the build's message, its labels already those of the
// failed deploy (only `buildConfig.build`, "the latest successful deployment", stays behind).
import { randomUUID } from 'node:crypto';
import { defaultServiceName, type FunctionState, type MessageSeverity, type ScenarioFunction, type ScenarioStateMessage } from './functions-scenario';
import { latestReadyRevision, stableHash, type EnumEncoding, type RunState } from './run-state';

export interface FunctionRecord {
  project: string;
  region: string;
  name: string;
  /** The Cloud Run service it runs on (short name). */
  service: string;
  labels: Record<string, string>;
  createTimeMs: number;
  updateTimeMs: number;
  /** serviceConfig.revision: the revision its last successful deploy created (short name). */
  revision: string | null;
  /** Id of the last successful build. */
  build: string;
  /** The state once any deploy in progress has settled, with its messages. */
  state: FunctionState;
  stateMessages: ScenarioStateMessage[];
  /** A deploy in progress: until `untilMs` the function is DEPLOYING and shows what it had before. */
  deploying: { untilMs: number; revision: string | null; build: string } | null;
}

export interface FunctionDeployRequest {
  project: string;
  region: string;
  function: string;
  /** Merged over the function's labels, as `gcloud functions deploy --update-labels` does. */
  labels?: Record<string, string>;
  /** Default true: the labels reach the new revision too. False: the revision carries none of them. */
  revisionLabels?: boolean;
  image?: string;
  /** How long the deploy takes (build and rollout); DEPLOYING meanwhile. Default 0. */
  buildMs?: number;
  /** The build fails with this message: no revision is created and the old one keeps serving. */
  failBuild?: string;
}

const STATE = { ACTIVE: 1, FAILED: 2, DEPLOYING: 3, UNKNOWN: 5 } as const satisfies Record<FunctionState, number>;
const SEVERITY = { ERROR: 1, WARNING: 2, INFO: 3 } as const satisfies Record<MessageSeverity, number>;
const GEN_2 = 2;
/** The label Google puts on the Cloud Run service of a gen2 function. */
const MANAGED_BY = { 'goog-managed-by': 'cloudfunctions' } as const;

function functionKey(project: string, region: string, name: string): string {
  return `${project}/${region}/${name}`;
}

export function functionResourceName(f: Pick<FunctionRecord, 'project' | 'region' | 'name'>): string {
  return `projects/${f.project}/locations/${f.region}/functions/${f.name}`;
}

export class FunctionsState {
  private functions = new Map<string, FunctionRecord>();

  constructor(
    private readonly now: () => number,
    private readonly run: RunState,
  ) {}

  load(specs: readonly ScenarioFunction[]): void {
    this.functions.clear();
    for (const spec of specs) this.put(spec);
  }

  /** Creates or replaces a function from the scenario shape. */
  put(spec: ScenarioFunction): FunctionRecord {
    const now = this.now();
    const service = spec.service ?? defaultServiceName(spec.name);
    const serviceRecord = this.run.getService(spec.project, spec.region, service);
    const updateTimeMs = spec.updateTime !== undefined ? Date.parse(spec.updateTime) : now;
    const record: FunctionRecord = {
      project: spec.project,
      region: spec.region,
      name: spec.name,
      service,
      labels: { ...(spec.labels ?? {}) },
      createTimeMs: Math.min(updateTimeMs, serviceRecord?.createTimeMs ?? updateTimeMs),
      updateTimeMs,
      revision: spec.revision ?? (serviceRecord ? latestReadyRevision(serviceRecord, now)?.name ?? null : null),
      build: spec.build ?? stableHash(`build/${spec.project}/${spec.region}/${spec.name}`).slice(0, 32),
      state: spec.state ?? 'ACTIVE',
      stateMessages: (spec.stateMessages ?? []).map((m) => ({ ...m })),
      deploying: null,
    };
    this.functions.set(functionKey(spec.project, spec.region, spec.name), record);
    this.run.addProject(spec.project);
    return record;
  }

  get(project: string, region: string, name: string): FunctionRecord | undefined {
    return this.functions.get(functionKey(project, region, name));
  }

  /** Functions of one project, in one region or (`-`) all of them, in creation order. */
  list(project: string, region: string): FunctionRecord[] {
    return [...this.functions.values()].filter((f) => f.project === project && (region === '-' || f.region === region));
  }

  hasProject(project: string): boolean {
    return [...this.functions.values()].some((f) => f.project === project);
  }

  deploy(request: FunctionDeployRequest): FunctionRecord {
    const now = this.now();
    const record =
      this.get(request.project, request.region, request.function) ??
      this.put({ project: request.project, region: request.region, name: request.function, updateTime: new Date(now).toISOString() });
    const buildMs = request.buildMs ?? 0;
    record.deploying = buildMs > 0 ? { untilMs: now + buildMs, revision: record.revision, build: record.build } : null;
    record.labels = { ...record.labels, ...(request.labels ?? {}) };
    record.updateTimeMs = now;
    if (request.failBuild !== undefined) {
      record.state = 'FAILED';
      record.stateMessages = [{ severity: 'ERROR', type: 'BuildFailed', message: request.failBuild }];
      return record;
    }
    const revisionLabels = request.revisionLabels ?? true;
    const deployed = this.run.deploy({
      project: record.project,
      region: record.region,
      service: record.service,
      labels: { ...MANAGED_BY, ...(revisionLabels ? request.labels ?? {} : {}) },
      keepPreviousLabels: revisionLabels,
      ...(request.image !== undefined ? { image: request.image } : {}),
      reconcilingMs: buildMs,
    });
    record.revision = deployed.revision;
    record.build = randomUUID();
    record.state = 'ACTIVE';
    record.stateMessages = [];
    return record;
  }

  snapshot(): unknown {
    const now = this.now();
    return [...this.functions.values()].map((f) => {
      const view = settledView(f, now);
      return { project: f.project, region: f.region, name: f.name, service: f.service, state: view.state, stateMessages: view.stateMessages, labels: f.labels, revision: view.revision, build: view.build };
    });
  }
}

/** What the function shows at `now`: a deploy in progress hides what it is going to change. */
function settledView(f: FunctionRecord, now: number): { state: FunctionState; stateMessages: ScenarioStateMessage[]; revision: string | null; build: string } {
  if (f.deploying && now < f.deploying.untilMs) return { state: 'DEPLOYING', stateMessages: [], revision: f.deploying.revision, build: f.deploying.build };
  return { state: f.state, stateMessages: f.stateMessages, revision: f.revision, build: f.build };
}

function encode<T extends Record<string, number>>(table: T, name: keyof T & string, encoding: EnumEncoding): string | number {
  return encoding === 'int' ? table[name]! : name;
}

/** A v2 Function resource as the REST API returns it. */
export function renderFunction(f: FunctionRecord, now: number, encoding: EnumEncoding): Record<string, unknown> {
  const view = settledView(f, now);
  const projectNumber = parseInt(stableHash(f.project).slice(0, 10), 16).toString().slice(0, 12);
  const serviceUri = `https://${f.service}-${projectNumber}.${f.region}.run.app`;
  return {
    name: functionResourceName(f),
    description: '',
    buildConfig: {
      build: `projects/${projectNumber}/locations/${f.region}/builds/${view.build}`,
      runtime: 'python311',
      entryPoint: 'main',
      dockerRepository: `projects/${f.project}/locations/${f.region}/repositories/gcf-artifacts`,
    },
    serviceConfig: {
      service: `projects/${f.project}/locations/${f.region}/services/${f.service}`,
      revision: view.revision ?? '',
      uri: serviceUri,
      timeoutSeconds: 60,
      availableMemory: '256M',
      maxInstanceCount: 100,
      allTrafficOnLatestRevision: true,
    },
    state: encode(STATE, view.state, encoding),
    updateTime: new Date(f.updateTimeMs).toISOString(),
    createTime: new Date(f.createTimeMs).toISOString(),
    labels: f.labels,
    stateMessages: view.stateMessages.map((m) => ({ severity: encode(SEVERITY, m.severity, encoding), type: m.type, message: m.message })),
    environment: encoding === 'int' ? GEN_2 : 'GEN_2',
    url: serviceUri,
  };
}
