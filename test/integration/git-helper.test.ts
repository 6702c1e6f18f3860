// The editor's git helper process (dist/git-helper.js, as built): its calls answer as the same
// calls made in this process, fail the same way, and start no process here but the helper. Real
// git in a temporary repository; the deadlines and cancellations are in git-deadlines.test.ts.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { GitCommands, GitError } from '../../src/core/git/command';
import { GitHelper } from '../../src/core/git/helper/client';
import { CHUNK_FRAME, FrameReader, OUTCOME_FRAME } from '../../src/core/git/helper/protocol';
import { serveGitCalls } from '../../src/core/git/helper/serve';
import { createCoreServices } from '../../src/extension/session/coreServices';
import { createApiClients } from '../../src/extension/session/apiClients';
import { createTempRepo, fastImportCommits, type TempRepo } from '../helpers/repo';
import { ensureGitHelper, GIT_HELPER, ROOT } from '../helpers/sdkBundle';

describe('git through the helper process (real git)', () => {
  let repo: TempRepo;
  let here: GitCommands;
  let helper: GitHelper;
  let there: GitCommands;
  let first: string;
  /** The processes this one started while a test watched (see watchingStarts). */
  const started: ChildProcess[] = [];
  const record = (message: unknown): void => void started.push((message as { process: ChildProcess }).process);

  before(() => {
    ensureGitHelper();
    repo = createTempRepo();
    first = repo.commit('initial', { 'svc/a.txt': '1' });
    fastImportCommits(repo, 2000, 'svc');
    here = new GitCommands(repo.dir);
    helper = new GitHelper(GIT_HELPER);
    there = new GitCommands(repo.dir, undefined, repo.dir, false, helper);
  });
  after(() => {
    helper.dispose();
    repo.cleanup();
  });

  async function watchingStarts<T>(body: () => Promise<T>): Promise<T> {
    started.length = 0;
    diagnostics.subscribe('child_process', record);
    try {
      return await body();
    } finally {
      diagnostics.unsubscribe('child_process', record);
    }
  }

  it('answers run(), with standard input, runInOwnProcessGroup() and stream() as this process does', async () => {
    const input = `${first}\n${'f'.repeat(40)}\n`;
    const batch = ['cat-file', '--batch-check'];
    assert.deepEqual(await there.run(batch, { input }), await here.run(batch, { input }));
    assert.deepEqual(await there.runInOwnProcessGroup(['status', '--porcelain']), await here.runInOwnProcessGroup(['status', '--porcelain']));
    const streamed = async (commands: GitCommands): Promise<{ output: string; chunks: number; exitCode: number }> => {
      const chunks: Buffer[] = [];
      const { exitCode } = await commands.stream(['log', '--name-only', '--format=%H %s'], (chunk) => chunks.push(chunk), { config: ['core.quotePath=false'] });
      return { output: Buffer.concat(chunks).toString('utf8'), chunks: chunks.length, exitCode };
    };
    const [near, far] = [await streamed(here), await streamed(there)];
    assert.equal(far.output, near.output);
    assert.equal(far.exitCode, 0);
    assert.ok(far.chunks > 1, `the output came in ${far.chunks} chunk(s): a stream hands it on as it arrives`);
  });

  it('fails as this process does: the same GitError, and exit codes that are answers', async () => {
    const failure = async (commands: GitCommands): Promise<GitError> => {
      const error = await commands.run(['rev-parse', '--verify', 'no-such-branch']).then(
        () => assert.fail('resolved'),
        (err: unknown) => err,
      );
      assert.ok(error instanceof GitError, String(error));
      return error;
    };
    const [near, far] = [await failure(here), await failure(there)];
    assert.deepEqual({ ...far, message: far.message }, { ...near, message: near.message });
    assert.match(far.message, /^git rev-parse failed: fatal: /);
    const isAncestor = ['merge-base', '--is-ancestor', repo.head(), first];
    assert.equal((await there.run(isAncestor, { allowExitCodes: [1] })).exitCode, 1);
  });

  it('rejects with what the reader of a stream threw, and answers the next call', async () => {
    const refused = new Error('not this output');
    await assert.rejects(
      there.stream(['log'], () => {
        throw refused;
      }),
      (err: unknown) => err === refused,
    );
    assert.equal((await there.run(['rev-parse', 'HEAD'])).stdout.trim(), repo.head());
  });

  /** Runs `body` with a helper of its own, and checks that this process started that helper and nothing else. */
  async function startsOnlyTheHelper(body: (helper: GitHelper) => Promise<unknown>): Promise<void> {
    const fresh = new GitHelper(GIT_HELPER);
    try {
      await watchingStarts(() => body(fresh));
      assert.deepEqual(
        started.map((child) => child.spawnargs.at(-1)),
        [GIT_HELPER],
      );
    } finally {
      fresh.dispose();
    }
  }

  it('starts git in the helper: this process starts the helper once and nothing else', () =>
    startsOnlyTheHelper((fresh) => {
      const commands = new GitCommands(repo.dir, undefined, repo.dir, false, fresh);
      return Promise.all([commands.run(['rev-parse', 'HEAD']), commands.runInOwnProcessGroup(['status']), commands.stream(['log'], () => undefined)]);
    }));

  it("the repositories the editor opens (its session's core services) start every git in the helper", () =>
    startsOnlyTheHelper(async (fresh) => {
      const git = await createCoreServices(createApiClients(() => []), fresh).openRepository(repo.dir, true);
      const head = await git.head();
      await Promise.all([git.changedPaths(), git.resolveLabels([first.slice(0, 8)]), git.ranges([first], head, { paths: ['svc'] })]);
    }));

  it('hands a stream nothing more once its caller has canceled it', async () => {
    const controller = new AbortController();
    let after = 0;
    const reading = there.stream(['log', '--format=%H %H %H %H %H %H %H %H'], () => {
      if (controller.signal.aborted) after++;
      else controller.abort();
    }, { signal: controller.signal });
    await assert.rejects(reading, (err: unknown) => err instanceof GitError && err.reason === 'canceled');
    // The helper's own end of the call: every chunk it sent has arrived by then.
    assert.equal((await there.run(['rev-parse', 'HEAD'])).stdout.trim(), repo.head());
    assert.equal(after, 0);
  });

  it('reads no more of a stream than its reader takes: git waits while the output is not read', async () => {
    const input = new PassThrough();
    let taken = 0;
    let held: (() => void)[] | null = [];
    const frames: { kind: number; bytes: number }[] = [];
    const reader = new FrameReader((kind, _call, payload) => frames.push({ kind, bytes: payload.length }));
    // Takes the first 64 KB, then holds every write until released.
    const output = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _encoding, done) {
        reader.push(chunk);
        taken += chunk.length;
        if (held && taken > 64 * 1024) held.push(done);
        else done();
      },
    });
    const stopped = new Promise<void>((resolve) => serveGitCalls(input, output, resolve));
    const format = Array.from({ length: 20 }, () => '%H').join(' ');
    input.write(`${JSON.stringify({ call: 1, request: { kind: 'stream', cwd: repo.dir, repository: repo.dir, timeoutMs: 15_000, background: false, args: ['log', `--format=${format}`] } })}\n`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const whole = 2001 * (20 * 41);
    const waiting = taken + output.writableLength;
    assert.ok(waiting < 400 * 1024, `${waiting} of ${whole} bytes were read from git while nothing was taken`);
    assert.ok(!frames.some((f) => f.kind === OUTCOME_FRAME), 'the call ended while its output was not taken');
    const release = held;
    held = null;
    for (const done of release) done();
    await new Promise<void>((resolve) => {
      const poll = (): void => (frames.some((f) => f.kind === OUTCOME_FRAME) ? resolve() : void setTimeout(poll, 10));
      poll();
    });
    assert.equal(
      frames.filter((f) => f.kind === CHUNK_FRAME).reduce((sum, f) => sum + f.bytes, 0),
      whole,
    );
    input.end();
    await stopped;
  });

  it('a helper that cannot start its script fails each call with what it printed', async () => {
    const missing = new GitHelper(path.join(os.tmpdir(), 'crd-no-such-helper.js'));
    try {
      const commands = new GitCommands(repo.dir, undefined, repo.dir, false, missing);
      await assert.rejects(commands.run(['rev-parse', 'HEAD']), (err: unknown) => err instanceof GitError && /^cannot run git rev-parse: its helper process exited \(code 1\): Error: Cannot find module/.test(err.message));
    } finally {
      missing.dispose();
    }
  });

  it('a helper that dies fails the calls waiting on it, naming the command; the next call starts another', async () => {
    const fresh = new GitHelper(GIT_HELPER);
    try {
      const commands = new GitCommands(repo.dir, undefined, repo.dir, false, fresh);
      let killed = false;
      const reading = watchingStarts(() =>
        commands.stream(['log', '--format=%H %H %H %H'], () => {
          if (killed) return;
          killed = true;
          started[0]!.kill('SIGKILL');
        }),
      );
      await assert.rejects(reading, (err: unknown) => err instanceof GitError && err.reason === 'failed' && err.message === 'cannot run git log: its helper process exited (SIGKILL)');
      assert.equal((await commands.run(['rev-parse', 'HEAD'])).stdout.trim(), repo.head());
    } finally {
      fresh.dispose();
    }
  });

  it('once disposed, the helper exits and calls fail without starting another', async () => {
    const fresh = new GitHelper(GIT_HELPER);
    const commands = new GitCommands(repo.dir, undefined, repo.dir, false, fresh);
    await watchingStarts(() => commands.run(['rev-parse', 'HEAD']));
    const child = started[0]!;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    fresh.dispose();
    await exited;
    await assert.rejects(watchingStarts(() => commands.run(['rev-parse', 'HEAD'])), (err: unknown) => err instanceof GitError && err.message === 'cannot run git rev-parse: its helper process was stopped');
    assert.equal(started.length, 0);
  });

  it('keeps no process alive once its calls have ended: a script that never disposes it exits', () => {
    const script = `
      const { GitHelper } = require(${JSON.stringify(path.join(ROOT, 'src/core/git/helper/client.ts'))});
      const { GitCommands } = require(${JSON.stringify(path.join(ROOT, 'src/core/git/command.ts'))});
      const commands = new GitCommands(${JSON.stringify(repo.dir)}, undefined, ${JSON.stringify(repo.dir)}, false, new GitHelper(${JSON.stringify(GIT_HELPER)}));
      commands.run(['rev-parse', 'HEAD']).then((run) => process.stdout.write(run.stdout));
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 });
    assert.equal(child.error, undefined, 'the script did not exit within 10 s');
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), repo.head());
  });
});
