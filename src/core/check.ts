import type { CloudRunReader } from './google/cloudrun';
import type { DriftConfig, ServiceConfig } from './config';
import { GitError, GitRepository, type LabelResolution, type RangeFacts } from './git/repository';
import { prepareCommitsTouching } from './git/rangeWalk';
import type { CheckResult, CommitInfo, ServiceVerdict } from './model';
import { ownValue } from './platform/own';
import { slicePause } from './platform/slices';
import { decidingLabels, judgeUnit, labelsToResolve, lookupUnit, type UnitLookup } from './units';
import { isGitFailure, type GitFailure } from './verdicts/verdict';

export interface CheckDeps {
  reader: CloudRunReader;
  git: GitRepository;
}

/**
 * What checkServices reads with. The repository may still be opening (the CLI's `git rev-parse
 * --show-toplevel`): Cloud Run is read meanwhile, and git's work waits for it.
 */
export type CheckSources = Omit<CheckDeps, 'git'> & { git: GitRepository | Promise<GitRepository> };

export interface CheckOptions {
  /** Only these services (by name); all configured services when omitted. */
  services?: string[];
  signal?: AbortSignal;
  /** Called as each phase ends, for timing diagnostics (the CLI's CLOUD_RUN_DRIFT_TIMING). */
  onPhase?: (phase: CheckPhase) => void;
  /**
   * Commit labels this check expects to find serving (what the last one saw). Their git work
   * (resolution, ranges, commit facts) starts at once, while Cloud Run is read, instead of after.
   * Only a head start: labels found serving that were not expected are resolved afterwards, and
   * expected ones not found serving are ignored.
   */
  expectedLabels?: readonly string[];
  /** HEAD, when the caller is reading it already (`git.head()` with the same signal); read here otherwise. */
  head?: Promise<string>;
  /**
   * Called as the Cloud Run service of a unit (a service, or the one a function runs on) is read,
   * before its revisions are, with its latest created revision (null when it names none): `where`
   * starts reading a kept history that a deploy since has made stale then, beside the check's
   * revision reads.
   */
  onLatestRevision?: (unit: ServiceConfig, service: string, latestCreatedRevision: string | null) => void;
}

/** `api`: every service read from Cloud Run; `git-head`: HEAD and working tree; `labels`: commit labels resolved; `ranges`: commits since each deployed commit. */
export type CheckPhase = 'api' | 'git-head' | 'labels' | 'ranges';

export class UnknownServiceError extends Error {
  constructor(readonly names: string[], known: string[]) {
    super(`not configured: ${names.join(', ')} (configured: ${known.join(', ')})`);
    this.name = 'UnknownServiceError';
  }
}

