// A parser and evaluator for the subset of the Cloud Logging query language that the product (and the
// @google-cloud/logging client, which appends `timestamp >= "..."`) sends.
//
// Grammar, following the published precedence (NOT binds tightest, then OR, then juxtaposition, then AND:
// `a OR NOT b AND NOT c OR d` is `(a OR (NOT b)) AND ((NOT c) OR d)`):
//   filter     = [ expression ]
//   expression = sequence { "AND" sequence }
//   sequence   = factor { factor }                      (implicit AND)
//   factor     = term { "OR" term }
//   term       = ( "NOT" | "-" ) term | primary
//   primary    = "(" expression ")" | function "(" args ")" | path [ operator argument ] | "quoted text"
//   argument   = value | "(" value-expression ")"         (`resource.type = ("a" OR "b")`)
// A bare word or quoted string with no operator is a global restriction: a case-insensitive substring of the
// payload (textPayload, or any jsonPayload value).
import {
  SEVERITY_VALUES,
  compareInstants,
  decodeLogName,
  formatInstant,
  parseInstant,
  parseSeverity,
  type PreciseInstant,
  type StoredLogEntry,
} from './entry';

/** A filter the real API would reject; `message` reads like the API's ("Unparseable filter: ..."). */
export class FilterSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

export type ComparisonOperator = '=' | '!=' | ':' | '=~' | '!~' | '<' | '<=' | '>' | '>=';

export type FilterNode =
  | { kind: 'and'; children: FilterNode[] }
  | { kind: 'or'; children: FilterNode[] }
  | { kind: 'not'; child: FilterNode }
  | { kind: 'compare'; field: string[]; operator: ComparisonOperator; value: string }
  | { kind: 'global'; text: string }
  | { kind: 'logId'; logId: string };

/** Top-level LogEntry fields a filter may name (the API rejects others). */
const LOG_ENTRY_FIELDS = new Set([
  'logName', 'resource', 'timestamp', 'receiveTimestamp', 'severity', 'insertId', 'httpRequest', 'labels', 'metadata',
  'operation', 'trace', 'spanId', 'traceSampled', 'sourceLocation', 'split', 'textPayload', 'jsonPayload', 'protoPayload',
  'errorGroups', 'apphub', 'apphubDestination',
]);

// ---------------------------------------------------------------------------------------------------------------
// Lexer

type Token =
  | { kind: 'lparen' | 'rparen' | 'minus' | 'eof'; offset: number; spaced: boolean }
  | { kind: 'op'; operator: ComparisonOperator; offset: number; spaced: boolean }
  | { kind: 'string'; value: string; offset: number; spaced: boolean }
  /** An unquoted word; `segments` is its dotted path reading (quoted segments allowed: jsonPayload."a.b"). */
  | { kind: 'word'; text: string; segments: string[]; offset: number; spaced: boolean };

const WORD_STOP = new Set([' ', '\t', '\n', '\r', '(', ')', '"', '=', '<', '>', '!', ':', '~']);
const VALUE_STOP = new Set([' ', '\t', '\n', '\r', '(', ')']);

function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

class Lexer {
  private offset = 0;
  private readonly tokens: Token[] = [];

  constructor(private readonly text: string) {}

  tokenize(): Token[] {
    for (;;) {
      const spaced = this.skipWhitespace();
      const start = this.offset;
      if (this.offset >= this.text.length) {
        this.tokens.push({ kind: 'eof', offset: start, spaced });
        return this.tokens;
      }
      const char = this.text[this.offset]!;
      const previous = this.tokens[this.tokens.length - 1];
      if (char === '(' || char === ')') {
        this.offset += 1;
        this.tokens.push({ kind: char === '(' ? 'lparen' : 'rparen', offset: start, spaced });
      } else if (previous?.kind === 'op') {
        // After an operator comes a value, which may hold characters that elsewhere separate tokens
        // (timestamp>=2026-01-30T22:59:00Z).
        if (char === '"') this.tokens.push({ kind: 'string', value: this.readQuoted(), offset: start, spaced });
        else this.tokens.push(this.readBareValue(start, spaced));
      } else if (this.readOperator(start, spaced)) {
        // pushed
      } else if (char === '-' && this.offset + 1 < this.text.length && !/\s/.test(this.text[this.offset + 1]!)) {
        // A leading "-" negates the following term (`-severity=DEBUG`); inside a word it is just a character.
        this.offset += 1;
        this.tokens.push({ kind: 'minus', offset: start, spaced });
      } else if (char === '"') {
        const value = this.readQuoted();
        if (this.text[this.offset] === '.') this.tokens.push(this.readPath(start, spaced, [value]));
        else this.tokens.push({ kind: 'string', value, offset: start, spaced });
      } else {
        this.tokens.push(this.readPath(start, spaced, []));
      }
    }
  }

