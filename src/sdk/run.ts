// The one place the Cloud Run and Cloud Functions SDKs and the auth library are imported. esbuild
// bundles this file on its own (dist/sdk-run.js); core reaches it through loadRunSdk() in
// src/core/google/sdk.ts.
// Only the clients we use are imported by path: the package index pulls in every Cloud Run
// client (builds, tasks, worker pools, ...), which made the bundle 1 MB larger and slower to load.
import type { FunctionServiceClient as FunctionServiceClientType } from '@google-cloud/functions/build/src/v2/function_service_client';

export { ServicesClient } from '@google-cloud/run/build/src/v2/services_client';
export { RevisionsClient } from '@google-cloud/run/build/src/v2/revisions_client';
export { JobsClient } from '@google-cloud/run/build/src/v2/jobs_client';
export { ExecutionsClient } from '@google-cloud/run/build/src/v2/executions_client';
export { GoogleAuth, PassThroughClient } from 'google-auth-library';

/**
 * The Cloud Functions v2 client class (its protos pruned to FunctionService v2), for listing a
 * region's functions when scaffolding a configuration (a check reads functions over REST). It shares
 * this bundle's google-gax and auth library, and its module runs on the first call only.
 * The v2 client is required by path: the package index also loads the v1, v2alpha and v2beta clients.
 */
export function functionServiceClient(): typeof FunctionServiceClientType {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('@google-cloud/functions/build/src/v2/function_service_client') as { FunctionServiceClient: typeof FunctionServiceClientType }).FunctionServiceClient;
}
