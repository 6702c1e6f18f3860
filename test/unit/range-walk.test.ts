import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { touchesPaths } from '../../src/core/git';
import { RangeWalk, walkedCommitsTouching, type RangeFacts } from '../../src/core/rangeWalk';

const sha = (n: number): string => createHash('sha1').update(`commit ${n}`).digest('hex');

interface Commit {
  sha: string;
  parents: number[];
  files: string[];
}

/**
 * A random history, newest first (a commit's parents come after it): merges, and files spread over
 * a few folders. Commit 0 is HEAD.
 */
function history(seed: number, size: number): Commit[] {
  let state = seed;
  const random = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  const folders = ['api', 'api/v2', 'web', 'shared', 'docs'];
  return Array.from({ length: size }, (_, i) => {
    const older = size - 1 - i;
    const parents = older === 0 ? [] : [i + 1 + random(Math.min(3, older))];
    if (older > 2 && random(6) === 0) parents.push(i + 2 + random(older - 1));
    const files = parents.length > 1 ? [] : Array.from({ length: random(3) }, (_, f) => `${folders[random(folders.length)]}/f${i}-${f}.py`);
    return { sha: sha(i), parents: [...new Set(parents)], files };
  });
}

function ancestorsOf(commits: Commit[], from: number): Set<number> {
  const seen = new Set<number>();
  const stack = [from];
  while (stack.length > 0) {
    const at = stack.pop()!;
    if (seen.has(at)) continue;
    seen.add(at);
    stack.push(...commits[at]!.parents);
  }
  return seen;
}

/** `git log -z --name-only --format=LOG_RECORD_FORMAT` of the commits printed, in their order. */
function logOutput(commits: Commit[], printed: number[]): Buffer {
  return Buffer.from(
    printed
      .map((i) => {
        const c = commits[i]!;
        const header = `\x1e${c.sha}\x1f${c.parents.map((p) => commits[p]!.sha).join(' ')}\x1f2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z\x1fAuthor ${i}\x1fchange ${i}\0`;
        return header + (c.files.length > 0 ? `\n${c.files.join('\0')}\0` : '');
      })
      .join(''),
    'utf8',
  );
}

function read(output: Buffer, paths: string[], cut: number): RangeWalk {
  const walk = new RangeWalk(paths);
  for (let at = 0; at < output.length; at += cut) walk.push(output.subarray(at, at + cut));
  walk.end();
  return walk;
}

describe('RangeWalk', () => {
  it('gives each deployed commit the non-merge commits it lacks that touch the paths, as a graph search does', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const commits = history(seed, 120);
      const base = 60 + seed;
      const belowBase = ancestorsOf(commits, base);
      const printed = [...ancestorsOf(commits, 0)].filter((i) => !belowBase.has(i)).sort((a, b) => a - b);
      const deployed = [...new Set([printed[1]!, printed[Math.floor(printed.length / 3)]!, printed[printed.length - 1]!, printed[Math.floor(printed.length / 2)]!, base])];
      assert.ok(printed.length > 20, `seed ${seed}: a walk of ${printed.length} commits`);
      for (const paths of [['api', 'shared'], ['api/v2'], []]) {
        for (const cut of [1, 7, 4096]) {
          const walk = read(logOutput(commits, printed), paths, cut);
          const ranges = walk.ranges([...deployed.map((d) => commits[d]!.sha), sha(9999)], [commits[base]!.sha]);
          assert.equal(ranges.has(sha(9999)), false, 'a commit the walk never met is left out');
          for (const d of deployed) {
            const range = ranges.get(commits[d]!.sha);
            assert.ok(range?.isAncestor, `seed ${seed}: range of ${d}`);
            const lacking = ancestorsOf(commits, d);
            const expected = printed.filter((i) => !lacking.has(i) && commits[i]!.parents.length <= 1 && (paths.length === 0 || commits[i]!.files.some((f) => touchesPaths(f, paths))));
            const what = `seed ${seed}, deployed ${d}, paths ${paths.join(',')}, cut ${cut}`;
            assert.deepEqual(
              range.commits.map((c) => c.commit.sha),
              expected.map((i) => commits[i]!.sha),
              what,
            );
            assert.deepEqual(
              range.commits.map((c) => c.files),
              expected.map((i) => commits[i]!.files.filter((f) => paths.length === 0 || touchesPaths(f, paths))),
              `${what}: files under the paths`,
            );
            assert.deepEqual(range.commits[0]?.commit ?? null, expected.length > 0 ? { sha: commits[expected[0]!]!.sha, subject: `change ${expected[0]}`, author: `Author ${expected[0]}`, date: `2026-01-01T00:00:${String(expected[0]! % 60).padStart(2, '0')}Z` } : null);
            for (const asked of [['api'], ['shared', 'web'], ['api/v2/f1-0.py'], []]) {
              assert.deepEqual(
                walkedCommitsTouching(range, asked)!.map((c) => c.sha),
                range.commits.filter((c) => asked.length === 0 || c.files.some((f) => touchesPaths(f, asked))).map((c) => c.commit.sha),
                `${what}: touching ${asked.join(',')}`,
              );
            }
          }
        }
      }
    }
  });

  it('makes one object per commit, shared by every range and list that holds it', () => {
    const commits = history(9, 40);
    const printed = [...ancestorsOf(commits, 0)].sort((a, b) => a - b).slice(0, -1);
    const walk = read(logOutput(commits, printed), [], 4096);
    const ranges = walk.ranges([commits[printed[10]!]!.sha, commits[printed[20]!]!.sha], [commits[39]!.sha]);
    const [near, far] = [...ranges.values()] as [RangeFacts, RangeFacts];
    assert.strictEqual(near.commits[0], far.commits[0]);
    assert.strictEqual(walkedCommitsTouching(near, [])![0], far.commits[0]!.commit);
  });

  it('holds every commit it kept when the walk was of one range alone', () => {
    const commits = history(11, 30);
    const printed = [0, 1, 2, 3, 4].filter((i) => commits[i]!.parents.length <= 1);
    const range = read(logOutput(commits, printed), ['api'], 64).whole(false);
    assert.equal(range.isAncestor, false);
    assert.deepEqual(
      range.commits.map((c) => c.commit.sha),
      printed.filter((i) => commits[i]!.files.some((f) => f.startsWith('api/'))).map((i) => commits[i]!.sha),
    );
  });
});
