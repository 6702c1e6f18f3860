// The "fix" scenario the `where` suites share: in a real git repository, a fix to api (and to the
// function grader) and its follow-up; on Cloud Run, the fix first went out in a revision that a
// later one (its follow-up) has replaced, so "live since" must name the earlier revision.
import type { ScenarioService } from '../../src/emulator/scenario';
import { createTempRepo, type TempRepo } from './repo';

export interface FixScenarioOptions {
  /** Further files of the first commit (other units' folders). */
  baseFiles?: Record<string, string>;
  /** Also a function `grader` (folder grader/) on the service grader-svc, changed by the fix and its follow-up as api is. */
  grader?: boolean;
}

export interface FixScenario {
  repo: TempRepo;
  /** The commits by name: base (the first), fix (at 00:10), followUp (at 00:20); a suite adds its own. */
  c: Record<string, string>;
  /**
   * api: 00001 (base, 00:05), 00002 (the fix, first out at 00:15), 00003 (the follow-up, serving,
   * 00:25); with grader, grader-svc: 00001 (the fix, 00:40), 00002 (the follow-up, serving, 00:50).
   */
  services: ScenarioService[];
  /** With grader: the function grader on grader-svc, labeled with the follow-up; else none. */
  functions: Record<string, unknown>[];
}

/** The `commit-sha` label of a deploy of `sha`, as the fix scenario's revisions carry it. */
export function label(sha: string): Record<string, string> {
  return { 'commit-sha': sha.slice(0, 8) };
}

/** A temporary repository on branch main holding base, fix and followUp; the caller removes it (cleanup). */
export function createFixScenario({ baseFiles = {}, grader = false }: FixScenarioOptions = {}): FixScenario {
  const repo = createTempRepo();
  const units = grader ? 'api, grader' : 'api';
  const c: Record<string, string> = {};
  c.base = repo.commit('initial', { 'api/main.py': 'a = 1\nb = 2\nc = 3\n', ...(grader ? { 'grader/main.py': '1\n' } : {}), ...baseFiles });
  c.fix = repo.commit(`${units}: fix the MERGE`, { 'api/main.py': 'a = 1\nb = 20\nc = 3\n', ...(grader ? { 'grader/main.py': '2\n' } : {}) }, new Date('2026-01-01T00:10:00Z'));
  c.followUp = repo.commit(`${units}: log the MERGE`, { 'api/log.py': '1\n', ...(grader ? { 'grader/log.py': '1\n' } : {}) }, new Date('2026-01-01T00:20:00Z'));
  const services: ScenarioService[] = [
    {
      name: 'api',
      revisions: [
        { name: 'api-00001-aaa', labels: label(c.base), createTime: '2026-01-01T00:05:00Z' },
        { name: 'api-00002-bbb', labels: label(c.fix), createTime: '2026-01-01T00:15:00Z' },
        { name: 'api-00003-ccc', labels: label(c.followUp), createTime: '2026-01-01T00:25:00Z' },
      ],
    },
  ];
  if (grader) {
    services.push({
      name: 'grader-svc',
      revisions: [
        { name: 'grader-svc-00001-aaa', labels: label(c.fix), createTime: '2026-01-01T00:40:00Z' },
        { name: 'grader-svc-00002-bbb', labels: label(c.followUp), createTime: '2026-01-01T00:50:00Z' },
      ],
    });
  }
  const functions = grader ? [{ name: 'grader', service: 'grader-svc', labels: label(c.followUp) }] : [];
  return { repo, c, services, functions };
}
