// Pure verdict logic for Cloud Run functions: what serves a function's traffic is the Cloud Run
// service it runs on, so its verdict is that service's, with what only the function can say (a
// failed build, a deploy in progress) and, where its revision has no commit label, the function's own.
import type { ServiceConfig } from '../config';
import type { FunctionDetails, FunctionFacts, FunctionLookup, ServiceFacts, ServiceLookup, ServiceVerdict, VerdictStatus } from '../model';
import { ownValue } from '../platform/own';
import { judgeService, labelOf, short, withMissingPaths, worstStatus, type GitFactsForVerdict } from './verdict';

/** Why the function's own label may not stand in for its revision's; null when it may. */
function whyNotFunctionLabel(fn: FunctionFacts, facts: ServiceFacts, commitLabel: string): string | null {
  if (fn.state !== 'ACTIVE' || deployFailure(fn) !== null) return `the function is ${fn.state === 'ACTIVE' ? 'failing' : fn.state}`;
  if (fn.revision === null) return 'the function names no revision';
  const served = facts.serving.find((s) => s.revision === fn.revision);
  if (!served) return `its revision ${fn.revision} serves no traffic`;
  if (facts.serving.length > 1 || served.percent < 100) return `its revision ${fn.revision} serves ${served.percent}% of traffic, not all of it`;
  if (labelOf(ownValue(facts.revisions, fn.revision), commitLabel) !== null) return `${fn.revision} carries a label of its own`;
  return null;
}

/**
 * The function's commit label, lent to its serving revision: only when the revision has none of its
 * own, the function is ACTIVE and its serviceConfig.revision serves 100% of traffic.
 */
function lentLabel(fn: FunctionFacts, facts: ServiceFacts, commitLabel: string): string | null {
  const label = ownValue(fn.labels, commitLabel) ?? null;
  return label !== null && whyNotFunctionLabel(fn, facts, commitLabel) === null ? label : null;
}

function withLabel(facts: ServiceFacts, revision: string, commitLabel: string, label: string): ServiceFacts {
  const kept = ownValue(facts.revisions, revision);
  if (!kept) return facts;
  return { ...facts, revisions: { ...facts.revisions, [revision]: { ...kept, labels: { ...kept.labels, [commitLabel]: label } } } };
}

/**
 * The service lookup a function's verdict reads: its Cloud Run service, with the function's label
 * lent to the serving revision where allowed (see lentLabel). Not found or an error: no serving revisions.
 */
export function servedLookup(lookup: FunctionLookup, commitLabel: string): ServiceLookup {
  if (lookup.kind !== 'found') return lookup;
  if (lookup.service.kind !== 'found') return lookup.service;
  const facts = lookup.service.facts;
  const label = lentLabel(lookup.facts, facts, commitLabel);
  return label === null ? lookup.service : { kind: 'found', facts: withLabel(facts, lookup.facts.revision!, commitLabel, label) };
}

/** Why the function's last deploy failed, from its state and its ERROR messages; null when it did not. */
export function deployFailure(fn: FunctionFacts): string | null {
  const errors = fn.stateMessages.filter((m) => m.severity === 'ERROR' && m.message.trim() !== '').map((m) => m.message.trim().replace(/\.$/, ''));
  if (errors.length > 0) return errors.join('; ');
  if (fn.state === 'FAILED') return 'the function is FAILED and says no more';
  if (fn.state === 'UNKNOWN') return 'the deploy failed and the function\'s serving state is unknown';
  return null;
}

export function computeFunctionVerdict(unit: ServiceConfig, commitLabel: string, lookup: FunctionLookup, git: GitFactsForVerdict): ServiceVerdict {
  return withMissingPaths(unit, judgeFunction(unit, commitLabel, lookup, git), git);
}

