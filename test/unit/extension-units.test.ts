// How functions and Cloud Run jobs look in the Services view: icon, description, context value,
// tooltip, their executions' lines, the log scope Open Logs uses and the scaffold's units.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/core/config';
import type { LogEntry } from '../../src/core/logs';
import { composeFilter, EXECUTION_NAME_LABEL } from '../../src/core/logs';
import type { ExecutionVerdict, FunctionDetails } from '../../src/core/model';
import { buildScaffoldConfig, scaffoldUnits } from '../../src/extension/commands/scaffoldPlan';
import { rowFor } from '../../src/extension/logs/messages';
import { executionTarget, unitLogScopeOf } from '../../src/extension/logs/openRequest';
import { executionTooltipMarkdown, serviceTooltipMarkdown } from '../../src/extension/tree/tooltip';
import { cloudConsoleUrl, serviceContextValue } from '../../src/extension/views/presentation';
import { executionIcon, executionLine, lastRunText, unitDescription, unitIcon } from '../../src/extension/views/unitPresentation';
import { SHA_A, verdict } from './extension-fixtures';

const NOW = new Date('2026-11-29T10:00:00Z');

function execution(overrides: Partial<ExecutionVerdict> = {}): ExecutionVerdict {
  return {
    name: 'backfill-m2xrt',
    status: 'failed',
    createTime: '2026-11-29T04:58:00Z',
    startTime: '2026-11-29T05:00:00Z',
    completionTime: '2026-11-29T05:04:12Z',
    tasks: { total: 3, running: 0, succeeded: 2, failed: 1, cancelled: 0 },
    message: 'Task backfill-m2xrt-task1 failed: exit code 1',
    args: ['--start-date=2026-01-15', '--end-date=2026-01-28'],
    commitLabel: SHA_A.slice(0, 8),
    commit: SHA_A,
    commitsBehind: 40,
    durationMs: 252_000,
    ...overrides,
  };
}

function fnDetails(overrides: Partial<FunctionDetails> = {}): FunctionDetails {
  return { state: 'ACTIVE', service: 'phase5b-grading', revision: 'phase5b-grading-00007-abc', build: 'b-1', updateTime: '2026-11-29T09:20:00Z', failure: null, commitFromFunctionLabel: false, ...overrides };
}

