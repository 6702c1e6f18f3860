// How the reader reaches the Run API with credentials: the sender of its reads over REST with
// Application Default Credentials (over one HTTP/2 session per origin where it may; a loopback
// emulator is read with restTransport.ts's plainSend instead), and the `@google-cloud/run` clients
// of its writes. What credentials an endpoint gets is the credential policy's decision
// (credentialPolicy.ts), taken before anything is loaded.
import type { Endpoints } from '../config';
import { CloudRunError, INVALID_ARGUMENT, UNAUTHENTICATED } from './apiErrors';
import { decideCredentials, urlTarget, type CredentialDecision, type CredentialPolicy } from './credentialPolicy';
import { applicationDefaultCredentials, CLOUD_PLATFORM_SCOPE, type AdcClient } from './credentials';
import { httpFetch } from './httpFetch';
import { Http2Sessions, useHttp2, type HeaderedGet } from './http2Send';
import type { RestSend } from './restTransport';
import { loadAuthSdk, loadRunSdk, type RunSdk } from './sdk';

type ServicesClient = InstanceType<RunSdk['ServicesClient']>;
type RevisionsClient = InstanceType<RunSdk['RevisionsClient']>;
type JobsClient = InstanceType<RunSdk['JobsClient']>;
type ExecutionsClient = InstanceType<RunSdk['ExecutionsClient']>;
type AuthClient = InstanceType<RunSdk['PassThroughClient']>;

export interface Clients {
  services: ServicesClient;
  /** Built on first use: only readTraffic needs it; check and where read revisions over REST. */
  revisions(): RevisionsClient;
  /** Built on first use, as revisions: only running a job and following or canceling its execution need them. */
  jobs(): JobsClient;
  executions(): ExecutionsClient;
  close(): Promise<void>;
}

const DEFAULT_API_ORIGIN = 'https://run.googleapis.com';

/** The origin the Run API is called at: the configured endpoint's, or Google's. */
export function apiOriginOf(endpoints: Endpoints): string {
  return endpoints.run ? new URL(endpoints.run).origin : DEFAULT_API_ORIGIN;
}

/**
 * What credentials the Run API at endpoints.run gets, decided before anything loads or credentials
 * are looked up: a refused host costs nothing and gets nothing (it throws the refusal).
 */
export function runCredentials(endpoints: Endpoints, policy: CredentialPolicy): { target: URL | null; decision: Exclude<CredentialDecision, { kind: 'refused' }> } {
  const target = endpoints.run ? new URL(endpoints.run) : null;
  const decision = decideCredentials(target && urlTarget('endpoints.run', endpoints.run!, target), policy);
  if (decision.kind === 'refused') throw new CloudRunError(decision.message, INVALID_ARGUMENT);
  return { target, decision };
}

/** Application Default Credentials for the Run API (either bundle's auth library); missing ones reject as UNAUTHENTICATED. */
function runApiCredentials(Auth: Parameters<typeof applicationDefaultCredentials>[0], policy: CredentialPolicy): Promise<AdcClient> {
  return applicationDefaultCredentials(Auth, CLOUD_PLATFORM_SCOPE, policy, (message) => new CloudRunError(message, UNAUTHENTICATED));
}

/**
 * The sender of the reads over REST (runRest.ts, functionsRest.ts) with Application Default
 * Credentials, confined to the hosts `policy` allows; only the auth library is loaded for it. With
 * `http2` (ReaderOptions.http2), the reads share one HTTP/2 session per origin (http2Send.ts) where
 * no proxy is set; else each goes through the auth library's request, over HTTP/1.1. `origin` is the
 * API of the first read, whose connection is opened while the credentials are found.
 */
