import type { protos } from '@google-cloud/run';
import type { CallOptions } from 'google-gax';
import type { Endpoints } from '../config';
import type { ExecutionFacts, FunctionLookup, JobLookup, RevisionFacts, ServiceFacts, ServiceLookup, ServingRevision } from '../model';
import { credentialPolicy, decideCredentials, urlTarget, type CredentialDecision, type CredentialPolicy } from './credentialPolicy';
import { applicationDefaultCredentials, CREDENTIALS_FIX, type AdcClient } from './credentials';
import { firstLine } from '../text/messageText';
import { formatSeconds, startDeadline } from '../platform/deadline';
import { createFunctionsClient, functionsCredentials, functionsOriginOf, lookupFunction, type FunctionRef, type FunctionsClient } from './functions';
import { FunctionsRestReads, type ApiFunction } from './functionsRest';
import { httpFetch } from './httpFetch';
import { Http2Sessions, useHttp2, type HeaderedGet } from './http2Send';
import { plainSend, type RestSend } from './restTransport';
import { RunRestReads } from './runRest';
import { groupKey, groupsToList, isLargeGroup, LIST_PAGE_MAX, RegionListing, type LargeGroups, type ListGroup, type ListingRef } from './regionListing';
import { settledRevisionKey, type SettledRevisionStore } from './revisionStore';
import { shortName, shortNameOrNull } from './resourceNames';
import { executionFacts, executionResourceName, jobFacts, jobResourceName, RECENT_EXECUTIONS, runJobRequest, type ExecutionRef, type JobRef, type RunJobOverrides } from './runJobs';
import { loadAuthSdk, loadRunSdk, type RunSdk } from './sdk';
import { Semaphore } from '../platform/semaphore';
import { timestampToIso } from './timestamps';
import { allTrafficTo, type TrafficState, type TrafficTarget, type TrafficUpdate } from '../verdicts/traffic';

export interface ServiceRef {
  project: string;
  region: string;
  name: string;
}

export interface ListedService {
  name: string;
  labels: Record<string, string>;
}

export interface LookupOptions {
  /**
   * Called once the service itself has been read, before its revisions are, with the labels of
   * its revision template: the labels its newest revision was created with. Only a hint of what
   * its revisions will say (traffic may serve another one); verdicts never use it.
   */
  onServiceRead?: (templateLabels: Readonly<Record<string, string>>) => void;
  /**
   * Called as each Cloud Run service is read (a function's too: the one its name suggests, then the
   * one it runs on), before its revisions are, with its latest created revision's short name (null
   * when it names none).
   */
  onLatestRevision?: (service: string, latestCreatedRevision: string | null) => void;
  /**
   * The whole lookup (both round trips, retries included) ends within this; each request also
   * within the reader's timeoutMs. A caller with a deadline of its own passes the time it has left.
   */
  timeoutMs?: number;
  /** Aborts the lookup: requests in flight are canceled and the lookup rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The check's region lists (CloudRunReader.listUnits): the unit is taken from its group's list when there is one. */
  listing?: RegionListing;
}

export interface JobLookupOptions extends Pick<LookupOptions, 'timeoutMs' | 'signal' | 'listing'> {
  /** How many of its executions to read, newest first (default RECENT_EXECUTIONS; 0 reads none). */
  executions?: number;
}

