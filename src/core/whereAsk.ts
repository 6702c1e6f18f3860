// `where` from scratch (the CLI): one check while the question's commit is found, then the git facts
// at once, then, for the units the commit is live in, their revision histories (one request each, at
// once), so "live since" names the first revision that contained it rather than the one serving now.
import { setMaxListeners } from 'node:events';
import { checkServices, type CheckDeps, type CheckOptions } from './check';
import type { DriftConfig } from './config';
import type { CheckResult, ServiceVerdict } from './model';
import { labelOf } from './verdict';
import { readWhereFacts, resolveWhereTarget, type WhereQuestion, type WhereTarget } from './whereFacts';
import { whereLive, type PastRevision, type WhereAnswer } from './whereLive';

/** How many past revisions of a live unit are read to find the first that contained the commit. */
export const WHERE_HISTORY_LIMIT = 20;

export interface WhereResult {
  target: WhereTarget;
  /** Null when the line is not committed. */
  answer: WhereAnswer | null;
  result: CheckResult;
}

export async function askWhere(config: DriftConfig, deps: CheckDeps, question: WhereQuestion, options: Pick<CheckOptions, 'expectedLabels' | 'onPhase' | 'signal'> = {}): Promise<WhereResult> {
  const { git, reader } = deps;
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  // Every git call and request of the check listens to it at once.
  setMaxListeners(0, signal);
  // A question that names nothing stops the check at once.
  const target = resolveWhereTarget(git, question, { signal }).catch((err: unknown) => {
    controller.abort();
    throw err;
  });
  const checked = checkServices(config, deps, { ...options, signal });
  checked.catch(() => undefined);
  const found = await target;
  const result = await checked;
  if (found.kind === 'not-committed') return { target: found, answer: null, result };
  const facts = await readWhereFacts(git, found.sha, result.services, result.head, undefined, { signal });
  const answer = whereLive(result.services, facts);
  const live = answer.units.filter((u) => u.state === 'live' && u.kind !== 'job').map((u) => result.services.find((v) => v.name === u.name)!);
  if (live.length === 0 || !reader.listRevisions) return { target: found, answer, result };
  const history = await readHistories(deps, config.commitLabel, live);
  if (history.size === 0) return { target: found, answer, result };
  const withHistory = await readWhereFacts(git, found.sha, result.services, result.head, history, { signal });
  return { target: found, answer: whereLive(result.services, withHistory), result };
}

/** Each unit's last revisions with their local commits; a unit whose history cannot be read is left out (its answer keeps the serving revisions' times). */
async function readHistories({ reader, git }: CheckDeps, commitLabel: string, units: readonly ServiceVerdict[]): Promise<Map<string, PastRevision[]>> {
  const listed = await Promise.all(
    units.map(async (v) => {
      const service = v.kind === 'function' ? v.function?.service : v.name;
      if (!service) return null;
      try {
        return { unit: v.name, revisions: await reader.listRevisions!({ name: service, project: v.project, region: v.region }, WHERE_HISTORY_LIMIT) };
      } catch {
        return null;
      }
    }),
  );
  const labels = listed.flatMap((l) => l?.revisions.flatMap((r) => labelOf(r, commitLabel) ?? []) ?? []);
  const resolved = await git.resolveLabels(labels).catch(() => new Map());
  const history = new Map<string, PastRevision[]>();
  for (const l of listed) {
    if (!l) continue;
    history.set(
      l.unit,
      l.revisions.map((r) => {
        const label = labelOf(r, commitLabel);
        const resolution = label === null ? undefined : resolved.get(label);
        return { revision: r.name, createTime: r.createTime, commit: resolution?.kind === 'found' ? resolution.sha : null };
      }),
    );
  }
  return history;
}
