// Commit counts on a generated monorepo history with side branches merged back, through the real
// Cloud Run client against the emulator and real git: each service's count must be what
// `git rev-list --count --no-merges --full-history deployed..HEAD -- <paths>` says (non-merge commits
// since the deployed one touching its paths, side branches included), as bench/history.ts checks
// on 100,000 commits.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkServices, rangePaths } from '../../src/core/check';
import { prepareCommitsTouching } from '../../src/core/git/rangeWalk';
import type { CloudRunReader } from '../../src/core/google/cloudrun';
import { parseConfig } from '../../src/core/config';
import { GitRepository, type RangeFacts } from '../../src/core/git/repository';
import type { CheckResult } from '../../src/core/model';
import { releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { createTempRepo, fastImportMonorepo, type TempRepo } from '../helpers/repo';
import { verdictNamed } from '../helpers/verdicts';

const PROJECT = 'demo-project';
const REGION = 'us-west2';

describe('commit counts on a generated monorepo history', () => {
  let repo: TempRepo;
  let emulator: RunEmulator;
  let reader: CloudRunReader;
  let result: CheckResult;
  let git: GitRepository;
  let config: ReturnType<typeof parseConfig>;
  let services: { name: string; paths: string[]; deployed: string }[];

  before(async () => {
    repo = createTempRepo();
    repo.commit('initial layout', { 'README.md': 'monorepo' });
    const { mainline, side } = fastImportMonorepo(repo, { commits: 3000, services: 16, mergeEvery: 150, sideLength: 4 });
    const ago = (n: number): string => mainline[mainline.length - 1 - n]!;
    services = [
      ...[2, 10, 40, 100, 250, 500, 900, 1500, 2200, 2900].map((n, i) => ({ name: `svc-${i}`, paths: i % 2 === 0 ? [`services/svc-${i}`, 'shared'] : [`services/svc-${i}`], deployed: ago(n) })),
      // From a side branch merged since: the mainline commits made beside it are in its range.
      { name: 'side-svc', paths: ['services/svc-12', 'shared/lib'], deployed: side[side.length - 6]! },
      { name: 'whole-repo', paths: [], deployed: ago(700) },
      { name: 'docs-site', paths: ['docs'], deployed: ago(1200) },
      { name: 'same-commit-as-svc-3', paths: ['services/svc-13', 'services/svc-14/main.py'], deployed: ago(100) },
    ];
    emulator = await startRunEmulator({
      project: PROJECT,
      region: REGION,
      services: services.map((s) => ({ name: s.name, revisions: [{ name: `${s.name}-00001-abc`, labels: { 'commit-sha': s.deployed.slice(0, 12) } }] })),
    });
    config = parseConfig(
      JSON.stringify({ project: PROJECT, region: REGION, services: Object.fromEntries(services.map((s) => [s.name, { paths: s.paths }])), endpoints: { run: emulator.httpUrl } }),
      `${repo.dir}/cloud-run-drift.json`,
    );
    ({ reader } = emulator);
    git = await GitRepository.open(repo.dir);
    result = await checkServices(config, { reader, git });
  });
  after(() => releaseAll(emulator, repo));

  it('counts for each service what git rev-list --count counts, and lists those commits', () => {
    for (const s of services) {
      const listed = repo.git('rev-list', '--no-merges', '--full-history', `${s.deployed}..HEAD`, '--', ...s.paths.map((p) => `:(literal)${p}`));
      const expected = listed === '' ? [] : listed.split('\n');
      const v = verdictNamed(result, s.name);
      assert.equal(v.deployedCommit, s.deployed, s.name);
      assert.equal(v.commitsBehind, expected.length, `${s.name}: ${v.message}`);
      assert.deepEqual(new Set(v.commits.map((c) => c.sha)), new Set(expected), `${s.name}: the commits listed`);
      assert.equal(v.status, expected.length === 0 ? 'up-to-date' : 'stale', s.name);
    }
  });

  it('found each range\'s commits touching the unit\'s paths in slices before its verdict: none is left to find', async () => {
    const ranges = await git.ranges(
      services.map((s) => s.deployed),
      repo.head(),
      { paths: rangePaths(config.services) },
    );
    for (const s of services) {
      const range = ranges.get(s.deployed);
      assert.ok(range && !(range instanceof Error) && range.isAncestor, s.name);
      let asked = 0;
      await prepareCommitsTouching(range, s.paths, () => void asked++);
      assert.equal(asked, 0, `${s.name}: its commits were found before`);
    }
    // A set of paths no verdict asked for is looked for now (a question per 1,024 of the walk's commits).
    const any = ranges.get(services[0]!.deployed) as RangeFacts;
    let asked = 0;
    await prepareCommitsTouching(any, ['services/svc-15'], () => void asked++);
    assert.equal(asked, 3);
  });
});
