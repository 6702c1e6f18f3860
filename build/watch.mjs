// `npm run watch`: esbuild rebuilding dist/ on every change (esbuild.mjs --watch) and the type checker
// (tsc --watch, no output files) side by side, in one terminal. Ctrl-C stops both; if either stops by
// itself, the other is stopped too and its exit code is ours.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

const children = [
  spawn(process.execPath, ['esbuild.mjs', '--watch'], { cwd: root, stdio: 'inherit' }),
  spawn(process.execPath, [tsc, '-p', '.', '--noEmit', '--watch', '--preserveWatchOutput'], { cwd: root, stdio: 'inherit' }),
];

let exitCode;
const stopAll = (code) => {
  exitCode ??= code;
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
};
for (const child of children) {
  child.on('exit', (code) => {
    stopAll(code ?? 1);
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(0));
