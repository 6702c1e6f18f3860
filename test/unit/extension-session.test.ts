import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CloudRunReader } from '../../src/core/google/cloudrun';
import { ConfigError, MAX_NESTING, parseConfig, type DriftConfig, type Endpoints } from '../../src/core/config';
import type { GitRepository } from '../../src/core/git/repository';
import type { CheckResult } from '../../src/core/model';
import { DriftSession, type CoreServices } from '../../src/extension/session/driftSession';
import type { RefreshReason } from '../../src/extension/session/refreshScheduler';
import { silentLogger } from '../helpers/silentLogger';
import { result, serving, verdict } from './extension-fixtures';

const silent = silentLogger;

function config(overrides: Partial<DriftConfig> = {}): DriftConfig {
  return {
    file: '/repo/cloud-run-drift.json',
    root: '/repo',
    commitLabel: 'commit-sha',
    services: [{ name: 'worker', kind: 'service', project: 'p-123456', region: 'us-west2', paths: ['worker'], dependsOn: [] }],
    deployCommands: [],
    logFilters: {},
    jobs: [],
    endpoints: {},
    ...overrides,
  };
}

interface FakeCore extends CoreServices {
  loaded: () => DriftConfig;
  check: () => Promise<CheckResult>;
  readers: { endpoints: Endpoints; closed: boolean }[];
  opened: string[];
}

function fakeCore(): FakeCore {
  const core: FakeCore = {
    loaded: () => config(),
    check: async () => result([verdict('worker', 'up-to-date')]),
    readers: [],
    opened: [],
    loadConfig: async () => core.loaded(),
    openRepository: async (root) => {
      core.opened.push(root);
      return { root } as unknown as GitRepository;
    },
    createReader: (endpoints) => {
      const record = { endpoints, closed: false };
      core.readers.push(record);
      const reader: CloudRunReader = {
        lookupService: () => Promise.reject(new Error('not used')),
        listServices: () => Promise.reject(new Error('not used')),
        close: async () => void (record.closed = true),
      };
      return reader;
    },
    checkServices: () => core.check(),
  };
  return core;
}

const REASONS: ReadonlySet<RefreshReason> = new Set(['manual']);
const signal = (): AbortSignal => new AbortController().signal;

function session(core: CoreServices, trusted = true): DriftSession {
  return new DriftSession(core, { isTrusted: () => trusted }, silent, '/repo/cloud-run-drift.json');
}

