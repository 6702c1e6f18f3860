// The Getting Started walkthrough in the installed extension, from the extension host: what the
// workbench needs to show it and what its steps run. Both editors run this (the desktop runner has
// no UI checks); the UI pages (ui/walkthrough.ts) open it, read its steps and press its buttons.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { WALKTHROUGH_ID, WALKTHROUGH_STEP_IDS } from '../../../../src/extension/commandIds';
import { extensionUnderTest, waitFor, waitForActivation } from '../helpers';

interface Step {
  id: string;
  description: string;
  media: { image: string };
  completionEvents: string[];
}

function walkthrough(): { fullId: string; steps: Step[] } {
  const extension = extensionUnderTest();
  const manifest = extension.packageJSON as { contributes: { walkthroughs: { id: string; steps: Step[] }[] } };
  const contributed = manifest.contributes.walkthroughs.find((w) => w.id === WALKTHROUGH_ID);
  assert.ok(contributed, `${extension.id} contributes no walkthrough ${WALKTHROUGH_ID}`);
  return { fullId: `${extension.id}#${WALKTHROUGH_ID}`, steps: contributed.steps };
}

/** Every tab's label, all groups. */
function tabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs.map((tab) => tab.label));
}

suite('walkthrough', () => {
  test('its steps, in order: every command a button runs or a step waits for is registered', async () => {
    await waitForActivation();
    const { steps } = walkthrough();
    assert.deepEqual(steps.map((s) => s.id), [...WALKTHROUGH_STEP_IDS]);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const step of steps) {
      const buttons = [...step.description.matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1]!);
      const awaited = step.completionEvents.filter((e) => e.startsWith('onCommand:')).map((e) => e.slice('onCommand:'.length));
      assert.ok(buttons.length > 0, `${step.id} has no button`);
      for (const command of [...buttons, ...awaited]) assert.ok(registered.has(command), `${step.id}: ${command} is not registered`);
    }
  });

  test("each step's image is a PNG at its manifest path in the installed extension", async () => {
    const extension = extensionUnderTest();
    for (const step of walkthrough().steps) {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extension.extensionUri, step.media.image));
      assert.equal(Buffer.from(bytes.subarray(1, 4)).toString(), 'PNG', `${step.id}: ${step.media.image}`);
    }
  });

  test('workbench.action.openWalkthrough opens it by its full id in the Welcome editor', async () => {
    await waitForActivation();
    assert.ok(!tabLabels().includes('Welcome'), `a Welcome tab is open before: ${tabLabels().join(', ')}`);
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', walkthrough().fullId, false);
    await waitFor('the Welcome editor to open', () => tabLabels().includes('Welcome'), 10_000);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
