// Which hosts receive the user's Google credentials. cloud-run-drift.json comes from the repository, so its
// `endpoints` may name any host; the user's Application Default Credentials go only to Google's API hosts
// (`*.googleapis.com`, and `*.<universe domain>` when one is configured), never to a plain-http loopback
// emulator, and to any other host only when the user allowed it somewhere a repository cannot write: the
// setting, the environment variable or the CLI flag below. Every client decides here before it looks up
// credentials, and the credentials themselves refuse any other host (see credentials.ts).
import type { Endpoints } from '../config';
import { isLoopbackHost } from '../platform/loopback';

/** The extension setting (machine scope: user or remote settings only, never a workspace's). */
export const ALLOW_HOSTS_SETTING = 'cloudRunDrift.credentials.allowHosts';
/** Comma- or space-separated hosts, for the CLI and the extension alike. */
export const ALLOW_HOSTS_ENV = 'CLOUD_RUN_DRIFT_ALLOW_CREDENTIALS_TO';
/** The CLI flag, repeatable. */
export const ALLOW_HOSTS_FLAG = '--allow-credentials-to';
/** google-auth-library and the generated clients read the universe domain from this variable. */
const UNIVERSE_DOMAIN_ENV = 'GOOGLE_CLOUD_UNIVERSE_DOMAIN';

const GOOGLE_API_DOMAIN = 'googleapis.com';

export interface CredentialPolicy {
  /** Hosts (normalized; `*.example.com` for its subdomains) the user allowed besides Google's. */
  allowHosts: readonly string[];
  /** A configured universe domain other than googleapis.com, else null. */
  universeDomain: string | null;
}

/**
 * The policy from hosts the user gave (the setting, or CLI flags) plus the environment's
 * CLOUD_RUN_DRIFT_ALLOW_CREDENTIALS_TO and GOOGLE_CLOUD_UNIVERSE_DOMAIN.
 */
export function credentialPolicy(hosts: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): CredentialPolicy {
  const fromEnv = (env[ALLOW_HOSTS_ENV] ?? '').split(/[\s,]+/);
  const allowHosts = [...new Set([...hosts, ...fromEnv].map(normalizeAllowedHost).filter((h): h is string => h !== null))];
  const universe = canonicalHost(env[UNIVERSE_DOMAIN_ENV] ?? '');
  return { allowHosts, universeDomain: universe && universe !== GOOGLE_API_DOMAIN ? universe : null };
}

/**
 * How hosts are compared: as the URL parser writes them (lowercase, punycode, IPv4 in dotted-quad form, so
 * `127.1` is `127.0.0.1` as the clients will see it), without IPv6 brackets or a trailing dot. Null when
 * `host` is not one.
 */
function canonicalHost(host: string): string | null {
  let text = host.trim();
  if (text.includes(':') && !text.startsWith('[')) text = `[${text}]`;
  try {
    const name = new URL(`https://${text}/`).hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
    return name === '' ? null : name;
  } catch {
    return null;
  }
}

/** A host as the user may write it: bare, `*.domain`, host:port or a URL. Null when it names no host. */
export function normalizeAllowedHost(entry: string): string | null {
  let text = entry.trim();
  if (text === '') return null;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      text = new URL(text).hostname;
    } catch {
      return null;
    }
  } else if (/^[^:]+:\d+$/.test(text) || /^\[.*\]:\d+$/.test(text)) {
    text = text.slice(0, text.lastIndexOf(':'));
  }
  const wildcard = text.startsWith('*.');
  const host = canonicalHost(wildcard ? text.slice(2) : text);
  if (host === null || host.includes('*')) return null;
  return wildcard ? `*.${host}` : host;
}

function withinDomain(host: string, domain: string): boolean {
  return host.endsWith(`.${domain}`);
}