  private skipWhitespace(): boolean {
    const start = this.offset;
    while (this.offset < this.text.length && /\s/.test(this.text[this.offset]!)) this.offset += 1;
    return this.offset > start || start === 0;
  }

  private readOperator(start: number, spaced: boolean): boolean {
    const two = this.text.slice(this.offset, this.offset + 2);
    const one = this.text[this.offset]!;
    let operator: ComparisonOperator | undefined;
    if (two === '=~' || two === '!~' || two === '!=' || two === '<=' || two === '>=') operator = two;
    else if (one === '=' || one === ':' || one === '<' || one === '>') operator = one;
    else if (one === '!' || one === '~') {
      throw new FilterSyntaxError(`Unparseable filter: syntax error at ${position(this.text, start)}, token '${one}' (did you mean != or !~?)`);
    }
    if (!operator) return false;
    this.offset += operator.length;
    this.tokens.push({ kind: 'op', operator, offset: start, spaced });
    return true;
  }

  private readQuoted(): string {
    const start = this.offset;
    this.offset += 1;
    let value = '';
    while (this.offset < this.text.length) {
      const char = this.text[this.offset]!;
      if (char === '"') {
        this.offset += 1;
        return value;
      }
      if (char === '\\' && this.offset + 1 < this.text.length) {
        const escaped = this.text[this.offset + 1]!;
        const simple: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r' };
        if (escaped in simple) {
          value += simple[escaped];
        } else if (escaped === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.offset + 2, this.offset + 6))) {
          value += String.fromCharCode(parseInt(this.text.slice(this.offset + 2, this.offset + 6), 16));
          this.offset += 4;
        } else {
          // Unknown escapes stay as written so regular expressions like "MERGE\s+failed" keep their meaning.
          value += `\\${escaped}`;
        }
        this.offset += 2;
        continue;
      }
      value += char;
      this.offset += 1;
    }
    throw new FilterSyntaxError(`Unparseable filter: unterminated string starting at ${position(this.text, start)} (a closing " is missing)`);
  }

  private readBareValue(start: number, spaced: boolean): Token {
    while (this.offset < this.text.length && !VALUE_STOP.has(this.text[this.offset]!)) this.offset += 1;
    const text = this.text.slice(start, this.offset);
    return { kind: 'word', text, segments: [text], offset: start, spaced };
  }

  private readPath(start: number, spaced: boolean, segments: string[]): Token {
    // `segments` holds an already-read leading quoted segment, in which case we stand on a '.'.
    if (segments.length > 0) this.offset += 1;
    for (;;) {
      if (this.text[this.offset] === '"') {
        segments.push(this.readQuoted());
      } else {
        const segmentStart = this.offset;
        while (this.offset < this.text.length && !WORD_STOP.has(this.text[this.offset]!) && this.text[this.offset] !== '.') this.offset += 1;
        segments.push(this.text.slice(segmentStart, this.offset));
      }
      if (this.text[this.offset] === '.') {
        this.offset += 1;
        continue;
      }
      break;
    }
    const text = this.text.slice(start, this.offset);
    if (text === '') {
      throw new FilterSyntaxError(`Unparseable filter: syntax error at ${position(this.text, start)}, token '${this.text[start] ?? ''}'`);
    }
    return { kind: 'word', text, segments, offset: start, spaced };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parser

const KEYWORDS = new Set(['AND', 'OR', 'NOT']);

class Parser {
  private index = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  parse(): FilterNode | null {
    if (this.peek().kind === 'eof') return null;
    const node = this.expression();
    const next = this.peek();
    if (next.kind !== 'eof') throw this.unexpected(next, next.kind === 'rparen' ? 'a ")" without a matching "("' : undefined);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private advance(): Token {
    const token = this.tokens[this.index]!;
    if (token.kind !== 'eof') this.index += 1;
    return token;
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'word' && token.segments.length === 1 && token.text === keyword;
  }

  private tokenText(token: Token): string {
    switch (token.kind) {
      case 'eof':
        return 'end of filter';
      case 'lparen':
        return '(';
      case 'rparen':
        return ')';
      case 'minus':
        return '-';
      case 'op':
        return token.operator;
      case 'string':
        return `"${token.value}"`;
      case 'word':
        return token.text;
    }
  }

  private unexpected(token: Token, hint?: string): FilterSyntaxError {
    const where = position(this.text, token.kind === 'eof' ? this.text.length : token.offset);
    const what = token.kind === 'eof' ? 'unexpected end of filter' : `syntax error at ${where}, token '${this.tokenText(token)}'`;
    const suffix = token.kind === 'eof' ? ` at ${where}` : '';
    return new FilterSyntaxError(`Unparseable filter: ${what}${suffix}${hint ? ` (${hint})` : ''}`);
  }

  private startsTerm(token: Token): boolean {
    if (token.kind === 'string' || token.kind === 'lparen' || token.kind === 'minus') return true;
    if (token.kind === 'word') return !this.isKeyword(token, 'AND') && !this.isKeyword(token, 'OR');
    return false;
  }

  private expression(): FilterNode {
    const children = [this.sequence()];
    while (this.isKeyword(this.peek(), 'AND')) {
      this.advance();
      children.push(this.sequence());
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }

  private sequence(): FilterNode {
    const children = [this.factor()];
    while (this.startsTerm(this.peek())) children.push(this.factor());
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }

  private factor(): FilterNode {
    const children = [this.term()];
    while (this.isKeyword(this.peek(), 'OR')) {
      this.advance();
      children.push(this.term());
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }

  private term(): FilterNode {
    const token = this.peek();
    if (token.kind === 'minus' || this.isKeyword(token, 'NOT')) {
      this.advance();
      return { kind: 'not', child: this.term() };
    }
    return this.primary();
  }

  private primary(): FilterNode {
    const token = this.advance();
    if (token.kind === 'lparen') {
      if (this.peek().kind === 'rparen') throw this.unexpected(this.peek(), 'empty parentheses');
      const inner = this.expression();
      const closing = this.advance();
      if (closing.kind !== 'rparen') throw this.unexpected(closing, 'expected ")"');
      return inner;
    }
    if (token.kind === 'string') {
      if (this.peek().kind === 'op') throw this.unexpected(this.peek(), 'a quoted string cannot be compared; put the field name first');
      return { kind: 'global', text: token.value };
    }
    if (token.kind === 'word') {
      if (this.isKeyword(token, 'AND') || this.isKeyword(token, 'OR')) throw this.unexpected(token, 'expected a comparison before it');
      const next = this.peek();
      if (next.kind === 'lparen' && !next.spaced) return this.functionCall(token);
      if (next.kind === 'op') {
        this.advance();
        return this.comparison(token, next.operator);
      }
      return { kind: 'global', text: token.text };
    }
    throw this.unexpected(token, token.kind === 'eof' ? 'expected a comparison' : undefined);
  }

  private functionCall(name: Token & { kind: 'word' }): FilterNode {
    this.advance(); // (
    const argument = this.advance();
    const closing = this.advance();
    if (name.text === 'log_id') {
      if (argument.kind !== 'string' || closing.kind !== 'rparen') throw this.unexpected(argument.kind !== 'string' ? argument : closing, 'log_id takes one quoted log id');
      return { kind: 'logId', logId: argument.value };
    }
    throw new FilterSyntaxError(
      `Unparseable filter: unsupported function '${name.text}' at ${position(this.text, name.offset)} (the emulator supports log_id("..."))`,
    );
  }

  private comparison(fieldToken: Token & { kind: 'word' }, operator: ComparisonOperator): FilterNode {
    const field = fieldToken.segments;
    const root = field[0]!;
    if (!LOG_ENTRY_FIELDS.has(root) || field.some((segment) => segment === '')) {
      throw new FilterSyntaxError(
        `Unparseable filter: '${fieldToken.text}' at ${position(this.text, fieldToken.offset)} is not a LogEntry field ` +
          `(e.g. resource.type, resource.labels.service_name, severity, textPayload, jsonPayload.message, timestamp)`,
      );
    }
    return this.argument(field, operator);
  }

  /** The right-hand side: one value, or a parenthesized value expression distributed over the comparison. */
  private argument(field: string[], operator: ComparisonOperator): FilterNode {
    const token = this.advance();
    if (token.kind === 'string' || (token.kind === 'word' && !KEYWORDS.has(token.text))) {
      const value = token.kind === 'string' ? token.value : token.text;
      return this.compareNode(field, operator, value, token.offset);
    }
    if (token.kind === 'lparen') {
      const node = this.valueExpression(field, operator);
      const closing = this.advance();
      if (closing.kind !== 'rparen') throw this.unexpected(closing, 'expected ")"');
      return node;
    }
    throw this.unexpected(token, `expected a value after '${operator}'`);
  }

  private valueExpression(field: string[], operator: ComparisonOperator): FilterNode {
    const sequenceOf = (): FilterNode => {
      const children = [factorOf()];
      for (;;) {
        const next = this.peek();
        if (this.isKeyword(next, 'AND')) this.advance();
        else if (!(next.kind === 'string' || next.kind === 'lparen' || (next.kind === 'word' && !this.isKeyword(next, 'OR')))) break;
        children.push(factorOf());
      }
      return children.length === 1 ? children[0]! : { kind: 'and', children };
    };
    const factorOf = (): FilterNode => {
      const children = [termOf()];
      while (this.isKeyword(this.peek(), 'OR')) {
        this.advance();
        children.push(termOf());
      }
      return children.length === 1 ? children[0]! : { kind: 'or', children };
    };
    const termOf = (): FilterNode => {
      const token = this.advance();
      if (this.isKeyword(token, 'NOT')) return { kind: 'not', child: termOf() };
      if (token.kind === 'lparen') {
        const inner = sequenceOf();
        const closing = this.advance();
        if (closing.kind !== 'rparen') throw this.unexpected(closing, 'expected ")"');
        return inner;
      }
      if (token.kind === 'string') return this.compareNode(field, operator, token.value, token.offset);
      if (token.kind === 'word') return this.compareNode(field, operator, token.text, token.offset);
      throw this.unexpected(token, 'expected a value');
    };
    return sequenceOf();
  }

  private compareNode(field: string[], operator: ComparisonOperator, value: string, offset: number): FilterNode {
    // Values whose meaning is fixed by the field are checked now, so a bad filter fails before any entry is read.
    const root = field[0]!;
    if (field.length === 1 && root === 'severity' && operator !== '=~' && operator !== '!~' && !parseSeverity(value)) {
      throw new FilterSyntaxError(
        `Unparseable filter: invalid severity '${value}' at ${position(this.text, offset)} (expected one of ${Object.keys(SEVERITY_VALUES).join(', ')})`,
      );
    }
    if (field.length === 1 && (root === 'timestamp' || root === 'receiveTimestamp') && operator !== ':' && operator !== '=~' && operator !== '!~') {
      if (!parseInstant(value)) {
        throw new FilterSyntaxError(
          `Unparseable filter: invalid timestamp '${value}' at ${position(this.text, offset)} (expected RFC 3339, e.g. "2026-01-30T22:59:00Z")`,
        );
      }
    }
    if (operator === '=~' || operator === '!~') compileRegex(value, this.text, offset);
    return { kind: 'compare', field, operator, value };
  }
}

/** Parses a filter; null means "matches everything" (an empty filter). Throws FilterSyntaxError. */
export function parseFilter(text: string): FilterNode | null {
  if (text.length > 20_000) throw new FilterSyntaxError('Unparseable filter: the filter is longer than 20000 characters');
  return new Parser(text, new Lexer(text).tokenize()).parse();
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluator

/** RE2 flag groups at the start ("(?i)") become JavaScript flags; the rest of RE2's syntax is close enough to JS. */
function compileRegex(pattern: string, filterText?: string, offset?: number): RegExp {
  let flags = '';
  let body = pattern;
  const leadingFlags = /^\(\?([imsU]+)\)/.exec(body);
  if (leadingFlags) {
    for (const flag of leadingFlags[1]!) if (flag !== 'U' && !flags.includes(flag)) flags += flag;
    body = body.slice(leadingFlags[0].length);
  }
  try {
    return new RegExp(body, flags);
  } catch (error) {
    const where = filterText !== undefined && offset !== undefined ? ` at ${position(filterText, offset)}` : '';
    throw new FilterSyntaxError(`Unparseable filter: invalid regular expression '${pattern}'${where}: ${(error as Error).message}`);
  }
}

export type EntryPredicate = (entry: StoredLogEntry) => boolean;

function resolvePath(entry: StoredLogEntry, field: string[]): unknown {
  let current: unknown = entry.json;
  for (const segment of field) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Every primitive reachable from a value (objects and arrays flattened), as the has operator sees them. */
function leaves(value: unknown, out: (string | number | boolean)[] = []): (string | number | boolean)[] {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out.push(value);
  else if (Array.isArray(value)) for (const item of value) leaves(item, out);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) leaves(item, out);
  return out;
}

function compareScalars(actual: string | number | boolean, literal: string): number | undefined {
  if (typeof actual === 'number') {
    const number = Number(literal);
    return Number.isNaN(number) || literal.trim() === '' ? undefined : actual - number;
  }
  const text = typeof actual === 'boolean' ? String(actual) : actual;
  const wanted = typeof actual === 'boolean' ? literal.toLowerCase() : literal;
  return text < wanted ? -1 : text > wanted ? 1 : 0;
}

function orderingHolds(operator: '<' | '<=' | '>' | '>=', difference: number): boolean {
  switch (operator) {
    case '<':
      return difference < 0;
    case '<=':
      return difference <= 0;
    case '>':
      return difference > 0;
    case '>=':
      return difference >= 0;
  }
}

function compileCompare(node: FilterNode & { kind: 'compare' }): EntryPredicate {
  const { field, operator, value } = node;
  if (operator === '!=') return negate(compileCompare({ ...node, operator: '=' }));
  if (operator === '!~') return negate(compileCompare({ ...node, operator: '=~' }));
  const root = field[0]!;

  if (operator === '=~') {
    const regex = compileRegex(value);
    const test = (candidate: unknown): boolean =>
      Array.isArray(candidate)
        ? candidate.some(test)
        : (typeof candidate === 'string' || typeof candidate === 'number' || typeof candidate === 'boolean') && regex.test(String(candidate));
    if (field.length === 1 && root === 'logName') return (entry) => regex.test(entry.json.logName) || regex.test(decodeLogName(entry.json.logName));
    return (entry) => test(resolvePath(entry, field));
  }

  if (field.length === 1 && root === 'severity') {
    // The lexer accepted the value, so it is a valid name or number; severities compare by rank.
    const rank = SEVERITY_VALUES[parseSeverity(value)!];
    if (operator === '=' || operator === ':') return (entry) => entry.severityRank === rank;
    return (entry) => orderingHolds(operator, entry.severityRank - rank);
  }

  if (field.length === 1 && (root === 'timestamp' || root === 'receiveTimestamp')) {
    const read = (entry: StoredLogEntry): PreciseInstant =>
      root === 'timestamp' ? entry.timestamp : parseInstant(entry.json.receiveTimestamp)!;
    if (operator === ':') {
      const needle = value.toLowerCase();
      return (entry) => formatInstant(read(entry)).toLowerCase().includes(needle);
    }
    const instant = parseInstant(value)!;
    if (operator === '=') return (entry) => compareInstants(read(entry), instant) === 0;
    return (entry) => orderingHolds(operator, compareInstants(read(entry), instant));
  }

  if (field.length === 1 && root === 'logName') {
    // Filters name logs URL-encoded (run.googleapis.com%2Fstdout); accept the decoded spelling too.
    const decodedValue = decodeLogName(value);
    if (operator === '=') return (entry) => decodeLogName(entry.json.logName) === decodedValue;
    if (operator === ':') {
      const needle = decodedValue.toLowerCase();
      return (entry) => decodeLogName(entry.json.logName).toLowerCase().includes(needle);
    }
  }

  if (operator === ':') {
    if (value === '*') return (entry) => resolvePath(entry, field) !== undefined;
    const needle = value.toLowerCase();
    return (entry) => leaves(resolvePath(entry, field)).some((leaf) => String(leaf).toLowerCase().includes(needle));
  }

  const matchesScalar = (actual: unknown): boolean => {
    if (Array.isArray(actual)) return actual.some(matchesScalar);
    if (typeof actual !== 'string' && typeof actual !== 'number' && typeof actual !== 'boolean') return false;
    const difference = compareScalars(actual, value);
    if (difference === undefined) return false;
    return operator === '=' ? difference === 0 : orderingHolds(operator, difference);
  };
  return (entry) => matchesScalar(resolvePath(entry, field));
}

function negate(predicate: EntryPredicate): EntryPredicate {
  return (entry) => !predicate(entry);
}

function compileNode(node: FilterNode): EntryPredicate {
  switch (node.kind) {
    case 'and': {
      const children = node.children.map(compileNode);
      return (entry) => children.every((child) => child(entry));
    }
    case 'or': {
      const children = node.children.map(compileNode);
      return (entry) => children.some((child) => child(entry));
    }
    case 'not':
      return negate(compileNode(node.child));
    case 'compare':
      return compileCompare(node);
    case 'logId': {
      const suffix = `/logs/${node.logId}`;
      return (entry) => decodeLogName(entry.json.logName).endsWith(suffix);
    }
    case 'global': {
      const needle = node.text.toLowerCase();
      return (entry) => {
        if (entry.json.textPayload !== undefined) return entry.json.textPayload.toLowerCase().includes(needle);
        if (entry.json.jsonPayload !== undefined) return leaves(entry.json.jsonPayload).some((leaf) => String(leaf).toLowerCase().includes(needle));
        return false;
      };
    }
  }
}

/** A compiled filter: the predicate plus facts the emulator needs about the request (for fault matching). */
export interface CompiledFilter {
  text: string;
  ast: FilterNode | null;
  matches: EntryPredicate;
  /** The Cloud Run service the filter is restricted to (`resource.labels.service_name="x"` under AND only). */
  serviceName: string | undefined;
  /**
   * Inclusive bounds on `timestamp` implied by the filter (from comparisons along AND only), so a store sorted
   * by time can skip to the range instead of testing every entry. The predicate still decides exactly.
   */
  timestampRange: { from: PreciseInstant | undefined; to: PreciseInstant | undefined };
}

export function compileFilter(text: string): CompiledFilter {
  const ast = parseFilter(text);
  return {
    text,
    ast,
    matches: ast ? compileNode(ast) : () => true,
    serviceName: ast ? conjunctiveEquality(ast, ['resource', 'labels', 'service_name']) : undefined,
    timestampRange: ast ? conjunctiveTimestampRange(ast) : { from: undefined, to: undefined },
  };
}

function conjunctiveTimestampRange(node: FilterNode): CompiledFilter['timestampRange'] {
  const range: CompiledFilter['timestampRange'] = { from: undefined, to: undefined };
  const visit = (current: FilterNode): void => {
    if (current.kind === 'and') {
      current.children.forEach(visit);
      return;
    }
    if (current.kind !== 'compare' || current.field.length !== 1 || current.field[0] !== 'timestamp') return;
    const instant = parseInstant(current.value);
    if (!instant) return;
    const { operator } = current;
    if ((operator === '>=' || operator === '>' || operator === '=') && (!range.from || compareInstants(instant, range.from) > 0)) range.from = instant;
    if ((operator === '<=' || operator === '<' || operator === '=') && (!range.to || compareInstants(instant, range.to) < 0)) range.to = instant;
  };
  visit(node);
  return range;
}

/** The value a field must equal for the filter to match (found only along AND, where it is a real restriction). */
export function conjunctiveEquality(node: FilterNode, field: string[]): string | undefined {
  if (node.kind === 'compare') {
    const sameField = node.field.length === field.length && node.field.every((segment, index) => segment === field[index]);
    return sameField && (node.operator === '=' || node.operator === ':') ? node.value : undefined;
  }
  if (node.kind === 'and') {
    for (const child of node.children) {
      const found = conjunctiveEquality(child, field);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
