import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { slicePause } from '../../src/core/platform/slices';

/** Resolves after the event loop has turned once (a setImmediate queued now has run). */
const turned = (): { done: () => boolean } => {
  let ran = false;
  setImmediate(() => (ran = true));
  return { done: () => ran };
};

describe('slicePause', () => {
  it('turns the event loop on its first call, then not again within the slice', async () => {
    const pause = slicePause(undefined, 60_000);
    const probe = turned();
    const first = pause();
    assert.ok(first, 'the first call asks for a turn');
    await first;
    assert.ok(probe.done(), 'an immediate queued before the pause ran before it ended');
    assert.equal(pause(), undefined, 'within the slice, no turn');
  });

  it('turns again once the slice is over', async () => {
    const pause = slicePause(undefined, 0);
    await pause();
    assert.ok(pause(), 'a slice of 0 ms is over at once');
  });

  it('rejects with the signal reason when the signal is aborted by the end of the turn', async () => {
    const controller = new AbortController();
    const pause = slicePause(controller.signal, 0);
    const waiting = pause();
    const reason = new Error('canceled by the test');
    controller.abort(reason);
    await assert.rejects(waiting!, (err) => err === reason);
    // Aborted before the call: the turn happens, then the reason.
    await assert.rejects(pause()!, (err) => err === reason);
  });
});
