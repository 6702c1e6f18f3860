// The helper's side (see client.ts): makes each call it is sent with GitCommands, as the editor
// would have, and sends back a stream's chunks and each call's end.
import type { Readable, Writable } from 'node:stream';
import { GitCommands, GitError } from '../command';
import { errorText } from '../../text/messageText';
import { CHUNK_FRAME, frameHeader, OUTCOME_FRAME, type GitCallOutcome, type GitCallRequest, type ToHelper } from './protocol';

/**
 * Serves the calls read from `input` (the helper's standard input), answering on `output` (its
 * standard output), until `input` ends: then stops every git still running and calls `done`.
 */
export function serveGitCalls(input: Readable, output: Writable, done: () => void): void {
  const running = new Map<number, AbortController>();
  const commands = new Map<string, GitCommands>();
  const commandsFor = (request: GitCallRequest): GitCommands => {
    const key = JSON.stringify([request.cwd, request.repository, request.timeoutMs, request.background]);
    let found = commands.get(key);
    if (!found) commands.set(key, (found = new GitCommands(request.cwd, request.timeoutMs, request.repository, request.background)));
    return found;
  };
  const send = (kind: number, call: number, payload: Buffer): void => {
    output.write(Buffer.concat([frameHeader(kind, call, payload.length), payload]));
  };
  const received = (message: ToHelper): void => {
    if ('cancel' in message) {
      running.get(message.cancel)?.abort();
      return;
    }
    const { call, request } = message;
    const controller = new AbortController();
    running.set(call, controller);
    const output = new Gathered((chunk) => send(CHUNK_FRAME, call, chunk));
    void outcomeOf(request, controller.signal, (chunk) => output.add(chunk), commandsFor).then((outcome) => {
      running.delete(call);
      output.flush();
      send(OUTCOME_FRAME, call, Buffer.from(JSON.stringify(outcome)));
    });
  };
  let text = '';
  input.setEncoding('utf8');
  input.on('data', (piece: string) => {
    const lines = (text + piece).split('\n');
    text = lines.pop()!;
    for (const line of lines) if (line) received(JSON.parse(line) as ToHelper);
  });
  input.on('end', () => {
    for (const controller of running.values()) controller.abort();
    done();
  });
}

/**
 * How much of a stream's output one frame carries at most, and how long a chunk may wait for more.
 * Git writes into a pipe 4 KB at a time: sent on one by one, a walk of 100,000 commits (18 MB)
 * took 4,300 writes here and as many reads and wakeups in the editor.
 */
const FRAME_BYTES = 64 * 1024;
const GATHER_MS = 2;

/** A stream's chunks, sent on together once they reach FRAME_BYTES or have waited GATHER_MS. */
class Gathered {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly send: (chunk: Buffer) => void) {}

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes >= FRAME_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), GATHER_MS);
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

async function outcomeOf(request: GitCallRequest, signal: AbortSignal, onStdout: (chunk: Buffer) => void, commandsFor: (request: GitCallRequest) => GitCommands): Promise<GitCallOutcome> {
  const options = { signal, allowExitCodes: request.allowExitCodes };
  try {
    const commands = commandsFor(request);
    if (request.kind === 'run') return await commands.run(request.args, { ...options, input: request.input });
    if (request.kind === 'group') return await commands.runInOwnProcessGroup(request.args, options);
    return { ...(await commands.stream(request.args, onStdout, { ...options, config: request.config })), stdout: '' };
  } catch (err) {
    if (err instanceof GitError) return { failure: { message: err.message, args: err.args, exitCode: err.exitCode, stderr: err.stderr, reason: err.reason } };
    return { failure: { message: `cannot run ${`git ${request.args[0] ?? ''}`.trim()}: ${errorText(err)}`, args: request.args, exitCode: null, stderr: '', reason: 'failed' } };
  }
}
