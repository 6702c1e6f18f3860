// DeployQueue (one deploy per service), deployAll's scheduling and cancel, and the result texts.
// The runs here are plain async functions: the real deploy path is in test/integration/deploy-*.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriftConfig, ServiceConfig } from '../../src/core/config';
import { planDeployAll } from '../../src/core/deploy/plan';
import { deployAll, type DeployAllEvent } from '../../src/core/deploy/deployAll';
import { describeDeployResult, logLine } from '../../src/core/deploy/messages';
import { DeployQueue } from '../../src/core/deploy/queue';
import type { DeployResult, DeployResultKind } from '../../src/core/deploy/runner';
import type { CheckResult, ServiceVerdict } from '../../src/core/model';

function result(service: string, kind: DeployResultKind = 'verified', message = `${service}: ${kind}`): DeployResult {
  return { kind, service, commit: 'a'.repeat(40), message, commandName: 'deploy', commandLine: `./d '${service}'`, startedAt: '', finishedAt: '' };
}

/** A promise with its resolve exposed, so a test decides when a "deploy" finishes. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('DeployQueue', () => {
  it('runs one deploy per service: a second request gets the running handle', async () => {
    const queue = new DeployQueue();
    const gate = deferred<DeployResult>();
    let runs = 0;
    const first = queue.start('api', () => {
      runs++;
      return gate.promise;
    });
    const second = queue.start('api', () => {
      runs++;
      return gate.promise;
    });
    assert.equal(first.started, true);
    assert.equal(second.started, false);
    assert.equal(second.handle, first.handle);
    assert.equal(queue.get('api'), first.handle);
    const other = queue.start('web', async () => result('web'));
    assert.equal(other.started, true, 'other services are not blocked');
    gate.resolve(result('api'));
    assert.equal((await first.handle.result).kind, 'verified');
    assert.equal(runs, 1);
    assert.equal(queue.get('api'), undefined, 'released when finished');
    assert.equal(queue.start('api', async () => result('api')).started, true, 'a later request starts anew');
  });

  it('turns a throwing run into an error result, a cancelled one into cancelled, and reports events', async () => {
    const queue = new DeployQueue();
    const events: string[] = [];
    const unsubscribe = queue.onDidChange((e) => events.push(`${e.type}:${e.handle.service}${e.type === 'progress' ? `:${e.progress.message}` : ''}`));
    const failed = queue.start('api', async (_signal, report) => {
      report({ service: 'api', phase: 'running-script', message: 'running', commit: null });
      throw new Error('boom');
    });
    const failure = await failed.handle.result;
    assert.equal(failure.kind, 'error');
    assert.equal(failure.message, 'boom');
    assert.equal(failed.handle.progress?.message, 'running');

    const cancelled = queue.start('web', (signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))));
    await tick();
    cancelled.handle.cancel();
    assert.equal((await cancelled.handle.result).kind, 'cancelled');
    unsubscribe();
    queue.start('later', async () => result('later'));
    assert.deepEqual(events, ['started:api', 'progress:api:running', 'finished:api', 'started:web', 'finished:web']);
  });
});

describe('deployAll', () => {
  const service = (name: string, dependsOn: string[] = []): ServiceConfig => ({ name, kind: 'service', project: 'p-project', region: 'us-west2', paths: [], dependsOn });
  const cfg = {
    services: [service('predictor', ['processor']), service('processor', ['scraper']), service('scraper'), service('web'), service('docs')],
  } as DriftConfig;
  const check: CheckResult = {
    head: '',
    checkedAt: '',
    services: cfg.services.map((s) => ({ name: s.name, status: 'stale', commitsBehind: 1, message: '' }) as ServiceVerdict),
    warnings: [],
  };
  const plan = planDeployAll(check, cfg);

  /** Runs where each deploy waits for the test to finish it; records the order of starts. */
  function controlledRuns(): { started: string[]; finish: (name: string, kind?: DeployResultKind) => void; run: (step: { service: ServiceConfig }) => Promise<DeployResult> } {
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred<DeployResult>>>();
    return {
      started,
      finish: (name, kind = 'verified') => gates.get(name)!.resolve(result(name, kind)),
      run: (step) => {
        started.push(step.service.name);
        const gate = deferred<DeployResult>();
        gates.set(step.service.name, gate);
        return gate.promise;
      },
    };
  }

  it('runs one after another upstream first, skipping the dependents of a failure', async () => {
    const runs = controlledRuns();
    const events: DeployAllEvent[] = [];
    const handle = deployAll({ plan, concurrency: 1, queue: new DeployQueue(), run: runs.run, onProgress: (e) => events.push(e) });
    await tick();
    assert.deepEqual(runs.started, ['scraper']);
    runs.finish('scraper');
    await tick();
    await tick();
    assert.deepEqual(runs.started, ['scraper', 'processor']);
    runs.finish('processor', 'label-unchanged');
    await tick();
    await tick();
    assert.deepEqual(runs.started, ['scraper', 'processor', 'web'], 'predictor is skipped, web goes on');
    runs.finish('web');
    await tick();
    await tick();
    runs.finish('docs');
    const all = await handle.result;
    assert.deepEqual(
      all.outcomes.map((o) => [o.service, o.status]),
      [['scraper', 'succeeded'], ['processor', 'failed'], ['predictor', 'skipped'], ['web', 'succeeded'], ['docs', 'succeeded']],
    );
    assert.equal(all.outcomes[2]!.reason, 'skipped: processor did not deploy (label-unchanged)');
    assert.equal(all.summary, '3 verified, 1 failed (processor: label-unchanged), 1 skipped');
    assert.equal(events.at(-1)!.done, 5);
    assert.equal(events.at(-1)!.total, 5);
  });

  it('with concurrency starts independent deploys together', async () => {
    const runs = controlledRuns();
    const handle = deployAll({ plan, concurrency: 3, queue: new DeployQueue(), run: runs.run });
    await tick();
    assert.deepEqual(runs.started, ['scraper', 'web', 'docs']);
    runs.finish('web');
    await tick();
    await tick();
    assert.deepEqual(runs.started, ['scraper', 'web', 'docs'], 'processor still waits for scraper');
    runs.finish('scraper');
    await tick();
    await tick();
    assert.deepEqual(runs.started, ['scraper', 'web', 'docs', 'processor']);
    runs.finish('docs');
    runs.finish('processor');
    await tick();
    await tick();
    runs.finish('predictor');
    assert.equal((await handle.result).succeeded, 5);
  });

  it('cancel stops the ones not yet started; the running one finishes and is reported', async () => {
    const runs = controlledRuns();
    const controller = new AbortController();
    const handle = deployAll({ plan, concurrency: 1, queue: new DeployQueue(), run: runs.run, signal: controller.signal });
    await tick();
    controller.abort();
    await tick();
    runs.finish('scraper');
    const all = await handle.result;
    assert.deepEqual(runs.started, ['scraper']);
    assert.deepEqual(all.outcomes.map((o) => o.status), ['succeeded', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
    assert.equal(all.summary, '1 verified, 4 cancelled');
  });

  it('joins a deploy of the same service that is already running instead of starting another', async () => {
    const queue = new DeployQueue();
    const single = deferred<DeployResult>();
    queue.start('scraper', () => single.promise);
    const runs = controlledRuns();
    const handle = deployAll({ plan, concurrency: 1, queue, run: runs.run });
    await tick();
    assert.deepEqual(runs.started, [], 'the running deploy of scraper is awaited, not repeated');
    single.resolve(result('scraper'));
    await tick();
    await tick();
    assert.deepEqual(runs.started, ['processor']);
    handle.cancel();
    runs.finish('processor');
    const all = await handle.result;
    assert.deepEqual(all.outcomes.map((o) => o.status), ['succeeded', 'succeeded', 'cancelled', 'cancelled', 'cancelled']);
  });

  it('an empty plan finishes at once', async () => {
    const all = await deployAll({ plan: { steps: [], notDeployed: [] }, concurrency: 1, queue: new DeployQueue(), run: () => assert.fail('nothing to run') }).result;
    assert.equal(all.summary, '0 verified');
  });
});

describe('result texts', () => {
  it('logLine is one line, and label-unchanged keeps its exact wording', () => {
    const message = 'the deploy script exited 0 but prediction-coordinator still serves 4f6e1a2b (expected 9c0d3e4f)';
    assert.equal(logLine(result('prediction-coordinator', 'label-unchanged', message)), message);
    assert.equal(logLine(result('x', 'revision-failed', 'line one\nline two\u0007\tend')), 'line one line two end');
  });

  it('offers the actions the issue asks for', () => {
    assert.deepEqual(describeDeployResult(result('a', 'label-unchanged')), { severity: 'error', text: 'a: label-unchanged', actions: ['show-terminal', 'open-logs', 'retry'] });
    assert.deepEqual(describeDeployResult(result('a', 'script-failed')).actions, ['show-terminal']);
    assert.equal(describeDeployResult(result('a', 'verified')).severity, 'info');
    assert.equal(describeDeployResult(result('a', 'traffic-not-moved')).severity, 'warning');
    // A function whose build failed is offered what a failed revision is.
    assert.deepEqual(describeDeployResult(result('a', 'deploy-failed')), { severity: 'error', text: 'a: deploy-failed', actions: ['open-logs', 'retry'] });
  });
});
