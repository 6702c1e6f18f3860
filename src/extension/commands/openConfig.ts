import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';
import { UserFacingError } from '../platform/errors';
import { isConfigLocation } from '../tree/configProblemNode';
import { defineCommand } from './commandTypes';

/** Opens cloud-run-drift.json, at the clicked problem's line or else at the first problem's. */
export const openConfigCommand = defineCommand({
  id: COMMAND_IDS.openConfig,
  title: 'Open Config',
  run: async (services, location?: unknown) => {
    const { session } = services;
    const state = session.state;
    const file = isConfigLocation(location) ? location.file : session.configFile;
    if (!file) {
      throw new UserFacingError(
        'No cloud-run-drift.json in this workspace.',
        [{ title: 'Create One', run: () => vscode.commands.executeCommand(COMMAND_IDS.scaffoldConfig) }],
        'warning',
      );
    }
    const line = isConfigLocation(location) ? location.line : state.kind === 'invalidConfig' ? (state.problems.find((p) => p.line)?.line ?? null) : null;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const editor = await vscode.window.showTextDocument(document);
    if (line !== null && line >= 1 && line <= document.lineCount) {
      const position = new vscode.Position(line - 1, document.lineAt(line - 1).firstNonWhitespaceCharacterIndex);
      editor.selection = new vscode.Selection(position, position);
      editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  },
});
