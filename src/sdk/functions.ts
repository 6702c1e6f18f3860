// The one place the Cloud Functions SDK is imported. esbuild bundles this file on its own
// (dist/sdk-functions.js, its protos pruned to FunctionService v2); core reaches it through
// loadFunctionsSdk() in src/core/sdk.ts, so only a configuration with functions pays for loading it.
// The v2 client is imported by path: the package index also loads the v1, v2alpha and v2beta clients.
export { FunctionServiceClient } from '@google-cloud/functions/build/src/v2/function_service_client';
export { GoogleAuth, PassThroughClient } from 'google-auth-library';
