// Markdown tooltips for tree items. Everything that comes from Cloud Run or git (revision names,
// labels, images, condition messages, commit subjects and authors) is untrusted: it is escaped so
// it renders as text and can never become a link, an image or markup. No `vscode` import: the
// result goes into a MarkdownString whose `isTrusted` stays false.
import type { CommitInfo, ExecutionVerdict, RevisionFacts, ServiceVerdict, ServingVerdict, UnitKind } from '../../core/model';
import { ageSpan, formatDuration } from '../../core/verdicts/format';
import { short } from '../../core/verdicts/verdict';
import { formatAge, statusLabel, type DisplayStatus } from '../views/presentation';
import { KIND_LABELS, ranText } from '../views/unitPresentation';

/** Backslash-escapes every ASCII punctuation character (CommonMark allows it for all of them). */
export function escapeMarkdown(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trimStart().replace(/[!-/:-@[-`{-~]/g, '\\$&'))
    .join('  \n');
}

/** ISO instant to `2026-11-29 10:42 UTC`: unambiguous for a team spread over time zones. */
export function formatTimestamp(iso: string | null): string | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function when(iso: string | null, now: Date): string | null {
  const stamp = formatTimestamp(iso);
  if (!stamp) return null;
  const age = formatAge(iso, now);
  return age ? `${stamp} (${age})` : stamp;
}

function field(name: string, value: string | null): string | null {
  return value === null ? null : `**${name}:** ${value}`;
}

function servingLine(s: ServingVerdict): string {
  const commit = s.commit ? short(s.commit) : s.commitLabel ? `label "${s.commitLabel}"` : 'no commit label';
  const behind = s.commitsBehind ? ` (${s.commitsBehind} behind)` : '';
  return `- ${escapeMarkdown(s.revision)}: ${s.percent}% · ${escapeMarkdown(commit)} · ${statusLabel(s.status)}${behind}`;
}

export interface RefreshFailureNote {
  message: string;
  at: Date;
  /** When the data shown was checked. */
  dataCheckedAt: string | null;
}

export interface ServiceTooltipInput {
  name: string;
  /** The configured kind; a function's or a job's tooltip says which it is. */
  kind?: UnitKind;
  project: string;
  region: string;
  paths: readonly string[];
  status: DisplayStatus;
  verdict: ServiceVerdict | undefined;
  checkedAt: string | null;
  failure: RefreshFailureNote | undefined;
  /** What the check could not find out (CheckResult.warnings), e.g. why `dirty` is unknown. */
  warnings?: readonly string[];
  now: Date;
}

export function serviceTooltipMarkdown(input: ServiceTooltipInput): string {
  const v = input.verdict;
  const kind = input.kind && input.kind !== 'service' ? ` · ${KIND_LABELS[input.kind]}` : '';
  const blocks: string[] = [`**${escapeMarkdown(input.name)}**${kind} · ${statusLabel(input.status)}`];
  if (v?.message) blocks.push(escapeMarkdown(v.message));
  if (v?.kind === 'job') blocks.push(v.lastExecution ? `**Last execution:**  \n${executionFacts(v.lastExecution, input.now).join('  \n')}` : '**Last execution:** none: the job has not run.');

  if (v && v.serving.length > 0) blocks.push(['**Serving traffic:**', ...v.serving.map(servingLine)].join('\n'));

  const facts: (string | null)[] = [];
  if (v) {
    const commit = v.deployedCommit ?? v.commitLabel;
    if (commit) {
      const subject = v.deployedSubject ? ` ${escapeMarkdown(v.deployedSubject)}` : '';
      facts.push(field('Deployed commit', `${escapeMarkdown(v.deployedCommit ? short(commit) : commit)}${subject}`));
    }
    facts.push(field('Deployed', when(v.deployedAt, input.now)));
    const images = [...new Set(v.serving.map((s) => s.image).filter((i): i is string => i !== null))];
    if (images.length > 0) facts.push(field(images.length === 1 ? 'Image' : 'Images', images.map(escapeMarkdown).join(', ')));
    facts.push(field('Latest created revision', v.latestCreatedRevision ? escapeMarkdown(v.latestCreatedRevision) : null));
    if (v.function) {
      facts.push(field('Function state', escapeMarkdown(v.function.state)));
      facts.push(field('Runs on', v.function.service ? `Cloud Run service ${escapeMarkdown(v.function.service)}` : null));
      if (v.function.commitFromFunctionLabel) facts.push("**Commit from the function's own label:** its serving revision has none (a weaker signal).");
    }
    if (v.commitsBehind !== null && v.commitsBehind > 0) {
      const age = v.driftSince ? ageSpan(v.driftSince, input.now, 'long') : '';
      facts.push(field('Undeployed commits', `${v.commitsBehind}${age ? `, the oldest ${age} old (${formatTimestamp(v.driftSince)})` : ''}`));
    }
  }
  const missing = new Set(v?.missingPaths ?? []);
  const pathText = (p: string): string => `${escapeMarkdown(p)}${missing.has(p) ? ' **(nothing at HEAD)**' : ''}`;
  facts.push(field('Paths', input.paths.length > 0 ? input.paths.map(pathText).join(', ') : 'the whole repository'));
  facts.push(field('Project', `${escapeMarkdown(input.project)} · ${escapeMarkdown(input.region)}`));
  if (v?.dirty) facts.push('**Uncommitted changes** inside these paths.');
  else if (v?.dirty === null) facts.push('**Uncommitted changes:** unknown, git could not tell.');
  const present = facts.filter((f): f is string => f !== null);
  if (present.length > 0) blocks.push(present.join('  \n'));

  if (input.warnings && input.warnings.length > 0) blocks.push(input.warnings.map((w) => `**Warning:** ${escapeMarkdown(w)}`).join('  \n'));

  const checked = when(input.checkedAt, input.now);
  if (checked) blocks.push(`_Checked ${checked}_`);
  if (input.failure) {
    const shown = formatTimestamp(input.failure.dataCheckedAt);
    blocks.push(
      `**Last refresh failed** at ${formatTimestamp(input.failure.at.toISOString())}: ${escapeMarkdown(input.failure.message)}` +
        (shown ? `  \nShowing data from ${shown}.` : ''),
    );
  }
  return blocks.join('\n\n');
}

export function commitTooltipMarkdown(commit: CommitInfo, now: Date): string {
  const lines = [
    `**${escapeMarkdown(commit.subject)}**`,
    `${escapeMarkdown(commit.sha)}  \n${escapeMarkdown(commit.author)} · ${when(commit.date, now) ?? escapeMarkdown(commit.date)}`,
    'Not deployed. Open to see its changes inside this service\'s paths.',
  ];
  return lines.join('\n\n');
}

export function revisionTooltipMarkdown(serving: ServingVerdict, now: Date): string {
  const commit = serving.commit ?? serving.commitLabel;
  const facts = [
    field('Traffic', `${serving.percent}%`),
    field('Commit', commit ? escapeMarkdown(commit) : 'no commit label'),
    field('Verdict', statusLabel(serving.status) + (serving.commitsBehind ? ` (${serving.commitsBehind} behind)` : '')),
    field('Created', when(serving.createTime, now)),
    field('Image', serving.image ? escapeMarkdown(serving.image) : null),
  ].filter((f): f is string => f !== null);
  return [`**${escapeMarkdown(serving.revision)}**`, facts.join('  \n')].join('\n\n');
}

export function failedRevisionTooltipMarkdown(revision: RevisionFacts, now: Date): string {
  const facts = [
    field('Created', when(revision.createTime, now)),
    field('Image', revision.image ? escapeMarkdown(revision.image) : null),
  ].filter((f): f is string => f !== null);
  return [
    `**${escapeMarkdown(revision.name)}** · deploy failed`,
    escapeMarkdown(revision.readyMessage ?? 'The revision is not ready; Cloud Run gave no reason.'),
    facts.join('  \n'),
  ]
    .filter((b) => b.length > 0)
    .join('\n\n');
}

/** What an execution did, one fact a line: its name and status, tasks, when, how long, the commit it ran, why it failed. */
function executionFacts(e: ExecutionVerdict, now: Date): string[] {
  const t = e.tasks;
  const tasks = `${t.succeeded} succeeded, ${t.failed} failed, ${t.running} running of ${t.total}`;
  return [
    `${escapeMarkdown(e.name)} · ${e.status}`,
    field('Tasks', tasks),
    field('Started', when(e.startTime ?? e.createTime, now)),
    field('Completed', when(e.completionTime, now)),
    field('Took', e.durationMs === null ? null : formatDuration(e.durationMs)),
    field('Code', escapeMarkdown(ranText(e))),
    field('Failure', e.message ? escapeMarkdown(e.message) : null),
  ].filter((f): f is string => f !== null);
}

export function executionTooltipMarkdown(execution: ExecutionVerdict, now: Date): string {
  const args = execution.args.length > 0 ? `**Arguments:** ${escapeMarkdown(execution.args.join(' '))}` : null;
  return [executionFacts(execution, now).join('  \n'), args, 'Open Logs shows its entries.'].filter((b): b is string => b !== null).join('\n\n');
}
