// Git calls that never return: a clean filter that hangs `git status`, FIFOs where git expects
// files. Every git call has a deadline and obeys its caller's signal, so a check stays bounded and
// prints what does not need the stuck call, whether git starts in this process (the CLI) or in the
// editor's helper process. Real git in temporary repositories, the real Cloud Run client against
// the emulator; each test has a timeout of its own so that a hang fails it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkServices } from '../../src/core/check';
import type { CloudRunReader } from '../../src/core/google/cloudrun';
import { parseConfig, type DriftConfig } from '../../src/core/config';
import { GitError, GitRepository } from '../../src/core/git/repository';
import { GitCommands } from '../../src/core/git/command';
import { GitHelper } from '../../src/core/git/helper/client';
import { ensureGitHelper, GIT_HELPER } from '../helpers/sdkBundle';
import { releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { createTempRepo, type TempRepo } from '../helpers/repo';

const PROJECT = 'demo-project';
const REGION = 'us-west2';
/**
 * Short deadlines keep the tests fast; long enough that on a busy machine only the stuck call runs
 * past one. The bound each test asserts is a few times this; a hang fails the test at its timeout.
 */
const DEADLINE_MS = 2000;
const BOUNDED = { timeout: 15_000 };

for (const where of ['this process', 'the helper process'] as const) {
  describe(`git calls that never return, started in ${where}`, { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
    let repo: TempRepo;
    /** The helper of this describe's calls; a test that sets GIT_TRACE starts one of its own after (see traced). */
    let helper: GitHelper | undefined;
    const open = (options: { timeoutMs?: number } = {}): Promise<GitRepository> => GitRepository.open(repo.dir, { ...options, helper });
    const commands = (timeoutMs?: number, through = helper): GitCommands => new GitCommands(repo.dir, timeoutMs, repo.dir, false, through);
    /** A helper started now, when the helper is where git starts (see canceledOnceStarted). */
    const traced = (): GitHelper | undefined => (where === 'the helper process' ? new GitHelper(GIT_HELPER) : undefined);
    let emulator: RunEmulator;
    let reader: CloudRunReader;
    let config: DriftConfig;
    let head: string;
    let scratch: string;
    let pidFile: string;

    before(async () => {
      if (where === 'the helper process') {
        ensureGitHelper();
        helper = new GitHelper(GIT_HELPER);
      }
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-hang-'));
      pidFile = path.join(scratch, 'filter.pids');
      repo = createTempRepo();
      repo.commit('base', { 'svc/a.txt': 'one\n', '.gitattributes': 'svc/*.txt filter=hang\n' });
      head = repo.head();
      emulator = await startRunEmulator({ project: PROJECT, region: REGION, services: [{ name: 'svc', revisions: [{ name: 'svc-00001-aaa', labels: { 'commit-sha': head.slice(0, 8) } }] }] });
      config = parseConfig(
        JSON.stringify({ project: PROJECT, region: REGION, services: { svc: { paths: ['svc'] } }, endpoints: { run: emulator.httpUrl } }),
        path.join(repo.dir, 'cloud-run-drift.json'),
      );
      ({ reader } = emulator);
    });

    after(async () => {
      helper?.dispose();
      await releaseAll(emulator, repo);
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    });

    /**
     * Runs `test` with a clean filter that records its pid and then never returns, and an edit that
     * makes `git status` run it; then kills whatever filter is left (every one, on code without
     * deadlines) and restores the repository.
     */
    async function withHangingStatus(test: () => Promise<void>): Promise<void> {
      repo.git('config', 'filter.hang.clean', `echo $$ >> '${pidFile}'; exec sleep 1000`);
      repo.write('svc/a.txt', 'two\n'); // the same size: git must read the content, through the filter
      try {
        await test();
      } finally {
        for (const pid of filterPids()) killQuietly(pid);
        fs.rmSync(pidFile, { force: true });
        repo.git('config', '--unset-all', 'filter.hang.clean');
        repo.git('checkout', '-q', '--', '.');
      }
    }

    function filterPids(): number[] {
      return fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
    }

    it('a clean filter that never returns: the verdicts print, dirty is unknown, the warning names git status, the filter is killed', BOUNDED, () =>
      withHangingStatus(async () => {
        const git = await open({ timeoutMs: DEADLINE_MS });
        const started = Date.now();
        const result = await checkServices(config, { reader, git });
        assert.ok(Date.now() - started < 4 * DEADLINE_MS, `the check took ${Date.now() - started} ms`);
        const [verdict] = result.services;
        assert.equal(verdict?.status, 'up-to-date', 'the verdict does not need git status');
        assert.equal(verdict?.dirty, null);
        assert.deepEqual(result.warnings, [`Uncommitted changes are unknown: git status timed out after ${DEADLINE_MS / 1000} s.`]);
        const pids = filterPids();
        assert.equal(pids.length, 1, 'git status ran the filter');
        await waitUntilGone(pids[0]!);
        await waitUntilNoGitIn(repo.dir);
      }));

    it('a refresh canceled while git status hangs: the check rejects at once, git and its filter are killed', BOUNDED, () =>
      withHangingStatus(async () => {
        const git = await open(); // the default deadline (15 s): only the cancellation can end it
        const controller = new AbortController();
        const checking = checkServices(config, { reader, git }, { signal: controller.signal });
        const pid = await waitFor(() => filterPids()[0]);
        const canceledAt = Date.now();
        controller.abort();
        await assert.rejects(checking, (err: unknown) => err instanceof GitError && err.reason === 'canceled' && /^git [a-z-]+ was canceled$/.test(err.message));
        assert.ok(Date.now() - canceledAt < 1000, `rejected ${Date.now() - canceledAt} ms after the cancellation`);
        await waitUntilGone(pid);
        await waitUntilNoGitIn(repo.dir);
      }));

    it('a FIFO as the index: git status is bounded, the verdicts print', BOUNDED, async () => {
      const index = path.join(repo.dir, '.git', 'index');
      const saved = path.join(scratch, 'index');
      fs.renameSync(index, saved);
      makeFifo(index);
      try {
        const git = await open({ timeoutMs: DEADLINE_MS });
        const result = await checkServices(config, { reader, git });
        assert.equal(result.services[0]?.status, 'up-to-date');
        assert.equal(result.services[0]?.dirty, null);
        assert.match(result.warnings.join('\n'), /git status timed out after 2 s/);
        await waitUntilNoGitIn(repo.dir);
      } finally {
        fs.rmSync(index, { force: true });
        fs.renameSync(saved, index);
      }
    });

    describe('a FIFO as the branch HEAD points to', () => {
      const ref = (): string => path.join(repo.dir, '.git', 'refs', 'heads', 'main');
      before(() => {
        fs.rmSync(ref());
        makeFifo(ref());
      });
      after(() => {
        fs.rmSync(ref(), { force: true });
        fs.writeFileSync(ref(), `${head}\n`);
      });

      it('reading HEAD times out with a GitError naming git rev-parse, and the check fails within the deadline', BOUNDED, async () => {
        const git = await open({ timeoutMs: DEADLINE_MS });
        await timesOut(checkServices(config, { reader, git }), 'git rev-parse timed out after 2 s');
      });

      it('a streamed git log times out with a GitError naming it, and git is killed', BOUNDED, () =>
        timesOut(
          commands(DEADLINE_MS).stream(['log', 'HEAD'], () => undefined),
          'git log timed out after 2 s',
        ));

      /** Waits for `reading` to reject with the timeout GitError `message` within a few deadlines, and for its git to be gone. */
      async function timesOut(reading: Promise<unknown>, message: string): Promise<void> {
        const started = Date.now();
        await assert.rejects(reading, (err: unknown) => {
          assert.ok(err instanceof GitError, String(err));
          assert.equal(err.message, message);
          assert.equal(err.reason, 'timeout');
          return true;
        });
        assert.ok(Date.now() - started < 4 * DEADLINE_MS, `took ${Date.now() - started} ms`);
        await waitUntilNoGitIn(repo.dir);
      }

      it('a streamed git log canceled: it rejects at once and git is killed', BOUNDED, () =>
        canceledOnceStarted(/built-in: git log HEAD/, 'git log was canceled', (helper, signal) => commands(undefined, helper).stream(['log', 'HEAD'], () => undefined, { signal })));

      it('cancellation kills git at once', BOUNDED, () =>
        canceledOnceStarted(/rev-parse --verify/, 'git rev-parse was canceled', async (helper, signal) => (await GitRepository.open(repo.dir, { helper })).head({ signal })));

      /**
       * Starts `read` with GIT_TRACE set (and its own helper, when the helper starts git: it passes
       * GIT_TRACE on as set at its start), cancels it once the trace shows git running `started`,
       * and waits for it to reject at once with the canceled GitError `message` and for git to be gone.
       */
      async function canceledOnceStarted(started: RegExp, message: string, read: (helper: GitHelper | undefined, signal: AbortSignal) => Promise<unknown>): Promise<void> {
        const trace = path.join(scratch, 'trace');
        const controller = new AbortController();
        process.env.GIT_TRACE = trace;
        const tracing = traced();
        try {
          const reading = read(tracing, controller.signal);
          reading.catch(() => undefined);
          await waitFor(() => (fs.existsSync(trace) && started.test(fs.readFileSync(trace, 'utf8')) ? true : undefined));
          const canceledAt = Date.now();
          controller.abort();
          await assert.rejects(reading, (err: unknown) => err instanceof GitError && err.reason === 'canceled' && err.message === message);
          assert.ok(Date.now() - canceledAt < 1000, `rejected ${Date.now() - canceledAt} ms after the cancellation`);
          await waitUntilNoGitIn(repo.dir);
        } finally {
          tracing?.dispose();
          delete process.env.GIT_TRACE;
          fs.rmSync(trace, { force: true });
        }
      }
    });
  });
}

function makeFifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

/** Live git processes whose working folder is `dir` (from /proc: these tests run on Linux). */
function gitProcessesIn(dir: string): number[] {
  return fs.readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const comm = fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      return comm === 'git' && fs.readlinkSync(`/proc/${entry}/cwd`) === dir && isRunning(Number(entry)) ? [Number(entry)] : [];
    } catch {
      return []; // exited while we looked
    }
  });
}

async function waitUntilNoGitIn(dir: string): Promise<void> {
  await waitFor(() => (gitProcessesIn(dir).length === 0 ? true : undefined), `git still runs in ${dir}: ${gitProcessesIn(dir).join(', ')}`);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** Running, not merely a zombie waiting to be reaped by whoever inherited it. */
function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number): Promise<void> {
  await waitFor(() => (isRunning(pid) ? undefined : true), `process ${pid} is still running`);
}

/** Polls `probe` every 20 ms until it returns a value; fails after 3 s. */
async function waitFor<T>(probe: () => T | undefined, message = 'timed out waiting'): Promise<T> {
  for (let waited = 0; waited < 3000; waited += 20) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(message);
}
