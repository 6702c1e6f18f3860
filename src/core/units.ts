// What a check does for each configured unit, by its kind: how it is read, which commit labels its
// verdict needs (what serves its traffic; a Cloud Run job's template and what its executions ran),
// and how its verdict is decided.
import type { CloudRunReader, LookupOptions } from './google/cloudrun';
import type { ServiceConfig } from './config';
import { computeFunctionVerdict, servedLookup } from './verdicts/functionVerdict';
import { computeJobVerdict, jobLabels } from './verdicts/jobVerdict';
import type { FunctionLookup, JobLookup, ServiceLookup, ServiceVerdict } from './model';
import { ownValue } from './platform/own';
import { computeVerdict, labelOf, type GitFactsForVerdict } from './verdicts/verdict';

export type UnitLookup =
  | { kind: 'service'; lookup: ServiceLookup }
  | { kind: 'function'; lookup: FunctionLookup }
  | { kind: 'job'; lookup: JobLookup }
  | { kind: 'unsupported'; message: string };

/** Reads one unit; every failure stays in its lookup. Functions, jobs and services are read alike, at once. */
export async function lookupUnit(reader: CloudRunReader, unit: ServiceConfig, options: LookupOptions): Promise<UnitLookup> {
  switch (unit.kind) {
    case 'service':
      return { kind: 'service', lookup: await reader.lookupService(unit, options) };
    case 'function':
      if (!reader.lookupFunction) return { kind: 'unsupported', message: `${unit.name} is a function, and this reader cannot read Cloud Run functions.` };
      return { kind: 'function', lookup: await reader.lookupFunction(unit, options) };
    case 'job': {
      if (!reader.lookupJob) return { kind: 'unsupported', message: `${unit.name} is a Cloud Run job, and this reader cannot read Cloud Run jobs.` };
      const lookup = await reader.lookupJob(unit, { ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}), ...(options.signal ? { signal: options.signal } : {}), ...(options.listing ? { listing: options.listing } : {}) });
      // What its next execution runs is what its verdict needs: as early as a service's template.
      if (lookup.kind === 'found') options.onServiceRead?.(lookup.facts.templateLabels);
      return { kind: 'job', lookup };
    }
  }
}

/** What serves the unit's traffic, as a service lookup: the revisions whose commit labels decide. */
export function servingLookup(lookup: Exclude<UnitLookup, { kind: 'job' }>, commitLabel: string): ServiceLookup {
  switch (lookup.kind) {
    case 'service':
      return lookup.lookup;
    case 'function':
      return servedLookup(lookup.lookup, commitLabel);
    case 'unsupported':
      return { kind: 'error', message: lookup.message, code: null };
  }
}

/** The commit labels a unit's verdict decides on (null for an unlabeled one): its serving revisions', or a job's template's. */
export function decidingLabels(lookup: UnitLookup, commitLabel: string): (string | null)[] {
  if (lookup.kind === 'job') return lookup.lookup.kind === 'found' ? [ownValue(lookup.lookup.facts.templateLabels, commitLabel) ?? null] : [];
  return servingLabels(servingLookup(lookup, commitLabel), commitLabel);
}

/** Every commit label a unit's verdict needs resolved: the deciding ones, and for a job what each execution ran. */
export function labelsToResolve(lookup: UnitLookup, commitLabel: string): (string | null)[] {
  if (lookup.kind === 'job') return lookup.lookup.kind === 'found' ? jobLabels(lookup.lookup.facts, commitLabel) : [];
  return decidingLabels(lookup, commitLabel);
}

/** The commit label of each serving revision (null for an unlabeled one). */
function servingLabels(lookup: ServiceLookup, commitLabel: string): (string | null)[] {
  if (lookup.kind !== 'found') return [];
  return lookup.facts.serving.map((s) => labelOf(ownValue(lookup.facts.revisions, s.revision), commitLabel));
}

export function judgeUnit(unit: ServiceConfig, commitLabel: string, lookup: UnitLookup, git: GitFactsForVerdict): ServiceVerdict {
  switch (lookup.kind) {
    case 'service':
      return computeVerdict(unit, commitLabel, lookup.lookup, git);
    case 'function':
      return computeFunctionVerdict(unit, commitLabel, lookup.lookup, git);
    case 'job':
      return computeJobVerdict(unit, commitLabel, lookup.lookup, git);
    case 'unsupported':
      return computeVerdict(unit, commitLabel, { kind: 'error', message: lookup.message, code: null }, git);
  }
}
