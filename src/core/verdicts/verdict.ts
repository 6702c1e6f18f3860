// Pure verdict logic: given what Cloud Run says and what git says, decide. No I/O here.
import type { ServiceConfig } from '../config';
import type { LabelResolution, RangeFacts } from '../git/repository';
import { touchesPaths } from '../git/repository';
import { missingPathsSentence } from './missingPaths';
import { walkedCommitsTouching } from '../git/rangeWalk';
import { dateMs } from '../git/isoDateMs';
import { WalkedCommit } from '../git/walkedCommit';
import { ownValue } from '../platform/own';
import { pinnedSentence, pinnedToOlder } from './traffic';
import { VERDICT_SEVERITY, type CommitInfo, type RevisionFacts, type ServiceLookup, type ServiceVerdict, type ServingVerdict, type VerdictStatus } from '../model';

/** A git fact that could not be read: `error` names the git command and why, e.g. "git log timed out after 15 s". */
export interface GitFailure {
  error: string;
}

export function isGitFailure(value: unknown): value is GitFailure {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as Partial<GitFailure>).error === 'string';
}

export interface GitFactsForVerdict {
  head: string;
  /** Resolution of every commit label seen, keyed by the raw label. */
  labels: ReadonlyMap<string, LabelResolution | GitFailure>;
  /** Facts per deployed full SHA (only for labels that resolved). */
  ranges: ReadonlyMap<string, RangeFacts | GitFailure>;
  /** Subject/author/date of deployed commits. */
  commits: ReadonlyMap<string, CommitInfo>;
  /** Repository-relative paths with uncommitted or untracked changes; a failure leaves `dirty` unknown. */
  changedPaths: readonly string[] | GitFailure;
  /** Newest commit to the service's paths, needed only when a serving revision is unlabeled. */
  lastPathCommit: CommitInfo | null | GitFailure;
  /** Configured paths (of any service) that name nothing in HEAD's tree. */
  missingPaths: ReadonlySet<string>;
  /** The clone is shallow: a commit it lacks may lie beyond its boundary. */
  shallow: boolean;
}

export function worstStatus(statuses: VerdictStatus[]): VerdictStatus {
  let worst = 0;
  for (const s of statuses) worst = Math.max(worst, VERDICT_SEVERITY.indexOf(s));
  return VERDICT_SEVERITY[worst]!;
}

export function short(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 8) : '';
}

/**
 * The earliest author date among `commits` (ISO 8601 in UTC), or null when there is none. A range
 * can hold tens of thousands of commits: git's strict ISO 8601 dates (`%aI`) are read from their
 * digits (a walked commit's from the walk's bytes, without a string), other formats with Date.parse
 * (parsing all 44,000 of a large history that way took 35-80 ms here).
 */
export function oldestDate(commits: readonly CommitInfo[]): string | null {
  let oldestMs = Infinity;
  // By index, not for-of: with a getter to call per commit, V8 made an iterator result per commit here (2.4 MB in three refreshes).
  for (let i = 0; i < commits.length; i++) {
    const ms = commitDateMs(commits[i]!);
    // NaN (no date) is never less.
    if (ms < oldestMs) oldestMs = ms;
  }
  return Number.isFinite(oldestMs) ? new Date(oldestMs).toISOString() : null;
}

/** A commit's date in epoch milliseconds, NaN when it is no date. */
function commitDateMs(commit: CommitInfo): number {
  return commit instanceof WalkedCommit ? commit.dateMs() : dateMs(commit.date);
}

// The oldest undeployed commit of each range and paths, found once: a range made by a walk reads each
// commit's date from its bytes when asked, and the 44,000 of a large history need not be read again
// at every refresh.
const oldestDates = new WeakMap<RangeFacts, Map<string, string | null>>();

/**
 * The earliest date of a judgment's undeployed commits (oldestDate), once per range and paths.
 * `undeployed` must be what judgeCommitLabel made it: commitsTouching(the range of `commit`, `paths`);
 * only the first list asked for of a range and paths is read.
 */
export function driftSince(judgment: Pick<LabelJudgment, 'commit' | 'undeployed'> | null, paths: readonly string[], ranges: GitFactsForVerdict['ranges']): string | null {
  if (!judgment || judgment.undeployed.length === 0) return null;
  const range = judgment.commit === null ? undefined : ranges.get(judgment.commit);
  if (!range || isGitFailure(range)) return oldestDate(judgment.undeployed);
  let byPaths = oldestDates.get(range);
  if (!byPaths) oldestDates.set(range, (byPaths = new Map()));
  const key = paths.join('\0');
  let oldest = byPaths.get(key);
  if (oldest === undefined) byPaths.set(key, (oldest = oldestDate(judgment.undeployed)));
  return oldest;
}

