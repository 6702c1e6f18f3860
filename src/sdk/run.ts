// The one place the Cloud Run SDK and auth library are imported. esbuild bundles this file on its
// own (dist/sdk-run.js); everything else reaches it through `await import('../sdk/run')`.
export { v2 } from '@google-cloud/run';
export { GoogleAuth, PassThroughClient } from 'google-auth-library';
