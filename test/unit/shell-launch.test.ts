// What the extension hands to VS Code's ShellExecution for deploys and data jobs: nothing in it that
// VS Code's task variable resolver would substitute (test/helpers/vscodeVariables.ts mirrors it),
// and the same meaning to bash as the command line the CLI runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expandDeployCommand } from '../../src/core/deploy/template';
import { expandJobCommand } from '../../src/core/jobs/command';
import { shellLaunch, ShellLaunchError, type ShellLaunch } from '../../src/extension/tasks/shellLaunch';
import { vscodeVariables } from '../helpers/vscodeVariables';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const ENV = { CLOUD_RUN_DRIFT_SERVICE: 'api', CLOUD_RUN_DRIFT_COMMIT: COMMIT };

/** Every string VS Code resolves variables in: the command line, shell executable and args, cwd, env. */
function resolvedByVsCode(launch: ShellLaunch): string[] {
  const { executable, shellArgs, cwd, env } = launch.options;
  return [launch.commandLine, executable, ...shellArgs, cwd, ...Object.keys(env), ...Object.values(env)];
}

describe('shellLaunch', () => {
  let base: string;
  let folder: string;

  before(() => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crd-launch-')));
    folder = path.join(base, 'ws ${config:editor.fontSize} ${env:HOME}');
    fs.mkdirSync(folder);
  });
  after(() => fs.rmSync(base, { recursive: true, force: true }));

  /** Runs what VS Code would run (bash, its args, the cwd, env added to ours); stdout as NUL-separated fields. */
  function run(executable: string, args: string[], cwd: string, env: Record<string, string>): string[] {
    const result = spawnSync(executable, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.split('\0').slice(0, -1);
  }

  it('a workspace folder holding ${config:…} and ${env:…}, and a literal ${workspaceFolder} in the command: VS Code gets nothing to substitute', () => {
    const template = `printf '%s\\0' "$PWD" \${workspaceFolder} "\${workspaceFolder}/api" \\\${workspaceFolder} "$CLOUD_RUN_DRIFT_SERVICE"`;
    const expanded = expandDeployCommand(template, { service: 'api', commit: COMMIT, shortCommit: '0123456', project: 'demo-project', region: 'us-west2', workspaceFolder: folder });
    const launch = shellLaunch({ commandLine: expanded.commandLine, cwd: folder, env: ENV });

    const quoted = `'${base}/ws $''{config:editor.fontSize} $''{env:HOME}'`;
    assert.equal(expanded.commandLine, `printf '%s\\0' "$PWD" ${quoted} ""${quoted}"/api" \\$''{workspaceFolder} "$CLOUD_RUN_DRIFT_SERVICE"`);
    assert.deepEqual(launch, {
      commandLine: `cd -- ${quoted} || exit\n${expanded.commandLine}`,
      options: { executable: 'bash', shellArgs: ['-c'], cwd: '/', env: ENV },
    });
    for (const text of resolvedByVsCode(launch)) assert.deepEqual(vscodeVariables(text), [], text);

    // The same meaning as the CLI's `bash -c commandLine` in the repository root.
    const expected = [folder, folder, `${folder}/api`, '${workspaceFolder}', 'api'];
    assert.deepEqual(run(launch.options.executable, [...launch.options.shellArgs, launch.commandLine], launch.options.cwd, launch.options.env), expected);
    assert.deepEqual(run('bash', ['-c', expanded.commandLine], folder, ENV), expected);
  });

  it('a data job command the same way; a plain folder is passed as the cwd unchanged', () => {
    const job = expandJobCommand(`printf '%s\\0' "$PWD" \${startDate} \\\${input:pick}`, { startDate: '2026-01-24', endDate: '2026-01-25', project: 'demo-project', workspaceFolder: folder });
    const launch = shellLaunch({ commandLine: job.commandLine, cwd: folder });
    for (const text of resolvedByVsCode(launch)) assert.deepEqual(vscodeVariables(text), [], text);
    assert.deepEqual(run('bash', ['-c', launch.commandLine], launch.options.cwd, launch.options.env), [folder, '2026-01-24', '${input:pick}']);

    assert.deepEqual(shellLaunch({ commandLine: './deploy.sh', cwd: base, env: ENV }), { commandLine: './deploy.sh', options: { executable: 'bash', shellArgs: ['-c'], cwd: base, env: ENV } });
  });

  it('a cd that fails stops the command', () => {
    const launch = shellLaunch({ commandLine: 'echo ran', cwd: path.join(base, 'gone ${env:HOME}') });
    const result = spawnSync('bash', [...launch.options.shellArgs, launch.commandLine], { cwd: launch.options.cwd, encoding: 'utf8' });
    assert.notEqual(result.status, 0);
    assert.equal(result.stdout, '');
  });

  it('refuses whatever VS Code would still substitute, or a control character its echo would write to the terminal', () => {
    const refused: [Parameters<typeof shellLaunch>[0], RegExp][] = [
      [{ commandLine: 'echo ${command:workbench.action.quit}', cwd: base }, /substitute the "\$\{" in the command line/],
      [{ commandLine: 'echo', cwd: base, env: { X: '${env:HOME}' } }, /the environment variable "X"/],
      [{ commandLine: 'echo', cwd: base, env: { '${x}': 'y' } }, /the environment variable "\$\{x\}"/],
      [{ commandLine: 'echo \x1b]0;title\x07', cwd: base }, /control character/],
    ];
    for (const [request, message] of refused) assert.throws(() => shellLaunch(request), (err: unknown) => err instanceof ShellLaunchError && message.test(err.message));
  });
});
