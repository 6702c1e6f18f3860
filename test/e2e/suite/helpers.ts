// Helpers for extension-host suites (test/e2e/suite/<run>/*.test.ts). Runs in VS Code's extension
// host; `vscode` is the real API of the editor under test.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { CloudRunDriftApi } from '../../../src/extension/driftExtension';
import type { TreeSnapshotNode } from '../../../src/extension/tree/servicesTreeProvider';
import { DEPLOY_COMMAND, fetchEmulatorService, type EmulatorRunService, type ExpectedRow } from '../expectations';
import type { E2eContext, RunSpec } from '../shared';

export type { CloudRunDriftApi, TreeSnapshotNode };

let cached: E2eContext | undefined;

/** The run's surroundings: folder, emulator URL, demo workspace facts. */
export function e2eContext(): E2eContext {
  if (cached) return cached;
  const file = process.env.CRD_E2E_RUN_SPEC;
  if (!file) throw new Error('CRD_E2E_RUN_SPEC is not set: run the suites with `npm run test:e2e` or `npm run test:vscode`');
  cached = (JSON.parse(fs.readFileSync(file, 'utf8')) as RunSpec).context;
  return cached;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `probe` returns something other than undefined/false; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await delay(100);
  }
}

/** The extension under test, as installed in the editor. */
export function extensionUnderTest(): vscode.Extension<unknown> {
  const id = e2eContext().extensionId;
  const extension = vscode.extensions.getExtension(id);
  assert.ok(extension, `extension ${id} is not installed in the editor under test`);
  return extension;
}

/**
 * Waits until the extension has activated by itself (through its activation events: the tests do
 * not call activate(), so a missing activation event fails here).
 */
export async function waitForActivation(timeoutMs = 20_000): Promise<vscode.Extension<unknown>> {
  const extension = extensionUnderTest();
  await waitFor(`${extension.id} to activate (activationEvents: ${JSON.stringify((extension.packageJSON as { activationEvents?: unknown }).activationEvents ?? [])})`, () => extension.isActive, timeoutMs);
  return extension;
}

