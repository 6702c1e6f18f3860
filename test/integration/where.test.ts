// `cloud-run-drift where`: real git in a temporary repository, the real Cloud Run client against the
// emulator. Live (since the first revision that carried it), partly live, not yet live, not on the
// deployed branch, not affected and unknown, for commits and for blamed lines; JSON and exit codes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { createFixScenario, label } from '../helpers/fixScenario';
import type { TempRepo } from '../helpers/repo';

const PROJECT = 'demo-project';
const REGION = 'us-west2';

interface UnitJson {
  name: string;
  kind: string;
  state: string;
  since: string | null;
  revision: string | null;
  percent: number | null;
  message: string;
  commitsBehind: number | null;
  driftSince: string | null;
  reason: string | null;
}

describe('cloud-run-drift where', () => {
  let repo: TempRepo;
  let emulator: RunEmulator;
  let config: string;
  const c: Record<string, string> = {};
  let cacheDir: string;
  let savedCache: string | undefined;

  const where = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['where', ...args, '--config', config, '--repo', repo.dir], { out: (t) => out.push(t), err: (t) => err.push(t), color: false });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const whereJson = async (...args: string[]): Promise<{ code: number; commit: string | null; units: UnitJson[]; message?: string }> => {
    const run = await where(...args, '--json');
    assert.ok(run.out.startsWith('{'), `no JSON (exit ${run.code}): ${run.out}${run.err}`);
    return { code: run.code, ...(JSON.parse(run.out) as { commit: string | null; units: UnitJson[]; message?: string }) };
  };
  const unit = (units: UnitJson[], name: string): UnitJson => {
    const found = units.find((u) => u.name === name);
    assert.ok(found, `no answer for ${name}`);
    return found;
  };

  before(async () => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-where-cache-'));
    savedCache = process.env.CLOUD_RUN_DRIFT_CACHE_DIR;
    process.env.CLOUD_RUN_DRIFT_CACHE_DIR = cacheDir;
    const fix = createFixScenario({ baseFiles: { 'web/index.html': '1\n', 'batch/run.py': '1\n', 'legacy/x.py': '1\n' } });
    repo = fix.repo;
    Object.assign(c, fix.c);
    // Another branch, forked at base: a canary deployed from it.
    repo.git('checkout', '-q', '-b', 'experiment', c.base!);
    c.experiment = repo.commit('api: experiment', { 'api/experiment.py': '1\n' }, new Date('2026-01-01T00:30:00Z'));
    repo.git('checkout', '-q', 'main');
    c.web = repo.commit('web: new page', { 'web/index.html': '2\n' }, new Date('2026-01-01T01:00:00Z'));
    c.batch = repo.commit('batch: faster', { 'batch/run.py': '2\n' }, new Date('2026-01-01T01:10:00.000Z'));
    c.later = repo.commit('api: later change', { 'api/main.py': 'a = 1\nb = 20\nc = 30\n' }, new Date('2026-01-01T02:00:00.000Z'));
    c.docs = repo.commit('docs only', { 'README.md': 'hi\n' }, new Date('2026-01-01T02:10:00Z'));
    emulator = await startRunEmulator({
      project: PROJECT,
      region: REGION,
      now: '2026-01-03T00:00:00Z',
      services: [
        ...fix.services,
        {
          name: 'web',
          revisions: [
            { name: 'web-00001-aaa', labels: label(c.base!), createTime: '2026-01-01T00:05:00Z' },
            { name: 'web-00002-bbb', labels: label(c.web!), createTime: '2026-01-01T01:05:00Z' },
          ],
          traffic: [
            { revision: 'web-00001-aaa', percent: 90 },
            { revision: 'web-00002-bbb', percent: 10 },
          ],
        },
        { name: 'api-canary', revisions: [{ name: 'api-canary-00001-aaa', labels: label(c.experiment!), createTime: '2026-01-01T00:35:00Z' }] },
        { name: 'api-unlabeled', revisions: [{ name: 'api-unlabeled-00001-aaa', labels: {}, createTime: '2026-01-01T00:35:00Z' }] },
      ],
      jobs: [{ name: 'batch', labels: label(c.base!), createTime: '2026-01-01T00:05:00Z' }],
    });
    config = path.join(repo.dir, 'cloud-run-drift.json');
    fs.writeFileSync(
      config,
      JSON.stringify(
        {
          project: PROJECT,
          region: REGION,
          services: {
            api: { paths: ['api'] },
            web: { paths: ['web'] },
            'api-canary': { paths: ['api'] },
            'api-unlabeled': { paths: ['api'] },
            batch: { kind: 'job', paths: ['batch'] },
          },
          endpoints: { run: emulator.httpUrl },
        },
        null,
        2,
      ),
    );
  });
  after(async () => {
    await releaseAll(emulator, repo);
    if (savedCache === undefined) delete process.env.CLOUD_RUN_DRIFT_CACHE_DIR;
    else process.env.CLOUD_RUN_DRIFT_CACHE_DIR = savedCache;
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('a fix that went out: live in api since the first revision that carried it; another branch and an unlabeled service say so; web not affected', async () => {
    const answer = await whereJson(c.fix!.slice(0, 10));
    assert.equal(answer.commit, c.fix);
    const api = unit(answer.units, 'api');
    assert.deepEqual([api.state, api.revision, api.since, api.percent], ['live', 'api-00002-bbb', '2026-01-01T00:15:00.000Z', 100]);
    const canary = unit(answer.units, 'api-canary');
    assert.equal(canary.state, 'not-on-deployed-branch');
    assert.match(canary.message, /api-canary-00001-aaa serves [0-9a-f]{8}, whose history lacks [0-9a-f]{8} although [0-9a-f]{8} is older/);
    const unlabeled = unit(answer.units, 'api-unlabeled');
    assert.deepEqual([unlabeled.state, unlabeled.reason], ['unknown', 'unlabeled']);
    assert.equal(unit(answer.units, 'web').state, 'not-affected');
    assert.equal(unit(answer.units, 'batch').state, 'not-affected');
    // Not live in the canary: exit 1 (not fully live), over "could not tell".
    assert.equal(answer.code, 1);
    assert.deepEqual(
      answer.units.map((u) => u.state),
      ['unknown', 'not-on-deployed-branch', 'live', 'not-affected', 'not-affected'],
    );
  });

  it('a commit on a traffic split: partly live with the percent; text names the state and lists the units not affected', async () => {
    const answer = await whereJson(c.web!);
    const web = unit(answer.units, 'web');
    assert.deepEqual([web.state, web.percent, web.revision], ['partly-live', 10, 'web-00002-bbb']);
    assert.equal(answer.code, 1);
    const text = await where(c.web!);
    assert.match(text.out, /^[0-9a-f]{8} web: new page \(Test Author, 2026-01-01\)\n◐ web {2}partly live \(10% of traffic\)\n {4}10% of traffic serves it \(web-00002-bbb 10%\); web-00001-aaa \(90%, [0-9a-f]{8}\) serves code without it\.\nNot affected: api, api-canary, api-unlabeled, batch$/);
  });

  it('a commit not deployed yet: not yet live, with how many commits and since when its unit has drifted; a job answers from its template', async () => {
    const later = await whereJson('main~1');
    const api = unit(later.units, 'api');
    assert.equal(api.state, 'not-yet-live');
    assert.equal(api.commitsBehind, 1);
    assert.equal(api.driftSince, '2026-01-01T02:00:00.000Z');
    assert.match(api.message, /^api-00003-ccc serves [0-9a-f]{8}, which predates [0-9a-f]{8}; 1 commit to its paths not deployed, the oldest from 2026-01-01T02:00:00.000Z\.$/);
    const batch = await whereJson(c.batch!);
    assert.deepEqual([unit(batch.units, 'batch').state, unit(batch.units, 'batch').percent], ['not-yet-live', null]);
    const base = await whereJson(c.base!);
    assert.equal(unit(base.units, 'batch').state, 'live');
  });

  it('a commit touching no unit says so and exits 0', async () => {
    const run = await where(c.docs!);
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /docs only .*\nIt touches none of the configured units' paths \(5 units\)\.$/);
  });

  it('a blamed line: its last change decides (one before the deploy is live; a later one is not yet; an uncommitted one is live nowhere)', async () => {
    // Line 1 was last changed by the initial commit, long before every deploy.
    const old = await whereJson('--file', path.join(repo.dir, 'api/main.py'), '--line', '1');
    assert.equal(old.commit, c.base);
    assert.equal(unit(old.units, 'api').state, 'live');
    assert.equal(unit(old.units, 'api').revision, 'api-00001-aaa');
    const line2 = await whereJson('--file', path.join(repo.dir, 'api/main.py'), '--line', '2');
    assert.equal(line2.commit, c.fix);
    const line3 = await whereJson('--file', path.join(repo.dir, 'api/main.py'), '--line', '3');
    assert.equal(line3.commit, c.later);
    assert.equal(unit(line3.units, 'api').state, 'not-yet-live');
    fs.writeFileSync(path.join(repo.dir, 'api/main.py'), 'a = 1\nb = 20\nc = 300\n');
    try {
      const dirty = await whereJson('--file', path.join(repo.dir, 'api/main.py'), '--line', '3');
      assert.equal(dirty.code, 1);
      assert.equal(dirty.commit, null);
      assert.match(dirty.message ?? '', /^Line 3 of api\/main\.py is not committed \(it has uncommitted changes\), so it is live nowhere\.$/);
      fs.writeFileSync(path.join(repo.dir, 'api/new.py'), 'x\n');
      const untracked = await where('--file', path.join(repo.dir, 'api/new.py'), '--line', '1');
      assert.equal(untracked.code, 1);
      assert.match(untracked.out, /not committed \(git does not track the file\)/);
    } finally {
      repo.git('checkout', '--', 'api/main.py');
      fs.rmSync(path.join(repo.dir, 'api/new.py'), { force: true });
    }
  });

  it('usage errors exit 2 with a message that names the fix', async () => {
    const none = await where('no-such-branch');
    assert.equal(none.code, 2);
    assert.match(none.err, /"no-such-branch" names no commit in this repository \(try: git fetch\)/);
    const option = await where('--upload-pack=x');
    assert.equal(option.code, 2);
    const past = await where('--file', path.join(repo.dir, 'api/main.py'), '--line', '99');
    assert.equal(past.code, 2);
    assert.match(past.err, /api\/main\.py has only 3 lines/);
    const outside = await where('--file', '/etc/passwd', '--line', '1');
    assert.equal(outside.code, 2);
    assert.match(outside.err, /\/etc\/passwd is not a file inside the repository/);
    assert.equal((await where('--file', path.join(repo.dir, 'api/main.py'))).code, 2);
    assert.equal((await where('--line', '0', '--file', path.join(repo.dir, 'api/main.py'))).code, 2);
    assert.equal((await where()).code, 2);
  });

  it('keeps and reuses the cache `check` keeps: the revisions a check settled are not read again', async () => {
    const checked = await main(['check', '--json', '--config', config, '--repo', repo.dir], { out: () => undefined, err: () => undefined, color: false });
    assert.equal(checked, 1);
    // Revisions can no longer be read one by one: only what the cache holds can answer.
    await emulator.control('faults', { rules: [{ api: 'run', operation: 'getRevision', httpStatus: 403 }] });
    try {
      const answer = await whereJson(c.fix!);
      assert.deepEqual([unit(answer.units, 'api').state, unit(answer.units, 'api').revision], ['live', 'api-00002-bbb']);
      assert.equal(unit(answer.units, 'api-canary').state, 'not-on-deployed-branch');
    } finally {
      await emulator.control('clear-faults', {});
    }
  });

  it('check --json carries each verdict\'s drift age (driftSince) and when it was deployed', async () => {
    const out: string[] = [];
    const code = await main(['check', '--json', '--config', config, '--repo', repo.dir], { out: (t) => out.push(t), err: () => undefined, color: false });
    assert.equal(code, 1);
    const services = (JSON.parse(out.join('')) as { services: { name: string; status: string; driftSince: string | null; deployedAt: string | null }[] }).services;
    const api = services.find((s) => s.name === 'api')!;
    assert.deepEqual([api.status, api.driftSince, api.deployedAt], ['stale', '2026-01-01T02:00:00.000Z', '2026-01-01T00:25:00.000Z']);
    const batch = services.find((s) => s.name === 'batch')!;
    assert.deepEqual([batch.status, batch.driftSince], ['stale', '2026-01-01T01:10:00.000Z']);
  });
});
