import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';
import { isConfigLocation } from '../tree/configProblemNode';
import { defineCommand } from './commandTypes';
import { resolveRepo } from './servicePicker';

/**
 * Opens cloud-run-drift.json, at the clicked problem's line or else at the first problem's: the
 * problem's file, a group row's repository's, or the only repository's (or the one picked).
 */
export const openConfigCommand = defineCommand({
  id: COMMAND_IDS.openConfig,
  title: 'Open Config',
  run: async (services, location?: unknown) => {
    let file: string;
    let line: number | null;
    if (isConfigLocation(location)) {
      ({ file, line } = location);
    } else {
      const repo = await resolveRepo(location, services.repos, { anyState: true });
      const state = repo.session.state;
      file = repo.configFile;
      line = state.kind === 'invalidConfig' ? (state.problems.find((p) => p.line)?.line ?? null) : null;
    }
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const editor = await vscode.window.showTextDocument(document);
    if (line !== null && line >= 1 && line <= document.lineCount) {
      const position = new vscode.Position(line - 1, document.lineAt(line - 1).firstNonWhitespaceCharacterIndex);
      editor.selection = new vscode.Selection(position, position);
      editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  },
});
