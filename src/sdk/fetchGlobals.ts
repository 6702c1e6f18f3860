// What Google's auth library and gaxios find as the globals `Headers` and `FormData` in their bundle
// (dist/sdk-auth.js, through esbuild's `inject`): node-fetch's, which gaxios loads anyway to send
// its requests. Node's own are lazy globals of its fetch implementation (undici): the first `new
// Headers()` of a process loads it, 40-55 ms of one core here, and gaxios makes one for every
// request, so every CLI run with credentials paid that before its token request went out.
export { FormData, Headers } from 'node-fetch';
