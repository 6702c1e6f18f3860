// The status bar's answer for the cursor line, as a person sees it (trusted profile, the demo): a
// file of the demo opened with Go to File, the cursor put on a line with Go to Line; on the line the
// MERGE fix changed (not deployed: the coordinator still serves the old commit) the status bar says
// it is not yet live in prediction-coordinator; on a line whose last change every unit carries, live.
// Which commit last changed each line is read with real git in the demo repository, not from the
// extension.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { pickItem, runFromPalette, until, verdictsLoad, type UiPage } from './checks';

const FILE = 'predictions/coordinator/batch_consolidator.py';
const FIX_SUBJECT = 'Fix MERGE: updated_at assigned more than once in consolidation';

function whereLineItem(page: Page): Locator {
  return page.locator('.part.statusbar .statusbar-item[id$="cloudRunDrift.whereLine"]').first();
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
}

/** Each line's last commit (1-based lines), from `git blame --porcelain`. */
function blame(dir: string, file: string): Map<number, string> {
  const lines = new Map<number, string>();
  for (const header of git(dir, 'blame', '--porcelain', '--', file).matchAll(/^([0-9a-f]{40}) \d+ (\d+)/gm)) lines.set(Number(header[2]), header[1]!);
  return lines;
}

function isAncestor(dir: string, commit: string, of: string): boolean {
  try {
    execFileSync('git', ['merge-base', '--is-ancestor', commit, of], { cwd: dir });
    return true;
  } catch {
    return false;
  }
}

/** Opens `file` with Go to File and puts the cursor on `line` with Go to Line. */
async function putCursor(page: Page, file: string, line: number): Promise<void> {
  await runFromPalette(page, 'Go to File...');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill(file);
  await pickItem(page, path.basename(file));
  await page.locator(`.monaco-editor[data-uri$="${file}"]`).first().waitFor({ state: 'visible', timeout: 15_000 });
  await runFromPalette(page, 'Go to Line/Column...');
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
}

async function statusFor(page: Page, what: string, pattern: RegExp): Promise<void> {
  const item = whereLineItem(page);
  await until(
    what,
    30_000,
    async () => {
      const text = (await item.isVisible().catch(() => false)) ? (await item.innerText()).trim() : '';
      return pattern.test(text) ? undefined : `the status bar's line answer says "${text}"`;
    },
    page,
  );
}

export function whereLinePage(): UiPage {
  return {
    name: 'where-line',
    profile: 'trusted',
    folder: 'demo',
    checks: [
      verdictsLoad,
      {
        name: 'the cursor on a line the MERGE fix changed: the status bar says not yet live in prediction-coordinator',
        timeoutMs: 75_000,
        async run({ page, folder }) {
          const source = fs.readFileSync(path.join(folder, FILE), 'utf8').split('\n');
          const line = source.findIndex((l) => l.includes('QUALIFY ROW_NUMBER() OVER')) + 1;
          assert.ok(line > 0, `no QUALIFY line in ${FILE}`);
          const commit = blame(folder, FILE).get(line);
          assert.equal(git(folder, 'log', '-1', '--format=%s', commit!).trim(), FIX_SUBJECT, `line ${line} was last changed by another commit`);
          await putCursor(page, FILE, line);
          await statusFor(page, `the line answer for line ${line}`, /not yet live in prediction-coordinator \(deployed [0-9a-f]{8}, \d+ \w+ behind\)/);
        },
      },
      {
        name: 'the cursor on a line of an older commit every unit carries: the status bar says live',
        timeoutMs: 75_000,
        async run({ page, folder, demo }) {
          const deployed = [...demo.services, ...demo.functions, ...demo.jobs].map((u) => u.deployedCommit);
          const old = [...blame(folder, FILE)].find(([, commit]) => deployed.every((d) => isAncestor(folder, commit, d)));
          assert.ok(old, `no line of ${FILE} last changed by a commit every unit carries`);
          await putCursor(page, FILE, old[0]);
          await statusFor(page, `the line answer for line ${old[0]}`, /(^|\s)live in \S+ since \S+/);
        },
      },
    ],
  };
}
