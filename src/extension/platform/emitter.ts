// A minimal event emitter shaped like `vscode.Event`, so modules that must stay free of the
// `vscode` import (and so unit-testable in plain Node) can still publish events the API re-exports.

export interface DisposableLike {
  dispose(): void;
}

export type Listener<T> = (event: T) => unknown;

/** Structurally compatible with `vscode.Event<T>`. */
export type EventSubscriber<T> = (listener: Listener<T>, thisArgs?: unknown, disposables?: DisposableLike[]) => DisposableLike;

export class Emitter<T> implements DisposableLike {
  private listeners = new Set<Listener<T>>();

  readonly event: EventSubscriber<T> = (listener, thisArgs, disposables) => {
    const bound: Listener<T> = thisArgs === undefined ? listener : (e) => listener.call(thisArgs, e);
    this.listeners.add(bound);
    const subscription = { dispose: () => void this.listeners.delete(bound) };
    disposables?.push(subscription);
    return subscription;
  };

  fire(event: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        // One faulty listener must not stop the others, nor the refresh that fired the event.
        console.error('Cloud Run Drift: event listener failed', err);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