/** POST /control/<action> on the emulator (reset, load, deploy, faults…); returns the JSON answer. */
export async function emulatorControl(action: string, payload?: unknown): Promise<unknown> {
  const response = await fetch(`${e2eContext().emulatorUrl}/control/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload ?? {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`emulator /control/${action}: HTTP ${response.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** The extension's test API (what activate() returns), once it has activated by itself. */
export async function driftApi(timeoutMs = 20_000): Promise<CloudRunDriftApi> {
  const extension = await waitForActivation(timeoutMs);
  const api = extension.exports as CloudRunDriftApi | undefined;
  assert.ok(
    api && typeof api.getTreeSnapshot === 'function',
    `${extension.id} activated but returned no test API (getTreeSnapshot missing): activate() returns it only when VS Code runs the extension for its tests (extensionTestsPath)`,
  );
  return api;
}

/** Waits for the session to leave `loading` and a first refresh to have a result. */
export async function settledApi(timeoutMs = 30_000): Promise<CloudRunDriftApi> {
  const api = await driftApi();
  await waitFor('the first refresh to produce verdicts', () => api.getState() === 'ready' && api.getLastResult() !== undefined, timeoutMs);
  return api;
}

/** A top-level row of the Services tree, by service name. */
export function serviceNode(api: CloudRunDriftApi, name: string): TreeSnapshotNode | undefined {
  return api.getTreeSnapshot().find((n) => n.label === name);
}

/** Waits until `probe(snapshot of the service's row)` holds; the failure names the last row seen. */
export async function waitForServiceNode(api: CloudRunDriftApi, name: string, what: string, probe: (node: TreeSnapshotNode) => boolean, timeoutMs = 20_000): Promise<TreeSnapshotNode> {
  let last: TreeSnapshotNode | undefined;
  try {
    return await waitFor(
      `${name} to be ${what}`,
      () => {
        last = serviceNode(api, name);
        return last !== undefined && probe(last) ? last : undefined;
      },
      timeoutMs,
    );
  } catch (err) {
    const seen = last ? `${last.icon} "${last.description}" (${last.contextValue})` : 'no such row';
    throw new Error(`${err instanceof Error ? err.message : String(err)}; last seen: ${seen}`, { cause: err });
  }
}

const GIT_IDENTITY = { GIT_AUTHOR_NAME: 'E2E Test', GIT_AUTHOR_EMAIL: 'e2e@example.com', GIT_COMMITTER_NAME: 'E2E Test', GIT_COMMITTER_EMAIL: 'e2e@example.com' };

/** Real git in the workspace repository (bounded); returns trimmed stdout. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], { cwd: dir, env: { ...process.env, ...GIT_IDENTITY }, encoding: 'utf8', timeout: 15_000 }).trim();
}

/** GET /control/state of the emulator: one Cloud Run service's revisions, traffic and labels. */
export function emulatorService(name: string): Promise<EmulatorRunService> {
  return fetchEmulatorService(e2eContext().emulatorUrl, name);
}

const SKIP_REASONS = Symbol.for('cloud-run-drift.e2e.skipReasons');

/** Skip reasons by test title, read by index.ts (a different bundle) through one global map. */
export function skipReasons(): Map<string, string> {
  const holder = globalThis as { [SKIP_REASONS]?: Map<string, string> };
  holder[SKIP_REASONS] ??= new Map();
  return holder[SKIP_REASONS];
}

/** Skips the running test and says why in the run's output (Mocha keeps no reason itself). */
export function skipBecause(context: Mocha.Context, reason: string): never {
  const title = context.test?.fullTitle();
  if (title) skipReasons().set(title, reason);
  context.skip();
}

/**
 * Why the deploy tests cannot run yet, or undefined when they can: the command must be contributed
 * in package.json, registered by the extension, and the test API must report deploy state.
 */
export async function deployUnavailable(api: CloudRunDriftApi): Promise<string | undefined> {
  const manifest = extensionUnderTest().packageJSON as { contributes?: { commands?: { command: string }[] } };
  if (!manifest.contributes?.commands?.some((c) => c.command === DEPLOY_COMMAND)) return `${DEPLOY_COMMAND} is not contributed in package.json yet`;
  if (!(await vscode.commands.getCommands(true)).includes(DEPLOY_COMMAND)) return `${DEPLOY_COMMAND} is contributed but the extension does not register it yet`;
  const partial = api as Partial<CloudRunDriftApi>;
  if (typeof partial.getDeployState !== 'function' || partial.onDidFinishDeploy === undefined) return 'the test API has no getDeployState/onDidFinishDeploy yet';
  return undefined;
}

/** Resolves with the promise's value, or `timedOut` when it takes longer than `ms`. */
export async function within<T, U>(promise: Thenable<T>, ms: number, timedOut: U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([Promise.resolve(promise), new Promise<U>((resolve) => (timer = setTimeout(() => resolve(timedOut), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** What differs between the tree's top-level rows and the demo's expected verdicts (empty when they match). */
export function treeProblems(snapshot: readonly TreeSnapshotNode[], expected: readonly ExpectedRow[]): string[] {
  const problems: string[] = [];
  // The service rows; functions' and jobs' rows (their own context values) are checked on their own.
  const labels = snapshot.filter((n) => n.contextValue?.startsWith('cloudRunDrift.service.')).map((n) => n.label);
  const names = expected.map((r) => r.name);
  if (labels.join('\n') !== names.join('\n')) problems.push(`service rows [${labels.join(', ')}], expected [${names.join(', ')}] in configuration order`);
  for (const row of expected) {
    const node = snapshot.find((n) => n.label === row.name);
    if (!node) continue;
    const p: string[] = [];
    if (node.id !== `service:${row.name}`) p.push(`id ${node.id}`);
    if (node.icon !== row.icon) p.push(`icon ${node.icon}, expected ${row.icon}`);
    if (node.color !== row.color) p.push(`color ${node.color}, expected ${row.color}`);
    if (!row.descriptions.includes(node.description ?? '')) p.push(`description "${node.description}", expected "${row.descriptions.join('" or "')}"`);
    if (!node.contextValue?.startsWith(`cloudRunDrift.service.${row.status}.`) || !/\.hasCommit(\.|$)/.test(node.contextValue) || /\.dirty(\.|$)/.test(node.contextValue)) {
      p.push(`contextValue ${node.contextValue}, expected cloudRunDrift.service.${row.status}.hasCommit (not dirty)`);
    }
    if (p.length > 0) problems.push(`${row.name}: ${p.join('; ')}`);
  }
  return problems;
}
