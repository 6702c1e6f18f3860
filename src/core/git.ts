import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { CommitInfo } from './model';

/**
 * Git facts the verdicts need, read with the real git binary.
 *
 * We spawn git ourselves rather than through simple-git because the hot paths need what it does not
 * offer: stdin for `cat-file --batch-check` (every label resolved in one process), NUL-separated
 * output, and a fixed set of `-c` overrides that keep a hostile repository's config from running
 * programs (fsmonitor, external diff, textconv) when the workspace is not trusted.
 */

/** Overrides applied to every git call: none of them changes an answer, all of them remove a way to run repo-configured programs. */
const SAFE_CONFIG = ['-c', 'core.fsmonitor=false', '-c', 'diff.external=', '-c', 'core.pager=cat', '-c', 'i18n.logOutputEncoding=UTF-8', '-c', 'log.showSignature=false'];
const FIELD = '\x1f';
const RECORD = '\x1e';
const COMMIT_FORMAT = `%H${FIELD}%s${FIELD}%an${FIELD}%aI`;
const HEX_LABEL = /^[0-9a-f]{4,40}$/;

export class GitError extends Error {
  constructor(
    message: string,
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

interface GitRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export function runGit(cwd: string, args: string[], options: { input?: string; allowExitCodes?: number[] } = {}): Promise<GitRun> {
  const fullArgs = [...SAFE_CONFIG, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn('git', fullArgs, {
      cwd,
      // Optional locks off: our `git status` must never hold index.lock while the user commits.
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new GitError(`cannot run git: ${e.message}`, args, null, '')));
    child.on('close', (code) => {
      const result = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode: code ?? -1 };
      if (code === 0 || options.allowExitCodes?.includes(code ?? -1)) resolve(result);
      else reject(new GitError(`git ${args[0]} failed: ${firstLine(result.stderr) || `exit ${code}`}`, args, code, result.stderr));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

export type LabelResolution =
  | { kind: 'found'; sha: string }
  | { kind: 'unknown' }
  | { kind: 'ambiguous' }
  | { kind: 'invalid' };

export interface RangeFacts {
  /** Whether the deployed commit is an ancestor of (or equal to) HEAD. */
  isAncestor: boolean;
  /** Non-merge commits in deployed..HEAD, newest first, each with the files it touched. */
  commits: { commit: CommitInfo; files: string[] }[];
}

export class GitRepository {
  /** deployed..HEAD facts never change for a given pair of SHAs, so they are kept across refreshes. */
  private readonly rangeCache = new Map<string, Promise<RangeFacts>>();
  private readonly commitCache = new Map<string, Promise<CommitInfo | undefined>>();
  private readonly lastPathCommitCache = new Map<string, Promise<CommitInfo | null>>();

  private constructor(
    readonly root: string,
    /**
     * False in an untrusted workspace: `git status` may run clean/process filters that the
     * repository's own config and .gitattributes name, so the working tree is not examined and
     * services are never flagged dirty there.
     */
    readonly examinesWorkingTree: boolean,
  ) {}

  /** Opens the repository containing `dir` (any folder inside the work tree). */
  static async open(dir: string, options: { trusted?: boolean } = {}): Promise<GitRepository> {
    let top: GitRun;
    try {
      top = await runGit(dir, ['rev-parse', '--show-toplevel']);
    } catch (err) {
      const stderr = err instanceof GitError ? err.stderr : '';
      if (/dubious ownership/.test(stderr)) {
        throw new GitError(`${dir} is owned by another user; git refuses it (run: git config --global --add safe.directory ${dir})`, [], null, stderr);
      }
      throw new GitError(`${dir} is not inside a git repository`, [], null, stderr);
    }
    return new GitRepository(path.resolve(top.stdout.trim()), options.trusted ?? true);
  }

  private git(args: string[], options?: { input?: string; allowExitCodes?: number[] }): Promise<GitRun> {
    return runGit(this.root, args, options);
  }

  async head(): Promise<string> {
    const { stdout } = await this.git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { allowExitCodes: [1] }).catch(() => ({ stdout: '' }));
    const sha = stdout.trim();
    if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new GitError(`the repository at ${this.root} has no commits yet`, ['rev-parse', 'HEAD'], 1, '');
    return sha;
  }

  /**
   * Resolves commit labels (short or full SHAs) in one git process. Only hex strings reach git; an
   * abbreviation that matches several commits is reported as ambiguous rather than guessed.
   */
  async resolveLabels(labels: string[]): Promise<Map<string, LabelResolution>> {
    const result = new Map<string, LabelResolution>();
    const candidates = [...new Set(labels)].filter((label) => {
      if (HEX_LABEL.test(label.toLowerCase())) return true;
      result.set(label, { kind: 'invalid' });
      return false;
    });
    if (candidates.length === 0) return result;
    const { stdout } = await this.git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], {
      input: candidates.map((l) => `${l.toLowerCase()}^{commit}\n`).join(''),
    });
    const lines = stdout.split('\n');
    const unresolved: string[] = [];
    candidates.forEach((label, i) => {
      const found = /^([0-9a-f]{40,64}) commit$/.exec(lines[i] ?? '');
      if (found) result.set(label, { kind: 'found', sha: found[1]! });
      else unresolved.push(label);
    });
    // `<prefix>^{commit}` reports "missing" both when no commit matches and when several do; tell
    // the two apart (a rare path) by counting the commits among the prefix's candidates.
    await Promise.all(
      unresolved.map(async (label) => {
        result.set(label, (await this.countCommitsWithPrefix(label.toLowerCase())) > 1 ? { kind: 'ambiguous' } : { kind: 'unknown' });
      }),
    );
    return result;
  }

  private async countCommitsWithPrefix(prefix: string): Promise<number> {
    if (prefix.length >= 40) return 0;
    const { stdout: names } = await this.git(['rev-parse', `--disambiguate=${prefix}`], { allowExitCodes: [1, 128] });
    const objects = names.split('\n').filter((n) => /^[0-9a-f]{40,64}$/.test(n));
    if (objects.length < 2) return 0;
    const { stdout: types } = await this.git(['cat-file', '--batch-check=%(objecttype)'], { input: objects.join('\n') + '\n' });
    return types.split('\n').filter((t) => t === 'commit').length;
  }

  /**
   * Subject, author and date of known commits, in one git process; cached forever (commits are
   * immutable). A commit already being read is awaited, not read again.
   */
  async describeCommits(shas: string[]): Promise<Map<string, CommitInfo>> {
    const missing = [...new Set(shas)].filter((s) => !this.commitCache.has(s));
    if (missing.length > 0) {
      const reading = this.git(['log', '--no-walk=unsorted', `--format=${COMMIT_FORMAT}${RECORD}`, ...missing]).then(({ stdout }) => {
        const found = new Map<string, CommitInfo>();
        for (const record of stdout.split(RECORD)) {
          const commit = parseCommit(record);
          if (commit) found.set(commit.sha, commit);
        }
        return found;
      });
      for (const sha of missing) {
        const info = reading.then((found) => found.get(sha));
        this.commitCache.set(sha, info);
        info.catch(() => this.commitCache.delete(sha));
      }
    }
    const infos = await Promise.all(shas.map(async (sha) => [sha, await this.commitCache.get(sha)] as const));
    return new Map(infos.flatMap(([sha, info]) => (info ? [[sha, info] as const] : [])));
  }

  /**
   * Ancestry and the commits between a deployed commit and HEAD, with their files, so that every
   * service deployed from the same commit shares one git call whatever its paths.
   */
  range(deployed: string, head: string): Promise<RangeFacts> {
    const key = `${deployed}..${head}`;
    let cached = this.rangeCache.get(key);
    if (!cached) {
      cached = this.readRange(deployed, head);
      cached.catch(() => this.rangeCache.delete(key));
      this.rangeCache.set(key, cached);
    }
    return cached;
  }

  /**
   * The ranges from several deployed commits to HEAD. Ranges to one HEAD overlap (a service
   * deployed last week shares most of its range with one deployed yesterday), so the ones not yet
   * cached are read together: one walk from HEAD down to the deployed commits' common base, whose
   * commits and files each range then takes its part of. A deployed commit that is not an ancestor
   * of HEAD (another branch) is read on its own.
   */
  async ranges(deployed: string[], head: string): Promise<Map<string, RangeFacts>> {
    const unique = [...new Set(deployed)];
    const missing = unique.filter((sha) => !this.rangeCache.has(`${sha}..${head}`));
    if (missing.length >= 2) {
      const shared = this.readSharedRanges(missing, head).catch(() => new Map<string, RangeFacts>());
      for (const sha of missing) {
        const key = `${sha}..${head}`;
        const facts = shared.then((found) => found.get(sha) ?? this.readRange(sha, head));
        facts.catch(() => this.rangeCache.delete(key));
        this.rangeCache.set(key, facts);
      }
    }
    return new Map(await Promise.all(unique.map(async (sha) => [sha, await this.range(sha, head)] as const)));
  }

  /** See ranges(): the ancestors of HEAD among `deployed` get their facts; the others are left out. */
  private async readSharedRanges(deployed: string[], head: string): Promise<Map<string, RangeFacts>> {
    const found = new Map<string, RangeFacts>();
    const { stdout: baseOut } = await this.git(['merge-base', '--octopus', '--all', head, ...deployed], { allowExitCodes: [1] });
    const bases = baseOut.split('\n').filter((line) => /^[0-9a-f]{40,64}$/.test(line));
    // No common base (unrelated histories): a walk would cover all of HEAD's history.
    if (bases.length === 0) return found;
    const log = await this.git(['log', '--no-renames', '-z', '--name-only', `--format=${RECORD}%P${FIELD}${COMMIT_FORMAT}`, head, '--not', ...bases]);
    const walked = parseLogWithParents(log.stdout);
    const bySha = new Map(walked.map((entry) => [entry.commit.sha, entry]));
    for (const sha of deployed) {
      // Every base is an ancestor of each deployed commit, so one that is itself a base is the only
      // base and its range is the whole walk; one outside the walk and not a base is not an ancestor.
      if (!bySha.has(sha) && !bases.includes(sha)) continue;
      const reachable = new Set<string>();
      const pending = [sha];
      while (pending.length > 0) {
        const next = pending.pop()!;
        const entry = bySha.get(next);
        // Commits outside the walk are below the base, so already outside every range.
        if (!entry || reachable.has(next)) continue;
        reachable.add(next);
        pending.push(...entry.parents);
      }
      const commits = walked.filter((entry) => entry.parents.length <= 1 && !reachable.has(entry.commit.sha)).map(({ commit, files }) => ({ commit, files }));
      found.set(sha, { isAncestor: true, commits });
    }
    return found;
  }

  private async readRange(deployed: string, head: string): Promise<RangeFacts> {
    const [ancestry, log] = await Promise.all([
      this.git(['merge-base', '--is-ancestor', deployed, head], { allowExitCodes: [1] }),
      this.git(['log', '--no-merges', '--no-renames', '-z', '--name-only', `--format=${RECORD}${COMMIT_FORMAT}`, `${deployed}..${head}`]),
    ]);
    return { isAncestor: ancestry.exitCode === 0, commits: parseLogWithFiles(log.stdout) };
  }

  /** The newest commit touching `paths` at HEAD (whole repository when empty). */
  lastCommitTouching(paths: string[], head: string): Promise<CommitInfo | null> {
    const key = `${head}\0${paths.join('\0')}`;
    let cached = this.lastPathCommitCache.get(key);
    if (!cached) {
      cached = this.git(['log', '-1', `--format=${COMMIT_FORMAT}`, head, '--', ...pathspecs(paths)]).then(({ stdout }) => parseCommit(stdout));
      cached.catch(() => this.lastPathCommitCache.delete(key));
      this.lastPathCommitCache.set(key, cached);
    }
    return cached;
  }

  /**
   * What this clone holds for the configured paths: those that name nothing in `head`'s tree (a
   * misspelt path, or one not committed yet), every path in one `cat-file`, and whether its history
   * is cut short (a shallow clone, whose deployed commits may lie beyond the boundary).
   */
  async pathPresence(head: string, paths: string[]): Promise<{ missingPaths: string[]; shallow: boolean }> {
    const unique = [...new Set(paths)];
    const [objects, shallow] = await Promise.all([
      unique.length === 0 ? { stdout: '' } : this.git(['cat-file', '--batch-check=%(objecttype)'], { input: unique.map((p) => `${head}:${p}\n`).join('') }),
      this.git(['rev-parse', '--is-shallow-repository']),
    ]);
    // One line per path: its object type (blob, tree, commit for a submodule), or "<name> missing".
    const types = objects.stdout.split('\n');
    return {
      missingPaths: unique.filter((_, i) => !/^(blob|tree|commit)$/.test(types[i] ?? '')),
      shallow: shallow.stdout.trim() === 'true',
    };
  }

  /** Repository-relative paths with uncommitted or untracked changes. */
  async changedPaths(): Promise<string[]> {
    if (!this.examinesWorkingTree) return [];
    const { stdout } = await this.git(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignore-submodules=dirty']);
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
  async commitPatch(sha: string, paths: string[]): Promise<string> {
    if (!/^[0-9a-f]{7,64}$/.test(sha)) throw new GitError(`not a commit id: ${sha}`, [], null, '');
    const { stdout } = await this.git(['show', '--no-color', '--no-ext-diff', '--no-textconv', '--format=fuller', '--stat', '--patch', sha, '--', ...pathspecs(paths)]);
    return stdout;
  }
}

/** True when `file` lies inside one of the service's paths (every file when there are none). */
export function touchesPaths(file: string, paths: string[]): boolean {
  if (paths.length === 0) return true;
  return paths.some((p) => file === p || file.startsWith(`${p}/`));
}

/** Literal pathspecs: a configured path is a directory or file name, never a glob or magic. */
function pathspecs(paths: string[]): string[] {
  return paths.map((p) => `:(literal)${p}`);
}

function parseCommit(record: string): CommitInfo | null {
  const [sha, subject, author, date] = record.replace(/^\n+/, '').split(FIELD);
  if (!sha || !/^[0-9a-f]{40,64}$/.test(sha.trim())) return null;
  return { sha: sha.trim(), subject: subject ?? '', author: author ?? '', date: (date ?? '').trim() };
}

/** Parses `git log -z --name-only --format=<RS>fields`: records start with RS; header then NUL-separated files. */
export function parseLogWithFiles(stdout: string): { commit: CommitInfo; files: string[] }[] {
  return parseLogRecords(stdout, false).map(({ commit, files }) => ({ commit, files }));
}

/** Parses `git log -z --name-only --format=<RS>%P<US><commit fields>`: parents, commit and files of each record. */
export function parseLogWithParents(stdout: string): { commit: CommitInfo; parents: string[]; files: string[] }[] {
  return parseLogRecords(stdout, true);
}

function parseLogRecords(stdout: string, withParents: boolean): { commit: CommitInfo; parents: string[]; files: string[] }[] {
  const out: { commit: CommitInfo; parents: string[]; files: string[] }[] = [];
  for (const chunk of stdout.split(RECORD)) {
    if (!chunk.trim()) continue;
    const [header = '', ...rest] = chunk.split('\0');
    const separator = withParents ? header.indexOf(FIELD) : -1;
    if (withParents && separator < 0) continue;
    const commit = parseCommit(header.slice(separator + 1));
    if (!commit) continue;
    const parents = withParents ? header.slice(0, separator).split(' ').filter((p) => /^[0-9a-f]{40,64}$/.test(p)) : [];
    const files = rest.map((f) => f.replace(/^\n+/, '')).filter(Boolean);
    out.push({ commit, parents, files });
  }
  return out;
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim())?.trim() ?? '';
}
