// How a "where is this commit live?" answer reads: the CLI's lines, Markdown for a handoff note and
// the one-line status for the editor's current line. No vscode import: the extension reuses these.
import { ageSpan } from '../verdicts/format';
import { short } from '../verdicts/verdict';
import type { UnitWhere, WhereAnswer, WhereState } from './live';

export const WHERE_SYMBOLS: Record<WhereState, string> = {
  live: '✓',
  'partly-live': '◐',
  'not-yet-live': '✗',
  'not-on-deployed-branch': '⑂',
  unknown: '?',
  'not-affected': '·',
};

/** `live since 2h`, `partly live (10%)`, `not yet live (deployed 9631d4f0, 3 days behind)`: a unit's answer in a few words. */
export function unitWhereSummary(u: UnitWhere, now: Date): string {
  switch (u.state) {
    case 'live':
      return u.since ? `live since ${ageSpan(u.since, now, 'short')}` : 'live';
    case 'partly-live':
      return `partly live (${u.percent}% of traffic)`;
    case 'not-yet-live': {
      const parts = [u.deployedCommit ? `deployed ${short(u.deployedCommit)}` : null, u.driftSince ? `${ageSpan(u.driftSince, now, 'long')} behind` : null].filter(Boolean);
      return parts.length > 0 ? `not yet live (${parts.join(', ')})` : 'not yet live';
    }
    case 'not-on-deployed-branch':
      return u.deployedCommit ? `not on the deployed branch (deployed ${short(u.deployedCommit)})` : 'not on the deployed branch';
    case 'unknown':
      return u.reason ? `unknown (${u.reason})` : 'unknown';
    case 'not-affected':
      return 'not affected';
  }
}

function affected(answer: WhereAnswer): UnitWhere[] {
  return answer.units.filter((u) => u.state !== 'not-affected');
}

function commitTitle(answer: WhereAnswer): string {
  const c = answer.commit;
  return `${short(c.sha)} ${c.subject} (${c.author}, ${c.date.slice(0, 10)})`;
}

/** The CLI's text: the commit, one line per unit it touches (with the reason below), then the units it does not touch. */
export function whereLines(answer: WhereAnswer, now: Date): string[] {
  const touched = affected(answer);
  const lines = [commitTitle(answer)];
  if (touched.length === 0) {
    lines.push(`It touches none of the configured units' paths (${answer.units.length} unit${answer.units.length === 1 ? '' : 's'}).`);
    return lines;
  }
  const width = Math.max(...touched.map((u) => u.name.length));
  for (const u of touched) {
    lines.push(`${WHERE_SYMBOLS[u.state]} ${u.name.padEnd(width)}  ${unitWhereSummary(u, now)}`);
    lines.push(`    ${u.message}`);
  }
  const others = answer.units.filter((u) => u.state === 'not-affected').map((u) => u.name);
  if (others.length > 0) lines.push(`Not affected: ${others.join(', ')}`);
  return lines;
}

/** Backslash-escapes Markdown punctuation, so names, subjects and messages stay text. */
function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}

/** A Markdown note for a handoff: the commit, a table of the units it touches, the ones it does not. */
export function whereMarkdown(answer: WhereAnswer, now: Date): string {
  const touched = affected(answer);
  const c = answer.commit;
  const lines = [`**Where is \`${short(c.sha)}\` live?** ${md(c.subject)} (${md(c.author)}, ${c.date.slice(0, 10)})`, ''];
  if (touched.length === 0) {
    lines.push("It touches none of the configured units' paths.");
  } else {
    lines.push('| Unit | Answer | Details |', '| --- | --- | --- |');
    for (const u of touched) lines.push(`| ${md(u.name)} | ${md(unitWhereSummary(u, now))} | ${md(u.message)} |`);
  }
  const others = answer.units.filter((u) => u.state === 'not-affected').map((u) => md(u.name));
  if (others.length > 0) lines.push('', `Not affected: ${others.join(', ')}`);
  lines.push('', `_Checked ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC._`);
  return lines.join('\n');
}

/**
 * The editor's line: `live in prediction-coordinator since 2h`, `not yet live in
 * prediction-coordinator (deployed 9631d4f0, 3 days behind)`; the worst answer first, then how many
 * more units it touches. Null when it touches none.
 */
export function whereStatusText(answer: WhereAnswer, now: Date): string | null {
  const touched = affected(answer);
  if (touched.length === 0) return null;
  const first = touched[0]!;
  const words = unitWhereSummary(first, now);
  const space = words.indexOf(' (');
  const sinceAt = words.indexOf(' since ');
  const cut = sinceAt >= 0 ? sinceAt : space;
  const sentence = cut >= 0 ? `${words.slice(0, cut)} in ${first.name}${words.slice(cut)}` : `${words} in ${first.name}`;
  const more = touched.length - 1;
  if (more === 0) return sentence;
  const sameState = touched.every((u) => u.state === first.state);
  return `${sentence} ${sameState ? `and ${more} more` : `· +${more} more`}`;
}
