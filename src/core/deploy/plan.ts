// "Deploy All Stale": which services to deploy, in which order, and when each may start. Pure.
//
// API (no vscode import, no I/O):
//
//   BULK_DEPLOYABLE_STATUSES                    verdicts Deploy All Stale deploys by default
//   planDeployAll(check, config, options?)      → DeployPlan { steps (upstream first), notDeployed (with why) }
//   orderUpstreamFirst(services, within?)       → ServiceConfig[]: dependsOn first, otherwise config order
//   deployWaves(plan)                           → string[][]: the steps grouped by dependency depth (for display)
//   nextDeploys(plan, statuses, concurrency)    → { start, skip }: the scheduler deployAll (runner.ts) runs
//
// Which verdicts a bulk deploy fixes (and why the others are left alone):
//   stale          deploying HEAD is exactly the fix;
//   unlabeled      the serving revision cannot be proven current, and a deploy through the script
//                  labels it, so afterwards it can;
//   deploy-failed  the last rollout failed; deploying HEAD again is what the user would do by hand.
//   diverged       NOT by default: it serves a commit from another branch, often a colleague's
//                  deploy that a bulk action should not silently replace;
//   unknown-commit NOT by default: it serves a commit this clone lacks, possibly newer than HEAD;
//   path-missing   NOT: its configured paths name nothing at HEAD, so whether it drifted is unknown;
//   up-to-date, deploying (a rollout is in progress), not-found (creating a service is not a bulk
//   action) and error (we could not tell) are never deployed in bulk.
// A single-service deploy from the tree has no such filter: the user chose that service.
//
// Order: a service waits for every planned service it depends on, directly or through services
// that are not in the plan (dependsOn is transitive: scrapers → processors → predictors), and
// otherwise keeps the order of cloud-run-drift.json. A failure skips its dependents, not the rest.
import type { DriftConfig, ServiceConfig } from '../config';
import type { CheckResult, ServiceVerdict, VerdictStatus } from '../model';

export const BULK_DEPLOYABLE_STATUSES: ReadonlySet<VerdictStatus> = new Set<VerdictStatus>(['stale', 'unlabeled', 'deploy-failed']);

export interface PlannedDeploy {
  service: ServiceConfig;
  verdict: ServiceVerdict;
  /** Planned services that must have deployed successfully first, in plan order. */
  after: string[];
}

export interface NotDeployed {
  name: string;
  /** The verdict, or null when the check did not include the service. */
  status: VerdictStatus | null;
  reason: string;
}

export interface DeployPlan {
  /** Upstream first; with concurrency 1 they run in exactly this order. */
  steps: PlannedDeploy[];
  /** Every configured service that is not deployed, in config order, with the reason. */
  notDeployed: NotDeployed[];
}

export interface PlanOptions {
  /** Verdicts to deploy; default BULK_DEPLOYABLE_STATUSES. */
  statuses?: ReadonlySet<VerdictStatus>;
}

export function planDeployAll(check: CheckResult, config: DriftConfig, options: PlanOptions = {}): DeployPlan {
  const statuses = options.statuses ?? BULK_DEPLOYABLE_STATUSES;
  const verdicts = new Map(check.services.map((v) => [v.name, v]));
  const chosen: ServiceConfig[] = [];
  const notDeployed: NotDeployed[] = [];
  for (const service of config.services) {
    const verdict = verdicts.get(service.name);
    if (!verdict) notDeployed.push({ name: service.name, status: null, reason: 'not checked yet' });
    else if (statuses.has(verdict.status)) chosen.push(service);
    else notDeployed.push({ name: service.name, status: verdict.status, reason: whyNotDeployed(verdict) });
  }
  const ordered = orderUpstreamFirst(config.services, new Set(chosen.map((s) => s.name)));
  const position = new Map(ordered.map((s, i) => [s.name, i]));
  const steps = ordered.map((service) => ({
    service,
    verdict: verdicts.get(service.name)!,
    after: [...upstreamOf(service.name, config.services)].filter((n) => position.has(n)).sort((a, b) => position.get(a)! - position.get(b)!),
  }));
  return { steps, notDeployed };
}

