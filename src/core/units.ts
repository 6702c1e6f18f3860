// What a check does for each configured unit, by its kind: how it is read, what serves its traffic
// (whose commit labels git resolves), and how its verdict is decided.
import type { CloudRunReader, LookupOptions } from './cloudrun';
import type { ServiceConfig } from './config';
import { computeFunctionVerdict, servedLookup } from './functionVerdict';
import type { FunctionLookup, ServiceLookup, ServiceVerdict } from './model';
import { computeVerdict, type GitFactsForVerdict } from './verdict';

export type UnitLookup = { kind: 'service'; lookup: ServiceLookup } | { kind: 'function'; lookup: FunctionLookup } | { kind: 'unsupported'; message: string };

/** Reads one unit; every failure stays in its lookup. Functions and services are read alike, at once. */
export async function lookupUnit(reader: CloudRunReader, unit: ServiceConfig, options: LookupOptions): Promise<UnitLookup> {
  switch (unit.kind) {
    case 'service':
      return { kind: 'service', lookup: await reader.lookupService(unit, options) };
    case 'function':
      if (!reader.lookupFunction) return { kind: 'unsupported', message: `${unit.name} is a function, and this reader cannot read Cloud Run functions.` };
      return { kind: 'function', lookup: await reader.lookupFunction(unit, options) };
    default:
      return { kind: 'unsupported', message: `${unit.name} is a Cloud Run ${unit.kind}, which this version cannot check yet.` };
  }
}

/** What serves the unit's traffic, as a service lookup: the revisions whose commit labels decide. */
export function servingLookup(lookup: UnitLookup, commitLabel: string): ServiceLookup {
  switch (lookup.kind) {
    case 'service':
      return lookup.lookup;
    case 'function':
      return servedLookup(lookup.lookup, commitLabel);
    case 'unsupported':
      return { kind: 'error', message: lookup.message, code: null };
  }
}

export function judgeUnit(unit: ServiceConfig, commitLabel: string, lookup: UnitLookup, git: GitFactsForVerdict): ServiceVerdict {
  switch (lookup.kind) {
    case 'service':
      return computeVerdict(unit, commitLabel, lookup.lookup, git);
    case 'function':
      return computeFunctionVerdict(unit, commitLabel, lookup.lookup, git);
    case 'unsupported':
      return computeVerdict(unit, commitLabel, { kind: 'error', message: lookup.message, code: null }, git);
  }
}
