// Command templates for bash: a template with ${variable}s, expanded into a command line that is
// safe to hand to bash. Deploy commands (deploy/template.ts) and data job commands (jobs/command.ts)
// each bring their own vocabulary of variables and validate their values before expanding.
//
// API (no vscode import):
//
//   expandTemplate(template, vocabulary, values)  → ExpandedCommand { commandLine, argv, variables }
//                                                   throws TemplateError (unknown ${name}, unsupported position)
//   checkTemplateSyntax(template, vocabulary)     → TemplateError | null, for config diagnostics before a run
//   shellQuote(value)                             → one bash word for value: 'value', ' as '\'', controls as $'\x1b'
//
// Why the care: the command line runs in a real shell. Every value is single-quoted (after the
// caller has validated it against what it can legitimately be).
//
// Quoting is context-aware: a variable written inside '...' or "..." in the template closes that
// quote, inserts the single-quoted value and reopens it, so `cd "${workspaceFolder}/api"` works and
// is still safe. Positions where we cannot be sure what bash will do with the value are refused
// rather than guessed: inside $(...), <(...), backticks or $'...', after a heredoc `<<`, a comment,
// a `case` or an unmatched `)`, and right after a `$`. Every `${...}` in a template is a template
// variable: shell variables are written without braces ($HOME), an unknown name is an error that
// says so, and `\${` keeps a literal `${` as it does in the shell.
//
// The command line holds no `${` and no control character other than newline and tab, so it means
// the same to bash wherever it runs. VS Code substitutes every `${...}` in a task's command line,
// quotes or backslashes notwithstanding (its resolver matches /\$\{(.*?)\}/ and nothing else; see
// extension/tasks/shellLaunch.ts), and echoes the command line into the task's terminal, which
// would obey an ESC in it. So a literal `${` is written `$''{` (an empty quoted string between
// the two characters, `$""{` inside "...", `$'$'{` inside $'...'): bash reads `${` and VS Code finds
// nothing to substitute. Control characters in values are written in ANSI-C quoting ($'\x1b');
// in the template itself they are refused. Where the lexer cannot vouch for the context of a `\${`
// (inside backticks, after a heredoc, a comment, a `case` or an unmatched `)`), it is refused.
//
// The command line is bash syntax: run it with bash (`bash -c`, or ShellExecution with
// `executable: 'bash', shellArgs: ['-c']`), never the user's default shell (fish quotes differently).