describe('extension session', () => {
  it('reads its own configuration file, and is keyed by its directory', async () => {
    const core = fakeCore();
    const read: string[] = [];
    core.loadConfig = async (file) => {
      read.push(file);
      return config();
    };
    const s = session(core);
    assert.equal(s.state.kind, 'loading');
    assert.equal(s.root, '/repo');
    assert.equal(s.configFile, '/repo/cloud-run-drift.json');
    await s.refresh(REASONS, signal());
    assert.deepEqual(read, ['/repo/cloud-run-drift.json']);
    assert.equal(s.state.kind, 'ready');
  });

  it('carries configuration problems with their JSON paths and lines', async () => {
    const core = fakeCore();
    core.loaded = () => {
      throw new ConfigError('/repo/cloud-run-drift.json', [{ jsonPath: '$.services.Bad', message: 'invalid service name', line: 4 }]);
    };
    const s = session(core);
    await s.refresh(REASONS, signal());
    assert.equal(s.state.kind, 'invalidConfig');
    assert.deepEqual(s.state.kind === 'invalidConfig' && s.state.problems, [{ jsonPath: '$.services.Bad', message: 'invalid service name', line: 4 }]);
    assert.equal(s.configFile, '/repo/cloud-run-drift.json');
  });

  it('shows absurdly deep nesting as a configuration problem at its line, not a crash of the refresh', async () => {
    const core = fakeCore();
    core.loaded = () => parseConfig(`{\n"services": ${'['.repeat(200_000)}`, '/repo/cloud-run-drift.json');
    const s = session(core);
    await s.refresh(REASONS, signal());
    assert.equal(s.state.kind, 'invalidConfig');
    assert.deepEqual(s.state.kind === 'invalidConfig' && s.state.problems, [
      { jsonPath: '$', line: 2, message: `nested more than ${MAX_NESTING} levels deep (a configuration needs at most 4)` },
    ]);
  });

  it('expects the labels the last result saw serving, so their git work starts early', async () => {
    const core = fakeCore();
    const expected: (readonly string[])[] = [];
    core.checkServices = async (_config, _deps, options) => {
      expected.push(options.expectedLabels);
      return core.check();
    };
    core.check = async () =>
      result([
        verdict('worker', 'stale', { serving: [serving({ commitLabel: 'aaaa1111', percent: 50 }), serving({ revision: 'worker-00041-xyz', commitLabel: null, percent: 50 })] }),
        verdict('scraper', 'up-to-date', { serving: [serving({ commitLabel: 'bbbb2222' })] }),
        verdict('coordinator', 'up-to-date', { serving: [serving({ commitLabel: 'aaaa1111' })] }),
      ]);
    const s = session(core);
    await s.refresh(REASONS, signal());
    await s.refresh(REASONS, signal());
    assert.deepEqual(expected, [[], ['aaaa1111', 'bbbb2222']]);
  });

  it('keeps the last result when a refresh fails, and clears the failure on the next success', async () => {
    const core = fakeCore();
    const s = session(core);
    const refreshed: CheckResult[] = [];
    s.onDidRefresh((r) => refreshed.push(r));
    await s.refresh(REASONS, signal());
    const first = s.lastResult;
    assert.equal(first?.services[0]?.status, 'up-to-date');

    core.check = async () => {
      throw new Error('git head failed: boom');
    };
    await s.refresh(REASONS, signal());
    assert.equal(s.lastResult, first, 'a failed refresh never blanks the tree');
    assert.equal(s.failure?.message, 'git head failed: boom');
    assert.equal(refreshed.length, 1);

    core.check = async () => result([verdict('worker', 'stale')]);
    await s.refresh(REASONS, signal());
    assert.equal(s.failure, undefined);
    assert.equal(s.lastResult?.services[0]?.status, 'stale');
    assert.equal(refreshed.length, 2);
  });

  it('records nothing for a refresh aborted by dispose', async () => {
    const core = fakeCore();
    const controller = new AbortController();
    core.check = async () => {
      controller.abort();
      throw new Error('aborted');
    };
    const s = session(core);
    await s.refresh(REASONS, controller.signal);
    assert.equal(s.failure, undefined);
    assert.equal(s.lastResult, undefined);
    assert.equal(s.refreshing, false);
  });

  it('re-reads the configuration only when told it changed', async () => {
    const core = fakeCore();
    let loads = 0;
    core.loaded = () => {
      loads++;
      return config();
    };
    const s = session(core);
    await s.refresh(REASONS, signal());
    await s.refresh(REASONS, signal());
    assert.equal(loads, 1);
    s.markConfigChanged();
    await s.refresh(REASONS, signal());
    assert.equal(loads, 2);
  });

  it('reuses the reader and repository, and replaces the reader when endpoints change', async () => {
    const core = fakeCore();
    const s = session(core);
    await s.refresh(REASONS, signal());
    await s.refresh(REASONS, signal());
    assert.equal(core.readers.length, 1);
    assert.deepEqual(core.opened, ['/repo']);
    core.loaded = () => config({ endpoints: { run: 'http://127.0.0.1:8123' } });
    s.markConfigChanged();
    await s.refresh(REASONS, signal());
    assert.equal(core.readers.length, 2);
    assert.equal(core.readers[0]!.closed, true);
    s.dispose();
    assert.equal(core.readers[1]!.closed, true);
  });

  it('in an untrusted workspace, ignores endpoints that leave this machine', async () => {
    const core = fakeCore();
    core.loaded = () => config({ endpoints: { run: 'https://attacker.example', logging: '127.0.0.1:8124' } });
    let checkedWith: Endpoints | undefined;
    core.checkServices = async (c) => {
      checkedWith = c.endpoints;
      return result([]);
    };
    await session(core, false).refresh(REASONS, signal());
    assert.deepEqual(core.readers[0]!.endpoints, { logging: '127.0.0.1:8124' });
    assert.deepEqual(checkedWith, { logging: '127.0.0.1:8124' });

    const trustedCore = fakeCore();
    trustedCore.loaded = core.loaded;
    await session(trustedCore, true).refresh(REASONS, signal());
    assert.deepEqual(trustedCore.readers[0]!.endpoints, { run: 'https://attacker.example', logging: '127.0.0.1:8124' });
  });

  it('retries opening the repository after a failure', async () => {
    const core = fakeCore();
    let attempts = 0;
    core.openRepository = async (root) => {
      attempts++;
      if (attempts === 1) throw new Error('not inside a git repository');
      return { root } as unknown as GitRepository;
    };
    const s = session(core);
    await s.refresh(REASONS, signal());
    assert.match(s.failure?.message ?? '', /not inside a git repository/);
    await s.refresh(REASONS, signal());
    assert.equal(s.failure, undefined);
    assert.equal(attempts, 2);
  });

  it('announces refreshing and state changes', async () => {
    const core = fakeCore();
    const s = session(core);
    const seen: string[] = [];
    s.onDidChange(() => seen.push(`${s.state.kind}:${s.refreshing}`));
    await s.refresh(REASONS, signal());
    assert.deepEqual(seen, ['loading:true', 'ready:true', 'ready:false']);
  });
});
