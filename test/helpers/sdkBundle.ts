// What the tests of the built SDK bundle share: the bundle (built when missing) and an emulator
// holding one service, api in p/us-west2, with one revision.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';

export const ROOT = path.resolve(__dirname, '../..');
export const RUN_BUNDLE = path.join(ROOT, 'dist', 'sdk-run.js');

/** The editor's git helper process, as built (src/core/git/helper/main.ts). */
export const GIT_HELPER = path.join(ROOT, 'dist', 'git-helper.js');

/** Builds dist/ when the Run bundle is not there (a test file run on its own, before any build). */
export function ensureRunBundle(): void {
  ensureBuilt(RUN_BUNDLE);
}

/**
 * Builds the git helper's bundle when it is missing or older than a file of src/core (what it is
 * built from): a bundle left from before a change would test old code. `npm test` builds first.
 */
export function ensureGitHelper(): void {
  const built = fs.existsSync(GIT_HELPER) ? fs.statSync(GIT_HELPER).mtimeMs : 0;
  const sources = fs.readdirSync(path.join(ROOT, 'src', 'core'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  if (built > 0 && sources.every((entry) => fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs <= built)) return;
  const build = spawnSync(process.execPath, ['esbuild.mjs', '--only=git-helper'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
}

function ensureBuilt(file: string): void {
  if (fs.existsSync(file)) return;
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
