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
  execFileSync('git', ['fast-import', '--quiet', '--force'], { cwd: repo.dir, input: lines.join('\n') });
  repo.git('reset', '-q', '--hard', 'main');
  return repo.git('rev-list', '--reverse', `${parent}..main`).split('\n');
}