/** Whether `host` (URL.hostname form) may receive the user's Google credentials over TLS. */
export function isCredentialHost(host: string, policy: CredentialPolicy): 'google' | 'allowed' | false {
  const name = canonicalHost(host);
  if (name === null) return false;
  if (withinDomain(name, GOOGLE_API_DOMAIN) || (policy.universeDomain !== null && withinDomain(name, policy.universeDomain))) return 'google';
  const allowed = policy.allowHosts.some((entry) => (entry.startsWith('*.') ? withinDomain(name, entry.slice(2)) : entry === name));
  return allowed ? 'allowed' : false;
}

/** Whether a request to `url` may carry the user's Google credentials: https to a credential host. */
export function mayCarryCredentials(url: string | URL, policy: CredentialPolicy): boolean {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && isCredentialHost(parsed.hostname, policy) !== false;
}

/** Where a client is about to connect. */
export interface ApiTarget {
  /** What the user sees in messages, e.g. `endpoints.run https://127.0.0.1:8443`. */
  source: string;
  /** URL.hostname form. */
  host: string;
  /** https, or gRPC over TLS. */
  tls: boolean;
}

export type CredentialDecision =
  /** Google's API: Application Default Credentials. */
  | { kind: 'google' }
  /** A plain-http (or plain gRPC) loopback emulator: no credentials are looked up or sent. */
  | { kind: 'emulator' }
  /** Another host the user allowed: Application Default Credentials. */
  | { kind: 'allowed' }
  /** Nothing is sent; the message says why and how the user can allow the host. */
  | { kind: 'refused'; message: string };

/** The decision for a client about to connect to `target`; null means Google's default endpoint. */
export function decideCredentials(target: ApiTarget | null, policy: CredentialPolicy): CredentialDecision {
  if (target === null) return { kind: 'google' };
  if (!target.tls) {
    if (isLoopbackHost(target.host)) return { kind: 'emulator' };
    return { kind: 'refused', message: `${target.source}: plain http is only allowed to a loopback emulator` };
  }
  const verdict = isCredentialHost(target.host, policy);
  if (verdict !== false) return { kind: verdict };
  return { kind: 'refused', message: refusal(target, policy) };
}

function refusal(target: ApiTarget, policy: CredentialPolicy): string {
  const host = canonicalHost(target.host) ?? shown(target.host);
  const google = policy.universeDomain ? `*.${GOOGLE_API_DOMAIN} or *.${policy.universeDomain}` : `*.${GOOGLE_API_DOMAIN}`;
  return (
    `${target.source} is not a Google API host: your Google credentials are sent only to ${google}. ` +
    `To send them to ${host} anyway, allow it outside the repository: the setting ${ALLOW_HOSTS_SETTING} (user settings), ` +
    `the environment variable ${ALLOW_HOSTS_ENV}=${host}, or the CLI flag ${ALLOW_HOSTS_FLAG} ${host}`
  );
}

/**
 * An endpoint as messages show it: it comes from the repository, so control characters are escaped and cannot
 * drive the terminal or split the line.
 */
function shown(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The target of a `http(s)://` endpoint URL; `setting` names it in messages (e.g. `endpoints.run`). */
export function urlTarget(setting: string, endpoint: string, url: URL): ApiTarget {
  return { source: `${setting} ${shown(endpoint)}`, host: url.hostname, tls: url.protocol === 'https:' };
}

/**
 * The target of a configured endpoint, null when it cannot be parsed: a URL for `run` and `bigquery`, host:port
 * for `logging` (gRPC, plain to a loopback host as the emulator speaks it, TLS to any other).
 */
export function endpointTarget(key: keyof Endpoints, endpoint: string): ApiTarget | null {
  const setting = `endpoints.${key}`;
  if (key === 'logging') {
    const match = /^(\[[^\]\s]+\]|[^/\s:]+):\d{1,5}$/.exec(endpoint);
    return match ? { source: `${setting} ${shown(endpoint)}`, host: match[1]!, tls: !isLoopbackHost(match[1]!) } : null;
  }
  try {
    const url = new URL(endpoint);
    return url.protocol === 'http:' || url.protocol === 'https:' ? urlTarget(setting, endpoint, url) : null;
  } catch {
    return null;
  }
}
