// `where` from scratch (the CLI): the check, and at the same moment the question's commit with the
// files it changed (one git process) and whether HEAD (read once, for both) contains it; as soon as
// its files are known, the revision histories of the units it touches (one request each, at once,
// while the check's own requests are out), so that "live since" names the first revision that
// contained it without a round trip after the check. A touched unit that turns out not to serve the
// commit had its history read for nothing: a request answered while the check waits for its own.
// Then the rest of the git facts, histories included: usually decided by the ranges the check read,
// with no git process.
import { setMaxListeners } from 'node:events';
import { checkServices, type CheckDeps, type CheckOptions } from './check';
import type { DriftConfig, ServiceConfig } from './config';
import { likelyServiceName } from './functions';
import type { CheckResult, ServiceVerdict } from './model';
import { labelOf } from './verdict';
import { readWhereFacts, resolveWhereTarget, type HeadContains, type WhereQuestion, type WhereTarget } from './whereFacts';
import { touchesUnit, whereLive, type PastRevision, type WhereAnswer } from './whereLive';

/** How many past revisions of a live unit are read to find the first that contained the commit. */
export const WHERE_HISTORY_LIMIT = 20;

export interface WhereResult {
  target: WhereTarget;
  /** Null when the line is not committed. */
  answer: WhereAnswer | null;
  result: CheckResult;
}

/** One unit's revision history, and the Cloud Run service it was read from. */
interface UnitHistory {
  service: string;
  revisions: PastRevision[];
}

export async function askWhere(config: DriftConfig, deps: CheckDeps, question: WhereQuestion, options: Pick<CheckOptions, 'expectedLabels' | 'onPhase' | 'signal'> = {}): Promise<WhereResult> {
  const { git } = deps;
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  // Every git call and request of the check listens to it at once.
  setMaxListeners(0, signal);
  // A question that names nothing stops the check at once.
  const target = resolveWhereTarget(git, question, { signal }).catch((err: unknown) => {
    controller.abort();
    throw err;
  });
  // HEAD once, for the check and for whether it contains the commit.
  const head = git.head({ signal });
  head.catch(() => undefined);
  const checked = checkServices(config, deps, { ...options, signal, head });
  checked.catch(() => undefined);
  const found = await target;
  if (found.kind === 'not-committed') return { target: found, answer: null, result: await checked };
  const changed = found.changes ? Promise.resolve(found.changes) : git.commitWithFiles(found.sha, { signal });
  // Whether HEAD contains it, asked now too: the facts after the check then seldom need git at all.
  const inHead = head.then(async (sha): Promise<HeadContains> => ({ head: sha, contains: (await git.tipsContaining(found.sha, [sha], { signal })).get(sha) === true }));
  inHead.catch(() => undefined);
  // A function's service is known once the check has read the function: its history is asked under the name it most likely has.
  const histories = changed.then(({ files }) => readHistories(deps, config.commitLabel, config.services.filter((unit) => unit.kind !== 'job' && touchesUnit(unit, files)).map((unit) => ({ unit, service: unit.kind === 'function' ? likelyServiceName(unit.name) : unit.name }))));
  histories.catch(() => undefined);
  const result = await checked;
  const read = await histories;
  // A history read under a name that is not the unit's service is no history of it.
  const history = new Map([...read].flatMap(([unit, h]) => (h.service === serviceOf(result.services.find((v) => v.name === unit)) ? [[unit, h.revisions] as const] : [])));
  const known = { signal, changed, ...(await inHead.then((read) => ({ inHead: read }), () => ({}))) };
  const facts = await readWhereFacts(git, found.sha, result.services, result.head, history, known);
  const answer = whereLive(result.services, facts);
  // A function live on a service other than the one its name suggests: that service's history, read now.
  const missed = answer.units.flatMap((u) => {
    const verdict = result.services.find((v) => v.name === u.name)!;
    const service = serviceOf(verdict);
    return u.state === 'live' && u.kind === 'function' && service && !history.has(u.name) ? [{ unit: verdict, service }] : [];
  });
  if (missed.length === 0) return { target: found, answer, result };
  const more = await readHistories(deps, config.commitLabel, missed);
  if (more.size === 0) return { target: found, answer, result };
  for (const [unit, h] of more) history.set(unit, h.revisions);
  const withMore = await readWhereFacts(git, found.sha, result.services, result.head, history, known);
  return { target: found, answer: whereLive(result.services, withMore), result };
}

/** The Cloud Run service whose revisions serve a unit (a function's, once read); undefined for a job or a function not read. */
function serviceOf(v: ServiceVerdict | undefined): string | undefined {
  if (!v || v.kind === 'job') return undefined;
  return v.kind === 'function' ? (v.function?.service ?? undefined) : v.name;
}

/** Each unit's last revisions with their local commits; a unit whose history cannot be read is left out (its answer keeps the serving revisions' times). */
async function readHistories({ reader, git }: CheckDeps, commitLabel: string, units: readonly { unit: Pick<ServiceConfig, 'name' | 'project' | 'region'>; service: string }[]): Promise<Map<string, UnitHistory>> {
  if (!reader.listRevisions || units.length === 0) return new Map();
  const listed = await Promise.all(
    units.map(async ({ unit, service }) => {
      try {
        return { unit: unit.name, service, revisions: await reader.listRevisions!({ name: service, project: unit.project, region: unit.region }, WHERE_HISTORY_LIMIT) };
      } catch {
        return null;
      }
    }),
  );
  const labels = listed.flatMap((l) => l?.revisions.flatMap((r) => labelOf(r, commitLabel) ?? []) ?? []);
  const resolved = await git.resolveLabels(labels).catch(() => new Map());
  const history = new Map<string, UnitHistory>();
  for (const l of listed) {
    if (!l) continue;
    history.set(l.unit, {
      service: l.service,
      revisions: l.revisions.map((r) => {
        const label = labelOf(r, commitLabel);
        const resolution = label === null ? undefined : resolved.get(label);
        return { revision: r.name, createTime: r.createTime, commit: resolution?.kind === 'found' ? resolution.sha : null };
      }),
    });
  }
  return history;
}
