// The one place the Cloud Run SDK and auth library are imported. esbuild bundles this file on its
// own (dist/sdk-run.js); core reaches it through loadRunSdk() in src/core/sdk.ts.
// Only the clients we use are imported by path: the package index pulls in every Cloud Run
// client (builds, tasks, worker pools, ...), which made the bundle 1 MB larger and slower to load.
export { ServicesClient } from '@google-cloud/run/build/src/v2/services_client';
export { RevisionsClient } from '@google-cloud/run/build/src/v2/revisions_client';
export { JobsClient } from '@google-cloud/run/build/src/v2/jobs_client';
export { ExecutionsClient } from '@google-cloud/run/build/src/v2/executions_client';
export { GoogleAuth, PassThroughClient } from 'google-auth-library';
