// Git facts the verdicts need, read with the real git binary through command.ts (simple-git,
// with the safety overrides, a deadline and the caller's cancellation on every call).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { canceledError, DEFAULT_GIT_TIMEOUT_MS, GitCommands, GitError, type GitCallOptions, type GitRun } from './command';
import { gitFoldersOf, headFromFiles, shallowFile, type GitFolders } from './gitFolders';
import { LOG_RECORD_FORMAT, LogRecordParser, type LogRecord } from './logRecords';
import type { CommitInfo } from '../model';
import { RangeWalk, WALK_FORMAT, type RangeFacts, type WalkReader } from './rangeWalk';
import { walkSegments } from './walkSegments';
import type { StoredWalk, WalkStore } from './walkStore';
import type { RemoteGit } from './helper/protocol';

export { GitError } from './command';
export type { RangeFacts } from './rangeWalk';

const FIELD = '\x1f';
const RECORD = '\x1e';
const COMMIT_FORMAT = `%H${FIELD}%s${FIELD}%an${FIELD}%aI`;
/** At most this many git processes walk one history at once (one per core, up to it). */
const MAX_WALKS = 4;
/** A walk held in memory (GitRepository.holdWalk) is let go of once continued into more logs than this. */
const MAX_HELD_LOGS = 32;
/** ... or once more than one commit in this many of it is out of HEAD's history. */
const UNREACHED_SHARE = 4;
const HEX_LABEL = /^[0-9a-f]{4,40}$/;
/** What a commit-ish may look like before git sees it: printable, no spaces, bounded. */
const COMMITISH = /^[\x21-\x7e]{1,256}$/;

export interface GitRepositoryOptions {
  /** False in an untrusted workspace (see GitRepository.examinesWorkingTree). */
  trusted?: boolean;
  /** How long one git call may run before it is killed and fails with a GitError (default 15 s). */
  timeoutMs?: number;
  /** Cancels opening: kills git and rejects with a GitError whose reason is `canceled`. */
  signal?: AbortSignal;
  /**
   * Where walks of the history are kept between runs (see walkStore.ts, beside this file): a later check walks only
   * the commits made since. Not used in a shallow clone.
   */
  walkStore?: WalkStore;
  /** Git runs as background work, below normal priority (GitCommands' `background`): the editor's repositories. */
  background?: boolean;
  /** Where git is started instead of this process (GitCommands' `helper`): the editor's helper process. */
  helper?: RemoteGit;
}

/** What every read takes: aborting the signal kills its git and rejects with a `canceled` GitError. */
export interface GitReadOptions {
  signal?: AbortSignal;
}

export type LabelResolution =
  | { kind: 'found'; sha: string }
  | { kind: 'unknown' }
  | { kind: 'ambiguous' }
  | { kind: 'invalid' };

/** What blame says about one line: the commit that last changed it, or that it is not committed (changed in the working tree, or in a file git does not track). */
export type BlameAnswer = { kind: 'commit'; sha: string } | { kind: 'not-committed'; reason: 'changed' | 'untracked' };

/** What range() and ranges() take: the paths a range is read for ([] or none: the whole repository). */
export interface RangeReadOptions extends GitReadOptions {
  /**
   * Only commits touching these paths are kept, each with its files under them: a range read for
   * every configured unit's paths serves each of those units. Empty or absent: every commit.
   */
  paths?: readonly string[];
}

/** A walk held for the next read to continue: every commit `tips` reach and none of `bottoms` do. */
interface HeldWalk {
  walk: RangeWalk;
  tips: string[];
  bottoms: string[];
}

export class GitRepository {
  /** deployed..HEAD facts never change for a given pair of SHAs, so they are kept across refreshes (to the same HEAD: see forgetRangesToOtherHeads). */
  private readonly rangeCache = new Map<string, Promise<RangeFacts>>();
  /** The HEAD the last ranges() read was to. */
  private rangesHead: string | undefined;
  /**
   * The walk the last shared read started leaves, for the next to continue when there is no walk
   * store (see readHeldRanges): read for `paths` (joined by NUL); undefined once that read is done
   * and leaves none.
   */
  private heldWalk: { paths: string; walk: Promise<HeldWalk | undefined> } | undefined;
  private readonly commitCache = new Map<string, Promise<CommitInfo | undefined>>();
  private readonly lastPathCommitCache = new Map<string, Promise<CommitInfo | null>>();
  /** The last answer of missingPaths, for its HEAD and paths. */
  private lastPresence: { key: string; missing: Promise<string[]> } | undefined;

  private constructor(
    readonly root: string,
    /**
     * False in an untrusted workspace: `git status` may run clean/process filters that the
     * repository's own config and .gitattributes name, so the working tree is not examined and
     * services are never flagged dirty there.
     */
    readonly examinesWorkingTree: boolean,
    private readonly commands: GitCommands,
    private readonly walkStore: WalkStore | undefined,
    /** The repository's git folders (null: a layout not known), where HEAD and whether the clone is shallow are read without a git process. */
    private readonly folders: GitFolders | null,
  ) {}

