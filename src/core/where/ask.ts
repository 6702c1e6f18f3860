// `where` from scratch (the CLI): the check (HEAD read once, for it and for the question) and, at
// the same moment, the question's commit with the files it changed (one git process); as soon as its
// files are known, the revision histories of the units it touches (one request each, at once, while
// the check's own requests are out), so that "live since" names the first revision that contained
// it without a round trip after the check. A touched unit that turns out not to serve the commit had
// its history read for nothing: a request answered while the check waits for its own. A history
// kept from an earlier answer (historyStore.ts) is not asked for beside the check: it is used if the
// check proves it current. A service deployed since names another latest revision as soon as the
// check has read it (a function's: the service it runs on): its history is read again then, beside
// the check's reads of the new revision (no round trip after the check); one the check shows stale
// only later (a service created again under the same revision names) is read after the check,
// beside git's work.
// Every history read is kept. One git question is asked beside the check for every commit, while
// the check waits for Cloud Run: whether HEAD contains it, which the check's ranges cannot tell of
// a commit older than what is deployed (a `merge-base`: one line of output). No other git work is
// spent on speculation (on this machine each git process costs the CLI ~13 ms of its main thread):
// after the check, the facts come from the ranges it read, and only the live units' history
// labels that no verdict resolved are resolved.
import { setMaxListeners } from 'node:events';
import { checkServices, type CheckOptions, type CheckSources } from '../check';
import { apiOriginOf } from '../google/runClients';
import type { DriftConfig, ServiceConfig } from '../config';
import { likelyServiceName } from '../google/functions';
import { listHistories, serviceOf, withCommits } from './histories';
import { currentHistory, historyKey, type KeptHistory, type RevisionHistoryStore } from './historyStore';
import type { CheckResult, ServiceVerdict } from '../model';
import { readWhereFacts, resolveWhereTarget, type HeadContains, type WhereQuestion, type WhereTarget } from './facts';
import { touchesUnit, whereLive, type WhereAnswer } from './live';

export interface WhereResult {
  target: WhereTarget;
  /** Null when the line is not committed. */
  answer: WhereAnswer | null;
  result: CheckResult;
}

export interface WhereOptions extends Pick<CheckOptions, 'expectedLabels' | 'onPhase' | 'signal'> {
  /** Revision histories kept from earlier answers: one proved current is used instead of a request; every one read is kept in it. */
  histories?: RevisionHistoryStore;
}

export async function askWhere(config: DriftConfig, deps: CheckSources, question: WhereQuestion, whereOptions: WhereOptions = {}): Promise<WhereResult> {
  // What is still being asked of git or Cloud Run once the answer is given (or the question failed) is stopped.
  const controller = new AbortController();
  try {
    return await answerWhere(config, deps, question, whereOptions, controller);
  } finally {
    controller.abort();
  }
}

