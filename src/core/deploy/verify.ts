// Proof that a deploy went live: poll until the revisions serving all traffic carry the commit.
// A function's are its Cloud Run service's, once the function itself has settled (not DEPLOYING,
// not failed). A Cloud Run job has no traffic: its template must carry the commit and the job be
// ready (verifyJob.ts).
import type { CloudRunReader } from '../google/cloudrun';
import type { ServiceConfig } from '../config';
import type { GitRepository } from '../git/repository';
import { formatSeconds } from '../platform/deadline';
import { functionDeployState } from '../verdicts/functionVerdict';
import type { JobLookup, ServiceFacts, ServiceLookup } from '../model';
import { ownValue } from '../platform/own';
import { labelOf, short } from '../verdicts/verdict';
import { observeJob } from './verifyJob';

export type VerifyOutcome =
  | { kind: 'verified'; revision: string; message: string }
  | { kind: 'revision-failed'; revision: string; message: string }
  /** A function's deploy failed before any revision (e.g. in its build); a Cloud Run job's deploy failed. */
  | { kind: 'deploy-failed'; message: string }
  | { kind: 'traffic-not-moved'; revision: string; percent: number; message: string }
  | { kind: 'label-unchanged'; servedCommit: string | null; message: string }
  | { kind: 'timeout'; message: string }
  | { kind: 'error'; message: string };

export interface VerifyOptions {
  service: ServiceConfig;
  commitLabel: string;
  /** Full SHA that must be live. */
  expectedCommit: string;
  reader: CloudRunReader;
  git: GitRepository;
  timeoutMs: number;
  /** Between lookups (default 2 s, never less than MIN_POLL_MS). */
  pollMs?: number;
  /**
   * When set, a settled service (not rolling out) that keeps showing the same wrong state for this
   * long is reported at once instead of waiting for the timeout: the extension uses it right after a
   * deploy script exited, when nothing else is coming.
   */
  settleMs?: number;
  signal?: AbortSignal;
  /**
   * Set by the deploy runner, which just ran the deploy script: a revision still carrying another
   * commit is then reported as "The deploy script exited 0 but …". Without it (`cloud-run-drift
   * verify`, which runs nothing) the message only says what is served.
   */
  afterDeployScript?: boolean;
  onProgress?: (text: string) => void;
  /** Injected for tests; defaults to real time. */
  now?: () => number;
}

interface Observation {
  state: 'verified' | 'pending' | 'revision-failed' | 'deploy-failed' | 'traffic-not-moved' | 'label-unchanged' | 'error';
  outcome: VerifyOutcome;
  /** Identifies the observed state so "unchanged for settleMs" can be measured. */
  fingerprint: string;
}

/** The shortest wait between lookups: a verify must not spend the Admin API's read quota in a loop. */
export const MIN_POLL_MS = 200;

/**
 * The least time the last lookup gets: a verify whose timeout has (nearly) run out still looks
 * once more, and so ends at most this long after its timeout.
 */
export const MIN_LOOKUP_MS = 1_000;

export async function verifyDeployment(options: VerifyOptions): Promise<VerifyOutcome> {
  const now = options.now ?? Date.now;
  const pollMs = Math.max(MIN_POLL_MS, options.pollMs ?? 2000);
  const deadline = now() + options.timeoutMs;
  let last: Observation | null = null;
  let sameSince = now();
  for (;;) {
    options.signal?.throwIfAborted();
    // Each lookup ends by the verify's own deadline: a silent API cannot hold it past its timeout.
    const timeoutMs = Math.max(MIN_LOOKUP_MS, deadline - now());
    const observation = await observeUnit(options, timeoutMs);
    if (observation.state === 'verified' || observation.state === 'revision-failed' || observation.state === 'deploy-failed') return observation.outcome;
    if (!last || last.fingerprint !== observation.fingerprint) sameSince = now();
    last = observation;
    options.onProgress?.(observation.outcome.message);
    const settled = observation.state === 'traffic-not-moved' || observation.state === 'label-unchanged';
    if (settled && options.settleMs !== undefined && now() - sameSince >= options.settleMs) return observation.outcome;
    if (now() >= deadline) {
      if (observation.state === 'pending' || observation.state === 'error') {
        return { kind: observation.state === 'error' ? 'error' : 'timeout', message: `Timed out after ${formatSeconds(options.timeoutMs)}: ${observation.outcome.message}` };
      }
      return observation.outcome;
    }
    await sleep(Math.min(pollMs, Math.max(0, deadline - now())), options.signal);
  }
}

