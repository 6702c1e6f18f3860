// The `cloud-run-drift` executable (dist/cli.js). Help, `--version` and `COMMAND --help` are answered
// here, from usage.ts alone; every other command loads the rest of the CLI (main.ts, its own bundle
// dist/cli-main.js) and runs it. Printing usage so never pays for loading the commands. On a Node.js
// older than the commands need, a command is refused with what to do, before anything fails inside it.
import { helpAnswer, unsupportedNode } from './usage';

const argv = process.argv.slice(2);
const help = helpAnswer(argv);
const tooOld = help ? null : unsupportedNode(process.version);
if (help) {
  process.stdout.write(`${help.text}\n`);
  process.exitCode = help.code;
} else if (tooOld) {
  process.stderr.write(`${tooOld}\n`);
  process.exitCode = 2;
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./commands') as typeof import('./commands')).loadCommands().run(argv);
}
