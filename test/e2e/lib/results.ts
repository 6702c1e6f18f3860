// Test outcomes of the whole e2e run (UI checks and extension-host tests alike), printed as they come
// in node's test runner style, closed by the plain `N passed, N failed` line CI reads.
export interface Outcome {
  name: string;
  state: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  error?: string;
  /** Why it was skipped (printed beside `# SKIP`). */
  reason?: string;
}

export class Results {
  readonly outcomes: Outcome[] = [];
  private frozen = false;

  /** After an abort: what fails while things are torn down is not news. */
  freeze(): void {
    this.frozen = true;
  }

  record(outcome: Outcome): void {
    if (this.frozen) return;
    this.outcomes.push(outcome);
    const ms = `(${outcome.durationMs.toFixed(0)}ms)`;
    if (outcome.state === 'passed') process.stdout.write(`✔ ${outcome.name} ${ms}\n`);
    else if (outcome.state === 'skipped') process.stdout.write(`﹣ ${outcome.name} # SKIP${outcome.reason ? ` ${outcome.reason}` : ''}\n`);
    else {
      process.stdout.write(`✖ ${outcome.name} ${ms}\n`);
      if (outcome.error) process.stdout.write(`${indent(outcome.error, '    ')}\n`);
    }
  }

  count(state: Outcome['state']): number {
    return this.outcomes.filter((o) => o.state === state).length;
  }

  /** The closing line; a run that executed no test counts as failed. */
  printSummary(totalMs: number): boolean {
    const passed = this.count('passed');
    const failed = this.count('failed');
    const skipped = this.count('skipped');
    const failures = this.outcomes.filter((o) => o.state === 'failed');
    if (failures.length > 0) {
      process.stdout.write('\nfailing tests:\n');
      for (const f of failures) process.stdout.write(`  ✖ ${f.name}\n`);
    }
    process.stdout.write(`\ne2e finished in ${(totalMs / 1000).toFixed(1)}s\n`);
    if (passed + failed === 0) process.stdout.write('e2e: no test ran\n');
    process.stdout.write(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
    return failed === 0 && passed > 0;
  }
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .slice(0, 40)
    .map((l) => prefix + l)
    .join('\n');
}
