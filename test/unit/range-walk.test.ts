import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { touchesPaths } from '../../src/core/git/repository';
import { RangeWalk, walkedCommitsTouching, type RangeFacts } from '../../src/core/git/rangeWalk';
import { decodeWalk, encodeWalk } from '../../src/core/git/walkData';
import { plainCommit } from '../helpers/verdicts';
import { WalkedCommit, type CommitSource } from '../../src/core/git/walkedCommit';

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
/** A range's facts with its commits' fields as plain objects (a walk's commits read theirs from its bytes: compared as they are, any two would be equal). */
function shape(range: RangeFacts | undefined): unknown {
  return range && { isAncestor: range.isAncestor, commits: range.commits.map((c) => ({ commit: plainCommit(c.commit), files: c.files })) };
}

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

/** `git log -z --name-only --format=WALK_FORMAT` of the commits printed, in their order. */
function logOutput(commits: Commit[], printed: number[]): Buffer {
  return Buffer.from(
    printed
      .map((i) => {
        const c = commits[i]!;
        const header = `\x1e${c.sha}\x1f${c.parents.map((p) => commits[p]!.sha).join(' ')}\x1f${timeOf(i)}\x1f2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z\x1fAuthor ${i}\x1fchange ${i}\0`;
        return header + (c.files.length > 0 ? `\n${c.files.join('\0')}\0` : '');
      })
      .join(''),
    'utf8',
  );
}

/** Committer times that fall as commits get older, several commits sharing each. */
function timeOf(i: number): number {
  return 1_800_000_000 - Math.floor(i / 3) * 60;
}

/** Reads each log into the walk, their chunks interleaved, `cut` bytes each. */
function read(outputs: Buffer[], paths: string[], cut: number): RangeWalk {
  const walk = new RangeWalk(paths);
  const readers = outputs.map(() => walk.reader());
  for (let at = 0; outputs.some((o) => at < o.length); at += cut) outputs.forEach((output, i) => at < output.length && readers[i]!.push(output.subarray(at, at + cut)));
  readers.forEach((reader) => reader.end());
  return walk;
}

/** git's --date-order of `printed`, restated plainly: of the commits whose children have all been shown, the latest, ties to the first ready. */
function dateOrdered(commits: Commit[], printed: number[]): number[] {
  const inSet = new Set(printed);
  const children = new Map(printed.map((i) => [i, 0]));
  for (const i of printed) for (const p of commits[i]!.parents) if (inSet.has(p)) children.set(p, children.get(p)! + 1);
  const ready = printed.filter((i) => children.get(i) === 0);
  const out: number[] = [];
  while (ready.length > 0) {
    let best = 0;
    for (let r = 1; r < ready.length; r++) if (timeOf(ready[r]!) > timeOf(ready[best]!)) best = r;
    const [next] = ready.splice(best, 1);
    out.push(next!);
    for (const p of commits[next!]!.parents) {
      if (!inSet.has(p)) continue;
      children.set(p, children.get(p)! - 1);
      if (children.get(p) === 0) ready.push(p);
    }
  }
  return out;
}

