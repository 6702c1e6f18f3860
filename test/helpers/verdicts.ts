import * as assert from 'node:assert/strict';
import type { CheckResult, ServiceVerdict } from '../../src/core/model';

/** The verdict of the unit `name` in `result`; fails the test when there is none. */
export function verdictNamed(result: CheckResult, name: string): ServiceVerdict {
  const found = result.services.find((s) => s.name === name);
  assert.ok(found, `no verdict for ${name}`);
  return found;
}
