// Routing a service's traffic with proof, as a deploy is proven: after Cloud Run accepts the change,
// poll until the change is rolled out (the service not reconciling, its observed generation the
// change's) and the expected revisions serve exactly their shares; else a specific failure. A
// rollback whose proof fails sets the traffic back to what it was, so nothing is left half-done.
//
// API (no vscode import):
//
//   rollBack(options)      → RollbackOutcome: all traffic to options.revision, proven
//   undoRollback(options)  → RollbackOutcome: the traffic as it was before (TrafficUpdate.previous), proven
//   proveTraffic(options)  → TrafficProof: the polling alone
import type { CloudRunReader, ServiceRef } from '../google/cloudrun';
import { describeApiError } from '../google/apiErrors';
import { formatSeconds } from '../platform/deadline';
import type { ServingRevision } from '../model';
import { describeServing, describeTraffic, servesExactly, type TrafficState, type TrafficUpdate } from '../verdicts/traffic';
import { MIN_LOOKUP_MS, MIN_POLL_MS, sleep } from '../deploy/verify';

export type TrafficProof =
  | { kind: 'verified'; message: string }
  /** Cloud Run rolled the change out and says why it does not serve (e.g. the revision failed to start). */
  | { kind: 'revision-failed'; message: string }
  /** The change rolled out but other revisions serve (or it did not roll out within the timeout). */
  | { kind: 'traffic-not-moved'; serving: ServingRevision[]; message: string }
  | { kind: 'timeout'; message: string }
  | { kind: 'error'; message: string };

export type RollbackOutcome =
  | TrafficProof
  /** Cloud Run refused the change (e.g. permission denied, the service changed meanwhile): nothing changed. */
  | { kind: 'update-failed'; message: string }
  /** Canceled while proving: Cloud Run accepted the change, which stands unproven (the result keeps it to undo). */
  | { kind: 'canceled'; message: string };

export interface RollbackResult {
  outcome: RollbackOutcome;
  /** The change Cloud Run accepted (what Undo sets back), or null when none was made or it was set back already. */
  update: TrafficUpdate | null;
}

