// Resolves the service a command acts on: the tree node it was invoked on, a name (tests, other
// commands), or, from the Command Palette, a quick pick.
import * as vscode from 'vscode';
import type { DriftConfig, ServiceConfig } from '../../core/config';
import { describeVerdict } from '../../core/format';
import type { ServiceVerdict } from '../../core/model';
import { COMMAND_IDS } from '../commandIds';
import { UserCancelledError, UserFacingError } from '../platform/errors';
import type { DriftSession } from '../session/driftSession';
import { themeIcon } from '../tree/icons';
import { isServiceScoped } from '../tree/treeNode';
import { displayStatus, uncheckedDescription, verdictIcon } from '../views/presentation';

export interface ServiceTarget {
  config: ServiceConfig;
  verdict: ServiceVerdict | undefined;
}

export function requireConfig(session: DriftSession): DriftConfig {
  const config = session.config;
  if (config) return config;
  if (session.state.kind === 'invalidConfig') {
    throw new UserFacingError('cloud-run-drift.json has problems; fix them first.', [
      { title: 'Open Config', run: () => vscode.commands.executeCommand(COMMAND_IDS.openConfig) },
    ]);
  }
  throw new UserFacingError(
    'No cloud-run-drift.json in this workspace.',
    [{ title: 'Create One', run: () => vscode.commands.executeCommand(COMMAND_IDS.scaffoldConfig) }],
    'warning',
  );
}

export interface ServicePickOptions {
  placeHolder: string;
  /** Only services this returns true for are offered (and accepted from a tree node). */
  accepts?: (target: ServiceTarget) => boolean;
  /** Said when no configured service qualifies. */
  noneMessage: string;
}

export async function resolveServiceTarget(arg: unknown, session: DriftSession, options: ServicePickOptions): Promise<ServiceTarget> {
  const config = requireConfig(session);
  const targets = config.services.map((s) => ({ config: s, verdict: session.verdict(s.name) }));
  const accepts = options.accepts ?? (() => true);
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