function judgeFunction(unit: ServiceConfig, commitLabel: string, lookup: FunctionLookup, git: GitFactsForVerdict): ServiceVerdict {
  if (lookup.kind === 'not-found') {
    const verdict = judgeService(unit, commitLabel, lookup, git);
    return { ...verdict, message: `${unit.name} is configured as a function but does not exist in Cloud Functions (${unit.project}/${unit.region}).` };
  }
  if (lookup.kind === 'error') return judgeService(unit, commitLabel, lookup, git);
  const fn = lookup.facts;
  const failure = deployFailure(fn);
  const details: FunctionDetails = {
    state: fn.state,
    service: fn.service,
    revision: fn.revision,
    build: fn.build,
    updateTime: fn.updateTime,
    failure,
    commitFromFunctionLabel: false,
  };
  const service = lookup.service;
  if (service.kind !== 'found') {
    const verdict = judgeService(unit, commitLabel, { kind: 'error', message: '', code: null }, git);
    const serviceName = fn.service ?? '(none named)';
    const why = service.kind === 'not-found' ? `its Cloud Run service ${serviceName} does not exist` : `its Cloud Run service ${serviceName} could not be read: ${service.message}`;
    const status = fn.state === 'DEPLOYING' ? 'deploying' : failure !== null ? 'deploy-failed' : 'error';
    const message =
      status === 'deploying' ? `A deploy of ${unit.name} is in progress (${why}).` : status === 'deploy-failed' ? `The last deploy of ${unit.name} failed: ${failure}; ${why}.` : `${unit.name} cannot be checked: ${why}.`;
    return { ...verdict, status, message, function: details };
  }

  const label = lentLabel(fn, service.facts, commitLabel);
  const facts = label === null ? service.facts : withLabel(service.facts, fn.revision!, commitLabel, label);
  const verdict = judgeService(unit, commitLabel, { kind: 'found', facts }, git);
  details.commitFromFunctionLabel = label !== null;

  const statuses: VerdictStatus[] = [verdict.status];
  if (failure !== null) statuses.push('deploy-failed');
  if (fn.state === 'DEPLOYING') statuses.push('deploying');
  if (fn.state === 'DELETING') statuses.push('error');
  const status = worstStatus(statuses);
  const serving = verdict.serving.map((s) => (verdict.serving.length > 1 ? `${s.revision} (${s.percent}%)` : s.revision));
  const served = verdict.deployedCommit ? short(verdict.deployedCommit) : verdict.commitLabel;
  const behind = verdict.commitsBehind ? `, ${verdict.commitsBehind} commit${verdict.commitsBehind === 1 ? '' : 's'} behind` : '';
  const stillServes = serving.length === 0 ? ' No revision serves traffic.' : ` ${serving.join(', ')} still serve${serving.length > 1 ? '' : 's'}${served ? ` ${served}${behind}` : ''}.`;
  let message: string;
  if (status === verdict.status) {
    message = verdict.message;
    if (label !== null) {
      message += ` ${fn.revision} has no ${commitLabel} label: the commit is the function's own label, a weaker signal (a function's labels need not describe the code its revision runs), used because ${fn.revision} serves 100% of traffic.`;
    } else if (verdict.status === 'unlabeled' && ownValue(fn.labels, commitLabel) !== undefined) {
      message += ` The function's own label ${commitLabel}=${ownValue(fn.labels, commitLabel)} is not used: ${whyNotFunctionLabel(fn, service.facts, commitLabel)}.`;
    }
  } else if (status === 'deploying') {
    message = `A deploy of ${unit.name} is in progress; no verdict until it settles.`;
  } else if (status === 'deploy-failed') {
    message = `The last deploy of ${unit.name} failed: ${failure}.${stillServes}`;
  } else {
    message = `${unit.name} is being deleted.`;
  }
  return { ...verdict, status, message, function: details };
}

/**
 * Where a deploy of the function stands, for proving it live: still deploying, failed (its message),
 * or settled, with the service lookup to prove it on (the function's label lent as for verdicts,
 * `lent` saying so). A function that is absent or unreadable is a service lookup of that error.
 */
export type FunctionDeployState =
  | { kind: 'deploying'; message: string }
  | { kind: 'failed'; message: string }
  | { kind: 'settled'; lookup: ServiceLookup; lent: boolean };

export function functionDeployState(lookup: FunctionLookup, commitLabel: string): FunctionDeployState {
  if (lookup.kind !== 'found') return { kind: 'settled', lookup, lent: false };
  const fn = lookup.facts;
  if (fn.state === 'DEPLOYING') return { kind: 'deploying', message: `${fn.name} is still deploying.` };
  const failure = deployFailure(fn);
  if (failure !== null) return { kind: 'failed', message: `The last deploy of ${fn.name} failed: ${failure}.` };
  const served = servedLookup(lookup, commitLabel);
  return { kind: 'settled', lookup: served, lent: served !== lookup.service };
}