/** The commits in a range that touch a service's paths, newest first. */
export function commitsTouching(range: RangeFacts, paths: string[]): CommitInfo[] {
  const walked = walkedCommitsTouching(range, paths);
  if (walked) return walked;
  if (paths.length === 0) return range.commits.map((c) => c.commit);
  const index = pathIndexOf(range);
  const positions = new Set<number>();
  for (const p of paths) for (const position of index.get(p) ?? []) positions.add(position);
  return [...positions].sort((a, b) => a - b).map((position) => range.commits[position]!.commit);
}

// Services deployed from one commit share its range, and a range can hold thousands of commits:
// filtering it once per service cost tens of milliseconds for 73 services. Instead each range is
// indexed once by every path a configured path can name (each file and each of its folders), which
// is exactly touchesPaths's rule: `p` touches `f` when `f` is `p` or lies under `p/`.
const pathIndexes = new WeakMap<RangeFacts, Map<string, number[]>>();

function pathIndexOf(range: RangeFacts): Map<string, number[]> {
  let index = pathIndexes.get(range);
  if (!index) {
    index = new Map();
    range.commits.forEach((commit, position) => {
      for (const file of commit.files) {
        for (let slash = file.indexOf('/'); ; slash = file.indexOf('/', slash + 1)) {
          const key = slash === -1 ? file : file.slice(0, slash);
          const positions = index!.get(key);
          if (!positions) index!.set(key, [position]);
          else if (positions[positions.length - 1] !== position) positions.push(position);
          if (slash === -1) break;
        }
      }
    });
    pathIndexes.set(range, index);
  }
  return index;
}

/** The revision's commit label, or null when it has none. */
export function labelOf(revision: RevisionFacts | undefined, commitLabel: string): string | null {
  return revision ? ownValue(revision.labels, commitLabel) ?? null : null;
}

export function computeVerdict(service: ServiceConfig, commitLabel: string, lookup: ServiceLookup, git: GitFactsForVerdict): ServiceVerdict {
  return withMissingPaths(service, judgeService(service, commitLabel, lookup, git), git);
}

/** The verdict with the unit's configured paths that name nothing at HEAD taken into account. */
export function withMissingPaths(service: ServiceConfig, verdict: ServiceVerdict, git: GitFactsForVerdict): ServiceVerdict {
  const missingPaths = service.paths.filter((p) => git.missingPaths.has(p));
  if (missingPaths.length === 0) return verdict;
  const allMissing = missingPaths.length === service.paths.length;
  const sentence = missingPathsSentence(missingPaths, allMissing);
  // With every path missing there is nothing to count commits against, so no verdict about
  // commits stands; what Cloud Run alone decides (a failed or running rollout, absence, an error) still does.
  if (allMissing && worstStatus([verdict.status, 'path-missing']) === 'path-missing') {
    return { ...verdict, status: 'path-missing', commitsBehind: null, commits: [], driftSince: null, missingPaths, message: sentence };
  }
  return { ...verdict, missingPaths, message: `${verdict.message} ${sentence}` };
}

/** A unit's verdict before anything is decided: an error with no message, and whether its paths have uncommitted changes. */
export function undecidedVerdict(unit: ServiceConfig, git: Pick<GitFactsForVerdict, 'changedPaths'>): ServiceVerdict {
  return {
    name: unit.name,
    kind: unit.kind,
    project: unit.project,
    region: unit.region,
    status: 'error',
    deployedCommit: null,
    commitLabel: null,
    commitsBehind: null,
    commits: [],
    driftSince: null,
    dirty: isGitFailure(git.changedPaths) ? null : git.changedPaths.some((f) => touchesPaths(f, unit.paths)),
    serving: [],
    latestCreatedRevision: null,
    failedRevision: null,
    message: '',
    deployedSubject: null,
    deployedAt: null,
    paths: unit.paths,
    missingPaths: [],
  };
}

