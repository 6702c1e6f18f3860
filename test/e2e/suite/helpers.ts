// Helpers for extension-host suites (test/e2e/suite/<run>/*.test.ts). Runs in VS Code's extension
// host; `vscode` is the real API of the editor under test.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { E2eContext, RunSpec } from '../shared';

let cached: E2eContext | undefined;

/** The run's surroundings: folder, emulator URL, demo workspace facts. */
export function e2eContext(): E2eContext {
  if (cached) return cached;
  const file = process.env.CRD_E2E_RUN_SPEC;
  if (!file) throw new Error('CRD_E2E_RUN_SPEC is not set: run the suites with `npm run test:e2e`');
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
