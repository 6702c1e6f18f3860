// The git helper process (dist/git-helper.js), started by GitHelper: calls on its standard input,
// answers on its standard output (see protocol.ts).
import { HELPER_SET_ASIDE } from './protocol';
import { serveGitCalls } from './serve';

// The variables the editor started this process without (or with for it alone), as they were
// there: git and what it runs get the editor's environment.
const setAside = JSON.parse(process.env[HELPER_SET_ASIDE] ?? '{}') as Record<string, string | null>;
delete process.env[HELPER_SET_ASIDE];
for (const [name, value] of Object.entries(setAside)) {
  if (value === null) delete process.env[name];
  else process.env[name] = value;
}
// Once every git is stopped, on the next turn: the kills are sent by then.
serveGitCalls(process.stdin, process.stdout, () => setImmediate(() => process.exit(0)));
