// What shellTask.ts hands to VS Code's ShellExecution for a bash command line. No vscode import, so
// unit tests see exactly the command line, cwd and env VS Code gets.
//
// VS Code resolves `${…}` in a shell task's command line, cwd, env values and shell arguments before
// it runs anything (terminalTaskSystem.ts scans each with /\$\{(.*?)\}/g), inside quotes and after a
// backslash alike: `${env:…}` and `${config:…}` are replaced, `${command:…}` runs a command. Core
// already writes command lines without `${` (core/text/shellTemplate.ts). The cwd is the repository root,
// whose path may hold one: then the task starts in the file system root and the command line begins
// by changing to the root, quoted the same way. Anything else that would still reach the resolver
// (or a control character the terminal's echo of the command would obey) refuses the launch.
import * as path from 'node:path';
import { shellQuote } from '../../core/text/shellTemplate';

export interface ShellLaunch {
  commandLine: string;
  options: { executable: 'bash'; shellArgs: ['-c']; cwd: string; env: Record<string, string> };
}

export class ShellLaunchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellLaunchError';
  }
}

// eslint-disable-next-line no-control-regex
const ECHOED_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** bash -c `commandLine` in `cwd` with `env` added, written so that VS Code substitutes nothing. Throws ShellLaunchError. */
export function shellLaunch(request: { commandLine: string; cwd: string; env?: Readonly<Record<string, string>> }): ShellLaunch {
  let { commandLine, cwd } = request;
  if (cwd.includes('${')) {
    commandLine = `cd -- ${shellQuote(cwd)} || exit\n${commandLine}`;
    cwd = path.parse(cwd).root;
  }
  const env = { ...request.env };
  const refuse = (what: string): never => {
    throw new ShellLaunchError(`VS Code would substitute the "\${" in ${what}; nothing was run`);
  };
  if (commandLine.includes('${')) refuse('the command line');
  if (cwd.includes('${')) refuse(`the working folder ${JSON.stringify(cwd)}`);
  for (const [name, value] of Object.entries(env)) {
    if (name.includes('${') || value.includes('${')) refuse(`the environment variable ${JSON.stringify(name)}`);
  }
  if (ECHOED_CONTROL.test(commandLine)) {
    throw new ShellLaunchError('the command line holds a control character that the terminal would obey when VS Code echoes it; nothing was run');
  }
  return { commandLine, options: { executable: 'bash', shellArgs: ['-c'], cwd, env } };
}
