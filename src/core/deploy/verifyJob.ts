// Proof that a Cloud Run job's deploy went live: its template (what the next execution runs) carries
// the commit, and the job is ready. One observation; verify.ts polls.
import type { GitRepository } from '../git/repository';
import type { JobLookup } from '../model';
import { ownValue } from '../platform/own';
import { short } from '../verdicts/verdict';

export interface JobObservation {
  state: 'verified' | 'pending' | 'deploy-failed' | 'label-unchanged' | 'error';
  outcome:
    | { kind: 'verified'; revision: string; message: string }
    | { kind: 'label-unchanged'; servedCommit: string | null; message: string }
    | { kind: 'deploy-failed' | 'timeout' | 'error'; message: string };
  /** Identifies the observed state, so "unchanged for a while" can be measured. */
  fingerprint: string;
}

export interface JobObservationOptions {
  name: string;
  commitLabel: string;
  /** Full SHA the template must carry. */
  expectedCommit: string;
  git: Pick<GitRepository, 'resolveLabels'>;
  /** The deploy runner just ran the deploy script (the message says so when nothing changed). */
  afterDeployScript?: boolean;
}

export async function observeJob(lookup: JobLookup, options: JobObservationOptions): Promise<JobObservation> {
  const { name, expectedCommit: expected } = options;
  if (lookup.kind !== 'found') return { state: 'error', outcome: { kind: 'error', message: lookup.message }, fingerprint: `error:${lookup.message}` };
  const facts = lookup.facts;
  const label = ownValue(facts.templateLabels, options.commitLabel) ?? null;
  const resolution = label === null ? undefined : (await options.git.resolveLabels([label])).get(label);
  const carries = resolution?.kind === 'found' && resolution.sha === expected;
  const fingerprint = JSON.stringify([label, facts.reconciling, facts.failed, facts.updateTime]);
  if (facts.reconciling) {
    return { state: 'pending', fingerprint, outcome: { kind: 'timeout', message: `${name} is still deploying.` } };
  }
  if (carries && facts.failed) {
    return { state: 'deploy-failed', fingerprint, outcome: { kind: 'deploy-failed', message: `The deploy of ${name} failed: ${facts.failureMessage ?? 'the job is not ready'}` } };
  }
  if (carries) {
    return { state: 'verified', fingerprint, outcome: { kind: 'verified', revision: name, message: `${name}'s template carries ${short(expected)} and the job is ready: its next execution runs it.` } };
  }
  const served = resolution?.kind === 'found' ? short(resolution.sha) : label === null ? 'no commit label' : label;
  const failed = facts.failed ? ` Its last deploy failed: ${facts.failureMessage ?? 'the job is not ready'}` : '';
  return {
    state: 'label-unchanged',
    fingerprint,
    outcome: {
      kind: 'label-unchanged',
      servedCommit: label,
      message: `${options.afterDeployScript ? `The deploy script exited 0 but ${name}'s template` : `${name}'s template`} still carries ${served} (expected ${short(expected)}).${failed}`,
    },
  };
}
