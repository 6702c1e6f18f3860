// Runs a deploy command as a VS Code Task in the integrated terminal (tasks/shellTask.ts), so the
// user sees the script and can answer it; core's runDeploy calls it as its DeployExecutor. One task
// definition per service and command: the queue allows one deploy per service at a time.
import * as vscode from 'vscode';
import type { DeployExecution } from '../../core/deploy/runner';
import { Disposable } from '../platform/disposable';
import type { Logger } from '../platform/logger';
import { runShellTask, showTaskTerminal } from '../tasks/shellTask';

/** The task type of deploy tasks; contributed in package.json so VS Code knows the definition. */
export const DEPLOY_TASK_TYPE = 'cloudRunDrift.deploy';

interface DeployTaskDefinition extends vscode.TaskDefinition {
  type: typeof DEPLOY_TASK_TYPE;
  service: string;
  command: string;
  /** The repository: another one in the workspace may deploy a service of the same name. */
  root: string;
}

function isDeployDefinition(definition: vscode.TaskDefinition, service: string, root: string): boolean {
  const candidate = definition as Partial<DeployTaskDefinition>;
  return definition.type === DEPLOY_TASK_TYPE && candidate.service === service && candidate.root === root;
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

  constructor(
    private readonly logger: Logger,
    /** The repository whose services these tasks deploy. */
    private readonly root: string,
  ) {
    super();
  }

  run(request: DeployTaskRequest): Promise<DeployExecution> {
    const { service } = request;
    const definition: DeployTaskDefinition = { type: DEPLOY_TASK_TYPE, service, command: request.commandName, root: this.root };
    this.taskNames.set(service, request.taskName);
    // One deploy per service at a time (the queue's rule), so the service identifies the task.
    return runShellTask(
      {
        definition,
        isOwn: (d) => isDeployDefinition(d, service, this.root),
        taskName: request.taskName,
        commandLine: request.commandLine,
        cwd: request.cwd,
        // Merged into the editor's environment by VS Code, as runDeploy expects.
        env: request.env,
        signal: request.signal,
        onStarted: (execution) => this.executions.set(service, execution),
      },
      this.logger,
    ).finally(() => this.executions.delete(service));
  }

  /** Shows the service's deploy terminal (running or finished, while it is open); false when there is none. */
  showTerminal(service: string): boolean {
    return showTaskTerminal(this.taskNames.get(service));
  }

  override dispose(): void {
    // Scripts started from this window do not outlive it half-watched: stop them with it.
    for (const execution of this.executions.values()) execution.terminate();
    this.executions.clear();
    super.dispose();
  }
}
