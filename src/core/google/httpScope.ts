// Aborting the HTTP requests a library makes when the library itself cannot be told to stop.
//
// @google-cloud/bigquery 9.3.0 sends its requests through @google-cloud/common → retry-request →
// teeny-request → node-fetch 3, which honors neither the `timeout` it is given (node-fetch 3 dropped
// that option) nor any AbortSignal (none is passed down). A request to an endpoint that accepts the
// connection and never answers therefore waits forever, and a query whose job never completes is
// polled forever. abortingRequests runs such a call so that every node:http(s) request it starts,
// however deep in the library, is destroyed once `signal` aborts, and any it starts afterwards (a
// retry, the next poll) is destroyed at once: the library then fails the call and lets go of the
// socket, so nothing keeps the process alive.
//
// How: Node publishes every client request on the `http.client.request.start` diagnostics channel,
// synchronously, in the async context of the code that made it; an AsyncLocalStorage scope tells
// which call that was. Requests made outside any scope (other code, other extensions) are untouched.
import { AsyncLocalStorage } from 'node:async_hooks';
import * as diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

interface Scope {
  signal: AbortSignal;
  open: Set<ClientRequest>;
}

const scopes = new AsyncLocalStorage<Scope>();
let subscribed = false;

function onRequestStart(message: unknown): void {
  const scope = scopes.getStore();
  if (!scope) return;
  const request = (message as { request: ClientRequest }).request;
  if (scope.signal.aborted) {
    request.destroy(abortError(scope.signal));
    return;
  }
  scope.open.add(request);
  request.once('close', () => scope.open.delete(request));
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

/** Runs `work`; the HTTP requests it starts are destroyed when `signal` aborts (see above). */
export function abortingRequests<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  if (!subscribed) {
    diagnostics.subscribe('http.client.request.start', onRequestStart);
    subscribed = true;
  }
  const scope: Scope = { signal, open: new Set() };
  const onAbort = (): void => {
    for (const request of scope.open) request.destroy(abortError(signal));
    scope.open.clear();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  const running = scopes.run(scope, async () => work());
  return running.finally(() => signal.removeEventListener('abort', onAbort));
}
