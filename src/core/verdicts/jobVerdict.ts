// Pure verdict logic for Cloud Run jobs. A job serves no traffic: what its next execution will run is
// its template, so the template's commit label decides, with the same verdicts as a service's serving
// revision. Beside the verdict: its executions, each with the commit it ran (an execution keeps the
// labels its template had when it started) and how far that commit is behind HEAD for the job's paths.
import type { ServiceConfig } from '../config';
import type { ExecutionFacts, ExecutionVerdict, JobFacts, JobLookup, ServiceVerdict, VerdictStatus } from '../model';
import { ownValue } from '../platform/own';
import { commitsTouching, driftSince, isGitFailure, judgeCommitLabel, short, undecidedVerdict, withMissingPaths, worstStatus, type GitFactsForVerdict } from './verdict';

export function computeJobVerdict(job: ServiceConfig, commitLabel: string, lookup: JobLookup, git: GitFactsForVerdict): ServiceVerdict {
  return withMissingPaths(job, judgeJob(job, commitLabel, lookup, git), git);
}

function judgeJob(job: ServiceConfig, commitLabel: string, lookup: JobLookup, git: GitFactsForVerdict): ServiceVerdict {
  const base: ServiceVerdict = { ...undecidedVerdict(job, git), lastExecution: null, executions: [] };
  if (lookup.kind === 'not-found') {
    return { ...base, status: 'not-found', message: `${job.name} is configured as a Cloud Run job but does not exist (${job.project}/${job.region}).` };
  }
  if (lookup.kind === 'error') return { ...base, status: 'error', message: lookup.message };

  const facts = lookup.facts;
  const template = judgeCommitLabel(
    { name: `${job.name}'s template`, verb: 'carries', itself: 'the template', unit: 'job', labels: facts.templateLabels, createTime: facts.updateTime },
    commitLabel,
    job.paths,
    git,
  );
  const statuses: VerdictStatus[] = [template.status];
  if (facts.failed) statuses.push('deploy-failed');
  if (facts.reconciling) statuses.push('deploying');
  const status = worstStatus(statuses);
  let message: string;
  if (status === 'deploy-failed') message = `The last deploy of ${job.name} failed: ${withoutFinalStop(facts.failureMessage ?? 'the job is not ready')}. ${template.explanation}`;
  else if (status === 'deploying') message = `A deploy of ${job.name} is in progress; no verdict until it settles.`;
  else message = template.explanation;
  const executions = facts.executions.map((e) => judgeExecution(e, commitLabel, job.paths, git));
  const last = executions[0] ?? null;
  const ranOlder = last && last.commitsBehind !== null && template.commitsBehind !== null && last.commitsBehind > template.commitsBehind;
  if (ranOlder && status !== 'deploying') message += ` ${lastExecutionSentence(last)}`;
  if (facts.executionsError) message += ` Its executions could not be read: ${withoutFinalStop(facts.executionsError)}.`;
  return {
    ...base,
    status,
    deployedCommit: template.commit,
    commitLabel: template.commitLabel,
    commitsBehind: template.commitsBehind,
    commits: template.undeployed,
    driftSince: driftSince(template, job.paths, git.ranges),
    message,
    deployedSubject: template.commit ? git.commits.get(template.commit)?.subject ?? null : null,
    deployedAt: facts.updateTime,
    lastExecution: last,
    executions,
  };
}

/** An execution with the commit it ran, judged against HEAD for the job's paths. */
export function judgeExecution(execution: ExecutionFacts, commitLabel: string, paths: string[], git: Pick<GitFactsForVerdict, 'head' | 'labels' | 'ranges'>): ExecutionVerdict {
  const { labels, ...rest } = execution;
  const label = ownValue(labels, commitLabel) ?? null;
  const resolution = label === null ? undefined : git.labels.get(label);
  const commit = resolution && !isGitFailure(resolution) && resolution.kind === 'found' ? resolution.sha : null;
  let commitsBehind: number | null = null;
  if (commit !== null) {
    const range = commit === git.head ? null : git.ranges.get(commit);
    if (commit === git.head) commitsBehind = 0;
    else if (range && !isGitFailure(range) && range.isAncestor) commitsBehind = commitsTouching(range, paths).length;
  }
  const started = Date.parse(execution.startTime ?? execution.createTime ?? '');
  const completed = Date.parse(execution.completionTime ?? '');
  const durationMs = Number.isFinite(started) && Number.isFinite(completed) ? Math.max(0, completed - started) : null;
  return { ...rest, commitLabel: label, commit, commitsBehind, durationMs };
}

/** "Its last execution x-abcde (failed) ran 1a2b3c4d, 40 commits behind HEAD for its paths." */
export function lastExecutionSentence(execution: ExecutionVerdict): string {
  const ran = execution.commit ? short(execution.commit) : execution.commitLabel ?? 'an unlabeled template';
  const behind = execution.commitsBehind === null ? '' : execution.commitsBehind === 0 ? ', the current code' : `, code ${execution.commitsBehind} commit${execution.commitsBehind === 1 ? '' : 's'} old for its paths`;
  return `Its last execution ${execution.name} (${execution.status}) ran ${ran}${behind}.`;
}

function withoutFinalStop(text: string): string {
  return text.replace(/\.\s*$/, '');
}

/** The commit labels a job's verdict needs resolved: its template's and each execution's. */
export function jobLabels(facts: JobFacts, commitLabel: string): (string | null)[] {
  return [facts.templateLabels, ...facts.executions.map((e) => e.labels)].map((labels) => ownValue(labels, commitLabel) ?? null);
}
