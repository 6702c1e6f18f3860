// The answer to "where is this commit live?" as a quick pick: one row per unit the commit touches
// (its answer, why), the units it does not touch apart, and "Copy as Markdown" for a handoff note.
// Each unit row opens its logs or shows its row in the Services view.
import * as vscode from 'vscode';
import { short } from '../../core/verdicts/verdict';
import { unitWhereSummary, whereMarkdown } from '../../core/where/format';
import type { UnitWhere, WhereAnswer, WhereState } from '../../core/where/live';
import { COMMAND_IDS } from '../commandIds';
import type { Repo } from '../session/repo';

const ICONS: Record<WhereState, [string, string | undefined]> = {
  live: ['pass', 'testing.iconPassed'],
  'partly-live': ['circle-large-outline', 'list.warningForeground'],
  'not-yet-live': ['warning', 'list.warningForeground'],
  'not-on-deployed-branch': ['git-compare', 'list.warningForeground'],
  unknown: ['question', 'list.warningForeground'],
  'not-affected': ['dash', 'disabledForeground'],
};

const OPEN_LOGS: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('output'), tooltip: 'Open Logs' };
const SHOW_ROW: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('list-tree'), tooltip: 'Show in the Services view' };

interface UnitItem extends vscode.QuickPickItem {
  unit?: UnitWhere;
  copy?: true;
}

function unitItem(u: UnitWhere, now: Date): UnitItem {
  const [icon, color] = ICONS[u.state];
  return {
    label: u.name,
    description: unitWhereSummary(u, now),
    detail: u.state === 'not-affected' ? undefined : u.message,
    iconPath: new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined),
    buttons: [OPEN_LOGS, SHOW_ROW],
    unit: u,
  };
}

/** Shows the answer; resolves when the quick pick closes. */
export function showWhereAnswer(repo: Repo, answer: WhereAnswer): Promise<void> {
  const now = new Date();
  const touched = answer.units.filter((u) => u.state !== 'not-affected');
  const others = answer.units.filter((u) => u.state === 'not-affected');
  const items: UnitItem[] = [{ label: '$(copy) Copy as Markdown', description: 'for a handoff note', copy: true, alwaysShow: true }];
  if (touched.length === 0) items.push({ label: 'It touches none of the configured units\' paths', kind: vscode.QuickPickItemKind.Separator });
  else items.push({ label: 'Units it touches', kind: vscode.QuickPickItemKind.Separator }, ...touched.map((u) => unitItem(u, now)));
  if (others.length > 0) items.push({ label: 'Not affected', kind: vscode.QuickPickItemKind.Separator }, ...others.map((u) => unitItem(u, now)));

  const pick = vscode.window.createQuickPick<UnitItem>();
  pick.title = `Where is ${short(answer.commit.sha)} live? ${answer.commit.subject}`;
  pick.placeholder = 'Pick a unit to show its row; its buttons open its logs';
  pick.matchOnDescription = true;
  pick.items = items;
  const unitArg = (u: UnitWhere): { serviceName: string; root: string } => ({ serviceName: u.name, root: repo.root });
  return new Promise((resolve) => {
    pick.onDidTriggerItemButton(({ item, button }) => {
      if (!item.unit) return;
      pick.hide();
      if (button === OPEN_LOGS) void vscode.commands.executeCommand(COMMAND_IDS.openLogs, unitArg(item.unit));
      else void vscode.commands.executeCommand(COMMAND_IDS.revealUnit, unitArg(item.unit));
    });
    pick.onDidAccept(() => {
      const [item] = pick.selectedItems;
      pick.hide();
      if (item?.copy) {
        void vscode.env.clipboard.writeText(whereMarkdown(answer, new Date())).then(() => vscode.window.setStatusBarMessage(`$(check) Copied where ${short(answer.commit.sha)} is live`, 4000));
      } else if (item?.unit) {
        void vscode.commands.executeCommand(COMMAND_IDS.revealUnit, unitArg(item.unit));
      }
    });
    pick.onDidHide(() => {
      pick.dispose();
      resolve();
    });
    pick.show();
  });
}
