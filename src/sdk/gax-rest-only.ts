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
