// Data job command templates: `jobs.<name>.command` with ${startDate}, ${endDate}, ${project} and
// ${workspaceFolder}, expanded into a bash command line (quoting: ../shellTemplate.ts).
//
// API (no vscode import):
//
//   JOB_TEMPLATE_VARIABLES                  the variable names a job template may use
//   expandJobCommand(template, values)      → ExpandedCommand; throws TemplateError naming the bad variable
//   checkJobTemplate(template)              → TemplateError | null, for config diagnostics
import * as path from 'node:path';
import { checkTemplateSyntax, expandTemplate, TemplateError, type ExpandedCommand } from '../text/shellTemplate';
import { dateProblem } from './dates';

export const JOB_TEMPLATE_VARIABLES = ['startDate', 'endDate', 'project', 'workspaceFolder'] as const;
export type JobTemplateVariable = (typeof JOB_TEMPLATE_VARIABLES)[number];
export type JobTemplateValues = Record<JobTemplateVariable, string>;

const PROJECT_ID = /^([a-z0-9.-]+:)?[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

/** Why `value` cannot be the value of `variable`, or undefined when it can (arguments use it too: args.ts). */
export function jobValueProblem(variable: JobTemplateVariable, value: string): string | undefined {
  switch (variable) {
    case 'startDate':
    case 'endDate':
      return dateProblem(value);
    case 'project':
      return PROJECT_ID.test(value) ? undefined : 'expected a Google Cloud project ID such as "my-project-123"';
    case 'workspaceFolder':
      return !value.includes('\0') && path.isAbsolute(value) ? undefined : 'expected an absolute path without NUL characters';
  }
}

/** Validates every value, then expands the template with each value quoted for its position. */
export function expandJobCommand(template: string, values: JobTemplateValues): ExpandedCommand<JobTemplateVariable> {
  for (const variable of JOB_TEMPLATE_VARIABLES) {
    const problem = jobValueProblem(variable, values[variable]);
    if (problem) throw new TemplateError(`\${${variable}} would be ${JSON.stringify(values[variable])}: ${problem}; the job was not started`, variable);
  }
  return expandTemplate(template, JOB_TEMPLATE_VARIABLES, values);
}

export function checkJobTemplate(template: string): TemplateError | null {
  return checkTemplateSyntax(template, JOB_TEMPLATE_VARIABLES);
}
