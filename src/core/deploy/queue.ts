// One deploy per service at a time: a second request for a service already deploying joins it.
//   .deploy(options)  → { handle, started }  started false: `handle` is the one already running
//   .start(service, run) → same, for any function producing a DeployResult
//   .get(service) / .list() / .onDidChange(listener) → unsubscribe / .cancelAll()
import { errorText, oneLine } from '../text/messageText';
import { runDeploy, type DeployProgress, type DeployResult, type RunDeployOptions } from './runner';

export interface DeployHandle {
  readonly service: string;
  readonly startedAt: Date;
  /** Settles with the result; never rejects. */
  readonly result: Promise<DeployResult>;
  /** Aborted by cancel(); handed to the run. */
  readonly signal: AbortSignal;
  /** The latest progress reported, for revealing a running deploy. */
  readonly progress: DeployProgress | null;
  cancel(): void;
}

export type DeployQueueEvent =
  | { type: 'started'; handle: DeployHandle }
  | { type: 'progress'; handle: DeployHandle; progress: DeployProgress }
  | { type: 'finished'; handle: DeployHandle; result: DeployResult };

export type DeployRun = (signal: AbortSignal, report: (progress: DeployProgress) => void) => Promise<DeployResult>;

export class DeployQueue {
  private readonly running = new Map<string, DeployHandle>();
  private readonly listeners = new Set<(event: DeployQueueEvent) => void>();

  /**
   * Starts `run` for `service` unless a deploy of it is running; then returns that one's handle
   * with started false (the caller reveals it instead of starting another). Synchronous, so two
   * clicks in the same tick cannot both start.
   */
  start(service: string, run: DeployRun): { handle: DeployHandle; started: boolean } {
    const existing = this.running.get(service);
    if (existing) return { handle: existing, started: false };
    const controller = new AbortController();
    let latest: DeployProgress | null = null;
    let resolveResult!: (result: DeployResult) => void;
    const result = new Promise<DeployResult>((resolve) => (resolveResult = resolve));
    const handle: DeployHandle = {
      service,
      startedAt: new Date(),
      result,
      signal: controller.signal,
      get progress() {
        return latest;
      },
      cancel: () => controller.abort(new Error(`the deploy of ${service} was cancelled`)),
    };
    this.running.set(service, handle);
    this.emit({ type: 'started', handle });
    const report = (progress: DeployProgress): void => {
      latest = progress;
      this.emit({ type: 'progress', handle, progress });
    };
    const startedAt = handle.startedAt.toISOString();
    // Started on the next microtask so that `started` listeners and the caller see the handle first.
    void Promise.resolve()
      .then(() => run(controller.signal, report))
      .catch(
        (err: unknown): DeployResult => ({
          kind: controller.signal.aborted ? 'cancelled' : 'error',
          service,
          commit: null,
          message: oneLine(errorText(err)),
          commandName: null,
          commandLine: null,
          startedAt,
          finishedAt: new Date().toISOString(),
        }),
      )
      .then((settled) => {
        this.running.delete(service);
        this.emit({ type: 'finished', handle, result: settled });
        resolveResult(settled);
      });
    return { handle, started: true };
  }

  /** runDeploy under the lock; the handle's cancel() aborts it (and so does options.signal). */
  deploy(options: RunDeployOptions): { handle: DeployHandle; started: boolean } {
    const service = typeof options.service === 'string' ? options.service : options.service.name;
    return this.start(service, (signal, report) =>
      runDeploy({
        ...options,
        signal: options.signal ? AbortSignal.any([signal, options.signal]) : signal,
        onProgress: (progress) => {
          report(progress);
          options.onProgress?.(progress);
        },
      }),
    );
  }

  get(service: string): DeployHandle | undefined {
    return this.running.get(service);
  }

  list(): DeployHandle[] {
    return [...this.running.values()];
  }

  cancelAll(): void {
    for (const handle of this.running.values()) handle.cancel();
  }

  /** Returns the unsubscribe function. */
  onDidChange(listener: (event: DeployQueueEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: DeployQueueEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not break the lock.
      }
    }
  }
}
