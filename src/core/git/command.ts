// The one way git runs: simple-git, with our safety overrides, environment, deadline and
// cancellation on every call, and its errors turned into GitError. Two kinds of call spawn git by
// hand (runInOwnProcessGroup and stream, below) for what simple-git cannot do. In the editor, every
// call is made this same way in a helper process (helper/), which starts the gits instead.
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import type { Readable } from 'node:stream';
import { GitPluginError, simpleGit, type SimpleGit } from 'simple-git';
import { findGitBinary, gitNotFoundMessage } from './binary';
import { errorText, firstLine, oneLine } from '../text/messageText';
import type { GitCallKind, GitCallOutcome, RemoteGit } from './helper/protocol';

/** How long one git call may run before it is killed, unless the repository is opened with another. */
export const DEFAULT_GIT_TIMEOUT_MS = 15_000;

/**
 * Overrides applied to every git call: none of them changes an answer, all of them remove a way to
 * run programs the repository configures (fsmonitor hook, external diff, pager).
 */
const SAFE_CONFIG = ['core.fsmonitor=false', 'diff.external=', 'core.pager=cat', 'i18n.logOutputEncoding=UTF-8', 'log.showSignature=false'];

/**
 * simple-git refuses a `-c` that sets a key able to name a program (it cannot tell turning one off
 * from pointing it elsewhere). These are the categories of SAFE_CONFIG's own keys, which turn the
 * programs off; no caller's text ever reaches `-c`, and every other category stays refused.
 */
const SAFE_CONFIG_CATEGORIES = { allowUnsafeFsMonitor: true, allowUnsafeDiffExternal: true, allowUnsafePager: true } as const;

/**
 * Ours, set on every call (optional locks off: `git status` must never hold index.lock while the
 * user commits). GIT_FLUSH=0: git's output fully buffered. Into a pipe, `git log` otherwise writes
 * each commit on its own, and a walk of 100,000 commits spends a third of its time on those writes.
 */
const GIT_ENV = { GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GIT_FLUSH: '0' };

/**
 * The one variable from the environment simple-git's guard lets through besides ours: GIT_TRACE
 * shows what git runs, for whoever is diagnosing a check. Every other GIT_* variable, and the
 * program-naming EDITOR, VISUAL, PAGER, PREFIX and SSH_ASKPASS, is left out (simple-git would refuse
 * to pass them), so a check run from a git hook or a terminal with GIT_DIR set still reads this repository.
 */
const PASSED_THROUGH = ['GIT_TRACE'];
const PROGRAM_VARIABLES = new Set(['EDITOR', 'VISUAL', 'PAGER', 'PREFIX', 'SSH_ASKPASS']);

export type GitErrorReason = 'failed' | 'timeout' | 'canceled';

export class GitError extends Error {
  constructor(
    message: string,
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    /** `timeout`: killed at its deadline; `canceled`: its caller's signal aborted; `failed`: anything else. */
    readonly reason: GitErrorReason = 'failed',
  ) {
    super(message);
    this.name = 'GitError';
  }
}

export interface GitCallOptions {
  /** Aborting kills git and rejects with a GitError whose reason is `canceled`. */
  signal?: AbortSignal;
  /** Exit codes that are answers rather than failures (e.g. 1 from `merge-base --is-ancestor`). */
  allowExitCodes?: number[];
  /** Written to git's standard input. */
  input?: string;
}

export interface GitRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs git commands in one folder, each with the same deadline. */
export class GitCommands {
  private readonly binary: string;

  /** Throws a GitError naming the fix when git cannot be found. */
  constructor(
    readonly cwd: string,
    readonly timeoutMs: number = DEFAULT_GIT_TIMEOUT_MS,
    /** The folder git must not be taken from: the repository's root (see findGitBinary). */
    private readonly repository: string = cwd,
    /** Whether the gits started by hand run below normal priority (GIT_PRIORITY): for a long-lived process that must stay responsive. */
    private readonly background = false,
    /**
     * Where git is started instead of this process: the editor's helper process (GitHelper),
     * whose starts do not hold the editor's event loop. The calls are the same, made there.
     */
    private readonly helper?: RemoteGit,
  ) {
    const binary = findGitBinary(repository);
    if (!binary) throw new GitError(gitNotFoundMessage(repository), [], null, '');
    this.binary = binary;
  }

