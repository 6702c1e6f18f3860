import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDueOnFocus, RefreshScheduler, type RefreshReason, type SchedulerClock } from '../../src/extension/session/refreshScheduler';

/** A clock whose timers fire only when the test advances it. */
class FakeClock implements SchedulerClock {
  private time = 0;
  private timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
      await settle();
    }
    this.time = target;
    await settle();
  }
}

function unexpected(err: unknown): void {
  assert.fail(`unexpected refresh error: ${String(err)}`);
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** Work whose runs the test finishes by hand, recording each run's reasons. */
class ManualWork {
  readonly runs: RefreshReason[][] = [];
  readonly signals: AbortSignal[] = [];
  private finishers: ((err?: Error) => void)[] = [];

  readonly work = (reasons: ReadonlySet<RefreshReason>, signal: AbortSignal): Promise<void> => {
    this.runs.push([...reasons].sort());
    this.signals.push(signal);
    return new Promise((resolve, reject) => this.finishers.push((err) => (err ? reject(err) : resolve())));
  };

  async finish(err?: Error): Promise<void> {
    const finisher = this.finishers.shift();
    assert.ok(finisher, 'no run in flight');
    finisher(err);
    await settle();
  }
}

describe('refresh scheduler', () => {
  it('runs an immediate request at once and never two refreshes at a time', async () => {
    const clock = new FakeClock();
    const work = new ManualWork();
    const scheduler = new RefreshScheduler(work.work, unexpected, 10_000, clock);
    void scheduler.request('manual');
    await settle();
    assert.equal(work.runs.length, 1);
    assert.equal(scheduler.isRunning, true);

    // Three requests during the run coalesce into exactly one more run afterwards.
    void scheduler.request('focus');
    void scheduler.request('interval');
    void scheduler.request('manual');
    await settle();
    assert.equal(work.runs.length, 1, 'nothing starts while a refresh runs');
    await work.finish();
    assert.deepEqual(work.runs, [['manual'], ['focus', 'interval', 'manual']]);
    await work.finish();
    assert.equal(scheduler.isRunning, false);
    await clock.advance(60_000);
    assert.equal(work.runs.length, 2);
  });

  it('resolves a request only after a refresh that started after it', async () => {
    const clock = new FakeClock();
    const work = new ManualWork();
    const scheduler = new RefreshScheduler(work.work, unexpected, 10_000, clock);
    let firstDone = false;
    let secondDone = false;
    void scheduler.request('manual').then(() => (firstDone = true));
    await settle();
    void scheduler.request('api').then(() => (secondDone = true));
    await work.finish();
    assert.equal(firstDone, true);
    assert.equal(secondDone, false, 'the run in flight when it was asked for does not count');
    await work.finish();
    assert.equal(secondDone, true);
  });

  it('debounces bursts into one refresh', async () => {
    const clock = new FakeClock();
    const work = new ManualWork();
    const scheduler = new RefreshScheduler(work.work, unexpected, 10_000, clock);
    void scheduler.request('working-tree', 2000);
    await clock.advance(1500);
    void scheduler.request('working-tree', 2000);
    await clock.advance(1500);
    void scheduler.request('git', 1000);
    await clock.advance(900);
    assert.equal(work.runs.length, 0, 'still inside the quiet period');
    await clock.advance(200);
    assert.deepEqual(work.runs, [['git', 'working-tree']]);
  });

  it('an immediate request overtakes a pending debounce', async () => {
    const clock = new FakeClock();
    const work = new ManualWork();
    const scheduler = new RefreshScheduler(work.work, unexpected, 10_000, clock);
    void scheduler.request('working-tree', 2000);
    void scheduler.request('manual');
    await settle();
    assert.deepEqual(work.runs, [['manual', 'working-tree']]);
    await work.finish();
    await clock.advance(5000);
    assert.equal(work.runs.length, 1, 'the debounced request was served by the immediate run');
  });

  it('does not let a stream of changes postpone a refresh beyond maxWait', async () => {
    const clock = new FakeClock();
    const work = new ManualWork();
    const scheduler = new RefreshScheduler(work.work, unexpected, 5000, clock);
    for (let t = 0; t < 4900; t += 500) {
      void scheduler.request('working-tree', 2000);
      await clock.advance(500);
    }
    assert.equal(work.runs.length, 1, 'ran at maxWait although changes kept coming');
  });

  it('reports a failed refresh and keeps serving requests', async () => {
    const clock = new FakeClock();
    const work = new ManualWork();
    const errors: unknown[] = [];
    const scheduler = new RefreshScheduler(work.work, (err) => errors.push(err), 10_000, clock);
    const done = scheduler.request('manual');
    await settle();
    await work.finish(new Error('boom'));
    await done;
    assert.equal(errors.length, 1);
    void scheduler.request('manual');
    await settle();
    assert.equal(work.runs.length, 2);
  });

  it('aborts the refresh in flight and releases waiters on dispose', async () => {
    const clock = new FakeClock();
    const work = new ManualWork();
    const errors: unknown[] = [];
    const scheduler = new RefreshScheduler(work.work, (err) => errors.push(err), 10_000, clock);
    void scheduler.request('manual');
    await settle();
    const queued = scheduler.request('focus');
    const debounced = scheduler.request('git', 1000);
    scheduler.dispose();
    assert.equal(work.signals[0]!.aborted, true);
    await queued;
    await debounced;
    await work.finish(new Error('aborted'));
    assert.deepEqual(errors, [], 'an aborted refresh is not an error');
    await scheduler.request('manual');
    await clock.advance(5000);
    assert.equal(work.runs.length, 1, 'nothing runs after dispose');
  });

  it('refreshes on focus unless a refresh succeeded recently', () => {
    assert.equal(isDueOnFocus(undefined, 1000), true);
    assert.equal(isDueOnFocus(0, 29_999), false);
    assert.equal(isDueOnFocus(0, 30_000), true);
  });
});
