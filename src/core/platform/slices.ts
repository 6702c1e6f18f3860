// Long work that may run in the editor's extension host is done in slices, letting the event loop
// turn between them.

/** How long a slice of such work runs before the event loop is allowed to turn. */
const SLICE_MS = 10;

/** Resolves once the event loop has turned (its I/O and timers had their chance). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Asked between slices of work: a promise to wait for when the event loop should turn first. */
export type Pause = () => Promise<void> | undefined;

/**
 * A Pause that lets the event loop turn (setImmediate) once `sliceMs` have passed since the last
 * turn it let happen; its first call turns at once, because what came before it ran in this turn.
 * After a turn, a `signal` aborted by then rejects with its reason.
 */
export function slicePause(signal?: AbortSignal, sliceMs = SLICE_MS): Pause {
  let sliceStarted = -Infinity;
  return () => {
    if (performance.now() - sliceStarted < sliceMs) return undefined;
    return nextTurn().then(() => {
      signal?.throwIfAborted();
      sliceStarted = performance.now();
    });
  };
}