  /**
   * One git command through simple-git. Each call builds its own instance: the deadline, the
   * caller's signal and the standard input are per-instance options in simple-git.
   */
  async run(args: string[], options: GitCallOptions = {}): Promise<GitRun> {
    if (this.helper) return this.remote(this.helper, 'run', args, options);
    await spawnTurn();
    const call = this.stopper(args, options.signal);
    let outcome: Omit<GitRun, 'stdout'> | undefined;
    const streams: Readable[] = [];
    try {
      const git = this.instance(call.signal, options, (exitCode, stderr) => (outcome = { exitCode, stderr }));
      git.outputHandler((_command, stdout, stderr) => streams.push(stdout as Readable, stderr as Readable));
      // simple-git settles once git has exited; the race settles at the deadline even if it has not.
      const stdout = await Promise.race([git.raw(args), call.stopped]);
      return { stdout, stderr: outcome?.stderr ?? '', exitCode: outcome?.exitCode ?? 0 };
    } catch (err) {
      throw call.error() ?? failure(args, err, outcome);
    } finally {
      call.dispose();
      // A program git started may outlive it and hold the pipes open; nothing more is read from them.
      if (call.signal.aborted) for (const stream of streams) stream.destroy();
    }
  }

  /**
   * The calls not made through simple-git, which this spawns by hand with the same binary,
   * overrides, environment, deadline and errors as run(). simple-git stops a command by signaling
   * git alone (its pid, SIGINT) and cannot start it in a process group of its own, so a program git
   * started would survive the deadline: `git status` runs the clean filters a trusted repository's
   * config names, and one that never returns would stay behind, holding our pipes, after every
   * refresh. Here git leads its own process group and the deadline or cancellation kills the whole
   * group. On Windows, where a process group would need a console of its own, git alone is killed.
   */
  async runInOwnProcessGroup(args: string[], options: Omit<GitCallOptions, 'input'> = {}): Promise<GitRun> {
    if (this.helper) return this.remote(this.helper, 'group', args, options);
    const out: Buffer[] = [];
    const outcome = await this.spawned(args, options, { ownGroup: process.platform !== 'win32', onStdout: (chunk) => out.push(chunk) });
    return { ...outcome, stdout: Buffer.concat(out).toString('utf8') };
  }

  /**
   * Runs git and hands its standard output to `onStdout` chunk by chunk as it arrives, never
   * holding all of it (simple-git keeps a command's whole output until it exits): for output too
   * large to keep, such as a walk of the whole history. An exception from `onStdout` kills git and
   * rejects with it. Resolves once git has exited and every chunk was handled. `config`: settings
   * of ours for this call (`-c`), never a caller's text. `waitForReader`: asked after each chunk;
   * while the promise it returns is pending, no more of git's output is read (git then waits).
   * The helper (`helper`) passes it for its own output; a call made through it is read as the
   * helper sends it.
   */
  async stream(
    args: string[],
    onStdout: (chunk: Buffer) => void,
    options: Omit<GitCallOptions, 'input'> & { config?: string[]; waitForReader?: () => Promise<void> | undefined } = {},
  ): Promise<Omit<GitRun, 'stdout'>> {
    if (this.helper) {
      const { exitCode, stderr } = await this.remote(this.helper, 'stream', args, options, onStdout);
      return { exitCode, stderr };
    }
    return this.spawned(args, options, { ownGroup: false, onStdout, config: options.config ?? [], waitForReader: options.waitForReader });
  }

  /**
   * One call made by the helper, with the same deadline and cancellation here: what ends first
   * settles it, and stops git there. An exception from `onStdout` rejects as it is.
   */
  private async remote(helper: RemoteGit, kind: GitCallKind, args: string[], options: GitCallOptions & { config?: string[] }, onStdout?: (chunk: Buffer) => void): Promise<GitRun> {
    const call = this.stopper(args, options.signal);
    let outcome: GitCallOutcome;
    try {
      call.signal.throwIfAborted();
      const request = { kind, cwd: this.cwd, repository: this.repository, timeoutMs: this.timeoutMs, background: this.background, args, allowExitCodes: options.allowExitCodes, input: options.input, config: options.config };
      outcome = await Promise.race([helper.call(request, onStdout, call.signal), call.stopped]);
    } catch (err) {
      throw call.error() ?? err;
    } finally {
      call.dispose();
    }
    if ('failure' in outcome) {
      const { message, exitCode, stderr, reason } = outcome.failure;
      throw new GitError(message, args, exitCode, stderr, reason);
    }
    return outcome;
  }

