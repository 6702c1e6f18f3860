// Runs a deploy and ends it with proof: the deploy command (through an executor the caller
// supplies: a VS Code Task in the extension, `bash -c` in tests), then verifyDeployment.
//
// API (no vscode import):
//
//   runDeploy(options: RunDeployOptions)        → Promise<DeployResult>; never rejects
//       options.execute(commandLine, cwd, env, signal) → Promise<{ exitCode: number | undefined }>
//         Run `commandLine` with bash in `cwd` (the extension: a Task with ShellExecution, built by
//         extension/tasks/shellLaunch.ts so that VS Code substitutes nothing) and resolve with the exit code from
//         tasks.onDidEndTaskProcess (undefined when unknown, e.g. the terminal was closed). `env`
//         holds CLOUD_RUN_DRIFT_* variables to ADD to the environment. When `signal` aborts,
//         terminate the task; the result is then `cancelled`. cwd is config.root.
//       options.workspaceTrusted false refuses (Restricted Mode); options.confirmedCommit guards
//       against HEAD moving between the confirmation and the start.
//   DEPLOY_DEFAULTS                             timeouts, history size and concurrency defaults for settings
//   The queue (one deploy per service), Deploy All Stale and the result's messages: queue.ts,
//   deployAll.ts, messages.ts.
//
// Proof: the deployed commit is HEAD when the deploy starts (read before the script runs), and
// it is that commit, not a later HEAD, that must be serving all traffic afterwards.
import type { CloudRunReader } from '../google/cloudrun';
import type { DriftConfig, ServiceConfig } from '../config';
import type { GitRepository } from '../git/repository';
import type { UnitKind } from '../model';
import { errorText, oneLine } from '../text/messageText';
import { short } from '../verdicts/verdict';
import { verifyDeployment, type VerifyOutcome } from './verify';
import { findService, RESTRICTED_MODE_REASON, selectDeployCommand } from './prepare';
import { expandDeployCommand } from './template';

export type DeployResultKind = 'verified' | 'revision-failed' | 'deploy-failed' | 'traffic-not-moved' | 'label-unchanged' | 'timeout' | 'error' | 'script-failed' | 'cancelled';

export interface DeployResult {
  kind: DeployResultKind;
  service: string;
  /** The full SHA deployed (HEAD when the deploy started), or null when it never got that far. */
  commit: string | null;
  /** One line for the user (see logLine); exact wording for label-unchanged. */
  message: string;
  /** The revision proven live (verified), failed (revision-failed) or not serving (traffic-not-moved). */
  revision?: string;
  /** traffic-not-moved: the percent the new revision serves. */
  percent?: number;
  /** label-unchanged: the commit label the serving revision still carries (null when unlabeled). */
  servedCommitLabel?: string | null;
  /** script-failed: the exit code, or null when the task ended without one. */
  exitCode?: number | null;
  commandName: string | null;
  /** The command line that ran (or would have), for the log. */
  commandLine: string | null;
  startedAt: string;
  finishedAt: string;
}

export type DeployPhase = 'starting' | 'running-script' | 'verifying' | 'finished';

export interface DeployProgress {
  service: string;
  phase: DeployPhase;
  /** One line: what is happening now (verification relays verify's observations). */
  message: string;
  commit: string | null;
}

export interface DeployExecution {
  /** The command's exit code; undefined when it is unknown (terminated task, closed terminal). */
  exitCode: number | undefined;
}

export type DeployExecutor = (commandLine: string, cwd: string, env: Readonly<Record<string, string>>, signal: AbortSignal) => Promise<DeployExecution>;

export interface RunDeployOptions {
  service: ServiceConfig | string;
  config: DriftConfig;
  git: GitRepository;
  reader: CloudRunReader;
  /** A name from config.deployCommands; default the first (the default command). */
  commandName?: string | null;
  execute: DeployExecutor;
  /** How long verification may wait for the commit to serve all traffic. */
  verifyTimeoutMs: number;
  /** How long a settled wrong state (label unchanged, traffic not moved) must persist to be reported before the timeout. */
  settleMs: number;
  pollMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: DeployProgress) => void;
  /** The commit the user confirmed (prepareDeploy's commit): a different HEAD at start refuses the deploy. */
  confirmedCommit?: string | null;
  /** ${workspaceFolder}; default config.root. */
  workspaceFolder?: string;
  /** false (Restricted Mode) refuses without running anything; the CLI, which has no such notion, leaves it out. */
  workspaceTrusted?: boolean;
}