export class TemplateError extends Error {
  constructor(
    message: string,
    /** The variable the problem concerns (as written between the braces), or null for the template as a whole. */
    readonly variable: string | null,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

export interface ExpandedCommand<Variable extends string = string> {
  /** The command line for `bash -c` or a VS Code ShellExecution(commandLine). */
  commandLine: string;
  /**
   * The same command as argv when the template is a plain list of words (no pipes, redirections,
   * expansions, globs or assignments), e.g. for ProcessExecution or execFile; null otherwise.
   */
  argv: string[] | null;
  /** The variables the template uses, in order of first use. */
  variables: Variable[];
}

/** `${` as bash reads it, with nothing between the two for VS Code to substitute. */
const LITERAL_DOLLAR_BRACE = "$''{";

/** Control characters: C0 (tab and newline too, in values), DEL and C1. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_RUNS = /([\u0000-\u001f\u007f-\u009f]+)/;

/**
 * One bash word that is exactly `value`: text in single quotes (a quote written as '\''), control
 * characters as ANSI-C escapes of their UTF-8 bytes ($'\x1b', $'\xc2\x9b'), and `${` written as
 * `$''{` so that no `${` appears for VS Code to substitute.
 */
export function shellQuote(value: string): string {
  if (value === '') return "''";
  return value
    .split(CONTROL_RUNS)
    .filter((run) => run !== '')
    .map((run) => (CONTROL.test(run) ? ansiC(run) : `'${run.replace(/'/g, `'\\''`).replace(/\$\{/g, () => LITERAL_DOLLAR_BRACE)}'`))
    .join('');
}

function ansiC(controls: string): string {
  return `$'${[...Buffer.from(controls, 'utf8')].map((byte) => `\\x${byte.toString(16).padStart(2, '0')}`).join('')}'`;
}

/** Expands a template whose variables come from `vocabulary`, quoting each (already validated) value. Throws TemplateError. */
export function expandTemplate<Variable extends string>(template: string, vocabulary: readonly Variable[], values: Readonly<Record<Variable, string>>): ExpandedCommand<Variable> {
  const parts = lexTemplate(template, vocabulary);
  let commandLine = '';
  const variables: Variable[] = [];
  for (const part of parts) {
    if (part.kind === 'text') {
      commandLine += part.text;
      continue;
    }
    const name = part.name as Variable;
    if (!variables.includes(name)) variables.push(name);
    commandLine += quoteInContext(values[name], part.context);
  }
  return { commandLine, argv: plainArgv(parts, values), variables };
}

/** The problem with a template, found without any values (for diagnostics), or null when it is usable. */
export function checkTemplateSyntax(template: string, vocabulary: readonly string[]): TemplateError | null {
  try {
    lexTemplate(template, vocabulary);
    return null;
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Lexing: just enough of bash's quoting rules to know, for each ${variable}, whether bash will be
// reading it unquoted, inside '...' or inside "...". Anything beyond that is refused.

/** Where bash reads a character: bare, inside '...', inside "...", or inside ANSI-C $'...'. */
type QuoteContext = 'unquoted' | 'single' | 'double' | 'ansi';

type TemplatePart = { kind: 'text'; text: string } | { kind: 'variable'; name: string; context: 'unquoted' | 'single' | 'double' };

interface Frame {
  /** `top` is the command line itself; `command` is $(...), <(...) or >(...); `backtick` is `...`. */
  kind: 'top' | 'command' | 'backtick';
  quote: QuoteContext;
  /** Unquoted `(` seen inside this frame and not yet closed (subshells, $((...)) arithmetic). */
  parens: number;
}

/** Bash's metacharacters: a word starts after one of these. */
const WORD_BOUNDARY = /[\s;&|()<>]/;

/** Control characters a template may not hold: all but tab and newline. */
// eslint-disable-next-line no-control-regex
const TEMPLATE_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** Between `$` and `{`, an empty quoted string that bash reads as nothing in each context. */
const EMPTY_QUOTES: Record<'unquoted' | 'double' | 'ansi', string> = { unquoted: "''", double: '""', ansi: "'$'" };

function lexTemplate(template: string, vocabulary: readonly string[]): TemplatePart[] {
  const control = TEMPLATE_CONTROL.exec(template);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new TemplateError(`the template holds the control character U+${code} (at character ${control.index + 1}); write it as the shell would, e.g. ${ansiC(control[0])}`, null);
  }
  const parts: TemplatePart[] = [];
  const stack: Frame[] = [{ kind: 'top', quote: 'unquoted', parens: 0 }];
  /** Set once the lexer meets syntax after which it cannot vouch for the quoting context. */
  let uncertainBecause: string | null = null;
  let text = '';
  const flushText = (): void => {
    if (text) parts.push({ kind: 'text', text });
    text = '';
  };
  let i = 0;
  /** Copies the next character as it is (the one after a backslash, or the rest of a two-character token). */
  const takeEscaped = (): void => {
    text += template[i] ?? '';
    i++;
  };

  while (i < template.length) {
    const frame = stack[stack.length - 1]!;
    const c = template[i]!;

    if (template.startsWith('${', i)) {
      const end = template.indexOf('}', i + 2);
      const written = end < 0 ? template.slice(i + 2) : template.slice(i + 2, end);
      if (end < 0) throw new TemplateError(`unterminated \${${written}: expected "}"`, written);
      const name = checkVariableName(written, vocabulary);
      if (frame.kind !== 'top') {
        throw new TemplateError(`\${${name}} is inside $(...), <(...) or backticks, where its quoting cannot be guaranteed; use it outside them`, name);
      }
      if (frame.quote === 'ansi') {
        throw new TemplateError(`\${${name}} is inside $'...', where backslashes in the value would be interpreted; use it outside`, name);
      }
      // `$'value'` would be ANSI-C quoting and `$"value"` a translation: neither keeps the value literal.
      if (template[i - 1] === '$' && frame.quote !== 'single') {
        throw new TemplateError(`\${${name}} follows a "$"; remove the "$" (the value is quoted for you)`, name);
      }
      if (uncertainBecause) {
        throw new TemplateError(`\${${name}} comes after ${uncertainBecause}, where its quoting cannot be guaranteed; move it before`, name);
      }
      flushText();
      parts.push({ kind: 'variable', name, context: frame.quote });
      i = end + 1;
      continue;
    }

    text += c;
    i++;
    if (frame.kind === 'backtick') {
      // Bash ends `...` at the first backquote not preceded by a backslash, whatever the quotes.
      if (c === '\\' && template.startsWith('${', i)) {
        throw new TemplateError('\\${ inside backticks is a parameter expansion in the inner command, not a literal ${; use $(...) instead of backticks', null);
      }
      if (c === '\\') takeEscaped();
      else if (c === '`') stack.pop();
      continue;
    }
    if (frame.quote === 'single') {
      if (c === "'") frame.quote = 'unquoted';
      continue;
    }
    // A backslash outside single quotes keeps the next character literal: `\${x}` stays the text ${x}.
    if (c === '\\' && template.startsWith('${', i)) {
      if (uncertainBecause) {
        throw new TemplateError(`\\\${ comes after ${uncertainBecause}, where it cannot be written so that it stays a literal \${; move it before`, null);
      }
      takeEscaped();
      text += EMPTY_QUOTES[frame.quote];
      continue;
    }
    if (frame.quote === 'ansi') {
      if (c === '\\') takeEscaped();
      else if (c === "'") frame.quote = 'unquoted';
      continue;
    }
    if (c === '\\') {
      takeEscaped();
      continue;
    }
    if (c === '`') {
      stack.push({ kind: 'backtick', quote: 'unquoted', parens: 0 });
      continue;
    }
    if (c === '$' && template[i] === '(') {
      takeEscaped();
      stack.push({ kind: 'command', quote: 'unquoted', parens: 0 });
      continue;
    }
    if (frame.quote === 'double') {
      if (c === '"') frame.quote = 'unquoted';
      continue;
    }
    // Unquoted from here on.
    if (c === "'") frame.quote = 'single';
    else if (c === '"') frame.quote = 'double';
    else if (c === '$' && template[i] === "'") {
      takeEscaped();
      frame.quote = 'ansi';
    } else if ((c === '<' || c === '>') && template[i] === '(') {
      takeEscaped();
      stack.push({ kind: 'command', quote: 'unquoted', parens: 0 });
    } else if (c === '(') frame.parens++;
    else if (c === ')') {
      if (frame.parens > 0) frame.parens--;
      else if (frame.kind === 'command') stack.pop();
      else uncertainBecause ??= 'an unmatched ")"';
    } else if (c === '#' && (i === 1 || WORD_BOUNDARY.test(template[i - 2]!))) {
      // A comment runs to the end of the line; quotes inside it quote nothing. Variables on later
      // lines are refused all the same: one misjudged "#" would shift every quote after it.
      const newline = template.indexOf('\n', i);
      const stop = newline < 0 ? template.length : newline;
      // Bash ignores the comment, VS Code would not: no `${` in it either.
      text += template.slice(i, stop).replaceAll('${', () => LITERAL_DOLLAR_BRACE);
      i = stop;
      uncertainBecause ??= 'a "#" comment';
    } else if (c === '<' && template.startsWith('<<', i)) {
      // A here-string `<<<` is an ordinary word afterwards.
      takeEscaped();
      takeEscaped();
    } else if (c === '<' && template[i] === '<') {
      uncertainBecause ??= 'a heredoc "<<"';
    } else if (c === 'c' && template.startsWith('ase', i) && isWordAt(template, i - 1, 4)) {
      // `case x in a) ...` has unbalanced ")" that we do not follow.
      uncertainBecause ??= 'a "case" statement';
    }
  }

  const open = stack[stack.length - 1]!;
  if (stack.length > 1) throw new TemplateError(`unterminated ${open.kind === 'backtick' ? 'backtick `' : '$('}: the template would not run`, null);
  if (open.quote !== 'unquoted') {
    const what = open.quote === 'single' ? "single quote '" : open.quote === 'double' ? 'double quote "' : "$'";
    throw new TemplateError(`unterminated ${what}: the template would not run`, null);
  }
  flushText();
  return parts;
}

function checkVariableName(written: string, vocabulary: readonly string[]): string {
  if (vocabulary.includes(written)) return written;
  const hint = /^[A-Za-z_][A-Za-z0-9_]*$/.test(written) ? `; for the shell variable write $${written} without braces` : '';
  throw new TemplateError(
    `unknown template variable \${${written}} (known: ${vocabulary.map((v) => `\${${v}}`).join(', ')})${hint}`,
    written,
  );
}

function isWordAt(template: string, start: number, length: number): boolean {
  const before = start === 0 ? ' ' : template[start - 1]!;
  const after = template[start + length] ?? ' ';
  return WORD_BOUNDARY.test(before) && WORD_BOUNDARY.test(after);
}

/** Characters that need no quoting anywhere, used to keep "..." and '...' readable in the terminal. */
const PLAIN_VALUE = /^[A-Za-z0-9_./:@%+=,-]*$/;

/**
 * Inside '...' only a quote is special to bash; a value is written there as it is unless it would
 * put a control character, or a `${` (alone or with the template text around it), on the line.
 */
function readableInSingleQuotes(value: string): boolean {
  return !value.includes("'") && !CONTROL.test(value) && !value.includes('${') && !value.startsWith('{') && !value.endsWith('$');
}

function quoteInContext(value: string, context: 'unquoted' | 'single' | 'double'): string {
  switch (context) {
    case 'unquoted':
      // Always quoted, even when plain: an unquoted value next to template text could form an
      // assignment, a glob or a tilde expansion that the value alone would not.
      return shellQuote(value);
    case 'single':
      return readableInSingleQuotes(value) ? value : `'${shellQuote(value)}'`;
    case 'double':
      return PLAIN_VALUE.test(value) ? value : `"${shellQuote(value)}"`;
  }
}

// ---------------------------------------------------------------------------------------------
// argv: only for templates that are a plain list of words, where splitting is unambiguous.

const SHELL_SYNTAX = /[;&|<>(){}*?[\]~#!$`]/;

function plainArgv(parts: TemplatePart[], values: Readonly<Record<string, string>>): string[] | null {
  const words: string[] = [];
  let current: string | null = null;
  let quote: 'unquoted' | 'single' | 'double' = 'unquoted';
  for (const part of parts) {
    if (part.kind === 'variable') {
      current = (current ?? '') + (values[part.name] ?? '');
      continue;
    }
    const text = part.text;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (quote === 'single') {
        if (c === "'") quote = 'unquoted';
        else current += c;
        continue;
      }
      if (quote === 'double') {
        if (c === '"') quote = 'unquoted';
        else if (c === '$' || c === '`' || c === '\\') return null;
        else current += c;
        continue;
      }
      if (c === ' ' || c === '\t') {
        if (current !== null) words.push(current);
        current = null;
      } else if (c === "'") {
        quote = 'single';
        current ??= '';
      } else if (c === '"') {
        quote = 'double';
        current ??= '';
      } else if (c === '\n' || c === '\\' || SHELL_SYNTAX.test(c)) {
        return null;
      } else {
        current = (current ?? '') + c;
      }
    }
  }
  if (current !== null) words.push(current);
  if (words.length === 0) return null;
  // `NAME=value cmd` is an assignment in the shell, not a program called NAME=value.
  const first = parts[0];
  if (first?.kind === 'text' && /^\s*[A-Za-z_][A-Za-z0-9_]*=/.test(first.text)) return null;
  return words;
}
