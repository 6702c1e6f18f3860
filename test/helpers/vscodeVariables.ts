// What VS Code's task system would substitute in a string, mirrored from its source so tests can
// assert that nothing we hand to a ShellExecution is touched by it.
//
// microsoft/vscode, src/vs/workbench/contrib/tasks/browser/terminalTaskSystem.ts: collectVariables()
// and class VariableResolver both scan with /\$\{(.*?)\}/g, over the command line, its args, the
// cwd, every env value and the shell's executable and args; what they find is resolved by
// src/vs/workbench/services/configurationResolver/common/variableResolver.ts
// (AbstractVariableResolverService.VARIABLE_REGEXP, the same pattern), recursively when a value
// itself contains one. There is no escape: a backslash before `${` is not looked at, and quotes mean
// nothing to it. Unknown names are left as they are, but `${env:…}`, `${config:…}`,
// `${command:…}` (runs a command), `${input:…}` (prompts) and `${/}` are not.

/** Every `${…}` in `text` that VS Code's task variable resolver would try to substitute. */
export function vscodeVariables(text: string): string[] {
  return [...text.matchAll(/\$\{(.*?)\}/g)].map((match) => match[0]);
}
