// Which `endpoints` from cloud-run-drift.json are honored. The file comes from the repository: in an
// untrusted workspace (Restricted Mode) only endpoints that never receive credentials are kept, that is a
// local emulator over plain http (or plain gRPC) on loopback; an https endpoint is dropped even on loopback.
// In a trusted workspace every endpoint is kept, and the credential policy (core/google/credentialPolicy.ts) decides
// whether a client may send credentials to it.
import type { Endpoints } from '../../core/config';
import { credentialPolicy, decideCredentials, endpointTarget } from '../../core/google/credentialPolicy';

/** Whether `endpoint` (config `endpoints.<key>`) is a loopback emulator, which gets no credentials. */
export function isEmulatorEndpoint(key: keyof Endpoints, endpoint: string): boolean {
  const target = endpointTarget(key, endpoint);
  return target !== null && decideCredentials(target, credentialPolicy([], {})).kind === 'emulator';
}

export interface EndpointDecision {
  endpoints: Endpoints;
  /** Keys dropped because the workspace is untrusted and they are not a loopback emulator. */
  dropped: (keyof Endpoints)[];
}

export function effectiveEndpoints(configured: Endpoints, workspaceTrusted: boolean): EndpointDecision {
  if (workspaceTrusted) return { endpoints: { ...configured }, dropped: [] };
  const endpoints: Endpoints = {};
  const dropped: (keyof Endpoints)[] = [];
  for (const key of ['run', 'functions', 'logging', 'bigquery'] as const) {
    const value = configured[key];
    if (value === undefined) continue;
    if (isEmulatorEndpoint(key, value)) endpoints[key] = value;
    else dropped.push(key);
  }
  return { endpoints, dropped };
}
