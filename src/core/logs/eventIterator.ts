// A log stream's events as an async iterator, with back-pressure: when the consumer falls more than
// `highWaterEntries` entries behind, the stream is asked to pause its intake, and to resume once the
// consumer is down to a quarter of that. Memory stays bounded however slowly the consumer reads.
import type { LogStreamEvent } from './streamApi';

export interface EventIteratorHooks {
  /** Calls the listener with every event from now on. */
  subscribe(listener: (event: LogStreamEvent) => void): void;
  highWaterEntries: number;
  pause(): void;
  resume(): void;
  /** The consumer stopped iterating early (`return()`): stop the stream. */
  stop(): Promise<void>;
}

export function eventIterator(hooks: EventIteratorHooks): AsyncIterator<LogStreamEvent> {
  const queue: LogStreamEvent[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  let queuedEntries = 0;
  let paused = false;
  const lowWater = Math.floor(hooks.highWaterEntries / 4);
  hooks.subscribe((event) => {
    queue.push(event);
    if (event.type === 'entries') {
      queuedEntries += event.entries.length;
      if (!paused && queuedEntries > hooks.highWaterEntries) {
        paused = true;
        hooks.pause();
      }
    }
    wake?.();
    wake = null;
  });
  return {
    next: async (): Promise<IteratorResult<LogStreamEvent>> => {
      for (;;) {
        const event = queue.shift();
        if (event) {
          if (event.type === 'entries') {
            queuedEntries -= event.entries.length;
            if (paused && queuedEntries <= lowWater) {
              paused = false;
              hooks.resume();
            }
          }
          if (event.type === 'end') finished = true;
          return { value: event, done: false };
        }
        if (finished) return { value: undefined, done: true };
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    return: async (): Promise<IteratorResult<LogStreamEvent>> => {
      finished = true;
      queue.length = 0;
      queuedEntries = 0;
      await hooks.stop();
      return { value: undefined, done: true };
    },
  };
}
