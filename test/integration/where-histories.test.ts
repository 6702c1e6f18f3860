// `cloud-run-drift where` keeps the revision histories it reads (in its cache folder) and uses one
// only once the check has proved it current: a second `where` with nothing deployed asks Cloud Run
// for no history; after a deploy, or after a service was created again under the same revision
// names, the history is read again. Real git in a temporary repository, the real Run and Functions
// clients against the emulator, behind a recording proxy that shows which requests were sent.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { createFixScenario, label } from '../helpers/fixScenario';
import { traced } from '../helpers/gitTrace';
import { startRecordingProxy, type RecordingProxy } from '../helpers/net';
import type { TempRepo } from '../helpers/repo';

const PROJECT = 'hist-project';
const REGION = 'us-west2';

interface UnitJson {
  name: string;
  state: string;
  since: string | null;
  revision: string | null;
}

describe('where keeps revision histories between runs', () => {
  let repo: TempRepo;
  let emulator: RunEmulator;
  let proxy: RecordingProxy;
  let config: string;
  let cacheDir: string;
  let savedCache: string | undefined;
  const c: Record<string, string> = {};

  const whereJson = async (commit: string): Promise<{ units: UnitJson[]; out: string }> => {
    const out: string[] = [];
    const err: string[] = [];
    await main(['where', commit, '--json', '--config', config, '--repo', repo.dir], { out: (t) => out.push(t), err: (t) => err.push(t), color: false });
    assert.ok(out.join('').startsWith('{'), `no JSON: ${out.join('')}${err.join('')}`);
    return { out: out.join(''), units: (JSON.parse(out.join('')) as { units: UnitJson[] }).units };
  };
  const unit = (units: UnitJson[], name: string): UnitJson => units.find((u) => u.name === name)!;
  /** The services whose revision history (ListRevisions) was asked for since the last call. */
  const historiesAsked = (): string[] => {
    const asked = proxy.requests.flatMap((r) => /\/services\/([^/]+)\/revisions$/.exec(r.path)?.[1] ?? []);
    proxy.requests.length = 0;
    return asked.sort();
  };
  const deploy = async (sha: string): Promise<string> => {
    // A minute later each time: each deploy's revision has a creation time of its own.
    await emulator.control('clock', { advanceMs: 60_000 });
    return ((await emulator.control('deploy', { project: PROJECT, region: REGION, service: 'api', labels: label(sha) })) as { revision: string }).revision;
  };

  before(async () => {
    savedCache = process.env.CLOUD_RUN_DRIFT_CACHE_DIR;
    const fix = createFixScenario({ grader: true });
    repo = fix.repo;
    Object.assign(c, fix.c);
    c.next = repo.commit('api: next fix', { 'api/main.py': '3\n' }, new Date('2026-01-01T01:00:00Z'));
    c.last = repo.commit('api: last fix', { 'api/main.py': '4\n' }, new Date('2026-01-01T02:00:00Z'));
    emulator = await startRunEmulator({ project: PROJECT, region: REGION, now: '2026-01-03T00:00:00Z', services: fix.services, functions: fix.functions });
    proxy = await startRecordingProxy(emulator.httpUrl);
    config = path.join(repo.dir, 'cloud-run-drift.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        project: PROJECT,
        region: REGION,
        services: { api: { paths: ['api'] }, grader: { kind: 'function', paths: ['grader'] } },
        endpoints: { run: proxy.url, functions: proxy.url },
      }),
    );
  });
  beforeEach(() => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-where-histories-'));
    process.env.CLOUD_RUN_DRIFT_CACHE_DIR = cacheDir;
  });
  afterEach(async () => {
    await emulator.control('reset');
    proxy.requests.length = 0;
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });
  after(async () => {
    await proxy?.close();
    await releaseAll(emulator, repo);
    if (savedCache === undefined) delete process.env.CLOUD_RUN_DRIFT_CACHE_DIR;
    else process.env.CLOUD_RUN_DRIFT_CACHE_DIR = savedCache;
  });

  it('a second where with nothing deployed asks for no history, and answers the same', async () => {
    const first = await whereJson(c.fix!);
    assert.deepEqual([unit(first.units, 'api').state, unit(first.units, 'api').revision], ['live', 'api-00002-bbb']);
    assert.deepEqual([unit(first.units, 'grader').state, unit(first.units, 'grader').revision], ['live', 'grader-svc-00001-aaa']);
    assert.deepEqual(historiesAsked(), ['api', 'grader', 'grader-svc'], 'the first reads them (grader under the name it suggests, beside the check; grader-svc once the check has named it)');
    const { value: second, commands } = await traced(() => whereJson(c.fix!));
    const gits = commands.map((line) => line.replace(/^built-in: git /, ''));
    // Every touched unit's kept history is current: the facts are read in one pass, with the
    // histories. (Whether HEAD contains it is asked on its own, beside the check: a merge-base.)
    assert.equal(gits.filter((g) => g.startsWith('rev-list --ancestry-path')).length, 1, `one question of which commits contain it, not one per pass:\n${gits.join('\n')}`);
    assert.deepEqual(historiesAsked(), [], 'nothing deployed since: the kept histories are current');
    assert.equal(second.out, first.out);
  });

  it('after a deploy, the history is read again: "since" names the revision the commit first went out in, not the one serving it', async () => {
    const first = await whereJson(c.fix!);
    assert.equal(unit(first.units, 'api').revision, 'api-00002-bbb');
    historiesAsked();
    const next = await deploy(c.next!);
    const last = await deploy(c.last!);
    const answer = await whereJson(c.next!);
    const api = unit(answer.units, 'api');
    assert.equal(api.state, 'live');
    assert.notEqual(api.revision, last, `${last} serves it, but it first went out in ${next}`);
    assert.equal(api.revision, next);
    assert.deepEqual(historiesAsked(), ['api'], 'api was deployed since: its kept history is stale');
    // Now kept, and current.
    assert.deepEqual((await whereJson(c.next!)).units.map((u) => [u.name, u.revision]), answer.units.map((u) => [u.name, u.revision]));
    assert.deepEqual(historiesAsked(), []);
  });

  it('after a deploy, the stale history is asked for as soon as the service is read, while the check still reads the new revision', async () => {
    await whereJson(c.fix!);
    const next = await deploy(c.next!);
    proxy.requests.length = 0;
    // The new revision's read is slow: a history asked for only after the check would come after its answer.
    await emulator.control('faults', { rules: [{ api: 'run', service: 'api', operation: 'getRevision', latencyMs: 600 }] });
    try {
      const answer = await whereJson(c.next!);
      // From the history read again: the kept one knew nothing of the new revision.
      assert.deepEqual([unit(answer.units, 'api').state, unit(answer.units, 'api').revision], ['live', next]);
    } finally {
      await emulator.control('clear-faults');
    }
    const getRevision = proxy.requests.find((r) => /\/services\/api\/revisions\/api-[^/]+$/.test(r.path));
    const history = proxy.requests.find((r) => /\/services\/api\/revisions$/.test(r.path));
    assert.ok(getRevision && history, proxy.requests.map((r) => r.path).join('\n'));
    assert.ok(history.at - getRevision.at < 300, `the history was asked for ${history.at - getRevision.at} ms after the new revision, whose answer took 600 ms`);
  });

  it('whether HEAD contains a commit older than what serves is asked while the check waits for Cloud Run, not after it', async () => {
    // The fix lies below every deployed commit: the check's ranges cannot tell that HEAD holds it.
    await emulator.control('faults', { rules: [{ api: 'run', service: 'api', operation: 'getService', latencyMs: 600 }] });
    try {
      const { value: answer, started } = await traced(() => whereJson(c.fix!));
      assert.deepEqual([unit(answer.units, 'api').state, unit(answer.units, 'grader').state], ['live', 'live']);
      const getService = proxy.requests.find((r) => /\/services\/api$/.test(r.path));
      const asked = started.filter((s) => s.command.endsWith(`merge-base ${c.fix} ${repo.head()}`));
      assert.ok(getService && asked.length === 1, `${proxy.requests.map((r) => r.path).join('\n')}\n${started.map((s) => s.command).join('\n')}`);
      assert.ok(asked[0]!.at - getService.at < 300, `git was asked ${asked[0]!.at - getService.at} ms after the service, whose answer took 600 ms`);
    } finally {
      await emulator.control('clear-faults');
    }
  });

  it('the same for a function: the history of the service it runs on is asked for once that service is read', async () => {
    await whereJson(c.fix!);
    await emulator.control('clock', { advanceMs: 60_000 });
    await emulator.control('deploy', { project: PROJECT, region: REGION, service: 'grader-svc', labels: label(c.followUp!) });
    proxy.requests.length = 0;
    await emulator.control('faults', { rules: [{ api: 'run', service: 'grader-svc', operation: 'getRevision', latencyMs: 600 }] });
    try {
      const answer = await whereJson(c.fix!);
      // The fix first went out in grader-svc's first revision: named from the history read again (its newest is the deploy's).
      assert.deepEqual([unit(answer.units, 'grader').state, unit(answer.units, 'grader').revision], ['live', 'grader-svc-00001-aaa']);
    } finally {
      await emulator.control('clear-faults');
    }
    const getRevision = proxy.requests.find((r) => /\/services\/grader-svc\/revisions\/grader-svc-[^/]+$/.test(r.path));
    const history = proxy.requests.find((r) => /\/services\/grader-svc\/revisions$/.test(r.path));
    assert.ok(getRevision && history, proxy.requests.map((r) => r.path).join('\n'));
    assert.ok(history.at - getRevision.at < 300, `the history was asked for ${history.at - getRevision.at} ms after the new revision, whose answer took 600 ms`);
  });

  it('a kept history is not used once the service was created again, even under the same revision names', async () => {
    const first = await whereJson(c.fix!);
    assert.equal(unit(first.units, 'api').revision, 'api-00002-bbb');
    historiesAsked();
    // api deleted and created again: 00002 is another revision now (the base again), 00003 the first with the fix.
    await emulator.control('service', {
      project: PROJECT,
      region: REGION,
      name: 'api',
      revisions: [
        { name: 'api-00001-aaa', labels: label(c.base!), createTime: '2026-01-02T00:05:00Z' },
        { name: 'api-00002-bbb', labels: label(c.base!), createTime: '2026-01-02T00:15:00Z' },
        { name: 'api-00003-ccc', labels: label(c.followUp!), createTime: '2026-01-02T00:25:00Z' },
      ],
    });
    const answer = await whereJson(c.fix!);
    assert.deepEqual([unit(answer.units, 'api').state, unit(answer.units, 'api').revision, unit(answer.units, 'api').since], ['live', 'api-00003-ccc', '2026-01-02T00:25:00.000Z']);
    assert.deepEqual(historiesAsked(), ['api']);
  });
});
