// Which `endpoints` from cloud-run-drift.json are honoured. The file comes from the repository: in
// an untrusted workspace it must not be able to send the user's Google credentials to a host of the
// author's choosing, so only loopback endpoints (the local emulator) are kept there.
import type { Endpoints } from '../core/config';
import { isLoopbackHost } from '../core/loopback';

function hostOf(endpoint: string): string | null {
  try {
    if (/^https?:\/\//i.test(endpoint)) return new URL(endpoint).hostname;
    // logging is host:port
    const match = /^(\[[^\]]+\]|[^:/\s]+):\d+$/.exec(endpoint);
    return match ? match[1]! : null;
  } catch {
    return null;
  }
}

export function isLoopbackEndpoint(endpoint: string): boolean {
  const host = hostOf(endpoint);
  return host !== null && isLoopbackHost(host);
}

export interface EndpointDecision {
  endpoints: Endpoints;
  /** Keys dropped because the workspace is untrusted and they point off this machine. */
  dropped: (keyof Endpoints)[];
}

export function effectiveEndpoints(configured: Endpoints, workspaceTrusted: boolean): EndpointDecision {
  if (workspaceTrusted) return { endpoints: { ...configured }, dropped: [] };
  const endpoints: Endpoints = {};
  const dropped: (keyof Endpoints)[] = [];
  for (const key of ['run', 'logging', 'bigquery'] as const) {
    const value = configured[key];
    if (value === undefined) continue;
    if (isLoopbackEndpoint(value)) endpoints[key] = value;
    else dropped.push(key);
  }
  return { endpoints, dropped };
}