/** Defaults for the settings that feed runDeploy, readDeploymentHistory and deployAll. */
export const DEPLOY_DEFAULTS = {
  /** "A few minutes": a Cloud Run rollout that has not finished by then needs a human. */
  verifyTimeoutMs: 300_000,
  /**
   * After the script exits 0 the rollout is normally final; a wrong state that holds this long is
   * reported instead of waiting for the timeout (long enough for a slow traffic switch to land).
   */
  settleMs: 15_000,
  pollMs: 2_000,
  historyLimit: 10,
  concurrency: 1,
} as const;

/** Environment variables added for the deploy command, mirroring the template values. */
export const DEPLOY_ENV = {
  service: 'CLOUD_RUN_DRIFT_SERVICE',
  commit: 'CLOUD_RUN_DRIFT_COMMIT',
  shortCommit: 'CLOUD_RUN_DRIFT_SHORT_COMMIT',
  project: 'CLOUD_RUN_DRIFT_PROJECT',
  region: 'CLOUD_RUN_DRIFT_REGION',
} as const;

export async function runDeploy(options: RunDeployOptions): Promise<DeployResult> {
  const startedAt = new Date().toISOString();
  const serviceName = typeof options.service === 'string' ? options.service : options.service.name;
  const signal = options.signal ?? new AbortController().signal;
  let commit: string | null = null;
  let commandName: string | null = null;
  let commandLine: string | null = null;
  const progress = (phase: DeployPhase, message: string): void => {
    try {
      options.onProgress?.({ service: serviceName, phase, message: oneLine(message), commit });
    } catch {
      // A broken progress listener must not turn a deploy into a failure.
    }
  };
  const finish = (kind: DeployResultKind, message: string, extra: Partial<DeployResult> = {}): DeployResult => {
    const result: DeployResult = { kind, service: serviceName, commit, message: oneLine(message), commandName, commandLine, startedAt, finishedAt: new Date().toISOString(), ...extra };
    progress('finished', result.message);
    return result;
  };

  try {
    if (options.workspaceTrusted === false) return finish('error', RESTRICTED_MODE_REASON);
    if (signal.aborted) return finish('cancelled', `The deploy of ${serviceName} was cancelled before it started.`);
    const service = typeof options.service === 'string' ? findService(options.config, options.service) : options.service;
    const command = selectDeployCommand(options.config, options.commandName);
    commandName = command.name;
    progress('starting', `Reading HEAD for ${serviceName}`);
    // The commit that must go live: HEAD now, whatever HEAD does while the script runs.
    commit = await options.git.head();
    if (options.confirmedCommit && options.confirmedCommit !== commit) {
      return finish('error', `HEAD moved from ${short(options.confirmedCommit)} to ${short(commit)} after the confirmation; nothing was deployed. Deploy again to confirm ${short(commit)}.`);
    }
    const shortCommit = await abbreviate(options.git, commit);
    const values = {
      service: service.name,
      commit,
      shortCommit,
      project: service.project,
      region: service.region,
      workspaceFolder: options.workspaceFolder ?? options.config.root,
    };
    commandLine = expandDeployCommand(command.template, values).commandLine;
    const env: Record<string, string> = {
      [DEPLOY_ENV.service]: values.service,
      [DEPLOY_ENV.commit]: values.commit,
      [DEPLOY_ENV.shortCommit]: values.shortCommit,
      [DEPLOY_ENV.project]: values.project,
      [DEPLOY_ENV.region]: values.region,
    };
    if (signal.aborted) return finish('cancelled', `The deploy of ${serviceName} was cancelled before it started.`);

    progress('running-script', `Running deploy command "${command.name}" for ${serviceName} at ${short(commit)}`);
    let execution: DeployExecution;
    try {
      execution = await options.execute(commandLine, options.config.root, env, signal);
    } catch (err) {
      if (signal.aborted) return finish('cancelled', cancelledWhileRunning(serviceName));
      return finish('error', `The deploy command for ${serviceName} could not run: ${errorText(err)}`);
    }
    if (signal.aborted) return finish('cancelled', cancelledWhileRunning(serviceName));
    if (execution.exitCode !== 0) {
      const exitCode = execution.exitCode ?? null;
      const how = exitCode === null ? 'ended without an exit code (was the task terminated?)' : `exited with code ${exitCode}`;
      return finish('script-failed', `The deploy command "${command.name}" for ${serviceName} ${how}; nothing was verified.`, { exitCode });
    }

    progress('verifying', `Verifying that ${serviceName} ${service.kind === 'job' ? 'runs' : 'serves'} ${short(commit)}`);
    let outcome: VerifyOutcome;
    try {
      outcome = await verifyDeployment({
        service,
        commitLabel: options.config.commitLabel,
        expectedCommit: commit,
        reader: options.reader,
        git: options.git,
        timeoutMs: options.verifyTimeoutMs,
        settleMs: options.settleMs,
        ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
        signal,
        afterDeployScript: true,
        onProgress: (text) => progress('verifying', text),
      });
    } catch (err) {
      if (signal.aborted) {
        return finish('cancelled', `Verification of ${serviceName} was cancelled: the deploy command exited 0, but nothing proves ${short(commit)} is live.`);
      }
      return finish('error', `Could not verify ${serviceName}: ${errorText(err)}`);
    }
    return finish(...(await fromVerifyOutcome(outcome, serviceName, service.kind, commit, options.git)));
  } catch (err) {
    return finish('error', errorText(err));
  }
}

