// VS Code's own task variable resolver against what the extension hands it (trusted demo workspace):
// a repository folder whose path holds `${config:…}` and `${env:…}`, and a command with a literal
// `\${…}`, run through the same runShellTask the deploys and data jobs use. The script must start in
// that folder and see every `${…}` literally, as bash does when the CLI runs the command line.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { expandJobCommand } from '../../../../src/core/jobs/command';
import { runShellTask } from '../../../../src/extension/tasks/shellTask';
import { silentLogger } from '../../../helpers/silentLogger';

const JOB = 'e2e-task-variables';

const quietLogger = silentLogger;

suite('task variables', () => {
  let base: string;

  suiteSetup(() => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crd-e2e-vars-')));
  });
  suiteTeardown(() => fs.rmSync(base, { recursive: true, force: true }));

  test('a folder path and a command holding ${…} reach bash literally, not substituted by VS Code', async function () {
    this.timeout(60_000);
    const folder = path.join(base, 'repo ${config:editor.fontSize} ${env:HOME}');
    fs.mkdirSync(folder);
    const template = `printf '%s\\n' "$PWD" \${workspaceFolder} \\\${config:editor.fontSize} "\\\${env:HOME}" > out.txt`;
    const { commandLine } = expandJobCommand(template, { startDate: '2026-01-24', endDate: '2026-01-24', project: 'nba-props-platform', workspaceFolder: folder });

    const { exitCode } = await runShellTask(
      {
        definition: { type: 'cloudRunDrift.job', job: JOB },
        isOwn: (d) => d.type === 'cloudRunDrift.job' && (d as { job?: unknown }).job === JOB,
        taskName: JOB,
        commandLine,
        cwd: folder,
        signal: new AbortController().signal,
      },
      quietLogger,
    );

    assert.equal(exitCode, 0);
    assert.equal(fs.readFileSync(path.join(folder, 'out.txt'), 'utf8'), [folder, folder, '${config:editor.fontSize}', '${env:HOME}', ''].join('\n'));
    for (const terminal of vscode.window.terminals) if (terminal.name.includes(JOB)) terminal.dispose();
  });
});
