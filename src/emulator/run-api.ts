// Emulated Cloud Run Admin API v2 (REST, as @google-cloud/run sends it in fallback mode) plus the
// Cloud Run control actions. Over REST a service changes only its traffic (UpdateService); deploys
// go through control. Jobs and executions (jobs/api.ts) also answer RunJob and CancelExecution.
//
//   GET   /v2/projects/{p}/locations/{l}/services                      ListServices  (pageSize, pageToken)
//   GET   /v2/projects/{p}/locations/{l}/services/{s}                  GetService
//   PATCH /v2/projects/{p}/locations/{l}/services/{s}                  UpdateService (traffic only; etag checked)
//   GET   /v2/projects/{p}/locations/{l}/services/{s}/revisions        ListRevisions (newest first)
//   GET   /v2/projects/{p}/locations/{l}/services/{s}/revisions/{r}    GetRevision
//
// UpdateService answers a long-running operation that is not done; the service then reconciles (a
// new generation, `reconciling`, the previous routing still in trafficStatuses) for the time the
// control action `traffic-plan` sets (default 1 s), then serves the new split, or fails for a
// revision `traffic-plan` calls unservable (the terminal condition says why; the previous routing
// keeps serving). Traffic to a revision whose Ready condition failed is refused at once (400).
// The operation itself cannot be read back.
//
// The client asks `$alt=json;enum-encoding=int`, so enums are answered as numbers in that case
// (names otherwise), as Google does. Every read of a service, a revision, a job or an execution
// honors the `fields` system parameter (fieldSelection.ts).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScenarioError, type ApiModuleContext, type EmulatedApiModule } from './api';
import { ControlError, sendGoogleError, sendJson } from './control';
import { sendSelectedJson } from './fieldSelection';
import { sleep } from './faults';
import { createJobsApi } from './jobs/api';
import { parseJobsSection } from './jobs/scenario';
import { pageBody, parsePaging } from './paging';
import {
  childPath,
  expectBoolean,
  expectInteger,
  expectKnownKeys,
  expectLabels,
  expectObject,
  expectString,
  optionalString,
  parseRunSection,
  parseServiceSpec,
  parseTrafficSpec,
  PROJECT_EXPECTED,
  PROJECT_PATTERN,
  REGION_EXPECTED,
  REGION_PATTERN,
  SERVICE_EXPECTED,
  SERVICE_NAME_PATTERN,
  type ScenarioRunSection,
  type ScenarioTrafficTarget,
} from './scenario';
import {
  notFoundMessage,
  renderRevision,
  renderService,
  revisionState,
  RunState,
  serviceEtag,
  serviceResourceName,
  type DeployRequest,
  type EnumEncoding,
  type ServiceRecord,
} from './run-state';

export interface RunApiModule extends EmulatedApiModule {
  readonly state: RunState;
}

const RUN_PATH = /^\/v2\/projects\/([^/]+)\/locations\/([^/]+)\/services(?:\/([^/]+)(?:\/revisions(?:\/([^/]+))?)?)?$/;