/** Reads Cloud Run. Every failure is confined to the service it concerns. */
export interface CloudRunReader {
  lookupService(ref: ServiceRef, options?: LookupOptions): Promise<ServiceLookup>;
  /** Names of the services in one project and region (for scaffolding a config). Throws CloudRunError. */
  listServices(project: string, region: string): Promise<ListedService[]>;
  /**
   * A Cloud Run job with its most recent executions (JobLookupOptions.executions, newest first).
   * Every failure is confined to the job. Optional only so that test doubles written before it keep
   * compiling; the SDK reader always has it (as listJobs and listExecutions).
   */
  lookupJob?(ref: JobRef, options?: JobLookupOptions): Promise<JobLookup>;
  /** Names of the jobs in one project and region. Throws CloudRunError. */
  listJobs?(project: string, region: string): Promise<ListedService[]>;
  /** The job's last `limit` executions, newest first. Throws CloudRunError (code 5 when the job does not exist). */
  listExecutions?(ref: JobRef, limit: number): Promise<ExecutionFacts[]>;
  /**
   * Starts an execution of the job with `overrides` (Run v2 RunJob) and resolves with it as it has
   * just started, read from the operation's metadata: nothing waits for the execution to end. Never
   * retried (a retry could start a second execution). Throws CloudRunError.
   */
  runJob?(ref: JobRef, overrides: RunJobOverrides): Promise<ExecutionFacts>;
  /** One execution as it is now. Throws CloudRunError (code 5 when it does not exist). */
  getExecution?(ref: ExecutionRef, options?: Pick<LookupOptions, 'signal'>): Promise<ExecutionFacts>;
  /** Asks Cloud Run to cancel a running execution (Run v2 CancelExecution); resolves with it as it is then. Throws CloudRunError. */
  cancelExecution?(ref: ExecutionRef): Promise<ExecutionFacts>;
  /**
   * The service's last `limit` revisions, newest first (the "Deployments" history). Throws
   * CloudRunError (code 5 when the service does not exist). Optional only so that test doubles
   * written before it keep compiling; the SDK reader always has it.
   */
  listRevisions?(ref: ServiceRef, limit: number): Promise<RevisionFacts[]>;
  /**
   * A Cloud Run function (Cloud Functions v2 API, `endpoints.functions`) with the Cloud Run service
   * it runs on. Every failure is confined to the function. Optional as listRevisions is.
   */
  lookupFunction?(ref: FunctionRef, options?: LookupOptions): Promise<FunctionLookup>;
  /** Names of the Cloud Run functions in one project and region (Cloud Functions v2 API). Throws CloudRunError. */
  listFunctions?(project: string, region: string): Promise<ListedService[]>;
  /**
   * Starts one list per kind in each (project, region) holding more than a couple of these units
   * (see regionListing.ts); lookups given the listing (LookupOptions.listing) read their unit from
   * it. Optional as listRevisions is: a reader without it reads each unit with its own get.
   */
  listUnits?(units: readonly ListingRef[], options?: Pick<LookupOptions, 'timeoutMs' | 'signal'>): RegionListing;
  /**
   * The service's traffic, configured and served, read now (never from a cache), with one revision's
   * facts when ReadTrafficOptions.revision names it. Throws CloudRunError (code 5 when the service
   * does not exist). Optional as listRevisions is.
   */
  readTraffic?(ref: ServiceRef, options?: ReadTrafficOptions): Promise<TrafficState>;
  /**
   * Sets the service's traffic to `targets` (UpdateService on the service as just read, with its
   * etag, so a change made meanwhile is refused rather than overwritten). Resolves once Cloud Run
   * has accepted the change, without waiting for the rollout. Throws CloudRunError.
   */
  routeTraffic?(ref: ServiceRef, targets: readonly TrafficTarget[], options?: Pick<LookupOptions, 'timeoutMs' | 'signal'>): Promise<TrafficUpdate>;
  /** routeTraffic with every share on `revision`, tags kept (see allTrafficTo). */
  routeAllTraffic?(ref: ServiceRef, revision: string, options?: Pick<LookupOptions, 'timeoutMs' | 'signal'>): Promise<TrafficUpdate>;
  close(): Promise<void>;
}

export interface ReadTrafficOptions extends Pick<LookupOptions, 'timeoutMs' | 'signal'> {
  /** Also read this revision (short name): TrafficState.revision. */
  revision?: string;
}

export class CloudRunError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
  ) {
    super(message);
    this.name = 'CloudRunError';
  }
}

// gRPC status codes the API answers with (the REST transport maps HTTP statuses onto them).
const INVALID_ARGUMENT = 3;
const DEADLINE_EXCEEDED = 4;
const NOT_FOUND = 5;
const PERMISSION_DENIED = 7;
const UNAUTHENTICATED = 16;

/**
 * Transient failures every read retries: RESOURCE_EXHAUSTED (HTTP 429), INTERNAL (500) and
 * UNAVAILABLE (503). The generated clients' defaults differ per method (GetService retries only
 * UNAVAILABLE, GetRevision and ListRevisions nothing), so the reader sets its own, the same for all.
 */
export const RETRIED_CODES: readonly number[] = [8, 13, 14];

/**
 * Attempts per read (gax's `maxRetries` counts the first one too): the retries wait a random time
 * up to 200 ms, then up to 400 ms (gax's jittered exponential backoff), so a failing service costs
 * a check well under a second more, and no retry outlives the read's deadline.
 */
const MAX_ATTEMPTS = 3;
const BACKOFF = { initialRetryDelayMillis: 200, retryDelayMultiplier: 2, maxRetryDelayMillis: 2_000 } as const;

/**
 * Requests in flight at once. High enough that a hundred services cost two dependent round trips
 * (service, then its revisions), low enough to stay far below the Admin API's per-minute read quota
 * and the process's socket limits.
 */
export const DEFAULT_CONCURRENCY = 128;

const DEFAULT_API_ORIGIN = 'https://run.googleapis.com';

export interface ReaderOptions {
  /** Requests in flight at once across all services. */
  concurrency?: number;
  /** Deadline of each read, its retries included (default 20 s). */
  timeoutMs?: number;
  /** Where settled revisions are kept between lookups (default: a Map, for this reader's life). */
  settledRevisions?: SettledRevisionStore;
  /** Which hosts get credentials (default: Google's, and those the environment allows). */
  credentials?: CredentialPolicy;
  /** Where the groups found too large to list are kept between checks (default: a Set, for this reader's life). */
  largeGroups?: LargeGroups;
  /**
   * Reads to Google over one HTTP/2 session per origin (http2Send.ts) where no proxy is set in the
   * environment. The CLI's choice; in the editor, VS Code sends https through the proxy its settings
   * or the system name, which a connection of our own would bypass (default: false).
   */
  http2?: boolean;
}

