// What the Cloud Run clients need from `google-gax`, without its gRPC half.
// The clients `require('google-gax')` at the top for two helpers and again in their constructor
// for the transport; with `fallback: true` they only ever use `gax.fallback` (HTTP/1.1 REST).
// The full package also loads @grpc/grpc-js, its proto-loader and the gRPC stubs: about 0.35 MB of
// bundle and a third of the CLI's start. esbuild maps the bare `google-gax` import of the Run bundle
// to this file (see esbuild.mjs); the logging bundle, which tails over gRPC, keeps the full package.
export * from 'google-gax/fallback';
export { decodeAnyProtosInArray } from 'google-gax/build/src/util';
import * as loggingUtils from 'google-logging-utils';
export { loggingUtils };

import * as gaxFallback from 'google-gax/fallback';

type Closable = { close(): Promise<void> };

/**
 * `Client`, built on its first use instead of when `new` is called: until then the object stands
 * in for it (every property read builds it), and closing it builds nothing.
 */
function builtOnFirstUse<C extends new (...args: never[]) => Closable>(Client: C): C {
  return class {
    constructor(...args: ConstructorParameters<C>) {
      let client: Closable | undefined;
      const built = (): Closable => (client ??= new Client(...args));
      return new Proxy(Object.create(Client.prototype) as Closable, {
        get: (_target, property) => {
          if (property === 'close' && client === undefined) return () => Promise.resolve();
          const value: unknown = Reflect.get(built(), property);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(client) : value;
        },
        set: (_target, property, value) => Reflect.set(built(), property, value),
      });
    }
  } as unknown as C;
}

/**
 * Every generated client builds the Locations mixin (the Functions client the IAM one too) in its
 * constructor, which parses the mixin's own protos: about a third of building a ServicesClient, for
 * methods (getLocation, listLocations, getIamPolicy...) we never call. They are built on first use.
 * The clients take them from `gax.fallback` (the REST transport's module), so that is where they go.
 */
export const LocationsClient = builtOnFirstUse(gaxFallback.LocationsClient);
export const IamClient = builtOnFirstUse(gaxFallback.IamClient);

type Root = ReturnType<typeof gaxFallback.protobufFromJSON>;
const rootsByJson = new WeakMap<object, Root>();

/**
 * gax's protobufFromJSON, remembered by the JSON object itself. gax remembers a parsed root by a hash
 * of the JSON's text, computed on every call (twice per client built); and the first client built
 * changes that text (its long-running operations' HTTP rules are written into the parsed options,
 * which are the JSON's own objects), so the next client of the same protos hashed it differently
 * and parsed them all again. The root it would have parsed is the one already built, changed alike.
 */
export function protobufFromJSON(json: object, ignoreCache = false): Root {
  if (ignoreCache) return gaxFallback.protobufFromJSON(json, true);
  let root = rootsByJson.get(json);
  if (root === undefined) {
    root = gaxFallback.protobufFromJSON(json);
    rootsByJson.set(json, root);
  }
  return root;
}

/** gax's REST transport, loading protos through protobufFromJSON above. */
export class GrpcClient extends gaxFallback.GrpcClient {
  override loadProtoJSON(json: Parameters<gaxFallback.GrpcClient['loadProtoJSON']>[0], ignoreCache = false): Root {
    return protobufFromJSON(json, ignoreCache);
  }
}

export const fallback: typeof gaxFallback = { ...gaxFallback, LocationsClient, IamClient, GrpcClient, protobufFromJSON };
