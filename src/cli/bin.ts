// The `cloud-run-drift` executable (dist/cli.js). Help, `--version` and `COMMAND --help` are answered
// here, from usage.ts alone; every other command loads the rest of the CLI (main.ts, its own bundle
// dist/cli-main.js) and runs it. Printing usage so never pays for loading the commands.
import { helpAnswer } from './usage';

const argv = process.argv.slice(2);
const help = helpAnswer(argv);
if (help) {
  process.stdout.write(`${help.text}\n`);
  process.exitCode = help.code;
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./commands') as typeof import('./commands')).loadCommands().run(argv);
}
