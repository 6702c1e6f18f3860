// Emulated Cloud Run Admin API v2 (REST, as @google-cloud/run sends it in fallback mode) plus the
// Cloud Run control actions. Services are read-only over REST: the emulator changes them only through
// control. Jobs and executions (jobs/api.ts) also answer RunJob and CancelExecution.
//
//   GET /v2/projects/{p}/locations/{l}/services                      ListServices  (pageSize, pageToken)
//   GET /v2/projects/{p}/locations/{l}/services/{s}                  GetService
//   GET /v2/projects/{p}/locations/{l}/services/{s}/revisions        ListRevisions (newest first)
//   GET /v2/projects/{p}/locations/{l}/services/{s}/revisions/{r}    GetRevision
//
// The client asks `$alt=json;enum-encoding=int`, so enums are answered as numbers in that case
// (names otherwise), as Google does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScenarioError, type ApiModuleContext, type EmulatedApiModule } from './api';
import { ControlError, sendGoogleError, sendJson } from './control';
import { sleep } from './faults';
import { createJobsApi } from './jobs/api';
import { parseJobsSection } from './jobs/scenario';
import { pageBody, parsePaging } from './paging';
import {
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
} from './scenario';
import {
  notFoundMessage,
  renderRevision,
  renderService,
  RunState,
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
    if (req.method !== 'GET' || lastSegment.includes(':')) {
      sendGoogleError(res, 501, `The emulator implements only the read methods of the Cloud Run Admin API v2 (got ${req.method ?? '?'} ${url.pathname}); change state through POST /control/<action>.`);
      return true;
    }
    const isList = url.pathname.endsWith('/services') || url.pathname.endsWith('/revisions');
    const operation =
      revision !== undefined ? 'getRevision' : url.pathname.endsWith('/revisions') ? 'listRevisions' : service !== undefined ? 'getService' : 'listServices';

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
      sendJson(res, 200, pageBody('services', all.map((s) => renderService(s, now, encoding)), page!));
      return true;
    }

    const record = state.getService(project, location, service!);
    if (!record) {
      sendGoogleError(res, 404, notFoundMessage('SERVICE', service!, location, project));
      return true;
    }
    if (operation === 'getService') {
      sendJson(res, 200, renderService(record, now, encoding));
      return true;
    }
    if (operation === 'listRevisions') {
      // Newest first, as `gcloud run revisions list` shows them.
      const revisions = [...record.revisions].reverse().map((r) => renderRevision(record, r, now, encoding));
      sendJson(res, 200, pageBody('revisions', revisions, page!));
      return true;
    }
    const found = record.revisions.find((r) => r.name === revision);
    if (!found) {
      sendGoogleError(res, 404, notFoundMessage('REVISION', revision!, location, project));
      return true;
    }
    sendJson(res, 200, renderRevision(record, found, now, encoding));
    return true;
  }

  async function handleControl(action: string, payload: unknown): Promise<unknown | undefined> {
    switch (action) {
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
