// Which services are deploying and how each one's last deploy ended, kept from the DeployQueue's
// events: the one place the tree, the test API and the log read deploy state from, whether the
// deploy came from a click, the palette or Deploy All Stale. No `vscode` import.
import type { DeployQueue } from '../../core/deploy/queue';
import type { DeployPhase, DeployResult } from '../../core/deploy/runner';
import { Emitter, type EventSubscriber } from '../platform/emitter';

export interface DeployStateSnapshot {
  service: string;
  /** A deploy of the service is running now (script or verification). */
  running: boolean;
  /** The running deploy's phase, null when none runs. */
  phase: DeployPhase | null;
  /** The running deploy's latest progress line. */
  message: string | null;
  /** The commit the running deploy ships, once read. */
  commit: string | null;
  /** When the running deploy started (ISO 8601). */
  startedAt: string | null;
  /** How the last finished deploy of the service in this window ended. */
  lastResult: DeployResult | null;
}

interface Running {
  phase: DeployPhase;
  message: string;
  commit: string | null;
  startedAt: string;
}

export class DeployStates {
  private readonly running = new Map<string, Running>();
  private readonly finished = new Map<string, DeployResult>();
  private readonly changeEmitter = new Emitter<string>();
  private readonly finishEmitter = new Emitter<DeployResult>();
  private readonly unsubscribe: () => void;

  /**
   * A service whose deploy started, changed phase or finished (its name). Progress lines within a
   * phase do not fire it: verification reports every poll, and the tree need not redraw for that.
   */
  readonly onDidChange: EventSubscriber<string> = this.changeEmitter.event;
  /** Every finished deploy, after get() reflects it. */
  readonly onDidFinish: EventSubscriber<DeployResult> = this.finishEmitter.event;

  constructor(queue: DeployQueue) {
    this.unsubscribe = queue.onDidChange((event) => {
      const service = event.handle.service;
      switch (event.type) {
        case 'started':
          this.running.set(service, { phase: 'starting', message: `Deploying ${service}`, commit: null, startedAt: event.handle.startedAt.toISOString() });
          this.changeEmitter.fire(service);
          break;
        case 'progress': {
          const current = this.running.get(service);
          if (!current || event.progress.phase === 'finished') return;
          const phaseChanged = current.phase !== event.progress.phase;
          current.phase = event.progress.phase;
          current.message = event.progress.message;
          current.commit = event.progress.commit ?? current.commit;
          if (phaseChanged) this.changeEmitter.fire(service);
          break;
        }
        case 'finished':
          this.running.delete(service);
          this.finished.set(service, event.result);
          this.changeEmitter.fire(service);
          this.finishEmitter.fire(event.result);
          break;
      }
    });
  }

  isDeploying(service: string): boolean {
    return this.running.has(service);
  }

  phase(service: string): DeployPhase | null {
    return this.running.get(service)?.phase ?? null;
  }

  /** Every service deploying now or with a finished deploy in this window: running ones first, each in start order. */
  list(): DeployStateSnapshot[] {
    const running = [...this.running.keys()];
    const finished = [...this.finished.keys()].filter((service) => !this.running.has(service));
    return [...running, ...finished].map((service) => this.get(service));
  }

  get(service: string): DeployStateSnapshot {
    const running = this.running.get(service);
    return {
      service,
      running: running !== undefined,
      phase: running?.phase ?? null,
      message: running?.message ?? null,
      commit: running?.commit ?? null,
      startedAt: running?.startedAt ?? null,
      lastResult: this.finished.get(service) ?? null,
    };
  }

  dispose(): void {
    this.unsubscribe();
    this.changeEmitter.dispose();
    this.finishEmitter.dispose();
  }
}
