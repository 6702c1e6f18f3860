// The Cloud Run reads of `check` and `where` over the Admin API v2 REST surface, without the client
// library (the transport is restTransport.ts): services and their revisions, a service's revision
// history, jobs and their executions. What each answers is the API's JSON as the SDK would decode
// it, for the fields the reader uses (servingRevisions, trafficState, revisionFacts,
// agreesWithService, jobFacts, executionFacts).
import type { CallOptions } from 'google-gax';
import type { protos } from '@google-cloud/run';
import { RestCaller, type RestPage, type RestSend } from './restTransport';

export type ApiService = protos.google.cloud.run.v2.IService;
export type ApiRevision = protos.google.cloud.run.v2.IRevision;
export type ApiJob = protos.google.cloud.run.v2.IJob;
export type ApiExecution = protos.google.cloud.run.v2.IExecution;

// The fields each read asks for (the `fields` system parameter): what the readers named above use,
// and nothing else. A field a reader starts using must be added here, or it reads as unset.
export const SERVICE_FIELDS = ['name', 'uid', 'reconciling', 'uri', 'latestReadyRevision', 'latestCreatedRevision', 'trafficStatuses', 'template.labels'] as const;
export const REVISION_FIELDS = ['name', 'labels', 'createTime', 'containers.image', 'conditions'] as const;
export const JOB_FIELDS = ['name', 'labels', 'reconciling', 'terminalCondition', 'updateTime', 'template.labels', 'template.template.containers.image'] as const;
export const EXECUTION_FIELDS = [
  'name', 'labels', 'createTime', 'startTime', 'completionTime', 'taskCount', 'runningCount', 'succeededCount', 'failedCount', 'cancelledCount', 'conditions', 'template.containers.args',
] as const;

/** The Cloud Run reads against one API origin. */
export class RunRestReads {
  private readonly rest: RestCaller;

  constructor(origin: string, send: RestSend, random: () => number = Math.random) {
    this.rest = new RestCaller(origin, send, random);
  }

  getService(name: string, options: CallOptions): Promise<ApiService> {
    return this.rest.get('GetService', name, SERVICE_FIELDS, options) as Promise<ApiService>;
  }

  getRevision(name: string, options: CallOptions): Promise<ApiRevision> {
    return this.rest.get('GetRevision', name, REVISION_FIELDS, options) as Promise<ApiRevision>;
  }

  getJob(name: string, options: CallOptions): Promise<ApiJob> {
    return this.rest.get('GetJob', name, JOB_FIELDS, options) as Promise<ApiJob>;
  }

  /** One page of a region's services. */
  listServices(parent: string, pageSize: number, pageToken: string | undefined, options: CallOptions): Promise<RestPage<ApiService>> {
    return this.rest.page<ApiService>('ListServices', parent, 'services', pageSize, pageToken, SERVICE_FIELDS, options);
  }

  /** One page of a region's jobs. */
  listJobs(parent: string, pageSize: number, pageToken: string | undefined, options: CallOptions): Promise<RestPage<ApiJob>> {
    return this.rest.page<ApiJob>('ListJobs', parent, 'jobs', pageSize, pageToken, JOB_FIELDS, options);
  }

  /** One page of a service's revisions (the API lists them newest first). */
  listRevisions(service: string, pageSize: number, pageToken: string | undefined, options: CallOptions): Promise<RestPage<ApiRevision>> {
    return this.rest.page<ApiRevision>('ListRevisions', service, 'revisions', pageSize, pageToken, REVISION_FIELDS, options);
  }

  /** One page of a job's executions (newest first). */
  listExecutions(job: string, pageSize: number, pageToken: string | undefined, options: CallOptions): Promise<RestPage<ApiExecution>> {
    return this.rest.page<ApiExecution>('ListExecutions', job, 'executions', pageSize, pageToken, EXECUTION_FIELDS, options);
  }
}
