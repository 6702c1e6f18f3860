// What the confirmation before a deploy says. Pure: the extension shows it in a modal message
// (`title` as the message, `detail` as its detail, `confirmLabel` as the button).
//
// API (no vscode import, no I/O; prepare.ts gathers the inputs from git):
//
//   needsConfirmation(dirty, skipSetting)       → boolean: a dirty deploy is always confirmed
//   buildConfirmation(input)                    → DeployConfirmation for one service
//   buildBulkConfirmation(plan, concurrency, dirtyServices?) → { title, detail, confirmLabel } for Deploy All Stale
//   MAX_LISTED_COMMITS                          how many undeployed commits are listed before "and N more"
//   listCommits(commits, max?)                  → `1a2b3c4d subject` lines, capped with "and N more"
import { oneLine } from '../text/messageText';
import type { CommitInfo } from '../model';
import { short } from '../verdicts/verdict';
import { deployWaves, type DeployPlan } from './plan';

export const MAX_LISTED_COMMITS = 10;
const MAX_LISTED_FILES = 5;

/**
 * Whether to ask before deploying. The setting skips only clean deploys: with uncommitted changes
 * in the service's paths the built image may not be the commit its label will claim, and that is
 * exactly the lie this product exists to catch, so the user always sees the warning.
 */
export function needsConfirmation(dirty: boolean, skipSetting: boolean): boolean {
  return dirty || !skipSetting;
}

export interface ConfirmationInput {
  service: string;
  /** HEAD: the commit the deploy will claim. */
  commit: CommitInfo;
  /** Commits touching the service's paths that this deploy ships, newest first; null when the deployed commit is not known. */
  undeployed: CommitInfo[] | null;
  /** Uncommitted or untracked files inside the service's paths (repository-relative). */
  dirtyFiles: string[];
  /** The deploy command's name when it is not the default one (e.g. "hot"). */
  commandName?: string | null;
  maxListed?: number;
}

export interface DeployConfirmation {
  /** One line, e.g. `Deploy prediction-coordinator at 1a2b3c4d "fix merge"?` */
  title: string;
  service: string;
  commit: string;
  shortCommit: string;
  subject: string;
  /** `1a2b3c4d subject` per listed commit, then `and N more` when capped; empty when nothing is listed. */
  undeployedLines: string[];
  /** The dirty-paths warning, or null when the paths are clean. */
  warning: string | null;
  /** The full body: what ships, then the warning. Lines separated by "\n". */
  detail: string;
  /** The button: "Deploy", or "Deploy Anyway" when there is a warning. */
  confirmLabel: string;
  dirty: boolean;
}

export function buildConfirmation(input: ConfirmationInput): DeployConfirmation {
  const shortCommit = short(input.commit.sha);
  const subject = oneLine(input.commit.subject);
  const via = input.commandName ? ` with "${oneLine(input.commandName)}"` : '';
  const title = `Deploy ${input.service} at ${shortCommit}${subject ? ` "${subject}"` : ''}${via}?`;
  const undeployedLines = input.undeployed ? listCommits(input.undeployed, input.maxListed ?? MAX_LISTED_COMMITS) : [];
  const body: string[] = [];
  if (input.undeployed === null) {
    body.push(`The commit ${input.service} serves now is not known here, so the commits this deploy ships cannot be listed.`);
  } else if (input.undeployed.length === 0) {
    body.push(`No undeployed commit touches ${input.service}'s paths; this redeploys ${shortCommit}.`);
  } else {
    const n = input.undeployed.length;
    body.push(`${n} undeployed commit${n === 1 ? '' : 's'} touching ${input.service}'s paths:`, ...undeployedLines.map((l) => `  ${l}`));
  }
  const warning = input.dirtyFiles.length > 0 ? dirtyWarning(input.service, shortCommit, input.dirtyFiles) : null;
  if (warning) body.push('', warning);
  return {
    title,
    service: input.service,
    commit: input.commit.sha,
    shortCommit,
    subject,
    undeployedLines,
    warning,
    detail: body.join('\n'),
    confirmLabel: warning ? 'Deploy Anyway' : 'Deploy',
    dirty: input.dirtyFiles.length > 0,
  };
}

function dirtyWarning(service: string, shortCommit: string, files: string[]): string {
  const shown = files.slice(0, MAX_LISTED_FILES).join(', ');
  const more = files.length > MAX_LISTED_FILES ? ` and ${files.length - MAX_LISTED_FILES} more` : '';
  return (
    `Warning: ${files.length} uncommitted change${files.length === 1 ? '' : 's'} in ${service}'s paths (${shown}${more}). ` +
    `If the deploy script builds from the working tree, the image would not match the commit the label claims (${shortCommit}).`
  );
}

/** `1a2b3c4d subject` per commit (subjects on one line), the first `max`, then `and N more`. */
export function listCommits(commits: readonly CommitInfo[], max: number = MAX_LISTED_COMMITS): string[] {
  const cap = Math.max(1, Math.floor(max));
  // "and 1 more" saves no space over the commit itself.
  const shown = commits.length <= cap + 1 ? commits : commits.slice(0, cap);
  const lines = shown.map((c) => `${short(c.sha)} ${oneLine(c.subject)}`);
  if (shown.length < commits.length) lines.push(`and ${commits.length - shown.length} more`);
  return lines;
}

export interface BulkConfirmation {
  title: string;
  detail: string;
  confirmLabel: string;
}

/** The confirmation for Deploy All Stale: what deploys in which order, and what does not. */
export function buildBulkConfirmation(plan: DeployPlan, concurrency: number, dirtyServices: ReadonlySet<string> = new Set()): BulkConfirmation {
  const n = plan.steps.length;
  const title = n === 0 ? 'Nothing to deploy: no service is stale.' : `Deploy ${n} service${n === 1 ? '' : 's'}, upstream first?`;
  const lines: string[] = [];
  const waves = deployWaves(plan);
  const byName = new Map(plan.steps.map((s) => [s.service.name, s]));
  const describe = (name: string): string => {
    const step = byName.get(name)!;
    const behind = step.verdict.commitsBehind ? `, ${step.verdict.commitsBehind} behind` : '';
    const waits = step.after.length > 0 ? ` (after ${step.after.join(', ')})` : '';
    const dirty = dirtyServices.has(name) ? ' — uncommitted changes in its paths' : '';
    return `${name}: ${step.verdict.status}${behind}${waits}${dirty}`;
  };
  if (concurrency <= 1 || waves.length === n) {
    plan.steps.forEach((s, i) => lines.push(`${i + 1}. ${describe(s.service.name)}`));
  } else {
    waves.forEach((wave, i) => lines.push(`Wave ${i + 1}:`, ...wave.map((name) => `  ${describe(name)}`)));
  }
  const left = plan.notDeployed.filter((s) => s.status !== 'up-to-date');
  if (left.length > 0) lines.push('', 'Not deployed:', ...left.map((s) => `  ${s.name}: ${s.reason}`));
  if (dirtyServices.size > 0) {
    lines.push('', 'Warning: services with uncommitted changes would be built from files that do not match the commit their label claims.');
  }
  return { title, detail: lines.join('\n'), confirmLabel: dirtyServices.size > 0 ? 'Deploy Anyway' : 'Deploy' };
}

