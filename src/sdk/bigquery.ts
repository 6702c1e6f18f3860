// The one place the BigQuery SDK is imported. esbuild bundles this file on its own
// (dist/sdk-bigquery.js); core reaches it through loadBigQuerySdk() in src/core/google/sdk.ts, so only a
// data job's guard or scoreboard pays for loading it.
export { BigQuery } from '@google-cloud/bigquery';
export { GoogleAuth, PassThroughClient } from 'google-auth-library';
