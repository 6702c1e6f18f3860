// The deadline helper every API reader bounds its calls with.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeadlineExpired, formatSeconds, raceAbort, startDeadline } from '../../src/core/platform/deadline';

describe('deadline', () => {
  it('formats durations as people read them', () => {
    assert.deepEqual([0, 40, 300, 1_000, 1_500, 4_340, 60_000].map(formatSeconds), ['0 s', '0 s', '0.3 s', '1 s', '1.5 s', '4.3 s', '60 s']);
  });

  it('aborts its signal when the time is up, with a DeadlineExpired reason, and says it expired', async () => {
    // The time left is read from a long deadline: a loaded machine may spend 30 ms before the next line.
    const long = startDeadline(60_000);
    assert.equal(long.expired, false);
    assert.ok(long.left() > 0 && long.left() <= 60_000);
    long.dispose();
    const deadline = startDeadline(30);
    await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve, { once: true }));
    assert.equal(deadline.expired, true);
    assert.equal(deadline.left(), 0);
    assert.ok(deadline.signal.reason instanceof DeadlineExpired);
    assert.equal((deadline.signal.reason as Error).message, 'no answer within 0 s');
  });

  it("aborts with the caller's reason when the caller's signal aborts first (already aborted included)", () => {
    const caller = new AbortController();
    const deadline = startDeadline(60_000, caller.signal);
    caller.abort(new Error('canceled'));
    assert.equal(deadline.expired, false);
    assert.equal((deadline.signal.reason as Error).message, 'canceled');
    deadline.dispose();
    const late = startDeadline(60_000, caller.signal);
    assert.equal((late.signal.reason as Error).message, 'canceled');
    late.dispose();
  });

  it('dispose stops the timer: a settled operation is not aborted afterwards', async () => {
    const deadline = startDeadline(20);
    deadline.dispose();
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(deadline.signal.aborted, false);
  });

  it('raceAbort settles as the work does, or rejects with the reason once the signal aborts', async () => {
    const controller = new AbortController();
    assert.equal(await raceAbort(Promise.resolve(7), controller.signal), 7);
    await assert.rejects(raceAbort(Promise.reject(new Error('work failed')), controller.signal), /work failed/);
    const never = new Promise<number>(() => undefined);
    const raced = raceAbort(never, controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(raced, /stop/);
    await assert.rejects(raceAbort(never, controller.signal), /stop/);
  });
});
