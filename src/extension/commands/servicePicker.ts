// Resolves what a command acts on: the repository (a row's own, the one holding a named service or
// job, or from the Command Palette the only one or a quick pick) and the service within it (the tree
// node it was invoked on, a name from tests and other commands, or a quick pick).
import * as vscode from 'vscode';
import type { DriftConfig, ServiceConfig } from '../../core/config';
import { describeVerdict } from '../../core/verdicts/format';
import type { ServiceVerdict } from '../../core/model';
import { COMMAND_IDS } from '../commandIds';
import { UserCancelledError, UserFacingError } from '../platform/errors';
import type { DriftSession } from '../session/driftSession';
import type { Repo } from '../session/repo';
import type { RepoList } from '../session/repoSessions';
import { themeIcon } from '../tree/icons';
import { isServiceScoped } from '../tree/treeNode';
import { displayStatus, repoSummary, uncheckedDescription, verdictIcon } from '../views/presentation';
import { repoStatus } from '../views/repoStatus';
import { chooseRepo, type RepoChoiceOptions } from './repoChoice';

export interface ServiceTarget {
  repo: Repo;
  config: ServiceConfig;
  verdict: ServiceVerdict | undefined;
}

export function requireConfig(session: Pick<DriftSession, 'config' | 'state'>): DriftConfig {
  const config = session.config;
  if (config) return config;
  if (session.state.kind === 'invalidConfig') throw configProblemsError();
  throw noConfigError();
}

function configProblemsError(): UserFacingError {
  return new UserFacingError('cloud-run-drift.json has problems; fix them first.', [
    { title: 'Open Config', run: () => vscode.commands.executeCommand(COMMAND_IDS.openConfig) },
  ]);
}

function noConfigError(): UserFacingError {
  return new UserFacingError(
    'No cloud-run-drift.json in this workspace.',
    [{ title: 'Create One', run: () => vscode.commands.executeCommand(COMMAND_IDS.scaffoldConfig) }],
    'warning',
  );
}

export interface RepoPickOptions extends RepoChoiceOptions<Repo> {
  /** Offer repositories whose configuration is invalid too (Open Config). */
  anyState?: boolean;
  /** Said when repositories are loaded but none qualifies; without it the first one is used. */
  noneMessage?: string;
}

/** The repository a command acts on; asks which when several qualify. */
export async function resolveRepo(arg: unknown, repos: RepoList, options: RepoPickOptions = {}): Promise<Repo> {
  const all = repos.list();
  const candidates = options.anyState ? all.filter((r) => r.session.state.kind !== 'loading') : all.filter((r) => r.session.config !== undefined);
  const choice = chooseRepo(arg, all, candidates, options);
  switch (choice.kind) {
    case 'one':
      return choice.repo;
    case 'pick':
      return pickRepo(choice.repos);
    case 'gone':
      throw new UserFacingError(`${choice.root} is no longer in this workspace.`, [], 'warning');
    case 'none':
      if (candidates.length > 0 && options.noneMessage) throw new UserFacingError(options.noneMessage, [], 'warning');
      if (candidates.length > 0) return candidates[0]!;
      throw repos.state === 'invalidConfig' ? configProblemsError() : noConfigError();
  }
}

async function pickRepo(repos: readonly Repo[]): Promise<Repo> {
  const items = repos.map((repo) => ({
    label: repo.name,
    description: repoSummary(repoStatus(repo)),
    detail: repo.root,
    iconPath: new vscode.ThemeIcon('repo'),
    repo,
  }));
  const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Which repository?', matchOnDetail: true });
  if (!picked) throw new UserCancelledError();
  return picked.repo;
}

export interface ServicePickOptions {
  placeHolder: string;
  /** Only services this returns true for are offered (and accepted from a tree node). */
  accepts?: (target: ServiceTarget) => boolean;
  /** Said when no configured service qualifies. */
  noneMessage: string;
}

function targetsOf(repo: Repo): ServiceTarget[] {
  return (repo.session.config?.services ?? []).map((s) => ({ repo, config: s, verdict: repo.session.verdict(s.name) }));
}

/** Whether the repository configures a service of that name (for RepoPickOptions.holds). */
export function holdsService(repo: Repo, name: string): boolean {
  return repo.session.serviceConfig(name) !== undefined;
}

/** The service a command acts on, in its repository (see resolveRepo). */
export async function resolveServiceTarget(arg: unknown, repos: RepoList, options: ServicePickOptions): Promise<ServiceTarget> {
  const accepts = options.accepts ?? (() => true);
  const repo = await resolveRepo(arg, repos, { holds: holdsService, accepts: (r) => targetsOf(r).some(accepts), noneMessage: options.noneMessage });
  return serviceTargetIn(repo, arg, options);
}

/** The service a command acts on in a repository already chosen: the row's or named one, else a quick pick. */
export async function serviceTargetIn(repo: Repo, arg: unknown, options: ServicePickOptions): Promise<ServiceTarget> {
  const accepts = options.accepts ?? (() => true);
  requireConfig(repo.session);
  const targets = targetsOf(repo);
  const name = isServiceScoped(arg) ? arg.serviceName : typeof arg === 'string' ? arg : undefined;
  if (name !== undefined) {
    const target = targets.find((t) => t.config.name === name);
    if (!target) throw new UserFacingError(`${name} is not a service in cloud-run-drift.json.`, [], 'warning');
    if (!accepts(target)) throw new UserFacingError(options.noneMessage, [], 'warning');
    return target;
  }

  const candidates = targets.filter(accepts);
  if (candidates.length === 0) throw new UserFacingError(options.noneMessage, [], 'warning');
  const now = new Date();
  const items = candidates.map((target) => ({
    label: target.config.name,
    description: target.verdict ? describeVerdict(target.verdict, now) : uncheckedDescription(false),
    iconPath: themeIcon(verdictIcon(displayStatus(target.verdict))),
    target,
  }));
  const picked = await vscode.window.showQuickPick(items, { placeHolder: options.placeHolder, matchOnDescription: true });
  if (!picked) throw new UserCancelledError();
  return picked.target;
}
