// What Google's auth library and gaxios find as the globals `Headers` and `FormData` in their bundle
// (dist/sdk-auth.js, through esbuild's `inject`). Node's own are lazy globals of its fetch
// implementation (undici): the first `new Headers()` of a process loads all of it, 45-56 ms of one
// core here, and gaxios makes one for every request, so every CLI run with credentials paid that
// before its token request went out. Headers is the Fetch standard's, in fetchHeaders.ts; FormData,
// which the libraries only test requests' bodies against, is node-fetch's, the fetch gaxios sends
// through and so loads anyway.
export { FormData } from 'node-fetch';
export { Headers } from './fetchHeaders';
