// Where is a commit live? Pure decisions: given the commit (with the files it changed), the verdicts
// a check holds and a few git facts about ancestry, one answer per configured unit. No I/O here
// (facts.ts reads the facts).
//
// A unit whose paths the commit does not touch is `not-affected`. For the others, each revision
// serving traffic (a Cloud Run job: its template, which its next execution runs) either contains the
// commit (the commit is its deployed commit or an ancestor of it) or not:
//   live                    every serving revision contains it; since the first revision that did;
//   partly-live             some do (a traffic split), with the percent of traffic that serves it;
//   not-yet-live            none does and the deployed code predates it;
//   not-on-deployed-branch  none does although it is older than what serves (another branch);
//   unknown                 a serving revision's commit is not known (unlabeled, a label naming no
//                           local commit, an error), or the unit could not be read.
import { touchesPaths } from '../git/repository';
import type { CommitInfo, ServiceVerdict, UnitKind, VerdictStatus } from '../model';
import { short } from '../verdicts/verdict';

export const WHERE_STATES = ['live', 'partly-live', 'not-yet-live', 'not-on-deployed-branch', 'unknown', 'not-affected'] as const;

export type WhereState = (typeof WHERE_STATES)[number];

/** One revision a unit has had (from its revision history), with the local commit its label names. */
export interface PastRevision {
  revision: string;
  createTime: string | null;
  /** The full local SHA, or null when unlabeled or unknown here. */
  commit: string | null;
}

export interface WhereFacts {
  commit: CommitInfo;
  /** Repository-relative files the commit changed (a merge: against its first parent). */
  files: readonly string[];
  /** For every deployed commit asked about (full SHA): whether it contains the commit. */
  contains: ReadonlyMap<string, boolean>;
  /** The commit is HEAD or one of its ancestors. */
  inHead: boolean;
  /** Author dates of deployed commits (ISO 8601), to tell an older commit on another branch. */
  commitDates: ReadonlyMap<string, string>;
  /** Revision histories by unit name, when read: where "live since" looks for the first revision that contained the commit. */
  history?: ReadonlyMap<string, readonly PastRevision[]>;
}

export interface UnitWhere {
  name: string;
  kind: UnitKind;
  state: WhereState;
  /** Live: when the first revision (or a job's template) that contained it was created; partly live: the serving one's. Otherwise null. */
  since: string | null;
  /** Live: the first revision that contained it; partly live: the serving one that does; not yet: the one serving instead. */
  revision: string | null;
  /** Percent of traffic serving the commit (null for a job, which has none, and when unknown). */
  percent: number | null;
  /** The commit serving instead (not yet live, not on the deployed branch), full SHA. */
  deployedCommit: string | null;
  /** Not yet live: how many commits touching the unit's paths are not deployed, and the oldest one's date. */
  commitsBehind: number | null;
  driftSince: string | null;
  /** Unknown: the unit's (or the serving revision's) verdict that stopped the answer. */
  reason: VerdictStatus | null;
  /** One sentence that explains the answer. */
  message: string;
}

export interface WhereAnswer {
  commit: CommitInfo;
  /** The units the commit touches first (worst answer first), then the ones it does not. */
  units: UnitWhere[];
}

const ORDER: Record<WhereState, number> = { unknown: 0, 'not-on-deployed-branch': 1, 'not-yet-live': 2, 'partly-live': 3, live: 4, 'not-affected': 5 };

/** Every unit's answer for the commit. */
export function whereLive(verdicts: readonly ServiceVerdict[], facts: WhereFacts): WhereAnswer {
  const units = verdicts.map((v, i) => ({ answer: unitWhere(v, facts), i }));
  units.sort((a, b) => ORDER[a.answer.state] - ORDER[b.answer.state] || a.i - b.i);
  return { commit: facts.commit, units: units.map((u) => u.answer) };
}

/** The deployed commits whose containment whereLive asks about: what serves each unit, and what its past revisions ran. */
export function deployedCommitsOf(verdicts: readonly ServiceVerdict[], history?: ReadonlyMap<string, readonly PastRevision[]>): string[] {
  const shas = new Set<string>();
  for (const v of verdicts) {
    for (const s of servingOf(v)) if (s.commit) shas.add(s.commit);
    for (const past of history?.get(v.name) ?? []) if (past.commit) shas.add(past.commit);
  }
  return [...shas];
}

export function touchesUnit(v: Pick<ServiceVerdict, 'paths'>, files: readonly string[]): boolean {
  return files.some((f) => touchesPaths(f, v.paths));
}

/** What serves a unit: its serving revisions, or for a job its template (no traffic). */
interface Served {
  revision: string | null;
  percent: number | null;
  commit: string | null;
  commitLabel: string | null;
  status: VerdictStatus;
  createTime: string | null;
}

function servingOf(v: ServiceVerdict): Served[] {
  if (v.kind === 'job') {
    if (v.status === 'not-found' || (v.status === 'error' && v.deployedCommit === null && v.commitLabel === null)) return [];
    return [{ revision: null, percent: null, commit: v.deployedCommit, commitLabel: v.commitLabel, status: v.status, createTime: v.deployedAt }];
  }
  return v.serving.map((s) => ({ revision: s.revision, percent: s.percent, commit: s.commit, commitLabel: s.commitLabel, status: s.status, createTime: s.createTime }));
}

