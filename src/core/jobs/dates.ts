// A data job's date range: `--start-date YYYY-MM-DD --end-date YYYY-MM-DD`, inclusive, in UTC.
//
// API (no vscode import):
//
//   parseDateRange(start, end, { maxDays, today })  → DateRange; throws DateRangeError naming the field
//   dateProblem(text)                                → why `text` is not a date (for an input box), or undefined
//   addDays(date, days)                              → YYYY-MM-DD
//   scoreboardRange(known, today)                    → the range a scoreboard opens with
//
// Why so strict: the dates reach a shell command and a BigQuery query. Only real calendar dates
// written exactly as YYYY-MM-DD pass (2026-02-30 and 2026-1-5 do not), a range may not end after
// today (grading a day that has not been played grades nothing and says nothing), and a range longer
// than the job's maxDays is refused before anything runs.

export interface DateRange {
  start: string;
  end: string;
  /** Every date from start to end, inclusive. */
  days: number;
}

export class DateRangeError extends Error {
  constructor(
    message: string,
    /** The field the user should change. */
    readonly field: 'start' | 'end',
  ) {
    super(message);
    this.name = 'DateRangeError';
  }
}

export interface DateRangeLimits {
  /** The longest range allowed, in days (inclusive count). */
  maxDays: number;
  /** Today as YYYY-MM-DD (UTC); the range may not end after it. */
  today: string;
}

const DAY_MS = 86_400_000;

/** Why `text` is not a date as YYYY-MM-DD, or undefined when it is one. */
export function dateProblem(text: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return `expected a date as YYYY-MM-DD, got ${JSON.stringify(text)}`;
  const parsed = new Date(`${text}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== text) return `${text} is not a calendar date`;
  return undefined;
}

export function parseDateRange(start: string, end: string, limits: DateRangeLimits): DateRange {
  const startProblem = dateProblem(start.trim());
  if (startProblem) throw new DateRangeError(`start date: ${startProblem}`, 'start');
  const endProblem = dateProblem(end.trim());
  if (endProblem) throw new DateRangeError(`end date: ${endProblem}`, 'end');
  const [from, to] = [start.trim(), end.trim()];
  if (from > to) throw new DateRangeError(`the start date ${from} is after the end date ${to}`, 'end');
  if (to > limits.today) throw new DateRangeError(`the end date ${to} is after today (${limits.today} UTC)`, 'end');
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
  if (days > limits.maxDays) throw new DateRangeError(`${from} to ${to} is ${days} days; this job runs at most ${limits.maxDays} days at a time`, 'end');
  return { start: from, end: to, days };
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Today in UTC as YYYY-MM-DD. */
export function utcToday(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** A range as remembered or configured: YYYY-MM-DD texts, checked before use. */
export interface RangeText {
  start: string;
  end: string;
}

/**
 * The range a scoreboard opens with: the range of the job's run that started last (runs.ts newestRun,
 * over the editor's runs and the Cloud Run job's executions), else the range last picked for it, else
 * the job's configured `scoreboardRange`, else the 7 days ending today. A remembered range that is no
 * longer valid (hand-edited state, a range ending after today) is passed over.
 */
export function scoreboardRange(known: { lastRun?: RangeText | undefined; remembered?: RangeText | undefined; configured?: RangeText | undefined }, today: string): DateRange {
  for (const candidate of [known.lastRun, known.remembered, known.configured]) {
    if (!candidate) continue;
    try {
      return parseDateRange(candidate.start, candidate.end, { maxDays: Number.MAX_SAFE_INTEGER, today });
    } catch (err) {
      if (!(err instanceof DateRangeError)) throw err;
    }
  }
  return parseDateRange(addDays(today, -6), today, { maxDays: 7, today });
}