  /** Opens the repository containing `dir` (any folder inside the work tree). */
  static async open(dir: string, options: GitRepositoryOptions = {}): Promise<GitRepository> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
    const commands = new GitCommands(dir, timeoutMs, enclosingRepository(dir), options.background, options.helper);
    let top: GitRun;
    try {
      top = await commands.run(['rev-parse', '--show-toplevel'], { signal: options.signal });
    } catch (err) {
      if (!(err instanceof GitError) || err.reason !== 'failed') throw err;
      if (/dubious ownership/.test(err.stderr)) {
        throw new GitError(`${dir} is owned by another user; git refuses it (run: git config --global --add safe.directory ${dir})`, [], null, err.stderr);
      }
      throw new GitError(`${dir} is not inside a git repository`, [], null, err.stderr);
    }
    const root = path.resolve(top.stdout.trim());
    return new GitRepository(root, options.trusted ?? true, new GitCommands(root, timeoutMs, root, options.background, options.helper), options.walkStore, await gitFoldersOf(root));
  }

  private git(args: string[], options?: GitCallOptions): Promise<GitRun> {
    return this.commands.run(args, options);
  }

  /** The commit HEAD names: read from the git folder's files where they tell, else from `git rev-parse`. */
  async head(options: GitReadOptions = {}): Promise<string> {
    const read = this.folders ? await headFromFiles(this.folders) : null;
    if (options.signal?.aborted) throw canceledError('git rev-parse', ['rev-parse', 'HEAD']);
    if (read) return read;
    const { stdout } = await this.git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { allowExitCodes: [1], signal: options.signal }).catch((err: unknown) => {
      if (interrupted(err)) throw err;
      return { stdout: '' };
    });
    const sha = stdout.trim();
    if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new GitError(`the repository at ${this.root} has no commits yet`, ['rev-parse', 'HEAD'], 1, '');
    return sha;
  }

  /**
   * Resolves commit labels (short or full SHAs) in one git process. Only hex strings reach git; an
   * abbreviation that matches several commits is reported as ambiguous rather than guessed.
   */
  async resolveLabels(labels: string[], options: GitReadOptions = {}): Promise<Map<string, LabelResolution>> {
    const result = new Map<string, LabelResolution>();
    const candidates = [...new Set(labels)].filter((label) => {
      if (HEX_LABEL.test(label.toLowerCase())) return true;
      result.set(label, { kind: 'invalid' });
      return false;
    });
    if (candidates.length === 0) return result;
    // Each label twice: `<label>^{commit}` finds the commit, and the label alone tells "no object"
    // (missing) from "several objects" (ambiguous), which `^{commit}` reports alike as missing.
    const { stdout } = await this.git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], {
      input: candidates.map((l) => `${l.toLowerCase()}^{commit}\n${l.toLowerCase()}\n`).join(''),
      signal: options.signal,
    });
    const lines = stdout.split('\n');
    const several: string[] = [];
    candidates.forEach((label, i) => {
      const found = /^([0-9a-f]{40,64}) commit$/.exec(lines[2 * i] ?? '');
      if (found) result.set(label, { kind: 'found', sha: found[1]! });
      else if (/ ambiguous$/.test(lines[2 * i + 1] ?? '')) several.push(label);
      else result.set(label, { kind: 'unknown' });
    });
    // Several objects share the prefix and no single commit among them (a rare path): ambiguous
    // when two or more are commits; otherwise no commit has it.
    await Promise.all(
      several.map(async (label) => {
        result.set(label, (await this.countCommitsWithPrefix(label.toLowerCase(), options)) > 1 ? { kind: 'ambiguous' } : { kind: 'unknown' });
      }),
    );
    return result;
  }

  private async countCommitsWithPrefix(prefix: string, options: GitReadOptions): Promise<number> {
    if (prefix.length >= 40) return 0;
    const { stdout: names } = await this.git(['rev-parse', `--disambiguate=${prefix}`], { allowExitCodes: [1, 128], signal: options.signal });
    const objects = names.split('\n').filter((n) => /^[0-9a-f]{40,64}$/.test(n));
    if (objects.length < 2) return 0;
    const { stdout: types } = await this.git(['cat-file', '--batch-check=%(objecttype)'], { input: objects.join('\n') + '\n', signal: options.signal });
    return types.split('\n').filter((t) => t === 'commit').length;
  }

  /**
   * Subject, author and date of known commits, in one git process; cached forever (commits are
   * immutable). A commit already being read is awaited, not read again.
   */
  async describeCommits(shas: string[], options: GitReadOptions = {}): Promise<Map<string, CommitInfo>> {
    const infos = await this.shared(() => {
      const missing = [...new Set(shas)].filter((s) => !this.commitCache.has(s));
      if (missing.length > 0) {
        const reading = this.git(['log', '--no-walk=unsorted', `--format=${COMMIT_FORMAT}${RECORD}`, ...missing], { signal: options.signal }).then(({ stdout }) => {
          const found = new Map<string, CommitInfo>();
          for (const record of stdout.split(RECORD)) {
            const commit = parseCommit(record);
            if (commit) found.set(commit.sha, commit);
          }
          return found;
        });
        for (const sha of missing) void keep(this.commitCache, sha, reading.then((found) => found.get(sha)));
      }
      return Promise.all(shas.map(async (sha) => [sha, await this.commitCache.get(sha)] as const));
    }, options.signal);
    return new Map(infos.flatMap(([sha, info]) => (info ? [[sha, info] as const] : [])));
  }

  /**
   * Ancestry and the commits between a deployed commit and HEAD that touch `options.paths`, with
   * their files under them, so that every service deployed from the same commit shares one git
   * call when the range is read for all of their paths.
   */
  range(deployed: string, head: string, options: RangeReadOptions = {}): Promise<RangeFacts> {
    const paths = pathsKey(options.paths);
    return this.shared(() => {
      const key = rangeKey(deployed, head, paths);
      return this.rangeCache.get(key) ?? keep(this.rangeCache, key, this.readRange(deployed, head, paths, options.signal));
    }, options.signal);
  }

  /**
   * The ranges to `head` that a check has read (or is reading) for those of `deployed` that have
   * one read for every path in `paths` (or for the whole repository): a range read for fewer paths
   * lacks commits that touch only the others. Nothing is read here; a range whose read fails is left out.
   */
  async heldRanges(deployed: readonly string[], head: string, paths: readonly string[]): Promise<Map<string, RangeFacts>> {
    const covers = (key: string, sha: string): boolean => {
      const prefix = `${sha}..${head}\0`;
      if (!key.startsWith(prefix)) return false;
      const read = key.slice(prefix.length);
      if (read === '') return true;
      const readPaths = new Set(read.split('\0'));
      return paths.length > 0 && paths.every((p) => readPaths.has(p));
    };
    const held = await Promise.all(
      [...new Set(deployed)].map((sha) => {
        const key = [...this.rangeCache.keys()].find((k) => covers(k, sha));
        return key === undefined ? null : this.rangeCache.get(key)!.then((facts): [string, RangeFacts] => [sha, facts], () => null);
      }),
    );
    return new Map(held.filter((entry) => entry !== null));
  }

  /**
   * The ranges from several deployed commits to HEAD. Ranges to one HEAD overlap (a service
   * deployed last week shares most of its range with one deployed yesterday), so the ones not yet
   * cached are read together: one walk from HEAD down to the deployed commits' common base, whose
   * commits each range then takes its part of. A deployed commit that is not an ancestor of HEAD
   * (another branch) is read on its own. A range git could not read maps to the GitError saying
   * why (e.g. the walk timed out); the others still get their facts.
   */
  async ranges(deployed: string[], head: string, options: RangeReadOptions = {}): Promise<Map<string, RangeFacts | GitError>> {
    const paths = pathsKey(options.paths);
    this.forgetRangesToOtherHeads(head);
    const unique = [...new Set(deployed)];
    const missing = unique.filter((sha) => sha !== head && !this.rangeCache.has(rangeKey(sha, head, paths)));
    if (missing.length >= 2) {
      // A walk that failed for any reason but running out of time or being canceled leaves each
      // range to be read on its own.
      const shared = this.readSharedRanges(missing, head, paths, options.signal).catch((err: unknown) => {
        if (interrupted(err)) throw err;
        return new Map<string, RangeFacts>();
      });
      for (const sha of missing) void keep(this.rangeCache, rangeKey(sha, head, paths), shared.then((found) => found.get(sha) ?? this.readRange(sha, head, paths, options.signal)));
    }
    const settled = await Promise.all(
      unique.map(async (sha): Promise<[string, RangeFacts | GitError]> => {
        try {
          return [sha, await this.range(sha, head, options)];
        } catch (err) {
          if (!(err instanceof GitError) || options.signal?.aborted) throw err;
          return [sha, err];
        }
      }),
    );
    return new Map(settled);
  }

  /**
   * Checks read the ranges to the HEAD of their time: once one reads them to another HEAD (a commit
   * moved it), those kept for earlier ones are let go of, so that a long-lived repository holds the
   * walk of one HEAD, not of every HEAD it has seen (a walk of 100,000 commits keeps megabytes).
   */
  private forgetRangesToOtherHeads(head: string): void {
    if (this.rangesHead === head) return;
    this.rangesHead = head;
    for (const key of this.rangeCache.keys()) if (rangeHead(key) !== head) this.rangeCache.delete(key);
  }

  /**
   * See ranges(): the ancestors of HEAD among `deployed` get their facts; the others are left out.
   *
   * The walk goes from HEAD down to the deployed commits' common base. Asking git for it first
   * (`merge-base --octopus`) walks that history once more before the walk can start: half a second
   * for 100,000 commits. Instead the walk goes down to the deployed commit committed first, which,
   * in a repository deployed from one line of history, is the ancestor of all the others; the walk
   * itself then shows whether it is (RangeWalk.ranges: every other deployed commit reaches it).
   * Only when it is not, or some deployed commit is not in HEAD's history, is git asked, and the
   * walk extended from that commit down to the bases.
   *
   * The walk is kept for the next read to continue: in the walk store when there is one, else in
   * memory (see readHeldRanges), so that a read after HEAD moved walks only the commits made since.
   */
  private async readSharedRanges(deployed: string[], head: string, paths: readonly string[], signal: AbortSignal | undefined): Promise<Map<string, RangeFacts>> {
    // Asked first: the kept walk is read while git answers.
    const shallow = this.isShallow(signal);
    shallow.catch(() => undefined);
    const store = this.walkStore;
    if (!store) return this.readHeldRanges(deployed, head, paths, shallow, signal);
    const stored = store.load(this.root, paths);
    if (stored && !(await shallow)) {
      const fromStore = await this.rangesFromStore(store, stored, deployed, head, paths, signal);
      if (fromStore) return fromStore;
    }
    const fresh = await this.walkAfresh(deployed, head, paths, signal);
    if (fresh.walk && !(await shallow)) store.save(this.root, paths, { tip: head, bottoms: fresh.walk.bottoms, data: fresh.walk.walk.data() });
    fresh.walk?.walk.forgetLogs();
    return fresh.ranges;
  }

  /**
   * readSharedRanges without a walk store: the walk held in memory is continued (see holdWalk).
   * Reads for the same paths take it in turn: one started while another is under way waits for the
   * walk that one leaves and continues it, rather than walk the history afresh beside it. A read
   * that fails (or is canceled) after it took the walk leaves nothing held: the walk may be half
   * continued; one that fails while still waiting passes on the walk it waited for, untouched.
   */
  private async readHeldRanges(deployed: string[], head: string, paths: readonly string[], shallow: Promise<boolean>, signal: AbortSignal | undefined): Promise<Map<string, RangeFacts>> {
    const key = paths.join('\0');
    const before = this.heldWalk?.paths === key ? this.heldWalk.walk : undefined;
    let leave!: (held: HeldWalk | undefined | Promise<HeldWalk | undefined>) => void;
    this.heldWalk = { paths: key, walk: new Promise((resolve) => (leave = resolve)) };
    let taken = false;
    try {
      const held = before && (await untilAborted(before, signal));
      taken = true;
      if (held && !(await shallow)) {
        const continued = await this.continueWalk(held.walk, held.tips, held.bottoms, deployed, head, signal);
        if (continued) {
          leave(this.holdWalk(held.walk, continued.grew ? [...held.tips, head] : held.tips, held.bottoms));
          return continued.ranges;
        }
      }
      const fresh = await this.walkAfresh(deployed, head, paths, signal);
      if (fresh.walk && !(await shallow)) leave(this.holdWalk(fresh.walk.walk, fresh.walk.tips, fresh.walk.bottoms));
      else {
        fresh.walk?.walk.forgetLogs();
        leave(undefined);
      }
      return fresh.ranges;
    } catch (err) {
      leave(taken ? undefined : before);
      throw err;
    }
  }

  /**
   * The walk of readSharedRanges made afresh, with the walk itself (retaining its logs: the caller
   * keeps it, or lets go of its logs) when there was one to make: every commit `tips` reach and none
   * of `bottoms` do.
   */
  private async walkAfresh(deployed: string[], head: string, paths: readonly string[], signal: AbortSignal | undefined): Promise<{ ranges: Map<string, RangeFacts>; walk?: HeldWalk }> {
    const times = await this.committerTimes([head, ...deployed], signal);
    const walk = new RangeWalk(paths);
    walk.retainLogs();
    // Where the logs started: HEAD, and deployed commits, which may lie outside HEAD's history.
    const tips = [head];
    const walkFrom = (segments: string[][]): Promise<void> => {
      for (const [tip] of segments) if (!tips.includes(tip!)) tips.push(tip!);
      return this.runWalks(walk, segments, signal);
    };
    const done = (ranges: Map<string, RangeFacts>, bottoms: string[]) => ({ ranges, walk: { walk, tips, bottoms } });
    const oldest = [...deployed].filter((sha) => sha !== head && times.has(sha)).sort((a, b) => times.get(a)! - times.get(b)!)[0];
    if (oldest !== undefined) {
      await walkFrom(walkSegments(head, [oldest], times, this.walks()));
      const guessed = await walk.ranges(deployed, [oldest], head);
      if (guessed.unsure.length === 0) return done(guessed.ranges, [oldest]);
      const bases = await this.mergeBases(head, deployed, signal);
      // The commit was the base after all: those left unsure are not in HEAD's history.
      if (bases.length === 0 || bases.includes(head) || (bases.length === 1 && bases[0] === oldest)) return done(guessed.ranges, [oldest]);
      // What lies between that commit and the bases (with, were it not in HEAD's history, its own
      // commits, which are in no range).
      await walkFrom([[oldest, '--not', ...bases]]);
      return done((await walk.ranges(deployed, bases, head)).ranges, bases);
    }
    const bases = await this.mergeBases(head, deployed, signal);
    // No common base (unrelated histories): a walk would cover all of HEAD's history. HEAD itself
    // the base: every deployed commit descends from it, so the walk would be empty.
    if (bases.length === 0 || bases.includes(head)) return { ranges: new Map() };
    await walkFrom(walkSegments(head, bases, times, this.walks()));
    return done((await walk.ranges(deployed, bases, head)).ranges, bases);
  }

  /**
   * The ranges from `stored`, the walk kept in `store`, with the commits made since it was kept walked (one
   * short walk from HEAD down to it); kept again when that added any. Undefined when none is kept,
   * git cannot walk from it (its commits are gone: history was rewritten and collected), or some
   * deployed commit's range reaches below it: the caller then walks afresh. A HEAD that moved back
   * or to rewritten commits is read right: the walk holds what HEAD reaches, and what it does not is in no range.
   */
  private async rangesFromStore(store: WalkStore, stored: StoredWalk, deployed: string[], head: string, paths: readonly string[], signal: AbortSignal | undefined): Promise<Map<string, RangeFacts> | undefined> {
    let walk: RangeWalk;
    try {
      walk = RangeWalk.fromData(paths, stored.data);
    } catch {
      return undefined;
    }
    walk.retainLogs();
    const continued = await this.continueWalk(walk, [stored.tip], stored.bottoms, deployed, head, signal);
    if (!continued) return undefined;
    if (continued.grew) store.save(this.root, paths, { tip: head, bottoms: stored.bottoms, data: walk.data() });
    walk.forgetLogs();
    return continued.ranges;
  }

  /**
   * The ranges from `walk`, a walk retaining its logs of every commit `tips` reach and none of
   * `bottoms` do, continued by one log of what it lacks of HEAD's history (`HEAD --not <tips>
   * <bottoms>`; nothing when it holds HEAD); `grew` when that added a log. Undefined when git cannot
   * walk from the tips (their commits are gone: history was rewritten and collected), or some
   * deployed commit's range reaches below the walk: the caller then walks afresh.
   */
  private async continueWalk(walk: RangeWalk, tips: readonly string[], bottoms: readonly string[], deployed: string[], head: string, signal: AbortSignal | undefined): Promise<{ ranges: Map<string, RangeFacts>; grew: boolean } | undefined> {
    const held = walk.holding([head, ...deployed]);
    const grew = !tips.includes(head) && !held.has(head);
    if (grew) {
      try {
        // Deployed commits the walk holds bound it too, should HEAD no longer reach the tips.
        await this.runWalks(walk, [[head, '--not', ...tips, ...bottoms, ...deployed.filter((sha) => held.has(sha))]], signal);
      } catch (err) {
        if (interrupted(err)) throw err;
        return undefined;
      }
    }
    const { ranges, unsure } = await walk.ranges(deployed, bottoms, head);
    if (unsure.length > 0) {
      walk.forgetLogs();
      return undefined;
    }
    return { ranges, grew };
  }

  /**
   * What a shared read leaves for the next to continue (see readHeldRanges): `walk`, retaining its
   * logs; the repository holds one walk, left by the read started last (of its paths and HEAD; a
   * read of other paths started beside one leaves that one's walk unheld). A walk grown past
   * MAX_HELD_LOGS logs, or holding many commits HEAD no longer reaches (after a reset or a rewrite),
   * is let go of instead (undefined), and the next read walks afresh: it holds what HEAD reaches,
   * and a few megabytes per 100,000 commits.
   */
  private holdWalk(walk: RangeWalk, tips: string[], bottoms: string[]): HeldWalk | undefined {
    const { logs, records, unreached } = walk.extent();
    if (logs > MAX_HELD_LOGS || unreached * UNREACHED_SHARE > records) {
      walk.forgetLogs();
      return undefined;
    }
    return { walk, tips, bottoms };
  }

  /**
   * A shallow clone's walks end at its boundary, which a later fetch may move: they are not kept
   * (nor when git cannot say).
   */
  private async isShallow(signal: AbortSignal | undefined): Promise<boolean> {
    signal?.throwIfAborted();
    return (await this.shallow(signal)) !== false;
  }

  /**
   * Whether the clone is shallow: git's test (`rev-parse --is-shallow-repository`), whether the
   * common git folder holds a `shallow` file, made without a process where the folder is known;
   * else git is asked. Null when it cannot be told.
   */
  private async shallow(signal?: AbortSignal): Promise<boolean | null> {
    if (this.folders === null) {
      try {
        const { stdout } = await this.git(['rev-parse', '--is-shallow-repository'], { signal });
        return stdout.trim() === 'true' ? true : stdout.trim() === 'false' ? false : null;
      } catch (err) {
        if (interrupted(err)) throw err;
        return null;
      }
    }
    try {
      await fs.promises.access(shallowFile(this.folders));
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT' ? false : null;
    }
  }

  /** The common bases of HEAD and every deployed commit; none for unrelated histories. */
  private async mergeBases(head: string, deployed: string[], signal: AbortSignal | undefined): Promise<string[]> {
    const { stdout } = await this.git(['merge-base', '--octopus', '--all', head, ...deployed], { allowExitCodes: [1], signal });
    return stdout.split('\n').filter((line) => /^[0-9a-f]{40,64}$/.test(line));
  }

  /** How many git processes walk a history at once: one per core, up to MAX_WALKS. */
  private walks(): number {
    return Math.min(MAX_WALKS, os.availableParallelism());
  }

  /**
   * Runs the walks, each into a reader of `walk` of its own, all at once: every commit of each,
   * parents never before their children (what RangeWalk needs). No pathspec: git limiting the walk
   * to paths compares each commit's paths with its parents' to decide which to show, and that costs
   * more than the whole walk (1.4 to 2 times as much CPU). One failing stops the others.
   */
  private async runWalks(walk: RangeWalk, segments: string[][], signal: AbortSignal | undefined): Promise<void> {
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) stop.abort();
    try {
      await Promise.all(
        segments.map((revisions) =>
          this.walkLog(['--date-order', ...revisions], walk.reader(), stop.signal).catch((err: unknown) => {
            stop.abort();
            throw err;
          }),
        ),
      );
    } catch (err) {
      // The first failure, not the cancellations it caused (nor, when the caller canceled, anything but that).
      throw signal?.aborted ? canceledError('git log') : err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Each commit's committer time (seconds); empty when git cannot say, which only costs the walk its split. */
  private async committerTimes(shas: string[], signal: AbortSignal | undefined): Promise<Map<string, number>> {
    const times = new Map<string, number>();
    try {
      const { stdout } = await this.git(['log', '--no-walk=unsorted', '--format=%H %ct', ...shas, '--'], { signal });
      for (const line of stdout.split('\n')) {
        const [sha, time] = line.split(' ');
        if (sha && /^\d+$/.test(time ?? '')) times.set(sha, Number(time));
      }
    } catch (err) {
      if (interrupted(err)) throw err;
    }
    return times;
  }

  private async readRange(deployed: string, head: string, paths: readonly string[], signal: AbortSignal | undefined): Promise<RangeFacts> {
    if (deployed === head) return { isAncestor: true, commits: [] };
    const walk = new RangeWalk(paths);
    // `merge-base A B` prints A exactly when A is an ancestor of B. (Not `--is-ancestor`, which
    // answers with its exit code alone: simple-git waits 50 ms more for a git that printed nothing.)
    const [base] = await Promise.all([
      this.git(['merge-base', deployed, head], { allowExitCodes: [1], signal }),
      this.walkLog(['--date-order', '--no-merges', `${deployed}..${head}`], walk.reader(), signal),
    ]);
    return walk.whole(base.stdout.trim() === deployed);
  }

  /** Streams `git log` of `revisions` with WALK_FORMAT and every commit's files into `reader`. */
  private async walkLog(revisions: string[], reader: WalkReader, signal: AbortSignal | undefined): Promise<void> {
    // A walk reads each commit's trees once, newest first: git's cache of delta bases (96 MB by
    // default) gains it nothing beyond its first megabytes, and filled it is most of git's memory.
    await this.commands.stream(['log', '--no-renames', '-z', '--name-only', `--format=${WALK_FORMAT}`, ...revisions, '--'], (chunk) => reader.push(chunk), {
      signal,
      config: ['core.deltaBaseCacheLimit=16m'],
    });
    reader.end();
  }

  /**
   * The commit a commit-ish names (a SHA, a branch, `HEAD~2`, a tag), or null when it names none.
   * Refused before git sees it when it could be read as an option or holds control characters.
   */
  async resolveCommitish(ref: string, options: GitReadOptions = {}): Promise<string | null> {
    if (!COMMITISH.test(ref) || ref.startsWith('-')) throw new GitError(`not a commit: ${JSON.stringify(ref)}`, [], null, '');
    const { stdout } = await this.git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], { allowExitCodes: [1, 128], signal: options.signal });
    const sha = stdout.trim();
    return /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
  }

  /** A commit with its parents and the files it changed (a merge: against its first parent), in one git process. */
  async commitWithFiles(sha: string, options: GitReadOptions = {}): Promise<CommitWithFiles> {
    if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new GitError(`not a commit id: ${sha}`, [], null, '');
    const { stdout } = await this.git([...COMMIT_WITH_FILES, sha, '--'], { signal: options.signal });
    const found = onlyRecord(stdout);
    if (!found) throw new GitError(`git log printed nothing for ${sha}`, [], null, '');
    return found;
  }

  /**
   * commitWithFiles of the commit a commit-ish names, in one git process when it names one; null when
   * it names none. Refused as resolveCommitish refuses.
   */
  async commitishWithFiles(ref: string, options: GitReadOptions = {}): Promise<CommitWithFiles | null> {
    if (!COMMITISH.test(ref) || ref.startsWith('-')) throw new GitError(`not a commit: ${JSON.stringify(ref)}`, [], null, '');
    const { stdout, exitCode } = await this.git([...COMMIT_WITH_FILES, '--end-of-options', `${ref}^{commit}`, '--'], { allowExitCodes: [128], signal: options.signal });
    const found = exitCode === 0 ? onlyRecord(stdout) : null;
    if (found) return found;
    // Named nothing, or something git log would not take: resolveCommitish's answer decides.
    const sha = await this.resolveCommitish(ref, options);
    return sha === null ? null : this.commitWithFiles(sha, options);
  }

  /**
   * Whether `tip` contains `commit` (it is the tip or one of its ancestors). `merge-base` prints
   * `commit` exactly then: one line of output however far apart they lie, where tipsContaining's
   * `rev-list` prints every commit between.
   */
  async containsCommit(tip: string, commit: string, options: GitReadOptions = {}): Promise<boolean> {
    if (tip === commit) return true;
    const notSha = [tip, commit].find((sha) => !/^[0-9a-f]{40,64}$/.test(sha));
    if (notSha !== undefined) throw new GitError(`not a commit: ${JSON.stringify(notSha)}`, [], null, '');
    const { stdout } = await this.git(['merge-base', commit, tip], { allowExitCodes: [1], signal: options.signal });
    return stdout.trim() === commit;
  }

  /**
   * Which of `tips` contain `commit` (it is the tip or one of its ancestors), in one git process
   * however many tips: `rev-list --ancestry-path ^commit tips…` lists exactly the descendants of
   * `commit` among what the tips reach.
   */
  async tipsContaining(commit: string, tips: string[], options: GitReadOptions = {}): Promise<Map<string, boolean>> {
    const unique = [...new Set(tips)].filter((tip) => /^[0-9a-f]{40,64}$/.test(tip));
    const result = new Map(unique.map((tip) => [tip, tip === commit]));
    const others = unique.filter((tip) => tip !== commit);
    if (others.length === 0) return result;
    const { stdout } = await this.git(['rev-list', '--ancestry-path', `^${commit}`, ...others, '--'], { signal: options.signal });
    const descendants = new Set(stdout.split('\n'));
    for (const tip of others) result.set(tip, descendants.has(tip));
    return result;
  }

  /**
   * The commit that last changed one line of a file (1-based), from `git blame --porcelain`: null
   * when the line is not committed (changed in the working tree, or the file is not tracked).
   * Examining the working tree runs the clean filters the repository names, so, as `git status`,
   * blame runs in a process group of its own; where the working tree is not examined (an untrusted
   * workspace), HEAD's version of the file is blamed.
   */
  async blameLine(file: string, line: number, options: GitReadOptions = {}): Promise<BlameAnswer> {
    if (!Number.isInteger(line) || line < 1) throw new GitError(`not a line number: ${line}`, [], null, '');
    const args = ['blame', '--porcelain', '--no-textconv', '-L', `${line},${line}`, ...(this.examinesWorkingTree ? [] : ['HEAD']), '--', file];
    const run = this.examinesWorkingTree ? this.commands.runInOwnProcessGroup(args, { allowExitCodes: [128], signal: options.signal }) : this.git(args, { allowExitCodes: [128], signal: options.signal });
    const { stdout, stderr, exitCode } = await run;
    if (exitCode !== 0) {
      if (/no such path .* in HEAD/.test(stderr)) return { kind: 'not-committed', reason: 'untracked' };
      const lines = /has only (\d+) lines?/.exec(stderr);
      if (lines) throw new GitError(`${file} has only ${lines[1]} line${lines[1] === '1' ? '' : 's'}`, args, exitCode, stderr);
      throw new GitError(`git blame failed: ${stderr.split('\n').find((l) => l.trim()) ?? `exit ${exitCode}`}`, args, exitCode, stderr);
    }
    const sha = /^([0-9a-f]{40,64}) /.exec(stdout)?.[1];
    if (!sha) throw new GitError(`git blame printed no commit for line ${line} of ${file}`, args, exitCode, stderr);
    if (/^0+$/.test(sha)) return { kind: 'not-committed', reason: 'changed' };
    return { kind: 'commit', sha };
  }

  /** The newest commit touching `paths` at HEAD (whole repository when empty). */
  lastCommitTouching(paths: string[], head: string, options: GitReadOptions = {}): Promise<CommitInfo | null> {
    return this.shared(() => {
      const key = `${head}\0${paths.join('\0')}`;
      return (
        this.lastPathCommitCache.get(key) ??
        keep(
          this.lastPathCommitCache,
          key,
          this.git(['log', '-1', `--format=${COMMIT_FORMAT}`, head, '--', ...pathspecs(paths)], { signal: options.signal }).then(({ stdout }) => parseCommit(stdout)),
        )
      );
    }, options.signal);
  }

  /**
   * What this clone holds for the configured paths: those that name nothing in `head`'s tree (a
   * misspelt path, or one not committed yet), every path in one `cat-file`, and whether its history
   * is cut short (a shallow clone, whose deployed commits may lie beyond the boundary).
   */
  async pathPresence(head: string, paths: string[], options: GitReadOptions = {}): Promise<{ missingPaths: string[]; shallow: boolean }> {
    const [missingPaths, shallow] = await Promise.all([this.missingPaths(head, [...new Set(paths)], options.signal), this.shallow(options.signal)]);
    return { missingPaths, shallow: shallow === true };
  }

  /**
   * Those of `paths` that name nothing in `head`'s tree, in one `cat-file`. A commit's tree never
   * changes: the answer for the last HEAD and paths asked is kept, and a refresh to the same HEAD
   * asks git nothing (a check of other units, with other paths, asks again).
   */
  private async missingPaths(head: string, paths: string[], signal: AbortSignal | undefined): Promise<string[]> {
    if (paths.length === 0) return [];
    const key = `${head}\0${paths.join('\0')}`;
    // A read another caller started and then canceled is made again (shared), not taken as this one's failure.
    const missing = await this.shared(() => {
      if (this.lastPresence?.key === key) return this.lastPresence.missing;
      const reading = this.git(['cat-file', '--batch-check=%(objecttype)'], { input: paths.map((p) => `${head}:${p}\n`).join(''), signal }).then(({ stdout }) => {
        // One line per path: its object type (blob, tree, commit for a submodule), or "<name> missing".
        const types = stdout.split('\n');
        return paths.filter((_, i) => !/^(blob|tree|commit)$/.test(types[i] ?? ''));
      });
      const kept = { key, missing: reading };
      this.lastPresence = kept;
      // A failed or canceled read is not kept.
      reading.catch(() => {
        if (this.lastPresence === kept) this.lastPresence = undefined;
      });
      return reading;
    }, signal);
    return [...missing];
  }

  /**
   * Repository-relative paths with uncommitted or untracked changes. The one call that runs
   * programs the repository names (its clean filters), so git runs in a process group of its own
   * that a deadline or cancellation kills whole (GitCommands.runInOwnProcessGroup).
   */
  async changedPaths(options: GitReadOptions = {}): Promise<string[]> {
    if (!this.examinesWorkingTree) return [];
    const { stdout } = await this.commands.runInOwnProcessGroup(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignore-submodules=dirty'], { signal: options.signal });
    const files: string[] = [];
    const fields = stdout.split('\0');
    for (let i = 0; i < fields.length; i++) {
      const entry = fields[i]!;
      if (entry.length < 4) continue;
      files.push(entry.slice(3));
      // Renames and copies carry the original path as the next field; both sides count as changed.
      if (entry[0] === 'R' || entry[0] === 'C') files.push(fields[++i] ?? '');
    }
    return files.filter(Boolean);
  }

  /** `git show` of one commit limited to `paths`, for reading in the editor. Never runs diff drivers. */
  async commitPatch(sha: string, paths: string[], options: GitReadOptions = {}): Promise<string> {
    if (!/^[0-9a-f]{7,64}$/.test(sha)) throw new GitError(`not a commit id: ${sha}`, [], null, '');
    const { stdout } = await this.git(['show', '--no-color', '--no-ext-diff', '--no-textconv', '--format=fuller', '--stat', '--patch', sha, '--', ...pathspecs(paths)], {
      signal: options.signal,
    });
    return stdout;
  }

  /** `git rev-parse --short`: the abbreviation git itself would print for a commit. */
  async abbreviate(sha: string, options: GitReadOptions = {}): Promise<string> {
    if (!/^[0-9a-f]{4,64}$/.test(sha)) throw new GitError(`not a commit id: ${sha}`, [], null, '');
    const { stdout } = await this.git(['rev-parse', '--short', sha], { signal: options.signal });
    return stdout.trim();
  }

  /**
   * Waits on reads kept in the caches, which other callers may have started and share: stops
   * waiting as soon as this caller's signal aborts, and, when a read was canceled by the caller that
   * started it rather than by this one, runs `read` again (the canceled entries have left the cache).
   */
  private async shared<T>(read: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    for (;;) {
      try {
        return await untilAborted(read(), signal);
      } catch (err) {
        if (err instanceof GitError && err.reason === 'canceled' && !signal?.aborted) continue;
        throw err;
      }
    }
  }
}

