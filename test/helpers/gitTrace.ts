// What git a piece of work ran (GIT_TRACE) and what the ranges it read hold, for the suites that
// compare walks of a history: kept in a file, continued in memory, or read afresh.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RangeFacts } from '../../src/core/git/repository';

/** Each range's commits (sha, subject, author, date and files), newest first, by deployed commit; an error as its message. */
export function rangeShape(ranges: Map<string, RangeFacts | Error>): Record<string, unknown> {
  return Object.fromEntries(
    [...ranges].map(([sha, facts]) => [sha, facts instanceof Error ? facts.message : { isAncestor: facts.isAncestor, commits: facts.commits.map((c) => [c.commit.sha, c.commit.subject, c.commit.author, c.commit.date, c.files]) }]),
  );
}

/**
 * The git processes `read` started (each `built-in: git …` line of GIT_TRACE), beside its value;
 * `started`: the same with when each started (epoch ms, from the trace's local time of day).
 */
export async function traced<T>(read: () => Promise<T>): Promise<{ value: T; commands: string[]; started: { at: number; command: string }[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-trace-'));
  const trace = path.join(dir, 'git.trace');
  process.env.GIT_TRACE = trace;
  try {
    const value = await read();
    const lines = fs.existsSync(trace) ? [...fs.readFileSync(trace, 'utf8').matchAll(/^(\d\d):(\d\d):(\d\d)\.(\d{6}) .*?(built-in: git .*)$/gm)] : [];
    const now = Date.now();
    const started = lines.map(([, h, m, s, us, command]) => {
      const at = new Date(now).setHours(Number(h), Number(m), Number(s), Number(us) / 1000);
      // A line written before midnight, read after it: yesterday's time of day.
      return { at: at > now + 60_000 ? at - 86_400_000 : at, command: command! };
    });
    return { value, commands: started.map((s) => s.command), started };
  } finally {
    delete process.env.GIT_TRACE;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The walks of the history among `commands` (a `git log --name-only` of more than one commit). */
export const walksOf = (commands: string[]): string[] => commands.filter((c) => c.includes('--name-only') && !c.includes('-1 '));
