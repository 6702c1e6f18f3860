// The helper's side (see client.ts): makes each call it is sent with GitCommands, as the editor
// would have, and sends back git's standard output in chunk frames and then each call's end.
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { GitCommands, GitError } from '../command';
import { errorText } from '../../text/messageText';
import { CHUNK_FRAME, frameHeader, notRun, OUTCOME_FRAME, type GitCallRequest, type SentOutcome, type ToHelper } from './protocol';

/**
 * How much of git's output one frame carries at most, and how long a chunk may wait for more.
 * Git writes into a pipe 4 KB at a time: sent on one by one, a walk of 100,000 commits (18 MB)
 * took 4,300 writes here and as many reads and wakeups in the editor.
 */
const FRAME_BYTES = 64 * 1024;
const GATHER_MS = 2;

/**
 * Serves the calls read from `input` (the helper's standard input), answering on `output` (its
 * standard output), until `input` ends or `output` fails: then stops every git still running and
 * calls `done`.
 */
export function serveGitCalls(input: Readable, output: Writable, done: () => void): void {
  const running = new Map<number, AbortController>();
  // The header and the payload written together, without copying the payload into one buffer.
  const send = (kind: number, call: number, payload: Buffer): void => {
    output.cork();
    output.write(frameHeader(kind, call, payload.length));
    output.write(payload);
    output.uncork();
  };
  // A stream's git is read no faster than the editor reads this process's output.
  const writable = (): Promise<void> | undefined => (output.writableNeedDrain ? once(output, 'drain').then(() => undefined) : undefined);
  const received = (message: ToHelper): void => {
    if ('cancel' in message) {
      running.get(message.cancel)?.abort();
      return;
    }
    const { call, request } = message;
    const controller = new AbortController();
    running.set(call, controller);
    const chunks = new Gathered((chunk) => send(CHUNK_FRAME, call, chunk));
    void outcomeOf(request, controller.signal, (chunk) => chunks.add(chunk), writable).then(({ stdout, outcome }) => {
      running.delete(call);
      for (let at = 0; at < stdout.length; at += FRAME_BYTES) chunks.add(stdout.subarray(at, at + FRAME_BYTES));
      chunks.flush();
      send(OUTCOME_FRAME, call, Buffer.from(JSON.stringify(outcome)));
    });
  };
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    for (const controller of running.values()) controller.abort();
    done();
  };
  let text = '';
  input.setEncoding('utf8');
  input.on('data', (piece: string) => {
    const lines = (text + piece).split('\n');
    text = lines.pop()!;
    for (const line of lines) if (line) received(JSON.parse(line) as ToHelper);
  });
  input.on('end', stop);
  // The editor gone (EPIPE): nobody reads the answers.
  output.on('error', stop);
}

/** A call's chunks, sent on together up to FRAME_BYTES, or once the first of them has waited GATHER_MS. */
class Gathered {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly send: (chunk: Buffer) => void) {}

  add(chunk: Buffer): void {
    if (this.bytes + chunk.length > FRAME_BYTES) this.flush();
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    this.timer ??= setTimeout(() => this.flush(), GATHER_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.bytes === 0) return;
    const chunk = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bytes);
    this.chunks = [];
    this.bytes = 0;
    this.send(chunk);
  }
}

/** The call's outcome to send, and what it printed when that was not streamed as it came (run(), runInOwnProcessGroup()). */
async function outcomeOf(
  request: GitCallRequest,
  signal: AbortSignal,
  onStdout: (chunk: Buffer) => void,
  writable: () => Promise<void> | undefined,
): Promise<{ stdout: Buffer; outcome: SentOutcome }> {
  const options = { signal, allowExitCodes: request.allowExitCodes };
  try {
    // As cheap to make as the editor's: the git binary it finds is kept per repository (binary.ts).
    const commands = new GitCommands(request.cwd, request.timeoutMs, request.repository, request.background);
    if (request.kind === 'stream') return { stdout: Buffer.alloc(0), outcome: await commands.stream(request.args, onStdout, { ...options, config: request.config, waitForReader: writable }) };
    const { stdout, ...outcome } = request.kind === 'run' ? await commands.run(request.args, { ...options, input: request.input }) : await commands.runInOwnProcessGroup(request.args, options);
    return { stdout: Buffer.from(stdout, 'utf8'), outcome };
  } catch (err) {
    if (err instanceof GitError) return { stdout: Buffer.alloc(0), outcome: { failure: { message: err.message, args: err.args, exitCode: err.exitCode, stderr: err.stderr, reason: err.reason } } };
    return { stdout: Buffer.alloc(0), outcome: notRun(request.args, errorText(err)) };
  }
}
