// What the Services view and the scaffold show for the demo's Cloud Run functions and job, read
// through the real clients (@google-cloud/run, @google-cloud/functions) from the emulator and
// judged against the demo's real git history: the scaffold's units with their kinds, and each
// row's icon, description and context value as the extension's presentation decides them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkServices } from '../../src/core/check';
import { createCloudRunReader, type CloudRunReader } from '../../src/core/google/cloudrun';
import { loadConfig, type DriftConfig } from '../../src/core/config';
import { GitRepository } from '../../src/core/git/repository';
import type { CheckResult, ServiceVerdict } from '../../src/core/model';
import { startDemo, type RunningDemo } from '../../src/emulator/demo';
import { buildScaffoldConfig, scaffoldUnits } from '../../src/extension/commands/scaffoldPlan';
import { serviceContextValue } from '../../src/extension/views/presentation';
import { executionLine, unitDescription, unitIcon } from '../../src/extension/views/unitPresentation';
import { parseConfig } from '../../src/core/config';
import { verdictNamed } from '../helpers/verdicts';

const ORCHESTRATOR = 'phase3-to-phase4-orchestrator';
const GRADING = 'phase5b-grading';
const BACKFILL = 'player-game-summary-analytics-backfill';

describe('the Services view and the scaffold on the demo (real clients, emulator, real git)', () => {
  let demo: RunningDemo;
  let config: DriftConfig;
  let reader: CloudRunReader;
  let result: CheckResult;
  const now = new Date();
  const verdict = (name: string): ServiceVerdict => verdictNamed(result, name);

  before(async () => {
    demo = await startDemo({ port: 0, modules: { logging: false, bigquery: false } });
    config = await loadConfig(demo.workspace.configFile);
    reader = createCloudRunReader(config.endpoints);
    result = await checkServices(config, { reader, git: await GitRepository.open(demo.workspace.dir) });
  });
  after(async () => {
    await reader?.close();
    await demo?.close();
  });

  it('the scaffold lists the services, functions and job of the project and region, each once with its kind', async () => {
    const [services, functions, jobs] = await Promise.all([
      reader.listServices(demo.workspace.project, demo.workspace.region),
      reader.listFunctions!(demo.workspace.project, demo.workspace.region),
      reader.listJobs!(demo.workspace.project, demo.workspace.region),
    ]);
    // Cloud Run lists each function's own service too; the scaffold lists the function instead.
    assert.ok(services.some((s) => s.name === GRADING), 'Cloud Run lists the function\'s own service');
    const units = scaffoldUnits(services, functions, jobs);
    const expected = [...config.services].map((s) => [s.name, s.kind]).sort((a, b) => a[0]!.localeCompare(b[0]!));
    assert.deepEqual(units.map((u) => [u.name, u.kind]), expected);
    const text = buildScaffoldConfig({ project: demo.workspace.project, region: demo.workspace.region, commitLabel: null, services: units.map((u) => ({ name: u.name, kind: u.kind, paths: [] })), runEndpoint: demo.emulator.httpUrl });
    assert.deepEqual(parseConfig(text, 'cloud-run-drift.json').services.map((s) => [s.name, s.kind]), expected);
  });

  it('phase3-to-phase4-orchestrator: an up-to-date function row', () => {
    const v = verdict(ORCHESTRATOR);
    assert.equal(v.status, 'up-to-date');
    assert.deepEqual(unitIcon('function', v.status), { id: 'symbol-function', color: 'testing.iconPassed' });
    assert.match(serviceContextValue(v, false, 'function'), /^cloudRunDrift\.function\.up-to-date\.hasCommit$/);
    const state = demo.workspace.functions.find((f) => f.name === ORCHESTRATOR)!;
    assert.match(unitDescription(v, now, false), new RegExp(`^${state.deployedCommit.slice(0, 8)} · \\S+ ago`));
  });

  it("phase5b-grading: a deploy-failed function row naming its build's failure while the old revision serves", () => {
    const v = verdict(GRADING);
    assert.equal(v.status, 'deploy-failed');
    assert.deepEqual(unitIcon('function', v.status), { id: 'symbol-function', color: 'errorForeground' });
    assert.match(serviceContextValue(v, false, 'function'), /^cloudRunDrift\.function\.deploy-failed\./);
    const description = unitDescription(v, now, false);
    assert.match(description, /^deploy failed · behind for \d+ \w+ · [0-9a-f]{8} · .* · Build failed/);
    assert.equal(v.serving.length, 1, 'the old revision still serves');
  });

  it('player-game-summary-analytics-backfill: a stale job row with its last run, and its two executions', () => {
    const v = verdict(BACKFILL);
    const state = demo.workspace.jobs.find((j) => j.name === BACKFILL)!;
    assert.equal(v.status, 'stale');
    assert.deepEqual(unitIcon('job', v.status), { id: 'server-process', color: 'list.warningForeground' });
    assert.match(serviceContextValue(v, false, 'job'), /^cloudRunDrift\.runJob\.stale\.hasCommit$/);
    assert.equal(v.serving.length, 0, 'a job serves no traffic');
    const description = unitDescription(v, now, false);
    assert.match(description, new RegExp(`^${state.commitsBehind} behind for \\d+ \\w+ · ${state.deployedCommit.slice(0, 8)} · .* · last run failed \\S+ ago on code ${state.commitsBehind} commits old$`));
    assert.deepEqual(v.executions?.map((e) => [e.name, e.status]), [...state.executions].reverse().map((e) => [e.name, e.status]));
    const [failed, succeeded] = v.executions!;
    assert.match(executionLine(failed!, now), new RegExp(`^failed · .* · ran ${state.deployedCommit.slice(0, 8)}, ${state.commitsBehind} commits old · Task ${failed!.name}-task\\d failed`));
    assert.match(executionLine(succeeded!, now), /^succeeded · \d+\/\d+ tasks · /);
  });
});
