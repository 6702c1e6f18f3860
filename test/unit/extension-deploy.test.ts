// The extension's deploy decisions that need no editor: notification text and buttons, the
// deploying service's look and context value against package.json's menus, settings, the
// Deployments rows, the deploy state kept from the queue, and the history cache.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { DriftConfig } from '../../src/core/config';
import type { DeploymentEntry, DeploymentHistory } from '../../src/core/deploy/history';
import type { DeployAllResult } from '../../src/core/deploy/deployAll';
import { DeployQueue } from '../../src/core/deploy/queue';
import { DEPLOY_DEFAULTS, type DeployResult, type DeployResultKind } from '../../src/core/deploy/runner';
import { COMMAND_IDS } from '../../src/extension/commandIds';
import {
  alternateDeployCommands,
  DEPLOY_CONTEXT_VALUES,
  deployAllProgressMessage,
  deployAllSummaryMessage,
  deployingDescription,
  deployLogLevel,
  deployLogsRequest,
  deployLogsSince,
  deploymentRow,
  deploymentsMessage,
  deployResultMessage,
  deployRunSettings,
  deployStatusItem,
  deployTaskName,
  MAX_DEPLOY_CONCURRENCY,
  MIN_VERIFY_TIMEOUT_SECONDS,
  noAlternateCommandsMessage,
  withDeployingFlag,
} from '../../src/extension/deploy/deployPresentation';
import { DeployStates, type DeployStateSnapshot } from '../../src/extension/deploy/deployState';
import { DeploymentHistoryStore } from '../../src/extension/deploy/historyStore';
import { DEFAULT_SETTINGS } from '../../src/extension/platform/settingsDefaults';
import { serviceContextValue } from '../../src/extension/views/presentation';
import { verdict } from './extension-fixtures';

const ROOT = path.resolve(__dirname, '../..');
const SHA = '0467ec53aa11bb22cc33dd44ee55ff6677889900';

function result(kind: DeployResultKind, overrides: Partial<DeployResult> = {}): DeployResult {
  return {
    kind,
    service: 'prediction-coordinator',
    commit: SHA,
    message: `prediction-coordinator: ${kind}`,
    commandName: 'deploy',
    commandLine: "./bin/deploy-service.sh 'prediction-coordinator'",
    startedAt: '2026-11-29T10:00:00Z',
    finishedAt: '2026-11-29T10:01:00Z',
    ...overrides,
  };
}