  private async spawned(
    args: string[],
    options: Omit<GitCallOptions, 'input'>,
    how: { ownGroup: boolean; onStdout: (chunk: Buffer) => void; config?: string[]; waitForReader?: () => Promise<void> | undefined },
  ): Promise<Omit<GitRun, 'stdout'>> {
    await spawnTurn();
    const call = this.stopper(args, options.signal);
    let outcome: Omit<GitRun, 'stdout'> | undefined;
    let handlerError: { error: unknown } | undefined;
    try {
      call.signal.throwIfAborted();
      const child = spawn(this.binary, [...[...SAFE_CONFIG, ...(how.config ?? [])].flatMap((c) => ['-c', c]), ...args], {
        cwd: this.cwd,
        env: gitEnvironment(),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: how.ownGroup,
        windowsHide: true,
      });
      if (this.background && process.platform !== 'win32') lowerPriority(child.pid);
      const kill = (): void => {
        try {
          if (how.ownGroup && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          else child.kill('SIGKILL');
        } catch {
          // already gone
        }
        child.stdout.destroy();
        child.stderr.destroy();
      };
      call.signal.addEventListener('abort', kill, { once: true });
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => {
        if (handlerError) return;
        try {
          how.onStdout(chunk);
        } catch (error) {
          handlerError = { error };
          kill();
          return;
        }
        const reader = how.waitForReader?.();
        if (reader) {
          child.stdout.pause();
          void reader.then(() => child.stdout.resume());
        }
      });
      child.stderr.on('data', (b: Buffer) => err.push(b));
      const exited = new Promise<Omit<GitRun, 'stdout'>>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (code) => resolve({ exitCode: code ?? -1, stderr: Buffer.concat(err).toString('utf8') }));
      }).finally(() => call.signal.removeEventListener('abort', kill));
      outcome = await Promise.race([exited, call.stopped]);
      if (handlerError) throw handlerError.error;
      if (outcome.exitCode === 0 || options.allowExitCodes?.includes(outcome.exitCode)) return outcome;
      throw new Error(outcome.stderr);
    } catch (err) {
      if (handlerError && err === handlerError.error) throw err;
      throw call.error() ?? failure(args, err, outcome);
    } finally {
      call.dispose();
    }
  }

  private instance(signal: AbortSignal, options: GitCallOptions, onResult: (exitCode: number, stderr: string) => void): SimpleGit {
    const allowed = options.allowExitCodes ?? [];
    const input = options.input;
    return simpleGit({
      baseDir: this.cwd,
      binary: this.binary,
      config: SAFE_CONFIG,
      // The binary is the absolute path we found on PATH, spawned without a shell; simple-git's
      // character check would refuse the usual Windows one ("C:\Program Files\Git\cmd\git.exe").
      unsafe: { ...SAFE_CONFIG_CATEGORIES, allowUnsafeCustomBinary: true },
      allowEnvironment: [...Object.keys(GIT_ENV), ...PASSED_THROUGH],
      abort: signal,
      // Settled once git's output has ended ('close'), never on a timer after its exit: simple-git's
      // default also settles 50 ms after 'exit', which, with the event loop busy, returned output
      // cut short (a check then took configured paths for missing).
      completion: { onClose: true, onExit: false },
      ...(input === undefined ? {} : { input: () => input }),
      // simple-git's own rule fails a command only when it exits non-zero *and* wrote to stderr;
      // ours: any exit code not listed as an answer fails it, whatever it wrote.
      errors: (error, result) => {
        const stderr = Buffer.concat(result.stdErr).toString('utf8');
        onResult(result.exitCode, stderr);
        // Stopped (deadline, cancellation) or refused by one of simple-git's guards.
        if (error instanceof GitPluginError) return error;
        if (result.exitCode === 0 || allowed.includes(result.exitCode)) return undefined;
        return Buffer.from(stderr || `exit ${result.exitCode}`);
      },
    }).env(gitEnvironment());
  }

  /** The deadline and the caller's signal as one signal, with the GitError to report when it fired. */
  private stopper(args: string[], caller: AbortSignal | undefined) {
    const controller = new AbortController();
    let timedOut = false;
    let settled = false;
    // A timer that fires late because the event loop was busy (loading a client library, say)
    // must not kill a git that answered in time: its exit and output wait in the loop's poll
    // phase, which comes after the timers. Two turns of the loop (setImmediate runs after the poll
    // phase) let them in first.
    const timer = setTimeout(() => {
      setImmediate(() =>
        setImmediate(() => {
          if (settled || controller.signal.aborted) return;
          timedOut = true;
          controller.abort();
        }),
      );
    }, this.timeoutMs);
    const onCallerAbort = (): void => controller.abort();
    if (caller?.aborted) controller.abort();
    else caller?.addEventListener('abort', onCallerAbort, { once: true });
    const command = `git ${args[0] ?? ''}`.trim();
    const error = (): GitError | undefined => {
      if (timedOut) return new GitError(`${command} timed out after ${seconds(this.timeoutMs)}`, args, null, '', 'timeout');
      if (controller.signal.aborted) return canceledError(command, args);
      return undefined;
    };
    const stopped = new Promise<never>((_, reject) => {
      const stop = (): void => reject(error());
      if (controller.signal.aborted) stop();
      else controller.signal.addEventListener('abort', stop, { once: true });
    });
    stopped.catch(() => undefined);
    return {
      signal: controller.signal,
      stopped,
      error,
      dispose: (): void => {
        settled = true;
        clearTimeout(timer);
        caller?.removeEventListener('abort', onCallerAbort);
      },
    };
  }
}