type ServicesClient = InstanceType<RunSdk['ServicesClient']>;
type RevisionsClient = InstanceType<RunSdk['RevisionsClient']>;
type JobsClient = InstanceType<RunSdk['JobsClient']>;
type ExecutionsClient = InstanceType<RunSdk['ExecutionsClient']>;
type ApiService = protos.google.cloud.run.v2.IService;
type ApiRevision = protos.google.cloud.run.v2.IRevision;
type ApiJob = protos.google.cloud.run.v2.IJob;
type ApiExecution = protos.google.cloud.run.v2.IExecution;
type AuthClient = InstanceType<RunSdk['PassThroughClient']>;

/** What ends a read besides the reader's own timeout: the caller's deadline and signal. */
interface ReadBound {
  deadline: number;
  signal: AbortSignal | undefined;
}
const UNBOUNDED: ReadBound = { deadline: Infinity, signal: undefined };

interface Clients {
  services: ServicesClient;
  /** Built on first use: only readTraffic needs it; check and where read revisions over REST. */
  revisions(): RevisionsClient;
  /** Built on first use, as revisions: only running a job and following or canceling its execution need them. */
  jobs(): JobsClient;
  executions(): ExecutionsClient;
  close(): Promise<void>;
}

/** `projects/P/locations/R/services/S`: the service's name in the Admin API. */
export function serviceResourceName(ref: ServiceRef): string {
  return `projects/${ref.project}/locations/${ref.region}/services/${ref.name}`;
}

/** The origin the Run API is called at: the configured endpoint's, or Google's. */
export function apiOriginOf(endpoints: Endpoints): string {
  return endpoints.run ? new URL(endpoints.run).origin : DEFAULT_API_ORIGIN;
}

/**
 * A reader of Cloud Run. The reads of `check` and `where` (lookupService, lookupFunction, lookupJob,
 * listExecutions, listRevisions, the lists of listUnits) go over the REST surfaces of the Admin API
 * and the Cloud Functions API without a client library (runRest.ts, functionsRest.ts); the writes
 * (running a job, canceling an execution, traffic), the executions they follow and the scaffolding's
 * region lists go through the real `@google-cloud/run` v2 and `@google-cloud/functions` clients (REST
 * transport). Nothing is loaded at import, so neither activation nor `--help` pays for it, and the
 * SDK only on the first call that needs it.
 */
export function createCloudRunReader(endpoints: Endpoints, options: ReaderOptions = {}): CloudRunReader {
  return new SdkCloudRunReader(endpoints, options);
}

class SdkCloudRunReader implements CloudRunReader {
  private clients: Promise<Clients> | undefined;
  private restReads: Promise<RunRestReads> | undefined;
  private functionsRestReads: Promise<FunctionsRestReads> | undefined;
  /** The credentialed sender of the reads over REST, shared by both APIs: one credential lookup. */
  private authorizedSend: Promise<RestSend> | undefined;
  private functionsClient: Promise<FunctionsClient> | undefined;
  private readonly settledRevisions: SettledRevisionStore;
  private readonly largeGroups: LargeGroups;
  private readonly http2: boolean;
  /** Each service's uid by resource name, as last read (listRevisions keys what it lists by it). */
  private readonly serviceUids = new Map<string, string>();
  private readonly apiOrigin: string;
  private readonly limit: Semaphore;
  private readonly timeoutMs: number;
  private readonly credentials: CredentialPolicy;

  constructor(
    private readonly endpoints: Endpoints,
    options: ReaderOptions,
  ) {
    this.limit = new Semaphore(options.concurrency ?? DEFAULT_CONCURRENCY);
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.settledRevisions = options.settledRevisions ?? new Map<string, RevisionFacts>();
    this.largeGroups = options.largeGroups ?? new Set<string>();
    this.http2 = options.http2 ?? false;
    this.apiOrigin = apiOriginOf(endpoints);
    this.credentials = options.credentials ?? credentialPolicy();
  }

  /**
   * One API read: up to MAX_ATTEMPTS attempts while it fails with RETRIED_CODES, with backoff; every
   * attempt and the whole end by the reader's timeoutMs or the caller's `deadline` (a Date.now()
   * instant), whichever comes first; `signal` cancels it. Waits for a free slot first (see
   * DEFAULT_CONCURRENCY).
   */
  private read<T>(what: string, bound: ReadBound, call: (options: CallOptions) => Promise<T>, api = `the Cloud Run API at ${this.apiOrigin}`, retryCodes: readonly number[] = RETRIED_CODES): Promise<T> {
    return this.limit.run(async () => {
      const left = bound.deadline - Date.now();
      const allowed = Math.min(this.timeoutMs, left);
      // The reader's own per-read deadline is named; the caller's is the caller's to name.
      const within = left < this.timeoutMs ? 'in the time left' : `within ${formatSeconds(this.timeoutMs)}`;
      if (allowed <= 0) throw new CloudRunError(`no time was left to ask ${api} for ${what}`, DEADLINE_EXCEEDED);
      const deadline = startDeadline(allowed, bound.signal);
      const backoffSettings = { ...BACKOFF, initialRpcTimeoutMillis: allowed, rpcTimeoutMultiplier: 1, maxRpcTimeoutMillis: allowed, maxRetries: MAX_ATTEMPTS };
      try {
        return await call({ timeout: allowed, retry: { retryCodes: [...retryCodes], backoffSettings }, signal: deadline.signal });
      } catch (err) {
        if (bound.signal?.aborted) throw bound.signal.reason;
        // gax's own per-attempt deadline is never earlier than this one: either way, time ran out.
        if (deadline.expired || deadline.left() === 0) {
          throw new CloudRunError(`${api} did not answer ${what} ${within}`, DEADLINE_EXCEEDED);
        }
        throw err;
      } finally {
        deadline.dispose();
      }
    });
  }