export function createRunApi(ctx: ApiModuleContext): RunApiModule {
  const state = new RunState(() => ctx.now());
  const jobs = createJobsApi(ctx, state);
  let loaded: ScenarioRunSection = {};

  async function handleHttp(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<boolean> {
    const match = RUN_PATH.exec(url.pathname);
    if (!match) return jobs.handleHttp(req, res, url, body);
    const [project, location, service, revision] = match.slice(1).map((s) => (s === undefined ? undefined : decodeURIComponent(s)));
    if (project === undefined || location === undefined) return false;
    const lastSegment = revision ?? service ?? '';
    const isUpdate = req.method === 'PATCH' && service !== undefined && !url.pathname.endsWith('/revisions') && revision === undefined;
    if ((req.method !== 'GET' && !isUpdate) || lastSegment.includes(':')) {
      sendGoogleError(res, 501, `The emulator implements the read methods of the Cloud Run Admin API v2 and UpdateService for traffic (got ${req.method ?? '?'} ${url.pathname}); change other state through POST /control/<action>.`);
      return true;
    }
    const isList = url.pathname.endsWith('/services') || url.pathname.endsWith('/revisions');
    const operation = isUpdate
      ? 'updateService'
      : revision !== undefined
        ? 'getRevision'
        : url.pathname.endsWith('/revisions')
          ? 'listRevisions'
          : service !== undefined
            ? 'getService'
            : 'listServices';

    const fault = ctx.faults.match('run', operation, service, location);
    if (fault) {
      await sleep(fault.latencyMs);
      if (fault.error) {
        sendGoogleError(res, fault.error.httpStatus, fault.error.message);
        return true;
      }
    }

    const encoding: EnumEncoding = (url.searchParams.get('$alt') ?? '').includes('enum-encoding=int') ? 'int' : 'name';
    const now = ctx.now();

    if (location === '-' && operation === 'listServices') {
      sendGoogleError(res, 400, 'Listing services across all locations ("-") is not supported; list each region.');
      return true;
    }
    if (!state.hasProject(project)) {
      sendGoogleError(res, 404, `Project '${project}' not found or the caller lacks access to it.`);
      return true;
    }
    if (!REGION_PATTERN.test(location)) {
      sendGoogleError(res, 404, `Location '${location}' is not a Cloud Run region.`);
      return true;
    }

    let page: { offset: number; size: number } | null = null;
    if (isList) {
      const parsed = parsePaging(url);
      if ('error' in parsed) {
        sendGoogleError(res, 400, parsed.error);
        return true;
      }
      page = parsed;
    }

    if (operation === 'listServices') {
      const all = state.listServices(project, location);
      sendSelectedJson(res, url, pageBody('services', all.map((s) => renderService(s, now, encoding)), page!));
      return true;
    }

    const record = state.getService(project, location, service!);
    if (!record) {
      sendGoogleError(res, 404, notFoundMessage('SERVICE', service!, location, project));
      return true;
    }
    if (operation === 'getService') {
      sendSelectedJson(res, url, renderService(record, now, encoding));
      return true;
    }
    if (operation === 'updateService') {
      const problem = applyTrafficUpdate(record, url, body);
      if (problem) sendGoogleError(res, problem.httpStatus, problem.message);
      else sendJson(res, 200, { name: `projects/${project}/locations/${location}/operations/${randomUUID()}`, metadata: { '@type': SERVICE_TYPE_URL, ...renderService(record, ctx.now(), encoding) }, done: false });
      return true;
    }
    if (operation === 'listRevisions') {
      // Newest first, as `gcloud run revisions list` shows them.
      const revisions = [...record.revisions].reverse().map((r) => renderRevision(record, r, now, encoding));
      sendSelectedJson(res, url, pageBody('revisions', revisions, page!));
      return true;
    }
    const found = record.revisions.find((r) => r.name === revision);
    if (!found) {
      sendGoogleError(res, 404, notFoundMessage('REVISION', revision!, location, project));
      return true;
    }
    sendSelectedJson(res, url, renderRevision(record, found, now, encoding));
    return true;
  }

  /** UpdateService's body applied to the service's traffic, or why it is refused. */
  function applyTrafficUpdate(record: ServiceRecord, url: URL, body: Buffer): { httpStatus: number; message: string } | null {
    let update: Record<string, unknown>;
    try {
      update = expectObject(JSON.parse(body.toString('utf8')) as unknown, '$', 'a Service');
    } catch (err) {
      return { httpStatus: 400, message: `Invalid Service in the request body: ${(err as Error).message}` };
    }
    const mask = url.searchParams.get('updateMask');
    if (mask !== null && mask !== 'traffic') return { httpStatus: 501, message: `The emulator updates only "traffic" (got updateMask=${mask}).` };
    if (update.etag !== undefined && update.etag !== serviceEtag(record)) {
      return { httpStatus: 409, message: `The service ${record.name} changed since it was read (etag ${String(update.etag)} is not the current one); read it again.` };
    }
    if (mask === null && !sameTemplate(record, update.template)) {
      return { httpStatus: 501, message: 'The emulator applies only traffic changes through UpdateService; deploy a new revision through POST /control/deploy.' };
    }
    let targets: ScenarioTrafficTarget[];
    try {
      targets = parseTrafficSpec(apiTrafficToScenario(update.traffic), '$.traffic', new Set(record.revisions.map((r) => r.name)), record.revisions.length > 0);
    } catch (err) {
      if (err instanceof ScenarioError) return { httpStatus: 400, message: `Invalid traffic: ${err.message}` };
      throw err;
    }
    if (targets.length === 0) return { httpStatus: 400, message: 'Invalid traffic: at least one traffic target is required.' };
    const now = ctx.now();
    for (const target of targets) {
      if (!('revision' in target) || target.percent === 0) continue;
      const found = record.revisions.find((r) => r.name === target.revision)!;
      if (revisionState(found, now) === 'CONDITION_FAILED') {
        return { httpStatus: 400, message: `Revision '${found.name}' is not ready and cannot serve traffic. ${found.message ?? ''}`.trim() };
      }
    }
    state.updateTraffic(record, targets);
    return null;
  }

  async function handleControl(action: string, payload: unknown): Promise<unknown | undefined> {
    switch (action) {
      case 'traffic-plan': {
        const object = expectObject(payload, '$', 'an object like {"project", "region", "service", "reconcilingMs": 0, "unservable": {"svc-00001-abc": "Image not found"}}');
        expectKnownKeys(object, '$', ['project', 'region', 'service', 'reconcilingMs', 'unservable']);
        const record = existingService(object);
        const reconcilingMs = object.reconcilingMs === undefined ? record.trafficPlan.reconcilingMs : expectInteger(object.reconcilingMs, '$.reconcilingMs', 0, 86_400_000);
        const unservable: Record<string, string> = { ...record.trafficPlan.unservable };
        if (object.unservable !== undefined) {
          const given = expectObject(object.unservable, '$.unservable', 'an object of revision names and why each cannot serve, like {"svc-00001-abc": "Image not found"}');
          for (const [name, why] of Object.entries(given)) {
            const path = childPath('$.unservable', name);
            if (!record.revisions.some((r) => r.name === name)) throw new ScenarioError(path, `the name of one of ${record.name}'s revisions`);
            unservable[name] = expectString(why, path, /\S/, 'why the revision cannot serve');
          }
        }
        record.trafficPlan = { reconcilingMs, unservable: { ...unservable } };
        return { ...record.trafficPlan };
      }
      case 'deploy':
        return state.deploy(parseDeployPayload(payload));
      case 'traffic': {
        const object = expectObject(payload, '$', 'an object like {"project", "region", "service", "traffic": [...]}');
        expectKnownKeys(object, '$', ['project', 'region', 'service', 'traffic']);
        const record = existingService(object);
        const targets = parseTrafficSpec(object.traffic, '$.traffic', new Set(record.revisions.map((r) => r.name)), record.revisions.length > 0);
        if (targets.length === 0) throw new ScenarioError('$.traffic', 'at least one traffic target');
        state.setTraffic(record, targets);
        return serviceSummary(record);
      }
      case 'service': {
        const spec = parseServiceSpec(payload, '$');
        return serviceSummary(state.putService(spec));
      }
      case 'delete-service': {
        const object = expectObject(payload, '$', 'an object like {"project", "region", "service"}');
        expectKnownKeys(object, '$', ['project', 'region', 'service']);
        const record = existingService(object);
        state.deleteService(record.project, record.region, record.name);
        return { deleted: serviceResourceName(record) };
      }
      default:
        return jobs.handleControl(action, payload);
    }
  }

  function existingService(object: Record<string, unknown>): ServiceRecord {
    const { project, region, service } = serviceCoordinates(object);
    const record = state.getService(project, region, service);
    if (!record) throw new ControlError(404, notFoundMessage('SERVICE', service, region, project));
    return record;
  }

  function serviceSummary(record: ServiceRecord): unknown {
    const snapshot = state.snapshot() as { services: { project: string; region: string; name: string }[] };
    return snapshot.services.find((s) => s.project === record.project && s.region === record.region && s.name === record.name);
  }

  return {
    state,
    handleHttp,
    handleControl,
    load(section: unknown): void {
      // Everything is validated before anything changes.
      const parsed = parseRunSection(section, '$.run');
      const jobSpecs = parseJobsSection(section, '$.run');
      state.load(parsed);
      jobs.load(jobSpecs);
      loaded = parsed;
    },
    reset(): void {
      state.load(loaded);
      jobs.reset();
    },
    snapshot(): unknown {
      return { ...(state.snapshot() as Record<string, unknown>), jobs: jobs.snapshot() };
    },
    async close(): Promise<void> {
      jobs.close();
    },
  };
}

const SERVICE_TYPE_URL = 'type.googleapis.com/google.cloud.run.v2.Service';
const TRAFFIC_LATEST = new Set<unknown>([1, 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST']);

/** The API's traffic targets ({type, revision, percent, tag}) in the scenario's shape, for parseTrafficSpec to check. */
function apiTrafficToScenario(traffic: unknown): unknown {
  if (!Array.isArray(traffic)) return traffic;
  return traffic.map((t: unknown) => {
    if (typeof t !== 'object' || t === null) return t;
    const { type, revision, percent, tag } = t as Record<string, unknown>;
    const target: Record<string, unknown> = TRAFFIC_LATEST.has(type) || (!revision && type === undefined) ? { latest: true } : { revision };
    target.percent = percent ?? 0;
    if (tag) target.tag = tag;
    return target;
  });
}

/** Whether an UpdateService body leaves the revision template as the latest revision has it (labels and image). */
function sameTemplate(record: ServiceRecord, template: unknown): boolean {
  const latest = record.revisions[record.revisions.length - 1];
  const body = (typeof template === 'object' && template !== null ? template : {}) as { labels?: Record<string, string>; containers?: { image?: string }[] };
  const labels = body.labels ?? {};
  const expected = latest?.labels ?? {};
  const sameLabels = Object.keys(labels).length === Object.keys(expected).length && Object.entries(expected).every(([k, v]) => labels[k] === v);
  return sameLabels && (body.containers?.[0]?.image ?? latest?.image) === latest?.image;
}

function serviceCoordinates(object: Record<string, unknown>): { project: string; region: string; service: string } {
  return {
    project: expectString(object.project, '$.project', PROJECT_PATTERN, PROJECT_EXPECTED),
    region: expectString(object.region, '$.region', REGION_PATTERN, REGION_EXPECTED),
    service: expectString(object.service, '$.service', SERVICE_NAME_PATTERN, SERVICE_EXPECTED),
  };
}

const DEPLOY_KEYS = ['project', 'region', 'service', 'labels', 'image', 'ready', 'message', 'moveTraffic', 'reconcilingMs'] as const;

function parseDeployPayload(payload: unknown): DeployRequest {
  const object = expectObject(payload, '$', 'an object like {"project": "p", "region": "us-west2", "service": "svc", "labels": {"commit-sha": "1a2b3c4"}}');
  expectKnownKeys(object, '$', DEPLOY_KEYS);
  const request: DeployRequest = serviceCoordinates(object);
  if (object.labels !== undefined) request.labels = expectLabels(object.labels, '$.labels');
  const image = optionalString(object.image, '$.image', /^\S+$/, 'a container image reference');
  if (image !== undefined) request.image = image;
  if (object.ready !== undefined) request.ready = expectBoolean(object.ready, '$.ready');
  const message = optionalString(object.message, '$.message');
  if (message !== undefined) request.message = message;
  if (object.moveTraffic !== undefined) request.moveTraffic = expectBoolean(object.moveTraffic, '$.moveTraffic');
  if (object.reconcilingMs !== undefined) request.reconcilingMs = expectInteger(object.reconcilingMs, '$.reconcilingMs', 0, 86_400_000);
  return request;
}
