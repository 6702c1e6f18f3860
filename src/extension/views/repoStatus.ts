// A repository's session in the terms the summaries use (presentation.ts decides the words).
import type { Repo } from '../session/repo';
import { serviceRows, type RepoStatus } from './presentation';

/** What the status bar, the view's message and a group row summarize of a repository. */
export function repoStatus(repo: Pick<Repo, 'name' | 'session'>): RepoStatus {
  const { session } = repo;
  const state = session.state;
  const names = state.kind === 'ready' ? state.config.services.map((s) => s.name) : [];
  return {
    name: repo.name,
    configInvalid: state.kind === 'invalidConfig',
    rows: serviceRows(names, session.lastResult),
    refreshing: session.refreshing,
    failure: state.kind === 'ready' ? session.failure : undefined,
    checkedAt: session.lastResult?.checkedAt ?? null,
  };
}