export function selectServices(config: DriftConfig, names: string[] | undefined): ServiceConfig[] {
  if (!names || names.length === 0) return config.services;
  const known = config.services.map((s) => s.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new UnknownServiceError(unknown, known);
  return config.services.filter((s) => names.includes(s.name));
}

/**
 * Checks every selected service. API calls for all services and the repository's HEAD and status
 * run at once (with a repository still opening, the API calls first and git's as soon as it is
 * open); then one git process resolves every label, and the distinct deployed commits' ranges
 * are read in one walk (cached per commit pair) however many services share them. Meanwhile one
 * more finds the configured paths that name nothing at HEAD, which no verdict may take as unchanged.
 * The signal reaches every git call. A git call that fails (e.g. runs past its deadline) fails only
 * what needs it: without `git status`, `dirty` is unknown; without a range, those services are errors.
 * A repository still opening (CheckSources) fails the check with its error if it cannot be opened.
 */
export async function checkServices(config: DriftConfig, deps: CheckSources, options: CheckOptions = {}): Promise<CheckResult> {
  const services = selectServices(config, options.services);
  const { reader } = deps;
  // An open repository is called at once; one still opening is waited for by each git call, while Cloud Run is read.
  const ready = deps.git instanceof GitRepository ? deps.git : null;
  const opening = ready ? null : Promise.resolve(deps.git);
  const withGit: WithGit = (use) => (ready ? use(ready) : opening!.then(use));
  const { signal } = options;
  const phase = <T>(name: CheckPhase, value: T): T => (options.onPhase?.(name), value);
  // Ranges are read for every configured unit's paths, so that any check of this configuration
  // shares them, whichever units it selects.
  const paths = rangePaths(config.services);
  // The ranges need HEAD only; `git status` (slower on a large tree) is wanted by the verdicts alone.
  const headSha = options.head ?? withGit((git) => git.head({ signal }));
  const headFacts = Promise.all([headSha, withGit((git) => git.changedPaths({ signal })).catch(asFailure)]);
  // Which configured paths exist at HEAD, and whether the clone is shallow: read while everything
  // else runs, awaited only by the verdicts (and marked handled here, so an early failure waits for them).
  const presence = headSha.then((sha) => withGit((git) => git.pathPresence(sha, [...new Set(services.flatMap((s) => s.paths))], { signal }))).catch(asFailure);
  presence.catch(() => undefined);
  // Git work started before Cloud Run has answered, for labels that are likely to serve: the
  // caller's expectations at once, then the labels the services' templates carry once every
  // service has been read (while their revisions are being read).
  const early: Promise<Map<string, LabelResolution>>[] = [];
  const expected = new Set(options.expectedLabels ?? []);
  if (expected.size > 0) early.push(startGitWork(withGit, [...expected], headSha, paths, signal));
  const templateLabels = new Set<string>();
  let servicesUnread = services.length;
  const serviceRead = (): void => {
    if (--servicesUnread > 0) return;
    const fresh = [...templateLabels].filter((label) => !expected.has(label));
    if (fresh.length > 0) early.push(startGitWork(withGit, fresh, headSha, paths, signal));
  };
  // Git's processes are started a few promise turns after they are asked for, and the first read
  // from Cloud Run may load a library (the auth library, or the SDK for jobs and functions), which
  // holds the event loop for tens of milliseconds: one turn of the loop first lets git start, and
  // run beside the loading instead of after it. (headFacts is awaited below; marked handled here so
  // that a failure during that turn waits for it.) A repository still opening has its own git
  // running already, and nothing of the check's to start before the reads.
  headFacts.catch(() => undefined);
  if (!opening) await new Promise((resolve) => setImmediate(resolve));
  if (signal?.aborted) {
    // Canceled already: what git says of it (its calls were canceled) is the check's failure.
    await headFacts;
    signal.throwIfAborted();
  }
  // One list per kind and region holding more than a couple of the units, sent before any get.
  const listing = reader.listUnits?.(services, signal ? { signal } : {});
  const lookupOf = (service: ServiceConfig): Promise<UnitLookup> => {
    let read = false;
    const onServiceRead = (labels: Readonly<Record<string, string>>): void => {
      read = true;
      const label = ownValue(labels, config.commitLabel);
      if (label) templateLabels.add(label);
      serviceRead();
    };
    const onLatest = options.onLatestRevision;
    const onLatestRevision = onLatest && ((name: string, latest: string | null): void => onLatest(service, name, latest));
    return lookupUnit(reader, service, { onServiceRead, ...(onLatestRevision ? { onLatestRevision } : {}), ...(listing ? { listing } : {}) }).finally(() => {
      if (!read) serviceRead();
    });
  };
  const [[head, changedPaths], unitLookups] = await Promise.all([
    headFacts.then((facts) => phase('git-head', facts)),
    Promise.all(services.map(lookupOf)).then((found) => phase('api', found)),
  ]);
  signal?.throwIfAborted();
  const git = ready ?? (await opening!);

  const labels = new Set<string>();
  // What serves each unit's traffic (a job: its template, and what its executions ran): the commit labels git resolves.
  for (const lookup of unitLookups) {
    for (const label of labelsToResolve(lookup, config.commitLabel)) if (label !== null) labels.add(label);
  }
  const resolved = new Map<string, LabelResolution | GitFailure>();
  for (const resolutions of await Promise.all(early)) {
    for (const [label, resolution] of resolutions) if (labels.has(label)) resolved.set(label, resolution);
  }
  const unresolved = [...labels].filter((label) => !resolved.has(label));
  const resolutions = await git.resolveLabels(unresolved, { signal }).catch(asFailure);
  for (const label of unresolved) resolved.set(label, isGitFailure(resolutions) ? resolutions : resolutions.get(label) ?? { kind: 'unknown' });
  phase('labels', resolved);
  const deployedShas = foundShas(resolved);

  const needsLastPathCommit = services.map((_, i) => decidingLabels(unitLookups[i]!, config.commitLabel).includes(null));
  const [ranges, commits, lastPathCommits] = await Promise.all([
    git.ranges(deployedShas, head, { signal, paths }),
    git.describeCommits(deployedShas, { signal }).catch(asFailure),
    Promise.all(
      services.map((s, i) => (needsLastPathCommit[i] ? git.lastCommitTouching(s.paths, head, { signal }).catch(asFailure) : Promise.resolve<CommitInfo | null>(null))),
    ),
  ]);
  phase('ranges', null);
  signal?.throwIfAborted();

  const warnings: string[] = [];
  if (isGitFailure(changedPaths)) warnings.push(`Uncommitted changes are unknown: ${changedPaths.error}.`);
  if (isGitFailure(commits)) warnings.push(`The deployed commits' subjects are unknown: ${commits.error}.`);
  const rangeFacts = new Map<string, RangeFacts | GitFailure>([...ranges].map(([sha, facts]) => [sha, facts instanceof GitError ? { error: facts.message } : facts]));
  const presenceFacts = await presence;
  if (isGitFailure(presenceFacts)) warnings.push(`Whether the configured paths exist at HEAD is unknown: ${presenceFacts.error}.`);
  const { missingPaths, shallow } = isGitFailure(presenceFacts) ? { missingPaths: [], shallow: false } : presenceFacts;
  const missing = new Set(missingPaths);
  // A unit deployed long ago has a range of tens of thousands of commits to match with its paths:
  // the verdicts are judged a few at a time, and the commits of a long range found in slices before
  // its verdict, so that the editor's event loop turns between them.
  const verdicts: ServiceVerdict[] = [];
  // The first slice starts in a turn of its own: what came before (the walk's last step) ran in this one.
  const pause = slicePause(signal);
  for (const [i, service] of services.entries()) {
    await pause();
    for (const range of countedRanges(unitLookups[i]!, config.commitLabel, resolved, rangeFacts)) await prepareCommitsTouching(range, service.paths, pause);
    verdicts.push(
      judgeUnit(service, config.commitLabel, unitLookups[i]!, {
        head,
        labels: resolved,
        ranges: rangeFacts,
        commits: isGitFailure(commits) ? new Map() : commits,
        changedPaths,
        lastPathCommit: lastPathCommits[i]!,
        missingPaths: missing,
        shallow,
      }),
    );
  }
  return { head, checkedAt: new Date().toISOString(), services: verdicts, warnings };
}

/**
 * The ranges whose commits a unit's verdict counts: those of its labels (a job's executions'
 * too) that resolved to a commit HEAD descends from. A diverged range is judged without them.
 */
function countedRanges(lookup: UnitLookup, commitLabel: string, labels: ReadonlyMap<string, LabelResolution | GitFailure>, ranges: ReadonlyMap<string, RangeFacts | GitFailure>): Set<RangeFacts> {
  const found = new Set<RangeFacts>();
  for (const label of labelsToResolve(lookup, commitLabel)) {
    const resolution = label === null ? undefined : labels.get(label);
    if (!resolution || isGitFailure(resolution) || resolution.kind !== 'found') continue;
    const range = ranges.get(resolution.sha);
    if (range && !isGitFailure(range) && range.isAncestor) found.add(range);
  }
  return found;
}

/** A git call that failed, as the fact the verdicts are missing; a canceled one (or a bug) still throws. */
function asFailure(err: unknown): GitFailure {
  if (err instanceof GitError && err.reason !== 'canceled') return { error: err.message };
  throw err;
}

/**
 * Resolves the expected labels and, once HEAD is known, reads their ranges and commit facts into
 * the repository's caches, where the check finds them. Never fails: a guess that goes wrong only
 * leaves the work to be done after the API answers.
 */
function startGitWork(withGit: WithGit, labels: readonly string[], head: Promise<string>, paths: readonly string[], signal: AbortSignal | undefined): Promise<Map<string, LabelResolution>> {
  const resolution = withGit((git) => git.resolveLabels([...labels], { signal })).catch(() => new Map<string, LabelResolution>());
  void Promise.all([resolution, head])
    .then(([resolved, sha]) => {
      const found = foundShas(resolved);
      return withGit((git) => Promise.all([git.ranges(found, sha, { signal, paths }), git.describeCommits(found, { signal })]));
    })
    .catch(() => undefined);
  return resolution;
}

/** A git call on the check's repository: at once when it is open, else once it is. */
type WithGit = <T>(use: (git: GitRepository) => Promise<T>) => Promise<T>;

/** Every path the units are built from; [] (the whole repository) when one of them is built from all of it. */
export function rangePaths(services: readonly ServiceConfig[]): string[] {
  if (services.some((s) => s.paths.length === 0)) return [];
  return [...new Set(services.flatMap((s) => s.paths))];
}

/** The commits the labels resolved to, each once. */
function foundShas(resolutions: ReadonlyMap<string, LabelResolution | GitFailure>): string[] {
  return [...new Set([...resolutions.values()].flatMap((r) => (!isGitFailure(r) && r.kind === 'found' ? [r.sha] : [])))];
}

/**
 * The commit labels these verdicts saw serving (for a job: on its template), each once: what the next
 * check can expect (CheckOptions.expectedLabels).
 */
export function servingLabelsOf(verdicts: readonly ServiceVerdict[]): string[] {
  const labels = (s: ServiceVerdict): (string | null)[] => (s.kind === 'job' ? [s.commitLabel] : s.serving.map((r) => r.commitLabel));
  return [...new Set(verdicts.flatMap((s) => labels(s).flatMap((label) => (label === null ? [] : [label]))))];
}