export async function authorizedSend(policy: CredentialPolicy, http2: boolean, origin: string): Promise<RestSend> {
  // The fallback is called by reads only, all of them made once the credentials are found (below).
  const sessions = http2 ? new Http2Sessions((url, headers, signal) => overHttp1(url, headers, signal)) : null;
  // The first read's connection is opened while the credentials are found (against Google a token
  // request, a round trip of its own), not after them. No request is sent on it until they are.
  if (sessions && useHttp2(origin)) sessions.preconnect(origin);
  let client: AdcClient;
  try {
    const { GoogleAuth } = loadAuthSdk();
    // As after loading the SDK (createClients): what finished while the library loaded gets its turn first.
    await new Promise((resolve) => setImmediate(resolve));
    client = await runApiCredentials(GoogleAuth, policy);
  } catch (err) {
    // No credentials (or no auth library): nothing will be read over that connection; a later lookup opens its own.
    sessions?.close();
    throw err;
  }
  // Over HTTP/1.1 (an origin without HTTP/2): the auth library's request, which adds the credentials itself.
  const overHttp1: HeaderedGet = async (url, _headers, signal) => {
    const response = await client.request<string>({ url, method: 'GET', signal, responseType: 'text', validateStatus: () => true, retry: false, fetchImplementation: httpFetch as unknown as GaxiosFetch });
    return { status: response.status, body: response.data };
  };
  if (!sessions) return (url, signal) => overHttp1(url, {}, signal);
  return async (url, signal) => {
    if (!useHttp2(url)) return overHttp1(url, {}, signal);
    // The credentials for this URL: confineCredentials refuses a host the policy does not allow.
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, 'x-goog-api-client': `gl-node/${process.versions.node}` };
    (await client.getRequestHeaders(url)).forEach((value, name) => (headers[name.toLowerCase()] = value));
    return sessions.get(url, headers, signal);
  };
}

// Google's APIs compress an answer for a client that accepts gzip and names gzip in its User-Agent
// (their performance tips): a region's page of 500 services is about 300 KB as JSON.
const USER_AGENT = 'cloud-run-drift (gzip)';

export async function createClients(endpoints: Endpoints, apiOrigin: string, policy: CredentialPolicy): Promise<Clients> {
  const { target, decision } = runCredentials(endpoints, policy);
  const sdk: RunSdk = loadRunSdk();
  // Loading the SDK held the event loop: what finished meanwhile (in a check, git's first
  // processes) gets its turn, and starts what follows it, before the clients are built.
  await new Promise((resolve) => setImmediate(resolve));
  if (target && decision.kind === 'emulator') {
    // A local emulator: no credentials, so none are looked up, stored or sent.
    const authClient = new sdk.PassThroughClient();
    sendApiCallsThroughHttpFetch(authClient, apiOrigin);
    const options = { apiEndpoint: target.hostname, port: Number(target.port || 80), protocol: 'http', fallback: true, authClient };
    return clientsFor(sdk, options);
  }
  const authClient = await runApiCredentials(sdk.GoogleAuth, policy);
  sendApiCallsThroughHttpFetch(authClient, apiOrigin);
  const options = {
    fallback: true,
    authClient,
    ...(target ? { apiEndpoint: target.hostname, port: Number(target.port || 443) } : {}),
  };
  return clientsFor(sdk, options);
}

function clientsFor(sdk: RunSdk, options: ConstructorParameters<RunSdk['ServicesClient']>[0]): Clients {
  const services = new sdk.ServicesClient(options);
  let revisions: RevisionsClient | undefined;
  let jobs: JobsClient | undefined;
  let executions: ExecutionsClient | undefined;
  return {
    services,
    revisions: () => (revisions ??= new sdk.RevisionsClient(options)),
    jobs: () => (jobs ??= new sdk.JobsClient(options)),
    executions: () => (executions ??= new sdk.ExecutionsClient(options)),
    close: async () => {
      await Promise.all([services.close(), revisions?.close(), jobs?.close(), executions?.close()]);
    },
  };
}

type GaxiosFetch = NonNullable<NonNullable<Parameters<AuthClient['transporter']['request']>[0]>['fetchImplementation']>;

/**
 * The Run API calls (only those: token requests keep gaxios's own fetch) go through httpFetch, which
 * costs a fraction of node-fetch's CPU per call (see httpFetch.ts). gaxios documents
 * `fetchImplementation` for this; a request interceptor sets it per request by origin.
 */
export function sendApiCallsThroughHttpFetch(authClient: AuthClient, apiOrigin: string): void {
  authClient.transporter.interceptors.request.add({
    resolved: async (config) => {
      if (new URL(String(config.url)).origin === apiOrigin) config.fetchImplementation = httpFetch as unknown as GaxiosFetch;
      return config;
    },
  });
}
