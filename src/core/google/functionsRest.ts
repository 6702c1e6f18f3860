// The Cloud Functions v2 reads of `check` and `where` over the API's REST surface, without the
// client library (the transport is restTransport.ts). What each answers is the API's JSON as the SDK
// would decode it, for the fields functionFacts uses.
import type { CallOptions } from 'google-gax';
import type { protos } from '@google-cloud/functions';
import { RestCaller, type RestPage, type RestSend } from './restTransport';

export type ApiFunction = protos.google.cloud.functions.v2.IFunction;

// The fields the reads ask for (the `fields` system parameter): what functionFacts uses, and nothing
// else. A field it starts using must be added here, or it reads as unset.
export const FUNCTION_FIELDS = ['name', 'state', 'stateMessages', 'labels', 'updateTime', 'buildConfig.build', 'serviceConfig.service', 'serviceConfig.revision'] as const;

/** The Cloud Functions reads against one API origin. */
export class FunctionsRestReads {
  private readonly rest: RestCaller;

  constructor(origin: string, send: RestSend, random: () => number = Math.random) {
    this.rest = new RestCaller(origin, send, random);
  }

  getFunction(name: string, options: CallOptions): Promise<ApiFunction> {
    return this.rest.get('GetFunction', name, FUNCTION_FIELDS, options) as Promise<ApiFunction>;
  }

  /** One page of a region's functions. */
  listFunctions(parent: string, pageSize: number, pageToken: string | undefined, options: CallOptions): Promise<RestPage<ApiFunction>> {
    return this.rest.page<ApiFunction>('ListFunctions', parent, 'functions', pageSize, pageToken, FUNCTION_FIELDS, options);
  }
}
