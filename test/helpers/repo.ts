// Real git repositories in temporary folders, for tests and benchmarks.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const IDENTITY = { GIT_AUTHOR_NAME: 'Test Author', GIT_AUTHOR_EMAIL: 'author@example.com', GIT_COMMITTER_NAME: 'Test Author', GIT_COMMITTER_EMAIL: 'author@example.com' };

export interface TempRepo {
  dir: string;
  git(...args: string[]): string;
  /** Writes files (null deletes) and commits them; returns the full SHA. */
  commit(message: string, files: Record<string, string | null>, date?: Date): string;
  write(file: string, content: string): void;
  head(): string;
  cleanup(): void;
}

export function createTempRepo(prefix = 'crd-test-'): TempRepo {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: dir, env: { ...process.env, ...IDENTITY }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'commit.gpgsign', 'false');
  const write = (file: string, content: string): void => {
    const full = path.join(dir, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  };
  let tick = Date.parse('2026-01-01T00:00:00Z');
  return {
    dir,
    git,
    write,
    commit(message, files, date) {
      for (const [file, content] of Object.entries(files)) {
        if (content === null) fs.rmSync(path.join(dir, file), { force: true });
        else write(file, content);
      }
      git('add', '-A');
      tick += 60_000;
      const when = (date ?? new Date(tick)).toISOString();
      execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], {
        cwd: dir,
        env: { ...process.env, ...IDENTITY, GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when },
      });
      return git('rev-parse', 'HEAD');
    },
    head: () => git('rev-parse', 'HEAD'),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Appends `count` commits in one `git fast-import` run (thousands per second), each touching
 * `file-<i>` under the given directory. Returns their SHAs, oldest first.
 */
export function fastImportCommits(repo: TempRepo, count: number, directory: string): string[] {
  const parent = repo.git('rev-parse', 'HEAD');
  const lines: string[] = [];
  const start = Math.floor(Date.parse('2026-02-01T00:00:00Z') / 1000);
  for (let i = 0; i < count; i++) {
    const content = `content ${i}\n`;
    const message = `bulk commit ${i}\n`;
    lines.push(
      'commit refs/heads/main',
      `mark :${i + 1}`,
      `committer Test Author <author@example.com> ${start + i} +0000`,
      `data ${Buffer.byteLength(message)}`,
      message.trimEnd(),
      i === 0 ? `from ${parent}` : `from :${i}`,
      `M 100644 inline ${directory}/file-${i % 50}`,
      `data ${Buffer.byteLength(content)}`,
      content.trimEnd(),
      '',
    );
  }
  fastImport(repo, lines.join('\n'));
  repo.git('reset', '-q', '--hard', 'main');
  return repo.git('rev-list', '--reverse', `${parent}..main`).split('\n');
}

/**
 * Runs `git fast-import` on a stream. glibc's malloc gives memory back and asks for it again
 * around every commit fast-import makes; where the kernel is slow to grant it (a loaded virtual
 * machine) that is 20 times the work itself, so the thresholds are raised for this one process.
 */
function fastImport(repo: TempRepo, input: string, args: string[] = []): void {
  execFileSync('git', ['fast-import', '--quiet', '--force', ...args], {
    cwd: repo.dir,
    input,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, MALLOC_TOP_PAD_: String(256 * 1024 * 1024), MALLOC_TRIM_THRESHOLD_: String(256 * 1024 * 1024) },
  });
}

export interface MonorepoHistoryOptions {
  /** Commits to add in all: mainline, side branches and merges. */
  commits: number;
  /** Folders `services/svc-<i>` the commits spread over. */
  services: number;
  /** A side branch forks after every this many mainline commits and is merged back (0: none). */
  mergeEvery: number;
  /** Commits on each side branch. */
  sideLength: number;
}

export interface MonorepoHistory {
  /** The first-parent chain from the first added commit to HEAD, oldest first (merges included). */
  mainline: string[];
  /** Commits made on side branches, each merged into the mainline later. */
  side: string[];
}