  private getRestReads(): Promise<RunRestReads> {
    this.restReads ??= (async () => new RunRestReads(this.apiOrigin, await this.restSend(runCredentials(this.endpoints, this.credentials).decision, this.apiOrigin)))();
    // As for the clients: a failed credential lookup is retried next time.
    this.restReads.catch(() => (this.restReads = undefined));
    return this.restReads;
  }

  private getFunctionsRestReads(): Promise<FunctionsRestReads> {
    this.functionsRestReads ??= (async () => {
      const decision = functionsCredentials(this.endpoints, this.credentials);
      if (decision.kind === 'refused') throw new CloudRunError(decision.message, INVALID_ARGUMENT);
      const origin = functionsOriginOf(this.endpoints);
      return new FunctionsRestReads(origin, await this.restSend(decision, origin));
    })();
    this.functionsRestReads.catch(() => (this.functionsRestReads = undefined));
    return this.functionsRestReads;
  }

  /** How the reads over REST reach an API the policy has decided on: plainly to a loopback emulator, else with Application Default Credentials. */
  private restSend(decision: Exclude<CredentialDecision, { kind: 'refused' }>, origin: string): Promise<RestSend> {
    if (decision.kind === 'emulator') return Promise.resolve(plainSend);
    this.authorizedSend ??= authorizedSend(this.credentials, this.http2, origin);
    this.authorizedSend.catch(() => (this.authorizedSend = undefined));
    return this.authorizedSend;
  }

  private getClients(): Promise<Clients> {
    this.clients ??= createClients(this.endpoints, this.apiOrigin, this.credentials);
    // A failed credential lookup is retried on the next refresh (the user may have just logged in).
    this.clients.catch(() => (this.clients = undefined));
    return this.clients;
  }

  async lookupService(ref: ServiceRef, options: LookupOptions = {}): Promise<ServiceLookup> {
    try {
      const rest = await this.getRestReads();
      // From here: finding credentials is not the API's time.
      const bound: ReadBound = { deadline: options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs, signal: options.signal };
      const name = serviceResourceName(ref);
      const service = await this.fromListing<ApiService>(options.listing, 'service', ref, () => this.read('getService', bound, (call) => rest.getService(name, call)));
      const latestCreated = shortNameOrNull(service.latestCreatedRevision);
      options.onServiceRead?.(service.template?.labels ?? {});
      options.onLatestRevision?.(ref.name, latestCreated);
      const serving = servingRevisions(service);
      const wanted = new Set(serving.map((s) => s.revision));
      if (latestCreated) wanted.add(latestCreated);
      const revisions: Record<string, RevisionFacts> = {};
      const uid = service.uid ?? '';
      this.serviceUids.set(name, uid);
      const fetched = await Promise.all(
        [...wanted].map(async (revision) => {
          const resource = `${name}/revisions/${revision}`;
          const key = settledRevisionKey(this.apiOrigin, uid, resource);
          const settled = this.settledRevisions.get(key);
          if (settled && agreesWithService(settled, revision, service)) return settled;
          const facts = revisionFacts(await this.read('getRevision', bound, (call) => rest.getRevision(resource, call)));
          // Cloud Run revisions are immutable (the v2 API has no UpdateRevision); once Ready has
          // succeeded or failed nothing we read can change, so a warm refresh costs one round trip.
          if (facts.ready || facts.failed) this.settledRevisions.set(key, facts);
          return facts;
        }),
      );
      for (const facts of fetched) revisions[facts.name] = facts;
      const facts: ServiceFacts = {
        name: ref.name,
        project: ref.project,
        region: ref.region,
        reconciling: Boolean(service.reconciling),
        serving,
        revisions,
        latestCreatedRevision: latestCreated,
        latestReadyRevision: shortNameOrNull(service.latestReadyRevision),
        uri: service.uri || null,
      };
      return { kind: 'found', facts };
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      const { message, code } = describeApiError(err);
      if (code === NOT_FOUND) return { kind: 'not-found', message: `${ref.name} does not exist in ${ref.project}/${ref.region}` };
      return { kind: 'error', message, code };
    }
  }

