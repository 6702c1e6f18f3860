// The revision histories "live since" reads: a live unit's last revisions, each with the local
// commit its label names, so that the answer names the first revision that carried the commit, not
// only the one serving now. `where` (ask.ts) reads them beside its check and keeps them between
// runs (historyStore.ts); the editor (answers.ts) reads them when it is asked, once per check held.
import type { CloudRunReader } from '../google/cloudrun';
import type { ServiceConfig } from '../config';
import type { GitRepository, LabelResolution } from '../git/repository';
import type { ServiceVerdict } from '../model';
import { keptHistory, type KeptHistory } from './historyStore';
import type { PastRevision } from './live';

/** How many past revisions of a live unit are read to find the first that contained the commit. */
export const WHERE_HISTORY_LIMIT = 20;

/** A unit whose history is read, and the Cloud Run service whose revisions it is. */
export interface HistoryUnit {
  unit: Pick<ServiceConfig, 'name' | 'project' | 'region'>;
  service: string;
}

/** The Cloud Run service whose revisions serve a unit (a function's, once read); undefined for a job or a function not read. */
export function serviceOf(v: ServiceVerdict | undefined): string | undefined {
  if (!v || v.kind === 'job') return undefined;
  return v.kind === 'function' ? (v.function?.service ?? undefined) : v.name;
}

/** Each unit's last revisions, by unit name; a unit whose history cannot be read is left out (its answer keeps the serving revisions' times). */
export async function listHistories(reader: Pick<CloudRunReader, 'listRevisions'>, commitLabel: string, units: readonly HistoryUnit[]): Promise<Map<string, KeptHistory>> {
  if (!reader.listRevisions || units.length === 0) return new Map();
  const listed = await Promise.all(
    units.map(async ({ unit, service }) => {
      try {
        const revisions = await reader.listRevisions!({ name: service, project: unit.project, region: unit.region }, WHERE_HISTORY_LIMIT);
        return [unit.name, keptHistory(service, revisions, commitLabel)] as const;
      } catch {
        return null;
      }
    }),
  );
  return new Map(listed.filter((l) => l !== null));
}

/** The revisions with their local commits: labels the check resolved (what serves) taken from its verdicts, the others resolved with one git process. */
export async function withCommits(git: Pick<GitRepository, 'resolveLabels'>, histories: ReadonlyMap<string, KeptHistory>, verdicts: readonly ServiceVerdict[]): Promise<Map<string, PastRevision[]>> {
  const known = new Map(verdicts.flatMap((v) => v.serving.flatMap((s) => (s.commitLabel !== null && s.commit !== null ? [[s.commitLabel, s.commit] as const] : []))));
  const labels = [...histories.values()].flatMap(({ revisions }) => revisions.flatMap((r) => r.label ?? []));
  const unknown = labels.filter((label) => !known.has(label));
  const resolved: ReadonlyMap<string, LabelResolution> = unknown.length > 0 ? await git.resolveLabels(unknown).catch(() => new Map()) : new Map();
  const commitOf = (label: string | null): string | null => {
    if (label === null) return null;
    const resolution = resolved.get(label);
    return known.get(label) ?? (resolution?.kind === 'found' ? resolution.sha : null);
  };
  return new Map([...histories].map(([unit, { revisions }]) => [unit, revisions.map((r) => ({ revision: r.name, createTime: r.createTime, commit: commitOf(r.label) }))]));
}
