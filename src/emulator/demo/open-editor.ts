// `npm run demo -- --open`: the demo workspace in a real VS Code in the browser, with the packaged
// extension installed. It reuses the real-editor test harness (test/e2e/lib), which already knows
// how to run VS Code's server build that .ci/install-e2e.sh puts in .vscode-test/.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installedEditor } from '../../../test/e2e/lib/env';
import { runCommand } from '../../../test/e2e/lib/process';
import { installExtension, makeEditorDirs, startEditorServer, writeUserSettings, type EditorServer } from '../../../test/e2e/lib/vscodeServer';

const REPO_ROOT = path.resolve(__dirname, '../../..');

export interface OpenedEditor {
  url: string;
  stop(): Promise<void>;
}

/** Packages the extension, installs it into a fresh editor profile and serves the workspace on loopback. */
export async function openDemoInBrowserEditor(workspaceDir: string, log: (line: string) => void): Promise<OpenedEditor> {
  const editor = installedEditor(); // throws with the install command when .vscode-test/ is missing
  log('Packaging the extension and starting VS Code (server build) on 127.0.0.1…');
  await runCommand('npm', ['run', '--silent', 'package'], { cwd: REPO_ROOT, timeoutMs: 180_000 });
  const dirs = makeEditorDirs(fs.mkdtempSync(path.join(os.tmpdir(), 'crd-demo-editor-')));
  // The demo workspace is ours, so open it trusted: deploy and logs work without a prompt.
  writeUserSettings(dirs, { workspaceTrust: false });
  await installExtension(editor, dirs, { kind: 'vsix', file: path.join(REPO_ROOT, 'dist', 'cloud-run-drift.vsix') });
  const server: EditorServer = await startEditorServer(editor, dirs, { env: process.env, logFile: path.join(dirs.base, 'server.log'), verbose: false });
  return {
    url: server.workbenchUrl(workspaceDir),
    stop: async () => {
      await server.stop();
      fs.rmSync(dirs.base, { recursive: true, force: true });
    },
  };
}
