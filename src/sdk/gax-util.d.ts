// google-gax's util module is a plain file of the package but not in its `exports` map, so
// TypeScript cannot see it; esbuild resolves it by path (esbuild.mjs, rest-only-gax plugin).
declare module 'google-gax/build/src/util' {
  /** Decodes the `Any` error details of long-running operations (used by the clients' LRO methods). */
  export function decodeAnyProtosInArray(protoList: unknown[], protobuf: unknown): unknown[];
}
