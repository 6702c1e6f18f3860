// The demo workspace opened with workspace trust on and never granted: Restricted Mode.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { e2eContext, extensionUnderTest, waitForActivation } from '../helpers';

suite('restricted mode', () => {
  test('the folder is open and not trusted', () => {
    const ctx = e2eContext();
    assert.equal(ctx.workspaceTrust, true);
    assert.deepEqual(
      vscode.workspace.workspaceFolders?.map((f) => f.uri.fsPath),
      [ctx.folder.dir],
    );
    assert.equal(vscode.workspace.isTrusted, false);
  });

  test('the extension declares limited support for untrusted workspaces, and so activates', async () => {
    const manifest = extensionUnderTest().packageJSON as { capabilities?: { untrustedWorkspaces?: { supported?: unknown } } };
    assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, 'limited');
    await waitForActivation();
  });
});
