// Deploy All Stale: every planned deploy, upstream first (plan.ts), through the queue so a service
// already deploying is joined; cancel stops the deploys not yet started, running ones finish.
import { logLine } from './messages';
import { nextDeploys, type DeployPlan, type PlannedDeploy, type StepStatus } from './plan';
import type { DeployQueue } from './queue';
import type { DeployProgress, DeployResult } from './runner';

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
    return summarize(plan.steps.map((s) => outcomes.get(s.service.name)!));
  })();

  return { result, cancel };
}

function summarize(outcomes: DeployAllOutcome[]): DeployAllResult {
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
