// Route All Traffic Here in the editor's manifest and rows: offered only on Deployments rows that
// can take all traffic, hidden there in Restricted Mode; the row of a rolled-back service says so.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { canTakeAllTraffic } from '../../src/core/deploy/history';
import { describeVerdict } from '../../src/core/verdicts/format';
import { COMMAND_IDS } from '../../src/extension/commandIds';
import { DEPLOY_CONTEXT_VALUES } from '../../src/extension/deploy/deployPresentation';
import { verdict } from './extension-fixtures';

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}
const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { contributes: { menus: Record<string, MenuEntry[]>; commands: { command: string; title: string }[] } };

describe('Route All Traffic Here', () => {
  const rowMenus = manifest.contributes.menus['view/item/context']!.filter((m) => m.command === COMMAND_IDS.routeAllTraffic);

  it('is contributed with its title, in the palette, and on routable history rows (inline and in the menu)', () => {
    assert.equal(manifest.contributes.commands.find((c) => c.command === COMMAND_IDS.routeAllTraffic)?.title, 'Route All Traffic Here');
    assert.ok(manifest.contributes.menus.commandPalette!.some((m) => m.command === COMMAND_IDS.routeAllTraffic));
    assert.deepEqual(rowMenus.map((m) => m.group).sort(), ['0_deploy@1', 'inline@1']);
  });

  it('is hidden on rows in Restricted Mode and never shown on other rows', () => {
    for (const entry of rowMenus) {
      assert.match(entry.when ?? '', /&& isWorkspaceTrusted$/);
      assert.match(entry.when ?? '', new RegExp(`viewItem == ${DEPLOY_CONTEXT_VALUES.routableDeployment.replace(/\./g, '\\.')} `));
    }
  });

  it('applies to ready revisions that do not already serve all traffic', () => {
    assert.ok(canTakeAllTraffic({ ready: true, percent: 0, trafficKnown: true }));
    assert.ok(canTakeAllTraffic({ ready: true, percent: 10, trafficKnown: true }));
    assert.ok(!canTakeAllTraffic({ ready: true, percent: 100, trafficKnown: true }));
    assert.ok(!canTakeAllTraffic({ ready: false, percent: 0, trafficKnown: true }));
    // Traffic unknown (the service could not be read): still offered; the command reads it again.
    assert.ok(canTakeAllTraffic({ ready: true, percent: 0, trafficKnown: false }));
  });

  it('a rolled-back service says so in its description', () => {
    const rolledBack = { ...verdict('api', 'stale', { commitsBehind: 2 }), rolledBackTo: { revision: 'api-00001-aaa', latestReadyRevision: 'api-00004-ddd' } };
    assert.match(describeVerdict(rolledBack, new Date()), /^2 behind · .*rolled back to api-00001-aaa/);
    assert.doesNotMatch(describeVerdict(verdict('api', 'stale', { commitsBehind: 2 }), new Date()), /rolled back/);
  });
});
