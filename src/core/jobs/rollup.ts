// Whether a scoreboard query computes its own totals row (BigQuery's GROUP BY ROLLUP(...)).

/** GROUP BY ROLLUP(...) anywhere in the query (a comment or a string that says so counts too: it is only a hint). */
export function usesRollup(sql: string): boolean {
  return /\bGROUP\s+BY\s+ROLLUP\s*\(/i.test(sql);
}
