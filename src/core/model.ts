// The domain model shared by core, the CLI and the extension. Plain data only: everything here
// must survive JSON.stringify so the CLI can print it and the extension can cache it.

/**
 * What a configured unit is: a Cloud Run service, a Cloud Run function (a gen2 Cloud Function, which
 * runs on a Cloud Run service of its own) or a Cloud Run job. The configuration's default is "service".
 */
export const UNIT_KINDS = ['service', 'function', 'job'] as const;

export type UnitKind = (typeof UNIT_KINDS)[number];

/** Ordered from best to worst: when several serving revisions disagree, the worst wins. */
export const VERDICT_SEVERITY = [
  'up-to-date',
  'unlabeled',
  'stale',
  'diverged',
  'unknown-commit',
  'path-missing',
  'deploy-failed',
  'deploying',
  'not-found',
  'error',
] as const;

export type VerdictStatus = (typeof VERDICT_SEVERITY)[number];

/** Verdicts that mean "we could not tell", as opposed to "we can tell and it drifted". */
export const UNCHECKABLE: ReadonlySet<VerdictStatus> = new Set(['error', 'deploying']);

/** A commit. One from a walk is a WalkedCommit whose fields are getters: copy them by name, not by spread. */
export interface CommitInfo {
  readonly sha: string;
  readonly subject: string;
  readonly author: string;
  /** ISO 8601 author date. */
  readonly date: string;
}

/** One revision as Cloud Run reports it, reduced to what verdicts need. */
export interface RevisionFacts {
  /** Short revision name, e.g. `prediction-worker-00042-abc`. */
  name: string;
  labels: Record<string, string>;
  /** ISO 8601, or null when the API did not say. */
  createTime: string | null;
  image: string | null;
  ready: boolean;
  /** The Ready condition failed (as opposed to still pending). */
  failed: boolean;
  /** The Ready condition's message when the revision failed. */
  readyMessage: string | null;
}

export interface ServingRevision {
  revision: string;
  percent: number;
  tag: string | null;
}

/** One service as Cloud Run reports it. */
export interface ServiceFacts {
  name: string;
  project: string;
  region: string;
  /** True while Cloud Run is still rolling out a change (service.reconciling). */
  reconciling: boolean;
  /** The revisions actually receiving traffic, from trafficStatuses, with LATEST resolved. */
  serving: ServingRevision[];
  /** Details of every revision named in `serving` and of latestCreatedRevision. */
  revisions: Record<string, RevisionFacts>;
  latestCreatedRevision: string | null;
  latestReadyRevision: string | null;
  uri: string | null;
}

/** What the reader got for one service: facts, absence, or a failure confined to this service. */
export type ServiceLookup =
  | { kind: 'found'; facts: ServiceFacts }
  | { kind: 'not-found'; message: string }
  | { kind: 'error'; message: string; code: number | null };

/** A Cloud Run function's state in the Cloud Functions v2 API (STATE_UNSPECIFIED when it did not say). */
export type FunctionState = 'ACTIVE' | 'FAILED' | 'DEPLOYING' | 'DELETING' | 'UNKNOWN' | 'STATE_UNSPECIFIED';

export interface FunctionStateMessage {
  /** ERROR, WARNING or INFO. */
  severity: string;
  type: string;
  message: string;
}

/** One Cloud Run function (a gen2 Cloud Function) as the Cloud Functions v2 API reports it. */
export interface FunctionFacts {
  name: string;
  project: string;
  region: string;
  state: FunctionState;
  /** What the API says about the state, e.g. why the last build failed. */
  stateMessages: FunctionStateMessage[];
  /** The function's own labels: a deploy tool may set the commit label here and not on its revisions. */
  labels: Record<string, string>;
  /** ISO 8601, or null. */
  updateTime: string | null;
  /** The Cloud Build id of its last successful deploy, or null. */
  build: string | null;
  /** The Cloud Run service it runs on (short name, serviceConfig.service), or null when the API did not say. */
  service: string | null;
  /** The revision its last deploy created (serviceConfig.revision), or null. */
  revision: string | null;
}

/** What the reader got for one function: the function with a lookup of the service it runs on, absence, or a failure. */
export type FunctionLookup =
  | { kind: 'found'; facts: FunctionFacts; service: ServiceLookup }
  | { kind: 'not-found'; message: string }
  | { kind: 'error'; message: string; code: number | null };

/** What a verdict on a function adds to a service's. */
export interface FunctionDetails {
  state: FunctionState;
  /** The Cloud Run service it runs on, whose serving revisions decide. */
  service: string | null;
  /** serviceConfig.revision. */
  revision: string | null;
  build: string | null;
  updateTime: string | null;
  /** Why its last deploy failed (e.g. the build's message), when the function says it did. */
  failure: string | null;
  /**
   * The deployed commit was read from the function's own label, because its serving revision has
   * none: a weaker signal than a revision's label (the function's labels need not describe the
   * code its revision runs). Used only when that revision serves 100% of traffic.
   */
  commitFromFunctionLabel: boolean;
}

