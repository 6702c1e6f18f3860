// The extension's test hooks (the API activate() returns and the counters behind it) exist only when VS Code
// runs it for its tests: the decision driftExtension.ts takes from context.extensionMode.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { testCountersFor } from '../../src/extension/platform/testHooks';

/** vscode.ExtensionMode as @types/vscode declares it (the enum exists only inside the editor). */
function extensionModes(): Record<string, number> {
  const declarations = fs.readFileSync(path.resolve(__dirname, '../../node_modules/@types/vscode/index.d.ts'), 'utf8');
  const body = /export enum ExtensionMode \{([^}]*)\}/.exec(declarations)?.[1] ?? '';
  return Object.fromEntries([...body.matchAll(/^\s*(\w+) = (\d+),/gm)].map((m) => [m[1]!, Number(m[2])]));
}

describe('test hooks', () => {
  const modes = extensionModes();

  it('knows the three extension modes', () => {
    assert.deepEqual(Object.keys(modes).sort(), ['Development', 'Production', 'Test']);
  });

  it('none in production or development: nothing is counted and activate() returns nothing', () => {
    assert.equal(testCountersFor(modes.Production!, { Test: modes.Test! }), undefined);
    assert.equal(testCountersFor(modes.Development!, { Test: modes.Test! }), undefined);
  });

  it('counters from zero when VS Code runs the extension for its tests, new ones each activation', () => {
    const first = testCountersFor(modes.Test!, { Test: modes.Test! });
    assert.deepEqual(first, { tree: { root: 0, rows: 0, rootFetches: 0 } });
    first!.tree.root += 1;
    assert.deepEqual(testCountersFor(modes.Test!, { Test: modes.Test! })?.tree, { root: 0, rows: 0, rootFetches: 0 });
  });
});
