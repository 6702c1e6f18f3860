// What the tests of the built SDK bundle share: the bundle (built when missing) and an emulator
// holding one service, api in p/us-west2, with one revision.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';

export const ROOT = path.resolve(__dirname, '../..');
export const RUN_BUNDLE = path.join(ROOT, 'dist', 'sdk-run.js');

/** Builds dist/ when the Run bundle is not there (a test file run on its own, before any build). */
export function ensureRunBundle(): void {
  if (fs.existsSync(RUN_BUNDLE)) return;
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
}

/** The emulator with Cloud Run only, serving p/us-west2/api (revision api-00001-aaa, no labels). */
export function startOneServiceEmulator(): Promise<RunningEmulator> {
  return startEmulator({
    port: 0,
    modules: { logging: false, bigquery: false },
    scenario: { run: { services: [{ project: 'p', region: 'us-west2', name: 'api', revisions: [{ name: 'api-00001-aaa', labels: {} }] }] } },
  });
}
