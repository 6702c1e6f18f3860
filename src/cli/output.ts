// Where the CLI writes. Commands write through TerminalOutput, the one place human output is made
// safe for a terminal: every text is escaped (../core/text/terminalText.ts), our own colors are added
// only when the output is in color, and --json is written exactly as given.
import { renderTerminal, type TerminalText } from '../core/text/terminalText';

/** The process's streams, or a test's capture: text exactly as it is written. */
export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
  color: boolean;
  /** A person reads `out` (a terminal): --json is indented for them, and compact for programs. */
  interactive?: boolean;
  /** Resolves when `out` can take more (a following `logs` must not outrun a slow pipe). */
  waitForDrain?: () => Promise<void>;
  /** Asks a person a yes/no question (true for yes); absent when no person can answer (stdin is not a terminal). */
  confirm?: (question: string) => Promise<boolean>;
}

export interface TerminalOutput {
  /** Human output on stdout: control characters in it are escaped; styled spans are colored when the output is. */
  out(text: TerminalText): void;
  /** Human output on stderr (never colored), escaped the same way. */
  err(text: TerminalText): void;
  /** Machine output on stdout (--json), written exactly. */
  exact(text: string): void;
  interactive: boolean;
  waitForDrain?: () => Promise<void>;
  /** Asks a yes/no question, escaped as `err` is; absent when stdin is not a terminal. */
  confirm?: (question: TerminalText) => Promise<boolean>;
}

export function terminalOutput(output: Output): TerminalOutput {
  const terminal: TerminalOutput = {
    out: (text) => output.out(renderTerminal(text, { color: output.color })),
    err: (text) => output.err(renderTerminal(text, { color: false })),
    exact: (text) => output.out(text),
    interactive: Boolean(output.interactive),
  };
  if (output.waitForDrain) terminal.waitForDrain = output.waitForDrain;
  const confirm = output.confirm;
  if (confirm) terminal.confirm = (question) => confirm(renderTerminal(question, { color: false }));
  return terminal;
}
