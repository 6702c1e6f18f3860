// Which repository a command acts on, decided without the editor: a row names its own; a name from a
// script or another command picks the repositories holding it; the palette offers those that qualify.
// No `vscode` import (unit-tested); servicePicker.ts asks the user when the answer is a choice.
import { isJobScoped, isRepoScoped, isServiceScoped } from '../tree/treeNode';

export interface RepoLike {
  readonly root: string;
}

export interface RepoChoiceOptions<R> {
  /** A name (service or job) from a script: only repositories holding it are candidates. */
  holds?: (repo: R, name: string) => boolean;
  /** From the palette, only repositories this accepts are offered. */
  accepts?: (repo: R) => boolean;
}

export type RepoChoice<R> =
  /** The repository to act on. */
  | { kind: 'one'; repo: R }
  /** Several qualify: ask. */
  | { kind: 'pick'; repos: R[] }
  /** The row's repository is no longer in the workspace. */
  | { kind: 'gone'; root: string }
  /** None qualifies. */
  | { kind: 'none' };

/** The name an argument carries: a service or job row, `{ serviceName }`, `{ jobName }`, or a string. */
export function argumentName(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (isServiceScoped(arg)) return arg.serviceName;
  if (isJobScoped(arg)) return arg.jobName;
  return undefined;
}

/**
 * `candidates` are the repositories the command can act on (typically those with a valid
 * configuration), in the workspace's order. A name no candidate holds goes to the only candidate,
 * or the first, whose own lookup then says what is missing.
 */
export function chooseRepo<R extends RepoLike>(arg: unknown, all: readonly R[], candidates: readonly R[], options: RepoChoiceOptions<R> = {}): RepoChoice<R> {
  if (isRepoScoped(arg)) {
    const repo = all.find((r) => r.root === arg.root);
    return repo ? { kind: 'one', repo } : { kind: 'gone', root: arg.root };
  }
  if (candidates.length === 0) return { kind: 'none' };
  const name = argumentName(arg);
  if (name !== undefined && options.holds) {
    const holding = candidates.filter((r) => options.holds!(r, name));
    if (holding.length === 1) return { kind: 'one', repo: holding[0]! };
    if (holding.length > 1) return { kind: 'pick', repos: holding };
    return { kind: 'one', repo: candidates[0]! };
  }
  const offered = options.accepts ? candidates.filter(options.accepts) : [...candidates];
  if (offered.length === 0) return { kind: 'none' };
  if (offered.length === 1) return { kind: 'one', repo: offered[0]! };
  return { kind: 'pick', repos: offered };
}
