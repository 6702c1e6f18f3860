import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { dateOrder, dateOrderSteps } from '../../src/core/git/dateOrder';
import { createTempRepo, type TempRepo } from '../helpers/repo';

/**
 * A history of side branches merged back, whose committer times repeat (four commits a minute) and
 * sometimes run backwards (a side commit older than its parent), made in one `git fast-import`.
 */
function branchyHistory(repo: TempRepo): void {
  const lines: string[] = [];
  let mark = 0;
  const commit = (branch: string, time: number, from: string | null, merge: string | null): string => {
    mark++;
    lines.push(`commit refs/heads/${branch}`, `mark :${mark}`, `committer T <t@example.com> ${time} +0000`, 'data 1', 'x');
    if (from) lines.push(`from ${from}`);
    if (merge) lines.push(`merge ${merge}`);
    lines.push(`M 100644 inline f${mark}`, 'data 1', 'x', '');
    return `:${mark}`;
  };
  const t0 = 1_800_000_000;
  let main = commit('main', t0, null, null);
  for (let round = 0; round < 8; round++) {
    let side = main;
    for (let i = 0; i < 3; i++) side = commit(`side${round}`, t0 + Math.floor(mark / 4) * 60 - (i === 1 ? 3600 : 0), side, null);
    for (let i = 0; i < 2; i++) main = commit('main', t0 + Math.floor(mark / 4) * 60, main, null);
    main = commit('main', t0 + Math.floor(mark / 4) * 60, main, side);
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: repo.dir, input: lines.join('\n') + '\n' });
  repo.git('reset', '-q', '--hard', 'main');
}

describe('dateOrder', () => {
  let repo: TempRepo;
  before(() => {
    repo = createTempRepo();
    branchyHistory(repo);
  });
  after(() => repo.cleanup());

  for (const [what, revisions] of [
    ['the whole history', ['HEAD']],
    ['a walk down to a base', ['HEAD', '--not', 'HEAD~12']],
  ] as const) {
    it(`puts ${what} in the order git log --date-order prints it, whatever order the commits are given in`, () => {
      const printed = repo
        .git('log', '--date-order', '--format=%H %ct %P', ...revisions)
        .split('\n')
        .map((line) => line.split(' '));
      assert.ok(printed.length > 20);
      // Given in another order: reversed, then each half swapped.
      const given = [...printed].reverse();
      given.push(...given.splice(0, given.length >> 1));
      const number = new Map(given.map(([sha], i) => [sha!, i]));
      const parentStart = new Int32Array(given.length + 1);
      const parents: number[] = [];
      given.forEach(([, , ...ps], i) => {
        for (const p of ps) parents.push(number.get(p) ?? -1);
        parentStart[i + 1] = parents.length;
      });
      const times = Float64Array.from(given, ([, time]) => Number(time));
      const order = dateOrder(given.length, parentStart, Int32Array.from(parents), times);
      assert.deepEqual(
        [...order].map((i) => given[i]![0]),
        printed.map(([sha]) => sha),
      );
      // In slices of 5: a pause once every commit is counted and queued, then after every 5 commits, and the same order.
      const steps = dateOrderSteps(given.length, parentStart, Int32Array.from(parents), times, 5);
      let pauses = 0;
      let step = steps.next();
      for (; !step.done; step = steps.next()) pauses++;
      assert.equal(pauses, 1 + Math.floor(given.length / 5));
      assert.deepEqual([...step.value], [...order]);
    });
  }
});
