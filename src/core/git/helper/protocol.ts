// What the editor and its git helper process (helper/main.ts) say to each other. To the helper:
// one JSON text per line on its standard input. From it, on its standard output: frames of a kind
// (a piece of git's standard output, or a call's end as JSON), a call number and a length, then
// that many bytes. Git's output crosses as bytes, in the frames of its call, before the call's end.

/** How GitCommands' call is made: run(), runInOwnProcessGroup() or stream(). */
export type GitCallKind = 'run' | 'group' | 'stream';

/** One git call, with what the helper needs to make the same GitCommands as the editor's. */
export interface GitCallRequest {
  kind: GitCallKind;
  cwd: string;
  /** The folder git must not be taken from (GitCommands' `repository`). */
  repository: string;
  timeoutMs: number;
  background: boolean;
  args: string[];
  allowExitCodes?: number[];
  /** run() only: written to git's standard input. */
  input?: string;
  /** stream() only: GitCommands.stream's `config`. */
  config?: string[];
}

/** How a call that did not succeed ended: a GitError's fields. */
export interface GitCallFailure {
  message: string;
  args: string[];
  exitCode: number | null;
  stderr: string;
  reason: 'failed' | 'timeout' | 'canceled';
}

/** The failure of a call whose git was not run (or not to its end), for `why`. */
export function notRun(args: string[], why: string): { failure: GitCallFailure } {
  return { failure: { message: `cannot run ${`git ${args[0] ?? ''}`.trim()}: ${why}`, args, exitCode: null, stderr: '', reason: 'failed' } };
}

/** How a call ended: git's outcome, its standard output sent before it in chunk frames; or why there is none. */
export type GitCallOutcome = { stdout: string; stderr: string; exitCode: number } | { failure: GitCallFailure };

/** A call's end as the helper sends it: the outcome with its standard output left out. */
export type SentOutcome = { stderr: string; exitCode: number } | { failure: GitCallFailure };

/** To the helper, one per line. */
export type ToHelper = { call: number; request: GitCallRequest } | { cancel: number };

/** The environment variable holding, as JSON, what the helper's own environment set aside (see client.ts, main.ts). */
export const HELPER_SET_ASIDE = 'CLOUD_RUN_DRIFT_HELPER_SET_ASIDE';

export const CHUNK_FRAME = 1;
export const OUTCOME_FRAME = 2;
/** A frame's kind (1 byte), call number and length (4 bytes each, big-endian). */
export const FRAME_HEADER = 9;

/** The header of a frame of `kind` for `call`, carrying `length` bytes. */
export function frameHeader(kind: number, call: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER);
  header.writeUInt8(kind, 0);
  header.writeUInt32BE(call, 1);
  header.writeUInt32BE(length, 5);
  return header;
}

/** Cuts the helper's output into frames as it arrives, in pieces of any size. */
export class FrameReader {
  /** The pieces that hold the start of the next frame, and how many bytes they hold. */
  private pieces: Buffer[] = [];
  private held = 0;

  constructor(private readonly onFrame: (kind: number, call: number, payload: Buffer) => void) {}

  push(piece: Buffer): void {
    this.pieces.push(piece);
    this.held += piece.length;
    for (;;) {
      if (this.held < FRAME_HEADER) return;
      const header = this.take(FRAME_HEADER, false);
      const end = FRAME_HEADER + header.readUInt32BE(5);
      // A frame is joined once, when it has all arrived.
      if (this.held < end) return;
      const frame = this.take(end, true);
      this.onFrame(frame.readUInt8(0), frame.readUInt32BE(1), frame.subarray(FRAME_HEADER, end));
    }
  }

  /**
   * The first `bytes` held, as one buffer: a view of the first piece, the pieces joined into one
   * when it holds fewer. `consume`: and lets go of them.
   */
  private take(bytes: number, consume: boolean): Buffer {
    let first = this.pieces[0]!;
    if (first.length < bytes) this.pieces = [(first = Buffer.concat(this.pieces, this.held))];
    if (consume) {
      const rest = first.subarray(bytes);
      if (rest.length > 0) this.pieces[0] = rest;
      else this.pieces.shift();
      this.held -= bytes;
    }
    return first.subarray(0, bytes);
  }
}

/** Makes GitCommands' calls somewhere else: in the editor, in a helper process (GitHelper). */
export interface RemoteGit {
  /**
   * Makes the call, handing a stream's output to `onStdout` chunk by chunk. Resolves with how it
   * ended (a helper that could not be started or died is a failure); rejects only with what
   * `onStdout` threw (git is then stopped). Aborting `signal` stops git and hands `onStdout`
   * nothing more; the outcome then comes as the helper saw it, and may be a success that came first.
   */
  call(request: GitCallRequest, onStdout: ((chunk: Buffer) => void) | undefined, signal: AbortSignal): Promise<GitCallOutcome>;
}