  private getFunctionsClient(): Promise<FunctionsClient> {
    this.functionsClient ??= createFunctionsClient(this.endpoints, this.credentials, sendApiCallsThroughHttpFetch).catch((err: { message: string; code?: number }) => {
      throw new CloudRunError(err.message, err.code ?? null);
    });
    // As for Cloud Run: a failed credential lookup is tried again next time.
    this.functionsClient.catch(() => (this.functionsClient = undefined));
    return this.functionsClient;
  }

  async lookupFunction(ref: FunctionRef, options: LookupOptions = {}): Promise<FunctionLookup> {
    let bound: ReadBound | undefined;
    const api = `the Cloud Functions API at ${functionsOriginOf(this.endpoints)}`;
    const serviceOptions: LookupOptions = { ...options, onServiceRead: undefined };
    return lookupFunction(
      {
        getFunction: async (name) => {
          const rest = await this.getFunctionsRestReads();
          // From here, as in lookupService: finding credentials is not the API's time.
          bound ??= { deadline: options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs, signal: options.signal };
          return this.fromListing<ApiFunction>(options.listing, 'function', ref, () => this.read('getFunction', bound!, (call) => rest.getFunction(name, call), api));
        },
        lookupService: (service) => this.lookupService(service, serviceOptions),
        describeError: describeApiError,
        ...(options.onServiceRead ? { onFunctionRead: options.onServiceRead } : {}),
        signal: options.signal,
      },
      ref,
    );
  }

  async listFunctions(project: string, region: string): Promise<ListedService[]> {
    try {
      const client = await this.getFunctionsClient();
      const api = `the Cloud Functions API at ${functionsOriginOf(this.endpoints)}`;
      const [functions] = await this.read('listFunctions', UNBOUNDED, (call) => client.listFunctions({ parent: `projects/${project}/locations/${region}` }, { ...call, autoPaginate: true }), api);
      return functions.map((f) => ({ name: shortName(f.name), labels: { ...(f.labels ?? {}) } })).sort((a, b) => a.name.localeCompare(b.name));
    } catch (err) {
      if (err instanceof CloudRunError) throw err;
      const { message, code } = describeApiError(err);
      throw new CloudRunError(message, code);
    }
  }

  async listServices(project: string, region: string): Promise<ListedService[]> {
    try {
      const clients = await this.getClients();
      const [services] = await this.read('listServices', UNBOUNDED, (call) => clients.services.listServices({ parent: `projects/${project}/locations/${region}` }, { ...call, autoPaginate: true }));
      return services.map((s) => ({ name: shortName(s.name), labels: { ...(s.labels ?? {}) } })).sort((a, b) => a.name.localeCompare(b.name));
    } catch (err) {
      const { message, code } = describeApiError(err);
      throw new CloudRunError(message, code);
    }
  }

  async lookupJob(ref: JobRef, options: JobLookupOptions = {}): Promise<JobLookup> {
    try {
      const rest = await this.getRestReads();
      // From here, as in lookupService: finding credentials is not the API's time.
      const bound: ReadBound = { deadline: options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs, signal: options.signal };
      const name = jobResourceName(ref);
      const limit = options.executions ?? RECENT_EXECUTIONS;
      // The job and its executions at once; executions that cannot be read leave the job's verdict standing.
      const [job, executions] = await Promise.all([
        this.fromListing<ApiJob>(options.listing, 'job', ref, () => this.read('getJob', bound, (call) => rest.getJob(name, call))),
        limit <= 0
          ? { listed: [] }
          : this.read('listExecutions', bound, (call) => rest.listExecutions(name, limit, undefined, call)).then(
              (page) => ({ listed: page.items.slice(0, limit).map(executionFacts) }),
              (err: unknown) => ({ error: describeApiError(err).message }),
            ),
      ]);
      const error = 'error' in executions ? executions.error : null;
      return { kind: 'found', facts: jobFacts(ref, job, 'listed' in executions ? executions.listed : [], error) };
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      const { message, code } = describeApiError(err);
      if (code === NOT_FOUND) return { kind: 'not-found', message: `${ref.name} does not exist in ${ref.project}/${ref.region}` };
      return { kind: 'error', message, code };
    }
  }

  async listJobs(project: string, region: string): Promise<ListedService[]> {
    try {
      const clients = await this.getClients();
      const [jobs] = await this.read('listJobs', UNBOUNDED, (call) => clients.jobs().listJobs({ parent: `projects/${project}/locations/${region}` }, { ...call, autoPaginate: true }));
      return jobs.map((j) => ({ name: shortName(j.name), labels: { ...(j.labels ?? {}) } })).sort((a, b) => a.name.localeCompare(b.name));
    } catch (err) {
      const { message, code } = describeApiError(err);
      throw new CloudRunError(message, code);
    }
  }

