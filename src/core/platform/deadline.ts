// A deadline for one awaited operation: an AbortSignal that aborts when the time is up or when the
// caller's own signal does, and which of the two it was. No vscode import.
//
//   const deadline = startDeadline(5_000, callerSignal);
//   try { await raceAbort(work(deadline.signal), deadline.signal) } finally { deadline.dispose() }
//   deadline.expired    true once the time ran out (not the caller)
//   deadline.left()     milliseconds left (0 once expired)

export interface Deadline {
  /** Aborts at the deadline (reason: a DeadlineExpired) or when the caller's signal aborts (its reason). */
  readonly signal: AbortSignal;
  /** The time allowed, as given. */
  readonly ms: number;
  readonly expired: boolean;
  left(): number;
  /** Stops the timer and lets go of the caller's signal; call once the operation settled. */
  dispose(): void;
}

/** The reason a deadline's signal aborts with when the time ran out. */
export class DeadlineExpired extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${formatSeconds(ms)}`);
    this.name = 'DeadlineExpired';
  }
}

export function startDeadline(ms: number, callerSignal?: AbortSignal): Deadline {
  const end = Date.now() + Math.max(0, ms);
  const controller = new AbortController();
  let expired = false;
  const onCallerAbort = (): void => controller.abort(callerSignal!.reason);
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DeadlineExpired(ms));
  }, Math.max(0, ms));
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    ms,
    get expired() {
      return expired;
    },
    left: () => (controller.signal.aborted ? 0 : Math.max(0, end - Date.now())),
    dispose: () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}

/**
 * Settles as `work` does, or rejects with the signal's reason as soon as it aborts. For libraries
 * that may not honor the signal themselves: `work` is left to end on its own, its failure caught.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(signal.reason as unknown);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as unknown);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** "1 s", "2.5 s", "90 s": a duration as people read it in a message. */
export function formatSeconds(ms: number): string {
  const seconds = Math.round(ms / 100) / 10;
  return `${Number.isInteger(seconds) ? seconds.toFixed(0) : seconds.toFixed(1)} s`;
}
