// Argument templates of data jobs that execute a Cloud Run job: `jobs.<name>.args`, each string one
// argument of the execution, with ${startDate}, ${endDate} and ${project}. No shell is involved: the
// arguments go to the Run API's RunJob as `overrides.containerOverrides[0].args`, one string each.
// The values are still validated as command values are (jobs/command.ts): only a real date, written
// YYYY-MM-DD, can be a date, so `2026-01-01,--evil` or `$(id)` never reaches the API.
//
// API (no vscode import):
//
//   JOB_ARG_VARIABLES                        the variable names an argument may use
//   expandJobArgs(templates, values)         → string[]; throws TemplateError naming the bad variable
//   checkJobArgs(templates)                  → { index, error } | null, for config diagnostics
//   matchJobArgs(templates, args, project)   → the range an execution's arguments were expanded for, or null
import { TemplateError } from '../text/shellTemplate';
import { jobValueProblem, type JobTemplateVariable } from './command';
import { DateRangeError, parseDateRange, type DateRange } from './dates';

export const JOB_ARG_VARIABLES = ['startDate', 'endDate', 'project'] as const satisfies readonly JobTemplateVariable[];
export type JobArgVariable = (typeof JOB_ARG_VARIABLES)[number];
export type JobArgValues = Record<JobArgVariable, string>;

const VARIABLE = /\$\{([^}]*)\}?/g;

/** The variables an argument template names, in order; throws TemplateError for an unknown or unclosed one. */
function variablesOf(template: string): JobArgVariable[] {
  const found: JobArgVariable[] = [];
  for (const match of template.matchAll(VARIABLE)) {
    const name = match[1]!;
    if (!match[0].endsWith('}')) throw new TemplateError(`unclosed \${ in ${JSON.stringify(template)}`, null);
    if (!(JOB_ARG_VARIABLES as readonly string[]).includes(name)) {
      const why = name === 'workspaceFolder' ? ' (a Cloud Run job does not run in your workspace)' : '';
      throw new TemplateError(`unknown template variable \${${name}}${why} (known: ${JOB_ARG_VARIABLES.map((v) => `\${${v}}`).join(', ')})`, name);
    }
    found.push(name as JobArgVariable);
  }
  return found;
}

/** Validates every value, then substitutes them into each argument. */
export function expandJobArgs(templates: readonly string[], values: JobArgValues): string[] {
  for (const variable of JOB_ARG_VARIABLES) {
    const problem = jobValueProblem(variable, values[variable]);
    if (problem) throw new TemplateError(`\${${variable}} would be ${JSON.stringify(values[variable])}: ${problem}; the job was not started`, variable);
  }
  return templates.map((template) => {
    variablesOf(template);
    return template.replace(VARIABLE, (_, name: JobArgVariable) => values[name]);
  });
}

/** The first argument template that cannot be expanded, with its index, or null. */
export function checkJobArgs(templates: readonly string[]): { index: number; error: TemplateError } | null {
  for (const [index, template] of templates.entries()) {
    try {
      variablesOf(template);
    } catch (err) {
      if (err instanceof TemplateError) return { index, error: err };
      throw err;
    }
  }
  return null;
}

const DATE_PATTERN = '(\\d{4}-\\d{2}-\\d{2})';

/**
 * The inverse of expandJobArgs: the date range `args` (an execution's arguments) were expanded for
 * from `templates` with this `project`, or null when they were not (another data job's execution, one
 * started by hand, a template that names no dates, or dates that are not a range).
 */
export function matchJobArgs(templates: readonly string[], args: readonly string[], project: string): DateRange | null {
  if (templates.length !== args.length) return null;
  const found: Partial<Record<'startDate' | 'endDate', string>> = {};
  for (const [index, template] of templates.entries()) {
    let variables: JobArgVariable[];
    try {
      variables = variablesOf(template);
    } catch {
      return null;
    }
    const pattern = template
      .split(VARIABLE)
      // split with a capture group alternates literal text and variable names.
      .map((part, i) => (i % 2 === 0 ? part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : part === 'project' ? project.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : DATE_PATTERN))
      .join('');
    const match = new RegExp(`^${pattern}$`).exec(args[index]!);
    if (!match) return null;
    const dates = variables.filter((v) => v !== 'project') as ('startDate' | 'endDate')[];
    for (const [k, variable] of dates.entries()) {
      const value = match[k + 1]!;
      if ((found[variable] ?? value) !== value) return null;
      found[variable] = value;
    }
  }
  const { startDate, endDate } = found;
  if (startDate === undefined || endDate === undefined) return null;
  try {
    // What ran is not limited by today's limits: only real dates, in order.
    return parseDateRange(startDate, endDate, { maxDays: Number.MAX_SAFE_INTEGER, today: '9999-12-31' });
  } catch (err) {
    if (err instanceof DateRangeError) return null;
    throw err;
  }
}