  async listExecutions(ref: JobRef, limit: number): Promise<ExecutionFacts[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    try {
      const rest = await this.getRestReads();
      const parent = jobResourceName(ref);
      const collected: ExecutionFacts[] = [];
      let pageToken: string | undefined;
      do {
        const pageSize = Math.min(limit - collected.length, 100);
        const page = await this.read('listExecutions', UNBOUNDED, (call) => rest.listExecutions(parent, pageSize, pageToken, call));
        collected.push(...page.items.map(executionFacts));
        pageToken = page.nextPageToken ?? undefined;
      } while (pageToken && collected.length < limit);
      return collected.sort((a, b) => (b.createTime ?? '').localeCompare(a.createTime ?? '')).slice(0, limit);
    } catch (err) {
      const { message, code } = describeApiError(err);
      if (code === NOT_FOUND) throw new CloudRunError(`${ref.name} does not exist in ${ref.project}/${ref.region}`, code);
      throw new CloudRunError(message, code);
    }
  }

  async runJob(ref: JobRef, overrides: RunJobOverrides): Promise<ExecutionFacts> {
    return this.changeExecution(ref, 'runJob', async (clients, call) => {
      const [operation] = await clients.jobs().runJob(runJobRequest(ref, overrides), call);
      // The LRO type says Metadata, but the Run API declares Execution as the metadata of both operations.
      return operation.metadata as ApiExecution | null;
    });
  }

  async cancelExecution(ref: ExecutionRef): Promise<ExecutionFacts> {
    return this.changeExecution(ref, 'cancelExecution', async (clients, call) => {
      const [operation] = await clients.executions().cancelExecution({ name: executionResourceName(ref) }, call);
      // The LRO type says Metadata, but the Run API declares Execution as the metadata of both operations.
      return operation.metadata as ApiExecution | null;
    });
  }

  /**
   * RunJob or CancelExecution: one attempt (neither is idempotent), the execution read from the
   * operation's metadata (the long-running operation itself is left alone: nothing polls it).
   */
  private async changeExecution(ref: JobRef, what: string, call: (clients: Clients, options: CallOptions) => Promise<ApiExecution | null | undefined>): Promise<ExecutionFacts> {
    try {
      const clients = await this.getClients();
      const execution = await this.read(what, UNBOUNDED, (options) => call(clients, options), undefined, []);
      if (!execution?.name) throw new CloudRunError(`the Cloud Run API answered ${what} for ${ref.name} without the execution it concerns`, null);
      return executionFacts(execution);
    } catch (err) {
      if (err instanceof CloudRunError) throw err;
      const { message, code } = describeApiError(err);
      if (code === NOT_FOUND) throw new CloudRunError(`${'execution' in ref ? `execution ${String(ref.execution)} of ` : ''}${ref.name} does not exist in ${ref.project}/${ref.region}`, code);
      throw new CloudRunError(message, code);
    }
  }

  async getExecution(ref: ExecutionRef, options: Pick<LookupOptions, 'signal'> = {}): Promise<ExecutionFacts> {
    try {
      const clients = await this.getClients();
      const [execution] = await this.read('getExecution', { deadline: Infinity, signal: options.signal }, (call) => clients.executions().getExecution({ name: executionResourceName(ref) }, call));
      return executionFacts(execution);
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      const { message, code } = describeApiError(err);
      if (code === NOT_FOUND) throw new CloudRunError(`execution ${ref.execution} of ${ref.name} does not exist in ${ref.project}/${ref.region}`, code);
      throw new CloudRunError(message, code);
    }
  }

  async listRevisions(ref: ServiceRef, limit: number): Promise<RevisionFacts[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    try {
      const rest = await this.getRestReads();
      const parent = serviceResourceName(ref);
      // The API lists newest first ("sorted by creation time, descending"), so the first pages are
      // the history; a page may hold fewer than asked, hence the loop.
      const collected: ApiRevision[] = [];
      let pageToken: string | undefined;
      do {
        const pageSize = Math.min(limit - collected.length, 100);
        const page = await this.read('listRevisions', UNBOUNDED, (call) => rest.listRevisions(parent, pageSize, pageToken, call));
        collected.push(...page.items);
        pageToken = page.nextPageToken ?? undefined;
      } while (pageToken && collected.length < limit);
      // Settled revisions are immutable (see lookupService): the ones listed here spare the next
      // lookup its getRevision, once a lookup has told us which service (uid) they belong to.
      const uid = this.serviceUids.get(parent);
      const listed = collected.map(revisionFacts);
      collected.forEach((revision, i) => {
        const facts = listed[i]!;
        if (uid !== undefined && revision.name && (facts.ready || facts.failed)) this.settledRevisions.set(settledRevisionKey(this.apiOrigin, uid, revision.name), facts);
      });
      // Sorted again (stable) so the order never depends on a server honoring its documentation.
      return listed.sort((a, b) => (b.createTime ?? '').localeCompare(a.createTime ?? '')).slice(0, limit);
    } catch (err) {
      const { message, code } = describeApiError(err);
      if (code === NOT_FOUND) throw new CloudRunError(`${ref.name} does not exist in ${ref.project}/${ref.region}`, code);
      throw new CloudRunError(message, code);
    }
  }

