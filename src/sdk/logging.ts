// The one place the Cloud Logging SDK is imported. esbuild bundles this file on its own (dist/sdk-logging.js);
// core reaches it through loadLoggingSdk() in src/core/sdk.ts, so neither activation nor `--help` parses it.
//
// We use the generated LoggingServiceV2Client (the `v2` export of @google-cloud/logging) rather than the
// `Logging` class: its getEntries adds "timestamp >= now-24h" and orders desc by default, and its tailEntries
// drops bufferWindow, always adds projects/{projectId}, and resolves the project inside a promise nobody awaits
// (an unhandled rejection without credentials). The generated client sends exactly the request we build.
//
// @google-cloud/logging declares `v2` as `any`; the interfaces below are the narrow, typed face core uses.
import type { Duplex } from 'node:stream';
import { v2 } from '@google-cloud/logging';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import type { AuthClient } from 'google-auth-library';

export { GoogleAuth, PassThroughClient } from 'google-auth-library';

/** Options of the generated client that we set (gax ClientOptions, plus sslCreds which gRPC honours). */
export interface LoggingClientOptions {
  projectId: string;
  apiEndpoint?: string;
  port?: number;
  /** gRPC channel credentials; insecure for a loopback emulator. */
  sslCreds?: ChannelCredentials;
  authClient?: AuthClient;
  /** REST transport (HTTP/1.1 + JSON). It cannot tail. */
  fallback?: boolean;
  protocol?: 'http' | 'https';
}

/** ListLogEntriesRequest as we send it. */
export interface ListLogEntriesRequest {
  resourceNames: string[];
  filter: string;
  orderBy: string;
  pageSize: number;
  pageToken?: string;
}

/** TailLogEntriesRequest as we send it (the first and only message written on the stream). */
export interface TailLogEntriesRequest {
  resourceNames: string[];
  filter: string;
  bufferWindow: { seconds: number; nanos: number };
}

export interface ListCallOptions {
  autoPaginate: false;
  timeout: number;
  maxRetries: number;
}

/** A bidi call: write one TailLogEntriesRequest, read TailLogEntriesResponse messages; cancel() ends it. */
export type TailCall = Duplex & { cancel(): void };

export interface LoggingServiceClient {
  /** Creates the stub (and, with ADC, fetches credentials). Awaited by us so failures cannot go unhandled. */
  initialize(): Promise<unknown>;
  /** With autoPaginate false: [entries of one page, the next request or null, the raw response]. */
  listLogEntries(request: ListLogEntriesRequest, options: ListCallOptions): Promise<[unknown[], unknown, { nextPageToken?: string | null } | null | undefined]>;
  /** Over REST this throws synchronously ("does not support ... bidi-stream calls"). */
  tailLogEntries(): TailCall;
  close(): Promise<void>;
}

export const LoggingServiceV2Client: new (options: LoggingClientOptions) => LoggingServiceClient = v2.LoggingServiceV2Client;

export function insecureChannelCredentials(): ChannelCredentials {
  return credentials.createInsecure();
}