async function answerWhere(config: DriftConfig, deps: CheckSources, question: WhereQuestion, whereOptions: WhereOptions, controller: AbortController): Promise<WhereResult> {
  const { histories: kept, ...options } = whereOptions;
  // The repository may still be opening (the CLI's): the check reads Cloud Run meanwhile.
  const opening = Promise.resolve(deps.git);
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  // Every git call and request of the check listens to it at once.
  setMaxListeners(0, signal);
  // HEAD once, for the check and for whether it contains the commit. The check's own work starts first: it is the longer path.
  const head = opening.then((git) => git.head({ signal }));
  head.catch(() => undefined);
  const apiOrigin = apiOriginOf(config.endpoints);
  const keyOf = (unit: Pick<ServiceConfig, 'kind' | 'project' | 'region' | 'name'>): string => historyKey(apiOrigin, unit);
  // The files the commit changed, once known (null: no commit, or the question failed).
  let knowFiles!: (files: Promise<readonly string[] | null>) => void;
  const changedFiles = new Promise<readonly string[] | null>((resolve) => (knowFiles = resolve));
  // A touched unit whose kept history a deploy since has made stale (its service names another
  // latest revision): read as soon as the check has read the service, beside its revision reads.
  const early = new Map<string, { service: string; reading: Promise<KeptHistory | undefined> }>();
  const onLatestRevision = (unit: ServiceConfig, service: string, latestCreatedRevision: string | null): void => {
    const held = kept?.get(keyOf(unit));
    if (!held || held.service !== service || latestCreatedRevision === null || held.revisions[0]?.name === latestCreatedRevision || early.has(unit.name)) return;
    const reading = changedFiles.then((files) =>
      files && touchesUnit(unit, files) ? listHistories(deps.reader, config.commitLabel, [{ unit, service }]).then((read) => read.get(unit.name)) : undefined,
    );
    reading.catch(() => undefined);
    early.set(unit.name, { service, reading });
  };
  const checked = checkServices(config, deps, { ...options, signal, head, onLatestRevision });
  checked.catch(() => undefined);
  const git = await opening.catch((err: unknown) => {
    knowFiles(Promise.resolve(null));
    throw err;
  });
  // A question that names nothing stops the check at once.
  const target = resolveWhereTarget(git, question, { signal }).catch((err: unknown) => {
    controller.abort();
    knowFiles(Promise.resolve(null));
    throw err;
  });
  const found = await target;
  if (found.kind === 'not-committed') {
    knowFiles(Promise.resolve(null));
    return { target: found, answer: null, result: await checked };
  }
  // Whether HEAD contains the commit: the one fact the check's ranges cannot tell of a commit older
  // than every deployed one (the answer when it is live everywhere). Asked now, while the check
  // waits for Cloud Run, so that the answer waits for no git process after the check.
  const inHead = head
    .then(async (sha): Promise<HeadContains> => ({ head: sha, contains: await git.containsCommit(sha, found.sha, { signal }) }))
    .catch(() => undefined);
  const changed = found.changes ? Promise.resolve(found.changes) : git.commitWithFiles(found.sha, { signal });
  knowFiles(changed.then(({ files }) => files, () => null));
  // Every touched unit's history none is kept of, asked beside the check (a function's under the service name it most likely has: its service is known once the check has read it).
  const asked = changed.then(({ files }) =>
    config.services
      .filter((unit) => unit.kind !== 'job' && touchesUnit(unit, files) && kept?.get(keyOf(unit)) === undefined)
      .map((unit) => ({ unit, service: unit.kind === 'function' ? likelyServiceName(unit.name) : unit.name })),
  );
  const listings = asked.then((units) => listHistories(deps.reader, config.commitLabel, units));
  listings.catch(() => undefined);
  const result = await checked;
  // Touched units whose kept history the check shows stale (deployed since): read at once, beside git's work on the answer.
  const { files } = await changed;
  const stale = result.services.flatMap((v) => {
    const service = serviceOf(v);
    if (!service || !touchesUnit(v, files)) return [];
    const held = kept?.get(keyOf(v));
    return held && early.get(v.name)?.service !== service && !currentHistory(held, v, service, config.commitLabel) ? [{ unit: v, service }] : [];
  });
  const rereads = Promise.all([listHistories(deps.reader, config.commitLabel, stale), ...[...early].map(async ([name, { reading }]) => [name, await reading] as const)]).then(([later, ...earlier]) => {
    for (const [name, read] of earlier) if (read) later.set(name, read);
    return later;
  });
  rereads.catch(() => undefined);
  // Every touched unit's history kept and proved current (a repeated where): the facts in one pass,
  // with them, instead of a pass to find the live units and another with their histories. A unit
  // that is not live ignores its history (whereLive reads one for a live unit's "since" alone).
  const touched = result.services.filter((v) => serviceOf(v) !== undefined && touchesUnit(v, files));
  const current = new Map(
    touched.flatMap((v) => {
      const history = currentHistory(kept?.get(keyOf(v)), v, serviceOf(v)!, config.commitLabel);
      return history ? [[v.name, history] as const] : [];
    }),
  );
  if (current.size > 0 && current.size === touched.length && (await asked).length === 0) {
    const history = await withCommits(git, current, result.services);
    const facts = await readWhereFacts(git, found.sha, result.services, result.head, history, { signal, changed, inHead });
    return { target: found, answer: whereLive(result.services, facts), result };
  }
  const facts = await readWhereFacts(git, found.sha, result.services, result.head, undefined, { signal, changed, inHead });
  const answer = whereLive(result.services, facts);
  const live = answer.units.filter((u) => u.state === 'live' && u.kind !== 'job').map((u) => result.services.find((v) => v.name === u.name)!);
  const [listed, reread, askedFor] = await Promise.all([listings, rereads, asked]);
  // Kept for the next answer: every history listed that is the unit's own service's.
  const keep = (v: ServiceVerdict, read: KeptHistory | undefined): void => {
    if (read && read.service === serviceOf(v)) kept?.set(keyOf(v), read);
  };
  for (const v of result.services) keep(v, listed.get(v.name) ?? reread.get(v.name));
  if (live.length === 0) return { target: found, answer, result };
  // The live units' histories: a kept one proved current; else as listed beside the check (or after it, a kept one gone stale) when read under the unit's service; else (a function on another service than its name suggests) read now.
  const histories = new Map<string, KeptHistory>();
  const missed: { unit: ServiceVerdict; service: string }[] = [];
  for (const v of live) {
    const service = serviceOf(v);
    if (!service) continue;
    const current = currentHistory(kept?.get(keyOf(v)), v, service, config.commitLabel);
    const read = listed.get(v.name) ?? reread.get(v.name);
    if (current) histories.set(v.name, current);
    else if (read && read.service === service) histories.set(v.name, read);
    // Asked for under this service and not read: left out.
    else if (!askedFor.some((a) => a.unit.name === v.name && a.service === service) && !stale.some((a) => a.unit.name === v.name) && early.get(v.name)?.service !== service) missed.push({ unit: v, service });
  }
  for (const [unit, read] of await listHistories(deps.reader, config.commitLabel, missed)) {
    keep(live.find((v) => v.name === unit)!, read);
    histories.set(unit, read);
  }
  if (histories.size === 0) return { target: found, answer, result };
  const history = await withCommits(git, histories, result.services);
  const withHistory = await readWhereFacts(git, found.sha, result.services, result.head, history, { signal, changed, inHead: { head: result.head, contains: facts.inHead } });
  return { target: found, answer: whereLive(result.services, withHistory), result };
}