  listUnits(units: readonly ListingRef[], options: Pick<LookupOptions, 'timeoutMs' | 'signal'> = {}): RegionListing {
    const bound: ReadBound = { deadline: options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs, signal: options.signal };
    const groups = groupsToList(units).filter((group) => !this.largeGroups.has(this.groupKeyOf(group)));
    return new RegionListing(groups, (group) => this.listGroup(group, bound), (err) => describeApiError(err).code);
  }

  private groupKeyOf(group: ListGroup): string {
    return groupKey(group, group.kind === 'function' ? functionsOriginOf(this.endpoints) : this.apiOrigin);
  }

  /**
   * The first page of one group's list, by short name. A group larger than its units warrant is
   * remembered as large: the next checks read its units with gets (see regionListing.ts).
   */
  private async listGroup(group: ListGroup, bound: ReadBound): Promise<Map<string, unknown>> {
    const parent = `projects/${group.project}/locations/${group.region}`;
    const pageSize = LIST_PAGE_MAX;
    let page: { items: { name?: string | null }[]; more: boolean };
    switch (group.kind) {
      case 'service': {
        const rest = await this.getRestReads();
        const { items, nextPageToken } = await this.read('listServices', bound, (call) => rest.listServices(parent, pageSize, undefined, call));
        page = { items, more: nextPageToken !== null };
        break;
      }
      case 'job': {
        const rest = await this.getRestReads();
        const { items, nextPageToken } = await this.read('listJobs', bound, (call) => rest.listJobs(parent, pageSize, undefined, call));
        page = { items, more: nextPageToken !== null };
        break;
      }
      case 'function': {
        const rest = await this.getFunctionsRestReads();
        const api = `the Cloud Functions API at ${functionsOriginOf(this.endpoints)}`;
        const { items, nextPageToken } = await this.read('listFunctions', bound, (call) => rest.listFunctions(parent, pageSize, undefined, call), api);
        page = { items, more: nextPageToken !== null };
        break;
      }
    }
    if (isLargeGroup(group, page.items.length, page.more)) this.largeGroups.add(this.groupKeyOf(group));
    return new Map(page.items.map((item) => [shortName(item.name), item]));
  }

  /** The unit's resource from the check's listing when its group was listed; else (or when it is not listed) from `get`. */
  private async fromListing<T>(listing: RegionListing | undefined, kind: ListingRef['kind'], ref: { project: string; region: string; name: string }, get: () => Promise<T>): Promise<T> {
    const listed = listing ? await listing.find<T>(kind, ref) : ({ kind: 'get' } as const);
    if (listed.kind === 'found') return listed.item;
    if (listed.kind === 'failed') throw listed.error;
    return get();
  }

  async readTraffic(ref: ServiceRef, options: ReadTrafficOptions = {}): Promise<TrafficState> {
    try {
      const clients = await this.getClients();
      const bound: ReadBound = { deadline: options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs, signal: options.signal };
      const name = serviceResourceName(ref);
      const revisionName = options.revision === undefined ? undefined : `${name}/revisions/${options.revision}`;
      const [[service], revision] = await Promise.all([
        this.read('getService', bound, (call) => clients.services.getService({ name }, call)),
        revisionName === undefined
          ? undefined
          : this.read('getRevision', bound, (call) => clients.revisions().getRevision({ name: revisionName }, call)).then(
              ([found]) => revisionFacts(found),
              (err: unknown) => {
                if (describeApiError(err).code === NOT_FOUND) return null;
                throw err;
              },
            ),
      ]);
      const state = trafficState(service);
      return revision === undefined ? state : { ...state, revision };
    } catch (err) {
      throw trafficError(err, ref, options.signal);
    }
  }

  async routeAllTraffic(ref: ServiceRef, revision: string, options: Pick<LookupOptions, 'timeoutMs' | 'signal'> = {}): Promise<TrafficUpdate> {
    return this.updateTraffic(ref, (current) => allTrafficTo(revision, current), options);
  }

  async routeTraffic(ref: ServiceRef, targets: readonly TrafficTarget[], options: Pick<LookupOptions, 'timeoutMs' | 'signal'> = {}): Promise<TrafficUpdate> {
    return this.updateTraffic(ref, () => [...targets], options);
  }