describe('functions and Cloud Run jobs in the Services view', () => {
  it('draws a function or a job with its kind glyph in its verdict color; a service keeps its verdict glyph; spinners stay', () => {
    assert.deepEqual(unitIcon('service', 'stale'), { id: 'warning', color: 'list.warningForeground' });
    assert.deepEqual(unitIcon('function', 'up-to-date'), { id: 'symbol-function', color: 'testing.iconPassed' });
    assert.deepEqual(unitIcon('function', 'deploy-failed'), { id: 'symbol-function', color: 'errorForeground' });
    assert.deepEqual(unitIcon('job', 'stale'), { id: 'server-process', color: 'list.warningForeground' });
    assert.deepEqual(unitIcon('job', 'deploying'), { id: 'loading~spin', color: null });
    assert.deepEqual(unitIcon('job', 'unchecked', true), { id: 'loading~spin', color: null });
    assert.deepEqual(unitIcon('function', 'unchecked'), { id: 'symbol-function', color: null });
  });

  it('gives each kind its own context value segment, in the same order as a service', () => {
    assert.equal(serviceContextValue(verdict('a', 'stale', { dirty: true }), false), 'cloudRunDrift.service.stale.dirty.hasCommit');
    assert.equal(serviceContextValue(verdict('f', 'up-to-date', { kind: 'function' }), true), 'cloudRunDrift.function.up-to-date.hasCommit.staleData');
    assert.equal(serviceContextValue(verdict('j', 'not-found', { kind: 'job', deployedCommit: null, commitLabel: null }), false), 'cloudRunDrift.runJob.not-found');
    assert.equal(serviceContextValue(undefined, false, 'function'), 'cloudRunDrift.function.unchecked');
  });

  it("says a function's commit came from its own label (the weaker signal)", () => {
    const v = verdict('phase3-to-phase4-orchestrator', 'up-to-date', { kind: 'function', function: fnDetails({ commitFromFunctionLabel: true }) });
    assert.equal(unitDescription(v, NOW, false), '81147d04 · 2h ago · commit from function label');
    assert.equal(unitDescription({ ...v, function: fnDetails() }, NOW, false), '81147d04 · 2h ago');
    const tooltip = serviceTooltipMarkdown({ name: v.name, kind: 'function', project: 'p', region: 'r', paths: [], status: 'up-to-date', verdict: v, checkedAt: null, failure: undefined, now: NOW });
    assert.match(tooltip, /^\*\*phase3\\-to\\-phase4\\-orchestrator\*\* · Cloud Run function · up to date/);
    assert.match(tooltip, /\*\*Commit from the function's own label:\*\*/);
  });

  it("shows the build's message on a function whose deploy failed, cut to fit; the tooltip has all of it", () => {
    const failure = 'Build failed with status: FAILURE. pip_install_from_requirements: ERROR: Could not find a version that satisfies the requirement numpy==2.4.0';
    const v = verdict('phase5b-grading', 'deploy-failed', { kind: 'function', function: fnDetails({ state: 'FAILED', failure }), message: `The last deploy of phase5b-grading failed: ${failure}.` });
    const description = unitDescription(v, NOW, false);
    assert.match(description, /^deploy failed · 81147d04 · 2h ago · Build failed with status: FAILURE\. pip_install/);
    assert.ok(description.endsWith('…'), description);
    assert.ok(description.length < 140, description);
    const tooltip = serviceTooltipMarkdown({ name: v.name, kind: 'function', project: 'p', region: 'r', paths: [], status: 'deploy-failed', verdict: v, checkedAt: null, failure: undefined, now: NOW });
    assert.ok(tooltip.replace(/\\(.)/g, '$1').includes('numpy==2.4.0'), tooltip);
  });

  it("puts a job's last run beside its verdict: how it ended, when, and how old the code it ran was", () => {
    const v = verdict('backfill', 'stale', { kind: 'job', serving: [], commitsBehind: 14, lastExecution: execution(), executions: [execution()] });
    assert.equal(unitDescription(v, NOW, false), '14 behind · 81147d04 · 2h ago · last run failed 4h ago on code 40 commits old');
    assert.equal(unitDescription({ ...v, lastExecution: null, executions: [] }, NOW, true), '14 behind · 81147d04 · 2h ago · never run (stale data)');
    assert.equal(lastRunText(execution({ status: 'succeeded', message: null, commitsBehind: 0 }), NOW), 'last run succeeded 4h ago on the current code');
    assert.equal(lastRunText(execution({ commitsBehind: 1 }), NOW), 'last run failed 4h ago on code 1 commit old');
    assert.equal(lastRunText(execution({ commitsBehind: null, commit: null }), NOW), 'last run failed 4h ago');
    const running = execution({ status: 'running', completionTime: null, durationMs: null, message: null, tasks: { total: 10, running: 4, succeeded: 5, failed: 1, cancelled: 0 } });
    assert.equal(lastRunText(running, NOW), 'last run: running 6/10 tasks done');
    const tooltip = serviceTooltipMarkdown({ name: 'backfill', kind: 'job', project: 'p', region: 'r', paths: [], status: 'stale', verdict: v, checkedAt: null, failure: undefined, now: NOW });
    assert.match(tooltip, /· Cloud Run job · stale/);
    assert.match(tooltip, /\*\*Last execution:\*\*/);
    assert.match(tooltip, /\*\*Code:\*\* ran 81147d04\\, 40 commits old/);
    assert.match(tooltip, /\*\*Took:\*\* 4m 12s/);
  });

  it("describes each execution: status and tasks, when, how long, the commit it ran, why it failed", () => {
    assert.equal(executionLine(execution(), NOW), 'failed · 2/3 tasks (1 failed) · 5h ago · 4m 12s · ran 81147d04, 40 commits old · Task backfill-m2xrt-task1 failed: exit code 1');
    assert.equal(executionLine(execution({ status: 'succeeded', tasks: { total: 3, running: 0, succeeded: 3, failed: 0, cancelled: 0 }, message: null, commitsBehind: 0 }), NOW), 'succeeded · 3/3 tasks · 5h ago · 4m 12s · ran 81147d04, the current code');
    const running = execution({ status: 'running', completionTime: null, durationMs: null, message: null, tasks: { total: 3, running: 2, succeeded: 1, failed: 0, cancelled: 0 } });
    assert.equal(executionLine(running, NOW), 'running 1/3 tasks done · 5h ago · ran 81147d04, 40 commits old');
    assert.equal(executionLine(execution({ status: 'pending', startTime: null, createTime: null, completionTime: null, durationMs: null, message: null, commit: null, commitLabel: null, commitsBehind: null }), NOW), 'pending · ran no commit label');
    assert.deepEqual(executionIcon('failed'), { id: 'error', color: 'errorForeground' });
    assert.deepEqual(executionIcon('succeeded'), { id: 'pass', color: 'testing.iconPassed' });
    assert.equal(executionIcon('running').id, 'loading~spin');
    // Untrusted text from the API is escaped in the tooltip.
    assert.ok(executionTooltipMarkdown(execution({ message: '[x](command:evil)' }), NOW).includes('**Failure:** \\[x\\]\\(command\\:evil\\)'));
  });

  it("opens a function's logs (its service's and its own), a job's, and an execution's", () => {
    const fn = { name: 'phase5b-grading', region: 'us-west2', kind: 'function' as const };
    assert.deepEqual(unitLogScopeOf(fn, verdict('phase5b-grading', 'up-to-date', { kind: 'function', function: fnDetails({ service: 'grading-svc' }) })), {
      kind: 'function',
      function: { name: 'phase5b-grading', region: 'us-west2' },
      service: 'grading-svc',
    });
    // Not checked yet: the service it most likely runs on.
    assert.deepEqual(unitLogScopeOf({ ...fn, name: 'Phase_5b' }, undefined), { kind: 'function', function: { name: 'Phase_5b', region: 'us-west2' }, service: 'phase-5b' });
    const job = { name: 'backfill', region: 'us-west2', kind: 'job' as const };
    assert.match(composeFilter({ scope: unitLogScopeOf(job, undefined) }), /resource\.type="cloud_run_job" AND resource\.labels\.job_name="backfill"/);
    assert.match(composeFilter({ scope: unitLogScopeOf(job, undefined, 'backfill-m2xrt') }), /labels\."run\.googleapis\.com\/execution_name"="backfill-m2xrt"/);
    assert.deepEqual(unitLogScopeOf({ name: 'api', region: 'r', kind: 'service' }, undefined, 'ignored'), { kind: 'services', services: [{ name: 'api', region: 'r' }] });
    assert.equal(executionTarget({ serviceName: 'backfill', executionName: 'backfill-m2xrt' }), 'backfill-m2xrt');
    assert.equal(executionTarget({ serviceName: 'backfill' }), undefined);
    assert.equal(executionTarget('backfill'), undefined);
  });

  it("names a job entry's execution in the log view's revision column", () => {
    const entry: LogEntry = { insertId: '1', timestamp: '2026-11-29T05:00:01Z', severity: 'ERROR', service: null, revision: null, text: 'boom', labels: { [EXECUTION_NAME_LABEL]: 'backfill-m2xrt' } } as unknown as LogEntry;
    assert.equal(rowFor(1, entry, () => false).revision, 'backfill-m2xrt');
    assert.equal(rowFor(1, { ...entry, revision: 'api-00001-abc' }, () => false).revision, 'api-00001-abc');
  });

  it("links each kind to its own page in the Cloud console", () => {
    assert.equal(cloudConsoleUrl({ project: 'p', region: 'us-west2', name: 'a' }), 'https://console.cloud.google.com/run/detail/us-west2/a/revisions?project=p');
    assert.equal(cloudConsoleUrl({ kind: 'function', project: 'p', region: 'us-west2', name: 'f' }), 'https://console.cloud.google.com/functions/details/us-west2/f?env=gen2&project=p');
    assert.equal(cloudConsoleUrl({ kind: 'job', project: 'p', region: 'us-west2', name: 'j' }), 'https://console.cloud.google.com/run/jobs/details/us-west2/j/executions?project=p');
  });

  it('scaffolds services, functions and jobs, each with its kind; a function is listed once, not also as its service', () => {
    const units = scaffoldUnits(
      [{ name: 'api', labels: {} }, { name: 'phase5b-grading', labels: { 'goog-managed-by': 'cloudfunctions' } }],
      [{ name: 'phase5b-grading', labels: {} }],
      [{ name: 'backfill', labels: {} }],
    );
    assert.deepEqual(units.map((u) => [u.name, u.kind]), [['api', 'service'], ['backfill', 'job'], ['phase5b-grading', 'function']]);
    const text = buildScaffoldConfig({ project: 'nba-props-platform', region: 'us-west2', commitLabel: null, services: units.map((u) => ({ name: u.name, kind: u.kind, paths: u.name === 'api' ? ['api'] : [] })), runEndpoint: 'http://127.0.0.1:9' });
    const config = parseConfig(text, 'cloud-run-drift.json');
    assert.deepEqual(config.services.map((s) => [s.name, s.kind]), [['api', 'service'], ['backfill', 'job'], ['phase5b-grading', 'function']]);
    assert.doesNotMatch(text, /"kind": "service"/, 'the default kind is left unsaid');
    assert.deepEqual(config.endpoints, { run: 'http://127.0.0.1:9', functions: 'http://127.0.0.1:9' });
  });
});
