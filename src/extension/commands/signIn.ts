import * as os from 'node:os';
import * as vscode from 'vscode';
import { credentialsFix } from '../../core/google/credentials';
import { COMMAND_IDS } from '../commandIds';
import { defineCommand } from './commandTypes';

/**
 * Opens a terminal that runs `gcloud auth application-default login`, the credentials every Google
 * client here reads. It starts in the home folder: signing in has nothing to do with the repository,
 * so nothing the repository configures for its folder (an `.envrc`, say) runs with it. The command
 * line is a constant; no value from the workspace reaches the shell.
 */
export const signInCommand = defineCommand({
  id: COMMAND_IDS.signIn,
  title: 'Sign In with Application Default Credentials',
  run: () => {
    const terminal = vscode.window.createTerminal({ name: 'gcloud auth', cwd: os.homedir() });
    terminal.show();
    terminal.sendText(credentialsFix());
  },
});
