// A child process run to its end for a test: its exit code (null once killed) and what it printed.
import { spawn, type SpawnOptions } from 'node:child_process';

export interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` with `args`; kills it (SIGKILL) after `killAfterMs`, so a hung child fails its test instead of the run. */
export function runChild(command: string, args: readonly string[], options: SpawnOptions = {}, killAfterMs = 20_000): Promise<ChildRun> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}