describe('RangeWalk', () => {
  it('gives each deployed commit the non-merge commits it lacks that touch the paths, as a graph search does', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const commits = history(seed, 120);
      const base = 60 + seed;
      const belowBase = ancestorsOf(commits, base);
      const printed = dateOrdered(commits, [...ancestorsOf(commits, 0)].filter((i) => !belowBase.has(i)).sort((a, b) => a - b));
      // Deployed commits descend from the base, as the bases git finds for them do (one that does
      // not is left unsure).
      const above = printed.filter((i) => ancestorsOf(commits, i).has(base));
      const aside = printed.find((i) => !ancestorsOf(commits, i).has(base));
      const deployed = [...new Set([above[1]!, above[Math.floor(above.length / 3)]!, above[above.length - 1]!, above[Math.floor(above.length / 2)]!, base])];
      assert.ok(above.length > 20 && aside !== undefined, `seed ${seed}: a walk of ${printed.length} commits, ${above.length} above the base`);
      for (const paths of [['api', 'shared'], ['api/v2'], []]) {
        for (const cut of [1, 7, 4096]) {
          const walk = read([logOutput(commits, printed)], paths, cut);
          const asked: string[] = [...deployed.map((d) => commits[d]!.sha), sha(9999), ...(aside === undefined ? [] : [commits[aside]!.sha])];
          const { ranges, unsure } = await walk.ranges(asked, [commits[base]!.sha], commits[0]!.sha);
          assert.deepEqual(unsure, asked.slice(deployed.length), 'never met, or not above the base');
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
            assert.deepEqual(plainCommit(range.commits[0]?.commit), expected.length > 0 ? { sha: commits[expected[0]!]!.sha, subject: `change ${expected[0]}`, author: `Author ${expected[0]}`, date: `2026-01-01T00:00:${String(expected[0]! % 60).padStart(2, '0')}Z` } : null);
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

  it('makes one object per commit, shared by every range and list that holds it', async () => {
    const commits = history(9, 40);
    const printed = [...ancestorsOf(commits, 0)].sort((a, b) => a - b).slice(0, -1);
    const walk = read([logOutput(commits, printed)], [], 4096);
    const { ranges } = await walk.ranges([commits[printed[10]!]!.sha, commits[printed[20]!]!.sha], [commits[39]!.sha], commits[0]!.sha);
    const [near, far] = [...ranges.values()] as [RangeFacts, RangeFacts];
    assert.strictEqual(near.commits[0], far.commits[0]);
    assert.strictEqual(walkedCommitsTouching(near, [])![0], far.commits[0]!.commit);
  });

  it('reads a commit\'s fields from the walk when asked, and writes it to JSON as a plain commit', async () => {
    const commits = history(9, 40);
    const printed = [...ancestorsOf(commits, 0)].sort((a, b) => a - b).slice(0, -1);
    const walk = read([logOutput(commits, printed)], [], 4096);
    const { ranges } = await walk.ranges([commits[printed[10]!]!.sha], [commits[39]!.sha], commits[0]!.sha);
    const commit = [...ranges.values()][0]!.commits[0]!.commit;
    const expected = { sha: commits[printed[0]!]!.sha, subject: `change ${printed[0]}`, author: `Author ${printed[0]}`, date: `2026-01-01T00:00:${String(printed[0]! % 60).padStart(2, '0')}Z` };
    assert.deepEqual(JSON.parse(JSON.stringify(commit)), expected);
    assert.deepEqual(plainCommit(commit), expected);
    // Its date in epoch milliseconds, read from the walk's bytes: the date is never decoded into a string.
    assert.ok(commit instanceof WalkedCommit);
    const decode = Buffer.prototype.toString;
    Buffer.prototype.toString = () => assert.fail('the date was decoded into a string');
    let ms: number;
    try {
      ms = commit.dateMs();
    } finally {
      Buffer.prototype.toString = decode;
    }
    assert.equal(ms, Date.parse(expected.date));
  });

  it('gives the date its source read from the bytes, else the text\'s (Date.parse for another format), else NaN', () => {
    const source = (date: string, fromBytes = NaN): CommitSource => ({ shaOf: () => 'a'.repeat(40), fieldOf: (_kept, field) => (field === 'date' ? date : ''), dateMsOf: () => fromBytes });
    assert.equal(new WalkedCommit(source('2026-01-01T00:00:00Z', 42), 0, 0).dateMs(), 42);
    assert.equal(new WalkedCommit(source('Thu, 01 Jan 2026 10:00:00 +0200'), 0, 0).dateMs(), Date.parse('2026-01-01T08:00:00Z'));
    assert.ok(Number.isNaN(new WalkedCommit(source(''), 0, 0).dateMs()));
  });

  it('holds every commit it kept when the walk was of one range alone', () => {
    const commits = history(11, 30);
    const printed = [0, 1, 2, 3, 4].filter((i) => commits[i]!.parents.length <= 1);
    const range = read([logOutput(commits, printed)], ['api'], 64).whole(false);
    assert.equal(range.isAncestor, false);
    assert.deepEqual(
      range.commits.map((c) => c.commit.sha),
      printed.filter((i) => commits[i]!.files.some((f) => f.startsWith('api/'))).map((i) => commits[i]!.sha),
    );
  });

  it('reads a history cut into several logs as it reads the one log, commits in the same order', async () => {
    for (const seed of [21, 22, 23, 24]) {
      const commits = history(seed, 150);
      const base = 110;
      const belowBase = ancestorsOf(commits, base);
      const printed = dateOrdered(commits, [...ancestorsOf(commits, 0)].filter((i) => !belowBase.has(i)));
      const at = (fraction: number): number => printed[Math.floor(printed.length * fraction)]!;
      const deployed = [at(0.1), at(0.5), at(0.8), printed[printed.length - 1]!];
      // As walkSegments cuts it: HEAD --not s1 s2 base, s1 --not s2 base, s2 --not base.
      const [s1, s2] = [at(0.3), at(0.6)];
      const inS2 = ancestorsOf(commits, s2);
      const inS1 = ancestorsOf(commits, s1);
      const logs = [printed.filter((i) => !inS1.has(i) && !inS2.has(i)), printed.filter((i) => inS1.has(i) && !inS2.has(i)), printed.filter((i) => inS2.has(i))];
      assert.ok(logs.every((log) => log.length > 5), `seed ${seed}: logs of ${logs.map((l) => l.length).join(', ')} commits`);
      const { ranges: one } = await read([logOutput(commits, printed)], ['api', 'web'], 4096).ranges(deployed.map((d) => commits[d]!.sha), [commits[base]!.sha], commits[0]!.sha);
      for (const cut of [5, 333]) {
        const { ranges: several } = await read(logs.map((log) => logOutput(commits, log)), ['api', 'web'], cut).ranges(deployed.map((d) => commits[d]!.sha), [commits[base]!.sha], commits[0]!.sha);
        for (const d of deployed) {
          const [a, b] = [one.get(commits[d]!.sha), several.get(commits[d]!.sha)];
          assert.deepEqual(shape(b), shape(a), `seed ${seed}, deployed ${d}, cut ${cut}`);
          assert.deepEqual(b && walkedCommitsTouching(b, ['web'])!.map(plainCommit), a && walkedCommitsTouching(a, ['web'])!.map(plainCommit));
        }
      }
    }
  });

  it('reads a walk kept as data, and the commits made since, as it reads one walk of them all', async () => {
    for (const seed of [31, 32, 33]) {
      const commits = history(seed, 150);
      const base = 120;
      const belowBase = ancestorsOf(commits, base);
      const all = dateOrdered(commits, [...ancestorsOf(commits, 0)].filter((i) => !belowBase.has(i)));
      // The walk kept: of an older HEAD, with a branch HEAD no longer reaches in it.
      const oldHead = all[Math.floor(all.length / 4)]!;
      const inOld = ancestorsOf(commits, oldHead);
      const kept = all.filter((i) => inOld.has(i));
      // Deployed commits descend from the base, as they do when the walk is kept.
      const above = kept.filter((i) => ancestorsOf(commits, i).has(base));
      const deployed = [above[Math.floor(above.length / 3)]!, above[Math.floor(above.length * 0.7)]!, above[above.length - 1]!].map((d) => commits[d]!.sha);
      assert.ok(above.length > 10 && kept.length < all.length - 10, `seed ${seed}: ${kept.length} of ${all.length} commits kept, ${above.length} above the base`);
      const paths = ['api', 'web'];
      const first = read([logOutput(commits, kept)], paths, 4096);
      first.retainLogs();
      await first.ranges(deployed, [commits[base]!.sha], commits[oldHead]!.sha);
      const { meta, data } = decodeWalk(Buffer.concat(encodeWalk({ tip: commits[oldHead]!.sha }, first.data())));
      assert.deepEqual(meta, { tip: commits[oldHead]!.sha });
      // Then: HEAD --not oldHead base, read into the walk restored.
      const restored = RangeWalk.fromData(paths, data);
      const since = restored.reader();
      since.push(logOutput(commits, all.filter((i) => !inOld.has(i))));
      since.end();
      const { ranges: both, unsure } = await restored.ranges(deployed, [commits[base]!.sha], commits[0]!.sha);
      assert.deepEqual(unsure, []);
      const { ranges: one } = await read([logOutput(commits, all)], paths, 4096).ranges(deployed, [commits[base]!.sha], commits[0]!.sha);
      for (const d of deployed) {
        assert.deepEqual(shape(both.get(d)), shape(one.get(d)), `seed ${seed}, deployed ${d}`);
        assert.deepEqual(walkedCommitsTouching(both.get(d)!, ['web'])!.map(plainCommit), walkedCommitsTouching(one.get(d)!, ['web'])!.map(plainCommit));
      }
    }
  });

  it('keeps in data() only what HEAD reaches', async () => {
    // HEAD (0) and a branch (1) both on 2; the branch's commit was walked, HEAD does not reach it.
    const commits: Commit[] = [
      { sha: sha(0), parents: [2], files: ['api/a'] },
      { sha: sha(1), parents: [2], files: ['api/b'] },
      { sha: sha(2), parents: [3], files: ['api/c'] },
      { sha: sha(3), parents: [], files: ['api/d'] },
    ];
    const walk = read([logOutput(commits, [0, 1, 2])], ['api'], 4096);
    walk.retainLogs();
    await walk.ranges([sha(2)], [sha(3)], sha(0));
    const data = walk.data();
    assert.equal(data.recordIds.length, 2);
    assert.deepEqual(RangeWalk.fromData(['api'], data).holding([sha(0), sha(1), sha(2), sha(3)]), new Set([sha(0), sha(2)]));
    assert.throws(() => RangeWalk.fromData(Array.from({ length: 40 }, (_, i) => `p${i}`), data), /other paths/);
  });

  it('leaves out what a log brings from outside HEAD\'s history', async () => {
    // HEAD (0) and a branch (1) both on 2; the branch is deployed and cuts the walk.
    const commits: Commit[] = [
      { sha: sha(0), parents: [2], files: ['api/a'] },
      { sha: sha(1), parents: [2], files: ['api/b'] },
      { sha: sha(2), parents: [3], files: ['api/c'] },
      { sha: sha(3), parents: [], files: ['api/d'] },
    ];
    const walk = read([logOutput(commits, [0]), logOutput(commits, [1, 2])], ['api'], 4096);
    const { ranges, unsure } = await walk.ranges([sha(1), sha(3)], [sha(3)], sha(0));
    assert.equal(ranges.has(sha(1)), false, 'the branch is not in HEAD\'s history');
    assert.deepEqual(unsure, [sha(1)]);
    assert.deepEqual(ranges.get(sha(3))!.commits.map((c) => c.commit.sha), [sha(0), sha(2)]);
  });

  it('leaves unsure a deployed commit that does not reach a guessed base, and reads again once the walk reaches the true one', async () => {
    // HEAD 0 merges 1 (the side, from 4) into 2; 2 and 3 are on the main line down to 4, then 5.
    const commits: Commit[] = [
      { sha: sha(0), parents: [2, 1], files: [] },
      { sha: sha(1), parents: [4], files: ['api/side'] },
      { sha: sha(2), parents: [3], files: ['api/two'] },
      { sha: sha(3), parents: [4], files: ['api/three'] },
      { sha: sha(4), parents: [5], files: ['api/four'] },
      { sha: sha(5), parents: [], files: ['api/five'] },
    ];
    // Deployed from 1 (the side) and 3; the guess is 3, which 1 does not reach.
    const walk = read([logOutput(commits, dateOrdered(commits, [0, 1, 2]))], ['api'], 4096);
    const guessed = await walk.ranges([sha(1), sha(3)], [sha(3)], sha(0));
    assert.deepEqual(guessed.unsure, [sha(1)]);
    assert.deepEqual(guessed.ranges.get(sha(3))!.commits.map((c) => c.commit.sha), [sha(2), sha(1)]);
    // The true base is 4: the walk from 3 down to it is added, and every range is whole.
    const more = walk.reader();
    more.push(logOutput(commits, [3]));
    more.end();
    const again = await walk.ranges([sha(1), sha(3)], [sha(4)], sha(0));
    assert.deepEqual(again.unsure, []);
    assert.deepEqual(again.ranges.get(sha(1))!.commits.map((c) => c.commit.sha), [sha(2), sha(3)]);
    assert.deepEqual(again.ranges.get(sha(3))!.commits.map((c) => c.commit.sha), [sha(2), sha(1)]);
  });
});
