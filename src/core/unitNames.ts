// What a configured unit may be called, by kind: the naming rules Google applies to Cloud Run
// services, Cloud Run functions (gen2 Cloud Functions) and Cloud Run jobs.
import { UNIT_KINDS, type UnitKind } from './model';

interface NameRule {
  pattern: RegExp;
  /** What a name of this kind looks like, completing "expected …". */
  expected: string;
}

export const UNIT_NAME_RULES: Readonly<Record<UnitKind, NameRule>> = {
  service: {
    pattern: /^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/,
    expected: 'a Cloud Run service name (lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 49 characters)',
  },
  function: {
    pattern: /^[A-Za-z][-A-Za-z0-9_]{0,62}$/,
    expected: 'a Cloud Run function name (letters, digits, hyphens and underscores, starting with a letter, at most 63 characters)',
  },
  job: {
    pattern: /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/,
    expected: 'a Cloud Run job name (lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 63 characters)',
  },
};

/**
 * Why `name` cannot be a unit of `kind` ("invalid function name …: expected …"), or null when it can.
 * When the name would suit another kind, the message says so: the entry may only lack its "kind".
 */
export function unitNameProblem(kind: UnitKind, name: string): string | null {
  if (UNIT_NAME_RULES[kind].pattern.test(name)) return null;
  const fits = UNIT_KINDS.filter((other) => other !== kind && UNIT_NAME_RULES[other].pattern.test(name));
  const hint = fits.length > 0 ? `; it is a valid ${fits.join(' or ')} name: add ${fits.map((k) => `"kind": "${k}"`).join(' or ')} if it is one` : '';
  return `invalid ${kind} name ${JSON.stringify(name)}: expected ${UNIT_NAME_RULES[kind].expected}${hint}`;
}