function config(commands: { name: string; template: string }[]): DriftConfig {
  return {
    file: '/repo/cloud-run-drift.json',
    root: '/repo',
    commitLabel: 'commit-sha',
    services: [],
    deployCommands: commands,
    logFilters: {},
    jobs: [],
    endpoints: {},
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('deploy notifications', () => {
  it('label unchanged: an error with the exact sentence and Show Terminal, Open Logs, Retry', () => {
    const text = 'the deploy script exited 0 but prediction-coordinator still serves 125492f2 (expected 0467ec53)';
    const message = deployResultMessage(result('label-unchanged', { message: text, servedCommitLabel: '125492f' }));
    assert.equal(message.severity, 'error');
    assert.equal(message.text, text);
    assert.deepEqual(
      message.buttons.map((b) => b.title),
      ['Show Terminal', 'Open Logs', 'Retry'],
    );
    assert.deepEqual(
      message.buttons.map((b) => b.action),
      ['show-terminal', 'open-logs', 'retry'],
    );
  });

  it('verified: information naming the revision; non-zero exit: an error with Show Terminal', () => {
    const verified = deployResultMessage(
      result('verified', { message: 'prediction-coordinator serves 0467ec53 from prediction-coordinator-00118-ryo (100% of traffic).', revision: 'prediction-coordinator-00118-ryo' }),
    );
    assert.equal(verified.severity, 'info');
    assert.match(verified.text, /prediction-coordinator-00118-ryo/);
    assert.deepEqual(verified.buttons, []);
    const failed = deployResultMessage(result('script-failed', { exitCode: 2, message: 'The deploy command "deploy" for prediction-coordinator exited with code 2; nothing was verified.' }));
    assert.equal(failed.severity, 'error');
    assert.deepEqual(
      failed.buttons.map((b) => b.title),
      ['Show Terminal'],
    );
  });

  it('revision failed carries the condition message; every failure is loud in the log', () => {
    const message = deployResultMessage(result('revision-failed', { message: 'The new revision x-00002 of x failed: Container import failed' }));
    assert.equal(message.severity, 'error');
    assert.match(message.text, /Container import failed/);
    assert.ok(message.buttons.some((b) => b.title === 'Retry'));
    assert.equal(deployLogLevel(result('verified')), 'info');
    assert.equal(deployLogLevel(result('cancelled')), 'warn');
    for (const kind of ['revision-failed', 'traffic-not-moved', 'label-unchanged', 'timeout', 'error', 'script-failed'] as const) {
      assert.equal(deployLogLevel(result(kind)), 'error', kind);
    }
  });

  it('flattens API text that would break a notification into one line', () => {
    const message = deployResultMessage(result('revision-failed', { message: 'failed:\nline two\u0007' }));
    assert.ok(!message.text.includes('\n') && !message.text.includes('\u0007'), message.text);
  });

  it('Deploy All Stale: a summary as loud as its worst outcome, and progress lines', () => {
    const base: DeployAllResult = { outcomes: [], succeeded: 2, failed: 0, skipped: 0, cancelled: 0, summary: '2 verified' };
    assert.deepEqual(deployAllSummaryMessage(base), { severity: 'info', text: 'Deploy All Stale: 2 verified.' });
    assert.equal(deployAllSummaryMessage({ ...base, cancelled: 1, summary: '2 verified, 1 cancelled' }).severity, 'warning');
    assert.equal(deployAllSummaryMessage({ ...base, failed: 1, skipped: 1, summary: '1 verified, 1 failed (a: label-unchanged), 1 skipped' }).severity, 'error');
    assert.equal(deployAllProgressMessage({ done: 1, total: 3, service: 'worker' }, 'verifying'), '1/3 done · worker: verifying');
  });
});

describe('the service item while it deploys', () => {
  interface MenuEntry {
    command: string;
    when?: string;
    group?: string;
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { menus: Record<string, MenuEntry[]>; commands: { command: string }[]; configuration: { properties: Record<string, { default: unknown }> } };
  };
  const menus = manifest.contributes.menus;

  /** The viewItem regex of each entry for `command` in `menu` (inline entries only when `inline`). */
  function patterns(command: string, inline: boolean): RegExp[] {
    return (menus['view/item/context'] ?? [])
      .filter((m) => m.command === command && (m.group?.startsWith('inline') ?? false) === inline)
      .map((m) => {
        const match = /viewItem =~ \/(.+?)\/(?:\s|$)/.exec(m.when ?? '');
        assert.ok(match, `${command}: unparsed when clause ${m.when}`);
        return new RegExp(match[1]!);
      });
  }
  const matches = (list: RegExp[], value: string): boolean => list.some((p) => p.test(value));

  const values = [
    serviceContextValue(verdict('a', 'stale', { dirty: true }), false),
    serviceContextValue(verdict('a', 'up-to-date'), true),
    serviceContextValue(verdict('a', 'not-found', { deployedCommit: null, commitLabel: null }), false),
    serviceContextValue(undefined, false),
  ];

  it('offers Deploy inline on every service not deploying, Show Deploy Terminal inline on one that is', () => {
    const deployInline = patterns(COMMAND_IDS.deploy, true);
    const terminalInline = patterns(COMMAND_IDS.showDeployTerminal, true);
    assert.equal(deployInline.length, 1);
    assert.equal(terminalInline.length, 1);
    for (const value of values) {
      const deploying = withDeployingFlag(value, true);
      assert.ok(deploying.endsWith('.deploying'), deploying);
      assert.ok(matches(deployInline, value), value);
      assert.ok(!matches(deployInline, deploying), deploying);
      assert.ok(matches(terminalInline, deploying), deploying);
      assert.ok(!matches(terminalInline, value), value);
      assert.equal(withDeployingFlag(value, false), value);
    }
  });

  it('keeps Deploy, Deploy With and Show Deploy Terminal in every service item context menu, deploying or not', () => {
    for (const command of [COMMAND_IDS.deploy, COMMAND_IDS.deployWith, COMMAND_IDS.showDeployTerminal]) {
      const context = patterns(command, false);
      assert.ok(context.length > 0, command);
      for (const value of values) {
        assert.ok(matches(context, value), `${command} on ${value}`);
        assert.ok(matches(context, withDeployingFlag(value, true)), `${command} on deploying ${value}`);
      }
      assert.ok(!matches(context, DEPLOY_CONTEXT_VALUES.deployment), `${command} is not on history rows`);
    }
  });

  it('the deploying flag leaves the existing menus working (Copy Deployed Commit still matches)', () => {
    const entry = (menus['view/item/context'] ?? []).find((m) => m.command === COMMAND_IDS.copyDeployedCommit)!;
    const regex = new RegExp(/viewItem =~ \/(.+?)\/(?:\s|$)/.exec(entry.when!)![1]!);
    assert.ok(regex.test(withDeployingFlag(values[0]!, true)));
  });

  it('puts Deploy All Stale in the view toolbar and every deploy command in the palette', () => {
    const toolbar = (menus['view/title'] ?? []).find((m) => m.command === COMMAND_IDS.deployAllStale);
    assert.ok(toolbar?.group?.startsWith('navigation'), 'Deploy All Stale is a toolbar button');
    assert.match(toolbar?.when ?? '', /view == cloudRunDrift\.services/);
    const palette = (menus.commandPalette ?? []).map((m) => m.command);
    for (const command of [COMMAND_IDS.deploy, COMMAND_IDS.deployWith, COMMAND_IDS.deployAllStale, COMMAND_IDS.showDeployTerminal]) {
      assert.ok(palette.includes(command), command);
    }
  });

  it('describes and draws the deploying service', () => {
    assert.equal(deployingDescription(null), 'deploying…');
    assert.equal(deployingDescription('running-script'), 'deploying…');
    assert.equal(deployingDescription('verifying'), 'deploying… verifying');
  });
});

describe('deploy commands and settings', () => {
  it('names one task per service and command', () => {
    const cfg = config([
      { name: 'full', template: './deploy.sh ${service}' },
      { name: 'hot', template: './hot.sh ${service}' },
    ]);
    assert.equal(deployTaskName('api', cfg.deployCommands[0]!, cfg), 'Deploy api');
    assert.equal(deployTaskName('api', cfg.deployCommands[1]!, cfg), 'Deploy api (hot)');
  });

  it('Deploy With offers the non-default commands, and says why when there are none', () => {
    const two = config([
      { name: 'full', template: './deploy.sh ${service}' },
      { name: 'hot', template: './hot.sh ${service}' },
    ]);
    assert.deepEqual(
      alternateDeployCommands(two).map((c) => c.name),
      ['hot'],
    );
    const one = config([{ name: 'deploy', template: './deploy.sh ${service}' }]);
    assert.deepEqual(alternateDeployCommands(one), []);
    assert.match(noAlternateCommandsMessage(one), /only one deploy command \("deploy"\)/);
    assert.match(noAlternateCommandsMessage(config([])), /no "deploy" command/);
  });

  it('declares the deploy settings with the defaults core uses', () => {
    assert.equal(DEFAULT_SETTINGS['deploy.skipConfirmationWhenClean'], false);
    assert.equal(DEFAULT_SETTINGS['deploy.verifyTimeoutSeconds'] * 1000, DEPLOY_DEFAULTS.verifyTimeoutMs);
    assert.equal(DEFAULT_SETTINGS['deploy.settleSeconds'] * 1000, DEPLOY_DEFAULTS.settleMs);
    assert.equal(DEFAULT_SETTINGS['deploy.concurrency'], DEPLOY_DEFAULTS.concurrency);
    assert.deepEqual(deployRunSettings(DEFAULT_SETTINGS), {
      skipConfirmationWhenClean: false,
      verifyTimeoutMs: DEPLOY_DEFAULTS.verifyTimeoutMs,
      settleMs: DEPLOY_DEFAULTS.settleMs,
      concurrency: 1,
    });
  });

  it('turns hand-edited nonsense into usable numbers', () => {
    const odd = deployRunSettings({
      'deploy.skipConfirmationWhenClean': true,
      'deploy.verifyTimeoutSeconds': 1,
      'deploy.concurrency': 2.7,
      'deploy.settleSeconds': -5,
    });
    assert.equal(odd.verifyTimeoutMs, MIN_VERIFY_TIMEOUT_SECONDS * 1000);
    assert.equal(odd.concurrency, 2);
    assert.equal(odd.settleMs, DEPLOY_DEFAULTS.settleMs);
    assert.equal(odd.skipConfirmationWhenClean, true);
    const wild = deployRunSettings({ 'deploy.skipConfirmationWhenClean': false, 'deploy.verifyTimeoutSeconds': Number.NaN, 'deploy.concurrency': 1000, 'deploy.settleSeconds': 0 });
    assert.equal(wild.verifyTimeoutMs, DEPLOY_DEFAULTS.verifyTimeoutMs);
    assert.equal(wild.concurrency, MAX_DEPLOY_CONCURRENCY);
    assert.equal(wild.settleMs, 0);
    assert.equal(deployRunSettings({ ...DEFAULT_SETTINGS, 'deploy.concurrency': 0 }).concurrency, 1);
  });
});

describe('Deployments rows', () => {
  const now = Date.parse('2026-11-29T12:00:00Z');
  function entry(overrides: Partial<DeploymentEntry> = {}): DeploymentEntry {
    return {
      revision: 'api-00042-abc',
      createTime: '2026-11-29T11:00:00Z',
      commitLabel: SHA.slice(0, 8),
      commit: SHA,
      subject: 'Fix the MERGE',
      percent: 100,
      trafficKnown: true,
      ready: true,
      failed: false,
      readyMessage: null,
      image: 'us-docker.pkg.dev/p/r/api@sha256:abc',
      ...overrides,
    };
  }

  it('shows commit and subject, then revision, age, traffic and state', () => {
    const row = deploymentRow(entry(), now);
    assert.equal(row.label, `${SHA.slice(0, 8)} Fix the MERGE`);
    assert.equal(row.description, 'api-00042-abc · 1h ago · 100% · ready');
    assert.equal(row.icon.id, 'circle-filled');
    assert.equal(deploymentRow(entry({ percent: 0 }), now).icon.id, 'circle-outline');
    assert.equal(deploymentRow(entry({ ready: false, failed: true, readyMessage: 'boom', percent: 0 }), now).icon.id, 'error');
    assert.equal(deploymentRow(entry({ ready: false }), now).icon.id, 'watch');
  });

  it('escapes API and git text in the tooltip so it cannot become a link or markup', () => {
    const row = deploymentRow(
      entry({ commit: null, subject: null, commitLabel: '[x](command:workbench.action.terminal.sendSequence)', failed: true, ready: false, readyMessage: '<img src=x onerror=alert(1)> **bold**' }),
      now,
    );
    assert.doesNotMatch(row.tooltip, /\]\(command:/);
    // Escaped characters render as text: only an unescaped "<" or "](" could become markup.
    assert.doesNotMatch(row.tooltip, /(?<!\\)<img/);
    assert.match(row.tooltip, /not a commit in this clone/);
  });

  it('says why there are no rows', () => {
    assert.deepEqual(deploymentsMessage({ kind: 'error', message: 'PERMISSION_DENIED' }), { text: 'Cannot list revisions: PERMISSION_DENIED', error: true });
    assert.deepEqual(deploymentsMessage({ kind: 'ok', entries: [] }), { text: 'No revisions', error: false });
    assert.equal(deploymentsMessage({ kind: 'ok', entries: [entry()] }), null);
  });
});

describe('DeployStates', () => {
  it('follows the queue: running with its phase, then the last result, for tree and test API', async () => {
    const queue = new DeployQueue();
    const states = new DeployStates(queue);
    const changes: string[] = [];
    const finished: DeployResult[] = [];
    states.onDidChange((service) => changes.push(service));
    states.onDidFinish((r) => finished.push(r));
    let finish!: (r: DeployResult) => void;
    const { handle } = queue.start('api', async (_signal, report) => {
      report({ service: 'api', phase: 'running-script', message: 'running', commit: SHA });
      report({ service: 'api', phase: 'verifying', message: 'waiting for traffic', commit: SHA });
      report({ service: 'api', phase: 'verifying', message: 'still waiting', commit: SHA });
      return new Promise<DeployResult>((resolve) => (finish = resolve));
    });
    assert.equal(states.get('api').running, true);
    await tick();
    const during = states.get('api');
    assert.equal(during.phase, 'verifying');
    assert.equal(during.message, 'still waiting');
    assert.equal(during.commit, SHA);
    assert.equal(during.lastResult, null);
    assert.ok(states.isDeploying('api'));
    // started, running-script, verifying: the second verifying line is not a redraw.
    assert.deepEqual(changes, ['api', 'api', 'api']);
    finish(result('label-unchanged', { service: 'api' }));
    await handle.result;
    const after = states.get('api');
    assert.equal(after.running, false);
    assert.equal(after.phase, null);
    assert.equal(after.lastResult?.kind, 'label-unchanged');
    assert.deepEqual(
      finished.map((r) => r.kind),
      ['label-unchanged'],
    );
    assert.equal(states.get('web').running, false);
    states.dispose();
  });
});

describe('DeploymentHistoryStore', () => {
  it('loads once per service until invalidated, sharing a load in flight', async () => {
    let loads = 0;
    const store = new DeploymentHistoryStore(async () => {
      loads++;
      return { kind: 'ok', entries: [] };
    });
    assert.equal(store.peek('api'), undefined);
    const [a, b] = await Promise.all([store.get('api'), store.get('api')]);
    assert.equal(a, b);
    assert.equal(loads, 1);
    assert.deepEqual(store.peek('api'), { kind: 'ok', entries: [] });
    await store.get('api');
    assert.equal(loads, 1);
    store.invalidate('api');
    assert.equal(store.peek('api'), undefined);
    await store.get('api');
    assert.equal(loads, 2);
    await store.get('web');
    store.invalidate();
    assert.equal(store.peek('web'), undefined);
  });

  it('does not keep an answer that an invalidation overtook, and turns a rejection into an error row', async () => {
    let release!: (h: DeploymentHistory) => void;
    const store = new DeploymentHistoryStore((service) =>
      service === 'bad' ? Promise.reject(new Error('no network')) : new Promise<DeploymentHistory>((resolve) => (release = resolve)),
    );
    const pending = store.get('api');
    await tick();
    store.invalidate('api');
    release({ kind: 'ok', entries: [] });
    await pending;
    assert.equal(store.peek('api'), undefined, 'the pre-deploy answer is not shown as current');
    assert.deepEqual(await store.get('bad'), { kind: 'error', message: 'no network' });
  });
});

describe('the running deploy in the status bar, and its logs', () => {
  function snapshot(service: string, overrides: Partial<DeployStateSnapshot> = {}): DeployStateSnapshot {
    return { service, running: false, phase: null, message: null, commit: null, startedAt: null, lastResult: null, ...overrides };
  }
  const running = (service: string, phase: DeployStateSnapshot['phase'], startedAt: string): DeployStateSnapshot =>
    snapshot(service, { running: true, phase, message: `${service} is ${phase}`, startedAt });

  it('is hidden while nothing deploys (a finished deploy does not keep it)', () => {
    assert.equal(deployStatusItem([]), null);
    assert.equal(deployStatusItem([snapshot('api', { lastResult: result('verified', { service: 'api' }) })]), null);
  });

  it('names the one deploying service, its phase and start, and opens that service’s logs', () => {
    const item = deployStatusItem([running('api', 'running-script', '2026-11-29T10:00:00Z'), snapshot('web', { lastResult: result('verified', { service: 'web' }) })]);
    assert.deepEqual(item, {
      text: '$(loading~spin) Deploying api',
      tooltip: 'api: api is running-script (started 2026-11-29 10:00 UTC)\nClick to open its logs since the deploy started',
      accessibilityLabel: 'Deploying api. Open its logs since the deploy started',
      service: 'api',
    });
    assert.equal(deployStatusItem([running('api', 'verifying', '2026-11-29T10:00:00Z')])?.text, '$(loading~spin) Deploying api: verifying');
  });

  it('counts several deploys, and a click asks which one', () => {
    const item = deployStatusItem([running('api', 'verifying', '2026-11-29T10:00:00Z'), running('web', 'starting', '2026-11-29T10:00:05Z')]);
    assert.equal(item?.text, '$(loading~spin) Deploying 2 services');
    assert.equal(item?.service, null);
    assert.match(item?.tooltip ?? '', /^api: api is verifying \(started .*\)\nweb: web is starting \(started .*\)\nClick to open the logs of one of them/);
  });

  it('starts a deploy’s logs when the running deploy started, else when the last one did', () => {
    assert.equal(deployLogsSince(running('api', 'verifying', '2026-11-29T10:00:00.123Z')), '2026-11-29T10:00:00.123Z');
    const finished = snapshot('api', { lastResult: result('label-unchanged', { startedAt: '2026-11-29T09:00:00Z' }) });
    assert.equal(deployLogsSince(finished), '2026-11-29T09:00:00Z');
    // A new deploy of a service that failed before: its own start, not the failed one's.
    assert.equal(deployLogsSince(snapshot('api', { running: true, startedAt: '2026-11-29T10:00:00Z', lastResult: finished.lastResult })), '2026-11-29T10:00:00Z');
    assert.equal(deployLogsSince(snapshot('api')), null);
    assert.deepEqual(deployLogsRequest('api', '2026-11-29T10:00:00Z'), {
      label: 'api',
      title: 'Logs: api (since deploy)',
      query: { preset: '', severity: '', text: '', raw: '', window: '2026-11-29T10:00:00Z' },
    });
  });

  it('offers Open Deploy Logs inline on a deploying service instead of Open Logs, and in the palette', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      contributes: { menus: Record<string, { command: string; when?: string; group?: string }[]> };
    };
    const inline = (command: string): RegExp[] =>
      (manifest.contributes.menus['view/item/context'] ?? [])
        .filter((m) => m.command === command && m.group?.startsWith('inline'))
        .map((m) => new RegExp(/viewItem =~ \/(.+?)\/(?:\s|$)/.exec(m.when ?? '')![1]!));
    const value = serviceContextValue(verdict('a', 'stale'), true);
    const deploying = withDeployingFlag(value, true);
    assert.ok(inline(COMMAND_IDS.openLogs).some((p) => p.test(value)));
    assert.ok(!inline(COMMAND_IDS.openLogs).some((p) => p.test(deploying)));
    assert.ok(inline(COMMAND_IDS.openDeployLogs).some((p) => p.test(deploying)));
    assert.ok(!inline(COMMAND_IDS.openDeployLogs).some((p) => p.test(value)));
    assert.ok((manifest.contributes.menus.commandPalette ?? []).some((m) => m.command === COMMAND_IDS.openDeployLogs));
  });

  it('DeployStates lists running deploys first, then the finished ones', async () => {
    const queue = new DeployQueue();
    const states = new DeployStates(queue);
    const first = queue.start('web', async () => result('verified', { service: 'web' }));
    await first.handle.result;
    let finish!: (r: DeployResult) => void;
    queue.start('api', () => new Promise<DeployResult>((resolve) => (finish = resolve)));
    await tick();
    assert.deepEqual(
      states.list().map((s) => [s.service, s.running, s.lastResult?.kind ?? null]),
      [
        ['api', true, null],
        ['web', false, 'verified'],
      ],
    );
    finish(result('verified', { service: 'api' }));
    await tick();
    assert.deepEqual(states.list().map((s) => s.service).sort(), ['api', 'web']);
    assert.ok(states.list().every((s) => !s.running));
    states.dispose();
  });
});
