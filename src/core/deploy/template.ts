// Deploy command templates: `deploy.command` with ${service}, ${commit}, ${shortCommit}, ${project},
// ${region} and ${workspaceFolder}, expanded into a command line that is safe to hand to bash.
//
// API (no vscode import; the extension builds its ShellExecution from `commandLine`):
//
//   TEMPLATE_VARIABLES                         the variable names a template may use
//   validateTemplateValues(values)             → TemplateValues; throws TemplateError naming the bad variable
//   expandDeployCommand(template, values)      → ExpandedCommand { commandLine, argv, variables }
//                                                throws TemplateError (unknown ${name}, unsupported position)
//   checkTemplate(template)                    → TemplateError | null, for config diagnostics before a run
//   shellQuote(value)                          → 'value' with ' written as '\''
//
// Every value is validated against what it can legitimately be (Cloud Run service name, 40/64-hex
// commit, project and region patterns, an absolute path) before ../text/shellTemplate.ts quotes it for the
// position it has in the template. Values come from the configuration and git only; nothing read
// from the Cloud Run API (labels, revision names, messages) is a template value.
import * as path from 'node:path';
import { checkTemplateSyntax, expandTemplate, TemplateError, type ExpandedCommand as TemplateExpansion } from '../text/shellTemplate';

export { shellQuote, TemplateError } from '../text/shellTemplate';

export const TEMPLATE_VARIABLES = ['service', 'commit', 'shortCommit', 'project', 'region', 'workspaceFolder'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateValues = Record<TemplateVariable, string>;

export type ExpandedCommand = TemplateExpansion<TemplateVariable>;

// Cloud Run and Google Cloud naming rules (the same patterns as schema/cloud-run-drift.schema.json).
const SERVICE_NAME = /^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/;
const FULL_COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const SHORT_COMMIT = /^[0-9a-f]{4,64}$/;
const PROJECT_ID = /^([a-z0-9.-]+:)?[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;

const EXPECTED: Record<TemplateVariable, string> = {
  service: 'a Cloud Run service name (lowercase letters, digits and hyphens, starting with a letter, at most 49 characters)',
  commit: 'a full commit SHA (40 or 64 lowercase hex digits)',
  shortCommit: 'an abbreviation (4 or more lowercase hex digits) of ${commit}',
  project: 'a Google Cloud project ID such as "my-project-123"',
  region: 'a Cloud Run region such as "us-west2"',
  workspaceFolder: 'an absolute path without NUL characters',
};

/** Checks every value against what it can legitimately be; throws a TemplateError naming the first bad one. */
export function validateTemplateValues(values: TemplateValues): TemplateValues {
  const bad = (variable: TemplateVariable): TemplateError =>
    new TemplateError(`\${${variable}} would be ${JSON.stringify(values[variable])}, expected ${EXPECTED[variable]}; the deploy was not started`, variable);
  if (!SERVICE_NAME.test(values.service)) throw bad('service');
  if (!FULL_COMMIT.test(values.commit)) throw bad('commit');
  if (!SHORT_COMMIT.test(values.shortCommit) || !values.commit.startsWith(values.shortCommit)) throw bad('shortCommit');
  if (!PROJECT_ID.test(values.project)) throw bad('project');
  if (!REGION.test(values.region)) throw bad('region');
  if (values.workspaceFolder.includes('\0') || !path.isAbsolute(values.workspaceFolder)) throw bad('workspaceFolder');
  return values;
}

/** Expands a deploy command template with validated, quoted values. Throws TemplateError. */
export function expandDeployCommand(template: string, values: TemplateValues): ExpandedCommand {
  return expandTemplate(template, TEMPLATE_VARIABLES, validateTemplateValues(values));
}

/** The problem with a template, found without any values (for diagnostics), or null when it is usable. */
export function checkTemplate(template: string): TemplateError | null {
  return checkTemplateSyntax(template, TEMPLATE_VARIABLES);
}
