// Reads Cloud Run functions (gen2 Cloud Functions) through the Cloud Functions v2 API, with the
// Cloud Run service each runs on: what serves a function's traffic is that service's revisions.
// The reader's reads go over REST (functionsRest.ts); the SDK client here lists a region's
// functions for scaffolding a configuration.
import type { Endpoints } from '../config';
import type { FunctionFacts, FunctionLookup, FunctionState, FunctionStateMessage, ServiceLookup } from '../model';
import { decideCredentials, urlTarget, type CredentialDecision, type CredentialPolicy } from './credentialPolicy';
import { applicationDefaultCredentials, CLOUD_PLATFORM_SCOPE } from './credentials';
import type { ApiFunction } from './functionsRest';
import { shortNameOrNull } from './resourceNames';
import { loadRunSdk, type RunSdk } from './sdk';
import { timestampToIso } from './timestamps';

export type FunctionsClient = InstanceType<ReturnType<RunSdk['functionServiceClient']>>;
type AuthClient = InstanceType<RunSdk['PassThroughClient']>;

export interface FunctionRef {
  project: string;
  region: string;
  name: string;
}

const DEFAULT_FUNCTIONS_ORIGIN = 'https://cloudfunctions.googleapis.com';
const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;
const UNAUTHENTICATED = 16;

/** `projects/P/locations/R/functions/F`: the function's name in the Cloud Functions API. */
export function functionResourceName(ref: FunctionRef): string {
  return `projects/${ref.project}/locations/${ref.region}/functions/${ref.name}`;
}

/** The origin the Cloud Functions API is called at: the configured endpoint's, or Google's. */
export function functionsOriginOf(endpoints: Endpoints): string {
  return endpoints.functions ? new URL(endpoints.functions).origin : DEFAULT_FUNCTIONS_ORIGIN;
}

/**
 * The Cloud Run service a function most likely runs on, before the API has said: its name in
 * lowercase with "_" as "-" (Cloud Run names allow neither capitals nor underscores).
 */
export function likelyServiceName(functionName: string): string {
  return functionName.toLowerCase().replace(/_/g, '-');
}

/** What lookupFunction needs from a reader: one API read of a function, and a service lookup. */
export interface FunctionReadDeps {
  /** Rejects with the API's error (a NOT_FOUND has code 5). */
  getFunction(name: string): Promise<ApiFunction>;
  lookupService(ref: FunctionRef): Promise<ServiceLookup>;
  /** Turns an API failure into a message and gRPC code. */
  describeError(err: unknown): { message: string; code: number | null };
  /** Called once the function has been read, with its labels (a hint of the commit it serves). */
  onFunctionRead?: (labels: Readonly<Record<string, string>>) => void;
  signal?: AbortSignal | undefined;
}

/**
 * The function, and the service it runs on. Both are asked for at once: the service under the name
 * it most likely has, so a function costs the same round trips as a service; only when the
 * function names another service is that one read afterwards.
 */
export async function lookupFunction(deps: FunctionReadDeps, ref: FunctionRef): Promise<FunctionLookup> {
  const guess = likelyServiceName(ref.name);
  const early = deps.lookupService({ ...ref, name: guess });
  early.catch(() => undefined);
  let api: ApiFunction;
  try {
    api = await deps.getFunction(functionResourceName(ref));
  } catch (err) {
    if (deps.signal?.aborted) throw deps.signal.reason;
    const { message, code } = deps.describeError(err);
    if (code === NOT_FOUND) return { kind: 'not-found', message: `${ref.name} does not exist in Cloud Functions (${ref.project}/${ref.region})` };
    return { kind: 'error', message, code };
  }
  const facts = functionFacts(ref, api);
  deps.onFunctionRead?.(facts.labels);
  const service = facts.service === null || facts.service === guess ? await early : await deps.lookupService({ ...ref, name: facts.service });
  return { kind: 'found', facts, service };
}

const STATES: Record<string | number, FunctionState> = { 1: 'ACTIVE', 2: 'FAILED', 3: 'DEPLOYING', 4: 'DELETING', 5: 'UNKNOWN' };
const SEVERITIES: Record<string | number, string> = { 1: 'ERROR', 2: 'WARNING', 3: 'INFO' };

export function functionFacts(ref: FunctionRef, api: ApiFunction): FunctionFacts {
  const state = api.state ?? 0;
  const severity = (value: unknown): string => (typeof value === 'number' ? SEVERITIES[value] ?? 'SEVERITY_UNSPECIFIED' : String(value ?? 'SEVERITY_UNSPECIFIED'));
  const stateMessages: FunctionStateMessage[] = (api.stateMessages ?? []).map((m) => ({ severity: severity(m.severity), type: m.type ?? '', message: m.message ?? '' }));
  return {
    name: ref.name,
    project: ref.project,
    region: ref.region,
    state: typeof state === 'number' ? STATES[state] ?? 'STATE_UNSPECIFIED' : ((Object.values(STATES) as string[]).includes(state) ? (state as FunctionState) : 'STATE_UNSPECIFIED'),
    stateMessages,
    labels: { ...(api.labels ?? {}) },
    updateTime: timestampToIso(api.updateTime),
    build: shortNameOrNull(api.buildConfig?.build),
    service: shortNameOrNull(api.serviceConfig?.service),
    revision: shortNameOrNull(api.serviceConfig?.revision),
  };
}

/** An error creating the client, with the gRPC-style code a read failure would have. */
export class FunctionsClientError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'FunctionsClientError';
  }
}

/** What credentials the Cloud Functions API at `endpoints.functions` gets, decided before anything loads or credentials are looked up. */
export function functionsCredentials(endpoints: Endpoints, policy: CredentialPolicy): CredentialDecision {
  const target = endpoints.functions ? new URL(endpoints.functions) : null;
  return decideCredentials(target && urlTarget('endpoints.functions', endpoints.functions!, target), policy);
}

/**
 * The Cloud Functions v2 client (REST transport) for `endpoints.functions`, or Google's endpoint.
 * The credential policy decides before the SDK loads or credentials are looked up, as for Cloud Run.
 * `routeApiCalls` lets the caller send the API's calls through its own fetch.
 */
export async function createFunctionsClient(endpoints: Endpoints, policy: CredentialPolicy, routeApiCalls: (authClient: AuthClient, apiOrigin: string) => void): Promise<FunctionsClient> {
  const target = endpoints.functions ? new URL(endpoints.functions) : null;
  const decision = functionsCredentials(endpoints, policy);
  if (decision.kind === 'refused') throw new FunctionsClientError(decision.message, INVALID_ARGUMENT);
  const sdk = loadRunSdk();
  const FunctionServiceClient = sdk.functionServiceClient();
  const origin = functionsOriginOf(endpoints);
  if (target && decision.kind === 'emulator') {
    // A local emulator: no credentials, so none are looked up, stored or sent.
    const authClient = new sdk.PassThroughClient();
    routeApiCalls(authClient, origin);
    return new FunctionServiceClient({ apiEndpoint: target.hostname, port: Number(target.port || 80), protocol: 'http', fallback: true, authClient });
  }
  const authClient = await applicationDefaultCredentials(sdk.GoogleAuth, CLOUD_PLATFORM_SCOPE, policy, (message) => new FunctionsClientError(message, UNAUTHENTICATED));
  routeApiCalls(authClient, origin);
  return new FunctionServiceClient({ fallback: true, authClient, ...(target ? { apiEndpoint: target.hostname, port: Number(target.port || 443) } : {}) });
}
