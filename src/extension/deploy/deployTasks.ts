// Runs a deploy command as a VS Code Task in the integrated terminal, so the user sees the script
// and can answer it; core's runDeploy calls it as its DeployExecutor.
//
// bash -c, never the user's default shell: core quotes template values for POSIX shells, and fish
// or PowerShell would read those quotes differently. One task definition per service and command
// (the queue allows one deploy per service at a time), so the end events are matched by definition,
// which also covers a task that ends before executeTask has even returned its execution. The
// presentation is Dedicated: each service keeps its own terminal, which stays open after the
// script ends for "Show Terminal".
import * as vscode from 'vscode';
import type { DeployExecution } from '../../core/deploy/runner';
import { Disposable } from '../disposable';
import type { Logger } from '../logger';
import { errorText } from '../presentation';

/** The task type of deploy tasks; contributed in package.json so VS Code knows the definition. */
export const DEPLOY_TASK_TYPE = 'cloudRunDrift.deploy';
const TASK_SOURCE = 'Cloud Run Drift';
/** How long to wait, after a task ends without reporting its process's end, for that report. */
const PROCESS_END_GRACE_MS = 1_000;

interface DeployTaskDefinition extends vscode.TaskDefinition {
  type: typeof DEPLOY_TASK_TYPE;
  service: string;
  command: string;
}

function isDeployDefinition(definition: vscode.TaskDefinition, service: string): boolean {
  return definition.type === DEPLOY_TASK_TYPE && (definition as Partial<DeployTaskDefinition>).service === service;
}

export interface DeployTaskRequest {
  service: string;
  commandName: string;
  /** Shown as the terminal's name. */
  taskName: string;
  commandLine: string;
  cwd: string;
  env: Readonly<Record<string, string>>;
  signal: AbortSignal;
}

export class DeployTasks extends Disposable {
  private readonly executions = new Map<string, vscode.TaskExecution>();
  /** The task name each service last deployed with: its terminal's name. */
  private readonly taskNames = new Map<string, string>();

  constructor(private readonly logger: Logger) {
    super();
  }

  run(request: DeployTaskRequest): Promise<DeployExecution> {
    const { service, signal } = request;
    if (signal.aborted) return Promise.resolve({ exitCode: undefined });
    const definition: DeployTaskDefinition = { type: DEPLOY_TASK_TYPE, service, command: request.commandName };
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(request.cwd));
    const task = new vscode.Task(
      definition,
      folder ?? vscode.TaskScope.Workspace,
      request.taskName,
      TASK_SOURCE,
      // `env` is merged into the editor's environment by VS Code, as runDeploy expects.
      new vscode.ShellExecution(request.commandLine, { executable: 'bash', shellArgs: ['-c'], cwd: request.cwd, env: { ...request.env } }),
    );
    task.presentationOptions = {
      reveal: vscode.TaskRevealKind.Always,
      panel: vscode.TaskPanelKind.Dedicated,
      clear: true,
      echo: true,
      focus: false,
      showReuseMessage: true,
    };
    this.taskNames.set(service, request.taskName);

    return new Promise<DeployExecution>((resolve, reject) => {
      const subscriptions: vscode.Disposable[] = [];
      let settled = false;
      let graceTimer: ReturnType<typeof setTimeout> | undefined;
      const settle = (outcome: { exitCode: number | undefined } | { error: unknown }): void => {
        if (settled) return;
        settled = true;
        if (graceTimer !== undefined) clearTimeout(graceTimer);
        for (const s of subscriptions) s.dispose();
        signal.removeEventListener('abort', onAbort);
        this.executions.delete(service);
        if ('error' in outcome) reject(outcome.error instanceof Error ? outcome.error : new Error(errorText(outcome.error)));
        else resolve({ exitCode: outcome.exitCode });
      };
      const onAbort = (): void => {
        // The end events follow the termination and settle the promise (exit code unknown).
        this.executions.get(service)?.terminate();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      subscriptions.push(
        vscode.tasks.onDidEndTaskProcess((e) => {
          if (isDeployDefinition(e.execution.task.definition, service)) settle({ exitCode: e.exitCode });
        }),
        vscode.tasks.onDidEndTask((e) => {
          // A task that never started a process (or whose terminal was killed) may end without an
          // exit code; give the process report a moment in case it comes second.
          if (isDeployDefinition(e.execution.task.definition, service) && graceTimer === undefined) {
            graceTimer = setTimeout(() => settle({ exitCode: undefined }), PROCESS_END_GRACE_MS);
          }
        }),
      );
      vscode.tasks.executeTask(task).then(
        (execution) => {
          if (settled) return;
          this.executions.set(service, execution);
          if (signal.aborted) execution.terminate();
        },
        (err: unknown) => {
          this.logger.error(`could not start the deploy task for ${service}`, err);
          settle({ error: err });
        },
      );
    });
  }

  /** Shows the service's deploy terminal (running or finished, while it is open); false when there is none. */
  showTerminal(service: string): boolean {
    const name = this.taskNames.get(service);
    const terminal = name === undefined ? undefined : findTaskTerminal(name);
    if (!terminal) return false;
    terminal.show(false);
    return true;
  }

  override dispose(): void {
    // Scripts started from this window do not outlive it half-watched: stop them with it.
    for (const execution of this.executions.values()) execution.terminate();
    this.executions.clear();
    super.dispose();
  }
}

/**
 * VS Code names a task's terminal after the task (qualified with its folder in a multi-root
 * workspace); the API offers no other link from a TaskExecution to its terminal.
 */
function findTaskTerminal(taskName: string): vscode.Terminal | undefined {
  const terminals = vscode.window.terminals;
  return terminals.find((t) => t.name === taskName) ?? terminals.find((t) => t.name.startsWith(`${taskName} (`) || t.name.endsWith(` - ${taskName}`));
}
