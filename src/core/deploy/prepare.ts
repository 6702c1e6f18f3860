// Everything the confirmation needs, read from git before a deploy (and the deploy command chosen).
//
// API (no vscode import):
//
//   deployUnavailableReason({ workspaceTrusted, config }) → string | null: why deploy commands must
//                                                 explain instead of run (Restricted Mode, no deploy command)
//   selectDeployCommand(config, commandName?)   → DeployCommand; throws DeploySetupError (none configured / unknown name)
//   prepareDeploy({ service, config, git, verdict?, commandName?, skipConfirmationSetting? })
//                                               → Promise<DeployPreparation>: HEAD, undeployed commits,
//                                                 dirty files, the command, the confirmation and whether to show it
//
// Pass `preparation.commit.sha` as runDeploy's `confirmedCommit`: if HEAD moves between the
// confirmation and the start, the deploy refuses rather than ship a commit nobody confirmed.
import type { DeployCommand, DriftConfig, ServiceConfig } from '../config';
import { touchesPaths, type GitRepository } from '../git/repository';
import type { CommitInfo, ServiceVerdict } from '../model';
import { commitsTouching } from '../verdicts/verdict';
import { buildConfirmation, needsConfirmation, type DeployConfirmation } from './confirm';
import { checkTemplate } from './template';

/** A deploy that cannot start because of the configuration or the repository. */
export class DeploySetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeploySetupError';
  }
}

export const RESTRICTED_MODE_REASON =
  "Deploying runs this repository's deploy command, which Restricted Mode does not allow. Trust the workspace to deploy.";

/** Why deploying is not available, or null when it is; the same words for every deploy entry point. */
export function deployUnavailableReason(input: { workspaceTrusted: boolean; config: DriftConfig | null }): string | null {
  if (!input.workspaceTrusted) return RESTRICTED_MODE_REASON;
  if (!input.config) return 'No cloud-run-drift.json is loaded.';
  if (input.config.deployCommands.length === 0) return `${input.config.file} has no "deploy" command.`;
  return null;
}

/** The named deploy command, or the default (the first); throws DeploySetupError. */
export function selectDeployCommand(config: DriftConfig, commandName?: string | null): DeployCommand {
  if (config.deployCommands.length === 0) {
    throw new DeploySetupError(`${config.file} has no "deploy" command; add e.g. "deploy": {"command": "./bin/deploy.sh \${service}"}`);
  }
  if (commandName === undefined || commandName === null) return config.deployCommands[0]!;
  const found = config.deployCommands.find((c) => c.name === commandName);
  if (!found) {
    throw new DeploySetupError(`no deploy command named "${commandName}" (configured: ${config.deployCommands.map((c) => `"${c.name}"`).join(', ')})`);
  }
  return found;
}

export function findService(config: DriftConfig, name: string): ServiceConfig {
  const service = config.services.find((s) => s.name === name);
  if (!service) throw new DeploySetupError(`${name} is not configured in ${config.file}`);
  return service;
}

export interface PrepareOptions {
  service: ServiceConfig | string;
  config: DriftConfig;
  git: GitRepository;
  /** The last verdict, for the commit the service serves now; without it the undeployed commits are not listed. */
  verdict?: ServiceVerdict | null;
  commandName?: string | null;
  /** The "skip confirmation for clean deploys" setting. */
  skipConfirmationSetting?: boolean;
}

export interface DeployPreparation {
  service: ServiceConfig;
  command: DeployCommand;
  /** HEAD now. */
  commit: CommitInfo;
  undeployed: CommitInfo[] | null;
  dirtyFiles: string[];
  dirty: boolean;
  confirmation: DeployConfirmation;
  /** needsConfirmation(dirty, skipConfirmationSetting). */
  confirm: boolean;
}

export async function prepareDeploy(options: PrepareOptions): Promise<DeployPreparation> {
  const service = typeof options.service === 'string' ? findService(options.config, options.service) : options.service;
  const command = selectDeployCommand(options.config, options.commandName);
  const problem = checkTemplate(command.template);
  if (problem) throw new DeploySetupError(`deploy command "${command.name}": ${problem.message}`);
  const { git } = options;
  const [head, changed] = await Promise.all([git.head(), git.changedPaths()]);
  const [described, undeployed] = await Promise.all([git.describeCommits([head]), undeployedCommits(git, service, options.verdict ?? null, head)]);
  const commit = described.get(head) ?? { sha: head, subject: '', author: '', date: '' };
  const dirtyFiles = changed.filter((f) => touchesPaths(f, service.paths)).sort();
  const dirty = dirtyFiles.length > 0;
  const isDefault = command === options.config.deployCommands[0];
  return {
    service,
    command,
    commit,
    undeployed,
    dirtyFiles,
    dirty,
    confirmation: buildConfirmation({ service: service.name, commit, undeployed, dirtyFiles, commandName: isDefault ? null : command.name }),
    confirm: needsConfirmation(dirty, options.skipConfirmationSetting ?? false),
  };
}

/** Commits touching the service's paths between what it serves and HEAD, read now (HEAD may have moved since the check). */
async function undeployedCommits(git: GitRepository, service: ServiceConfig, verdict: ServiceVerdict | null, head: string): Promise<CommitInfo[] | null> {
  const deployed = verdict?.deployedCommit;
  if (!deployed) return null;
  if (deployed === head) return [];
  try {
    return commitsTouching(await git.range(deployed, head, { paths: service.paths }), service.paths);
  } catch {
    // The deployed commit vanished from the clone (gc after a force-push): say we do not know.
    return null;
  }
}