/** One look at the unit: a service directly; a function through its own state first, then its service's; a job's template. */
async function observeUnit(options: VerifyOptions, timeoutMs: number): Promise<Observation> {
  const lookupOptions = { timeoutMs, ...(options.signal ? { signal: options.signal } : {}) };
  if (options.service.kind === 'job') {
    const lookup: JobLookup = options.reader.lookupJob
      ? await options.reader.lookupJob(options.service, { ...lookupOptions, executions: 0 })
      : { kind: 'error', message: `${options.service.name} is a Cloud Run job, which this reader cannot read`, code: null };
    options.signal?.throwIfAborted();
    const jobOptions = { name: options.service.name, commitLabel: options.commitLabel, expectedCommit: options.expectedCommit, git: options.git };
    return observeJob(lookup, options.afterDeployScript ? { ...jobOptions, afterDeployScript: true } : jobOptions);
  }
  if (options.service.kind !== 'function' || !options.reader.lookupFunction) {
    const lookup = await options.reader.lookupService(options.service, lookupOptions);
    options.signal?.throwIfAborted();
    return observe(lookup, options);
  }
  const lookup = await options.reader.lookupFunction(options.service, lookupOptions);
  options.signal?.throwIfAborted();
  const state = functionDeployState(lookup, options.commitLabel);
  if (state.kind === 'deploying') return { state: 'pending', fingerprint: 'function:deploying', outcome: { kind: 'timeout', message: state.message } };
  if (state.kind === 'failed') return { state: 'deploy-failed', fingerprint: `function:failed:${state.message}`, outcome: { kind: 'deploy-failed', message: state.message } };
  const observation = await observe(state.lookup, options);
  if (observation.outcome.kind === 'verified' && state.lent) {
    observation.outcome.message += ` The commit is the function's own label: its revision carries none (a weaker signal).`;
  }
  return observation;
}

async function observe(lookup: ServiceLookup, options: VerifyOptions): Promise<Observation> {
  const name = options.service.name;
  const expected = options.expectedCommit;
  if (lookup.kind !== 'found') {
    const outcome: VerifyOutcome = { kind: 'error', message: lookup.message };
    return { state: 'error', outcome, fingerprint: `error:${lookup.message}` };
  }
  const facts = lookup.facts;
  const carries = await commitCarriers(facts, options);
  const servingExpected = facts.serving.filter((s) => carries.get(s.revision) === true);
  const servedPercent = servingExpected.reduce((sum, s) => sum + s.percent, 0);
  const totalPercent = facts.serving.reduce((sum, s) => sum + s.percent, 0);
  const fingerprint = JSON.stringify([facts.reconciling, facts.latestCreatedRevision, facts.serving]);

  if (!facts.reconciling && servingExpected.length > 0 && servedPercent >= totalPercent && totalPercent > 0) {
    const revision = servingExpected[0]!.revision;
    return { state: 'verified', fingerprint, outcome: { kind: 'verified', revision, message: `${name} serves ${short(expected)} from ${revision} (100% of traffic).` } };
  }
  const latest = facts.latestCreatedRevision ? ownValue(facts.revisions, facts.latestCreatedRevision) : undefined;
  if (latest?.failed && carries.get(latest.name) === true) {
    return {
      state: 'revision-failed',
      fingerprint,
      outcome: { kind: 'revision-failed', revision: latest.name, message: `The new revision ${latest.name} of ${name} failed: ${latest.readyMessage ?? 'not ready'}` },
    };
  }
  if (facts.reconciling || (latest && !latest.ready && !latest.failed)) {
    return { state: 'pending', fingerprint, outcome: { kind: 'timeout', message: `${name} is still rolling out${latest ? ` ${latest.name}` : ''}.` } };
  }
  if (latest?.ready && carries.get(latest.name) === true) {
    const percent = facts.serving.find((s) => s.revision === latest.name)?.percent ?? 0;
    return {
      state: 'traffic-not-moved',
      fingerprint,
      outcome: { kind: 'traffic-not-moved', revision: latest.name, percent, message: `${latest.name} carries ${short(expected)} and is ready, but serves ${percent}% of ${name}'s traffic.` },
    };
  }
  const top = facts.serving[0];
  const servedLabel = top ? labelOf(ownValue(facts.revisions, top.revision), options.commitLabel) : null;
  const served = servedLabel ? short(servedLabel) : 'an unlabeled revision';
  return {
    state: 'label-unchanged',
    fingerprint,
    outcome: {
      kind: 'label-unchanged',
      servedCommit: servedLabel,
      message: `${options.afterDeployScript ? `The deploy script exited 0 but ${name}` : name} still serves ${served} (expected ${short(expected)})${top ? ` from ${top.revision}` : ''}.`,
    },
  };
}

/** Which of the observed revisions carry the expected commit, by resolving their labels locally. */
async function commitCarriers(facts: ServiceFacts, options: VerifyOptions): Promise<Map<string, boolean>> {
  const labelled = Object.values(facts.revisions).map((r) => [r.name, labelOf(r, options.commitLabel)] as const);
  const labels = labelled.flatMap(([, label]) => (label ? [label] : []));
  const resolved = await options.git.resolveLabels(labels);
  return new Map(
    labelled.map(([revision, label]) => {
      const resolution = label ? resolved.get(label) : undefined;
      return [revision, resolution?.kind === 'found' && resolution.sha === options.expectedCommit];
    }),
  );
}

/** Waits `ms`; rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