export interface ProofTiming {
  timeoutMs: number;
  /** Between reads (default 2 s, never less than MIN_POLL_MS). */
  pollMs?: number;
  /** A rolled-out change whose wrong routing stays the same this long is reported before the timeout (default 5 s). */
  settleMs?: number;
  signal?: AbortSignal;
  onProgress?: (text: string) => void;
  /** Injected for tests; defaults to real time. */
  now?: () => number;
  /** Injected for tests; defaults to a timer. */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface ProveOptions extends ProofTiming {
  service: ServiceRef;
  reader: CloudRunReader;
  /** What must serve, revision and percent. */
  expected: ServingRevision[];
  /** The generation the change made (TrafficUpdate.generation). */
  generation: number;
  /** A revision whose Ready condition is read along (the rollback's target): its failure is reported as such. */
  revision?: string;
}

const DEFAULT_SETTLE_MS = 5_000;

export async function proveTraffic(options: ProveOptions): Promise<TrafficProof> {
  const now = options.now ?? Date.now;
  const wait = options.wait ?? sleep;
  const pollMs = Math.max(MIN_POLL_MS, options.pollMs ?? 2_000);
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  const deadline = now() + options.timeoutMs;
  const name = options.service.name;
  const wanted = describeServing(options.expected);
  let last: { fingerprint: string; since: number } | null = null;
  for (;;) {
    options.signal?.throwIfAborted();
    let observation: TrafficProof | { kind: 'pending'; message: string };
    try {
      const state = await options.reader.readTraffic!(options.service, {
        timeoutMs: Math.max(MIN_LOOKUP_MS, deadline - now()),
        ...(options.revision !== undefined ? { revision: options.revision } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      observation = observe(state, options, name, wanted);
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      observation = { kind: 'error', message: describeApiError(err).message };
    }
    if (observation.kind === 'verified' || observation.kind === 'revision-failed') return observation;
    options.onProgress?.(observation.message);
    if (observation.kind === 'traffic-not-moved') {
      const fingerprint = JSON.stringify(observation.serving);
      if (!last || last.fingerprint !== fingerprint) last = { fingerprint, since: now() };
      if (now() - last.since >= settleMs) return observation;
    } else {
      last = null;
    }
    if (now() >= deadline) {
      if (observation.kind === 'traffic-not-moved') return observation;
      return { kind: observation.kind === 'error' ? 'error' : 'timeout', message: `Timed out after ${formatSeconds(options.timeoutMs)}: ${observation.message}` };
    }
    await wait(Math.min(pollMs, Math.max(0, deadline - now())), options.signal);
  }
}

function observe(state: TrafficState, options: ProveOptions, name: string, wanted: string): TrafficProof | { kind: 'pending'; message: string } {
  const rolledOut = !state.reconciling && state.observedGeneration >= options.generation;
  if (rolledOut && servesExactly(state.serving, options.expected)) {
    return { kind: 'verified', message: `${name} serves ${wanted} (traffic rolled out, generation ${state.generation}).` };
  }
  if (options.revision !== undefined && state.revision !== undefined) {
    if (state.revision === null) return { kind: 'revision-failed', message: `${options.revision} no longer exists in ${name}.` };
    if (state.revision.failed) return { kind: 'revision-failed', message: `${options.revision} is not ready and cannot serve traffic: ${state.revision.readyMessage ?? 'its Ready condition failed'}` };
  }
  if (!rolledOut) return { kind: 'pending', message: `${name} is still routing traffic (serving ${describeServing(state.serving)}).` };
  if (state.failure) return { kind: 'revision-failed', message: `${name} did not route traffic as asked: ${state.failure}` };
  return {
    kind: 'traffic-not-moved',
    serving: state.serving,
    message: `${name} serves ${describeServing(state.serving)}, not ${wanted}.`,
  };
}

export interface RollbackOptions extends ProofTiming {
  service: ServiceRef;
  reader: CloudRunReader;
  /** The revision that is to serve all traffic. */
  revision: string;
}

/**
 * Routes all traffic to the revision and proves it. When the proof fails after Cloud Run accepted
 * the change, the traffic is set back to what it was (and that proven too); the outcome's message
 * says whether that worked. Canceling (the signal) once Cloud Run accepted the change leaves it as
 * Cloud Run has it, and says so: a `canceled` outcome with the change to undo.
 */
export async function rollBack(options: RollbackOptions): Promise<RollbackResult> {
  const { reader, service } = options;
  let update: TrafficUpdate;
  try {
    update = await reader.routeAllTraffic!(service, options.revision, { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason;
    return { outcome: { kind: 'update-failed', message: `Cloud Run refused to route ${service.name}'s traffic to ${options.revision}: ${describeApiError(err).message}` }, update: null };
  }
  options.onProgress?.(`Routing all of ${service.name}'s traffic to ${options.revision}…`);
  const proof = await unlessCanceled(
    () => proveTraffic({ ...options, expected: [{ revision: options.revision, percent: 100, tag: null }], generation: update.generation, revision: options.revision }),
    options.signal,
    `Stopped waiting: Cloud Run accepted routing all of ${service.name}'s traffic to ${options.revision} (generation ${update.generation}); whether it serves was not proven. Before, the traffic was: ${describeTraffic(update.previous)}.`,
  );
  if (proof.kind === 'canceled') return { outcome: proof, update };
  if (proof.kind === 'verified') return { outcome: proof, update };
  options.onProgress?.(`Setting ${service.name}'s traffic back to ${describeTraffic(update.previous)}…`);
  const { revision: _target, ...timing } = options;
  const back = await undoRollback({ ...timing, update });
  if (back.outcome.kind === 'verified') {
    return { outcome: { ...proof, message: `${proof.message} Traffic was set back to what served before (${describeServing(update.previousServing)}).` }, update: null };
  }
  return {
    outcome: { ...proof, message: `${proof.message} Setting the traffic back to what served before also failed: ${back.outcome.message} Check ${service.name}'s traffic in the Cloud Console.` },
    update,
  };
}

export interface UndoOptions extends ProofTiming {
  service: ServiceRef;
  reader: CloudRunReader;
  /** The change to undo (what rollBack returned). */
  update: TrafficUpdate;
}

/** Sets the traffic back to exactly what was configured before the change (percents and tags), and proves it serves as before. */
export async function undoRollback(options: UndoOptions): Promise<RollbackResult> {
  const { reader, service, update } = options;
  let undo: TrafficUpdate;
  try {
    undo = await reader.routeTraffic!(service, update.previous, { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason;
    return { outcome: { kind: 'update-failed', message: `Cloud Run refused to set ${service.name}'s traffic back: ${describeApiError(err).message}` }, update };
  }
  const proof = await unlessCanceled(
    () => proveTraffic({ ...options, expected: update.previousServing, generation: undo.generation }),
    options.signal,
    `Stopped waiting: Cloud Run accepted setting ${service.name}'s traffic back to ${describeTraffic(update.previous)} (generation ${undo.generation}); whether it serves as before was not proven.`,
  );
  return { outcome: proof, update: proof.kind === 'verified' ? null : update };
}

/** The proof, or a `canceled` outcome saying `message` when the signal ends it (the change Cloud Run accepted stands). */
async function unlessCanceled(prove: () => Promise<TrafficProof>, signal: AbortSignal | undefined, message: string): Promise<TrafficProof | { kind: 'canceled'; message: string }> {
  try {
    return await prove();
  } catch (err) {
    if (signal?.aborted) return { kind: 'canceled', message };
    throw err;
  }
}