/**
 * The scheduling priority of the gits started by hand for a long-lived process (the editor's, in
 * its helper process): the walks of the history and `git status`, which may each keep a core busy for seconds.
 * Below normal, so that on a machine with fewer cores than busy processes the thread they answer
 * to is not the one kept waiting: with three such gits on two cores, an idle Node.js process's
 * event loop went 101 ms without a turn at normal priority, 12-26 ms with them at this one. The
 * CLI keeps normal priority: there git is the work waited for, and a first check of 100,000
 * commits took 5% longer with its gits niced (2,044 ms against 1,937). Not on Windows, where the
 * usual git (Git for Windows' cmd\git.exe) is a launcher that may have started the real one
 * before its priority could be set.
 */
export const GIT_PRIORITY = os.constants.priority.PRIORITY_BELOW_NORMAL;

function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    os.setPriority(pid, GIT_PRIORITY);
  } catch {
    // Already gone, or not allowed here: it runs at the priority it has.
  }
}

/**
 * Starting a process holds the event loop until the child has started the program (Node waits
 * for it to report a failure to), a few milliseconds, and tens of them on a loaded or virtualized
 * machine. A check starts several gits at the same moment: each is started in a turn of the event
 * loop of its own (at once when no other was started in this one, else in a later one, after that
 * turn's timers), so that the process starting them (the CLI, the editor's git helper) is never
 * held for two of them at once.
 */
function spawnTurn(): Promise<void> {
  if (!turnTaken && waiting === 0) {
    takeTurn();
    return Promise.resolve();
  }
  waiting++;
  const turn = lastTurn.then(laterTurn).then(() => {
    waiting--;
    takeTurn();
  });
  lastTurn = turn;
  return turn;
}

/** Whether a git was started in this turn of the event loop. */
let turnTaken = false;
/** How many starts wait for a turn, and the turn the last of them waits for. */
let waiting = 0;
let lastTurn: Promise<void> = Promise.resolve();

function takeTurn(): void {
  turnTaken = true;
  void laterTurn().then(() => (turnTaken = false));
}

/**
 * Settles in a later turn of the event loop, after its timers have run. One setImmediate is not
 * enough: asked from an I/O callback (git's output, an API answer), it runs in the same turn; the
 * second, asked from there, in the next. (Asked from an immediate, the first already runs in the
 * next turn and the second costs one turn more: starts then lie two turns apart.)
 */
function laterTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

export function canceledError(command: string, args: string[] = []): GitError {
  return new GitError(`${command} was canceled`, args, null, '', 'canceled');
}

/** The environment git runs with: ours, over the caller's without what simple-git guards (see PASSED_THROUGH). */
function gitEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    const upper = name.toUpperCase();
    if (value === undefined || PROGRAM_VARIABLES.has(upper)) continue;
    if (upper.startsWith('GIT_') && !PASSED_THROUGH.includes(upper)) continue;
    env[name] = value;
  }
  return { ...env, ...GIT_ENV };
}

function failure(args: string[], err: unknown, outcome: Omit<GitRun, 'stdout'> | undefined): GitError {
  if (err instanceof GitError) return err;
  const command = `git ${args[0] ?? ''}`.trim();
  const message = errorText(err);
  if (outcome && outcome.exitCode > 0) {
    return new GitError(`${command} failed: ${oneLine(firstLine(outcome.stderr)) || `exit ${outcome.exitCode}`}`, args, outcome.exitCode, outcome.stderr);
  }
  // Not started, or refused before starting (simple-git's guards), or killed by a signal of its own.
  return new GitError(`cannot run ${command}: ${oneLine(firstLine(message)) || 'unknown error'}`, args, outcome?.exitCode ?? null, outcome?.stderr ?? '');
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

