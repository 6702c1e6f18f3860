// What routing all of a service's traffic to one of its revisions would do, and the confirmation
// that says so (one text for the CLI and the editor). Pure: prepare.ts gathers the facts.
//
// API (no vscode import, no I/O):
//
//   stoppingCommits(ranges, paths)      → the commits touching the paths that the serving revisions have
//                                         and the target's commit lacks, newest first, each once
//   rollbackConfirmation(plan)          → { title, detail, confirmLabel }
//   describeRevisionCommit(revision)    → `1a2b3c4d "subject"` (or the raw label, quoted)
import type { RangeFacts } from '../git/repository';
import type { CommitInfo } from '../model';
import { describeTraffic, type TrafficTarget } from '../verdicts/traffic';
import { commitsTouching, short } from '../verdicts/verdict';
import { listCommits } from '../deploy/confirm';
import { oneLine } from '../text/messageText';

/** A revision with the commit its label names. */
export interface RevisionCommit {
  revision: string;
  /** The raw label value, or null when the revision has none (API text: shown quoted, never run). */
  commitLabel: string | null;
  /** The full local SHA the label resolves to, or null. */
  commit: string | null;
  /** The commit's subject when it is local. */
  subject: string | null;
}

export interface RollbackPlan {
  service: string;
  /** The revision that would serve all traffic. */
  target: RevisionCommit;
  /** What serves now, with each revision's commit. */
  serving: (RevisionCommit & { percent: number })[];
  /** The traffic as configured now: what Undo sets again. */
  traffic: TrafficTarget[];
  /** Commits touching the service's paths that would stop being served, newest first; null when they cannot be listed. */
  stopping: CommitInfo[] | null;
  /** Why the commits cannot be (all) listed, one sentence each. */
  unknown: string[];
  /** The target's commit is not in the history of a serving commit: `stopping` holds what only the serving side has. */
  diverged: boolean;
  /** Why it cannot be done (the revision does not exist or is not ready), or null. */
  blocked: string | null;
  /** The target already serves all traffic: nothing to do. */
  alreadyServing: boolean;
}

/**
 * Commits in the ranges (target..serving, one per serving commit) touching `paths`, each once,
 * newest first (by author date; equal dates keep the ranges' order). Each date is parsed once: a
 * comparison parsing both of its dates made sorting 15,000 commits take 100-130 ms.
 */
export function stoppingCommits(ranges: readonly RangeFacts[], paths: string[]): CommitInfo[] {
  const bySha = new Map<string, CommitInfo>();
  for (const range of ranges) for (const commit of commitsTouching(range, paths)) bySha.set(commit.sha, commit);
  const commits = [...bySha.values()];
  const times = commits.map((commit) => Date.parse(commit.date));
  return commits
    .map((_, i) => i)
    .sort((a, b) => times[b]! - times[a]!)
    .map((i) => commits[i]!);
}

/** `1a2b3c4d "subject"`, the raw label quoted when it names no local commit, or "no commit label". */
export function describeRevisionCommit(r: RevisionCommit): string {
  if (r.commit) return `${short(r.commit)}${r.subject ? ` "${oneLine(r.subject)}"` : ''}`;
  // Whitespace collapsed, every other control character escaped by JSON: the label shown as it is, on one line.
  if (r.commitLabel !== null) return `label ${JSON.stringify(r.commitLabel.replace(/\s+/g, ' ').trim())}, not a commit here`;
  return 'no commit label';
}

export interface RollbackConfirmation {
  title: string;
  detail: string;
  confirmLabel: string;
}

export function rollbackConfirmation(plan: RollbackPlan): RollbackConfirmation {
  const name = plan.service;
  const title = `Route all of ${name}'s traffic to ${plan.target.revision} (${describeRevisionCommit(plan.target)})?`;
  const lines: string[] = [];
  const serving = plan.serving.filter((s) => s.percent > 0);
  lines.push(`Now serving: ${serving.length === 0 ? 'no revision' : serving.map((s) => `${s.percent}% ${s.revision} (${describeRevisionCommit(s)})`).join(', ')}.`);
  if (plan.stopping === null) {
    lines.push(`The commits that would stop being served cannot be listed.`);
  } else if (plan.stopping.length === 0) {
    lines.push(plan.unknown.length > 0 ? `No other commit touching ${name}'s paths would stop being served.` : `No commit touching ${name}'s paths would stop being served.`);
  } else {
    const n = plan.stopping.length;
    lines.push(`${n} commit${n === 1 ? '' : 's'} touching ${name}'s paths would stop being served:`, ...listCommits(plan.stopping).map((l) => `  ${l}`));
  }
  for (const why of plan.unknown) lines.push(why);
  if (plan.diverged) lines.push(`${plan.target.revision}'s commit is not in the history of what serves now (another branch?): listed are the commits only the serving revisions have.`);
  lines.push('', `Afterwards ${plan.target.revision} serves all traffic until traffic is routed again; Undo sets it back to: ${describeTraffic(plan.traffic)}.`);
  return { title, detail: lines.join('\n'), confirmLabel: 'Route All Traffic' };
}
