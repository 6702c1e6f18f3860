// The emulator's tail sessions against a scripted transport: window timing and back-pressure, without gRPC.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalizeEntry, type StoredLogEntry } from '../../src/emulator/logging/entry';
import { LogStore, compileRequestFilter } from '../../src/emulator/logging/store';
import { DEFAULT_TAIL_SETTINGS, TailSession, type TailBatch, type TailTransport } from '../../src/emulator/logging/tail';

const PROJECT = 'tail-test';

let counter = 0;
function entries(count: number): StoredLogEntry[] {
  return Array.from({ length: count }, () => {
    counter += 1;
    return normalizeEntry({ project: PROJECT, service: 'api', textPayload: `line ${counter}` }, '$', { nowMs: Date.now() });
  });
}

/** A transport that reports "buffer full" on demand and drains when the test says so. */
class ScriptedTransport implements TailTransport {
  readonly sent: { atMs: number; entries: number }[] = [];
  congested = false;
  private drainListeners: (() => void)[] = [];

  send(batch: TailBatch): boolean {
    this.sent.push({ atMs: Date.now(), entries: batch.entries.length });
    return !this.congested;
  }

  onceDrained(listener: () => void): void {
    this.drainListeners.push(listener);
  }

  fail(): void {
    throw new Error('the session should not fail');
  }

  drain(): void {
    this.congested = false;
    for (const listener of this.drainListeners.splice(0)) listener();
  }

  sentEntries(): number {
    return this.sent.reduce((sum, batch) => sum + batch.entries, 0);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('TailSession back-pressure', () => {
  test('entries whose window has passed go out as soon as the transport drains, not when the next window closes', async () => {
    const store = new LogStore();
    const transport = new ScriptedTransport();
    const windowMs = 300;
    const session = new TailSession(transport, compileRequestFilter(''), new Set([PROJECT]), [`projects/${PROJECT}`], windowMs, { ...DEFAULT_TAIL_SETTINGS }, null, () => {});
    session.start(store);
    try {
      transport.congested = true;
      store.append(entries(2500));
      await sleep(windowMs + 100);
      // The window closed: the first response (1000 entries) was written and the transport asked us to wait.
      assert.deepEqual(transport.sent.map((batch) => batch.entries), [1000]);

      // A busy service: a new window is open (its entries must still wait for it) when the transport drains.
      store.append(entries(10));
      const drainedAt = Date.now();
      transport.drain();
      await sleep(50);
      assert.equal(transport.sentEntries(), 2500, 'the 1500 ready entries were sent right after the drain');
      assert.ok(transport.sent.every((batch) => batch.atMs - drainedAt < windowMs / 2 || batch.atMs < drainedAt));

      await sleep(windowMs + 50);
      assert.equal(transport.sentEntries(), 2510, 'the new window went out when it closed');
    } finally {
      session.close();
    }
  });
});
