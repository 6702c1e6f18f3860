// The editor's side of its git helper: a small Node.js process that starts the gits the editor
// asks for. Starting a process blocks the thread that starts it while the kernel copies that
// process's memory map and the child gets as far as starting its program: 4 ms for a process of
// 51 MB, 13-18 ms for one of 210-868 MB, and an extension host is that large. The helper's starts
// hold only its own event loop; the editor's writes a line.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { CHUNK_FRAME, FrameReader, type GitCallOutcome, type GitCallRequest, type RemoteGit, type ToHelper } from './protocol';

type Helper = ChildProcessByStdio<Writable, Readable, null>;

interface PendingCall {
  helper: Helper;
  args: string[];
  onStdout: ((chunk: Buffer) => void) | undefined;
  resolve(outcome: GitCallOutcome): void;
  reject(error: unknown): void;
  /** Set once onStdout threw: later chunks are dropped, and the call rejects with it. */
  handlerError?: { error: unknown };
}

/** Starts the helper (`script`, a bundle of helper/main.ts) on its first call, and again after it has exited. */
export class GitHelper implements RemoteGit {
  private helper: Helper | undefined;
  private readonly calls = new Map<number, PendingCall>();
  private nextCall = 1;
  private disposed = false;

  constructor(private readonly script: string) {}

  call(request: GitCallRequest, onStdout: ((chunk: Buffer) => void) | undefined, signal: AbortSignal): Promise<GitCallOutcome> {
    if (this.disposed) return Promise.resolve(notRun(request.args, 'its helper process was stopped'));
    const helper = this.started();
    const id = this.nextCall++;
    return new Promise<GitCallOutcome>((resolve, reject) => {
      const cancel = (): void => send(helper, { cancel: id });
      const settle = (): void => {
        this.calls.delete(id);
        signal.removeEventListener('abort', cancel);
        if (this.calls.size === 0) holdOpen(helper, false);
      };
      this.calls.set(id, {
        helper,
        args: request.args,
        onStdout,
        resolve: (outcome) => {
          settle();
          resolve(outcome);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      holdOpen(helper, true);
      send(helper, { call: id, request });
      if (signal.aborted) cancel();
      else signal.addEventListener('abort', cancel, { once: true });
    });
  }

  /** Stops the helper (it stops the gits it started); later calls fail. */
  dispose(): void {
    this.disposed = true;
    const helper = this.helper;
    this.helper = undefined;
    helper?.stdin.end();
    if (helper) this.endAll(helper, 'its helper process was stopped');
  }

  private started(): Helper {
    if (this.helper) return this.helper;
    // An editor built on Electron runs the helper as Node.js. None of the editor's own flags (an
    // inspector's port, say) pass to it.
    const helper = spawn(process.execPath, [this.script], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['pipe', 'pipe', 'inherit'], windowsHide: true });
    const frames = new FrameReader((kind, call, payload) => this.received(kind, call, payload));
    helper.stdout.on('data', (piece: Buffer) => frames.push(piece));
    // A helper gone is reported by 'close' below, to each call waiting on it.
    helper.stdin.on('error', () => undefined);
    helper.on('error', () => undefined);
    helper.on('close', (code, signal) => {
      if (this.helper === helper) this.helper = undefined;
      this.endAll(helper, `its helper process exited (${signal ?? `code ${code}`})`);
    });
    helper.unref();
    holdOpen(helper, false);
    this.helper = helper;
    return helper;
  }

  private received(kind: number, call: number, payload: Buffer): void {
    const pending = this.calls.get(call);
    if (!pending) return;
    if (kind === CHUNK_FRAME) {
      if (pending.handlerError) return;
      try {
        pending.onStdout?.(payload);
      } catch (error) {
        pending.handlerError = { error };
        send(pending.helper, { cancel: call });
      }
      return;
    }
    if (pending.handlerError) pending.reject(pending.handlerError.error);
    else pending.resolve(JSON.parse(payload.toString('utf8')) as GitCallOutcome);
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

/** The helper's pipes keep this process alive only while calls wait on them. */
function holdOpen(helper: Helper, hold: boolean): void {
  for (const pipe of [helper.stdin, helper.stdout] as unknown as { ref?(): void; unref?(): void }[]) {
    if (hold) pipe.ref?.();
    else pipe.unref?.();
  }
}

function notRun(args: string[], why: string): GitCallOutcome {
  return { failure: { message: `cannot run ${`git ${args[0] ?? ''}`.trim()}: ${why}`, args, exitCode: null, stderr: '', reason: 'failed' } };
}