function unitWhere(v: ServiceVerdict, facts: WhereFacts): UnitWhere {
  const base: UnitWhere = { name: v.name, kind: v.kind, state: 'unknown', since: null, revision: null, percent: null, deployedCommit: null, commitsBehind: null, driftSince: null, reason: null, message: '' };
  const sha = short(facts.commit.sha);
  if (!touchesUnit(v, facts.files)) return { ...base, state: 'not-affected', message: `${sha} does not touch ${v.name}'s paths.` };
  const served = servingOf(v);
  if (served.length === 0) {
    const why = v.status === 'not-found' ? `${v.name} does not exist in Cloud Run` : v.message || `${v.name} serves no traffic`;
    return { ...base, reason: v.status, message: `Cannot tell: ${withoutStop(why)}.` };
  }
  const unknown = served.find((s) => s.commit === null || !facts.contains.has(s.commit));
  if (unknown) {
    const what = unknown.revision ?? `${v.name}'s template`;
    const why =
      unknown.commit !== null
        ? `whether ${short(unknown.commit)} contains it could not be read`
        : unknown.commitLabel === null
          ? `${what} has no commit label`
          : `${what}'s label ${JSON.stringify(unknown.commitLabel)} names no commit in this repository`;
    return { ...base, revision: unknown.revision, percent: unknown.percent, reason: unknown.commit === null && unknown.commitLabel === null ? 'unlabeled' : unknown.status === 'up-to-date' ? 'error' : unknown.status, message: `Cannot tell: ${why}.` };
  }
  const carrying = served.filter((s) => facts.contains.get(s.commit!) === true);
  const lacking = served.filter((s) => facts.contains.get(s.commit!) !== true);
  const isJob = v.kind === 'job';
  if (lacking.length === 0) {
    const first = firstContaining(carrying, facts.history?.get(v.name) ?? [], facts.contains);
    const where = isJob ? `${v.name}'s template carries it` : `${carrying.map((s) => s.revision).join(', ')} ${carrying.length === 1 ? 'serves' : 'serve'} it (all traffic)`;
    const sinceText = first.createTime ? `; first ${isJob ? 'deployed' : `in ${first.revision}`}, created ${first.createTime}` : '';
    return { ...base, state: 'live', since: first.createTime, revision: first.revision, percent: isJob ? null : 100, message: `${where}${sinceText}.` };
  }
  if (carrying.length > 0) {
    const percent = carrying.reduce((sum, s) => sum + (s.percent ?? 0), 0);
    const biggest = [...carrying].sort((a, b) => (b.percent ?? 0) - (a.percent ?? 0))[0]!;
    const others = lacking.map((s) => `${s.revision} (${s.percent}%, ${short(s.commit)})`).join(', ');
    return {
      ...base,
      state: 'partly-live',
      revision: biggest.revision,
      percent,
      since: biggest.createTime,
      message: `${percent}% of traffic serves it (${carrying.map((s) => `${s.revision} ${s.percent}%`).join(', ')}); ${others} ${lacking.length === 1 ? 'serves' : 'serve'} code without it.`,
    };
  }
  // None contains it: the code serving (the most traffic) predates it, or comes from another branch.
  const main = [...lacking].sort((a, b) => (b.percent ?? 0) - (a.percent ?? 0))[0]!;
  const deployed = main.commit!;
  const what = main.revision ?? `${v.name}'s template`;
  const servedFromHeadLine = main.status !== 'diverged';
  const deployedDate = facts.commitDates.get(deployed);
  const older = deployedDate !== undefined && Date.parse(facts.commit.date) <= Date.parse(deployedDate);
  if (!(servedFromHeadLine && facts.inHead) && older) {
    return {
      ...base,
      state: 'not-on-deployed-branch',
      revision: main.revision,
      percent: isJob ? null : 0,
      deployedCommit: deployed,
      message: `${what} ${isJob ? 'carries' : 'serves'} ${short(deployed)}, whose history lacks ${sha} although ${sha} is older: deployed from another branch?`,
    };
  }
  const behind = v.commitsBehind !== null && v.commitsBehind > 0 ? `; ${v.commitsBehind} commit${v.commitsBehind === 1 ? '' : 's'} to its paths not deployed${v.driftSince ? `, the oldest from ${v.driftSince}` : ''}` : '';
  return {
    ...base,
    state: 'not-yet-live',
    revision: main.revision,
    percent: isJob ? null : 0,
    deployedCommit: deployed,
    commitsBehind: v.commitsBehind,
    driftSince: v.driftSince,
    message: `${what} ${isJob ? 'carries' : 'serves'} ${short(deployed)}, which predates ${sha}${behind}.`,
  };
}

/**
 * The first revision that contained the commit: the oldest of those serving it, or an older one in
 * the unit's revision history whose commit contains it too, when the history was read.
 */
function firstContaining(carrying: readonly Served[], history: readonly PastRevision[], contains: ReadonlyMap<string, boolean>): { revision: string | null; createTime: string | null } {
  const candidates = [
    ...carrying.map((s) => ({ revision: s.revision, createTime: s.createTime })),
    ...history.filter((r) => r.commit !== null && contains.get(r.commit) === true).map((r) => ({ revision: r.revision, createTime: r.createTime })),
  ];
  let first = candidates[0]!;
  for (const c of candidates) {
    if (c.createTime !== null && (first.createTime === null || Date.parse(c.createTime) < Date.parse(first.createTime))) first = c;
  }
  return first;
}

function withoutStop(text: string): string {
  return text.replace(/\.\s*$/, '');
}

/** Exit status of `where`: 0 live everywhere it touches, 1 not (fully) live somewhere, 3 could not tell. */
export function whereOutcome(answer: WhereAnswer): 'live' | 'not-live' | 'unknown' {
  const touched = answer.units.filter((u) => u.state !== 'not-affected');
  if (touched.some((u) => u.state === 'partly-live' || u.state === 'not-yet-live' || u.state === 'not-on-deployed-branch')) return 'not-live';
  if (touched.some((u) => u.state === 'unknown')) return 'unknown';
  return 'live';
}