/**
 * Appends a monorepo's history in one `git fast-import` run: each commit changes a file in one of
 * `services/svc-<i>` (every 50th in two of them), every 7th also one under `shared/`, every 11th
 * one under `docs/`; side branches fork from the mainline and merge back with their changes.
 */
export function fastImportMonorepo(repo: TempRepo, options: MonorepoHistoryOptions): MonorepoHistory {
  const parent = repo.git('rev-parse', 'HEAD');
  const start = Math.floor(Date.parse('2026-02-01T00:00:00Z') / 1000);
  const chunks: string[] = [];
  const mainlineMarks: number[] = [];
  const sideMarks: number[] = [];
  let mark = 0;
  let mainTip = '';
  const filesOf = (i: number): string[] => {
    const service = (i * 7919) % options.services;
    const files = [`services/svc-${service}/src/file-${i % 5}.py`];
    if (i % 50 === 0) files.push(`services/svc-${(service + 1) % options.services}/main.py`);
    if (i % 7 === 0) files.push(`shared/lib/util-${i % 3}.py`);
    if (i % 11 === 0) files.push(`docs/notes-${i % 4}.md`);
    return files;
  };
  // fast-import continues a branch from its tip by itself; naming the parent reloads its tree.
  const tips = new Map<string, string>();
  const emit = (branch: string, from: string, merge: string | null, message: string, changes: [string, string][]): number => {
    mark++;
    const lines = ['commit ' + branch, `mark :${mark}`, `committer Test Author <author@example.com> ${start + mark} +0000`, `data ${Buffer.byteLength(message)}`, message];
    if (tips.get(branch) !== from) lines.push(`from ${from}`);
    tips.set(branch, `:${mark}`);
    if (merge) lines.push(`merge ${merge}`);
    for (const [file, content] of changes) lines.push(`M 100644 inline ${file}`, `data ${Buffer.byteLength(content)}`, content);
    chunks.push(lines.join('\n') + '\n');
    return mark;
  };
  let sinceMerge = 0;
  while (mark < options.commits) {
    const changes = filesOf(mark).map((file): [string, string] => [file, `change ${mark}`]);
    const made = emit('refs/heads/main', mainTip || parent, null, `change ${mark}`, changes);
    mainTip = `:${made}`;
    mainlineMarks.push(made);
    sinceMerge++;
    if (options.mergeEvery > 0 && sinceMerge >= options.mergeEvery && mark + options.sideLength + 1 <= options.commits) {
      sinceMerge = 0;
      let sideTip = mainTip;
      const merged: [string, string][] = [];
      for (let s = 0; s < options.sideLength; s++) {
        const sideChanges = filesOf(mark).map((file): [string, string] => [file, `side change ${mark}`]);
        sideTip = `:${emit('refs/heads/side', sideTip, null, `side change ${mark}`, sideChanges)}`;
        sideMarks.push(mark);
        merged.push(...sideChanges);
      }
      // A mainline commit after the fork, so the merge joins two lines of work.
      const ownChanges = filesOf(mark).map((file): [string, string] => [file, `change ${mark}`]);
      mainTip = `:${emit('refs/heads/main', mainTip, null, `change ${mark}`, ownChanges)}`;
      mainlineMarks.push(mark);
      mainTip = `:${emit('refs/heads/main', mainTip, sideTip, `merge side branch ${mark}`, merged)}`;
      mainlineMarks.push(mark);
    }
  }
  const marksFile = path.join(repo.dir, '.git', 'generated-marks');
  fastImport(repo, chunks.join(''), [`--export-marks=${marksFile}`]);
  repo.git('reset', '-q', '--hard', 'main');
  repo.git('branch', '-q', '-D', 'side');
  const shaOf = new Map(
    fs
      .readFileSync(marksFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [m, sha] = line.split(' ');
        return [Number(m!.slice(1)), sha!] as const;
      }),
  );
  fs.rmSync(marksFile);
  return { mainline: mainlineMarks.map((m) => shaOf.get(m)!), side: sideMarks.map((m) => shaOf.get(m)!) };
}