function whyNotDeployed(verdict: ServiceVerdict): string {
  switch (verdict.status) {
    case 'up-to-date':
      return 'up to date';
    case 'diverged':
      return 'serves a commit that is not in the history of HEAD (deployed from another branch?); deploy it on its own to replace it';
    case 'unknown-commit':
      return 'serves a commit this repository does not have (try git fetch); deploy it on its own to replace it';
    case 'path-missing':
      return 'its paths name nothing at HEAD; fix "paths" in cloud-run-drift.json first';
    case 'deploying':
      return 'a rollout is in progress';
    case 'not-found':
      return 'does not exist in Cloud Run; create it with a deploy of its own';
    case 'error':
      return `could not be checked: ${verdict.message}`;
    default:
      return `${verdict.status} is not deployed in bulk`;
  }
}

/**
 * The services named in `within` (all when omitted), each after every service it depends on
 * (transitively, through services outside `within` too), otherwise in config order. Throws on a
 * dependency cycle, which loadConfig already refuses.
 */
export function orderUpstreamFirst(services: readonly ServiceConfig[], within?: ReadonlySet<string>): ServiceConfig[] {
  const wanted = services.filter((s) => !within || within.has(s.name));
  const waitsFor = new Map(wanted.map((s) => [s.name, [...upstreamOf(s.name, services)].filter((n) => wanted.some((w) => w.name === n))]));
  const placed = new Set<string>();
  const ordered: ServiceConfig[] = [];
  while (ordered.length < wanted.length) {
    // The first service in config order whose upstream is all placed: Kahn's algorithm, kept stable.
    const next = wanted.find((s) => !placed.has(s.name) && waitsFor.get(s.name)!.every((n) => placed.has(n)));
    if (!next) throw new Error(`dependsOn has a cycle among: ${wanted.filter((s) => !placed.has(s.name)).map((s) => s.name).join(', ')}`);
    placed.add(next.name);
    ordered.push(next);
  }
  return ordered;
}

/** Every service `name` depends on, directly or not. */
function upstreamOf(name: string, services: readonly ServiceConfig[]): Set<string> {
  const byName = new Map(services.map((s) => [s.name, s]));
  const found = new Set<string>();
  const pending = [...(byName.get(name)?.dependsOn ?? [])];
  while (pending.length > 0) {
    const dep = pending.pop()!;
    if (found.has(dep) || dep === name) continue;
    found.add(dep);
    pending.push(...(byName.get(dep)?.dependsOn ?? []));
  }
  return found;
}

/** The steps by dependency depth: wave 0 waits for nothing, wave n for something in wave n-1. */
export function deployWaves(plan: DeployPlan): string[][] {
  const depth = new Map<string, number>();
  for (const step of plan.steps) depth.set(step.service.name, Math.max(-1, ...step.after.map((n) => depth.get(n) ?? -1)) + 1);
  const waves: string[][] = [];
  for (const step of plan.steps) (waves[depth.get(step.service.name)!] ??= []).push(step.service.name);
  return waves;
}

export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface ScheduleDecision {
  /** Pending steps to start now, in plan order. */
  start: string[];
  /** Pending steps that can never start, each with the upstream service that did not succeed. */
  skip: { name: string; blockedBy: string }[];
}

/**
 * One scheduling decision: skip what an upstream failure blocks, then start, in plan order, the
 * pending steps whose upstream all succeeded, while fewer than `concurrency` run.
 */
export function nextDeploys(plan: DeployPlan, statuses: ReadonlyMap<string, StepStatus>, concurrency: number): ScheduleDecision {
  if (!(concurrency >= 1)) throw new RangeError(`concurrency must be at least 1, got ${concurrency}`);
  const status = (name: string): StepStatus => statuses.get(name) ?? 'pending';
  const decision: ScheduleDecision = { start: [], skip: [] };
  let running = plan.steps.filter((s) => status(s.service.name) === 'running').length;
  for (const step of plan.steps) {
    const name = step.service.name;
    if (status(name) !== 'pending') continue;
    const blockedBy = rootBlocker(step.after, status);
    if (blockedBy) {
      decision.skip.push({ name, blockedBy });
      continue;
    }
    if (running < Math.floor(concurrency) && step.after.every((n) => status(n) === 'succeeded')) {
      decision.start.push(name);
      running++;
    }
  }
  return decision;
}

/** The upstream step to blame: a failure rather than a step skipped or cancelled because of it. */
function rootBlocker(after: readonly string[], status: (name: string) => StepStatus): string | null {
  for (const wanted of ['failed', 'cancelled', 'skipped'] as const) {
    const found = after.find((n) => status(n) === wanted);
    if (found) return found;
  }
  return null;
}
