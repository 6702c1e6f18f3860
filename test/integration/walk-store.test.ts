// Walks kept between runs (WalkStore): a repository opened afresh with the same store reads the
// same ranges as a walk of the whole history, walking only what the kept walk lacks. Real git on a
// generated history with side branches merged back; every range is compared with one read
// without a store and with `git rev-list`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { GitRepository } from '../../src/core/git/repository';
import { WalkStore } from '../../src/core/git/walkStore';
import { startRunEmulator } from '../helpers/emulatorCheck';
import { rangeShape, traced, walksOf } from '../helpers/gitTrace';
import { createTempRepo, fastImportMonorepo, type TempRepo } from '../helpers/repo';

const PATHS = ['services/svc-1', 'services/svc-2', 'shared'];


describe('walks kept between runs', () => {
  let repo: TempRepo;
  let mainline: string[];
  let storeDir: string;
  let store: WalkStore;
  let deployed: string[];

  before(() => {
    repo = createTempRepo();
    repo.commit('initial layout', { 'README.md': 'monorepo' });
    ({ mainline } = fastImportMonorepo(repo, { commits: 600, services: 4, mergeEvery: 100, sideLength: 3 }));
    deployed = [mainline[mainline.length - 11]!, mainline[mainline.length - 201]!, mainline[mainline.length - 401]!];
  });
  beforeEach(() => {
    storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-walks-'));
    store = new WalkStore(storeDir);
  });
  after(() => repo?.cleanup());

  /** The ranges of `shas` to HEAD: read through the store, and read without one. */
  async function both(shas: string[], paths = PATHS): Promise<{ stored: Record<string, unknown>; fresh: Record<string, unknown>; commands: string[] }> {
    const head = repo.head();
    const { value, commands } = await traced(async () => (await GitRepository.open(repo.dir, { walkStore: store })).ranges(shas, head, { paths }));
    const fresh = await (await GitRepository.open(repo.dir)).ranges(shas, head, { paths });
    for (const sha of shas) {
      const facts = value.get(sha);
      assert.ok(facts && !(facts instanceof Error), `a range for ${sha}`);
      const listed = repo.git('rev-list', '--no-merges', '--full-history', `${sha}..${head}`, '--', ...paths.map((p) => `:(literal)${p}`));
      assert.deepEqual(new Set(facts.commits.map((c) => c.commit.sha)), new Set(listed === '' ? [] : listed.split('\n')), `the range of ${sha} is what git rev-list says`);
    }
    return { stored: rangeShape(value), fresh: rangeShape(fresh), commands };
  }

  it('keeps the walk: a repository opened afresh reads the same ranges without walking', async () => {
    const first = await both(deployed);
    assert.equal(walksOf(first.commands).length > 0, true, 'the first read walks');
    assert.equal(fs.readdirSync(storeDir).filter((f) => f.endsWith('.walk')).length, 1, 'one walk kept');
    const again = await both(deployed);
    assert.deepEqual(again.stored, again.fresh);
    assert.deepEqual(walksOf(again.commands), [], 'no walk');
    assert.ok(!again.commands.some((c) => c.includes('merge-base')), 'no merge-base');
  });

  it('walks only the commits made since, after a new commit on HEAD', async () => {
    await both(deployed);
    const before = repo.head();
    repo.commit('svc-1: after the walk was kept', { 'services/svc-1/new.txt': 'new' });
    try {
      const after = await both(deployed);
      assert.deepEqual(after.stored, after.fresh);
      const walks = walksOf(after.commands);
      assert.equal(walks.length, 1, 'one walk');
      assert.match(walks[0]!, new RegExp(`${repo.head()} --not ${before}`));
      // And that walk was kept: the next read walks nothing.
      assert.deepEqual(walksOf((await both(deployed)).commands), []);
    } finally {
      repo.git('reset', '-q', '--hard', before);
    }
  });

  it('walks afresh for other paths: a walk is kept for one set of paths', async () => {
    await both(deployed);
    const other = await both(deployed, ['services/svc-3', 'docs']);
    assert.deepEqual(other.stored, other.fresh);
    assert.ok(walksOf(other.commands).length > 0, 'a walk for the new paths');
    assert.equal(fs.readdirSync(storeDir).filter((f) => f.endsWith('.walk')).length, 2);
  });

  it('reads a HEAD moved back, and rewritten history, right', async () => {
    await both(deployed);
    const before = repo.head();
    try {
      repo.git('reset', '-q', '--hard', 'HEAD~3');
      const back = await both(deployed);
      assert.deepEqual(back.stored, back.fresh);
      assert.deepEqual(walksOf(back.commands), [], 'HEAD is in the kept walk');
      // Rewritten: the last commits replaced by others, the kept walk's tip no longer in HEAD's history.
      repo.commit('svc-2: rewritten', { 'services/svc-2/rewritten.txt': 'x' });
      repo.commit('shared: rewritten', { 'shared/rewritten.txt': 'x' });
      const rewritten = await both(deployed);
      assert.deepEqual(rewritten.stored, rewritten.fresh);
      // The tip gone altogether (as after git gc): the kept walk cannot be continued, so a walk afresh.
      await both(deployed);
      const tip = repo.head();
      repo.git('reset', '-q', '--hard', 'HEAD~1');
      repo.commit('svc-1: again', { 'services/svc-1/again.txt': 'x' });
      const kept = store.load(fs.realpathSync(repo.dir), [...PATHS].sort())!;
      assert.equal(kept.tip, tip);
      store.save(fs.realpathSync(repo.dir), [...PATHS].sort(), { ...kept, tip: 'f'.repeat(40) });
      const lost = await both(deployed);
      assert.deepEqual(lost.stored, lost.fresh);
    } finally {
      repo.git('reset', '-q', '--hard', before);
    }
  });

  it('walks afresh when a deployed commit lies below the kept walk', async () => {
    await both(deployed);
    const older = [...deployed, mainline[mainline.length - 501]!];
    const read = await both(older);
    assert.deepEqual(read.stored, read.fresh);
    assert.ok(walksOf(read.commands).length > 0);
    // The walk kept now reaches the older commit.
    assert.deepEqual(walksOf((await both(older)).commands), []);
  });

  it('keeps nothing for a shallow clone', async () => {
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-shallow-'));
    try {
      repo.git('clone', '-q', '--depth', '300', `file://${repo.dir}`, clone);
      const git = await GitRepository.open(clone, { walkStore: store });
      const head = (await git.head());
      const ranges = await git.ranges(deployed.slice(0, 2), head, { paths: PATHS });
      assert.equal([...ranges.values()].every((r) => !(r instanceof Error)), true);
      assert.deepEqual(fs.existsSync(storeDir) ? fs.readdirSync(storeDir).filter((f) => f.endsWith('.walk')) : [], []);
    } finally {
      fs.rmSync(clone, { recursive: true, force: true });
    }
  });

  it("tells a shallow clone by the file git keeps in its common folder, a worktree's too, without a git process", async () => {
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-shallow-'));
    const worktree = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-shallow-worktree-'));
    try {
      repo.git('clone', '-q', '--depth', '300', `file://${repo.dir}`, clone);
      repo.git('-C', clone, 'worktree', 'add', '-q', '--detach', worktree);
      // The worktree opened from a folder inside it: its .git is a file naming the clone's.
      for (const dir of [clone, path.join(worktree, 'services')]) {
        const { value: presence, commands } = await traced(async () => {
          const git = await GitRepository.open(dir, { walkStore: store });
          const head = await git.head();
          await git.ranges(deployed.slice(0, 2), head, { paths: PATHS });
          return git.pathPresence(head, PATHS);
        });
        assert.equal(presence.shallow, true, dir);
        assert.deepEqual(commands.filter((c) => c.includes('is-shallow-repository')), []);
      }
      assert.deepEqual(fs.existsSync(storeDir) ? fs.readdirSync(storeDir).filter((f) => f.endsWith('.walk')) : [], []);
      const { value: full } = await traced(async () => {
        const git = await GitRepository.open(repo.dir);
        return git.pathPresence(await git.head(), PATHS);
      });
      assert.equal(full.shallow, false);
    } finally {
      fs.rmSync(clone, { recursive: true, force: true });
      fs.rmSync(worktree, { recursive: true, force: true });
    }
  });

  it('ignores a kept walk it cannot read whole', async () => {
    await both(deployed);
    const [file] = fs.readdirSync(storeDir).filter((f) => f.endsWith('.walk'));
    const bytes = fs.readFileSync(path.join(storeDir, file!));
    fs.writeFileSync(path.join(storeDir, file!), bytes.subarray(0, bytes.length - 100));
    const read = await both(deployed);
    assert.deepEqual(read.stored, read.fresh);
    assert.ok(walksOf(read.commands).length > 0);
  });

  it('the CLI keeps its walks in the cache folder: a repeat check walks nothing and says the same', async () => {
    const cli = path.resolve(__dirname, '../../dist/cli.js');
    assert.ok(fs.existsSync(cli), 'dist/cli.js is missing: run `npm run build` first');
    const emulator = await startRunEmulator({
      project: 'walk-project',
      region: 'us-west2',
      services: deployed.map((sha, i) => ({ name: `svc-${i + 1}`, revisions: [{ name: `svc-${i + 1}-00001-abc`, labels: { 'commit-sha': sha.slice(0, 12) } }] })),
    });
    const config = path.join(storeDir, 'cloud-run-drift.json');
    fs.writeFileSync(config, JSON.stringify({ project: 'walk-project', region: 'us-west2', services: Object.fromEntries(deployed.map((_, i) => [`svc-${i + 1}`, { paths: [`services/svc-${i + 1}`, 'shared'] }])), endpoints: { run: emulator.httpUrl } }));
    const cacheDir = path.join(storeDir, 'cache');
    const check = (): Promise<{ stdout: string; walks: string[] }> => {
      const trace = path.join(storeDir, `trace-${Math.random()}`);
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [cli, 'check', '--json', '--config', config, '--repo', repo.dir], { env: { ...process.env, CLOUD_RUN_DRIFT_CACHE_DIR: cacheDir, GIT_TRACE: trace } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => {
          assert.ok(code === 1 && fs.existsSync(trace), `exit ${code}: ${stderr}`);
          resolve({ stdout, walks: walksOf(fs.readFileSync(trace, 'utf8').match(/built-in: git .*/g) ?? []) });
        });
      });
    };
    try {
      const first = await check();
      assert.ok(first.walks.length > 0, 'the first check walks');
      assert.equal(fs.readdirSync(path.join(cacheDir, 'walks')).length, 1);
      const again = await check();
      assert.deepEqual(again.walks, []);
      const withoutTimes = (out: string): unknown => (JSON.parse(out) as { services: unknown[] }).services;
      assert.deepEqual(withoutTimes(again.stdout), withoutTimes(first.stdout));
      assert.equal((JSON.parse(again.stdout) as { services: { commitsBehind: number }[] }).services.filter((s) => s.commitsBehind > 0).length, 3);
    } finally {
      await emulator.close();
    }
  });
});
