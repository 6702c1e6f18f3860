// The editor's side of its git helper: a small Node.js process that starts the gits the editor
// asks for. Starting a process blocks the thread that starts it while the kernel copies that
// process's memory map and the child gets as far as starting its program: 4 ms for a process of
// 51 MB, 13-18 ms for one of 210-868 MB, and an extension host is that large. The helper's starts
// hold only its own event loop; the editor's writes a line.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { firstLine, oneLine } from '../../text/messageText';
import { CHUNK_FRAME, FrameReader, HELPER_SET_ASIDE, notRun, type GitCallOutcome, type GitCallRequest, type RemoteGit, type SentOutcome, type ToHelper } from './protocol';

type Helper = ChildProcessByStdio<Writable, Readable, Readable>;

/** How long a stopped helper has to end its gits and exit before it is killed. */
const STOP_GRACE_MS = 2000;

/** How much of what the helper printed on its standard error an error message may quote. */
const STDERR_KEPT = 2048;

/** The variables the helper starts without, or with a value for it alone: it sets them back for git (HELPER_SET_ASIDE). */
const SET_ASIDE = ['NODE_OPTIONS', 'ELECTRON_RUN_AS_NODE'];

interface PendingCall {
  helper: Helper;
  args: string[];
  onStdout: ((chunk: Buffer) => void) | undefined;
  /** run() and runInOwnProcessGroup(): their standard output, kept until the outcome. */
  stdout: Buffer[];
  resolve(outcome: GitCallOutcome): void;
  reject(error: unknown): void;
  /** Set once the caller aborted: git's output is no longer handed on. */
  canceled?: boolean;
  /** Set once onStdout threw: later chunks are dropped, and the call rejects with it. */
  handlerError?: { error: unknown };
}

/** Starts the helper (`script`, a bundle of helper/main.ts) on its first call, and again after it has exited. */
export class GitHelper implements RemoteGit {
  private helper: Helper | undefined;
  private readonly calls = new Map<number, PendingCall>();
  private readonly stderr = new WeakMap<Helper, string>();
  private nextCall = 1;
  private disposed = false;

  constructor(private readonly script: string) {}

  call(request: GitCallRequest, onStdout: ((chunk: Buffer) => void) | undefined, signal: AbortSignal): Promise<GitCallOutcome> {
    if (this.disposed) return Promise.resolve(notRun(request.args, 'its helper process was stopped'));
    let helper: Helper;
    try {
      helper = this.started();
    } catch (err) {
      return Promise.resolve(notRun(request.args, `its helper process could not be started: ${oneLine(firstLine(String(err)))}`));
    }
    const id = this.nextCall++;
    return new Promise<GitCallOutcome>((resolve, reject) => {
      const pending: PendingCall = {
        helper,
        args: request.args,
        onStdout,
        stdout: [],
        resolve: (outcome) => {
          settle();
          resolve(outcome);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      const cancel = (): void => {
        pending.canceled = true;
        send(helper, { cancel: id });
      };
      const settle = (): void => {
        this.calls.delete(id);
        signal.removeEventListener('abort', cancel);
        if (this.calls.size === 0) holdOpen(helper, false);
      };
      this.calls.set(id, pending);
      holdOpen(helper, true);
      send(helper, { call: id, request });
      if (signal.aborted) cancel();
      else signal.addEventListener('abort', cancel, { once: true });
    });
  }

  /** Stops the helper (it stops the gits it started, or is killed after STOP_GRACE_MS); later calls fail. */
  dispose(): void {
    this.disposed = true;
    const helper = this.helper;
    this.helper = undefined;
    if (!helper) return;
    helper.stdin.end();
    setTimeout(() => helper.kill('SIGKILL'), STOP_GRACE_MS).unref();
    this.endAll(helper, 'its helper process was stopped');
  }

  private started(): Helper {
    if (this.helper) return this.helper;
    const setAside = Object.fromEntries(SET_ASIDE.map((name) => [name, process.env[name] ?? null]));
    const env: NodeJS.ProcessEnv = { ...process.env, [HELPER_SET_ASIDE]: JSON.stringify(setAside), ELECTRON_RUN_AS_NODE: '1' };
    // An editor built on Electron runs the helper as Node.js, without the editor's Node.js flags
    // (NODE_OPTIONS may name an inspector's port, say); the helper sets both back for git.
    delete env.NODE_OPTIONS;
    const helper = spawn(process.execPath, [this.script], { env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    // A helper that could not start, or is gone, is reported by 'close' below, to each call waiting on it.
    helper.on('error', () => undefined);
    if (!helper.stdin || !helper.stdout || !helper.stderr) throw new Error('no pipes to the process (too many open files?)');
    helper.stdin.on('error', () => undefined);
    helper.stdout.on('error', () => undefined);
    const frames = new FrameReader((kind, call, payload) => this.received(kind, call, payload));
    helper.stdout.on('data', (piece: Buffer) => frames.push(piece));
    helper.stderr.setEncoding('utf8');
    helper.stderr.on('data', (text: string) => this.stderr.set(helper, ((this.stderr.get(helper) ?? '') + text).slice(-STDERR_KEPT)));
    helper.on('close', (code, signal) => {
      if (this.helper === helper) this.helper = undefined;
      const said = saidOnExit(this.stderr.get(helper) ?? '');
      this.endAll(helper, `its helper process exited (${signal ?? `code ${code}`})${said ? `: ${said}` : ''}`);
    });
    holdOpen(helper, false);
    this.helper = helper;
    return helper;
  }

  private received(kind: number, call: number, payload: Buffer): void {
    const pending = this.calls.get(call);
    if (!pending) return;
    if (kind === CHUNK_FRAME) {
      if (pending.canceled || pending.handlerError) return;
      if (!pending.onStdout) {
        pending.stdout.push(payload);
        return;
      }
      try {
        pending.onStdout(payload);
      } catch (error) {
        pending.handlerError = { error };
        send(pending.helper, { cancel: call });
      }
      return;
    }
    if (pending.handlerError) return pending.reject(pending.handlerError.error);
    const outcome = JSON.parse(payload.toString('utf8')) as SentOutcome;
    pending.resolve('failure' in outcome ? outcome : { ...outcome, stdout: Buffer.concat(pending.stdout).toString('utf8') });
  }

  /** Every call still waiting on `helper` ends: git was not run, for `why` (a handler's error stays its own). */
  private endAll(helper: Helper, why: string): void {
    for (const pending of [...this.calls.values()]) {
      if (pending.helper !== helper) continue;
      if (pending.handlerError) pending.reject(pending.handlerError.error);
      else pending.resolve(notRun(pending.args, why));
    }
  }
}

function send(helper: Helper, message: ToHelper): void {
  if (helper.stdin.writable) helper.stdin.write(`${JSON.stringify(message)}\n`);
}

/** The helper keeps this process alive (its pipes and itself) only while calls wait on it. */
function holdOpen(helper: Helper, hold: boolean): void {
  for (const handle of [helper, helper.stdin, helper.stdout, helper.stderr] as unknown as { ref?(): void; unref?(): void }[]) {
    if (hold) handle.ref?.();
    else handle.unref?.();
  }
}

/** What a helper that exited said about it: the line naming an error (Node's stack traces put it below the source line), else its first. */
function saidOnExit(stderr: string): string {
  const line = stderr.split(/\r?\n/).find((l) => /\b(?:[A-Z][A-Za-z]*)?Error\b/.test(l)) ?? stderr;
  return oneLine(firstLine(line, 300));
}
