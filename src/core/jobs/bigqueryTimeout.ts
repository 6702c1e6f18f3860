// How long a BigQuery call may take by default: a module of its own, so that the CLI's usage text
// (src/cli/usage.ts) names it without loading the BigQuery reader.

/** A scoreboard or a table's metadata answers in seconds; a minute means something is wrong. */
export const DEFAULT_BIGQUERY_TIMEOUT_MS = 60_000;
