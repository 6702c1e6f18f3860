// A DeployExecutor that runs the command line with `bash -c` in a child process: for the CLI and
// the integration tests (the extension runs it as a VS Code Task instead).
//
// API (no vscode import):
//
//   createBashExecutor({ onOutput?, extraEnv? }) → DeployExecutor
//       Runs bash -c <commandLine> in cwd with process.env + the deploy's env (+ extraEnv).
//       Output goes to onOutput as it arrives (default: discarded). Aborting the signal stops the
//       whole process group (the script and whatever it started); the exit code is then undefined.
import { spawn } from 'node:child_process';
import type { DeployExecutor } from './runner';

export interface BashExecutorOptions {
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Added after the deploy's own variables, e.g. DEMO_DEPLOY_FAULT in tests. */
  extraEnv?: Readonly<Record<string, string>>;
  /** Default 'bash' from PATH. */
  bashPath?: string;
}

export function createBashExecutor(options: BashExecutorOptions = {}): DeployExecutor {
  return (commandLine, cwd, env, signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) {
        resolve({ exitCode: undefined });
        return;
      }
      // A process group of its own, so cancelling reaches the script's children too.
      const child = spawn(options.bashPath ?? 'bash', ['-c', commandLine], {
        cwd,
        env: { ...process.env, ...env, ...options.extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
      });
      const stop = (): void => {
        try {
          if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGTERM');
          else child.kill('SIGTERM');
        } catch {
          // already gone
        }
      };
      signal.addEventListener('abort', stop, { once: true });
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => options.onOutput?.(chunk, 'stdout'));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => options.onOutput?.(chunk, 'stderr'));
      child.on('error', (err) => {
        signal.removeEventListener('abort', stop);
        reject(new Error(`cannot run bash: ${err.message}`));
      });
      child.on('close', (code) => {
        signal.removeEventListener('abort', stop);
        resolve({ exitCode: code ?? undefined });
      });
    });
}
