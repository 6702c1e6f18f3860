import type { CallOptions } from 'google-gax';
import type { Endpoints } from '../config';
import type { ExecutionFacts, FunctionLookup, JobLookup, RevisionFacts, ServiceFacts, ServiceLookup } from '../model';
import { CloudRunError, DEADLINE_EXCEEDED, describeApiError, INVALID_ARGUMENT, NOT_FOUND } from './apiErrors';
import { credentialPolicy, type CredentialDecision, type CredentialPolicy } from './credentialPolicy';
import { formatSeconds, startDeadline } from '../platform/deadline';
import { createFunctionsClient, functionsCredentials, functionsOriginOf, lookupFunction, type FunctionRef, type FunctionsClient } from './functions';
import { FunctionsRestReads, type ApiFunction } from './functionsRest';
import { plainSend, type RestSend } from './restTransport';
import { RunRestReads, type ApiExecution, type ApiJob, type ApiRevision, type ApiService } from './runRest';
import { apiOriginOf, authorizedSend, createClients, runCredentials, sendApiCallsThroughHttpFetch, type Clients } from './runClients';
import { groupKey, groupsToList, isLargeGroup, LIST_PAGE_MAX, RegionListing, type LargeGroups, type ListGroup, type ListingRef } from './regionListing';
import { settledRevisionKey, type SettledRevisionStore } from './revisionStore';
import { shortName, shortNameOrNull } from './resourceNames';
import { executionFacts, executionResourceName, jobFacts, jobResourceName, RECENT_EXECUTIONS, runJobRequest, type ExecutionRef, type JobRef, type RunJobOverrides } from './runJobs';
import { agreesWithService, revisionFacts, servingRevisions, trafficState, writableFields } from './serviceFacts';
import { Semaphore } from '../platform/semaphore';
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

/** What ends a read besides the reader's own timeout: the caller's deadline and signal. */
interface ReadBound {
  deadline: number;
  signal: AbortSignal | undefined;
}
const UNBOUNDED: ReadBound = { deadline: Infinity, signal: undefined };

/** `projects/P/locations/R/services/S`: the service's name in the Admin API. */
export function serviceResourceName(ref: ServiceRef): string {
  return `projects/${ref.project}/locations/${ref.region}/services/${ref.name}`;
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

function trafficError(err: unknown, ref: ServiceRef, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  const { message, code } = describeApiError(err);
  if (code === NOT_FOUND) return new CloudRunError(`${ref.name} does not exist in ${ref.project}/${ref.region}`, code);
  return new CloudRunError(message, code);
}