export interface ServingVerdict {
  revision: string;
  percent: number;
  /** The raw label value, or null when the revision has no commit label. */
  commitLabel: string | null;
  /** The full local SHA the label resolved to, or null. */
  commit: string | null;
  status: VerdictStatus;
  commitsBehind: number | null;
  createTime: string | null;
  image: string | null;
}

export interface ServiceVerdict {
  name: string;
  kind: UnitKind;
  project: string;
  region: string;
  status: VerdictStatus;
  /** The commit of the worst serving revision (full SHA), when known locally. */
  deployedCommit: string | null;
  commitLabel: string | null;
  commitsBehind: number | null;
  /** Undeployed commits touching the service's paths, newest first. */
  commits: CommitInfo[];
  /**
   * The author date (ISO 8601) of the oldest of `commits`: how long the unit has drifted. Null when
   * nothing undeployed is known (up to date, or a verdict that counts no commits).
   */
  driftSince: string | null;
  /** Uncommitted changes inside the paths; null when git could not tell (CheckResult.warnings says why). */
  dirty: boolean | null;
  serving: ServingVerdict[];
  latestCreatedRevision: string | null;
  /** When latestCreatedRevision was created (ISO 8601; null when the API did not say); absent when the check did not read it. */
  latestCreatedAt?: string | null;
  /** The failed revision's details when status is deploy-failed. */
  failedRevision: RevisionFacts | null;
  /** One human sentence that explains the verdict. */
  message: string;
  /**
   * Configured paths that name nothing at HEAD: a configuration problem. When every path is
   * missing the status is `path-missing`; when only some are, the verdict comes from the rest.
   */
  missingPaths: string[];
  /** The subject of the deployed commit, when local. */
  deployedSubject: string | null;
  /** When the deployed (worst serving) revision was created, ISO 8601. */
  deployedAt: string | null;
  paths: string[];
  /** Cloud Run jobs: the newest execution (null when the job never ran), with the commit it ran. */
  lastExecution?: ExecutionVerdict | null;
  /** Cloud Run jobs: the most recent executions, newest first (the first is lastExecution). */
  executions?: ExecutionVerdict[];
  /** For a function that was found: its state, the revision it names and where the commit came from. */
  function?: FunctionDetails;
  /** All traffic is pinned to a revision older than the latest ready one, as after a rollback (see verdicts/traffic.ts pinnedToOlder). */
  rolledBackTo?: { revision: string; latestReadyRevision: string };
}

export interface CheckResult {
  head: string;
  checkedAt: string;
  services: ServiceVerdict[];
  /** What this check could not find out for every service, e.g. "Uncommitted changes are unknown: git status timed out after 15 s." */
  warnings: string[];
}

/** Where a Cloud Run job execution stands. */
export type ExecutionStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface ExecutionTasks {
  total: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

/** One Cloud Run job execution as the reader reports it. */
export interface ExecutionFacts {
  /** Short name, e.g. `grading-backfill-x7k2p`. */
  name: string;
  /** Its own labels, copied from the job's template when it started: the commit it ran. */
  labels: Record<string, string>;
  status: ExecutionStatus;
  /** ISO 8601, or null when the API did not say (not started, not completed). */
  createTime: string | null;
  startTime: string | null;
  completionTime: string | null;
  tasks: ExecutionTasks;
  /** Why it failed (the Completed condition's message), or null. */
  message: string | null;
  /** The arguments its container ran with (overrides included). */
  args: string[];
}

/** One Cloud Run job as the reader reports it. A job has no traffic: its template is what the next execution runs. */
export interface JobFacts {
  name: string;
  project: string;
  region: string;
  /** The labels of the job's execution template (the commit label of what the next execution runs). */
  templateLabels: Record<string, string>;
  /** The job's own labels. */
  labels: Record<string, string>;
  image: string | null;
  /** True while a deploy is being rolled out. */
  reconciling: boolean;
  /** The terminal condition failed: the last deploy did not succeed. */
  failed: boolean;
  /** The terminal condition's message when it failed. */
  failureMessage: string | null;
  /** When the template last changed, ISO 8601. */
  updateTime: string | null;
  /** The most recent executions, newest first. */
  executions: ExecutionFacts[];
  /** Why the executions could not be read (the job itself was), or null. */
  executionsError: string | null;
}

/** What the reader got for one job: facts, absence, or a failure confined to this job. */
export type JobLookup =
  | { kind: 'found'; facts: JobFacts }
  | { kind: 'not-found'; message: string }
  | { kind: 'error'; message: string; code: number | null };

/** An execution in a job's verdict: what it did, and the commit it ran against HEAD. */
export interface ExecutionVerdict extends Omit<ExecutionFacts, 'labels'> {
  /** The raw commit label it ran with, or null when it had none. */
  commitLabel: string | null;
  /** The full local SHA the label resolved to, or null. */
  commit: string | null;
  /**
   * How many commits touching the job's paths HEAD has beyond the commit it ran (0: it ran the
   * current code); null when that cannot be told (no label, a commit not in HEAD's history).
   */
  commitsBehind: number | null;
  /** From its start (or creation) to its completion; null until it has completed. */
  durationMs: number | null;
}
