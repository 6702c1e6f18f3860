// GROUP BY ROLLUP(a, b, …) for SQLite, which has no grouping sets: the query is run once per level of
// the rollup, joined with UNION ALL. The level grouping by a..k selects NULL for the columns after k, as
// BigQuery does in its rolled-up rows; the last level groups by nothing (the grand total). HAVING
// applies to every level; ORDER BY and LIMIT to the whole.
//
// Supported as BigQuery's scoreboards use it: the outermost SELECT's whole GROUP BY, each rolled-up
// expression selected as itself (or not at all). Anything else fails with a clear invalidQuery.
import { invalidQuery } from './errors';
import type { Translator } from './dialect';
import { mainSelectList } from './infer';
import { describeLocation, findClosing, isPunct, isWord, splitTopLevel, topLevelIndices, type Token } from './tokens';

const SELECT_LIST_END = new Set(['FROM', 'WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'UNION', 'EXCEPT', 'INTERSECT', 'WINDOW', 'QUALIFY']);
const AFTER_GROUP_BY = new Set(['HAVING', 'ORDER', 'LIMIT']);

/** The SQLite text of a SELECT whose GROUP BY is a ROLLUP, or undefined when it has none. */
export function translateRollup(sql: string, tokens: readonly Token[], translator: Translator): string | undefined {
  const rollupAt = tokens.findIndex((token, i) => isWord(token, 'ROLLUP') && isPunct(tokens[i + 1], '('));
  if (rollupAt < 0) return undefined;
  const fail = (message: string, at: number): never => {
    throw invalidQuery(`${message} at ${describeLocation(sql, tokens[at]?.offset ?? sql.length)}`);
  };
  const unsupported = 'The emulator supports ROLLUP only as the outermost query\'s whole GROUP BY, e.g. GROUP BY ROLLUP(game_date)';
  const top = topLevelIndices(tokens, 0, tokens.length);
  const topSet = new Set(top);
  const group = rollupAt - 2;
  if (!topSet.has(rollupAt) || !isWord(tokens[group], 'GROUP') || !isWord(tokens[group + 1], 'BY')) fail(unsupported, rollupAt);
  const close = findClosing(tokens, rollupAt + 1, tokens.length);
  if (close < 0) fail('Syntax error: Unexpected end of script (unbalanced parentheses)', rollupAt + 1);
  const rest = top.filter((i) => i > close);
  const tailStart = rest.find((i) => AFTER_GROUP_BY.has(tokens[i]!.kind === 'word' ? tokens[i]!.value.toUpperCase() : '')) ?? tokens.length;
  if (rest[0] !== undefined && rest[0] !== tailStart) fail(unsupported, rest[0]);
  const compound = top.find((i) => isWord(tokens[i], 'UNION', 'EXCEPT', 'INTERSECT'));
  if (compound !== undefined) fail('The emulator does not support ROLLUP in a query with UNION, EXCEPT or INTERSECT', compound);
  const positional = tokens.findIndex((token) => token.kind === 'positional');
  if (positional >= 0) fail('The emulator supports ROLLUP only with named query parameters (@name)', positional);

  // The outermost SELECT (after any WITH clause) and its list.
  const select = top.find((i) => isWord(tokens[i], 'SELECT'))!;
  const listStart = isWord(tokens[select + 1], 'DISTINCT', 'ALL') ? select + 2 : select + 1;
  const listEnd = top.find((i) => i > listStart && tokens[i]!.kind === 'word' && SELECT_LIST_END.has(tokens[i]!.value.toUpperCase())) ?? group;
  const itemRanges = splitTopLevel(tokens, listStart, listEnd);
  const items = mainSelectList(tokens) ?? [];
  if (items.length !== itemRanges.length || items.some((item) => item.star)) fail('The emulator supports ROLLUP only with the selected columns listed (no *)', listStart);

  const levels = splitTopLevel(tokens, rollupAt + 2, close);
  const rolled = levels.map(([from, to]) => ({ from, to, name: nameOf(tokens, from, to) }));
  // Which rolled-up expression each select item is (or -1); an item that only mentions one cannot be emulated.
  const itemLevel = items.map((item) => {
    const level = rolled.findIndex((r) => sameExpression(tokens, item.from, item.to, r.from, r.to));
    if (level < 0) {
      for (const r of rolled) {
        if (r.name === undefined) continue;
        const mention = tokens.slice(item.from, item.to).findIndex((t) => (t.kind === 'word' || t.kind === 'quoted') && t.value.toLowerCase() === r.name);
        if (mention >= 0) fail(`The emulator's ROLLUP needs ${r.name} selected as itself; it cannot compute this expression for the rolled-up rows`, item.from + mention);
      }
    }
    return level;
  });

  const head = translator.translateRange(0, select);
  const keyword = tokens.slice(select, listStart).map((t) => t.value.toUpperCase()).join(' ');
  const from = translator.translateRange(listEnd, group);
  const having = translator.translateRange(close + 1, tailStart);
  const tail = translator.translateRange(tailStart, tokens.length);
  const branches: string[] = [];
  for (let kept = rolled.length; kept >= 0; kept--) {
    const list = itemRanges.map(([a, b], i) => (itemLevel[i]! >= kept ? 'NULL' : translator.translateRange(a, b))).join(', ');
    const groupBy = kept > 0 ? `GROUP BY ${rolled.slice(0, kept).map((r) => translator.translateRange(r.from, r.to)).join(', ')}` : '';
    branches.push(`${keyword} ${list} ${from} ${groupBy} ${having}`);
  }
  return `${head} ${branches.join(' UNION ALL ')} ${tail}`;
}

/** The column a plain (possibly qualified) name refers to, lower-cased; undefined for other expressions. */
function nameOf(tokens: readonly Token[], from: number, to: number): string | undefined {
  for (let i = from; i < to; i++) {
    const named = tokens[i]!.kind === 'word' || tokens[i]!.kind === 'quoted';
    if ((i - from) % 2 === 0 ? !named : !isPunct(tokens[i], '.')) return undefined;
  }
  return (to - from) % 2 === 1 ? tokens[to - 1]!.value.split('.').pop()!.toLowerCase() : undefined;
}

function sameExpression(tokens: readonly Token[], aFrom: number, aTo: number, bFrom: number, bTo: number): boolean {
  const aName = nameOf(tokens, aFrom, aTo);
  if (aName !== undefined) return aName === nameOf(tokens, bFrom, bTo);
  if (aTo - aFrom !== bTo - bFrom) return false;
  for (let i = 0; i < aTo - aFrom; i++) {
    const a = tokens[aFrom + i]!;
    const b = tokens[bFrom + i]!;
    if (a.kind !== b.kind || (a.kind === 'word' ? a.value.toUpperCase() !== b.value.toUpperCase() : a.value !== b.value)) return false;
  }
  return true;
}
