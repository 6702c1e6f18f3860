// Open Logs on a service: the panel first receives the service's recent history from the emulator's
// Cloud Logging, then entries appended after it opened arrive live through TailLogEntries.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { emulatorControl, settledApi, waitFor } from '../helpers';

const COORDINATOR = 'prediction-coordinator';

suite('logs', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Open Logs on prediction-coordinator shows its history, then live entries, each once', async function () {
    this.timeout(90_000);
    const api = await settledApi();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('cloudRunDrift.openLogs'), 'cloudRunDrift.openLogs is registered');

    const openedAt = Date.now();
    await vscode.commands.executeCommand('cloudRunDrift.openLogs', COORDINATOR, { all: true, window: '1d' });
    const session = (): ReturnType<typeof api.getLogSessions>[number] | undefined => api.getLogSessions().find((s) => s.service === COORDINATOR);
    // The demo seeds hours of coordinator logs (MERGE errors among them): history must arrive and the tail go live.
    const history = await waitFor('the coordinator history to arrive and the tail to go live', () => {
      const s = session();
      return s && s.entries > 0 && s.status === 'live' ? s : undefined;
    }, 45_000);
    assert.equal(history.title, `Logs: ${COORDINATOR}`);
    const sinceAgoMs = openedAt - Date.parse(history.since);
    assert.ok(Math.abs(sinceAgoMs - 86_400_000) < 60_000, `the history starts a day back, not at ${history.since}`);

    const marker = `e2e live entry ${Date.now()}`;
    const now = Date.now();
    await emulatorControl('logs', {
      entries: [1, 2, 3].map((i) => ({
        service: COORDINATOR,
        severity: 'INFO',
        textPayload: `${marker} #${i}`,
        timestamp: new Date(now + i).toISOString(),
        insertId: `${marker}-${i}`,
      })),
    });
    const live = await waitFor('the three appended entries to arrive live', () => {
      const s = session();
      return s && s.entries >= history.entries + 3 ? s : undefined;
    }, 30_000);
    assert.equal(live.entries, history.entries + 3, 'each appended entry arrives exactly once');
    assert.equal(live.status, 'live');
  });
});
