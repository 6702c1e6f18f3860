// The one place the Cloud Logging SDK is imported. esbuild bundles this file on its own (dist/sdk-logging.js);
// core reaches it through loadLoggingSdk() in src/core/google/sdk.ts, so neither activation nor `--help` parses it.
//
// We use the generated LoggingServiceV2Client (@google-cloud/logging-api, the `v2` export of
// @google-cloud/logging) rather than the `Logging` class: its getEntries adds "timestamp >= now-24h" and
// orders desc by default, and its tailEntries drops bufferWindow, always adds projects/{projectId}, and
// resolves the project inside a promise nobody awaits (an unhandled rejection without credentials). The
// generated client sends exactly the request we build. It is imported by path: @google-cloud/logging's index
// loads the Logging class and its dependencies, and logging-api's index the Config and Metrics clients too.
// Its protos are pruned to LoggingServiceV2 (build/prune-run-protos.mjs).
//
// The interfaces below are the narrow, typed face core uses.
import type { Duplex } from 'node:stream';
import { LoggingServiceV2Client as GeneratedLoggingClient } from '@google-cloud/logging-api/build/src/v2/logging_service_v2_client';
// The generated client's own protos (it loads this very file), for decoding entries one at a time (below).
import loggingProtos from '@google-cloud/logging-api/build/protos/protos.json';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import { protobuf } from 'google-gax';
import type { AuthClient } from 'google-auth-library';

export { GoogleAuth, PassThroughClient } from 'google-auth-library';

/** Options of the generated client that we set (gax ClientOptions, plus sslCreds which gRPC honors). */
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
  signal?: AbortSignal;
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

export const LoggingServiceV2Client = GeneratedLoggingClient as unknown as new (options: LoggingClientOptions) => LoggingServiceClient;

export function insecureChannelCredentials(): ChannelCredentials {
  return credentials.createInsecure();
}

// ---------------------------------------------------------------------------------------------------------------
// Undecoded responses
//
// The generated client decodes each TailLogEntriesResponse and ListLogEntriesResponse whole, then converts it with
// toObject (int64 → string through Long arithmetic), in one task: a response of 1000 entries costs the extension
// host ~10 ms warm and several times that cold, and a server may send larger ones. Asking the stub for the bytes
// instead lets core decode the entries a slice at a time, yielding to the event loop between slices (source.ts),
// and skip toObject (normalizeApiEntry reads decoded messages directly).

const SERVICE_PATH = '/google.logging.v2.LoggingServiceV2';

/** A grpc-js client method as @grpc/grpc-js's makeClientConstructor builds it (the generated client's stub). */
interface StubMethod {
  (...args: unknown[]): unknown;
  path?: unknown;
  requestSerialize?: unknown;
}

type GrpcStub = Record<string, unknown>;

/** An entry of a ListLogEntries page fetched undecoded: where it lies in the response's bytes. */
export class UndecodedEntry {
  constructor(
    readonly message: Uint8Array,
    readonly start: number,
    readonly end: number,
  ) {}
}

/**
 * Makes the client's TailLogEntries yield each response as its bytes (a Buffer), and its ListLogEntries pages
 * hold UndecodedEntry items (with nextPageToken read), instead of decoded objects. gax still makes the calls
 * (credentials, deadlines, retries); only the stub's deserializer changes. Call after initialize(). Says which
 * method it changed: none when the client is not shaped as expected (another SDK version, the REST transport),
 * and then the calls yield decoded objects, which core handles as well.
 */
export async function undecodedResponses(client: LoggingServiceClient): Promise<{ tail: boolean; list: boolean }> {
  const stubPromise = (client as { loggingServiceV2Stub?: unknown }).loggingServiceV2Stub;
  const stub = stubPromise instanceof Promise ? ((await stubPromise) as unknown) : null;
  if (typeof stub !== 'object' || stub === null) return { tail: false, list: false };
  const grpcStub = stub as GrpcStub;
  return {
    tail: replaceDeserializer(grpcStub, 'tailLogEntries', 'makeBidiStreamRequest', 'TailLogEntries', (bytes) => bytes),
    list: replaceDeserializer(grpcStub, 'listLogEntries', 'makeUnaryRequest', 'ListLogEntries', splitListResponse),
  };
}

