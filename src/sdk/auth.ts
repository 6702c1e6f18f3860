// Google's auth library alone (dist/sdk-auth.js): Application Default Credentials for the reads that
// call the Cloud Run and Cloud Functions REST APIs without a client library (src/core/google/runRest.ts,
// functionsRest.ts). Core reaches it through loadAuthSdk() in src/core/google/sdk.ts, only when the API
// is Google's or a host the user allowed.
export { GoogleAuth } from 'google-auth-library';
