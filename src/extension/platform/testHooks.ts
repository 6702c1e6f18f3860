// What exists only for the end-to-end tests: the object activate() returns (CloudRunDriftApi) and the
// counters behind it. The composition root decides once, from the extension mode VS Code gives it:
// run for tests (`extensionTestsPath`, ExtensionMode.Test), the parts get counters and activate()
// returns the API; in any other mode nothing is counted and activate() returns undefined. No
// `vscode` import, so the decision is unit-tested.

/**
 * How often the Services tree told VS Code to redraw everything (`root`) or only its service rows
 * (`rows`): a refresh that changes no row's place must never redraw the root.
 */
export interface TreeRefreshCounts {
  root: number;
  rows: number;
  /** How often VS Code asked for the root rows. */
  rootFetches: number;
}

/** What the parts count for the tests. */
export interface TestCounters {
  readonly tree: TreeRefreshCounts;
}

/** Fresh counters when `mode` is `modes.Test` (pass vscode.ExtensionMode), else undefined. */
export function testCountersFor(mode: number, modes: { readonly Test: number }): TestCounters | undefined {
  return mode === modes.Test ? { tree: { root: 0, rows: 0, rootFetches: 0 } } : undefined;
}
