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
//   DeployQueue                                 one deploy per service at a time
//       .deploy(options)  → { handle, started }  started false: `handle` is the one already running
//       .start(service, run) → same, for any function producing a DeployResult
//       .get(service) / .list() / .onDidChange(listener) → unsubscribe / .cancelAll()
//   deployAll({ plan, concurrency, queue, run, signal?, onProgress? }) → DeployAllHandle { result, cancel() }
//       Upstream first (plan.ts); cancel stops the deploys not yet started, running ones finish.
//   logLine(result)                             the one-line text for the log channel and the user message
//   describeDeployResult(result)                → { severity, text, actions } for the notification
//
// Proof: the deployed commit is HEAD when the deploy starts (read before the script runs), and
// it is that commit, not a later HEAD, that must be serving all traffic afterwards.
import type { CloudRunReader } from '../cloudrun';
import type { DriftConfig, ServiceConfig } from '../config';
import type { GitRepository } from '../git';
import type { UnitKind } from '../model';
import { short } from '../verdict';
import { verifyDeployment, type VerifyOutcome } from '../verify';
import { nextDeploys, type DeployPlan, type PlannedDeploy, type StepStatus } from './plan';
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
      options.onProgress?.({ service: serviceName, phase, message: flatten(message), commit });
    } catch {
      // A broken progress listener must not turn a deploy into a failure.
    }
  };
  const finish = (kind: DeployResultKind, message: string, extra: Partial<DeployResult> = {}): DeployResult => {
    const result: DeployResult = { kind, service: serviceName, commit, message: flatten(message), commandName, commandLine, startedAt, finishedAt: new Date().toISOString(), ...extra };
    progress('finished', logLine(result));
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

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One line: API messages may carry newlines and control characters; a log line and a notification must not. */
function flatten(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** The one-line text for the log channel and the user message. */
export function logLine(result: DeployResult): string {
  return flatten(result.message);
}

export type DeployAction = 'show-terminal' | 'open-logs' | 'retry';

export interface DeployNotification {
  severity: 'info' | 'warning' | 'error';
  text: string;
  /** The buttons to offer, in order: Show Terminal, Open Logs, Retry. */
  actions: DeployAction[];
}

export function describeDeployResult(result: DeployResult): DeployNotification {
  const text = logLine(result);
  switch (result.kind) {
    case 'verified':
      return { severity: 'info', text, actions: [] };
    case 'label-unchanged':
      return { severity: 'error', text, actions: ['show-terminal', 'open-logs', 'retry'] };
    case 'revision-failed':
    case 'deploy-failed':
      return { severity: 'error', text, actions: ['open-logs', 'retry'] };
    case 'script-failed':
      return { severity: 'error', text, actions: ['show-terminal'] };
    case 'traffic-not-moved':
      return { severity: 'warning', text, actions: ['show-terminal', 'retry'] };
    case 'timeout':
      return { severity: 'error', text, actions: ['show-terminal', 'open-logs', 'retry'] };
    case 'cancelled':
      return { severity: 'warning', text, actions: result.commandLine ? ['show-terminal'] : [] };
    case 'error':
      return { severity: 'error', text, actions: result.commandLine ? ['show-terminal', 'retry'] : [] };
  }
}

// ---------------------------------------------------------------------------------------------
// One deploy per service.

export interface DeployHandle {
  readonly service: string;
  readonly startedAt: Date;
  /** Settles with the result; never rejects. */
  readonly result: Promise<DeployResult>;
  /** Aborted by cancel(); handed to the run. */
  readonly signal: AbortSignal;
  /** The latest progress reported, for revealing a running deploy. */
  readonly progress: DeployProgress | null;
  cancel(): void;
}

export type DeployQueueEvent =
  | { type: 'started'; handle: DeployHandle }
  | { type: 'progress'; handle: DeployHandle; progress: DeployProgress }
  | { type: 'finished'; handle: DeployHandle; result: DeployResult };

export type DeployRun = (signal: AbortSignal, report: (progress: DeployProgress) => void) => Promise<DeployResult>;

export class DeployQueue {
  private readonly running = new Map<string, DeployHandle>();
  private readonly listeners = new Set<(event: DeployQueueEvent) => void>();

  /**
   * Starts `run` for `service` unless a deploy of it is running; then returns that one's handle
   * with started false (the caller reveals it instead of starting another). Synchronous, so two
   * clicks in the same tick cannot both start.
   */
  start(service: string, run: DeployRun): { handle: DeployHandle; started: boolean } {
    const existing = this.running.get(service);
    if (existing) return { handle: existing, started: false };
    const controller = new AbortController();
    let latest: DeployProgress | null = null;
    let resolveResult!: (result: DeployResult) => void;
    const result = new Promise<DeployResult>((resolve) => (resolveResult = resolve));
    const handle: DeployHandle = {
      service,
      startedAt: new Date(),
      result,
      signal: controller.signal,
      get progress() {
        return latest;
      },
      cancel: () => controller.abort(new Error(`the deploy of ${service} was cancelled`)),
    };
    this.running.set(service, handle);
    this.emit({ type: 'started', handle });
    const report = (progress: DeployProgress): void => {
      latest = progress;
      this.emit({ type: 'progress', handle, progress });
    };
    const startedAt = handle.startedAt.toISOString();
    // Started on the next microtask so that `started` listeners and the caller see the handle first.
    void Promise.resolve()
      .then(() => run(controller.signal, report))
      .catch(
        (err: unknown): DeployResult => ({
          kind: controller.signal.aborted ? 'cancelled' : 'error',
          service,
          commit: null,
          message: flatten(errorText(err)),
          commandName: null,
          commandLine: null,
          startedAt,
          finishedAt: new Date().toISOString(),
        }),
      )
      .then((settled) => {
        this.running.delete(service);
        this.emit({ type: 'finished', handle, result: settled });
        resolveResult(settled);
      });
    return { handle, started: true };
  }

  /** runDeploy under the lock; the handle's cancel() aborts it (and so does options.signal). */
  deploy(options: RunDeployOptions): { handle: DeployHandle; started: boolean } {
    const service = typeof options.service === 'string' ? options.service : options.service.name;
    return this.start(service, (signal, report) =>
      runDeploy({
        ...options,
        signal: options.signal ? AbortSignal.any([signal, options.signal]) : signal,
        onProgress: (progress) => {
          report(progress);
          options.onProgress?.(progress);
        },
      }),
    );
  }

  get(service: string): DeployHandle | undefined {
    return this.running.get(service);
  }

  list(): DeployHandle[] {
    return [...this.running.values()];
  }

  cancelAll(): void {
    for (const handle of this.running.values()) handle.cancel();
  }

  /** Returns the unsubscribe function. */
  onDidChange(listener: (event: DeployQueueEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: DeployQueueEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not break the lock.
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Deploy All Stale.

export interface DeployAllOutcome {
  service: string;
  status: Exclude<StepStatus, 'pending' | 'running'>;
  /** The deploy's result when it ran (or was joined), else null. */
  result: DeployResult | null;
  /** One line: the result's message, or why it did not run. */
  reason: string;
}

export interface DeployAllResult {
  /** In plan order. */
  outcomes: DeployAllOutcome[];
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: number;
  /** One line, e.g. "2 verified, 1 failed (prediction-worker: label-unchanged), 1 skipped". */
  summary: string;
}

export interface DeployAllEvent {
  service: string;
  status: StepStatus;
  result: DeployResult | null;
  reason: string;
  /** Steps finished (any way) and in total, for a progress bar. */
  done: number;
  total: number;
}

export interface DeployAllOptions {
  plan: DeployPlan;
  /** Deploys running at once; 1 runs them one after another in plan order. */
  concurrency: number;
  queue: DeployQueue;
  /**
   * Deploys one step, e.g. `(step, signal, report) => runDeploy({ service: step.service, signal, onProgress: report, ... })`.
   * Runs under the queue's lock: a service already deploying is joined, not started twice.
   */
  run: (step: PlannedDeploy, signal: AbortSignal, report: (progress: DeployProgress) => void) => Promise<DeployResult>;
  /** Aborting it is cancel(). */
  signal?: AbortSignal;
  onProgress?: (event: DeployAllEvent) => void;
}

export interface DeployAllHandle {
  result: Promise<DeployAllResult>;
  /** Stops the deploys not yet started; running ones finish and are reported. */
  cancel(): void;
}

export function deployAll(options: DeployAllOptions): DeployAllHandle {
  const { plan, queue } = options;
  const statuses = new Map<string, StepStatus>(plan.steps.map((s) => [s.service.name, 'pending']));
  const outcomes = new Map<string, DeployAllOutcome>();
  const total = plan.steps.length;
  let cancelRequested = false;
  let changed = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    changed = true;
    wake?.();
  };
  const cancel = (): void => {
    cancelRequested = true;
    notify();
  };
  if (options.signal?.aborted) cancelRequested = true;
  else options.signal?.addEventListener('abort', cancel, { once: true });

  const settle = (service: string, status: DeployAllOutcome['status'], result: DeployResult | null, reason: string): void => {
    statuses.set(service, status);
    outcomes.set(service, { service, status, result, reason });
    try {
      options.onProgress?.({ service, status, result, reason, done: outcomes.size, total });
    } catch {
      // Progress display problems must not stop the deploys.
    }
  };

  const launch = (step: PlannedDeploy): void => {
    const name = step.service.name;
    statuses.set(name, 'running');
    try {
      options.onProgress?.({ service: name, status: 'running', result: null, reason: `deploying ${name}`, done: outcomes.size, total });
    } catch {
      // as above
    }
    const { handle } = queue.start(name, (signal, report) => options.run(step, signal, report));
    void handle.result.then((result) => {
      settle(name, result.kind === 'verified' ? 'succeeded' : 'failed', result, logLine(result));
      notify();
    });
  };

  const result = (async (): Promise<DeployAllResult> => {
    for (;;) {
      changed = false;
      if (cancelRequested) {
        for (const step of plan.steps) {
          if (statuses.get(step.service.name) === 'pending') settle(step.service.name, 'cancelled', null, 'cancelled before it started');
        }
      } else {
        const decision = nextDeploys(plan, statuses, options.concurrency);
        for (const { name, blockedBy } of decision.skip) {
          const upstream = outcomes.get(blockedBy);
          const why = upstream?.status === 'failed' && upstream.result ? `${blockedBy} did not deploy (${upstream.result.kind})` : `${blockedBy} was ${upstream?.status ?? 'not deployed'}`;
          settle(name, 'skipped', null, `skipped: ${why}`);
        }
        for (const name of decision.start) launch(plan.steps.find((s) => s.service.name === name)!);
      }
      const running = [...statuses.values()].filter((s) => s === 'running').length;
      const pending = [...statuses.values()].filter((s) => s === 'pending').length;
      if (running === 0 && pending === 0) break;
      if (running === 0 && !changed) {
        // Unreachable with a valid plan (the earliest pending step can always start or be skipped);
        // never hang if it happens.
        for (const step of plan.steps) if (statuses.get(step.service.name) === 'pending') settle(step.service.name, 'skipped', null, 'skipped: its upstream never finished');
        continue;
      }
      if (!changed) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
    options.signal?.removeEventListener('abort', cancel);
    return summarise(plan.steps.map((s) => outcomes.get(s.service.name)!));
  })();

  return { result, cancel };
}

function summarise(outcomes: DeployAllOutcome[]): DeployAllResult {
  const count = (status: DeployAllOutcome['status']): number => outcomes.filter((o) => o.status === status).length;
  const failures = outcomes.filter((o) => o.status === 'failed');
  const parts: string[] = [];
  const succeeded = count('succeeded');
  if (succeeded > 0 || outcomes.length === 0) parts.push(`${succeeded} verified`);
  if (failures.length > 0) parts.push(`${failures.length} failed (${failures.map((o) => `${o.service}: ${o.result?.kind ?? 'error'}`).join(', ')})`);
  if (count('skipped') > 0) parts.push(`${count('skipped')} skipped`);
  if (count('cancelled') > 0) parts.push(`${count('cancelled')} cancelled`);
  return { outcomes, succeeded, failed: failures.length, skipped: count('skipped'), cancelled: count('cancelled'), summary: parts.join(', ') };
}
