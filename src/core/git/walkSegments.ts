// How the walk of HEAD's history down to the deployed commits' common base is cut into several
// walks that git runs at once, one per core: git's walk of 100,000 commits with their files takes
// two seconds of one core, and most of it (reading and comparing trees) splits cleanly.

/**
 * The revisions of each walk: the first is `head --not <splits> <bases>`, and each split commit `s`
 * walks `s --not <the splits after it> <bases>`. Every commit of `head --not <bases>` is in exactly
 * one of them, and no commit is in a walk after one holding any of its children, so their outputs
 * one after another show no parent before its children. (A split commit not in HEAD's history would
 * add its own history above the bases, which the reader leaves out: see RangeWalk.ranges.)
 *
 * The splits are deployed commits chosen by committer time, to cut the span from the oldest deployed
 * commit to HEAD into `count` equal parts: a history's commits come at a roughly steady rate, and
 * deployed commits are spread along it. Fewer walks when there are fewer candidates.
 */
export function walkSegments(head: string, bases: readonly string[], times: ReadonlyMap<string, number>, count: number): string[][] {
  const headTime = times.get(head);
  const candidates = [...times].filter(([sha]) => sha !== head && !bases.includes(sha));
  if (headTime === undefined || candidates.length === 0 || count < 2) return [[head, '--not', ...bases]];
  const oldest = Math.min(...[...times.values()]);
  const chosen = new Map<string, number>();
  for (let part = 1; part < count; part++) {
    const target = headTime - ((headTime - oldest) * part) / count;
    let best: [string, number] | undefined;
    for (const [sha, time] of candidates) {
      if (chosen.has(sha)) continue;
      if (!best || Math.abs(time - target) < Math.abs(best[1] - target)) best = [sha, time];
    }
    if (best) chosen.set(...best);
  }
  const splits = [...chosen].sort((a, b) => b[1] - a[1]).map(([sha]) => sha);
  return [[head, '--not', ...splits, ...bases], ...splits.map((sha, i) => [sha, '--not', ...splits.slice(i + 1), ...bases])];
}
