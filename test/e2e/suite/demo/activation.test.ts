// The extension in a real VS Code, on the demo workspace (trusted), against the local emulator.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { e2eContext, emulatorControl, extensionUnderTest, waitForActivation } from '../helpers';

interface ManifestView {
  id: string;
  name: string;
}

suite('activation', () => {
  test('the editor is a real VS Code with the demo workspace open and trusted', () => {
    const ctx = e2eContext();
    assert.match(vscode.version, /^1\.\d+\.\d+/);
    assert.equal(vscode.env.uiKind, ctx.editor === 'desktop' ? vscode.UIKind.Desktop : vscode.UIKind.Web);
    // Through Uri.file: fsPath spells a Windows drive letter in lower case.
    assert.deepEqual(
      vscode.workspace.workspaceFolders?.map((f) => f.uri.fsPath),
      [vscode.Uri.file(ctx.folder.dir).fsPath],
    );
    assert.equal(vscode.workspace.isTrusted, true);
  });

  test('the extension activates by itself (workspaceContains:cloud-run-drift.json)', async () => {
    const extension = await waitForActivation();
    assert.equal(extension.id, e2eContext().extensionId);
  });

  test('command cloudRunDrift.refresh is registered', async () => {
    await waitForActivation();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('cloudRunDrift.refresh'), 'cloudRunDrift.refresh is not among the registered commands');
  });

  test('the manifest contributes the Services view to its own view container', () => {
    const manifest = extensionUnderTest().packageJSON as { contributes?: { views?: Record<string, ManifestView[]> } };
    const views = manifest.contributes?.views?.cloudRunDrift ?? [];
    assert.ok(
      views.some((v) => v.id === 'cloudRunDrift.services'),
      `views.cloudRunDrift: ${JSON.stringify(views)}`,
    );
  });

  test('probe: the extension host reaches the emulator, and a refresh runs end to end', async () => {
    const state = (await emulatorControl('state')) as Record<string, unknown>;
    assert.equal(typeof state, 'object');
    await waitForActivation();
    await vscode.commands.executeCommand('cloudRunDrift.refresh');
  });
});