function replaceDeserializer(stub: GrpcStub, name: string, maker: string, rpc: string, deserialize: (bytes: Buffer) => unknown): boolean {
  const method = stub[name] as StubMethod | undefined;
  const make = stub[maker];
  const path = `${SERVICE_PATH}/${rpc}`;
  if (typeof method !== 'function' || typeof make !== 'function' || method.path !== path || typeof method.requestSerialize !== 'function') return false;
  const requestSerialize = method.requestSerialize;
  // gax looks the method up on the stub at each call: (request, metadata, options, callback) for a unary call,
  // (metadata, options) for a bidi stream; the request-making method takes the same after path and (de)serializers.
  const replacement = (...args: unknown[]): unknown => (make as (...a: unknown[]) => unknown).call(stub, path, requestSerialize, deserialize, ...args);
  stub[name] = Object.assign(replacement, { path, requestSerialize, responseDeserialize: deserialize });
  return true;
}

const LENGTH_DELIMITED = 2;

/** ListLogEntriesResponse: entries = 1 (LogEntry), next_page_token = 2 (string); what gax's paging reads. */
function splitListResponse(message: Buffer): { entries: UndecodedEntry[]; nextPageToken: string } {
  const input = protobuf.Reader.create(message);
  const entries: UndecodedEntry[] = [];
  let nextPageToken = '';
  while (input.pos < input.len) {
    const tag = input.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === LENGTH_DELIMITED) {
      const length = input.uint32();
      entries.push(new UndecodedEntry(message, input.pos, input.pos + length));
      input.skip(length);
    } else if (tag >>> 3 === 2 && (tag & 7) === LENGTH_DELIMITED) {
      nextPageToken = input.string();
    } else {
      input.skipType(tag & 7);
    }
  }
  return { entries, nextPageToken };
}

/** One TailLogEntriesResponse, split without decoding its entries. */
export interface SplitTailResponse {
  /** Byte ranges of the entries in the message, as [start, end) pairs: entries.length / 2 entries. */
  entries: number[];
  /** suppression_info: reason (1 RATE_LIMIT, 2 NOT_CONSUMED) and count. */
  suppression: { reason: number; count: number }[];
}

export interface ResponseDecoder {
  split(message: Uint8Array): SplitTailResponse;
  /**
   * The entry at [start, end) of `message`, as a decoded google.logging.v2.LogEntry message: int64 fields are Long
   * objects ({low, high}), enums numbers, the `payload` oneof names the member that is set.
   */
  entry(message: Uint8Array, start: number, end: number): unknown;
  /** An item of a ListLogEntries page: an UndecodedEntry decoded as entry() does; anything else as it is. */
  listed(item: unknown): unknown;
}

let logEntryType: protobuf.Type | undefined;

function logEntry(): protobuf.Type {
  logEntryType ??= protobuf.Root.fromJSON(loggingProtos as protobuf.INamespace).lookupType('google.logging.v2.LogEntry');
  return logEntryType;
}

export function createResponseDecoder(): ResponseDecoder {
  const type = logEntry();
  // One reader per message, repositioned for each entry: decoding an entry allocates only the entry.
  let reader: protobuf.Reader | null = null;
  let readerOf: Uint8Array | null = null;
  const entry = (message: Uint8Array, start: number, end: number): unknown => {
    if (readerOf !== message || reader === null) {
      reader = protobuf.Reader.create(message);
      readerOf = message;
    }
    reader.pos = start;
    return type.decode(reader, end - start);
  };
  return {
    split(message) {
      const input = protobuf.Reader.create(message);
      const entries: number[] = [];
      const suppression: { reason: number; count: number }[] = [];
      while (input.pos < input.len) {
        const tag = input.uint32();
        const field = tag >>> 3;
        if ((field === 1 || field === 2) && (tag & 7) === LENGTH_DELIMITED) {
          const length = input.uint32();
          const start = input.pos;
          if (field === 1) entries.push(start, start + length);
          else suppression.push(suppressionInfo(input, start + length));
          input.pos = start + length;
        } else {
          input.skipType(tag & 7);
        }
      }
      return { entries, suppression };
    },
    entry,
    listed(item) {
      return item instanceof UndecodedEntry ? entry(item.message, item.start, item.end) : item;
    },
  };
}

/** TailLogEntriesResponse.SuppressionInfo: reason = 1 (enum), suppressed_count = 2 (int32). */
function suppressionInfo(input: protobuf.Reader, end: number): { reason: number; count: number } {
  let reason = 0;
  let count = 0;
  while (input.pos < end) {
    const tag = input.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 0) reason = input.int32();
    else if (tag >>> 3 === 2 && (tag & 7) === 0) count = input.int32();
    else input.skipType(tag & 7);
  }
  return { reason, count };
}