/** The verdict from what Cloud Run serves and git, before missing paths are considered (withMissingPaths). */
export function judgeService(service: ServiceConfig, commitLabel: string, lookup: ServiceLookup, git: GitFactsForVerdict): ServiceVerdict {
  const base = undecidedVerdict(service, git);
  if (lookup.kind === 'not-found') {
    return { ...base, status: 'not-found', message: `${service.name} is configured but does not exist in Cloud Run (${service.project}/${service.region}).` };
  }
  if (lookup.kind === 'error') {
    return { ...base, status: 'error', message: lookup.message };
  }

  const facts = lookup.facts;
  const serving: (ServingVerdict & { undeployed: CommitInfo[]; explanation: string })[] = facts.serving.map((s) =>
    judgeServingRevision(s.revision, s.percent, ownValue(facts.revisions, s.revision), commitLabel, service, git),
  );
  const latestCreated = facts.latestCreatedRevision ? ownValue(facts.revisions, facts.latestCreatedRevision) ?? null : null;
  const failedRevision = latestCreated?.failed ? latestCreated : null;

  const statuses: VerdictStatus[] = serving.map((s) => s.status);
  if (failedRevision) statuses.push('deploy-failed');
  if (facts.reconciling || (latestCreated && !latestCreated.ready && !latestCreated.failed)) statuses.push('deploying');
  if (serving.length === 0 && !failedRevision && statuses.length === 0) statuses.push('error');
  const status = worstStatus(statuses);

  // The revision that decides the verdict: the worst one, the one furthest behind among equals.
  const decisive = [...serving].sort(
    (a, b) => VERDICT_SEVERITY.indexOf(b.status) - VERDICT_SEVERITY.indexOf(a.status) || (b.commitsBehind ?? 0) - (a.commitsBehind ?? 0) || b.percent - a.percent,
  )[0];
  const deployedInfo = decisive?.commit ? git.commits.get(decisive.commit) ?? null : null;

  const split = serving.length > 1 ? ` Traffic is split: ${serving.map((s) => `${s.percent}% ${s.revision} (${s.commitLabel ?? 'unlabeled'})`).join(', ')}.` : '';
  let message: string;
  switch (status) {
    case 'deploy-failed':
      message = `The latest revision ${failedRevision!.name} failed: ${failedRevision!.readyMessage}.${decisive ? ` ${decisive.revision} still serves.` : ' No revision serves traffic.'}`;
      break;
    case 'deploying':
      message = 'A rollout is in progress; no verdict until it settles.';
      break;
    case 'error':
      message = serving.length === 0 ? `${service.name} serves no traffic from any revision.` : decisive?.explanation || 'The service could not be checked.';
      break;
    default:
      message = (decisive?.explanation ?? '') + split;
  }

  const pinned = pinnedToOlder(facts.serving, facts.latestReadyRevision);
  if (pinned) message = `${message.trim()} ${pinnedSentence(pinned, facts.latestReadyRevision!)}`;

  return {
    ...base,
    ...(pinned ? { rolledBackTo: { revision: pinned, latestReadyRevision: facts.latestReadyRevision! } } : {}),
    status,
    deployedCommit: decisive?.commit ?? null,
    commitLabel: decisive?.commitLabel ?? null,
    commitsBehind: decisive?.commitsBehind ?? null,
    commits: decisive?.undeployed ?? [],
    driftSince: driftSince(decisive, service.paths, git.ranges),
    serving: serving.map(({ undeployed: _undeployed, explanation: _explanation, ...rest }) => rest),
    latestCreatedRevision: facts.latestCreatedRevision,
    ...(latestCreated ? { latestCreatedAt: latestCreated.createTime } : {}),
    failedRevision,
    message: message.trim(),
    deployedSubject: deployedInfo?.subject ?? null,
    deployedAt: decisive?.createTime ?? null,
  };
}

function judgeServingRevision(
  revisionName: string,
  percent: number,
  revision: RevisionFacts | undefined,
  commitLabel: string,
  service: ServiceConfig,
  git: GitFactsForVerdict,
): ServingVerdict & { undeployed: CommitInfo[]; explanation: string } {
  const subject: LabelledSubject = { name: revisionName, verb: 'serves', itself: 'the revision', unit: 'service', labels: revision?.labels, createTime: revision?.createTime ?? null };
  return { revision: revisionName, percent, createTime: revision?.createTime ?? null, image: revision?.image ?? null, ...judgeCommitLabel(subject, commitLabel, service.paths, git) };
}

/** What carries a commit label: a serving revision, or a Cloud Run job's template. */
export interface LabelledSubject {
  /** Names it at the start of a sentence, e.g. `prediction-worker-00042-abc`. */
  name: string;
  /** What it does with its commit: "serves" (a revision), "carries" (a job's template). */
  verb: string;
  /** How a sentence refers to it again, e.g. "the revision". */
  itself: string;
  /** What the configured paths belong to, e.g. "service" in "the service's paths". */
  unit: string;
  labels: Readonly<Record<string, string>> | undefined;
  /** When it was made, ISO 8601: compared with the last commit when it has no label. */
  createTime: string | null;
}

export interface LabelJudgment {
  status: VerdictStatus;
  /** The raw label value, or null when it has none. */
  commitLabel: string | null;
  /** The full local SHA the label resolved to, or null. */
  commit: string | null;
  commitsBehind: number | null;
  /** Commits touching the paths since its commit, newest first. */
  undeployed: CommitInfo[];
  explanation: string;
}

