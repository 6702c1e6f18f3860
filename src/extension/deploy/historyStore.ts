// The Deployments history per service, fetched only when its node is expanded and kept until the
// next check or deploy. The tree rebuilds its nodes on every change (twice per refresh), and each
// rebuild asks expanded nodes for their children again: without this cache every rebuild would
// list revisions anew. No `vscode` import.
import type { DeploymentHistory } from '../../core/deploy/history';
import { errorText } from '../../core/text/messageText';

interface Entry {
  promise: Promise<DeploymentHistory>;
  value: DeploymentHistory | undefined;
}

export class DeploymentHistoryStore {
  private readonly entries = new Map<string, Entry>();

  /** `load` never rejects in practice (readDeploymentHistory does not); a rejection becomes an error row. */
  constructor(private readonly load: (service: string) => Promise<DeploymentHistory>) {}

  /** The history already loaded, so a rebuilt tree shows it at once; undefined before or while loading. */
  peek(service: string): DeploymentHistory | undefined {
    return this.entries.get(service)?.value;
  }

  /** The cached history, or one load shared by every caller until it settles. */
  get(service: string): Promise<DeploymentHistory> {
    const cached = this.entries.get(service);
    if (cached) return cached.promise;
    // eslint-disable-next-line prefer-const -- the callbacks below name it; they run after it is assigned
    let entry!: Entry;
    const promise = Promise.resolve()
      .then(() => this.load(service))
      .catch((err: unknown): DeploymentHistory => ({ kind: 'error', message: errorText(err) }))
      .then((history) => {
        // Only the entry still in the map keeps its value: an invalidation during the load means
        // this answer may predate the deploy or check that invalidated it.
        if (this.entries.get(service) === entry) entry.value = history;
        return history;
      });
    entry = { promise, value: undefined };
    this.entries.set(service, entry);
    return entry.promise;
  }

  /** Forget one service's history (after its deploy) or all (after a check). */
  invalidate(service?: string): void {
    if (service === undefined) this.entries.clear();
    else this.entries.delete(service);
  }
}
