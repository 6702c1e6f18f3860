// One subscription per open repository, kept in step with the repositories there are now: the
// tree, the Data Jobs view and the deploy status bar each follow an event of every repository.
import type { DisposableLike } from '../platform/emitter';

export class RepoListeners<R extends { readonly root: string }> implements DisposableLike {
  private readonly listeners = new Map<string, DisposableLike>();

  constructor(private readonly subscribe: (repo: R) => DisposableLike) {}

  /** Subscribes to repositories not followed yet and drops those that are gone. */
  sync(repos: readonly R[]): void {
    const current = new Map(repos.map((r) => [r.root, r]));
    for (const [root, listener] of this.listeners) {
      if (current.has(root)) continue;
      listener.dispose();
      this.listeners.delete(root);
    }
    for (const [root, repo] of current) {
      if (!this.listeners.has(root)) this.listeners.set(root, this.subscribe(repo));
    }
  }

  dispose(): void {
    for (const listener of this.listeners.values()) listener.dispose();
    this.listeners.clear();
  }
}