function cancelledWhileRunning(service: string): string {
  return `The deploy of ${service} was cancelled while its command ran; it may have deployed anyway (refresh to see).`;
}

async function fromVerifyOutcome(outcome: VerifyOutcome, service: string, kind: UnitKind, commit: string, git: GitRepository): Promise<[DeployResultKind, string, Partial<DeployResult>]> {
  switch (outcome.kind) {
    case 'verified':
      return ['verified', outcome.message, { revision: outcome.revision }];
    case 'revision-failed':
      return ['revision-failed', outcome.message, { revision: outcome.revision }];
    case 'deploy-failed':
      return ['deploy-failed', outcome.message, {}];
    case 'traffic-not-moved':
      return ['traffic-not-moved', outcome.message, { revision: outcome.revision, percent: outcome.percent }];
    case 'label-unchanged': {
      const served = await describeServedLabel(outcome.servedCommit, git, kind);
      const still = kind === 'job' ? `${service}'s template still carries` : `${service} still serves`;
      return ['label-unchanged', `the deploy script exited 0 but ${still} ${served} (expected ${short(commit)})`, { servedCommitLabel: outcome.servedCommit }];
    }
    case 'timeout':
      return ['timeout', outcome.message, {}];
    case 'error':
      return ['error', outcome.message, {}];
  }
}

/** The label as a short SHA like the expected one (8 digits), resolved through git when it can be. */
async function describeServedLabel(label: string | null, git: GitRepository, kind: UnitKind): Promise<string> {
  if (!label) return kind === 'job' ? 'no commit label' : 'an unlabeled revision';
  const resolution = (await git.resolveLabels([label]).catch(() => new Map())).get(label);
  if (resolution?.kind === 'found') return short(resolution.sha);
  // Not a local commit: show the label itself, escaped if it is anything but a plain label value.
  return /^[\p{Ll}\p{Lo}\p{N}_-]{1,63}$/u.test(label) ? (/^[0-9a-f]+$/.test(label) ? short(label) : label) : JSON.stringify(label);
}

/** `git rev-parse --short`: the abbreviation the team's own tooling prints for ${shortCommit}. */
async function abbreviate(git: GitRepository, commit: string): Promise<string> {
  const abbreviation = await git.abbreviate(commit);
  return commit.startsWith(abbreviation) && abbreviation.length >= 4 ? abbreviation : short(commit);
}
