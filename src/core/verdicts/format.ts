// Short human texts for verdicts, shared by the CLI and the tree so both say the same thing.
import type { ServiceVerdict, VerdictStatus } from '../model';
import { short } from './verdict';

/** How many undeployed commits a unit lists, newest first: `check` unless --max-commits says otherwise, and the unit's row in the tree. */
export const LISTED_COMMITS = 100;

export const STATUS_LABELS: Record<VerdictStatus, string> = {
  'up-to-date': 'up to date',
  stale: 'stale',
  diverged: 'diverged',
  'unknown-commit': 'unknown commit',
  'path-missing': 'path missing',
  unlabeled: 'unlabeled',
  'deploy-failed': 'deploy failed',
  'not-found': 'not found',
  error: 'error',
  deploying: 'deploying',
};

/**
 * "3 behind for 2 days · 81147d04 · 2h ago · dirty": what the tree shows beside a service name ("for":
 * how old its oldest undeployed commit is, after any other status: "deploy failed · behind for 2 days";
 * "dirty unknown" when git could not tell).
 */
export function describeVerdict(v: ServiceVerdict, now: Date): string {
  const parts: string[] = [];
  const drift = v.status !== 'up-to-date' && v.driftSince ? ageSpan(v.driftSince, now, 'long') : '';
  if (v.status === 'stale' && v.commitsBehind !== null) parts.push(drift ? `${v.commitsBehind} behind for ${drift}` : `${v.commitsBehind} behind`);
  else if (v.status !== 'up-to-date') parts.push(STATUS_LABELS[v.status], ...(drift ? [`behind for ${drift}`] : []));
  const deployed = v.deployedCommit ? short(v.deployedCommit) : v.commitLabel ? short(v.commitLabel) : null;
  if (deployed && v.status !== 'not-found' && v.status !== 'error') parts.push(deployed);
  if (v.deployedAt && v.status !== 'not-found' && v.status !== 'error') parts.push(relativeTime(v.deployedAt, now));
  if (v.serving.length > 1) parts.push(`split ${v.serving.map((s) => `${s.percent}%`).join('/')}`);
  if (v.rolledBackTo) parts.push(`rolled back to ${v.rolledBackTo.revision}`);
  if (v.missingPaths.length > 0 && v.status !== 'path-missing') parts.push(`${v.missingPaths.length} ${v.missingPaths.length === 1 ? 'path' : 'paths'} missing`);
  if (v.dirty) parts.push('dirty');
  else if (v.dirty === null) parts.push('dirty unknown');
  return parts.join(' · ');
}

export function relativeTime(iso: string, now: Date): string {
  const seconds = Math.round((now.getTime() - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 0) return 'just now';
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ago`;
  return `${Math.floor(hours / 24)}d ago`;
}

/**
 * How long ago `iso` was, without "ago": `short` as the tree's ages read (`45s`, `12m`, `2h`, `3d`),
 * `long` in words (`45 seconds`, `12 minutes`, `2 hours`, `3 days`). Empty when `iso` is not a time.
 */
export function ageSpan(iso: string, now: Date, style: 'short' | 'long'): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (!Number.isFinite(seconds)) return '';
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const [value, unit] = seconds < 60 ? [seconds, 'second'] : minutes < 60 ? [minutes, 'minute'] : hours < 48 ? [hours, 'hour'] : [Math.floor(hours / 24), 'day'];
  return style === 'short' ? `${value}${unit[0]}` : `${value} ${unit}${value === 1 ? '' : 's'}`;
}

/** "45s", "4m 12s", "2h 5m": how long something took. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** How many services need attention: anything not up to date. */
export function countNotUpToDate(services: readonly ServiceVerdict[]): number {
  return services.filter((s) => s.status !== 'up-to-date').length;
}
