// The order in which `git log --date-order` prints a set of commits, worked out for commits read in
// several walks at once: each walk is in that order, but their union is not.

/**
 * The commits `0 … count - 1` in git's --date-order (commit.c, sort_in_topological_order): no
 * commit before all of its children in the set; among the commits whose children have all been
 * printed, the one with the latest committer time first, ties going to the one that became ready
 * first. Commits with no child in the set start ready, in their order here. Commit `c`'s parents
 * are `parents[parentStart[c] … parentStart[c + 1])`, each a commit number or -1 for a parent
 * outside the set, in the order git lists them.
 */
export function dateOrder(count: number, parentStart: Int32Array, parents: Int32Array, times: Float64Array): Int32Array {
  const steps = dateOrderSteps(count, parentStart, parents, times, count + 1);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * dateOrder, pausing (a `yield`) once its counting and queuing are done (they go over every
 * commit), then after every `slice` commits put in order, so that a caller can let the event loop
 * turn between slices; its value is dateOrder's.
 */
export function* dateOrderSteps(count: number, parentStart: Int32Array, parents: Int32Array, times: Float64Array, slice: number): Generator<void, Int32Array> {
  // As git counts: 1, plus one per child edge (a parent listed twice by one child counts twice).
  const indegree = new Int32Array(count).fill(1);
  for (let i = 0; i < parentStart[count]!; i++) if (parents[i]! >= 0) indegree[parents[i]!]!++;
  const queue = new ReadyQueue(count, times);
  for (let c = 0; c < count; c++) if (indegree[c] === 1) queue.put(c);
  // Counting and queuing go over every commit: the first slice starts after a pause of its own.
  yield;
  const order = new Int32Array(count);
  let printed = 0;
  while (queue.size > 0) {
    const c = queue.take();
    for (let i = parentStart[c]!; i < parentStart[c + 1]!; i++) {
      const parent = parents[i]!;
      if (parent < 0 || indegree[parent] === 0) continue;
      if (--indegree[parent]! === 1) queue.put(parent);
    }
    indegree[c] = 0;
    order[printed++] = c;
    if (printed % slice === 0) yield;
  }
  // A cycle cannot occur in a history; were the input to hold one, its commits are left out.
  return order.subarray(0, printed);
}

/** A binary heap of commits: the latest committer time on top, then the earliest put. */
class ReadyQueue {
  private readonly commits: Int32Array;
  private readonly puts: Float64Array;
  private counter = 0;
  size = 0;

  constructor(
    capacity: number,
    private readonly times: Float64Array,
  ) {
    this.commits = new Int32Array(capacity);
    this.puts = new Float64Array(capacity);
  }

  put(commit: number): void {
    let at = this.size++;
    const put = this.counter++;
    while (at > 0) {
      const up = (at - 1) >> 1;
      if (!this.before(commit, put, this.commits[up]!, this.puts[up]!)) break;
      this.commits[at] = this.commits[up]!;
      this.puts[at] = this.puts[up]!;
      at = up;
    }
    this.commits[at] = commit;
    this.puts[at] = put;
  }

  take(): number {
    const top = this.commits[0]!;
    const last = --this.size;
    const commit = this.commits[last]!;
    const put = this.puts[last]!;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= last) break;
      if (child + 1 < last && this.before(this.commits[child + 1]!, this.puts[child + 1]!, this.commits[child]!, this.puts[child]!)) child++;
      if (!this.before(this.commits[child]!, this.puts[child]!, commit, put)) break;
      this.commits[at] = this.commits[child]!;
      this.puts[at] = this.puts[child]!;
      at = child;
    }
    if (last > 0) {
      this.commits[at] = commit;
      this.puts[at] = put;
    }
    return top;
  }

  private before(a: number, aPut: number, b: number, bPut: number): boolean {
    const ta = this.times[a]!;
    const tb = this.times[b]!;
    return ta !== tb ? ta > tb : aPut < bPut;
  }
}
