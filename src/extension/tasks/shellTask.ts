// Runs a bash command line as a VS Code Task in the integrated terminal and resolves with its exit
// code: deploys (deploy/deployTasks.ts) and data jobs (jobs/dataJobs.ts) both run this way, so
// the user sees the script and can answer it.
//
// bash -c, never the user's default shell: core quotes template values for bash, and fish or
// PowerShell would read those quotes differently. What ShellExecution gets is shellLaunch.ts's: VS
// Code substitutes `${…}` in it, so nothing there may hold one. The end events are matched by the task's
// definition (the caller's `isOwn`), which also covers a task that ends before executeTask has even
// returned its execution. The presentation is Dedicated: each task keeps its own terminal, which
// stays open after the script ends for "Show Terminal".
import * as vscode from 'vscode';
import { errorText } from '../../core/text/messageText';
import type { Logger } from '../platform/logger';
import { shellLaunch, type ShellLaunch } from './shellLaunch';

const TASK_SOURCE = 'Cloud Run Drift';
/** How long to wait, after a task ends without reporting its process's end, for that report. */
const PROCESS_END_GRACE_MS = 1_000;

export interface ShellTaskRequest {
  definition: vscode.TaskDefinition;
  /** True for the end events of this very task (by its definition). */
  isOwn(definition: vscode.TaskDefinition): boolean;
  /** Shown as the terminal's name. */
  taskName: string;
  commandLine: string;
  cwd: string;
  /** Merged into the editor's environment by VS Code. */
  env?: Readonly<Record<string, string>>;
  signal: AbortSignal;
  /** Called with the execution once VS Code has started it (to terminate it on dispose). */
  onStarted?: (execution: vscode.TaskExecution) => void;
}

/** Resolves with the process's exit code; undefined when it was terminated or never reported one. */
export function runShellTask(request: ShellTaskRequest, logger: Logger): Promise<{ exitCode: number | undefined }> {
  const { signal } = request;
  if (signal.aborted) return Promise.resolve({ exitCode: undefined });
  let launch: ShellLaunch;
  try {
    launch = shellLaunch(request);
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(errorText(err)));
  }
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(request.cwd));
  const task = new vscode.Task(request.definition, folder ?? vscode.TaskScope.Workspace, request.taskName, TASK_SOURCE, new vscode.ShellExecution(launch.commandLine, launch.options));
  task.presentationOptions = {
    reveal: vscode.TaskRevealKind.Always,
    panel: vscode.TaskPanelKind.Dedicated,
    clear: true,
    echo: true,
    focus: false,
    showReuseMessage: true,
  };

  return new Promise((resolve, reject) => {
    const subscriptions: vscode.Disposable[] = [];
    let execution: vscode.TaskExecution | undefined;
    let settled = false;
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const settle = (outcome: { exitCode: number | undefined } | { error: unknown }): void => {
      if (settled) return;
      settled = true;
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      for (const s of subscriptions) s.dispose();
      signal.removeEventListener('abort', onAbort);
      if ('error' in outcome) reject(outcome.error instanceof Error ? outcome.error : new Error(errorText(outcome.error)));
      else resolve({ exitCode: outcome.exitCode });
    };
    // The end events follow the termination and settle the promise (exit code unknown).
    const onAbort = (): void => execution?.terminate();
    signal.addEventListener('abort', onAbort, { once: true });
    subscriptions.push(
      vscode.tasks.onDidEndTaskProcess((e) => {
        if (request.isOwn(e.execution.task.definition)) settle({ exitCode: e.exitCode });
      }),
      vscode.tasks.onDidEndTask((e) => {
        // A task that never started a process (or whose terminal was killed) may end without an
        // exit code; give the process report a moment in case it comes second.
        if (request.isOwn(e.execution.task.definition) && graceTimer === undefined) {
          graceTimer = setTimeout(() => settle({ exitCode: undefined }), PROCESS_END_GRACE_MS);
        }
      }),
    );
    vscode.tasks.executeTask(task).then(
      (started) => {
        if (settled) return;
        execution = started;
        request.onStarted?.(started);
        if (signal.aborted) started.terminate();
      },
      (err: unknown) => {
        logger.error(`could not start the task "${request.taskName}"`, err);
        settle({ error: err });
      },
    );
  });
}

/** Shows the terminal of the task named `taskName` (running or finished, while it is open); false when there is none. */
export function showTaskTerminal(taskName: string | undefined): boolean {
  const terminal = taskName === undefined ? undefined : findTaskTerminal(taskName);
  terminal?.show(false);
  return terminal !== undefined;
}

/**
 * VS Code names a task's terminal after the task (qualified with its folder in a multi-root
 * workspace); the API offers no other link from a TaskExecution to its terminal.
 */
function findTaskTerminal(taskName: string): vscode.Terminal | undefined {
  const terminals = vscode.window.terminals;
  return terminals.find((t) => t.name === taskName) ?? terminals.find((t) => t.name.startsWith(`${taskName} (`) || t.name.endsWith(` - ${taskName}`));
}
