// Text for a terminal. Commit subjects, author names, labels, log payloads and API error bodies can
// carry ESC, OSC and other control characters that a terminal obeys: clear the screen, retitle the
// window, plant a hyperlink, overwrite a line. Human output that reaches a terminal is rendered here,
// so that data is always shown as text while our own colors still work.
//
// API (pure; no vscode):
//
//   terminalSafe(text)          the text with every character a terminal acts on written visibly:
//                               C0 controls (U+0000–U+001F) except tab and newline, DEL (U+007F) and the
//                               C1 controls (U+0080–U+009F). C0 and DEL are written \xNN, C1 \u00NN, in
//                               lowercase hex (ESC → \x1b, BEL → \x07, CSI → \u009b). A carriage return
//                               is kept only directly before a newline (CRLF line ends); a lone one
//                               (which would overwrite the line) is written \x0d. Text that is already
//                               safe comes back unchanged, so escaping twice is the same as once.
//   styled(sgr, text)           a span of text in one of our own styles: `sgr` is an SGR parameter
//                               string such as '31' (red) or '1;31' (bold red)
//   renderTerminal(text, opts)  TerminalText → string: every piece of text through terminalSafe, and each
//                               span's SGR sequence around it when opts.color is true (left out otherwise)
//
// TerminalText is a string, a styled span, or a list of them: the style travels beside the text,
// never inside it, so a control sequence in the data can never pass for ours.

export interface Styled {
  readonly sgr: string;
  readonly text: string;
}

export type TerminalText = string | Styled | readonly TerminalText[];

/** Everything a terminal would act on, except tab, newline and a CR that ends a CRLF line. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

function visible(char: string): string {
  const code = char.charCodeAt(0);
  const hex = code.toString(16).padStart(2, '0');
  return code < 0x80 ? `\\x${hex}` : `\\u00${hex}`;
}

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, visible);
}

export function styled(sgr: string, text: string): Styled {
  return { sgr, text };
}

/** Our own SGR parameters only: digits and semicolons, so a span can never carry more than a color. */
const SGR_PARAMETERS = /^[0-9;]*$/;

export function renderTerminal(text: TerminalText, options: { color: boolean }): string {
  if (typeof text === 'string') return terminalSafe(text);
  if (isStyled(text)) {
    const safe = terminalSafe(text.text);
    return options.color && SGR_PARAMETERS.test(text.sgr) ? `\x1b[${text.sgr}m${safe}\x1b[0m` : safe;
  }
  let out = '';
  for (const part of text) out += renderTerminal(part, options);
  return out;
}

function isStyled(text: Styled | readonly TerminalText[]): text is Styled {
  return !Array.isArray(text);
}

/** Lines joined with newlines, as TerminalText (each line may hold styled spans). */
export function terminalLines(lines: readonly TerminalText[]): TerminalText {
  return lines.flatMap((line, i) => (i === 0 ? [line] : ['\n', line]));
}
