// Gathers a RollbackPlan: the service's traffic and the target revision from Cloud Run (read now),
// the serving revisions' commit labels, and from git the commits between the target's commit and
// each serving one that touch the service's paths.
import { CloudRunError } from '../google/apiErrors';
import type { CloudRunReader } from '../google/cloudrun';
import type { ServiceConfig } from '../config';
import type { GitRepository } from '../git/repository';
import type { RevisionFacts } from '../model';
import { prepareCommitsTouching } from '../git/rangeWalk';
import { ownValue } from '../platform/own';
import { slicePause } from '../platform/slices';
import { servesExactly } from '../verdicts/traffic';
import { labelOf } from '../verdicts/verdict';
import { stoppingCommits, type RevisionCommit, type RollbackPlan } from './plan';

/** Why a unit cannot be rolled back by routing traffic, or null for a Cloud Run service. */
export function rollbackRefusal(unit: Pick<ServiceConfig, 'name' | 'kind'>): string | null {
  if (unit.kind === 'job') return `${unit.name} is a Cloud Run job: a job has no traffic to route. Deploy the older commit instead.`;
  if (unit.kind === 'function') {
    return (
      `${unit.name} is a Cloud Run function: its traffic follows its own deploys (the Cloud Functions API keeps naming its newest revision, ` +
      `and the next deploy routes all traffic to a new one). Deploy the older commit instead.`
    );
  }
  return null;
}

export interface PrepareRollbackOptions {
  service: ServiceConfig;
  /** The revision's short name. */
  revision: string;
  commitLabel: string;
  reader: CloudRunReader;
  git: GitRepository;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Throws CloudRunError when Cloud Run cannot be read, and Error for a unit that is not a service;
 * rejects with the signal's reason once it is aborted.
 */
export async function prepareRollback(options: PrepareRollbackOptions): Promise<RollbackPlan> {
  const { service, reader, git } = options;
  const refusal = rollbackRefusal(service);
  if (refusal) throw new Error(refusal);
  if (!reader.readTraffic || !reader.routeAllTraffic) throw new CloudRunError('this Cloud Run reader cannot change traffic', null);
  const readOptions = { ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  const [traffic, lookup] = await Promise.all([reader.readTraffic(service, { ...readOptions, revision: options.revision }), reader.lookupService(service, readOptions)]);
  const target = traffic.revision ?? null;
  // The serving revisions' labels: lookupService reads every serving revision.
  const revisions: Record<string, RevisionFacts> = lookup.kind === 'found' ? { ...lookup.facts.revisions } : {};
  if (target) revisions[target.name] = target;
  const labels = [...new Set([options.revision, ...traffic.serving.map((s) => s.revision)].flatMap((name) => labelOf(ownValue(revisions, name), options.commitLabel) ?? []))];
  const resolved = await git.resolveLabels(labels, { signal: options.signal });
  const commitOf = (name: string): { commitLabel: string | null; commit: string | null } => {
    const label = labelOf(ownValue(revisions, name), options.commitLabel);
    const resolution = label === null ? undefined : resolved.get(label);
    return { commitLabel: label, commit: resolution?.kind === 'found' ? resolution.sha : null };
  };
  const targetCommit = commitOf(options.revision);
  const serving = traffic.serving.map((s) => ({ revision: s.revision, percent: s.percent, ...commitOf(s.revision) }));
  const shas = [...new Set([targetCommit.commit, ...serving.map((s) => s.commit)].filter((sha): sha is string => sha !== null))];
  const subjects = await git.describeCommits(shas, { signal: options.signal });
  const withSubject = <T extends { revision: string; commit: string | null; commitLabel: string | null }>(r: T): T & RevisionCommit => ({
    ...r,
    subject: r.commit ? subjects.get(r.commit)?.subject ?? null : null,
  });

  const unknown: string[] = [];
  let stopping: RollbackPlan['stopping'] = null;
  let diverged = false;
  if (!targetCommit.commit) {
    unknown.push(`${options.revision} ${targetCommit.commitLabel === null ? `has no ${options.commitLabel} label` : `is labeled ${options.commitLabel}=${JSON.stringify(targetCommit.commitLabel)}, which is not a commit in this repository`}, so what it lacks cannot be told.`);
  } else {
    const others = serving.filter((s) => s.percent > 0 && s.revision !== options.revision);
    const known = others.filter((s) => s.commit !== null);
    for (const s of others) if (!s.commit) unknown.push(`${s.revision} (${s.percent}%) ${s.commitLabel === null ? `has no ${options.commitLabel} label` : `names a commit not in this repository`}: its commits cannot be listed.`);
    const ranges = await Promise.all(known.map((s) => git.range(targetCommit.commit!, s.commit!, { signal: options.signal, paths: service.paths })));
    diverged = ranges.some((r) => !r.isAncestor);
    // Thousands of commits (a revision deployed long ago) are found in slices, as a check finds them.
    const pause = slicePause(options.signal);
    for (const range of ranges) await prepareCommitsTouching(range, service.paths, pause);
    stopping = stoppingCommits(ranges, service.paths);
  }

  const blocked = !target
    ? `${options.revision} is not a revision of ${service.name} in ${service.project}/${service.region}.`
    : target.failed
      ? `${options.revision} is not ready and cannot serve traffic: ${target.readyMessage ?? 'its Ready condition failed'}.`
      : !target.ready
        ? `${options.revision} is not ready yet, so it cannot serve traffic.`
        : null;
  return {
    service: service.name,
    target: withSubject({ revision: options.revision, ...targetCommit }),
    serving: serving.map(withSubject),
    traffic: traffic.traffic,
    stopping,
    unknown,
    diverged,
    blocked,
    alreadyServing: servesExactly(traffic.serving, [{ revision: options.revision, percent: 100, tag: null }]),
  };
}
