// Verdict builders for the extension's unit tests.
import type { CheckResult, ServiceVerdict, ServingVerdict, VerdictStatus } from '../../src/core/model';

export const SHA_A = '81147d04aa11bb22cc33dd44ee55ff6677889900';
export const SHA_B = '0123456789abcdef0123456789abcdef01234567';

export function serving(overrides: Partial<ServingVerdict> = {}): ServingVerdict {
  return {
    revision: 'worker-00042-abc',
    percent: 100,
    commitLabel: SHA_A.slice(0, 8),
    commit: SHA_A,
    status: 'up-to-date',
    commitsBehind: 0,
    createTime: '2026-11-29T08:00:00Z',
    image: 'us-docker.pkg.dev/p/r/worker@sha256:abc',
    ...overrides,
  };
}

export function verdict(name: string, status: VerdictStatus, overrides: Partial<ServiceVerdict> = {}): ServiceVerdict {
  return {
    name,
    kind: 'service',
    project: 'nba-props-platform',
    region: 'us-west2',
    status,
    deployedCommit: SHA_A,
    commitLabel: SHA_A.slice(0, 8),
    commitsBehind: status === 'stale' ? 3 : 0,
    commits: [],
    driftSince: null,
    dirty: false,
    serving: [serving({ status })],
    latestCreatedRevision: 'worker-00042-abc',
    failedRevision: null,
    message: `${name} is ${status}`,
    deployedSubject: 'Fix the thing',
    deployedAt: '2026-11-29T08:00:00Z',
    paths: ['predictions/worker'],
    missingPaths: [],
    ...overrides,
  };
}

export function result(services: ServiceVerdict[], checkedAt = '2026-11-29T10:00:00Z'): CheckResult {
  return { head: SHA_B, checkedAt, services, warnings: [] };
}
