// The git helper process (dist/git-helper.js), started by GitHelper: calls on its standard input,
// answers on its standard output (see protocol.ts).
import { serveGitCalls } from './serve';

// Once every git is stopped, on the next turn: the kills are sent by then.
serveGitCalls(process.stdin, process.stdout, () => setImmediate(() => process.exit(0)));
