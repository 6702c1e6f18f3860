// What the editor and its git helper process (helper/main.ts) say to each other. To the helper:
// one JSON text per line on its standard input. From it, on its standard output: frames of a kind
// (a chunk of a stream's output, or a call's end as JSON), a call number and a length, then that
// many bytes. Output crosses as it came from git, without being encoded again.

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

/** How a call ended: git's outcome (stdout empty for a stream), or why there is none. */
export type GitCallOutcome = { stdout: string; stderr: string; exitCode: number } | { failure: GitCallFailure };

/** To the helper, one per line. */
export type ToHelper = { call: number; request: GitCallRequest } | { cancel: number };

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

/**
 * Cuts the helper's output into frames as it arrives, in any pieces. A frame wholly inside one
 * piece is handed on as a view of it, without a copy.
 */
export class FrameReader {
  private pending: Buffer | undefined;

  constructor(private readonly onFrame: (kind: number, call: number, payload: Buffer) => void) {}

  push(piece: Buffer): void {
    let data = this.pending ? Buffer.concat([this.pending, piece]) : piece;
    this.pending = undefined;
    while (data.length >= FRAME_HEADER) {
      const end = FRAME_HEADER + data.readUInt32BE(5);
      if (data.length < end) break;
      this.onFrame(data.readUInt8(0), data.readUInt32BE(1), data.subarray(FRAME_HEADER, end));
      data = data.subarray(end);
    }
    if (data.length > 0) this.pending = data;
  }
}

/** Makes GitCommands' calls somewhere else: in the editor, in a helper process (GitHelper). */
export interface RemoteGit {
  /**
   * Makes the call, handing a stream's output to `onStdout` chunk by chunk. Resolves with how it
   * ended; rejects only with what `onStdout` threw (git is then stopped). Aborting `signal` stops
   * git; the outcome then comes as the helper saw it, and may be a success that came first.
   */
  call(request: GitCallRequest, onStdout: ((chunk: Buffer) => void) | undefined, signal: AbortSignal): Promise<GitCallOutcome>;
}
