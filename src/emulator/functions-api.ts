// Emulated Cloud Functions v2 API (REST, as @google-cloud/functions sends it in fallback mode): the
// read methods the product uses, over the same Cloud Run state as the Run API, plus control actions.
//
//   GET /v2/projects/{p}/locations/{l}/functions        ListFunctions (pageSize, pageToken; l may be "-")
//   GET /v2/projects/{p}/locations/{l}/functions/{f}    GetFunction
//
// Both honor the `fields` system parameter (fieldSelection.ts).
//
// Control actions (POST /control/<action>):
//   deploy-function  {project, region, function, labels?, revisionLabels?, image?, buildMs?, failBuild?}
//                    deploys a new version: a revision on the function's Cloud Run service (labels too,
//                    unless revisionLabels is false), DEPLOYING for buildMs; with failBuild (the build's
//                    message) no revision is created and the function ends FAILED, the old one serving
//   function         <a function in the scenario shape>  creates or replaces one
// Fault rules with "api": "functions" apply to operations getFunction and listFunctions ("service" matches the function).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiModuleContext, EmulatedApiModule } from './api';
import { sendGoogleError } from './control';
import { sendSelectedJson } from './fieldSelection';
import { sleep } from './faults';
import { expectBoolean, expectInteger, expectKnownKeys, expectLabels, expectObject, expectString, optionalString, PROJECT_EXPECTED, PROJECT_PATTERN, REGION_EXPECTED, REGION_PATTERN } from './scenario';
import { FUNCTION_EXPECTED, FUNCTION_NAME_PATTERN, parseFunctionSpec, parseFunctionsSection, type ScenarioFunctionsSection } from './functions-scenario';
import { functionResourceName, FunctionsState, renderFunction, type FunctionDeployRequest, type FunctionRecord } from './functions-state';
import { pageBody, parsePaging } from './paging';
import type { EnumEncoding, RunState } from './run-state';

const FUNCTIONS_PATH = /^\/v2\/projects\/([^/]+)\/locations\/([^/]+)\/functions(?:\/([^/]+))?$/;

export interface FunctionsApiModule extends EmulatedApiModule {
  readonly state: FunctionsState;
}

export function createFunctionsApi(ctx: ApiModuleContext, run: RunState): FunctionsApiModule {
  const state = new FunctionsState(() => ctx.now(), run);
  let loaded: ScenarioFunctionsSection = { functions: [] };

  async function handleHttp(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const match = FUNCTIONS_PATH.exec(url.pathname);
    if (!match) return false;
    const [project, location, name] = match.slice(1).map((s) => (s === undefined ? undefined : decodeURIComponent(s)));
    if (project === undefined || location === undefined) return false;
    if (req.method !== 'GET' || (name ?? '').includes(':')) {
      sendGoogleError(res, 501, `The emulator implements only the read methods of the Cloud Functions v2 API (got ${req.method ?? '?'} ${url.pathname}); change state through POST /control/<action>.`);
      return true;
    }
    const operation = name === undefined ? 'listFunctions' : 'getFunction';
    const fault = ctx.faults.match('functions', operation, name, location);
    if (fault) {
      await sleep(fault.latencyMs);
      if (fault.error) {
        sendGoogleError(res, fault.error.httpStatus, fault.error.message);
        return true;
      }
    }
    const encoding: EnumEncoding = (url.searchParams.get('$alt') ?? '').includes('enum-encoding=int') ? 'int' : 'name';
    const now = ctx.now();
    if (!run.hasProject(project) && !state.hasProject(project)) {
      sendGoogleError(res, 404, `Project '${project}' not found or the caller lacks access to it.`);
      return true;
    }
    if (!(REGION_PATTERN.test(location) || (location === '-' && operation === 'listFunctions'))) {
      sendGoogleError(res, 404, `Location '${location}' is not a Cloud Functions region.`);
      return true;
    }
    if (operation === 'listFunctions') {
      const page = parsePaging(url);
      if ('error' in page) {
        sendGoogleError(res, 400, page.error);
        return true;
      }
      sendSelectedJson(res, url, pageBody('functions', state.list(project, location).map((f) => renderFunction(f, now, encoding)), page));
      return true;
    }
    const record = state.get(project, location, name!);
    if (!record) {
      sendGoogleError(res, 404, `Resource '${functionResourceName({ project, region: location, name: name! })}' was not found`);
      return true;
    }
    sendSelectedJson(res, url, renderFunction(record, now, encoding));
    return true;
  }

  function summary(record: FunctionRecord): unknown {
    return renderFunction(record, ctx.now(), 'name');
  }

  async function handleControl(action: string, payload: unknown): Promise<unknown | undefined> {
    switch (action) {
      case 'deploy-function':
        return summary(state.deploy(parseDeployPayload(payload)));
      case 'function':
        return summary(state.put(parseFunctionSpec(payload, '$')));
      default:
        return undefined;
    }
  }

  return {
    state,
    handleHttp,
    handleControl,
    load(section: unknown): void {
      loaded = parseFunctionsSection(section, '$.functions');
      state.load(loaded.functions);
    },
    reset(): void {
      state.load(loaded.functions);
    },
    snapshot(): unknown {
      return state.snapshot();
    },
    async close(): Promise<void> {},
  };
}

const DEPLOY_KEYS = ['project', 'region', 'function', 'labels', 'revisionLabels', 'image', 'buildMs', 'failBuild'] as const;

function parseDeployPayload(payload: unknown): FunctionDeployRequest {
  const object = expectObject(payload, '$', 'an object like {"project": "p", "region": "us-west2", "function": "fn", "labels": {"commit-sha": "1a2b3c4"}}');
  expectKnownKeys(object, '$', DEPLOY_KEYS);
  const request: FunctionDeployRequest = {
    project: expectString(object.project, '$.project', PROJECT_PATTERN, PROJECT_EXPECTED),
    region: expectString(object.region, '$.region', REGION_PATTERN, REGION_EXPECTED),
    function: expectString(object.function, '$.function', FUNCTION_NAME_PATTERN, FUNCTION_EXPECTED),
  };
  if (object.labels !== undefined) request.labels = expectLabels(object.labels, '$.labels');
  if (object.revisionLabels !== undefined) request.revisionLabels = expectBoolean(object.revisionLabels, '$.revisionLabels');
  const image = optionalString(object.image, '$.image', /^\S+$/, 'a container image reference');
  if (image !== undefined) request.image = image;
  if (object.buildMs !== undefined) request.buildMs = expectInteger(object.buildMs, '$.buildMs', 0, 86_400_000);
  const failBuild = optionalString(object.failBuild, '$.failBuild', /\S/, 'the failed build\'s message');
  if (failBuild !== undefined) request.failBuild = failBuild;
  return request;
}