/** Caches `value` under `key` until it fails; returns it. */
function keep<K, V>(cache: Map<K, Promise<V>>, key: K, value: Promise<V>): Promise<V> {
  cache.set(key, value);
  value.catch(() => {
    if (cache.get(key) === value) cache.delete(key);
  });
  return value;
}

/** A git call that ran out of time or was canceled, as opposed to one git answered with a failure. */
function interrupted(err: unknown): boolean {
  return err instanceof GitError && err.reason !== 'failed';
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(canceledError('git'));
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(canceledError('git'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

/**
 * The folder holding `.git` at or above `dir`, as git would find it (else `dir`): git must not be
 * taken from it even before git has said where the repository is.
 */
function enclosingRepository(dir: string): string {
  const start = path.resolve(dir);
  for (let current = start; ; current = path.dirname(current)) {
    if (fs.existsSync(path.join(current, '.git'))) return current;
    if (path.dirname(current) === current) return start;
  }
}

/** True when `file` lies inside one of the service's paths (every file when there are none). */
export function touchesPaths(file: string, paths: string[]): boolean {
  if (paths.length === 0) return true;
  return paths.some((p) => file === p || file.startsWith(`${p}/`));
}

/** The paths a range is read for, sorted and each once: [] for the whole repository. */
function pathsKey(paths: readonly string[] | undefined): readonly string[] {
  return [...new Set(paths ?? [])].sort();
}

function rangeKey(deployed: string, head: string, paths: readonly string[]): string {
  return `${deployed}..${head}\0${paths.join('\0')}`;
}

function rangeHead(key: string): string {
  return key.slice(key.indexOf('..') + 2, key.indexOf('\0'));
}

/** Literal pathspecs: a configured path is a directory or file name, never a glob or magic. */
function pathspecs(paths: readonly string[]): string[] {
  return paths.map((p) => `:(literal)${p}`);
}

function parseCommit(record: string): CommitInfo | null {
  const [sha, subject, author, date] = record.replace(/^\n+/, '').split(FIELD);
  if (!sha || !/^[0-9a-f]{40,64}$/.test(sha.trim())) return null;
  return { sha: sha.trim(), subject: subject ?? '', author: author ?? '', date: (date ?? '').trim() };
}

/** A commit with its parents and the files it changed (a merge: against its first parent). */
export interface CommitWithFiles {
  commit: CommitInfo;
  parents: string[];
  files: string[];
}

/** `git log -1` of one commit with its files, in LOG_RECORD_FORMAT; the commit follows. */
const COMMIT_WITH_FILES = ['log', '-1', '--no-renames', '--diff-merges=first-parent', '-z', '--name-only', `--format=${LOG_RECORD_FORMAT}`];

/** The one record `git log -1` printed, or null. */
function onlyRecord(stdout: string): CommitWithFiles | null {
  const records: LogRecord[] = [];
  const parser = new LogRecordParser((record) => records.push(record));
  parser.push(Buffer.from(stdout, 'utf8'));
  parser.end();
  const [found] = records;
  return found ? { commit: found.commit, parents: found.parents, files: found.files } : null;
}
