// Process plumbing for the e2e driver: a cleanup stack that runs on success, failure, signals and
// the global deadline; child processes in their own process group (so the VS Code server's
// extension host, pty host and file watchers die with it); free ports; bounded waits.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';

type Disposer = () => Promise<void> | void;

/** Last in, first out. Each disposer is bounded so a hung one cannot keep the run alive. */
export class Cleanup {
  private readonly stack: { name: string; fn: Disposer }[] = [];
  private running: Promise<void> | undefined;

  add(name: string, fn: Disposer): void {
    this.stack.push({ name, fn });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      while (this.stack.length > 0) {
        const { name, fn } = this.stack.pop()!;
        try {
          await withTimeout(Promise.resolve().then(fn), 15_000, `cleanup: ${name}`);
        } catch (err) {
          process.stderr.write(`e2e: cleanup of ${name} failed: ${errorText(err)}\n`);
        }
      }
    })();
    return this.running;
  }
}

/** Child processes started detached (own process group); killed as a group, synchronously on exit as a last resort. */
const liveGroups = new Set<number>();
process.on('exit', () => {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export interface Spawned {
  child: ChildProcess;
  /** stdout and stderr so far (the last 200 kB). */
  output(): string;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnGroup(command: string, args: readonly string[], options: SpawnOptions & { logFile?: string }): Spawned {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  liveGroups.add(pid);
  let out = '';
  const log = options.logFile ? fs.createWriteStream(options.logFile) : undefined;
  const onData = (chunk: Buffer): void => {
    out = (out + chunk.toString('utf8')).slice(-200_000);
    log?.write(chunk);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve(code ?? signal ?? 'unknown');
    });
    child.on('error', (err) => {
      onData(Buffer.from(`spawn error: ${err.message}\n`));
      resolve('spawn-error');
    });
  });
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 3_000): Promise<void> => {
    stopping ??= (async () => {
      killGroup(pid, 'SIGTERM');
      await Promise.race([exited, delay(graceMs)]);
      // The leader's children (extension host, pty host) may outlive it: the group gets SIGKILL either way.
      killGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
      await Promise.race([exited, delay(1_000)]);
      log?.end();
    })();
    return stopping;
  };
  return { child, output: () => out, exited, stop };
}

/** Runs a command to completion with a time limit; rejects with its output on failure. */
export async function runCommand(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<string> {
  const p = spawnGroup(command, args, { cwd: options.cwd, env: options.env ?? process.env });
  const result = await Promise.race([p.exited, delay(options.timeoutMs).then(() => 'timeout' as const)]);
  if (result === 'timeout') {
    await p.stop(500);
    throw new Error(`${command} ${args.join(' ')} timed out after ${options.timeoutMs} ms\n${tail(p.output(), 4000)}`);
  }
  liveGroups.delete(p.child.pid!);
  if (result !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result}\n${tail(p.output(), 4000)}`);
  return p.output();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` until it returns a value other than undefined, or throws after `ms`. */
export async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}${lastError ? ` (last error: ${errorText(lastError)})` : ''}`);
    }
    await delay(intervalMs);
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.stack ?? err.message;
  return String(err);
}

export function tail(text: string, chars: number): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}