/** The verdict of one commit label against HEAD and the unit's paths. */
export function judgeCommitLabel(subject: LabelledSubject, commitLabel: string, paths: string[], git: GitFactsForVerdict): LabelJudgment {
  const name = subject.name;
  const label = subject.labels ? ownValue(subject.labels, commitLabel) ?? null : null;
  const common = { commitLabel: label };
  if (label === null) {
    if (isGitFailure(git.lastPathCommit)) {
      return { ...common, commit: null, commitsBehind: null, undeployed: [], status: 'error', explanation: `${name} has no ${commitLabel} label, and the last commit to its paths could not be read: ${git.lastPathCommit.error}.` };
    }
    return { ...common, commit: null, commitsBehind: null, undeployed: [], status: 'unlabeled', explanation: unlabeledExplanation(subject, commitLabel, git.lastPathCommit) };
  }
  const resolution = git.labels.get(label) ?? { kind: 'unknown' };
  if (isGitFailure(resolution)) {
    return { ...common, commit: null, commitsBehind: null, undeployed: [], status: 'error', explanation: `Could not look up label ${commitLabel}=${label} on ${name}: ${resolution.error}.` };
  }
  if (resolution.kind !== 'found') {
    const why =
      resolution.kind === 'ambiguous'
        ? `Label ${commitLabel}=${label} on ${name} matches several local commits; a longer SHA is needed (not guessed).`
        : resolution.kind === 'invalid'
          ? `Label ${commitLabel}=${JSON.stringify(label)} on ${name} is not a commit SHA.`
          : git.shallow
            ? `Label ${commitLabel}=${label} on ${name} names a commit that is not in this shallow clone; it may lie beyond the clone's boundary. Try: git fetch --unshallow (or git fetch --deepen=N for N more commits of history)`
            : `Label ${commitLabel}=${label} on ${name} names a commit that is not in this repository. Try: git fetch --all`;
    return { ...common, commit: null, commitsBehind: null, undeployed: [], status: 'unknown-commit', explanation: why };
  }
  const sha = resolution.sha;
  if (sha === git.head) {
    return { ...common, commit: sha, commitsBehind: 0, undeployed: [], status: 'up-to-date', explanation: `${name} ${subject.verb} HEAD (${short(sha)}).` };
  }
  const range = git.ranges.get(sha);
  if (isGitFailure(range)) {
    return { ...common, commit: sha, commitsBehind: null, undeployed: [], status: 'error', explanation: `Could not compare ${short(sha)} with HEAD: ${range.error}.` };
  }
  if (!range) {
    return { ...common, commit: sha, commitsBehind: null, undeployed: [], status: 'unknown-commit', explanation: `Could not compare ${short(sha)} with HEAD.` };
  }
  if (!range.isAncestor) {
    return {
      ...common,
      commit: sha,
      commitsBehind: null,
      undeployed: [],
      status: 'diverged',
      explanation: `${name} ${subject.verb} ${short(sha)}, which is not in the history of HEAD (deployed from another branch?).`,
    };
  }
  const undeployed = commitsTouching(range, paths);
  if (undeployed.length === 0) {
    return { ...common, commit: sha, commitsBehind: 0, undeployed, status: 'up-to-date', explanation: `${name} ${subject.verb} ${short(sha)}; no later commit touches the ${subject.unit}'s paths.` };
  }
  return {
    ...common,
    commit: sha,
    commitsBehind: undeployed.length,
    undeployed,
    status: 'stale',
    explanation: `${name} ${subject.verb} ${short(sha)}; ${undeployed.length} later commit${undeployed.length === 1 ? ' touches' : 's touch'} the ${subject.unit}'s paths.`,
  };
}

function unlabeledExplanation(subject: LabelledSubject, commitLabel: string, lastPathCommit: CommitInfo | null): string {
  const prefix = `${subject.name} has no ${commitLabel} label, so only times can be compared (a weaker signal than commits):`;
  if (!subject.createTime || !lastPathCommit) return `${prefix} not enough information to compare.`;
  const created = Date.parse(subject.createTime);
  const committed = Date.parse(lastPathCommit.date);
  if (committed > created) {
    return `${prefix} the last commit to its paths (${short(lastPathCommit.sha)}, ${lastPathCommit.date}) is newer than ${subject.itself} (${subject.createTime}), so it is probably stale.`;
  }
  return `${prefix} ${subject.itself} (${subject.createTime}) is newer than the last commit to its paths (${short(lastPathCommit.sha)}), so it is probably current.`;
}