  /** Reads the service, then sends it back with its traffic replaced and the etag it was read with. */
  private async updateTraffic(ref: ServiceRef, targetsFor: (current: TrafficTarget[]) => TrafficTarget[], options: Pick<LookupOptions, 'timeoutMs' | 'signal'>): Promise<TrafficUpdate> {
    try {
      const clients = await this.getClients();
      const bound: ReadBound = { deadline: options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs, signal: options.signal };
      const name = serviceResourceName(ref);
      const [service] = await this.read('getService', bound, (call) => clients.services.getService({ name }, call));
      const before = trafficState(service);
      const traffic = targetsFor(before.traffic).map((t) =>
        t.revision === null
          ? { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' as const, percent: t.percent, ...(t.tag ? { tag: t.tag } : {}) }
          : { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const, revision: t.revision, percent: t.percent, ...(t.tag ? { tag: t.tag } : {}) },
      );
      // A write is never retried: a retry after a lost answer would meet the new etag and be refused.
      await this.read('updateService', bound, (call) =>
        clients.services.updateService({ service: { ...writableFields(service), traffic } }, { ...call, retry: { ...call.retry, retryCodes: [] } }),
      );
      return { previous: before.traffic, previousServing: before.serving, generation: before.generation + 1 };
    } catch (err) {
      throw trafficError(err, ref, options.signal);
    }
  }

  async close(): Promise<void> {
    const [clients, functions] = await Promise.all([this.clients?.catch(() => undefined), this.functionsClient?.catch(() => undefined)]);
    this.clients = undefined;
    this.functionsClient = undefined;
    await Promise.all([clients?.close(), functions?.close()]);
  }
}

/**
 * What credentials the Run API at endpoints.run gets, decided before anything loads or credentials
 * are looked up: a refused host costs nothing and gets nothing (it throws the refusal).
 */
function runCredentials(endpoints: Endpoints, policy: CredentialPolicy): { target: URL | null; decision: Exclude<CredentialDecision, { kind: 'refused' }> } {
  const target = endpoints.run ? new URL(endpoints.run) : null;
  const decision = decideCredentials(target && urlTarget('endpoints.run', endpoints.run!, target), policy);
  if (decision.kind === 'refused') throw new CloudRunError(decision.message, INVALID_ARGUMENT);
  return { target, decision };
}

/**
 * The sender of the reads over REST (runRest.ts, functionsRest.ts) with Application Default
 * Credentials, confined to the hosts `policy` allows; only the auth library is loaded for it. With
 * `http2` (ReaderOptions.http2), the reads share one HTTP/2 session per origin (http2Send.ts) where
 * no proxy is set; else each goes through the auth library's request, over HTTP/1.1. `origin` is the
 * API of the first read, whose connection is opened while the credentials are found.
 */
async function authorizedSend(policy: CredentialPolicy, http2: boolean, origin: string): Promise<RestSend> {
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
    client = await applicationDefaultCredentials(GoogleAuth, 'https://www.googleapis.com/auth/cloud-platform', policy, (message) => new CloudRunError(message, UNAUTHENTICATED));
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

async function createClients(endpoints: Endpoints, apiOrigin: string, policy: CredentialPolicy): Promise<Clients> {
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
  const authClient = await applicationDefaultCredentials(sdk.GoogleAuth, 'https://www.googleapis.com/auth/cloud-platform', policy, (message) => new CloudRunError(message, UNAUTHENTICATED));
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
function sendApiCallsThroughHttpFetch(authClient: AuthClient, apiOrigin: string): void {
  authClient.transporter.interceptors.request.add({
    resolved: async (config) => {
      if (new URL(String(config.url)).origin === apiOrigin) config.fetchImplementation = httpFetch as unknown as GaxiosFetch;
      return config;
    },
  });
}

export function describeApiError(err: unknown): { message: string; code: number | null } {
  if (err instanceof CloudRunError) return { message: err.message, code: err.code };
  const record = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; message?: unknown; details?: unknown };
  const code = typeof record.code === 'number' ? record.code : null;
  const raw = typeof record.message === 'string' ? record.message : String(err);
  if (code === UNAUTHENTICATED || /invalid_grant|reauth|invalid_rapt/i.test(raw)) {
    return { message: `Google Cloud credentials were rejected or expired. Run: ${CREDENTIALS_FIX}`, code: UNAUTHENTICATED };
  }
  // gax wraps retried failures as "Total timeout ... retrying error Error: <cause> : Previous errors : [...]"
  // and the REST transport prefixes "<code> <STATUS>: "; keep only the server's (or socket's) own words.
  const cause = raw
    .replace(/^(Total timeout|Exceeded maximum number of retries)[\s\S]*?retrying error (Error: )?/, '')
    .replace(/\s*: Previous errors[\s\S]*$/, '')
    .replace(/ before any response was received$/, '');
  const refused = /request to (\S+?) failed, reason: (.*)$/.exec(cause);
  const message = refused
    ? `cannot reach ${new URL(refused[1]!).origin} (${firstLine(refused[2]!).trim()})`
    : firstLine(cause.replace(/^\d+ [A-Z_]+: /, ''));
  if (code === PERMISSION_DENIED) return { message: `Permission denied: ${message}`, code };
  // The wrapper's own code is DEADLINE_EXCEEDED whatever failed; the failures it lists carry theirs.
  const listed = [...raw.matchAll(/code: (\d+), details:/g)].pop();
  return { message: message || 'Cloud Run API call failed', code: listed && cause !== raw ? Number(listed[1]) : code };
}

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
function writableFields(service: ApiService): ApiService {
  const writable: Record<string, unknown> = { ...service };
  for (const field of OUTPUT_ONLY_SERVICE_FIELDS) delete writable[field];
  return writable as ApiService;
}

function trafficError(err: unknown, ref: ServiceRef, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  const { message, code } = describeApiError(err);
  if (code === NOT_FOUND) return new CloudRunError(`${ref.name} does not exist in ${ref.project}/${ref.region}`, code);
  return new CloudRunError(message, code);
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
