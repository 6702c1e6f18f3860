// CheckOptions.expectedLabels: the git work for the labels a check expects starts while Cloud Run
// is still being read, and a wrong guess changes nothing but the timing. Real git, the real Run
// client against the emulator; the reader is wrapped only to hold its answers back.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkServices } from '../../src/core/check';
import { createCloudRunReader, type CloudRunReader } from '../../src/core/google/cloudrun';
import { parseConfig, type DriftConfig } from '../../src/core/config';
import { GitRepository } from '../../src/core/git/repository';
import type { CheckResult } from '../../src/core/model';
import { releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { createTempRepo, type TempRepo } from '../helpers/repo';

const PROJECT = 'expect-project';
const REGION = 'us-west2';

/** The real reader, each lookup held until `open()`. */
function gatedReader(inner: CloudRunReader): { reader: CloudRunReader; open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const reader: CloudRunReader = {
    lookupService: async (ref) => {
      await gate;
      return inner.lookupService(ref);
    },
    listServices: (project, region) => inner.listServices(project, region),
    close: () => inner.close(),
  };
  return { reader, open };
}

function withoutTime(result: CheckResult): Omit<CheckResult, 'checkedAt'> {
  const { checkedAt: _checkedAt, ...rest } = result;
  return rest;
}

describe('checkServices with expected labels', () => {
  let repo: TempRepo;
  let emulator: RunEmulator;
  let config: DriftConfig;
  let reader: CloudRunReader;
  let base: string;
  let middle: string;

  before(async () => {
    repo = createTempRepo();
    base = repo.commit('base', { 'a/main.py': '1', 'b/main.py': '1' });
    middle = repo.commit('a: change', { 'a/main.py': '2' });
    repo.commit('b: change', { 'b/main.py': '2' });
    repo.commit('a: again', { 'a/main.py': '3' });
    emulator = await startRunEmulator({
      project: PROJECT,
      region: REGION,
      services: [
        { name: 'a', revisions: [{ name: 'a-00001-aaa', labels: { 'commit-sha': base.slice(0, 8) } }] },
        { name: 'b', revisions: [{ name: 'b-00001-aaa', labels: { 'commit-sha': middle.slice(0, 8) } }] },
      ],
    });
    config = parseConfig(
      JSON.stringify({ project: PROJECT, region: REGION, services: { a: { paths: ['a'] }, b: { paths: ['b'] } }, endpoints: { run: emulator.httpUrl } }),
      path.join(repo.dir, 'cloud-run-drift.json'),
    );
    ({ reader } = emulator);
  });
  after(() => releaseAll(emulator, repo));

  it('reads the expected ranges before Cloud Run has answered', async () => {
    const traceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-trace-'));
    const trace = path.join(traceDir, 'git.trace');
    const gated = gatedReader(reader);
    process.env.GIT_TRACE = trace;
    try {
      const git = await GitRepository.open(repo.dir);
      const checking = checkServices(config, { reader: gated.reader, git }, { expectedLabels: [base.slice(0, 8), middle.slice(0, 8)] });
      let seenBeforeAnswers = '';
      for (let waited = 0; waited < 5000 && !/ log .*--not/.test(seenBeforeAnswers); waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        seenBeforeAnswers = fs.existsSync(trace) ? fs.readFileSync(trace, 'utf8') : '';
      }
      gated.open();
      const result = await checking;
      assert.match(seenBeforeAnswers, /--format=%H %ct/, "the expected commits' committer times, which the walk is cut by");
      assert.match(seenBeforeAnswers, / log .*--not/, 'the walk their ranges are taken from');
      assert.deepEqual(result.services.map((s) => [s.name, s.status, s.commitsBehind]), [['a', 'stale', 2], ['b', 'stale', 1]]);
      const after = fs.readFileSync(trace, 'utf8');
      assert.equal((after.match(/--format=%H %ct/g) ?? []).length, 1, 'the walk is not read again after the answers');
      assert.doesNotMatch(after, /merge-base/, 'walked down to the deployed commit committed first, without asking for the common base');
    } finally {
      delete process.env.GIT_TRACE;
      fs.rmSync(traceDir, { recursive: true, force: true });
    }
  });

  it('walks the ranges without waiting for git status', async () => {
    // A slow `git status` (a large working tree; here a clean filter that takes 2 s on one edited
    // file): the walk needs HEAD only, so it runs while status is still examining the tree.
    const traceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-trace-'));
    const trace = path.join(traceDir, 'git.trace');
    const statusDone = path.join(traceDir, 'status-done');
    const headBefore = repo.head();
    repo.commit('a file with a slow clean filter', { '.gitattributes': 'c/slow.txt filter=slow\n', 'c/slow.txt': '1' });
    repo.git('config', 'filter.slow.clean', `sleep 2; touch '${statusDone}'; cat`);
    fs.writeFileSync(path.join(repo.dir, 'c/slow.txt'), '2');
    const gated = gatedReader(reader);
    process.env.GIT_TRACE = trace;
    try {
      const checking = checkServices(config, { reader: gated.reader, git: await GitRepository.open(repo.dir) }, { expectedLabels: [base.slice(0, 8), middle.slice(0, 8)] });
      let walked = false;
      for (let waited = 0; waited < 10_000 && !walked; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        walked = fs.existsSync(trace) && / log .*--not/.test(fs.readFileSync(trace, 'utf8'));
      }
      const statusFinishedFirst = fs.existsSync(statusDone);
      gated.open();
      const result = await checking;
      assert.equal(walked, true, 'the walk ran');
      assert.ok(fs.existsSync(statusDone), 'git status ran the slow clean filter');
      assert.equal(statusFinishedFirst, false, 'the walk waited for git status');
      assert.deepEqual(result.services.map((s) => [s.name, s.status, s.commitsBehind]), [['a', 'stale', 2], ['b', 'stale', 1]]);
    } finally {
      delete process.env.GIT_TRACE;
      repo.git('config', '--unset', 'filter.slow.clean');
      repo.git('reset', '-q', '--hard', headBefore);
      fs.rmSync(traceDir, { recursive: true, force: true });
    }
  });

  it('reads the ranges of the labels the templates carry while the revisions are being read', async () => {
    const traceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-trace-'));
    const trace = path.join(traceDir, 'git.trace');
    let revisionsAnswered = false;
    // A reader of its own: the suite's keeps the revisions it has read, and these must be read.
    const fresh = createCloudRunReader(config.endpoints);
    const watched: CloudRunReader = {
      lookupService: async (ref, options) => {
        const lookup = await fresh.lookupService(ref, options);
        revisionsAnswered = true;
        return lookup;
      },
      listServices: (project, region) => fresh.listServices(project, region),
      close: () => fresh.close(),
    };
    // Revisions answer slowly; services at once.
    await emulator.control('faults', { rules: [{ api: 'run', operation: 'getRevision', latencyMs: 1500 }] });
    process.env.GIT_TRACE = trace;
    try {
      const checking = checkServices(config, { reader: watched, git: await GitRepository.open(repo.dir) });
      let walkedWhileWaiting = false;
      let settled = false;
      void checking.finally(() => (settled = true));
      while (!settled && !walkedWhileWaiting) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const text = fs.existsSync(trace) ? fs.readFileSync(trace, 'utf8') : '';
        walkedWhileWaiting = !revisionsAnswered && / log .*--not/.test(text);
      }
      const result = await checking;
      assert.equal(walkedWhileWaiting, true, 'the walk ran before the revisions answered');
      assert.deepEqual(result.services.map((s) => [s.name, s.status, s.commitsBehind]), [['a', 'stale', 2], ['b', 'stale', 1]]);
      assert.equal((fs.readFileSync(trace, 'utf8').match(/--format=%H %ct/g) ?? []).length, 1, 'one walk');
    } finally {
      delete process.env.GIT_TRACE;
      await watched.close();
      await emulator.control('clear-faults', {});
      fs.rmSync(traceDir, { recursive: true, force: true });
    }
  });

  it('gives the same verdicts whatever it was told to expect', async () => {
    const check = async (expectedLabels?: string[]): Promise<Omit<CheckResult, 'checkedAt'>> =>
      withoutTime(await checkServices(config, { reader, git: await GitRepository.open(repo.dir) }, expectedLabels ? { expectedLabels } : {}));
    const plain = await check();
    assert.deepEqual(await check([base.slice(0, 8), middle.slice(0, 8)]), plain, 'right');
    assert.deepEqual(await check([middle.slice(0, 8)]), plain, 'partly right');
    assert.deepEqual(await check([repo.head(), 'deadbeef', 'not-hex', '', base.slice(0, 1)]), plain, 'wrong, unknown, invalid and ambiguous');
  });
});
