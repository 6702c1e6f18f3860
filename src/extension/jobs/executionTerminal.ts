// The integrated terminal a Cloud Run job execution is followed in: a pseudoterminal (it runs no
// process; the execution runs in Cloud Run) that shows the lines of core's executionText.ts as they
// come. Every line is escaped for the terminal (core/text/terminalText.ts) before it is written, so a log
// entry cannot move the cursor or retitle the window. Ctrl-C is handed to `onInterrupt` (which asks
// whether to cancel the execution); closing the terminal while it runs stops following it. Once the
// execution has ended, any key closes the terminal with the run's exit status.
//
// No vscode import: it satisfies vscode.Pseudoterminal structurally, and is unit-tested in plain Node.
import { renderTerminal, type TerminalText } from '../../core/text/terminalText';
import { Emitter } from '../platform/emitter';

const CTRL_C = '\x03';

export interface ExecutionTerminalHooks {
  /** Ctrl-C while the execution runs. */
  onInterrupt(): void;
  /** The user closed the terminal before the execution ended. */
  onClosedEarly(): void;
}

export class ExecutionTerminal {
  private readonly writeEmitter = new Emitter<string>();
  private readonly closeEmitter = new Emitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  /** Text written before VS Code opened the terminal: it would be lost otherwise. */
  private pending: string[] = [];
  private opened = false;
  private exitCode: number | null = null;
  private closed = false;

  constructor(private readonly hooks: ExecutionTerminalHooks) {}

  open(): void {
    this.opened = true;
    for (const text of this.pending) this.writeEmitter.fire(text);
    this.pending = [];
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.exitCode === null) this.hooks.onClosedEarly();
  }

  handleInput(data: string): void {
    if (this.exitCode !== null) {
      this.closed = true;
      this.closeEmitter.fire(this.exitCode);
      return;
    }
    if (data.includes(CTRL_C)) this.hooks.onInterrupt();
  }

  /** Writes lines, each escaped for the terminal, in color. */
  writeLines(lines: readonly TerminalText[]): void {
    if (lines.length === 0) return;
    this.emit(lines.map((line) => `${renderTerminal(line, { color: true })}\r\n`).join(''));
  }

  /** The last line; from now on a key closes the terminal with `exitCode`. */
  finish(line: TerminalText, exitCode: number): void {
    this.writeLines([line, `Exit status ${exitCode}. Press any key to close the terminal.`]);
    this.exitCode = exitCode;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private emit(text: string): void {
    if (this.closed) return;
    if (this.opened) this.writeEmitter.fire(text);
    else this.pending.push(text);
  }

  dispose(): void {
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}
